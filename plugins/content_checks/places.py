"""Where a path leads, and symbolic links that lead out of the content folder: no Pelican import."""

import fnmatch
import os
from collections.abc import Iterator


def is_inside(path: str, folder: str) -> bool:
    """Whether `path` is `folder` or below it (both absolute and normalised)."""
    return os.path.commonpath([path, folder]) == folder


def link_target(link_path: str, linking_source: str, content_root: str) -> str:
    """The absolute, normalised file a link names, as Pelican resolves it: a leading "/" is the
    content root, anything else is relative to the linking source's folder. Symlinks are kept."""
    if link_path.startswith("/"):
        return os.path.normpath(os.path.join(content_root, link_path.lstrip("/")))
    return os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(linking_source)), link_path))


def _ignored(name: str, ignores: list[str]) -> bool:
    return any(fnmatch.fnmatch(name, pattern) for pattern in ignores)


def symlinks_leaving(content_root: str, folders: list[str], ignores: list[str]) -> Iterator[tuple[str, str]]:
    """(link, where it leads) for each symbolic link in `folders` (relative to `content_root`; ""
    is the root itself) that leads outside the content root. Follows links that stay inside, as
    Pelican's walk does, each real folder once (a link loop ends)."""
    real_root = os.path.realpath(content_root)
    visited: set[str] = set()
    pending = [os.path.join(content_root, folder) if folder else content_root for folder in folders]
    while pending:
        path = pending.pop()
        real = os.path.realpath(path)
        if os.path.islink(path) and not is_inside(real, real_root):
            yield path, real
            continue
        if not os.path.isdir(path) or real in visited:
            continue
        visited.add(real)
        with os.scandir(path) as entries:
            pending.extend(
                entry.path for entry in sorted(entries, key=lambda e: e.name, reverse=True)
                if not _ignored(entry.name, ignores) and (entry.is_symlink() or entry.is_dir())
            )
