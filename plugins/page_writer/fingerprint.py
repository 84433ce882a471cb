"""What a page was made from: the template variables its templates reference, digested.

A page's HTML is a function of its templates' source and of the values of the names they
reference (Jinja's static analysis finds them, through extends, includes and imports). Digesting
exactly those values means a page is rendered again when, and only when, something it can show
has changed. A value whose digest cannot be trusted (a lambda, an object that shows nothing of what
it holds) makes the page render every time rather than risk a stale page.
"""

import hashlib
import io
import os
import pickle
from datetime import datetime
from zoneinfo import ZoneInfo

from jinja2 import meta
from markupsafe import Markup
from pelican.contents import Content
from pelican.paginator import Page, Paginator
from pelican.urlwrappers import URLWrapper
from pelican.utils import SafeDatetime

from . import forked

UNSTABLE = object()  # a value with no stable digest
UNSTABLE_NAME = "\0unstable"  # UNSTABLE across a pipe (see `own_digests_in_parallel`)
PARALLEL_OWN_DIGESTS = 200  # content objects: below this a fork costs more than it saves


def _analyse(environment, source: str) -> tuple[list[str], list[str]]:
    """(names a template's source references, templates it pulls in)."""
    tree = environment.parse(source)
    templates = [t for t in meta.find_referenced_templates(tree) if t is not None]
    return sorted(meta.find_undeclared_variables(tree)), templates


def template_family(environment, name: str, analyses: dict) -> tuple[str, frozenset[str]]:
    """(digest of the sources of `name` and every template it pulls in, names they reference).

    `analyses` maps a source's digest to its analysis; it is kept between builds, since parsing
    every template again is most of the cost here.
    """
    seen, pending, names = {}, [name], set()
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        source, _, _ = environment.loader.get_source(environment, current)
        seen[current] = _hash(source)
        if seen[current] not in analyses:
            analyses[seen[current]] = _analyse(environment, source)
        referenced, templates = analyses[seen[current]]
        names.update(referenced)
        pending.extend(templates)
    digest = _hash("\0".join(f"{n}\0{d}" for n, d in sorted(seen.items())))
    return digest, frozenset(names)


# Content attributes that are not what a page shows: the shared context and settings (the settings
# are digested once per build, see `settings_digest`), the body accessors (their inputs,
# `_content` and `math_html`, are digested), and `metadata`, which Pelican copies onto attributes
# (digesting both doubled the cost of every fingerprint).
_CONTENT_SKIPPED = frozenset({"_context", "settings", "metadata", "_get_content", "get_content", "get_summary"})

# Types pickle writes by value on its own, the same bytes for the same value in every process.
_PLAIN = frozenset({int, float, bool, type(None), bytes, list, Markup})

# Digests of long strings and tuples of strings (bodies, typeset formulas) by id(), holding the value
# (a freed object's id is reused). They cannot change, so this stays true for the life of the
# process: a post's body shared by two attributes is hashed once, and a livereload rebuild finds
# the bodies of the posts it kept from the last build already hashed.
_immutable: dict[int, tuple[object, str]] = {}
_IMMUTABLE_LIMIT = 100_000
_LONG = 512  # shorter strings cost less to pickle than to look up


class _Unstable(Exception):
    """A value with no stable digest was met."""


class _ValuePickler(pickle.Pickler):
    """Pickles a value as a stable byte string: content objects by identity (and collected in
    `refs`), Pelican's URL wrappers and paginators by what templates read of them, sets and dicts
    in sorted order (their iteration order changes between processes)."""

    def __init__(self, file):
        super().__init__(file, protocol=5)
        # No memo: whether two equal strings are one object or two must not change the bytes.
        self.fast = True
        self.refs: list = []

    def persistent_id(self, value):
        kind = type(value)
        if kind in _PLAIN:
            return None
        if kind is str:
            return None if len(value) < _LONG else ("str", _immutable_digest(value))
        if kind is tuple:
            if len(value) < 4 or type(value[0]) is not str:
                return None
            digest = _immutable_digest(value)
            return None if digest is None else ("strings", digest)
        if kind is SafeDatetime or kind is datetime:  # written short: pickle's own form takes ~20 steps
            return ("datetime", value.isoformat(), str(value.tzinfo))
        if kind is ZoneInfo:
            return ("zone", value.key)
        if kind is dict:
            return ("dict", sorted(value.items(), key=_key_of_item))
        if kind is set or kind is frozenset:
            return ("set", sorted(value, key=_sort_key))
        if isinstance(value, Content):
            self.refs.append(value)
            return ("content", kind.__name__, value.source_path)
        if isinstance(value, URLWrapper):
            return (kind.__name__, value.name, value.slug)  # the URL follows from these and settings
        if isinstance(value, Page):
            # The page's own items; its paginator and neighbours only by position.
            return ("page", value.number, value.url, list(value.object_list))
        if isinstance(value, Paginator):
            # Templates read a paginator's size and URLs, never its whole object_list.
            return ("paginator", value.name, value.url, value.count, value.num_pages)
        if kind.__repr__ is object.__repr__ and not hasattr(value, "__dict__") and not callable(value):
            raise _Unstable  # an object that shows nothing of what it holds
        # Anything else as pickle writes it: functions and classes by name (a lambda or a closure
        # cannot be pickled: unstable), other objects by their state.
        return None


