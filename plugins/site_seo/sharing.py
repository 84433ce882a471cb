"""What a page tells search engines and link previews: its image, whether to index it, and the
site's JSON-LD. Data only: the theme's partials/head.html and partials/jsonld.html print it."""

import logging
import os
import re

from .config import Config

logger = logging.getLogger(__name__)

_LINK_PREFIX_RE = re.compile(r"^\{(static|attach|filename)\}")
FULL_URL_RE = re.compile(r"^https?://", re.I)


def static_url(value: str, static_content: dict, source_dir: str | None) -> str | None:
    """The URL (relative to SITEURL) of the static file `value` names, or None when there is no
    such file. `{static}name` is relative to the source's folder and `{static}/name` to
    content/, as in Pelican's links; a bare path is relative to content/."""
    linked = _LINK_PREFIX_RE.match(value)
    path = value[linked.end():] if linked else value
    if path.startswith("/") or not linked or source_dir is None:
        relative = path.lstrip("/")
    else:
        relative = os.path.join(source_dir, path)
    static = static_content.get(os.path.normpath(relative))
    return static.url if static is not None else None


def image_url(value: str, config: Config, static_content: dict, source_dir: str | None) -> str | None:
    """The absolute URL of an image named in front matter or settings; None in builds without
    an absolute SITEURL (a link preview needs one) or when no such file exists."""
    value = value.strip()
    if FULL_URL_RE.match(value):
        return value
    url = static_url(value, static_content, source_dir)
    if url is None or config.site_url is None:
        return None
    return f"{config.site_url}/{url}"


def is_noindex(content) -> bool:
    """`Robots: noindex` (or `noindex, nofollow`...) in the front matter."""
    robots = str(content.metadata.get("robots", "")).lower()
    return "noindex" in {word.strip() for word in robots.split(",")}


def describe_content(content, config: Config, static_content: dict, content_root: str) -> None:
    """Set `share_image_url` and `noindex` on a post or page; a missing image is an error."""
    content.noindex = is_noindex(content)
    content.share_image_url = None
    value = content.metadata.get("image")
    if not value:
        return
    source_dir = os.path.relpath(os.path.dirname(content.source_path), content_root)
    if FULL_URL_RE.match(value.strip()) or static_url(value, static_content, source_dir) is not None:
        content.share_image_url = image_url(value, config, static_content, source_dir)
        return
    line = content.metadata.get("front_matter_lines", {}).get("image", 1)
    logger.error(
        "%s:%d: Image: %r is not a file the site publishes: put it under a STATIC_PATHS folder "
        "(e.g. content/images/) and write {static}/images/name.png, or give a full https:// URL",
        os.path.relpath(content.source_path), line, value,
    )


def website_jsonld(settings: dict, config: Config) -> dict | None:
    """schema.org WebSite for the home page; None without an absolute SITEURL."""
    if config.site_url is None:
        return None
    data = {
        "@context": "https://schema.org",
        "@type": "WebSite",
        "name": settings["SITENAME"],
        "url": config.site_url + "/",
        "inLanguage": settings.get("DEFAULT_LANG", "en"),
    }
    description = settings.get("SITE_DESCRIPTION") or settings.get("SITESUBTITLE")
    if description:
        data["description"] = description
    if settings.get("AUTHOR"):
        data["author"] = {"@type": "Person", "name": settings["AUTHOR"]}
    return data
