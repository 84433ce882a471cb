"""The Pelican side: posts join sections, a section's posts leave the main list if it says so,
and each section gets its page (paginated like the index) and, in production, its feeds."""

import logging
import os
from dataclasses import replace
from itertools import chain

from pelican.contents import Article
from pelican.generators import Generator

from .config import Section, find_section, read_sections

logger = logging.getLogger(__name__)
CONTEXT_KEY = "journal_sections"


def check_settings(pelican) -> None:
    for problem in read_sections(pelican.settings)[1]:
        logger.error("%s", problem)


def assign_section(content) -> None:
    """`article.journal_section` (a SectionRef) for a post with a `Section:` field."""
    value = content.metadata.get("section")
    if not value or not isinstance(content, Article):
        return
    sections, _ = read_sections(content.settings)
    found = find_section(sections, str(value))
    if found is None:
        line = content.metadata.get("front_matter_lines", {}).get("section", 1)
        known = ", ".join(f"{s.slug} ({s.title})" for s in sections.values()) or "none: JOURNAL_SECTIONS is empty"
        logger.error("%s:%d: Section: '%s' is no section; known: %s (JOURNAL_SECTIONS in pelicanconf.py)",
                     os.path.relpath(content.source_path), line, value, known)
        return
    content.journal_section = found.ref


def _feeds_written(settings: dict) -> bool:
    """Like Pelican's own feeds in this project: only with an absolute address (publishconf.py)."""
    return str(settings.get("FEED_DOMAIN") or settings.get("SITEURL") or "").startswith(("http://", "https://"))


def collect_sections(generator) -> None:
    """Each section with its posts, newest first; posts of sections kept out of the main list leave
    it (they stay in tags and archives, and their pages are still written)."""
    configs, _ = read_sections(generator.settings)
    published = [a for a in chain(generator.articles, generator.hidden_articles) if a.status == "published"]
    newest_first = sorted(published, key=lambda a: a.date, reverse=True)
    feeds = _feeds_written(generator.settings)
    sections = [
        replace(
            config, posts=[a for a in newest_first if _slug(a) == config.slug],
            feed_atom=config.feed_atom if feeds else None, feed_rss=config.feed_rss if feeds else None,
        )
        for config in configs.values()
    ]
    kept_out = {s.slug for s in sections if not s.in_main_list}
    if kept_out:
        leaving = [a for a in generator.articles if _slug(a) in kept_out]
        # In place: the context's "articles" is this same list.
        generator.articles[:] = [a for a in generator.articles if _slug(a) not in kept_out]
        generator.hidden_articles.extend(leaving)
    generator.context[CONTEXT_KEY] = sections


def _slug(article) -> str | None:
    section = getattr(article, "journal_section", None)
    return section.slug if section else None


class JournalSectionsGenerator(Generator):
    """A page per section (template `section.html`, paginated when PAGINATED_TEMPLATES has
    "section") and its Atom and RSS feeds."""

    def generate_output(self, writer) -> None:
        template = self.get_template("section")
        for section in self.context.get(CONTEXT_KEY, []):
            writer.write_file(
                section.save_as, template, self.context, self.settings["RELATIVE_URLS"],
                template_name="section", url=section.url,
                section=section, articles=section.posts,
            )
            if section.feed_atom:
                writer.write_feed(section.posts, self.context, section.feed_atom, feed_title=section.title)
            if section.feed_rss:
                writer.write_feed(section.posts, self.context, section.feed_rss, feed_type="rss",
                                  feed_title=section.title)


def provide_generator(pelican):
    return JournalSectionsGenerator
