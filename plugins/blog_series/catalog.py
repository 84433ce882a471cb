"""Every series of a build: parts gathered from `Series:`, put in order, numbered, described."""

import html
import logging
import os
from collections import defaultdict
from itertools import chain

from pelican.contents import Article
from pelican.utils import slugify

from .model import SectionTarget, Series, SeriesCatalog, SeriesPart
from .sections import Section, heading_numbers, sections_of
from .settings import parse_yes_no

logger = logging.getLogger(__name__)


def series_slug(name: str, settings: dict) -> str:
    """The series' slug: case-insensitive, whatever SLUGIFY_PRESERVE_CASE says about posts."""
    return slugify(
        name,
        regex_subs=settings.get("SLUG_REGEX_SUBSTITUTIONS", []),
        preserve_case=False,
        use_unicode=settings.get("SLUGIFY_USE_UNICODE", False),
    )


def where(content, field: str | None = None, line: int | None = None) -> str:
    """`content/posts/x.md:LINE` for messages; the line of a front-matter field when named."""
    if line is None:
        line = content.metadata.get("front_matter_lines", {}).get(field, 1) if field else 1
    return f"{os.path.relpath(content.source_path)}:{line}"


def display_title(content) -> str:
    """The title as HTML for headings and links: with its math typeset when it has any."""
    return getattr(content, "title_html", None) or content.title


def mark_math(content, html: str, flag: str = "has_math") -> None:
    """HTML shown on the content's page (a label, a title) may bring a typeset formula: the page
    then needs KaTeX's stylesheet."""
    if 'class="katex' in html and not content.metadata.get(flag):
        content.metadata[flag] = True
        setattr(content, flag, True)


def reference_label(section: Section, container_title: str) -> str:
    """"§ 3.4 Backpropagation of Deep Learning Foundations" (HTML; no number when unnumbered)."""
    number = f"{section.number} " if section.number else ""
    return f"§&nbsp;{number}{section.label} of {container_title}"


def _parts_by_series(generator) -> dict[str, list[Article]]:
    """Published posts with a `Series:` field, by series slug. Any other post loses the field's
    string as `article.series`, so that templates see a series only on its parts."""
    groups = defaultdict(list)
    for article in chain(generator.articles, generator.hidden_articles, generator.drafts):
        name = article.metadata.get("series")
        article.series = None
        if not name:
            continue
        slug = series_slug(name, generator.settings)
        if not slug:
            logger.error("%s: Series: %r has no letters or digits to make a URL from; rename it",
                         where(article, "series"), name)
        elif article.status == "published":
            groups[slug].append(article)
    _warn_about_draft_parts(generator.drafts, groups, generator.settings)
    return groups


def _warn_about_draft_parts(drafts, groups, settings) -> None:
    for draft in drafts:
        name = draft.metadata.get("series")
        published = groups.get(series_slug(name, settings)) if name else None
        if published:
            logger.warning(
                "%s: a draft part of series '%s', whose other %d part(s) are published: it is left "
                "out of the series until it is published",
                where(draft, "status" if "status" in draft.metadata.get("front_matter_lines", {}) else "series"),
                name, len(published),
            )


def _explicit_index(part: Article) -> int | None:
    value = part.metadata.get("series_index")
    if value is None:
        return None
    try:
        index = int(str(value).strip())
    except ValueError:
        index = 0
    if index < 1:
        logger.error("%s: Series_index: %r is not a whole number from 1 up", where(part, "series_index"), value)
        return None
    return index


def in_order(parts: list[Article], name: str) -> list[Article]:
    """Parts by `Series_index`, then those without one by date; duplicates are errors."""
    indexes = {id(part): _explicit_index(part) for part in parts}
    by_index = defaultdict(list)
    for part in sorted(parts, key=lambda p: p.source_path):
        if indexes[id(part)] is not None:
            by_index[indexes[id(part)]].append(part)
    for index, same in sorted(by_index.items()):
        for duplicate in same[1:]:
            logger.error(
                "%s: Series_index %d is already used by %s in series '%s'; give each part its own number",
                where(duplicate, "series_index"), index, os.path.relpath(same[0].source_path), name,
            )
    if by_index:
        for part in parts:
            if indexes[id(part)] is None and "series_index" not in part.metadata:
                logger.warning(
                    "%s: no Series_index, while other parts of series '%s' have one: it comes after them, by date",
                    where(part, "series"), name,
                )
    return sorted(parts, key=lambda p: (indexes[id(p)] is None, indexes[id(p)] or 0, p.date, p.source_path))


