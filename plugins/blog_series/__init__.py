"""blog_series: posts in series, a page per series, numbered sections, `{series}` references and
companion posts. See plugins/README.md."""

from pelican import signals

from .build import build_series, resolve_page_references
from .pages import series_pages_generator
from .settings import apply_defaults

# Front-matter keys this plugin reads (posts; `number_sections` in series description files).
FRONT_MATTER_KEYS = ("series", "series_index", "companion", "number_sections")


def register():
    # Series URLs are formatted from the settings, so the defaults go in before anything is read.
    signals.initialized.connect(apply_defaults)
    # Once every article is read (before pages): parts, numbering, companions, references.
    signals.article_generator_finalized.connect(build_series)
    signals.page_generator_finalized.connect(resolve_page_references)
    signals.get_generators.connect(series_pages_generator)
