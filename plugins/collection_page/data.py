"""The collections data file (TOML): read, validated, and every problem given a line number.

tomllib gives no line numbers for values, so a problem's line is found by searching the file's
text for the table or string it is about (`SourceText`). Pure logic: no Pelican import.
"""

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field

COLLECTION_KEYS = {"title", "intro", "home", "url", "menu", "sections"}
SECTION_KEYS = {"title", "slug", "emoji", "intro", "entries", "groups"}
GROUP_KEYS = {"title", "slug", "intro", "entries"}
_TOML_POSITION_RE = re.compile(r"\(at line (\d+), column \d+\)")


def slug_of(text: str) -> str:
    """"Exploratory Notes" -> "exploratory-notes"; used for anchors and to match `Collection:` values."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"[^\w\s-]", "", text)
    return re.sub(r"[-\s]+", "-", text).strip("-")


@dataclass
class EntryName:
    """A post named in the data file: its slug or its path under the content folder."""

    name: str
    line: int


@dataclass
class GroupSpec:
    title: str
    slug: str
    intro: str
    entries: list[EntryName]
    line: int


@dataclass
class SectionSpec:
    title: str
    slug: str
    emoji: str
    intro: str
    entries: list[EntryName]
    groups: list[GroupSpec]
    line: int


@dataclass
class CollectionSpec:
    slug: str
    title: str
    intro: str
    home: bool
    url: str | None  # None: from the COLLECTION_URL setting
    menu: str | None
    sections: list[SectionSpec]
    line: int


@dataclass
class Problem:
    line: int
    message: str


@dataclass
class DataFile:
    collections: list[CollectionSpec] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def home(self) -> CollectionSpec | None:
        return next((c for c in self.collections if c.home), None)


class SourceText:
    """Finds the line of a table header, key or string in the data file's text."""

    def __init__(self, text: str):
        self.lines = text.splitlines()

    def find(self, pattern: str, start: int = 1, occurrence: int = 0) -> int | None:
        """1-based line of the `occurrence`-th line at or after `start` that matches `pattern`."""
        found = -1
        for number, line in enumerate(self.lines[start - 1:], start=start):
            if re.search(pattern, line):
                found += 1
                if found == occurrence:
                    return number
        return None

    def table(self, path: str, start: int = 1, occurrence: int = 0) -> int | None:
        """`[path]` or `[[path]]` (spaces and quoted keys allowed)."""
        parts = r"\s*\.\s*".join(rf"(?:{re.escape(p)}|\"{re.escape(p)}\"|'{re.escape(p)}')" for p in path.split("."))
        return self.find(rf"^\s*\[\[?\s*{parts}\s*\]\]?\s*$", start, occurrence)

    def key(self, name: str, start: int) -> int | None:
        return self.find(rf"^\s*{re.escape(name)}\s*=", start)

    def string(self, value: str, start: int) -> int | None:
        return self.find(rf"([\"']){re.escape(value)}\1", start)