def description_files(generator) -> dict[str, str]:
    """{slug: path relative to PATH} of the files in SERIES_PATH that a reader can read."""
    folder = os.path.join(generator.path, generator.settings["SERIES_PATH"])
    if not os.path.isdir(folder):
        return {}
    extensions = set(generator.readers.extensions)
    found = {}
    for name in sorted(os.listdir(folder)):
        stem, extension = os.path.splitext(name)
        if extension.lstrip(".") in extensions:
            found[series_slug(stem, generator.settings)] = os.path.relpath(os.path.join(folder, name), generator.path)
    return found


def _read_description(generator, path: str) -> Series | None:
    try:
        return generator.readers.read_file(
            base_path=generator.path, path=path, content_class=Series, context=generator.context
        )
    except Exception as error:  # the reader has logged what it could; name the file regardless
        source = os.path.relpath(os.path.join(generator.path, path))
        logger.error("%s: cannot read this series description: %s", source, error)
        return None


def make_series(generator, slug: str, name: str, description: str | None) -> Series:
    """The Series for `slug`: read from its description file, or made from its name alone."""
    series = _read_description(generator, description) if description else None
    if series is None:
        series = Series("", {"title": html.escape(name)}, settings=generator.settings, context=generator.context)
    else:
        generator.add_source_path(series)  # `{filename}/series/<slug>.md` links to its page
    series.slug = slug
    series.name = name
    if not getattr(series, "title", None):
        series.title = html.escape(name)
    number_sections = parse_yes_no(series.metadata.get("number_sections", ""))
    if number_sections is None:
        logger.error("%s: Number_sections: %r is neither yes nor no",
                     where(series, "number_sections"), series.metadata.get("number_sections"))
    series.number_sections = bool(number_sections)
    return series


def part_sections(part: Article, number: int, numbered: bool) -> dict[str, Section]:
    """The part's headings by id, with their numbers when the series numbers its sections.

    paper_elements draws the numbers (it reads `section_number_prefix`, on every build, after
    every plugin has set its attributes); the labels of references need them now."""
    numbers = {}
    if numbered:
        part.section_number_prefix = str(number)
        numbers = heading_numbers(part._content or "", number)
    return sections_of(part.metadata.get("toc") or "", numbers)


def attach_parts(series: Series, parts: list[Article], catalog: SeriesCatalog) -> None:
    """`article.series` on each part, the number prefix of its sections, its sections indexed."""
    series.parts = parts
    headings = catalog.sections.setdefault(series.slug, {})
    for number, part in enumerate(parts, start=1):
        for anchor, section in part_sections(part, number, series.number_sections).items():
            target = SectionTarget(part, section, reference_label(section, display_title(series)))
            headings.setdefault(anchor, []).append(target)
        for shown in [series, *parts]:  # the part box shows every title
            mark_math(part, display_title(shown))
        part.series = SeriesPart(
            series=series, number=number, total=len(parts), parts=parts,
            previous=parts[number - 2] if number > 1 else None,
            next=parts[number] if number < len(parts) else None,
        )


def build_catalog(generator) -> SeriesCatalog:
    groups = _parts_by_series(generator)
    descriptions = description_files(generator)
    catalog = SeriesCatalog()
    for slug, parts in sorted(groups.items()):
        ordered = in_order(parts, parts[0].metadata["series"])
        series = make_series(generator, slug, ordered[0].metadata["series"], descriptions.get(slug))
        attach_parts(series, ordered, catalog)
        catalog.by_slug[slug] = series
    for slug, path in descriptions.items():
        if slug not in groups:
            logger.warning(
                "%s:1: no published post has this series (a post joins with `Series: <name>` where "
                "the name's slug is '%s'); its page is not built",
                os.path.relpath(os.path.join(generator.path, path)), slug,
            )
    newest_first = sorted(catalog.by_slug.values(), key=lambda s: s.slug)
    catalog.series = sorted(newest_first, key=lambda s: max(p.date for p in s.parts), reverse=True)
    return catalog
