"""Site settings for development builds. publishconf.py imports this and overrides for production.

Every setting this project adds is documented, with its default, in docs/settings.md.
"""

import os

PROJECT_ROOT = os.path.dirname(os.path.abspath(__file__))

# --- Identity: the theme hard-codes none of this ------------------------------------------------
AUTHOR = "Ada Lindqvist"
AUTHOR_EMAIL = "ada@example.org"
SITENAME = "Proofs & Gradients"
SITESUBTITLE = "Notes on mathematics, machine learning and code"
SITE_DESCRIPTION = "A notebook of derivations, deep dives and code, with math typeset at build time."
SITEURL = ""  # dev builds use relative URLs; publishconf.py sets the real one
RELATIVE_URLS = True
TIMEZONE = "Europe/Stockholm"
DEFAULT_LANG = "en"

# Paths relative to SITEURL, so the site works under a GitHub Pages project path too. The home
# collection (collection_page) adds itself first and moves "Posts" from "" to posts/.
MENUITEMS = (
    ("Posts", ""),
    ("Journal", "journal/"),
    ("Series", "series/"),
    ("Tags", "tags/"),
    ("Archives", "archives/"),
)
DISPLAY_PAGES_ON_MENU = True
SOCIAL = (
    ("GitHub", "https://github.com/ada-lindqvist"),
    ("Mastodon", "https://mathstodon.xyz/@ada"),
)

# --- Paths and URLs -------------------------------------------------------------------------------
PATH = "content"
ARTICLE_PATHS = ["posts"]
PAGE_PATHS = ["pages"]
STATIC_PATHS = ["images"]
THEME = "theme"
OUTPUT_PATH = "output"
CACHE_PATH = ".cache"

ARTICLE_URL = "posts/{slug}/"
ARTICLE_SAVE_AS = "posts/{slug}/index.html"
DRAFT_URL = "drafts/{slug}/"
DRAFT_SAVE_AS = "drafts/{slug}/index.html"
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"
TAG_URL = "tags/{slug}/"
TAG_SAVE_AS = "tags/{slug}/index.html"
TAGS_URL = "tags/"
TAGS_SAVE_AS = "tags/index.html"
ARCHIVES_URL = "archives/"
ARCHIVES_SAVE_AS = "archives/index.html"
YEAR_ARCHIVE_URL = "archives/{date:%Y}/"
YEAR_ARCHIVE_SAVE_AS = "archives/{date:%Y}/index.html"
# Posts are organised by tags (and series), not by Pelican's single category or by author.
DEFAULT_CATEGORY = "posts"
# With CATEGORY_SAVE_AS empty Pelican assigns no category, and its draft writer needs one.
DEFAULT_METADATA = {"category": DEFAULT_CATEGORY}
CATEGORY_SAVE_AS = ""
CATEGORIES_SAVE_AS = ""
AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
DIRECT_TEMPLATES = ["index", "tags", "archives", "404"]
PAGINATED_TEMPLATES = {"index": None, "tag": None, "section": None}
DEFAULT_PAGINATION = 8
PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/page/{number}/", "{base_name}/page/{number}/index.html"),
)

DEFAULT_DATE_FORMAT = "%B %-d, %Y"  # June 18, 2026
SUMMARY_MAX_LENGTH = 60

# Feeds are written by publishconf.py only: they need the absolute SITEURL.
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None

# Icons, paths relative to SITEURL (content/images/ is copied to images/). The PNGs are made from
# the SVG by `invoke icons`.
FAVICON = "theme/images/favicon.svg"  # in theme/static/images/: every site built with this theme has it
APPLE_TOUCH_ICON = "theme/images/apple-touch-icon.png"

# --- Templates --------------------------------------------------------------------------------------
# Autoescaping stays on: templates mark only pipeline-produced HTML (content, summary, toc, title) safe.
JINJA_ENVIRONMENT = {"trim_blocks": True, "lstrip_blocks": True, "autoescape": True}

# --- Plugins, in dependency order ---------------------------------------------------------------------
PLUGIN_PATHS = ["plugins"]
# journal_sections before post_neighbours: neighbours stay within a post's journal section.
# tag_index, blog_series and related_reading do not depend on each other's order: tag spellings
# are merged before Pelican groups posts by tag, ahead of every other handler.
PLUGINS = [
    "katex_markdown",
    "paper_elements",
    "reading_time",
    "cite_bibtex",
    "journal_sections",
    "post_neighbours",
    "collection_page",
    "tag_index",
    "blog_series",
    "related_reading",
    "responsive_images",
    "content_checks",
    "inline_theme_css",
    "page_writer",
    "feed_content",
    # After page_writer: the sitemap lists the pages page_writer reports on `finalized`.
    "site_seo",
]

