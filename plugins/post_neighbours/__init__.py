"""post_neighbours: previous and next post on every post, within a journal section for its posts.
See plugins/README.md."""

from pelican import signals

from .neighbours import set_neighbours


def register():
    # Once every post is read (and journal_sections has marked its posts as they were read).
    signals.article_generator_finalized.connect(set_neighbours)
