"""collection_page: curated collections of posts in sections, from one TOML data file. See plugins/README.md."""

from pelican import signals

from .pages import check_settings, join_collections, provide_generator

FRONT_MATTER_KEYS = ("collection", "topics", "blurb")


def register():
    signals.initialized.connect(check_settings)
    # Once every post is read, before anything is written: the posts join the collections, and a
    # home collection moves the post list (Pelican reads INDEX_SAVE_AS only when it writes it).
    signals.article_generator_finalized.connect(join_collections)
    signals.get_generators.connect(provide_generator)
