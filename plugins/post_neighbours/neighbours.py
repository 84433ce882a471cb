"""Previous and next post for every published post, by date, within its stream: a journal
section's posts among themselves (`journal_section`, set by journal_sections), the others
among the others."""

from itertools import chain


def stream_of(article) -> str:
    section = getattr(article, "journal_section", None)
    return section.slug if section else ""


def set_neighbours(generator) -> None:
    """`article.prev_article` (older) and `article.next_article` (newer), or None at either end."""
    published = [a for a in chain(generator.articles, generator.hidden_articles) if a.status == "published"]
    streams: dict[str, list] = {}
    for article in published:
        streams.setdefault(stream_of(article), []).append(article)
    for posts in streams.values():
        # Ties (two posts at one minute) are broken by path, so the order never depends on reading order.
        posts.sort(key=lambda a: (a.date, a.source_path))
        for position, article in enumerate(posts):
            article.prev_article = posts[position - 1] if position > 0 else None
            article.next_article = posts[position + 1] if position + 1 < len(posts) else None
