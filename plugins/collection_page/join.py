"""Posts join the collections: by their `Collection:` field, or named in the data file's `entries`.

Produces what templates show (`Collection` > `Section` > `Group` > `Entry`) and the problems,
each with its file and line. Entries named in the data file come first, in that order; posts
that join by their own `Collection:` field follow, newest first.
"""

import os
from dataclasses import dataclass, field

from .blurb import Blurb, blurb_from_field, first_sentence
from .config import Config
from .data import CollectionSpec, DataFile, EntryName, GroupSpec, SectionSpec, slug_of


@dataclass
class Entry:
    article: object  # the post (a Pelican Article)
    topics: list[str]  # the `Topics:` field, split at commas: shown as "infinite limits · lazy/rich"
    blurb: str  # HTML: the `Blurb:` field escaped, or the summary's first sentence (formulas typeset)
    blurb_has_math: bool


@dataclass
class Group:
    title: str
    slug: str  # the group's anchor is "<section slug>-<group slug>"
    intro: str
    entries: list[Entry] = field(default_factory=list)


@dataclass
class Section:
    title: str
    slug: str  # the section's anchor on the collection page
    emoji: str
    intro: str
    entries: list[Entry] = field(default_factory=list)  # the section's own, before its groups
    groups: list[Group] = field(default_factory=list)


@dataclass
class Collection:
    slug: str
    title: str
    intro: str
    home: bool
    url: str
    save_as: str
    menu: str | None
    sections: list[Section] = field(default_factory=list)
    has_math: bool = False  # some blurb has a formula: the page links KaTeX's stylesheet


@dataclass
class _Place:
    """Where a post can join: a section, or a group of it."""

    collection: CollectionSpec
    section: SectionSpec
    group: GroupSpec | None = None

    def label(self) -> str:
        return self.section.title + (f" / {self.group.title}" if self.group else "")


def field_line(article, name: str) -> int:
    return article.metadata.get("front_matter_lines", {}).get(name, 1)


def where(article, name: str) -> str:
    return f"{os.path.relpath(article.source_path)}:{field_line(article, name)}"


def addresses(data: DataFile) -> dict[tuple[str, ...], list[_Place]]:
    """Every way a `Collection:` value can name a place, as slugs: section, collection/section,
    section/group, collection/section/group."""
    found: dict[tuple[str, ...], list[_Place]] = {}
    for collection in data.collections:
        for section in collection.sections:
            place = _Place(collection, section)
            for address in [(section.slug,), (collection.slug, section.slug)]:
                found.setdefault(address, []).append(place)
            for group in section.groups:
                place = _Place(collection, section, group)
                for address in [(section.slug, group.slug), (collection.slug, section.slug, group.slug)]:
                    found.setdefault(address, []).append(place)
    return found


def topics_of(article) -> list[str]:
    value = article.metadata.get("topics", "")
    if isinstance(value, list):
        value = ",".join(value)
    return [topic.strip() for topic in value.split(",") if topic.strip()]


def blurb_of(article) -> Blurb:
    value = article.metadata.get("blurb")
    if value:
        return blurb_from_field(value if isinstance(value, str) else " ".join(value))
    return first_sentence(getattr(article, "summary", "") or "")


