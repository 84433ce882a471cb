"""The plugin's signal handlers and the state of one build."""

import logging
import os
from pathlib import Path

from .config import read_config
from .sharing import describe_content, image_url, website_jsonld
from .sitemap import SitemapEntries

logger = logging.getLogger(__name__)

# Per build: made when a build starts, written and dropped when it ends (livereload runs many).
_sitemap: SitemapEntries | None = None


def start_build(pelican) -> None:
    global _sitemap
    _sitemap = SitemapEntries(pelican.settings["OUTPUT_PATH"], read_config(pelican.settings))


def describe_site(generators) -> None:
    """Per post and page: `share_image_url`, `noindex`. In the context: `SHARE_IMAGE_URL`,
    `SITE_JSONLD`; FAVICON and APPLE_TOUCH_ICON emptied when they name no published file."""
    if _sitemap is None:
        return
    config = _sitemap.config
    context = generators[0].context
    settings = generators[0].settings
    static_content = context.get("static_content", {})
    for generator in generators:
        for content in _contents(generator):
            describe_content(content, config, static_content, settings["PATH"])
    default = config.default_image
    context["SHARE_IMAGE_URL"] = image_url(default, config, static_content, None) if default else None
    if default and context["SHARE_IMAGE_URL"] is None and config.site_url is not None:
        logger.warning("SITE_SEO default_image %r is not a file the site publishes (a path under a "
                       "STATIC_PATHS folder, e.g. images/card.png, or a full URL): pages without "
                       "their own Image: have no preview image", default)
    context["SITE_JSONLD"] = website_jsonld(settings, config)
    _drop_missing_icons(context, settings)


# Theme settings naming files the site must publish (paths relative to SITEURL).
ICON_SETTINGS = ("FAVICON", "APPLE_TOUCH_ICON")


def _published_files(context: dict, settings: dict) -> set[str]:
    """Output paths of the static files of this build: content's and the theme's."""
    # get_url_setting, not .save_as: reading save_as now would stop an {attach} from relocating it.
    paths = {static.get_url_setting("save_as") for static in context.get("static_content", {}).values()}
    for folder in settings.get("THEME_STATIC_PATHS", []):
        source = Path(settings["THEME"], folder)
        paths.update(
            f"{settings['THEME_STATIC_DIR']}/{path.relative_to(source).as_posix()}"
            for path in source.rglob("*") if path.is_file()
        )
    return paths


def _drop_missing_icons(context: dict, settings: dict) -> None:
    """An icon setting naming no published file would be a broken link on every page: warn, and
    let the theme fall back to no icon."""
    names = [name for name in ICON_SETTINGS if context.get(name)]
    published = _published_files(context, settings) if names else set()
    for name in names:
        if os.path.normpath(context[name]) not in published:
            logger.warning("%s %r is not a file the site publishes (a path relative to SITEURL, "
                           "e.g. images/favicon.svg for content/images/favicon.svg): left out",
                           name, context[name])
            context[name] = None


# Where Pelican's generators keep what they read (translations and drafts too).
_CONTENT_LISTS = ("articles", "translations", "hidden_articles", "hidden_translations", "drafts",
                  "drafts_translations", "pages", "hidden_pages", "draft_pages", "draft_translations")


def _contents(generator):
    for name in _CONTENT_LISTS:
        yield from getattr(generator, name, None) or ()


def page_written(path, context) -> None:
    if _sitemap is not None:
        _sitemap.page_written(path, context)


def finish_build(pelican) -> None:
    global _sitemap
    if _sitemap is not None:
        _sitemap.write()
    _sitemap = None
