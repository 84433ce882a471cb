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


def _is_immutable(value) -> bool:
    return isinstance(value, str) or (
        isinstance(value, tuple) and all(isinstance(item, str) for item in value)
    )


# Content attributes that are not what a page shows: the shared context and settings (the settings
# are digested once per build, see `settings_digest`), the body accessors (their inputs,
# `_content` and `math_html`, are digested), and `metadata`, which Pelican copies onto attributes
# (digesting both doubled the cost of every fingerprint).
_CONTENT_SKIPPED = frozenset({"_context", "settings", "metadata", "_get_content", "get_content", "get_summary"})
# A page's content object is digested with everything it holds; content objects it refers to (a
# series' parts, neighbours) are digested by their own attributes, and the ones *they* refer to by
# identity only. Without that limit, prev/next links would make every page depend on every post.
_CONTENT_HOPS = 2


class Digester:
    """Digests of context values; containers and content objects are digested once per build."""

    def __init__(self):
        # By (id(), hops), holding the value too: a freed object's id is reused by the next one made.
        self._memo: dict[tuple[int, int], tuple[object, object]] = {}
        self._in_progress: set[tuple[int, int]] = set()

    def digest(self, value, hops: int = 0) -> object:
        if _is_immutable(value):
            key = id(value)
            if key not in _immutable:
                if len(_immutable) > _IMMUTABLE_LIMIT:
                    _immutable.clear()
                _immutable[key] = (value, self._compute(value, hops))
            return _immutable[key][1]
        key = (id(value), hops)
        if key not in self._memo:
            if key in self._in_progress:  # a container that holds itself
                return UNSTABLE
            self._in_progress.add(key)
            try:
                self._memo[key] = (value, self._compute(value, hops))
            finally:
                self._in_progress.discard(key)
        return self._memo[key][1]

    def _compute(self, value, hops: int):
        if isinstance(value, str):
            return _hash(f"str\0{value}")
        if isinstance(value, (list, tuple)) and all(isinstance(item, str) for item in value):
            return _hash("strs\0" + "\0".join(value))
        if isinstance(value, Content):
            return self._content(value, hops)
        if isinstance(value, Page):
            # The page's own items; its paginator and neighbours only by position.
            items = self.digest(value.object_list, hops)
            return UNSTABLE if items is UNSTABLE else _hash(f"page\0{value.number}\0{value.url}\0{items}")
        if isinstance(value, Paginator):
            # Templates read a paginator's size and URLs, never its whole object_list.
            return _hash(f"paginator\0{value.name}\0{value.url}\0{value.count}\0{value.num_pages}")
        if isinstance(value, URLWrapper):
            return _hash(f"{type(value).__name__}\0{value.name}\0{value.url}")
        if isinstance(value, (list, tuple)):
            return self._combine(type(value).__name__, [self.digest(item, hops) for item in value])
        if isinstance(value, (set, frozenset)):
            parts = [self.digest(item, hops) for item in value]
            return UNSTABLE if UNSTABLE in parts else self._combine("set", sorted(parts))
        if isinstance(value, dict):
            return self._mapping(type(value).__name__, value.items(), hops)
        if is_dataclass(value) and not isinstance(value, type):
            return self._mapping(type(value).__name__, ((f.name, getattr(value, f.name)) for f in fields(value)), hops)
        text = repr(value)
        if " at 0x" in text and hasattr(value, "__dict__") and not callable(value):
            # A plugin's own class without a __repr__: digest what it holds.
            return self._mapping(type(value).__qualname__, vars(value).items(), hops)
        return UNSTABLE if " at 0x" in text else _hash(f"{type(value).__name__}\0{text}")

    def _combine(self, kind: str, parts: list) -> object:
        return UNSTABLE if UNSTABLE in parts else _hash(kind + "\0" + "\0".join(map(str, parts)))

    def _mapping(self, kind: str, items, hops: int) -> object:
        parts = sorted((str(name), self.digest(value, hops)) for name, value in items)
        if any(part is UNSTABLE for _, part in parts):
            return UNSTABLE
        return _hash(kind + "\0" + repr(parts))

    def _content(self, content: Content, hops: int):
        """Every attribute a template can read: Pelican's, and whatever plugins set on it."""
        if hops >= _CONTENT_HOPS:
            return _hash(f"{type(content).__name__}\0{content.source_path}")
        items = ((name, value) for name, value in vars(content).items() if name not in _CONTENT_SKIPPED)
        return self._mapping(type(content).__name__, items, hops + 1)


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