class Joiner:
    """Places the posts of one build in the collections of `data`."""

    def __init__(self, data: DataFile, config: Config, content_path: str):
        self.data = data
        self.config = config
        self.content_path = content_path
        self.data_where = os.path.relpath(config.data_path)
        self.problems: list[str] = []
        self.warnings: list[str] = []
        self._addresses = addresses(data)
        self._entries: dict[int, Entry] = {}  # by id(article): blurbs are computed once per post
        # (collection slug, section slug, group slug or "") -> the posts placed there, in order
        self._placed: dict[tuple[str, str, str], list] = {}
        self._placed_in: dict[tuple[str, int], str] = {}  # (collection slug, id(article)) -> label

    def join(self, published: list, drafts: list) -> list[Collection]:
        by_name = self._posts_by_name(published, drafts)
        for collection in self.data.collections:
            for section in collection.sections:
                self._place_named(_Place(collection, section), section.entries, by_name)
                for group in section.groups:
                    self._place_named(_Place(collection, section, group), group.entries, by_name)
        newest_first = sorted(published, key=lambda a: a.date, reverse=True)
        for article in newest_first:
            self._place_by_field(article, publish=True)
        for article in drafts:  # checked, never listed
            self._place_by_field(article, publish=False)
        return [self._collection(spec) for spec in self.data.collections]

    # --- The data file's `entries` ---------------------------------------------------------------
    def _posts_by_name(self, published: list, drafts: list) -> dict[str, object]:
        """Each post by its slug and by its path under the content folder (drafts map to None)."""
        names = {}
        for article, value in [(a, None) for a in drafts] + [(a, a) for a in published]:
            names[article.slug] = value
            names[os.path.relpath(article.source_path, self.content_path).replace(os.sep, "/")] = value
        return names

    def _place_named(self, place: _Place, entries: list[EntryName], by_name: dict) -> None:
        for entry in entries:
            if entry.name not in by_name:
                self.problems.append(
                    f"{self.data_where}:{entry.line}: no post has the slug or path '{entry.name}' "
                    f"(listed in section '{place.label()}' of collection '{place.collection.slug}'); "
                    "write a post's slug or its path under the content folder, e.g. posts/my-post.md"
                )
            elif by_name[entry.name] is not None:  # a draft is named: listed once it is published
                self._put(by_name[entry.name], place, f"{self.data_where}:{entry.line}")

    # --- A post's `Collection:` field ---------------------------------------------------------------
    def _place_by_field(self, article, publish: bool) -> None:
        value = article.metadata.get("collection")
        if not value:
            return
        value = value if isinstance(value, str) else " / ".join(value)
        address = tuple(slug_of(part) for part in value.split("/"))
        places = self._addresses.get(address, [])
        if not places:
            self.problems.append(
                f"{where(article, 'collection')}: Collection: '{value}' names no section of {self.data_where}; "
                f"known: {self._known_places()}"
            )
        elif len(places) > 1:
            self.problems.append(
                f"{where(article, 'collection')}: Collection: '{value}' is ambiguous: it is a section of "
                f"{', '.join(sorted(p.collection.slug for p in places))}; "
                f"write 'Collection: {places[0].collection.slug} / {value}'"
            )
        elif publish:
            self._put(article, places[0], where(article, "collection"))

    def _known_places(self) -> str:
        labels = []
        for collection in self.data.collections:
            for section in collection.sections:
                labels.append(section.title)
                labels += [f"{section.title} / {group.title}" for group in section.groups]
        return ", ".join(labels) or "(the data file has no sections)"

    def _put(self, article, place: _Place, source: str) -> None:
        key = (place.collection.slug, id(article))
        label = place.label()
        if key in self._placed_in:
            if self._placed_in[key] != label:
                self.problems.append(
                    f"{source}: '{article.slug}' is in '{self._placed_in[key]}' of collection "
                    f"'{place.collection.slug}' already; a post appears once in a collection"
                )
            elif source.startswith(self.data_where):
                self.problems.append(f"{source}: '{article.slug}' is listed twice in '{label}'")
            return
        self._placed_in[key] = label
        spot = (place.collection.slug, place.section.slug, place.group.slug if place.group else "")
        self._placed.setdefault(spot, []).append(article)

    # --- What templates show ------------------------------------------------------------------------
    def _entry(self, article) -> Entry:
        if id(article) not in self._entries:
            if any(sign in str(article.metadata.get("blurb", "")) for sign in ("$", "\\(")):
                self.warnings.append(
                    f"{where(article, 'blurb')}: Blurb: is plain text, its math is shown as typed; "
                    "leave Blurb: out to use the summary's first sentence, formulas typeset"
                )
            blurb = blurb_of(article)
            self._entries[id(article)] = Entry(article, topics_of(article), blurb.html, blurb.has_math)
        return self._entries[id(article)]

    def _entries_at(self, *spot: str) -> list[Entry]:
        return [self._entry(article) for article in self._placed.get(spot, [])]

    def _collection(self, spec: CollectionSpec) -> Collection:
        url, save_as = self._location(spec)
        sections = [
            Section(
                title=section.title, slug=section.slug, emoji=section.emoji, intro=section.intro,
                entries=self._entries_at(spec.slug, section.slug, ""),
                groups=[
                    Group(group.title, group.slug, group.intro, self._entries_at(spec.slug, section.slug, group.slug))
                    for group in section.groups
                ],
            )
            for section in spec.sections
        ]
        has_math = any(
            entry.blurb_has_math
            for section in sections
            for entry in section.entries + [e for group in section.groups for e in group.entries]
        )
        return Collection(spec.slug, spec.title, spec.intro, spec.home, url, save_as, spec.menu, sections, has_math)

    def _location(self, spec: CollectionSpec) -> tuple[str, str]:
        if spec.home:
            return "", "index.html"
        if spec.url is not None:
            url = spec.url.lstrip("/")
            return url, (url + "index.html" if url.endswith("/") or not url else url)
        return self.config.location(spec.slug)