def read_data(text: str) -> DataFile:
    """The collections in `text` (TOML), with every problem found."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        position = _TOML_POSITION_RE.search(str(error))
        return DataFile(problems=[Problem(int(position.group(1)) if position else 1, f"invalid TOML: {error}")])
    return _Validator(SourceText(text)).data(raw)


class _Validator:
    def __init__(self, source: SourceText):
        self.source = source
        self.problems: list[Problem] = []

    def problem(self, line: int | None, message: str) -> None:
        self.problems.append(Problem(line or 1, message))

    def data(self, raw: dict) -> DataFile:
        collections = []
        for slug, table in raw.items():
            line = self.source.table(slug) or self.source.key(slug, 1)
            if not isinstance(table, dict):
                self.problem(line, f"`{slug}` is not a collection: each collection is a table, e.g. [{slug}]")
                continue
            collections.append(self.collection(slug, table, line or 1))
        homes = [c for c in collections if c.home]
        for extra in homes[1:]:
            self.problem(extra.line, f"collection `{extra.slug}` has home = true, but so does `{homes[0].slug}`; "
                                     "only one collection can be the home page")
        return DataFile(collections, self.problems)

    def unknown_keys(self, table: dict, known: set[str], what: str, start: int) -> None:
        for name in sorted(set(table) - known):
            self.problem(self.source.key(name, start) or start,
                         f"unknown key `{name}` in {what}; known keys: {', '.join(sorted(known))}")

    def text(self, table: dict, name: str, start: int, default: str = "") -> str:
        value = table.get(name, default)
        if not isinstance(value, str):
            self.problem(self.source.key(name, start) or start, f"`{name}` must be a string, not {value!r}")
            return default
        return value.strip()

    def collection(self, slug: str, table: dict, line: int) -> CollectionSpec:
        self.unknown_keys(table, COLLECTION_KEYS, f"collection `{slug}`", line)
        home = table.get("home", False)
        if not isinstance(home, bool):
            self.problem(self.source.key("home", line) or line, f"`home` must be true or false, not {home!r}")
            home = False
        url = self.text(table, "url", line, default="") or None
        if home and url is not None:
            self.problem(self.source.key("url", line) or line,
                         f"collection `{slug}` is the home page (home = true); it cannot have a url too")
            url = None
        sections_raw = table.get("sections", [])
        if not isinstance(sections_raw, list) or not all(isinstance(s, dict) for s in sections_raw):
            self.problem(self.source.key("sections", line) or line,
                         f"`sections` of collection `{slug}` must be tables: [[{slug}.sections]]")
            sections_raw = []
        if not sections_raw:
            self.problem(line, f"collection `{slug}` has no sections; add one with [[{slug}.sections]] and a title")
        sections = []
        for index, section in enumerate(sections_raw):
            section_line = self.source.table(f"{slug}.sections", line, index) or line
            sections.append(self.section(slug, section, section_line))
        self.no_duplicate_slugs(sections, f"collection `{slug}`")
        return CollectionSpec(
            slug=slug, title=self.text(table, "title", line, default=slug.replace("-", " ").title()),
            intro=self.text(table, "intro", line), home=home, url=url,
            menu=self.text(table, "menu", line) or None, sections=sections, line=line,
        )

    def section(self, collection: str, table: dict, line: int) -> SectionSpec:
        title = self.text(table, "title", line)
        where = f"section `{title}`" if title else "a section"
        self.unknown_keys(table, SECTION_KEYS, where, line)
        if not title:
            self.problem(line, f"a section of collection `{collection}` has no title; add title = \"...\"")
        groups_raw = table.get("groups", [])
        if not isinstance(groups_raw, list) or not all(isinstance(g, dict) for g in groups_raw):
            self.problem(self.source.key("groups", line) or line,
                         f"`groups` of {where} must be tables: [[{collection}.sections.groups]]")
            groups_raw = []
        groups = []
        for index, group in enumerate(groups_raw):
            group_line = self.source.table(f"{collection}.sections.groups", line, index) or line
            groups.append(self.group(title, group, group_line))
        self.no_duplicate_slugs(groups, where)
        return SectionSpec(
            title=title, slug=self.text(table, "slug", line) or slug_of(title), emoji=self.text(table, "emoji", line),
            intro=self.text(table, "intro", line), entries=self.entries(table, line, where), groups=groups, line=line,
        )

    def group(self, section: str, table: dict, line: int) -> GroupSpec:
        title = self.text(table, "title", line)
        where = f"group `{title}` of section `{section}`"
        self.unknown_keys(table, GROUP_KEYS, where, line)
        if not title:
            self.problem(line, f"a group of section `{section}` has no title; add title = \"...\"")
        return GroupSpec(title=title, slug=self.text(table, "slug", line) or slug_of(title),
                         intro=self.text(table, "intro", line), entries=self.entries(table, line, where), line=line)

    def entries(self, table: dict, line: int, where: str) -> list[EntryName]:
        names = table.get("entries", [])
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            self.problem(self.source.key("entries", line) or line,
                         f"`entries` of {where} must be a list of post slugs or paths, e.g. [\"my-post\"]")
            return []
        start = self.source.key("entries", line) or line
        return [EntryName(name.strip(), self.source.string(name, start) or start) for name in names]

    def no_duplicate_slugs(self, items: list, where: str) -> None:
        seen = {}
        for item in items:
            if item.slug in seen:
                self.problem(item.line, f"`{item.title}` and `{seen[item.slug].title}` in {where} have the same "
                                        f"slug `{item.slug}`; give one a different title or slug")
            seen.setdefault(item.slug, item)
