"""`{series}` links in bodies and `Companion:` values: parsing and rewriting, no Pelican here.

In Markdown a section of a series is linked as `[]({series}deep-learning-foundations#backpropagation)`;
the link becomes `{filename}/posts/<part>.md#backpropagation`, which Pelican resolves (relative in
development builds, absolute in production), and empty link text becomes the section's label,
"§ 3.4 Backpropagation of Deep Learning Foundations". `{series}<slug>` alone links the series' page.
"""

from html import escape
import re
from collections.abc import Callable
from dataclasses import dataclass

PREFIX = "{series}"
_SERIES_LINK = re.compile(
    r"""<a\b(?P<before>[^>]*?)\shref=(?P<quote>["'])\{series\}(?P<target>[^"']*)(?P=quote)"""
    r"""(?P<after>[^>]*)>(?P<text>.*?)</a>""",
    re.S,
)
_COMPANION = re.compile(r"^\{(?P<kind>series|filename)\}(?P<path>[^#\s]*)(?:#(?P<anchor>\S*))?$")


@dataclass(frozen=True)
class Reference:
    """`{series}<slug>#<anchor>` as written (anchor "" for the series itself)."""

    slug: str
    anchor: str

    @property
    def written(self) -> str:
        return PREFIX + self.slug + (f"#{self.anchor}" if self.anchor else "")

    @classmethod
    def parse(cls, target: str) -> "Reference":
        slug, _, anchor = target.partition("#")
        return cls(slug.strip().strip("/"), anchor.strip())


@dataclass(frozen=True)
class Resolved:
    href: str  # what Pelican resolves: "{filename}/posts/part.md#anchor"
    label: str  # HTML shown when the link text is empty


class Unresolved(LookupError):
    """A reference to a series or heading that does not exist; the message says what to do."""


def rewrite_series_links(
    html: str, resolve: Callable[[Reference], Resolved], linked: bool = True
) -> tuple[str, list[tuple[Reference, str]]]:
    """(html with every `{series}` link resolved, [(reference, problem)] for those that cannot be).

    With `linked` False (summaries on list pages), a reference becomes its text, without a link.
    A reference that cannot be resolved becomes its text too.
    """
    if PREFIX not in html:
        return html, []
    problems = []

    def replace(match: re.Match) -> str:
        reference = Reference.parse(match.group("target"))
        written = match.group("text") if match.group("text").strip() else ""
        try:
            resolved = resolve(reference)
        except Unresolved as problem:
            problems.append((reference, str(problem)))
            return written or escape(reference.written)  # an error is logged; no broken link
        text = written or resolved.label
        if not linked:
            return text
        quote = match.group("quote")
        return f"<a{match.group('before')} href={quote}{resolved.href}{quote}{match.group('after')}>{text}</a>"

    return _SERIES_LINK.sub(replace, html), problems


@dataclass(frozen=True)
class CompanionValue:
    """`Companion: {series}<slug>#<anchor>` or `Companion: {filename}<path>[#<anchor>]`."""

    kind: str  # "series" or "filename"
    path: str  # the series slug, or the post's source path as written
    anchor: str


def parse_companion(value: str) -> CompanionValue | None:
    """The parsed value, or None when it has neither form."""
    match = _COMPANION.match(str(value).strip())
    if not match or not match.group("path"):
        return None
    path = match.group("path")
    if match.group("kind") == "series":
        path = path.strip("/")
    return CompanionValue(match.group("kind"), path, match.group("anchor") or "")


def line_of(source_path: str, needle: str) -> int:
    """The first line of the source that contains `needle` (1 when none does)."""
    with open(source_path, encoding="utf-8") as source:
        for number, line in enumerate(source, start=1):
            if needle in line:
                return number
    return 1
