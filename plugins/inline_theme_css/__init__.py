"""inline_theme_css: the theme's stylesheets as text for `<style>` in each page's <head>, so no
stylesheet request stands between a page and its first paint. See plugins/README.md."""

from pelican import signals

from .styles import publish_theme_css


def register():
    # generator_init: the shared template context exists and no page has been queued yet; the
    # stylesheets are read once per build (livereload rebuilds after a CSS edit read them again).
    signals.generator_init.connect(publish_theme_css)
