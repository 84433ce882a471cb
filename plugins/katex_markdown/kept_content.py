"""Content objects kept between the builds of one process, so a rebuild reads only changed files.

The livereload server rebuilds in the same process on every save. Reading a post (its metadata,
dates, the content object and what plugins set on it when it is made) cost ~1 s of a 1,000-post
rebuild although one file changed. With `KEEP_CONTENT_BETWEEN_BUILDS` on (the dev server sets
it), Pelican's generators get each unchanged file's content object back from the last build
through their own cache hooks (`get_cached_data` / `cache_data`), restored to what it was when it
was read: attributes plugins set later in a build (series, neighbours, citations) are dropped and
set afresh by the same plugins.

A kept object is used again only while its file (mtime and size), the files its body was made from,
the settings and the functions that run while a file is read (a plugin's new code) are the same. A file whose reading logged a warning or an error is read again on
every build, so its messages are shown every time.
"""

import logging
import os
import weakref
from dataclasses import dataclass
from functools import partial

from pelican import signals

from .pipeline import input_digests
from .reader import body_inputs


@dataclass
class _Kept:
    stamp: tuple
    inputs: dict  # the files the body was made from, by digest
    content: object
    attributes: dict  # the object's attributes just after it was read


class _MessageCounter(logging.Handler):
    """Counts warnings and errors, to tell whether reading a file logged any."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record):
        self.count += 1


_counter = _MessageCounter()
_shelves: dict[str, dict[str, _Kept]] = {}  # by generator class, then source path
_settings_seen: list = [None]
_readers_seen: list = []  # the functions that shaped the kept objects, held so their ids stay theirs
# Signals sent while a file is read and its content object made.
_READING_SIGNALS = ("readers_init", "article_generator_preread", "page_generator_preread",
                    "article_generator_context", "page_generator_context", "content_object_init")


def keep_content(generator) -> None:
    """Give `generator` (articles or pages) the content objects of the last build."""
    if not generator.settings.get("KEEP_CONTENT_BETWEEN_BUILDS"):
        return
    signature, readers = _signature(generator.settings), _reading_functions()
    if signature != _settings_seen[0] or not _same_objects(readers, _readers_seen):
        _shelves.clear()
        _settings_seen[0] = signature
        _readers_seen[:] = readers
    if _counter not in logging.getLogger().handlers:
        logging.getLogger().addHandler(_counter)
    shelf = _shelves.setdefault(type(generator).__name__, {})
    reading = {}
    generator.get_cached_data = partial(_take, shelf, generator, reading)
    generator.cache_data = partial(_keep, shelf, generator, reading)


def _take(shelf, generator, reading, filename, default=None):
    path = os.path.abspath(os.path.join(generator.path, filename))
    kept = shelf.get(path)
    if kept is None or kept.stamp != _stamp(path) or input_digests(kept.inputs) != kept.inputs:
        reading[path] = _counter.count  # Pelican reads it now; see `_keep`
        return default
    kept.content.__dict__.clear()
    kept.content.__dict__.update(_copied(kept.attributes))
    kept.content._context = generator.context
    kept.content.settings = generator.settings
    return kept.content


def _keep(shelf, generator, reading, filename, content) -> None:
    path = os.path.abspath(os.path.join(generator.path, filename))
    inputs = body_inputs(path)
    if inputs is None or reading.pop(path, None) != _counter.count:
        shelf.pop(path, None)  # not ours to keep, or its reading said something: read it again
        return
    shelf[path] = _Kept(_stamp(path), inputs, content, _copied(vars(content)))


def _reading_functions() -> list:
    """Every receiver of the signals sent while a file is read (plugins reconnect each build; a
    plugin whose code changed is imported again, so its functions are new objects)."""
    found = []
    for name in _READING_SIGNALS:
        for receiver in getattr(signals, name).receivers.values():
            found.append(receiver() if isinstance(receiver, weakref.ref) else receiver)
    return found


def _same_objects(left: list, right: list) -> bool:
    return len(left) == len(right) and all(a is b for a, b in zip(left, right))


def _stamp(path: str) -> tuple:
    try:
        status = os.stat(path)
    except OSError:
        return ()
    return status.st_mtime_ns, status.st_size


def _copied(attributes: dict) -> dict:
    """The attributes with their lists, dicts and sets copied: plugins edit those in place."""
    return {name: value.copy() if type(value) in (list, dict, set) else value for name, value in attributes.items()}


def _signature(value):
    """A comparable stand-in for the settings: functions (Jinja filters) by their code, since
    reading the settings file again makes new function objects with the same code."""
    if isinstance(value, dict):
        return tuple(sorted((str(key), _signature(item)) for key, item in value.items()))
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [_signature(item) for item in value]
        return (type(value).__name__, tuple(sorted(items, key=repr) if isinstance(value, (set, frozenset)) else items))
    code = getattr(value, "__code__", None)
    if code is not None:
        return (getattr(value, "__module__", ""), getattr(value, "__qualname__", ""), code.co_code, code.co_consts)
    if callable(value) or " at 0x" in repr(value):
        return (type(value).__qualname__, getattr(value, "__qualname__", getattr(value, "__name__", "")))
    return value
