"""What a page was made from: the template variables its templates reference, digested.

A page's HTML is a function of its templates' source and of the values of the names they
reference (Jinja's static analysis finds them, through extends, includes and imports). Digesting
exactly those values means a page is rendered again when, and only when, something it can show
has changed. A value whose digest cannot be trusted (its repr names a memory address) makes the
page render every time rather than risk a stale page.
"""

import hashlib
from dataclasses import fields, is_dataclass

from jinja2 import meta
from pelican.contents import Content
from pelican.paginator import Page, Paginator
from pelican.urlwrappers import URLWrapper

UNSTABLE = object()  # a value with no stable digest


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


# Digests of strings (and tuples of strings) by id(), holding the value too (a freed object's id is
# reused). Strings cannot change, so these stay true for the life of the process: a livereload
# server's rebuild finds the bodies and summaries it digested last time, same objects, here.
_immutable: dict[int, tuple[object, str]] = {}
_IMMUTABLE_LIMIT = 200_000

# Content attributes that are not what a page shows: the shared context and settings (the settings
# are digested once per build, see `settings_digest`), the body accessors (their inputs,
# `_content` and `math_html`, are digested), and `metadata`, which Pelican copies onto attributes
# (digesting both doubled the cost of every fingerprint).
_CONTENT_SKIPPED = frozenset({"_context", "settings", "metadata", "_get_content", "get_content", "get_summary"})

# Scalars whose repr is their value: their digest is that repr, no hashing needed.
_SCALARS = (int, float, bool, type(None))
_NO_REFS: tuple = ()


class Digester:
    """Digests of context values, each computed once per build.

    A content object's *own* digest covers every attribute it holds, with the content objects those
    refer to (a series' parts, neighbours, related posts) counted by identity only. A page depends on
    the content objects it shows fully (own digest) and on the own digests of the content objects
    those refer to, one hop and no further: without that limit, prev/next links would make every
    page depend on every post. Each own digest is computed once however many pages show the post.
    """

    def __init__(self):
        # By id(), holding the value too: a freed object's id is reused by the next one made.
        self._shallow_memo: dict[int, tuple[object, object, tuple]] = {}
        self._own_memo: dict[int, tuple[object, object, tuple]] = {}
        self._full_memo: dict[int, tuple[object, object]] = {}
        self._in_progress: set[int] = set()

    def digest(self, value) -> object:
        """`value`'s digest, with the content objects in it counted fully (see the class)."""
        shallow, refs = self._shallow(value)
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

    def _own(self, content: Content) -> tuple[object, tuple]:
        """Every attribute a template can read (Pelican's, and whatever plugins set), content
        objects among them by identity; and those content objects."""
        key = id(content)
        known = self._own_memo.get(key)
        if known is None:
            items = ((name, value) for name, value in vars(content).items() if name not in _CONTENT_SKIPPED)
            known = self._own_memo[key] = (content, *self._mapping(type(content).__name__, items))
        return known[1], known[2]

    def _shallow(self, value) -> tuple[object, tuple]:
        """(digest of `value` with content objects inside it by identity, those content objects)."""
        kind = type(value)
        if kind is str:
            return self._immutable(value), _NO_REFS
        if kind in _SCALARS:
            return f"{kind.__name__}:{value!r}", _NO_REFS
        key = id(value)
        known = self._shallow_memo.get(key)
        if known is not None:
            return known[1], known[2]
        if key in self._in_progress:  # a container that holds itself
            return UNSTABLE, _NO_REFS
        self._in_progress.add(key)
        try:
            digest, refs = self._compute(value)
        finally:
            self._in_progress.discard(key)
        self._shallow_memo[key] = (value, digest, refs)
        return digest, refs

    def _immutable(self, value) -> str:
        key = id(value)
        known = _immutable.get(key)
        if known is None:
            if len(_immutable) > _IMMUTABLE_LIMIT:
                _immutable.clear()
            text = value if isinstance(value, str) else "\0".join(value)
            known = _immutable[key] = (value, _hash(f"{type(value).__name__}\0{text}"))
        return known[1]

    def _compute(self, value) -> tuple[object, tuple]:
        if isinstance(value, Content):
            return _hash(f"{type(value).__name__}\0{value.source_path}"), (value,)
        if _is_immutable(value):  # a str subclass (Markup) or a tuple of strings
            return self._immutable(value), _NO_REFS
        if isinstance(value, Page):
            # The page's own items; its paginator and neighbours only by position.
            items, refs = self._shallow(value.object_list)
            if items is UNSTABLE:
                return UNSTABLE, _NO_REFS
            return _hash(f"page\0{value.number}\0{value.url}\0{items}"), refs
        if isinstance(value, Paginator):
            # Templates read a paginator's size and URLs, never its whole object_list.
            return _hash(f"paginator\0{value.name}\0{value.url}\0{value.count}\0{value.num_pages}"), _NO_REFS
        if isinstance(value, URLWrapper):
            return _hash(f"{type(value).__name__}\0{value.name}\0{value.url}"), _NO_REFS
        if isinstance(value, (list, tuple)):
            return self._sequence(type(value).__name__, value, ordered=True)
        if isinstance(value, (set, frozenset)):
            return self._sequence("set", value, ordered=False)
        if isinstance(value, dict):
            return self._mapping(type(value).__name__, value.items())
        if is_dataclass(value) and not isinstance(value, type):
            return self._mapping(type(value).__name__, ((f.name, getattr(value, f.name)) for f in fields(value)))
        text = repr(value)
        if " at 0x" in text and hasattr(value, "__dict__") and not callable(value):
            # A plugin's own class without a __repr__: digest what it holds.
            return self._mapping(type(value).__qualname__, vars(value).items())
        return (UNSTABLE if " at 0x" in text else _hash(f"{type(value).__name__}\0{text}")), _NO_REFS

    def _sequence(self, kind: str, items, ordered: bool) -> tuple[object, tuple]:
        digests, refs = [], []
        for item in items:
            digest, item_refs = self._shallow(item)
            if digest is UNSTABLE:
                return UNSTABLE, _NO_REFS
            digests.append(digest)
            refs.extend(item_refs)
        if not ordered:
            digests.sort()
        return _hash(kind + "\0" + "\0".join(digests)), _unique(refs)

    def _mapping(self, kind: str, items) -> tuple[object, tuple]:
        parts, refs = [], []
        for name, value in items:
            digest, value_refs = self._shallow(value)
            if digest is UNSTABLE:
                return UNSTABLE, _NO_REFS
            parts.append((str(name), digest))
            refs.extend(value_refs)
        parts.sort()
        return _hash(kind + "\0" + repr(parts)), _unique(refs)


def _is_immutable(value) -> bool:
    return isinstance(value, str) or (
        isinstance(value, tuple) and all(isinstance(item, str) for item in value)
    )


def _unique(contents: list) -> tuple:
    """`contents` without repeats, in order (content objects compare by identity here)."""
    if len(contents) < 2:
        return tuple(contents)
    return tuple({id(content): content for content in contents}.values())


def settings_digest(settings: dict) -> str:
    """Every setting, including those no template names (DEFAULT_DATE_FORMAT shapes `locale_date`).
    Functions in settings (Jinja filters) count by their code."""
    parts = []
    digester = Digester()
    for name, value in sorted(settings.items()):
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
            part = digester.digest(values[name])
            if part is UNSTABLE:
                return None
            parts.append(f"{name}={part}")
    return _hash("\0".join(parts))
