"""The benchmark's baseline: plain Pelican 4.12 set up the way a typical math blog would be.

Pelican's own Markdown reader, typogrify, pelican-render-math (its Markdown extension marks the
math up and MathJax typesets it in the browser), Pelican's default theme, and Pelican's content
cache on, as a real user would have it. `invoke bench` overrides PATH, OUTPUT_PATH and CACHE_PATH;
nothing else in the project reads this file.
"""

AUTHOR = "Ada Lindqvist"
SITENAME = "Proofs & Gradients (baseline)"
SITEURL = ""
RELATIVE_URLS = True
TIMEZONE = "Europe/Stockholm"
DEFAULT_LANG = "en"

PATH = "content"
ARTICLE_PATHS = ["posts"]
PAGE_PATHS = ["pages"]
THEME = "notmyidea"  # Pelican's default theme
DEFAULT_PAGINATION = 8  # as in the project's pelicanconf.py

# Feed generation is usually not desired when developing (pelican-quickstart's default).
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None

# Pelican's default Markdown settings plus a table of contents, as the project has one.
MARKDOWN = {
    "extension_configs": {
        "markdown.extensions.codehilite": {"css_class": "highlight"},
        "markdown.extensions.extra": {},
        "markdown.extensions.meta": {},
        "markdown.extensions.toc": {"permalink": "#"},
    },
    "output_format": "html5",
}

# --- pelican-render-math 1.0.5: MathJax in the browser; its defaults ------------------------------
PLUGINS = ["pelican.plugins.render_math"]
TYPOGRIFY = True  # render_math adds .math and <script> to TYPOGRIFY_IGNORE_TAGS itself

# --- Pelican's content cache, on: warm builds reuse what they read ---------------------------------
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