def _immutable_digest(value: str | tuple) -> str | None:
    """The digest of a string or a tuple of strings (None for a tuple holding anything else)."""
    known = _immutable.get(id(value))
    if known is None:
        if isinstance(value, str):
            digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()
        elif all(type(item) is str for item in value):
            text = "\0".join(f"{len(item)}:{item}" for item in value)
            digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        else:
            digest = None
        if len(_immutable) > _IMMUTABLE_LIMIT:
            _immutable.clear()
        known = _immutable[id(value)] = (value, digest)
    return known[1]


def _key_of_item(item: tuple) -> str:
    return _sort_key(item[0])


def _sort_key(item) -> str:
    """An order for dict items and set members of any type that is the same in every process."""
    if isinstance(item, tuple):
        return "\0".join(map(_sort_key, item))
    if isinstance(item, str):
        return item
    if isinstance(item, Content):
        return item.source_path
    if isinstance(item, URLWrapper):
        return item.name
    text = repr(item)
    if " at 0x" in text:
        raise _Unstable
    return text


class Digester:
    """Digests of context values, each computed once per build.

    A content object's *own* digest covers every attribute it holds, with the content objects those
    refer to (a series' parts, neighbours, related posts) counted by identity only. A page depends on
    the content objects it shows fully (own digest) and on the own digests of the content objects
    those refer to, one hop and no further: without that limit, prev/next links would make every
    page depend on every post. Each own digest is computed once however many pages show the post.
    Values are digested through pickle (in C, ~10x faster than walking them in Python).
    """

    def __init__(self):
        # By id(), holding the value too: a freed object's id is reused by the next one made.
        self._shallow_memo: dict[int, tuple[object, object, tuple]] = {}
        self._own_memo: dict[int, tuple[object, object, tuple]] = {}
        self._full_memo: dict[int, tuple[object, object]] = {}

    def digest(self, value) -> object:
        """`value`'s digest, with the content objects in it counted fully (see the class)."""
        if isinstance(value, Content):
            return self._full(value)
        key = id(value)
        known = self._shallow_memo.get(key)
        if known is None:
            known = self._shallow_memo[key] = (value, *_pickled(value))
        shallow, refs = known[1], known[2]
        if shallow is UNSTABLE or not refs:
            return shallow
        parts = [self._full(content) for content in refs]
        return UNSTABLE if UNSTABLE in parts else _hash(shallow + "\0" + "\0".join(sorted(parts)))

    def _full(self, content: Content) -> object:
        key = id(content)
        if key not in self._full_memo:
            own, refs = self._own(content)
            parts = [self._own(ref)[0] for ref in refs]
            digest = UNSTABLE if own is UNSTABLE or UNSTABLE in parts else _hash("\0".join([own, *sorted(parts)]))
            self._full_memo[key] = (content, digest)
        return self._full_memo[key][1]

    def own_digests_in_parallel(self, contents: list) -> None:
        """Compute the own digests of `contents` ahead, half of them in a forked process: they are
        most of a build's fingerprinting (~0.4 s at 1,000 posts), pure CPU, and the build's other
        core is idle meanwhile. The child is a fork, so objects keep their ids across the pipe. A
        result that does not come back is computed when asked for."""
        by_id = {id(content): content for content in contents if id(content) not in self._own_memo}
        contents = list(by_id.values())
        if len(contents) < PARALLEL_OWN_DIGESTS or (os.cpu_count() or 1) < 2:
            return
        child = forked.start(lambda: pickle.dumps([self._own_by_id(content) for content in contents[1::2]]))
        for content in contents[0::2]:
            self._own(content)
        status, answer = forked.finish(child)
        if status != 0:  # the parent computes the rest as asked
            return
        results = pickle.loads(answer)
        for key, own, ref_ids in results:
            refs = tuple(by_id.get(ref) for ref in ref_ids)
            if None not in refs:  # a reference to an object outside `contents`: computed when asked
                self._own_memo[key] = (by_id[key], UNSTABLE if own == UNSTABLE_NAME else own, refs)

    def _own_by_id(self, content: Content) -> tuple:
        """`_own`'s result with content objects by id(), to cross the pipe."""
        own, refs = self._own(content)
        return id(content), UNSTABLE_NAME if own is UNSTABLE else own, [id(ref) for ref in refs]

    def _own(self, content: Content) -> tuple[object, tuple]:
        """Every attribute a template can read (Pelican's, and whatever plugins set), content
        objects among them by identity; and those content objects."""
        key = id(content)
        known = self._own_memo.get(key)
        if known is None:
            attributes = sorted((name, value) for name, value in vars(content).items() if name not in _CONTENT_SKIPPED)
            known = self._own_memo[key] = (content, *_pickled((type(content).__name__, attributes)))
        return known[1], known[2]


