"""feed_content: feed entries that read well in feed readers. See plugins/README.md."""

from pelican import signals

from .entries import end_build, finish_feed, start_build


def register():
    signals.initialized.connect(start_build)
    # Every feed, whoever writes it (Pelican's site and tag feeds, a plugin's series feed), passes
    # here once its items are made and before it is written: one place to finish them all.
    signals.feed_generated.connect(finish_feed)
    signals.finalized.connect(end_build)
