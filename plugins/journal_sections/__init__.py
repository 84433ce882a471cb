"""journal_sections: streams of posts (a journal) with their own title, page and feed. See plugins/README.md."""

from pelican import signals

from .sections import assign_section, check_settings, collect_sections, provide_generator

FRONT_MATTER_KEYS = ("section",)


def register():
    signals.initialized.connect(check_settings)
    # Per post, as it is read: other plugins (post_neighbours) find `journal_section` on every post.
    signals.content_object_init.connect(assign_section)
    # Once every post is read: the sections' lists, and posts leave the main list before it is written.
    signals.article_generator_finalized.connect(collect_sections)
    signals.get_generators.connect(provide_generator)
