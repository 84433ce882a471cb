"""Production settings: `invoke publish` and the GitHub Pages workflow build with this file."""

import os
import sys

sys.path.append(os.curdir)
from pelicanconf import *  # noqa: E402,F403

# The workflow sets SITEURL from the Pages deployment (https://user.github.io/repo).
SITEURL = os.environ.get("SITEURL", "https://example.github.io").rstrip("/")
RELATIVE_URLS = False

FEED_DOMAIN = SITEURL
FEED_ALL_ATOM = "feeds/all.atom.xml"
FEED_ALL_RSS = "feeds/all.rss.xml"
TAG_FEED_ATOM = "feeds/tags/{slug}.atom.xml"
TAG_FEED_RSS = "feeds/tags/{slug}.rss.xml"
FEED_MAX_ITEMS = 20
# Full posts in RSS too (Pelican's default is the summary alone); the feed_content plugin makes
# every entry readable in feed readers.
RSS_FEED_SUMMARY_ONLY = False

DELETE_OUTPUT_DIRECTORY = True

# Drafts never leave the machine: no page for a draft post or page (an empty SAVE_AS writes
# nothing). content_checks fails the build on a published post that links to one, and keeps the
# files only drafts link to (an {attach}ed figure) out of the site.
DRAFT_SAVE_AS = ""
DRAFT_LANG_SAVE_AS = ""
DRAFT_PAGE_SAVE_AS = ""
DRAFT_PAGE_LANG_SAVE_AS = ""
