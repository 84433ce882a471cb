"""page_writer: re-render only pages whose inputs changed; write only bytes that changed.

See plugins/README.md for the contract this relies on.
"""

from pelican import signals

from .template_cache import use_template_cache
from .writer import provide_writer, save_records


def register():
    signals.get_writer.connect(provide_writer)
    # Each generator's new Jinja environment: give it the compiled templates of earlier builds.
    signals.generator_init.connect(use_template_cache)
    # After every generator has asked for its pages: render them (in parallel), then keep what
    # each page was made from, for the next build.
    signals.finalized.connect(save_records)
