"""Feed items, as Pelican's feed writer made them, finished for feed readers."""

from urllib.parse import urljoin

from feedgenerator.django.utils.encoding import iri_to_uri

from .clean import entry_html


class FeedEntries:
    """One build's feed entries: each post's HTML is cleaned once, however many feeds show it
    (the site's, each of its tags', a series', a section's)."""

    def __init__(self):
        self._cleaned: dict[tuple[str, str], str] = {}
        self._content_by_link: dict[str, object] | None = None

    def finish(self, feed, context: dict) -> None:
        """Edit `feed.items` in place: entry HTML for readers, the post's tags as categories."""
        for item in feed.items:
            for field in ("content", "description"):
                if item.get(field):
                    item[field] = self.cleaned(item[field], item["link"])
            content = self._content_for(item["link"], context)
            if content is not None:
                # Pelican adds the category too, which on this site is the same for every post.
                item["categories"] = [str(tag) for tag in getattr(content, "tags", None) or ()]

    def cleaned(self, html: str, link: str) -> str:
        key = (link, html)
        if key not in self._cleaned:
            self._cleaned[key] = entry_html(html, link)
        return self._cleaned[key]

    def _content_for(self, link: str, context: dict):
        if self._content_by_link is None:
            self._content_by_link = _content_by_link(context)
        return self._content_by_link.get(link.split("?", 1)[0])


def _content_by_link(context: dict) -> dict[str, object]:
    """Every post and page of the build by the link Pelican's feed writer gives its entry."""
    site_url = context.get("SITEURL", "")
    base = site_url if site_url.endswith("/") else site_url + "/"
    found = {}
    for key in ("articles", "translations", "hidden_articles", "pages", "hidden_pages"):
        for content in context.get(key) or ():
            found[iri_to_uri(urljoin(base, str(content.url)))] = content
    return found


# Per build: made when a build starts, dropped when it ends (a livereload server runs many builds).
_entries: FeedEntries | None = None


def start_build(pelican) -> None:
    global _entries
    _entries = FeedEntries()


def end_build(pelican) -> None:
    global _entries
    _entries = None


def finish_feed(context, feed) -> None:
    (_entries or FeedEntries()).finish(feed, context)
