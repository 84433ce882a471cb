"""tag_index: one tag however it is spelled, and the tags index with counts and cloud weights.
See plugins/README.md."""

from pelican import signals

from .listing import publish_index
from .spellings import merge_spellings


def register():
    # Before Pelican groups posts by tag: the groups are then made of one Tag object per slug.
    signals.article_generator_pretaxonomy.connect(merge_spellings)
    signals.article_generator_finalized.connect(publish_index)
