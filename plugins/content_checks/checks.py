import logging
import os
import re
import sys
from collections import defaultdict
from urllib.parse import unquote

from .front_matter import empty_slug, known_keys, unknown_keys

logger = logging.getLogger(__name__)

_CONTENT_LISTS = (
    "articles", "translations", "drafts", "drafts_translations", "hidden_articles",
    "hidden_translations", "pages", "hidden_pages", "draft_pages",
)


def all_content(generators):
    for generator in generators:
        for name in _CONTENT_LISTS:
            yield from getattr(generator, name, [])


class ContentProblems(RuntimeError):
    """Stops the build before anything is written; each problem was logged as an error."""

    reported = True  # the build driver prints the message as it is (see plugins/README.md)


def duplicate_outputs(generators) -> list[str]:
    """Two sources that would be written to one file: Pelican keeps one and only warns."""
    by_output = defaultdict(list)
    for content in all_content(generators):
        if content.save_as:
            by_output[content.save_as].append(os.path.relpath(content.source_path))
    return [
        f"duplicate slug: {', '.join(sorted(sources))} would all be written to {save_as}; "
        "give each a distinct Slug:"
        for save_as, sources in sorted(by_output.items())
        if len(sources) > 1
    ]


_INTERNAL_LINK_RE = re.compile(r"""(?:href|src)\s*=\s*["']\{(filename|static|attach)\}([^"'#?]+)""")
_LINK_MARKERS = ("{filename}", "{static}", "{attach}")


def _line_of(source_path: str, needle: str) -> int | None:
    with open(source_path, encoding="utf-8") as source:
        for number, line in enumerate(source, start=1):
            if needle in line:
                return number
    return None


def broken_links(content, content_root: str):
    """(line, target) for each {filename}/{static} link whose target file does not exist."""
    folder = os.path.dirname(content.source_path)
    html = content._content or ""
    if not any(marker in html for marker in _LINK_MARKERS):  # most posts: skip the regex
        return
    for _, target in _INTERNAL_LINK_RE.findall(html):
        path = unquote(target)
        resolved = os.path.join(content_root, path.lstrip("/")) if path.startswith("/") else os.path.join(folder, path)
        if not os.path.exists(resolved):
            yield _line_of(content.source_path, target), target


def broken_internal_links(generators) -> list[str]:
    """A link to a file that does not exist: Pelican only warns, without naming the linking file."""
    problems = []
    for content in all_content(generators):
        content_root = content.settings["PATH"]
        for line, target in broken_links(content, content_root):
            where = os.path.relpath(content.source_path) + (f":{line}" if line else "")
            problems.append(
                f"{where}: broken internal link to {target} (no such file under {os.path.relpath(content_root)}/)"
            )
    return problems


def front_matter_problems(generators) -> list[str]:
    """Unknown keys are logged as warnings here; empty slugs are returned as errors."""
    settings = generators[0].settings if generators else {}
    # Pelican lists the plugins it loaded by module name once they are registered.
    plugins = [sys.modules[name] for name in settings.get("PLUGINS", []) if name in sys.modules]
    known = known_keys(plugins, settings)
    errors = []
    for content in all_content(generators):
        for warning in unknown_keys(content, known):
            logger.warning("%s", warning)
        problem = empty_slug(content)
        if problem:
            errors.append(problem)
    return errors


def check_content(generators) -> None:
    problems = front_matter_problems(generators)
    problems += duplicate_outputs(generators) + broken_internal_links(generators)
    for problem in problems:
        logger.error("%s", problem)
    if problems:
        raise ContentProblems(f"{len(problems)} content problem(s), listed above; nothing was written")
