"""In-post citations: `[@key]`, `[@a; @b]`, `[@key, p. 5]` in a rendered body become linked labels,
and the works they cite become the post's References list. Pure functions on HTML strings.

The body arrives as Python-Markdown made it and typogrify touched it: a key in capitals may be
wrapped in `<span class="caps">`, and a space may be `&nbsp;`. Code (`<code>`, `<pre>`, ...) and
link texts are left alone.
"""

import html
import re
from bisect import bisect_right
from dataclasses import dataclass

from .config import AUTHOR_YEAR
from .reference_style import FormattedReference

# Text whose brackets stay as written: elements whose text is literal, and link texts.
_SKIPPED_START = re.compile(r"<(pre|code|kbd|samp|script|style|textarea|a)[\s>]", re.IGNORECASE)
_SKIPPED_END = {name: re.compile(rf"</{name}\s*>", re.IGNORECASE)
                for name in ("pre", "code", "kbd", "samp", "script", "style", "textarea", "a")}
_CITATION = re.compile(r"\[@(?:[^\[\]<]|<span class=\"caps\">|</span>)+\]")
_TEXT_CITATION = re.compile(r"\[@[^\[\]]+\]")
_CAPS = re.compile(r'<span class="caps">|</span>')
_SPACES = re.compile(r"(?:\s|&nbsp;|&#160;|\xa0)+")
_BETWEEN_CITES = re.compile(r";\s*(?=@)")  # not the ; of an entity in a locator (pp. 3&#8211;5)
_ITEM = re.compile(r"^@(?P<key>[\w][\w:./+\-]*)(?:,(?P<locator>.+))?$", re.DOTALL)


@dataclass(frozen=True)
class Cite:
    key: str
    locator: str  # HTML, as written after the comma ("p.&nbsp;5"), or ""


@dataclass(frozen=True)
class Group:
    """One bracket: `[@a, p. 5; @b]`."""

    written: str  # the bracket as it stands in the HTML
    cites: tuple[Cite, ...] | None  # None: not a well-formed citation


@dataclass(frozen=True)
class Reference:
    """One item of a post's References list."""

    key: str
    anchor: str  # id of the list item; its text has the id anchor + "-text"
    number: int  # position in the list
    label: str  # what a citation shows: "1" or "Vaswani et al., 2017" (plain text)
    html: str  # the formatted reference
    backlinks: tuple[str, ...]  # ids of the citations of this work in the body, in order


@dataclass(frozen=True)
class References:
    style: str  # "numeric" or "author-year"
    items: tuple[Reference, ...]


def _citations(body: str) -> list[re.Match]:
    """The citations of a body: in its text, not in code, link texts or a tag's attribute. (Found
    with plain searches: a regex that visits every tag is the slowest part of a build.)"""
    candidates = list(_CITATION.finditer(body))
    if not candidates:
        return []
    skipped = _skipped_spans(body)
    starts = [start for start, _ in skipped]
    found = []
    for match in candidates:
        start = match.start()
        before = bisect_right(starts, start) - 1
        if before >= 0 and start < skipped[before][1]:
            continue
        if body.rfind("<", 0, start) > body.rfind(">", 0, start):  # inside a tag: alt="[@x]"
            continue
        found.append(match)
    return found


def _skipped_spans(body: str) -> list[tuple[int, int]]:
    spans, reached = [], 0
    for match in _SKIPPED_START.finditer(body):
        if match.start() < reached:  # inside the previous one (<code> in <pre>)
            continue
        end = _SKIPPED_END[match.group(1).lower()].search(body, match.end())
        reached = end.end() if end else len(body)
        spans.append((match.start(), reached))
    return spans


def find_groups(body: str) -> list[Group]:
    return [_group(match.group(0)) for match in _citations(body)]


def _group(written: str) -> Group:
    inner = _SPACES.sub(" ", _CAPS.sub("", written[1:-1]))
    cites = []
    for item in _BETWEEN_CITES.split(inner):
        match = _ITEM.match(item.strip())
        if not match:
            return Group(written, None)
        cites.append(Cite(match.group("key"), (match.group("locator") or "").strip()))
    return Group(written, tuple(cites))


