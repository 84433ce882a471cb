"""sitemap.xml and robots.txt: every page the build wrote that search engines may index."""

import os
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import quote
from xml.sax.saxutils import escape

from .config import Config

SITEMAP_FILE = "sitemap.xml"
ROBOTS_FILE = "robots.txt"


@dataclass
class SitemapEntries:
    """Pages of one build, by path in output/, with the date each last changed (or None)."""

    output_path: str
    config: Config
    pages: dict[str, datetime | None] = field(default_factory=dict)
    # The newest date of each list shown, by id() with the list held: most pages that are no post
    # show the site's whole date list, and scanning it for each of them was quadratic.
    _newest: dict[int, tuple[object, datetime | None]] = field(default_factory=dict)

    def page_written(self, path: str, context: dict) -> None:
        """A page the build wrote (or kept, unchanged): listed unless it must not be indexed."""
        relative = os.path.relpath(path, self.output_path).replace(os.sep, "/")
        if not relative.endswith(".html") or relative in self.config.sitemap_exclude:
            return
        content = context.get("article") or context.get("page")
        if content is not None and (getattr(content, "noindex", False) or _is_draft(content)):
            return
        self.pages[relative] = self._last_changed(context)

    def _last_changed(self, context: dict) -> datetime | None:
        """A post's or page's own date; for a list, its newest post's."""
        content = context.get("article") or context.get("page")
        if content is not None and hasattr(content, "source_path"):
            return _changed(content)
        listed = context.get("articles_page")
        items = listed.object_list if listed is not None else context.get("dates") or ()
        known = self._newest.get(id(items))
        if known is None or known[0] is not items:
            known = self._newest[id(items)] = (items, newest(items))
        return known[1]

    def write(self) -> None:
        if self.config.site_url is None:  # a sitemap needs absolute URLs: production builds only
            return
        with open(os.path.join(self.output_path, SITEMAP_FILE), "w", encoding="utf-8") as out:
            out.write(sitemap_xml(self.config.site_url, self.pages))
        if self.config.robots_txt:
            with open(os.path.join(self.output_path, ROBOTS_FILE), "w", encoding="utf-8") as out:
                out.write(f"User-agent: *\nAllow: /\n\nSitemap: {self.config.site_url}/{SITEMAP_FILE}\n")


def _is_draft(content) -> bool:
    return getattr(content, "status", "published") == "draft"


def _changed(content) -> datetime | None:
    return getattr(content, "modified", None) or getattr(content, "date", None)


def newest(items) -> datetime | None:
    return max((date for date in map(_changed, items) if date is not None), default=None)


def page_url(relative: str) -> str:
    """The URL path of an output file: a folder's index.html is the folder."""
    if relative == "index.html":
        return ""
    return relative[: -len("index.html")] if relative.endswith("/index.html") else relative


def sitemap_xml(site_url: str, pages: dict[str, datetime | None]) -> str:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for relative in sorted(pages, key=page_url):
        lines.append(f"<url><loc>{escape(site_url + '/' + quote(page_url(relative)))}</loc>")
        changed = pages[relative]
        if changed is not None:
            lines.append(f"<lastmod>{changed.isoformat(timespec='seconds')}</lastmod>")
        lines.append("</url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"
