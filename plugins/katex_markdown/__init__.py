"""katex_markdown: the Markdown reader, with math typeset by KaTeX at build time. See plugins/README.md."""

from pelican import signals

from .assets import publish_katex_assets, publish_katex_styles
from .kept_content import keep_content, save_kept
from .reader import end_build, expand_math_on_access, start_build, use_reader


def register():
    signals.initialized.connect(start_build)
    signals.readers_init.connect(use_reader)
    signals.content_object_init.connect(expand_math_on_access)
    # generator_init: the shared template context exists before any page is queued.
    signals.generator_init.connect(publish_katex_styles)
    # As each content generator is made: hand it the unchanged content objects of the last build.
    signals.article_generator_init.connect(keep_content)
    signals.page_generator_init.connect(keep_content)
    # At the end: the fonts are subset to the characters of every formula the build rendered.
    signals.finalized.connect(publish_katex_assets)
    signals.finalized.connect(save_kept)  # before end_build closes the cache
    # Per-build state goes at the end of each build, so a livereload server starts the next one clean.
    signals.finalized.connect(end_build)
