"""The fixture site of tests/seo_site, built with the production settings (feeds, sitemap)."""

import os
from pathlib import Path

from helpers import PUBLISH_SETTINGS, BuiltSite, build_site

SEO_SITE = Path(__file__).parent / "seo_site"
SITE_URL = "https://blog.example.test/notes"


def build_published(folder: Path, content: Path = SEO_SITE, **overrides) -> BuiltSite:
    os.environ["SITEURL"] = SITE_URL
    try:
        return build_site(content, folder, PUBLISH_SETTINGS, **overrides)
    finally:
        del os.environ["SITEURL"]
