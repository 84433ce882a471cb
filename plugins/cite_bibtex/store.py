"""Parsed .bib files, formatted references and posts' own entries, kept between builds in
CACHE_PATH/cite_bibtex.json.

Only a cache: keyed by the digests of the .bib files' bytes and of each entry's text, and by this
plugin's code and pybtex's version; a damaged or foreign file is discarded with a warning. Each
build keeps what it used, so the file does not grow with every edit.
"""

import hashlib
import json
import logging
import os
import tempfile
from importlib import metadata
from pathlib import Path

from .bibliography import BibEntry, ParsedBib, Problem
from .reference_style import FormattedReference

logger = logging.getLogger(__name__)
FILE_NAME = "cite_bibtex.json"


def _version() -> str:
    digest = hashlib.sha256(metadata.version("pybtex").encode())
    for source in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(source.read_bytes())
    return digest.hexdigest()


VERSION = _version()

# Per cache file: the (mtime, size) this process last read or wrote it at, and the digest of the
# keys it holds. A livereload rebuild neither reads again what its memos already hold nor writes
# a file that would not change.
_stamps: dict[str, tuple[int, int]] = {}
_contents: dict[str, str] = {}


def _stamp(path: str) -> tuple[int, int]:
    status = os.stat(path)
    return status.st_mtime_ns, status.st_size


def _keys_digest(parsed: dict, formatted: dict, entries: dict) -> str:
    return hashlib.sha256(repr((sorted(parsed), sorted(formatted), sorted(entries))).encode()).hexdigest()


def load(cache_path: str):
    """(parsed .bib files, formatted references, posts' entries) the cache holds; nothing when this
    process has read or written the file as it is now."""
    path = os.path.join(cache_path, FILE_NAME)
    try:
        if _stamps.get(path) == _stamp(path):
            return {}, {}, {}
        with open(path, encoding="utf-8") as stored:
            data = json.load(stored)
        if data.get("version") != VERSION:
            return {}, {}, {}
        parsed = {digest: _parsed(item) for digest, item in data["files"].items()}
        formatted = {tuple(key.split(":", 1)): _formatted(item) for key, item in data["references"].items()}
        entries = {digest: (str(bibtex), str(html)) for digest, (bibtex, html) in data["entries"].items()}
        _stamps[path], _contents[path] = _stamp(path), _keys_digest(parsed, formatted, entries)
        return parsed, formatted, entries
    except FileNotFoundError:
        return {}, {}, {}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        logger.warning("%s: unreadable citation cache discarded (%s: %s)", os.path.relpath(path),
                       type(error).__name__, error)
        return {}, {}, {}


def save(cache_path: str, parsed: dict[str, ParsedBib], formatted: dict[tuple[str, str], FormattedReference],
         entries: dict[str, tuple[str, str]]) -> None:
    """Keep exactly what this build used; no write when the file holds that already."""
    path = os.path.join(cache_path, FILE_NAME)
    contents = _keys_digest(parsed, formatted, entries)
    if _contents.get(path) == contents and os.path.exists(path) and _stamps.get(path) == _stamp(path):
        return
    data = {
        "version": VERSION,
        "files": {digest: _parsed_data(item) for digest, item in parsed.items()},
        "references": {f"{digest}:{style}": _formatted_data(item) for (digest, style), item in formatted.items()},
        "entries": {digest: list(pair) for digest, pair in entries.items()},
    }
    os.makedirs(cache_path, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=cache_path, prefix=".cite_bibtex-")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stored:
            stored.write(json.dumps(data, ensure_ascii=False, separators=(",", ":")))
        os.replace(temporary, path)
        _stamps[path], _contents[path] = _stamp(path), contents
    except OSError as error:
        os.unlink(temporary)
        logger.warning("%s: citation cache not written (%s)", cache_path, error)


def _parsed_data(parsed: ParsedBib) -> dict:
    return {
        "entries": [[e.key, e.line, e.digest, e.type, [list(pair) for pair in e.fields]] for e in parsed.entries],
        "problems": [[problem.line, problem.message] for problem in parsed.problems],
    }


def _parsed(data: dict) -> ParsedBib:
    entries = tuple(BibEntry(key, int(line), digest, kind, tuple((str(n), str(v)) for n, v in fields))
                    for key, line, digest, kind, fields in data["entries"])
    return ParsedBib(entries, tuple(Problem(int(line), str(message)) for line, message in data["problems"]))


def _formatted_data(item: FormattedReference) -> list:
    return [item.html, item.names, item.year, list(item.sort_key), list(item.problems)]


def _formatted(data: list) -> FormattedReference:
    html, names, year, sort_key, problems = data
    return FormattedReference(str(html), str(names), str(year), tuple(map(str, sort_key)), tuple(map(str, problems)))
