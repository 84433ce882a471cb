"""What a page was made from: the template variables its templates reference, digested.

A page's HTML is a function of its templates' source and of the values of the names they
reference (Jinja's static analysis finds them, through extends, includes and imports). Digesting
exactly those values means a page is rendered again when, and only when, something it can show
has changed. A value whose digest cannot be trusted (its repr names a memory address) makes the
page render every time rather than risk a stale page.
"""

import hashlib
from functools import cache

from jinja2 import meta
from pelican.contents import Content
from pelican.urlwrappers import URLWrapper

UNSTABLE = object()  # a value with no stable digest


@cache
def template_family(environment, name: str) -> tuple[str, frozenset[str]]:
    """(digest of the sources of `name` and every template it pulls in, names they reference)."""
    seen, pending, names = {}, [name], set()
    while pending:
        current = pending.pop()
        if current in seen or current is None:
            continue
        source, _, _ = environment.loader.get_source(environment, current)
        seen[current] = source
        tree = environment.parse(source)
        names |= meta.find_undeclared_variables(tree)
        pending.extend(meta.find_referenced_templates(tree))
    digest = hashlib.sha256("\0".join(f"{n}\0{s}" for n, s in sorted(seen.items())).encode()).hexdigest()
    return digest, frozenset(names)


class Digester:
    """Digests of context values; Content objects and lists are digested once per build."""

    def __init__(self):
        self._memo: dict[int, object] = {}

    def digest(self, value) -> object:
        key = id(value)
        if key not in self._memo:
            self._memo[key] = self._compute(value)
        return self._memo[key]

    def _compute(self, value):
        if isinstance(value, Content):
            return self._content(value)
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
        fields = [type(content).__name__, content.source_path or "", content.url, content.save_as or ""]
        for name, value in sorted(content.metadata.items()):
            part = self.digest(value)
            if part is UNSTABLE:
                return UNSTABLE
            fields.append(f"{name}={part}")
        fields.append(_hash(content._content or ""))
        return _hash("\0".join(fields))


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def page_fingerprint(environment, template_name, values: dict, digester: Digester, extra: str) -> str | None:
    """The fingerprint of one write_file call, or None when it cannot be trusted."""
    family, names = template_family(environment, template_name)
    parts = [extra, family]
    for name in sorted(names):
        if name in values:
            part = digester.digest(values[name])
            if part is UNSTABLE:
                return None
            parts.append(f"{name}={part}")
    return _hash("\0".join(parts))
