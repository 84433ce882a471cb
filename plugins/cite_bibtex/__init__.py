"""cite_bibtex: citations from .bib files, a References list and "Cite this post". See plugins/README.md."""

from pelican import signals

from .bib_files import provide_generator
from .posts import cite_in_articles, cite_in_pages

FRONT_MATTER_KEYS = ("citation", "citation_key", "citation_style", "citation_note", "bibliography")


def register():
    # Once every post is read (and before anything is written): the bibliography is read once for
    # the build, and per-post data needs the post's final URL and the site's settings.
    signals.article_generator_finalized.connect(cite_in_articles)
    signals.page_generator_finalized.connect(cite_in_pages)
    # The per-post and site-wide .bib files are pages of their own, written like Pelican's tag pages.
    signals.get_generators.connect(provide_generator)
