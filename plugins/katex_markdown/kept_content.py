"""Content objects kept between the builds of one process, so a rebuild reads only changed files.

The livereload server rebuilds in the same process on every save. Reading a post (its metadata,
dates, the content object and what plugins set on it when it is made) cost ~1 s of a 1,000-post
rebuild although one file changed. With `KEEP_CONTENT_BETWEEN_BUILDS` on (the default), Pelican's
generators get each unchanged file's content object back from the last build
through their own cache hooks (`get_cached_data` / `cache_data`), restored to what it was when it
was read: attributes plugins set later in a build (series, neighbours, citations) are dropped and
set afresh by the same plugins.

A kept object is used again only while its file (mtime and size), the files its body was made from,
the settings and the functions that run while a file is read (a plugin's new code) are the same.

Between processes (`invoke build` after an edit), the objects as read are kept in the cache
(katex_markdown.sqlite, table `kept`) under a signature of the settings, of the code of every
plugin that acts while a file is read, and of katex_markdown's own fingerprint; a new process
takes them from there instead of reading 1,000 unchanged files again. A row holds no formula HTML
(the body cache has it; see `pipeline.BodyMath`) and the characters those formulas draw, for the
font subsets. Only a cache: a row that does not load, or whose body is no longer in the cache, is
read again from its file. A file whose reading logged a warning or an error is read
again on every build, so its messages are shown every time.
"""

import hashlib
import io
import logging
import os
import pickle
import sys
import weakref
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from pelican import signals
from pelican.contents import Content

from . import reader
from .pipeline import BodyMath, input_digests
from .reader import body_inputs, drawn_characters, expand_math_on_access

logger = logging.getLogger(__name__)


@dataclass
class _Kept:
    stamp: tuple
    inputs: dict  # the files the body was made from, by digest
    content: object
    attributes: dict  # the object's attributes just after it was read
    characters: frozenset  # those its formulas draw, for the font subsets (see reader.build_characters)


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
_disk_signature: list = [""]  # what the rows in the cache must have been made under
_unsaved: set[tuple[str, str]] = set()  # (generator class, path) kept this build, not yet in the cache
# Not saved: the build's context and settings (given back by `_take`), the body accessors
# (`expand_math_on_access` makes them again).
_NOT_SAVED = frozenset({"_context", "settings", "get_content", "get_summary"})
# Signals sent while a file is read and its content object made.
_READING_SIGNALS = ("readers_init", "article_generator_preread", "page_generator_preread",
                    "article_generator_context", "page_generator_context", "content_object_init")


def keep_content(generator) -> None:
    """Give `generator` (articles or pages) the content objects of the last build."""
    if not generator.settings.get("KEEP_CONTENT_BETWEEN_BUILDS", True):
        return
    shaping = {key: value for key, value in generator.settings.items() if key != "KEEP_CONTENT_BETWEEN_BUILDS"}
    signature, readers = _signature(shaping), _reading_functions()
    if signature != _settings_seen[0] or not _same_objects(readers, _readers_seen):
        _shelves.clear()
        _unsaved.clear()
        _settings_seen[0] = signature
        _readers_seen[:] = readers
        _disk_signature[0] = _digest(signature, readers)
        _shelves.update(_load(generator.settings))  # every generator's, from a new process's cache
    if _counter not in logging.getLogger().handlers:
        logging.getLogger().addHandler(_counter)
    shelf = _shelves.setdefault(type(generator).__name__, {})
    if reader._build is not None:  # the renderer need not prepare bodies nobody will ask for
        reader._build.kept_paths.update(path for path, kept in shelf.items() if _current(path, kept))
    reading = {}
    generator.get_cached_data = partial(_take, shelf, generator, reading)
    generator.cache_data = partial(_keep, shelf, generator, reading)


def _take(shelf, generator, reading, filename, default=None):
    path = os.path.abspath(os.path.join(generator.path, filename))
    kept = shelf.get(path)
    if kept is None or not _current(path, kept):
        reading[path] = _counter.count  # Pelican reads it now; see `_keep`
        return default
    kept.content.__dict__.clear()
    kept.content.__dict__.update(_copied(kept.attributes))
    kept.content._context = generator.context
    kept.content.settings = generator.settings
    if reader._build is not None:  # its formulas count for the font subsets like those read
        reader._build.kept_characters.update(kept.characters)
        # and its body in the cache counts as used (Store.record_use), though no file was read
        reader._build.kept_body_keys.update(value.key for value in kept.attributes.values() if isinstance(value, BodyMath))
    return kept.content


