"""SITE_SEO, read once with documented defaults (see plugins/README.md)."""

import logging
from dataclasses import dataclass

logger = logging.getLogger(__name__)

DEFAULTS = {
    # og:image of pages without their own `Image:`: a static file under content/ ("images/card.png")
    # or a full URL. None: such pages have no image.
    "default_image": None,
    # Pages (paths in output/) kept out of sitemap.xml; pages marked noindex and drafts always are.
    "sitemap_exclude": ("404.html",),
    # Write robots.txt (allow everything, name the sitemap) in builds with an absolute SITEURL.
    "robots_txt": True,
}


@dataclass(frozen=True)
class Config:
    default_image: str | None
    sitemap_exclude: frozenset[str]
    robots_txt: bool
    site_url: str | None  # the absolute SITEURL ("https://host/path", no trailing slash), else None


def read_config(settings: dict) -> Config:
    options = dict(settings.get("SITE_SEO", {}))
    unknown = sorted(set(options) - set(DEFAULTS))
    if unknown:
        logger.error("SITE_SEO has unknown key(s) %s; known: %s", ", ".join(unknown), ", ".join(DEFAULTS))
    options = {**DEFAULTS, **options}
    site_url = str(settings.get("SITEURL") or "").rstrip("/")
    return Config(
        default_image=options["default_image"],
        sitemap_exclude=frozenset(options["sitemap_exclude"]),
        robots_txt=bool(options["robots_txt"]),
        site_url=site_url if site_url.startswith(("http://", "https://")) else None,
    )
