"""What a page was made from: the template variables its templates reference, digested.

A page's HTML is a function of its templates' source and of the values of the names they
reference (Jinja's static analysis finds them, through extends, includes and imports). Digesting
exactly those values means a page is rendered again when, and only when, something it can show
has changed. A value whose digest cannot be trusted (its repr names a memory address) makes the
page render every time rather than risk a stale page.
"""

import hashlib

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


class Digester:
    """Digests of context values; Content objects and lists are digested once per build."""

    def __init__(self):
        # By id(), holding the value too: a freed object's id is reused by the next one made.
        self._memo: dict[int, tuple[object, object]] = {}

    def digest(self, value) -> object:
        key = id(value)
        memo = _immutable if _is_immutable(value) else self._memo
        if key not in memo:
            if len(_immutable) > _IMMUTABLE_LIMIT:
                _immutable.clear()
            memo[key] = (value, self._compute(value))
        return memo[key][1]

    def _compute(self, value):
        if isinstance(value, str):
            return _hash(f"str\0{value}")
        if isinstance(value, (list, tuple)) and all(isinstance(item, str) for item in value):
            return _hash("strs\0" + "\0".join(value))
        if isinstance(value, Content):
            return self._content(value)
        if isinstance(value, Page):
            # The page's own items; its paginator and neighbours only by position.
            items = self.digest(value.object_list)
            return UNSTABLE if items is UNSTABLE else _hash(f"page\0{value.number}\0{value.url}\0{items}")
        if isinstance(value, Paginator):
            # Templates read a paginator's size and URLs, never its whole object_list.
            return _hash(f"paginator\0{value.name}\0{value.url}\0{value.count}\0{value.num_pages}")
        if isinstance(value, URLWrapper):
            return _hash(f"{type(value).__name__}\0{value.name}\0{value.url}")
        if isinstance(value, (list, tuple)):
            parts = [self.digest(item) for item in value]
            return UNSTABLE if UNSTABLE in parts else _hash("\0".join(map(str, parts)))
        if isinstance(value, dict):
            parts = [(str(k), self.digest(v)) for k, v in value.items()]
            if any(part is UNSTABLE for _, part in parts):
                return UNSTABLE
            return _hash(repr(sorted(parts)))
        text = repr(value)
        return UNSTABLE if " at 0x" in text else _hash(f"{type(value).__name__}\0{text}")

    def _content(self, content: Content):
        # No url or save_as: they follow from the metadata and settings, and every page's
        # fingerprint holds every URL already (link_targets_digest).
        fields = [type(content).__name__, content.source_path or ""]
        for name, value in sorted(content.metadata.items()):
            part = self.digest(value)
            if part is UNSTABLE:
                return UNSTABLE
            fields.append(f"{name}={part}")
        fields.append(self.digest(content._content or ""))
        return _hash("\0".join(fields))


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
