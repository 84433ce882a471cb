"""Sets `section_number_prefix` as a series plugin would for part 3 (tests only)."""

from pelican import signals


def set_prefix(generator):
    for article in generator.articles:
        if article.slug == "sections-without-numbers":
            article.section_number_prefix = "3"


def register():
    signals.article_generator_finalized.connect(set_prefix)
