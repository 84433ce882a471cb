"""The links and image paths of an HTML body, and the element ids it offers: no Pelican import."""

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

# Pelican rewrites `{filename}`-style values of these attributes, in any tag (contents.py).
INTRASITE_ATTRIBUTES = frozenset({"href", "src", "poster", "data", "cite", "formaction", "action", "content"})
CHECKED_MARKERS = frozenset({"filename", "static", "attach"})

_TAG_RE = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)(\s[^>]*)>")
_ATTRIBUTE_RE = re.compile(r"""\s([a-zA-Z_:][\w:.-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_ID_RE = re.compile(r"""<[a-zA-Z][^>]*?\sid\s*=\s*(?:"([^"]*)"|'([^']*)')""")


@dataclass(frozen=True)
class Link:
    """One link of a body: `marker` is filename/static/attach, or "image" for a plain `<img src>`."""

    marker: str
    written: str  # the attribute value as the writer typed it, e.g. "{filename}/posts/a.md#proof"
    path: str  # its path part, unquoted: "/posts/a.md"
    fragment: str  # unquoted, without "#": "proof"


def _quoted_value(match: re.Match, group: int = 1) -> str:
    """The value of a `"..."` or `'...'` pair of groups (the first of them is `group`)."""
    double = match.group(group)
    return double if double is not None else match.group(group + 1)


def might_have_links(body: str) -> bool:
    """A cheap test that lets most bodies skip the tag scan."""
    return "<img" in body or any(marker in body for marker in CHECKED_MARKERS)


def _split(marker: str, written: str, target: str) -> Link:
    parts = urlsplit(target)
    return Link(marker, written, unquote(parts.path), unquote(parts.fragment))


def _is_plain_path(value: str) -> bool:
    """A file path the site serves, not an external URL (http:, mailto:, data:, //host) or a `#` anchor."""
    parts = urlsplit(value)
    return bool(parts.path) and not parts.scheme and not parts.netloc


def links_in(body: str, intrasite_regex: str) -> Iterator[Link]:
    """Each `{filename}`/`{static}`/`{attach}` link (Pelican's INTRASITE_LINK_REGEX) and each plain
    `<img src>` path of `body`, in order."""
    intrasite = re.compile(rf"(?:{intrasite_regex})(?P<value>.*)", re.S)
    for tag in _TAG_RE.finditer(body):
        name = tag.group(1).lower()
        for attribute in _ATTRIBUTE_RE.finditer(tag.group(2)):
            key = attribute.group(1).lower()
            if key not in INTRASITE_ATTRIBUTES:
                continue
            value = html.unescape(_quoted_value(attribute, 2))
            marked = intrasite.match(value)
            if marked and marked.group("what") in CHECKED_MARKERS:
                yield _split(marked.group("what"), value, marked.group("value"))
            elif not marked and name == "img" and key == "src" and _is_plain_path(value):
                yield _split("image", value, value)


def element_ids(body: str) -> set[str]:
    """Every id a `#fragment` can point at: headings (toc extension), equations, footnotes, ..."""
    return {html.unescape(_quoted_value(match)) for match in _ID_RE.finditer(body)}


def line_of(source_path: str, written: str) -> int | None:
    """The first line of the source with the link `written` on it, whole (so `a.md#proof` is not
    found in `a.md#proofs`), 1-based; None when the body made it up."""
    whole = re.compile(rf"(?<![\w./~%-]){re.escape(written)}(?![\w./~%#?&=:-])")
    with open(source_path, encoding="utf-8", errors="replace") as source:
        for number, line in enumerate(source, start=1):
            if whole.search(line):
                return number
    return None
