"""paper_elements: theorems, numbered figures and sections, cross-references. See plugins/README.md."""

from pelican import signals

from .plugin import finish_all_content, quiet_pelican_alt_warning, restore_pelican_alt_warning
from .settings import check_settings

FRONT_MATTER_KEYS = ("number_sections",)


def register():
    # Settings mistakes are named before any body is rendered.
    signals.initialized.connect(check_settings)
    # Pelican warns about empty alt text while reading, without the line; this plugin warns with it.
    signals.initialized.connect(quiet_pelican_alt_warning)
    signals.finalized.connect(restore_pelican_alt_warning)
    # Once every generator has read its content and every plugin has set its attributes (a series
    # sets `section_number_prefix` in article_generator_finalized), before anything is written.
    signals.all_generators_finalized.connect(finish_all_content)
