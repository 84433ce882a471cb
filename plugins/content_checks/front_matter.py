"""Front matter that would silently do nothing, or publish at a broken URL.

A misspelled key (`Tilte:`) is ignored by Pelican without a word; an empty slug (a title of only
emoji) writes a post to `posts//`. Plugins declare the keys they read as `FRONT_MATTER_KEYS` in
their package (see plugins/README.md); a writer adds their own in `EXTRA_FRONT_MATTER_KEYS`.
"""

import os

# Keys Pelican itself reads (pelican/readers.py, contents.py, generators.py), and the reader's own.
PELICAN_KEYS = frozenset({
    "title", "date", "modified", "tags", "category", "author", "authors", "slug", "summary",
    "status", "lang", "translation", "save_as", "url", "template", "keywords", "description",
    "macros",  # katex_markdown: per-post KaTeX macros
})


def known_keys(plugins, settings) -> frozenset[str]:
    declared = set(PELICAN_KEYS)
    for plugin in plugins:
        declared.update(key.lower() for key in getattr(plugin, "FRONT_MATTER_KEYS", ()))
    declared.update(key.lower() for key in settings.get("EXTRA_FRONT_MATTER_KEYS", ()))
    return frozenset(declared)


def unknown_keys(content, known: frozenset[str]) -> list[str]:
    """Warnings for front-matter fields no part of the build reads."""
    lines = content.metadata.get("front_matter_lines", {})
    where = os.path.relpath(content.source_path)
    return [
        f"{where}:{line}: unknown front-matter field '{key.title()}:' is ignored "
        "(a typo? plugins declare the fields they read; add your own to EXTRA_FRONT_MATTER_KEYS)"
        for key, line in sorted(lines.items(), key=lambda item: item[1])
        if key not in known
    ]


def empty_slug(content) -> str | None:
    """An error when a post's slug came out empty (its title has no letters or digits)."""
    if getattr(content, "slug", "x"):
        return None
    lines = content.metadata.get("front_matter_lines", {})
    field = "slug" if "slug" in lines else "title"
    value = content.metadata.get(field, "")
    return (
        f"{os.path.relpath(content.source_path)}:{lines.get(field, 1)}: the slug made from "
        f"{field.title()}: {str(value)!r} is empty; add a `Slug:` with letters or digits"
    )
