"""JOURNAL_SECTIONS, read with documented defaults; unknown keys are named (see plugins/README.md)."""

from dataclasses import dataclass, field

SECTION_DEFAULTS = {
    "title": None,  # required: the section's heading, e.g. "Learning Journal"
    "description": "",  # one line under the heading, and the page's meta description
    "url": "{slug}/",
    "save_as": "{slug}/index.html",
    "in_main_list": True,  # False: its posts are left out of the post list and the all-posts feed
    "feed_atom": "feeds/{slug}.atom.xml",  # written when FEED_DOMAIN (or SITEURL) is absolute; None: none
    "feed_rss": "feeds/{slug}.rss.xml",
}


@dataclass(frozen=True)
class SectionRef:
    """What a post knows of its section (`article.journal_section`)."""

    slug: str
    title: str
    url: str


@dataclass
class Section:
    """A section as configured, and as templates see it once it has its posts (`section` on its
    page, the list `journal_sections`)."""

    slug: str
    title: str
    description: str
    url: str
    save_as: str
    in_main_list: bool
    feed_atom: str | None  # path (and URL under FEED_DOMAIN) of its feed; None when none is written
    feed_rss: str | None
    posts: list = field(default_factory=list)  # newest first

    @property
    def ref(self) -> SectionRef:
        return SectionRef(self.slug, self.title, self.url)


def read_sections(settings: dict) -> tuple[dict[str, Section], list[str]]:
    """(sections by slug, problems with the setting)."""
    sections, problems = {}, []
    raw = settings.get("JOURNAL_SECTIONS") or {}
    if not isinstance(raw, dict):
        return {}, ["JOURNAL_SECTIONS must be a dict: {\"journal\": {\"title\": \"Journal\", ...}}"]
    for slug, options in raw.items():
        if not isinstance(options, dict):
            problems.append(f"JOURNAL_SECTIONS[{slug!r}] must be a dict of options")
            continue
        unknown = sorted(set(options) - set(SECTION_DEFAULTS))
        if unknown:
            problems.append(f"JOURNAL_SECTIONS[{slug!r}] has unknown key(s) {', '.join(unknown)}; "
                            f"known: {', '.join(SECTION_DEFAULTS)}")
        values = {**SECTION_DEFAULTS, **options}
        if not values["title"]:
            problems.append(f"JOURNAL_SECTIONS[{slug!r}] needs a title")
        sections[slug] = Section(
            slug=slug, title=values["title"] or slug, description=values["description"],
            url=values["url"].format(slug=slug), save_as=values["save_as"].format(slug=slug),
            in_main_list=bool(values["in_main_list"]),
            feed_atom=values["feed_atom"].format(slug=slug) if values["feed_atom"] else None,
            feed_rss=values["feed_rss"].format(slug=slug) if values["feed_rss"] else None,
        )
    return sections, problems


def find_section(sections: dict[str, Section], value: str) -> Section | None:
    """A `Section:` value names a section by its key or its title, in any case."""
    wanted = value.strip().casefold()
    return next((s for s in sections.values() if wanted in (s.slug.casefold(), s.title.casefold())), None)
