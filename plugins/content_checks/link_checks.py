"""Links of a post checked against the content folder: inside it, existing, and to the fragment."""

import difflib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field

from .links import Link, element_ids, links_in, might_have_links
from .places import is_inside, link_target


def shown(path: str) -> str:
    """A path as the writer reads it in messages: relative to the working folder when below it."""
    relative = os.path.relpath(path)
    return path if relative.startswith(os.pardir) else relative


def is_unpublished_draft(content) -> bool:
    return getattr(content, "status", "") == "draft" and not content.save_as


@dataclass
class LinkProblem:
    link: Link
    target: str  # the absolute path the link names
    message: str  # without the "file:line: " that names the linking source


@dataclass
class ContentFolder:
    """The content root, its sources by absolute path and, as asked for, their links and ids."""

    root: str
    sources: dict  # absolute source path -> Pelican content object (posts and pages)
    static_files: set  # absolute source paths of static files
    intrasite_regex: str
    _ids: dict = field(default_factory=dict)
    _links: dict = field(default_factory=dict)

    @property
    def real_root(self) -> str:
        return os.path.realpath(self.root)

    def ids_of(self, content) -> set[str]:
        if content.source_path not in self._ids:
            self._ids[content.source_path] = element_ids(content._content or "")
        return self._ids[content.source_path]

    def links_of(self, content) -> list[tuple[Link, str]]:
        """(link, absolute target) for each link of the body that names a file; scanned once."""
        if content.source_path not in self._links:
            body = content._content or ""
            self._links[content.source_path] = [
                (link, link_target(link.path, content.source_path, self.root))
                for link in (links_in(body, self.intrasite_regex) if might_have_links(body) else ())
                if link.path  # "{filename}#x" names no file
            ]
        return self._links[content.source_path]


def _what(link: Link) -> str:
    return f"image {link.written}" if link.marker == "image" else link.written


def _placement_problem(link: Link, target: str, folder: ContentFolder) -> str | None:
    """Outside the content folder, missing, or a folder where a file belongs."""
    root = shown(folder.root)
    if not is_inside(target, folder.root):
        return f"{_what(link)} points outside {root}/ (to {target}); link only to files under {root}/"
    real = os.path.realpath(target)
    if not is_inside(real, folder.real_root):
        return (f"{_what(link)} points outside {root}/ through a symbolic link (to {real}); "
                f"link only to files under {root}/")
    if not os.path.exists(target):
        return f"{_what(link)}: no such file (looked for {shown(target)})"
    if link.marker != "filename" and os.path.isdir(target):
        return f"{_what(link)} is a folder; link to a file in it"
    return None


def _target_problem(content, link: Link, target: str, folder: ContentFolder) -> str | None:
    """A `{filename}` link to a draft this build leaves out, or to an id its target lacks."""
    if link.marker != "filename":
        return None
    linked = folder.sources.get(target)
    if linked is None:
        if target in folder.static_files:
            return None  # Pelican links it, and warns to write {static}
        return f"{link.written}: {shown(target)} is not a post, page or static file of this site"
    if is_unpublished_draft(linked) and not is_unpublished_draft(content):
        return (f"{link.written} links to a draft, which this build does not publish; "
                "publish it or remove the link")
    if link.fragment and link.fragment not in folder.ids_of(linked):
        close = difflib.get_close_matches(link.fragment, sorted(folder.ids_of(linked)), n=1)
        hint = f' (did you mean "#{close[0]}"?)' if close else ""
        return f'{link.written}: {shown(target)} has no heading or element with id "{link.fragment}"{hint}'
    return None


def link_problems(content, folder: ContentFolder) -> Iterator[LinkProblem]:
    for link, target in folder.links_of(content):
        message = _placement_problem(link, target, folder) or _target_problem(content, link, target, folder)
        if message:
            yield LinkProblem(link, target, message)
