"""`article.related_posts` on every post, from the published ones."""

import logging
from itertools import chain

from pelican.utils import slugify

from .scoring import Candidate, related

logger = logging.getLogger(__name__)

DEFAULTS = {
    "count": 3,  # related posts shown under a post, at most
    "series_weight": 1,  # what being in the same series adds to the score (a shared tag adds 1)
}


def read_options(settings: dict) -> dict:
    options = dict(settings.get("RELATED_READING", {}))
    unknown = sorted(set(options) - set(DEFAULTS))
    if unknown:
        logger.error("RELATED_READING has unknown key(s) %s; known: %s", ", ".join(unknown), ", ".join(DEFAULTS))
    return {**DEFAULTS, **{key: value for key, value in options.items() if key in DEFAULTS}}


def _candidate(article, settings) -> Candidate:
    series = article.metadata.get("series") or ""
    return Candidate(
        key=id(article),
        tags=frozenset(tag.slug for tag in getattr(article, "tags", None) or []),
        series=slugify(series, regex_subs=settings.get("SLUG_REGEX_SUBSTITUTIONS", [])) if series else "",
        order=(-article.date.timestamp(), article.source_path),
    )


def attach_related_posts(generator) -> None:
    """Related posts are published ones (also those a plugin keeps out of the main list, like a
    journal's); hidden posts and drafts show theirs too."""
    options = read_options(generator.settings)
    readers = list(chain(generator.articles, generator.hidden_articles, generator.drafts))
    by_key = {id(article): article for article in readers if article.status == "published"}
    candidates = {id(article): _candidate(article, generator.settings) for article in readers}
    scored = related(
        [candidates[key] for key in by_key],
        list(candidates.values()),
        options["count"],
        options["series_weight"],
    )
    for article in readers:
        article.related_posts = [by_key[key] for key in scored[id(article)]]
        if any(getattr(post, "title_has_math", False) for post in article.related_posts):
            # A title with a formula is shown typeset: the page needs KaTeX's stylesheet.
            article.has_math = article.metadata["has_math"] = True
