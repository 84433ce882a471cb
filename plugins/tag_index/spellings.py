"""One tag per slug: every spelling of a tag ("Deep Learning", "deep learning", "deep-learning")
becomes the spelling of the post that used it first, and posts agree on one Tag object."""

import logging
import os
from itertools import chain

from pelican.urlwrappers import Tag
from pelican.utils import slugify

logger = logging.getLogger(__name__)


def tag_key(name: str, settings: dict) -> str:
    """The slug that says whether two spellings are one tag: case-insensitive in any case."""
    return slugify(
        name,
        regex_subs=settings.get("TAG_REGEX_SUBSTITUTIONS", settings.get("SLUG_REGEX_SUBSTITUTIONS", [])),
        preserve_case=False,
        use_unicode=settings.get("SLUGIFY_USE_UNICODE", False),
    )


def _where(article) -> str:
    line = article.metadata.get("front_matter_lines", {}).get("tags", 1)
    return f"{os.path.relpath(article.source_path)}:{line}"


def _first_use_order(generator) -> list:
    """Published and hidden posts oldest first (their spellings win), then drafts."""
    public = sorted(chain(generator.articles, generator.hidden_articles), key=lambda a: (a.date, a.source_path))
    return public + sorted(generator.drafts, key=lambda a: (a.date, a.source_path))


def merge_spellings(generator) -> None:
    """Gives every post the first spelling of each of its tags; drops tags with no slug (an error)."""
    settings = generator.settings
    canonical: dict[str, tuple[Tag, object]] = {}  # key -> (the tag, the post that spelled it first)
    keys: dict[str, str] = {}  # spelling -> key: a site has few spellings and many tagged posts
    for article in _first_use_order(generator):
        tags = []
        for tag in getattr(article, "tags", None) or []:
            if tag.name not in keys:
                keys[tag.name] = tag_key(tag.name, settings)
            key = keys[tag.name]
            if not key:
                logger.error("%s: Tags: %r has no letters or digits to make a URL from; rename it",
                             _where(article), tag.name)
                continue
            first, first_post = canonical.setdefault(key, (tag, article))
            if first.name != tag.name:
                logger.warning(
                    "%s: tag '%s' is spelled '%s' in %s, which used it first; it is shown that way "
                    "everywhere: use one spelling",
                    _where(article), tag.name, first.name, os.path.relpath(first_post.source_path),
                )
            if first not in tags:
                tags.append(first)
        if "tags" in article.metadata or tags:
            article.tags = article.metadata["tags"] = tags
