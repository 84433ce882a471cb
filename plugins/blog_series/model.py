"""What the plugin gives templates: a Series (a content object with its own page), the part
attribute each post of a series gets, and the two ends of a companion link."""

from __future__ import annotations

from dataclasses import dataclass, field

from pelican.contents import Article, Content

from .sections import Section


class Series(Content):
    """A series: its page (SERIES_URL / SERIES_SAVE_AS with {slug}), its title and description
    (from content/<SERIES_PATH>/<slug>.md when there is one) and its parts, in order.

    Plugin attributes: `name` (as posts spell it), `parts` (articles, in order),
    `number_sections` (bool), `latest` (date of the newest part).
    """

    mandatory_properties = ("title",)
    default_template = "series"


@dataclass(eq=False)
class SeriesPart:
    """`article.series` on a published part: "Part {number} of {total} in {series.title}"."""

    series: Series
    number: int  # 1-based position in the series
    total: int
    parts: list[Article]  # every part, in order (the current one is parts[number - 1])
    previous: Article | None
    next: Article | None


@dataclass(eq=False)
class CompanionLink:
    """One end of a companion link; `post` is the other end.

    On the post that names a companion (`article.companion`): `post` is the post it accompanies,
    `anchor` the section it is about ("" for the whole post) and `section` that section's label
    ("§ 3.4 Backpropagation of Deep Learning Foundations", HTML; "" for the whole post).
    On the post it accompanies (each of `article.companions`): `post` is the companion post, and
    `anchor` and `section` the same section of this post.
    """

    post: Article
    anchor: str
    section: str

    @property
    def url(self) -> str:
        """The link to the post's section, relative to SITEURL."""
        return f"{self.post.url}#{self.anchor}" if self.anchor else self.post.url


@dataclass
class SectionTarget:
    """A heading that a reference or a companion can point to."""

    part: Article
    section: Section
    label: str  # "§ 3.4 Heading of Series title" (HTML)


@dataclass
class SeriesCatalog:
    """Every series of the build, for lookups by slug and by heading id (kept in the context)."""

    series: list[Series] = field(default_factory=list)  # newest part first
    by_slug: dict[str, Series] = field(default_factory=dict)
    # series slug -> heading id -> the headings with that id (two parts may share one)
    sections: dict[str, dict[str, list[SectionTarget]]] = field(default_factory=dict)