def _keep(shelf, generator, reading, filename, content) -> None:
    path = os.path.abspath(os.path.join(generator.path, filename))
    inputs = body_inputs(path)
    if inputs is None or reading.pop(path, None) != _counter.count:
        shelf.pop(path, None)  # not ours to keep, or its reading said something: read it again
        return
    shelf[path] = _Kept(_stamp(path), inputs, content, _copied(vars(content)), drawn_characters(path))
    _unsaved.add((type(generator).__name__, path))


def _current(path: str, kept: _Kept) -> bool:
    return kept.stamp == _stamp(path) and input_digests(kept.inputs) == kept.inputs


# --- In the cache, between processes --------------------------------------------------------------

class _SettingsPickler(pickle.Pickler):
    """The settings (which Pelican's URL wrappers hold) as a name, the current ones put back on
    loading; a content object in what was read is not expected, and not saved."""

    def __init__(self, file, settings):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.settings = settings

    def persistent_id(self, value):
        if value is self.settings:
            return "settings"
        if isinstance(value, Content):
            raise pickle.PicklingError("refers to another content object")
        return None


class _SettingsUnpickler(pickle.Unpickler):
    def __init__(self, file, settings):
        super().__init__(file)
        self.settings = settings

    def persistent_load(self, pid):
        if pid != "settings":
            raise pickle.UnpicklingError(f"unknown reference {pid!r}")
        return self.settings


def save_kept(pelican) -> None:
    """Put this build's newly kept objects in the cache (in the background, with the bodies)."""
    if not _unsaved or reader._build is None:
        return
    rows = {}
    for name, path in sorted(_unsaved):
        kept = _shelves.get(name, {}).get(path)
        if kept is None:
            continue
        attributes = {key: value for key, value in kept.attributes.items() if key not in _NOT_SAVED}
        buffer = io.BytesIO()
        try:
            _SettingsPickler(buffer, pelican.settings).dump(
                (name, kept.stamp, kept.inputs, type(kept.content), attributes, kept.characters)
            )
        except Exception as error:  # unpicklable plugin data: this one is read again next time
            logger.debug("kept_content: %s not saved: %s", path, error)
            continue
        rows[path] = (_disk_signature[0], buffer.getvalue())
    _unsaved.clear()
    reader._build.store.put({}, {}, rows)


def _load(settings: dict) -> dict[str, dict[str, _Kept]]:
    """The objects kept in the cache under this signature, by generator class and path; not those
    whose formulas (see `BodyMath`) are no longer in the body cache."""
    if reader._build is None:
        return {}
    loaded = []
    for path, value in reader._build.store.get_kept(_disk_signature[0]).items():
        try:
            owner, stamp, inputs, cls, attributes, characters = _SettingsUnpickler(io.BytesIO(value), settings).load()
        except Exception:  # classes that are gone, damaged bytes: the file is read instead
            continue
        loaded.append((path, owner, stamp, inputs, cls, attributes, characters))
    math = [value for *_, attributes, _ in loaded for value in attributes.values() if isinstance(value, BodyMath)]
    bodies = reader._build.store.stored_body_keys(sorted({value.key for value in math}))
    shelves: dict[str, dict[str, _Kept]] = {}
    for path, owner, stamp, inputs, cls, attributes, characters in loaded:
        if any(isinstance(value, BodyMath) and value.key not in bodies for value in attributes.values()):
            continue
        content = cls.__new__(cls)
        content.__dict__.update(attributes)
        content.settings = settings
        expand_math_on_access(content)
        shelves.setdefault(owner, {})[path] = _Kept(stamp, inputs, content, _copied(vars(content)), characters)
    return shelves


def _digest(signature, readers: list) -> str:
    """The settings, the code of every package a reading function comes from, and katex_markdown's
    fingerprint (its code, KaTeX's version, the Markdown extensions' code)."""
    digest = hashlib.sha256(repr(signature).encode())
    packages = sorted({getattr(function, "__module__", "").partition(".")[0] for function in readers} - {""})
    for package in packages:
        module = sys.modules.get(package)
        folder = Path(getattr(module, "__file__", None) or "/nonexistent").parent
        for source in sorted(folder.rglob("*.py")) if folder.is_dir() else []:
            digest.update(source.read_bytes())
    if reader._build is not None:
        digest.update(reader._build.config.fingerprint.encode())
    return digest.hexdigest()


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
