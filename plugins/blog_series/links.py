"""Links into series: `{series}` references in bodies, and `Companion:` on both of its ends."""

import logging
import os
import posixpath

from pelican.contents import Article

from .catalog import display_title, mark_math, reference_label, where
from .model import CompanionLink, SeriesCatalog
from .references import PREFIX, Reference, Resolved, Unresolved, line_of, parse_companion, rewrite_series_links
from .sections import sections_of

logger = logging.getLogger(__name__)


class Resolver:
    """Resolves `{series}<slug>#<anchor>` against the build's catalog."""

    def __init__(self, catalog: SeriesCatalog):
        self.catalog = catalog

    def series(self, slug: str):
        series = self.catalog.by_slug.get(slug)
        if series is None:
            known = ", ".join(self.catalog.by_slug) or "none"
            raise Unresolved(f"no series '{slug}' (series of this site: {known})")
        return series

    def __call__(self, reference: Reference) -> Resolved:
        series = self.series(reference.slug)
        if not reference.anchor:
            if not series.source_path:
                raise Unresolved(
                    f"series '{reference.slug}' has no description file to link its page through; "
                    f"add one or link to a section with #<heading id>"
                )
            return Resolved(f"{{filename}}/{series.relative_source_path}", display_title(series))
        target = self.section(reference)
        return Resolved(f"{{filename}}/{target.part.relative_source_path}#{reference.anchor}", target.label)

    def section(self, reference: Reference):
        self.series(reference.slug)
        found = self.catalog.sections.get(reference.slug, {}).get(reference.anchor, [])
        if not found:
            raise Unresolved(f"no part of series '{reference.slug}' has a heading with the id '{reference.anchor}'")
        if len(found) > 1:
            parts = ", ".join(os.path.relpath(target.part.source_path) for target in found)
            raise Unresolved(
                f"the heading id '{reference.anchor}' is in several parts ({parts}); "
                "link to one part with {filename} instead"
            )
        return found[0]


def resolve_references(contents, resolver: Resolver) -> None:
    """Rewrites the `{series}` links of each content's body (linked) and summary (as text)."""
    for content in contents:
        body, problems = rewrite_series_links(content._content or "", resolver)
        content._content = body
        mark_math(content, body)
        summary = content.metadata.get("summary")
        if summary and PREFIX in summary:
            summary, more = rewrite_series_links(summary, resolver, linked=False)
            content.metadata["summary"] = content._summary = summary
            mark_math(content, summary, "summary_has_math")
            problems += more
        for reference, problem in dict(problems).items():  # once, though body and summary have it
            line = line_of(content.source_path, reference.written)
            logger.error("%s: %s: %s", where(content, line=line), reference.written, problem)


def _companion_target(article: Article, value, resolver: Resolver, context) -> CompanionLink:
    """Where `Companion:` points, as a link from `article`; raises Unresolved with the reason."""
    if value.kind == "series":
        if not value.anchor:
            raise Unresolved("name a section of the series: {series}" + value.path + "#<heading id>")
        target = resolver.section(Reference(value.path, value.anchor))
        return CompanionLink(target.part, value.anchor, target.label)
    path = value.path[1:] if value.path.startswith("/") else posixpath.normpath(
        posixpath.join(article.relative_dir, value.path))
    post = context["generated_content"].get(path)
    if not isinstance(post, Article):
        raise Unresolved(f"no post {path} under {os.path.relpath(article.settings['PATH'])}/")
    if post.status == "draft":
        raise Unresolved(f"{path} is a draft")
    if not value.anchor:
        return CompanionLink(post, "", "")
    section = sections_of(post.metadata.get("toc") or "", {}).get(value.anchor)
    if section is None:
        raise Unresolved(f"{path} has no heading with the id '{value.anchor}'")
    return CompanionLink(post, value.anchor, reference_label(section, display_title(post)))


def link_companions(articles, resolver: Resolver, context) -> None:
    """`article.companion` on each post with `Companion:`; `article.companions` on each post named."""
    for article in articles:
        article.companions = []
    for article in articles:
        value = article.metadata.get("companion")
        article.companion = None
        if not value:
            continue
        parsed = parse_companion(value)
        try:
            if parsed is None:
                raise Unresolved("write {series}<series>#<heading id> or {filename}/posts/<file>.md")
            link = _companion_target(article, parsed, resolver, context)
        except Unresolved as problem:
            logger.error("%s: Companion: %s: %s", where(article, "companion"), value, problem)
            continue
        article.companion = link
        mark_math(article, display_title(link.post))
        if article.status == "published":
            mark_math(link.post, display_title(article))
            link.post.companions.append(CompanionLink(article, link.anchor, link.section))
    for article in articles:
        article.companions.sort(key=lambda link: (link.post.date, link.post.source_path))
