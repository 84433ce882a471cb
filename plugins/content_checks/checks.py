import logging
from collections import defaultdict

logger = logging.getLogger(__name__)

_CONTENT_LISTS = (
    "articles", "translations", "drafts", "drafts_translations", "hidden_articles",
    "hidden_translations", "pages", "hidden_pages", "draft_pages",
)


def all_content(generators):
    for generator in generators:
        for name in _CONTENT_LISTS:
            yield from getattr(generator, name, [])


def report_duplicate_urls(generators) -> None:
    """Two sources that would be written to one file: Pelican keeps one and only warns."""
    by_output = defaultdict(list)
    for content in all_content(generators):
        if content.save_as:
            by_output[content.save_as].append(content.relative_source_path)
    for save_as, sources in sorted(by_output.items()):
        if len(sources) > 1:
            logger.error(
                "duplicate slug: %s would all be written to %s; give each a distinct Slug:",
                ", ".join(f"{source}" for source in sorted(sources)),
                save_as,
            )