def _pickled(value) -> tuple[object, tuple]:
    """(digest of `value` with content objects by identity, those content objects without repeats)."""
    buffer = io.BytesIO()
    pickler = _ValuePickler(buffer)
    try:
        pickler.dump(value)
    except (_Unstable, pickle.PicklingError, TypeError, AttributeError, ValueError, RecursionError):
        return UNSTABLE, ()
    refs = tuple({id(content): content for content in pickler.refs}.values())
    return hashlib.sha256(buffer.getbuffer()).hexdigest(), refs


# Settings that change how a build runs, never what it makes: the livereload server's builds and
# `invoke build` into the same output/ must find each other's pages current.
_SETTINGS_NOT_SHOWN = frozenset({"KEEP_CONTENT_BETWEEN_BUILDS"})


def settings_digest(settings: dict) -> str:
    """Every setting, including those no template names (DEFAULT_DATE_FORMAT shapes `locale_date`).
    Functions in settings (Jinja filters) count by their code."""
    parts = []
    digester = Digester()
    for name, value in sorted(settings.items()):
        if name in _SETTINGS_NOT_SHOWN:
            continue
        part = digester.digest(value)
        if part is UNSTABLE:
            part = _hash(repr(_describe(value)))
        parts.append(f"{name}={part}")
    return _hash("\0".join(parts))


def _describe(value):
    """A stable stand-in for values that have no stable repr (functions, modules)."""
    code = getattr(value, "__code__", None)
    if code is not None:
        return (value.__module__, value.__qualname__, code.co_code, code.co_names)
    if isinstance(value, dict):
        return sorted((str(k), repr(_describe(v))) for k, v in value.items())
    if isinstance(value, (list, tuple, set, frozenset)):
        return sorted(repr(_describe(item)) for item in value)
    return getattr(value, "__name__", type(value).__qualname__)


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def link_targets_digest(context) -> str:
    """Every source's URL: a page's `{filename}` links resolve through these when it is shown."""
    urls = sorted(
        (path, getattr(content, "url", "")) for path, content in context.get("generated_content", {}).items()
    )
    urls += sorted(
        (path, getattr(content, "url", "")) for path, content in context.get("static_content", {}).items()
    )
    return _hash(repr(urls))


def page_fingerprint(family: tuple[str, frozenset[str]], values, digester: Digester, extra: str) -> str | None:
    """The fingerprint of one page (`family` from template_family), or None when it cannot be trusted."""
    family_digest, names = family
    parts = [extra, family_digest]
    for name in sorted(names):
        if name in values:
            part = _neighbour_digest(name, values[name]) or digester.digest(values[name])
            if part is UNSTABLE:
                return None
            parts.append(f"{name}={part}")
    return _hash("\0".join(parts))


# A list page links to the pages before and after it; their items are theirs to show. Digesting
# those items made every edit render three pages of each list a post's neighbours appear in.
_NEIGHBOUR_PAGES = ("_previous_page", "_next_page")


def _neighbour_digest(name: str, value) -> str | None:
    """A neighbouring page of a paginated list, by its number and URL (None for anything else)."""
    if isinstance(value, Page) and name.endswith(_NEIGHBOUR_PAGES):
        return _hash(f"page\0{value.number}\0{value.url}")
    return None