def cited_keys(groups: list[Group]) -> list[str]:
    """Every key, once, in order of first citation."""
    seen = {}
    for group in groups:
        for cite in group.cites or ():
            seen.setdefault(cite.key, None)
    return list(seen)


def anchor_for(key: str) -> str:
    return "ref-" + re.sub(r"[^\w:.-]", "-", key)


def build_references(style: str, keys: list[str], formatted: dict[str, FormattedReference],
                     backlinks: dict[str, list[str]]) -> References:
    """The list: in citation order for numeric, by author, year and title for author-year."""
    if style == AUTHOR_YEAR:
        keys = sorted(keys, key=lambda key: formatted[key].sort_key)
        labels = _author_year_labels(keys, formatted)
    else:
        labels = {key: str(number) for number, key in enumerate(keys, 1)}
    items = tuple(
        Reference(key, anchor_for(key), number, labels[key], formatted[key].html, tuple(backlinks.get(key, ())))
        for number, key in enumerate(keys, 1)
    )
    return References(style, items)


def _author_year_labels(keys: list[str], formatted: dict[str, FormattedReference]) -> dict[str, str]:
    """"Vaswani et al., 2017"; two works with the same names and year get 2016a and 2016b."""
    by_label: dict[tuple[str, str], list[str]] = {}
    for key in keys:  # already sorted: suffixes follow the list's order
        by_label.setdefault((formatted[key].names, formatted[key].year), []).append(key)
    labels = {}
    for (names, year), same in by_label.items():
        for index, key in enumerate(same):
            suffix = chr(ord("a") + index) if len(same) > 1 and index < 26 else ""
            labels[key] = f"{names}, {year}{suffix}"
    return labels


def link_citations(body: str, references: References, known: set[str], linked: bool = True
                   ) -> tuple[str, dict[str, list[str]]]:
    """The body with each well-formed group of known keys replaced by its labels; and, per key,
    the ids given to its citations (for back-links). With linked=False (summaries) labels are
    plain text and get no ids."""
    by_key = {item.key: item for item in references.items}
    backlinks: dict[str, list[str]] = {}

    def label(cite: Cite) -> str:
        item = by_key[cite.key]
        if not linked:
            return html.escape(item.label)
        ids = backlinks.setdefault(cite.key, [])
        ids.append(f"cite-{item.anchor[4:]}-{len(ids) + 1}")
        return (f'<a class="citation__link" id="{html.escape(ids[-1])}" href="#{html.escape(item.anchor)}" '
                f'role="doc-biblioref" aria-describedby="{html.escape(item.anchor)}-text">{html.escape(item.label)}</a>')

    pieces, done = [], 0
    for match in _citations(body):
        cited = _labelled(match.group(0), known, references.style, label)
        if cited:
            pieces += [body[done:match.start()], f'<span class="citation">{cited}</span>']
            done = match.end()
    return "".join(pieces) + body[done:], backlinks


def text_citations(text: str, references: References, known: set[str]) -> str:
    """Plain text (a meta description) with its citations as plain labels."""
    by_key = {item.key: item for item in references.items}
    return _TEXT_CITATION.sub(
        lambda match: _labelled(match.group(0), known, references.style, lambda cite: by_key[cite.key].label)
        or match.group(0),
        text,
    )


def _labelled(written: str, known: set[str], style: str, label) -> str | None:
    """A group's labels, bracketed; None when it is malformed or cites an unknown key."""
    group = _group(written)
    if group.cites is None or any(cite.key not in known for cite in group.cites):
        return None
    parts = [f"{label(cite)}, {cite.locator}" if cite.locator else label(cite) for cite in group.cites]
    return _bracketed(parts, group, style)


def _bracketed(parts: list[str], group: Group, style: str) -> str:
    if style == AUTHOR_YEAR:
        return "(" + "; ".join(parts) + ")"
    separator = "; " if any(cite.locator for cite in group.cites) else ", "
    return "[" + separator.join(parts) + "]"
