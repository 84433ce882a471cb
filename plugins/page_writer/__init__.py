"""page_writer: re-render only pages whose inputs changed; write only bytes that changed.

See plugins/README.md for the contract this relies on.
"""

from pelican import signals

from .writer import provide_writer, save_records


def register():
    signals.get_writer.connect(provide_writer)
    # After every generator has asked for its pages: render them (in parallel), then keep what
    # each page was made from, for the next build.
    signals.finalized.connect(save_records)
