"""related_reading: `article.related_posts`, by shared tags and series. See plugins/README.md."""

from pelican import signals

from .attach import attach_related_posts


def register():
    # Once every post is read and its tags are final (tag_index merges spellings before this).
    signals.article_generator_finalized.connect(attach_related_posts)
