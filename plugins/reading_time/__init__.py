"""reading_time: `article.reading_time`, whole minutes (at least 1). See plugins/README.md."""

from pelican import signals

from .minutes import set_reading_time


def register():
    signals.content_object_init.connect(set_reading_time)