# --- katex_markdown: the Markdown reader (math, code, typography; parallel and cached) ---------------
# Python-Markdown's own extensions; katex_markdown adds its math extension to these.
MARKDOWN = {
    "extensions": [
        "markdown.extensions.toc",
        "markdown.extensions.tables",
        "markdown.extensions.footnotes",
        "markdown.extensions.attr_list",
        "markdown.extensions.md_in_html",
        "markdown.extensions.admonition",
        "markdown.extensions.meta",
        "pymdownx.superfences",
        "pymdownx.highlight",
        "pymdownx.details",
        # paper_elements: theorem-like and figure blocks, `@label` references (plugins/README.md)
        "paper_elements.markdown_blocks",
    ],
    "extension_configs": {
        "markdown.extensions.toc": {
            "permalink": "#",
            "permalink_title": "Link to this section",
            "toc_depth": "2-4",
        },
        "markdown.extensions.footnotes": {"BACKLINK_TITLE": "Back to reference %d"},
        "pymdownx.highlight": {
            "css_class": "highlight",
            "pygments_lang_class": True,
            "linenums_style": "pymdownx-inline",
        },
        # "shared": Definition 1, Theorem 2, Lemma 3; "separate": Definition 1, Theorem 1, Lemma 1
        "paper_elements.markdown_blocks": {"theorem_counters": "shared"},
    },
    "output_format": "html5",
}
# Pelican's own typogrify pass runs after its cache on every build; katex_markdown typogrifies
# prose once per body instead, with math and code protected, and caches the result.
TYPOGRIFY = False
# KaTeX macros for every post; a post adds its own with `Macros: \name=expansion` lines.
KATEX_MACROS = {
    r"\R": r"\mathbb{R}",
    r"\E": r"\mathbb{E}",
    r"\softmax": r"\operatorname{softmax}",
}
KATEX_MARKDOWN = {
    "typogrify": True,
    "workers": None,  # None: one per CPU core; 1 renders serially in the build process
    "cache": True,
}

# --- cite_bibtex: citations from content/refs/*.bib, References, "Cite this post" ---------------------
CITE_BIBTEX = {
    "style": "numeric",  # or "author-year"; a post can say `Citation_style: author-year`
    # BibTeX entries and Scholar tags need an absolute URL; dev builds have SITEURL = "", so they
    # show this one (publishconf.py's SITEURL wins in publish builds).
    "siteurl": "https://example.github.io",
}

# --- journal_sections: streams of posts with their own page and feed (`Section: journal`) ----------
JOURNAL_SECTIONS = {
    "journal": {
        "title": "Learning Journal",
        "description": "Notes on AI/ML concepts, coding, and ideas, written down while they are still fresh.",
        "in_main_list": False,  # journal notes are not in the post list or the all-posts feed
    },
}

# --- collection_page: curated collections from content/collections.toml ---------------------------
# The data file defines each collection, its sections and which one is the home page (home = true);
# posts join with `Collection: Notes`, `Topics: ...` and `Blurb: ...`. With a home collection the
# date list of posts moves to COLLECTION_POSTS_URL.
COLLECTION_POSTS_URL = "posts/"

# --- responsive_images: content images as WebP/AVIF in several widths (srcset, sizes, width, height) -
# Originals are published as they are; an original over budgets.toml's [images] max_source_kb fails
# the build. The other keys and their defaults: plugins/README.md.
RESPONSIVE_IMAGES = {"budgets_file": os.path.join(PROJECT_ROOT, "budgets.toml")}

# --- site_seo: link previews, sitemap.xml, robots.txt, JSON-LD (absolute URLs: publish builds) ------
SITE_SEO = {
    "default_image": "images/card.png",  # og:image of pages without `Image:` (made by `invoke icons`)
    "sitemap_exclude": ("404.html",),
    "robots_txt": True,
}

# --- reading_time ---------------------------------------------------------------------------------
READING_TIME_WPM = 220

# --- tag_index: one tag however it is spelled; the tags index -------------------------------------
TAG_INDEX = {"cloud": False}  # True: tags/ shows a cloud weighted by post count

# --- blog_series: a page per series, the part box, numbered sections, {series} links ------------------
SERIES_URL = "series/{slug}/"
SERIES_SAVE_AS = "series/{slug}/index.html"
SERIES_INDEX_URL = "series/"
SERIES_INDEX_SAVE_AS = "series/index.html"
SERIES_PATH = "series"  # content/series/<slug>.md: a series' title, description, Number_sections

# --- related_reading: related posts under each post ---------------------------------------------------
RELATED_READING = {"count": 3, "series_weight": 1}

# Pelican's own content cache is keyed by mtime and would store Article objects; katex_markdown's
# cache is keyed by content hash and settings instead.
CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False
