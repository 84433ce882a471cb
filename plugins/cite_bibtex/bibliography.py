"""Reading .bib files with pybtex: entries with their lines, and every problem with its line.

A file is parsed once per distinct content: parses are kept for the life of the process by the
digest of the file's bytes, so a livereload rebuild parses only a .bib file that changed (and
store.py keeps them between processes). Names are parsed only for the entries a post cites: they
are most of pybtex's parsing time, and a large .bib file is mostly entries no post cites.
"""

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pybtex.errors
from pybtex.bibtex.utils import split_name_list
from pybtex.database import Entry, Person
from pybtex.database.input.bibtex import Parser
from pybtex.scanner import PybtexSyntaxError

# Where each entry starts: `@type{key,` (or with a parenthesis), for error lines.
_ENTRY_START = re.compile(r"@\s*([A-Za-z]+)\s*[{(]\s*([^,\s{}()\"#%'=]+)")
_NOT_ENTRIES = {"comment", "string", "preamble"}


_PERSON_ROLES = {"author", "editor"}


@dataclass(frozen=True)
class BibEntry:
    """An entry as plain data (it is cached between builds); `pybtex_entry()` for formatting."""

    key: str
    line: int  # where the entry starts in its file
    digest: str  # of the entry's text in the file: everything its formatted reference shows
    type: str
    fields: tuple[tuple[str, str], ...]  # as written (LaTeX), names too

    def pybtex_entry(self) -> Entry:
        persons, fields = {}, []
        for name, value in self.fields:
            if name.lower() in _PERSON_ROLES:
                persons[name.lower()] = [Person(person) for person in split_name_list(value)]
            else:
                fields.append((name, value))
        return Entry(self.type, fields=fields, persons=persons)


@dataclass(frozen=True)
class Problem:
    line: int
    message: str


@dataclass(frozen=True)
class ParsedBib:
    entries: tuple[BibEntry, ...]
    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class BibFile:
    path: str  # as shown in messages (relative to the working directory)
    digest: str  # of its bytes
    parsed: ParsedBib


# Parses by the sha256 of the file's bytes: the key makes a stale entry impossible, so this needs
# no reset between builds (a livereload server keeps it).
_parsed: dict[str, ParsedBib] = {}
_PARSED_LIMIT = 64


def remember_parses(parsed: dict[str, ParsedBib]) -> None:
    """Parses kept by an earlier process (store.py)."""
    if len(_parsed) + len(parsed) > _PARSED_LIMIT:
        _parsed.clear()
    _parsed.update(parsed)


def read_bib_file(path: str) -> BibFile:
    data = Path(path).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest not in _parsed:
        if len(_parsed) >= _PARSED_LIMIT:
            _parsed.clear()
        _parsed[digest] = parse_bib_bytes(data)
    return BibFile(os.path.relpath(path), digest, _parsed[digest])


def parse_bib_bytes(data: bytes) -> ParsedBib:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return ParsedBib((), (Problem(line, f"not UTF-8 (byte {error.start}): save the file as UTF-8"),))
    return parse_bib_text(text)


def parse_bib_text(text: str) -> ParsedBib:
    starts = _entry_starts(text)
    with pybtex.errors.capture() as captured:
        data = Parser(person_fields=()).parse_string(text)
    problems, broken = [], set()
    for error in captured:
        problem, key = _problem_for(error, text, starts)
        problems.append(problem)
        if key:
            broken.add(key.lower())
    chunks = {}  # key -> (line, the entry's text up to the next entry)
    for number, (offset, key, line) in enumerate(starts):
        end = starts[number + 1][0] if number + 1 < len(starts) else len(text)
        chunks.setdefault(key.lower(), (line, text[offset:end]))
    # @string macros make an entry's meaning depend on text outside it: digest the whole file then.
    shared = text if re.search(r"@\s*string\s*[{(]", text, re.IGNORECASE) else ""
    entries = []
    for key, entry in data.entries.items():
        if key.lower() in broken:
            continue
        line, chunk = chunks.get(key.lower(), (1, key))
        digest = hashlib.sha256(f"{shared}\0{chunk}".encode()).hexdigest()
        entries.append(BibEntry(key, line, digest, entry.original_type, tuple(entry.fields.items())))
    return ParsedBib(tuple(entries), tuple(problems))


def _entry_starts(text: str) -> list[tuple[int, str, int]]:
    """(offset of the @, key, line) of every entry, in file order."""
    starts, line, position = [], 1, 0
    for match in _ENTRY_START.finditer(text):
        if match.group(1).lower() in _NOT_ENTRIES:
            continue
        line += text.count("\n", position, match.start())
        position = match.start()
        starts.append((match.start(), match.group(2), line))
    return starts


def _problem_for(error, text: str, starts) -> tuple[Problem, str | None]:
    """A problem pybtex reported, placed at the entry it belongs to; and that entry's key, if it
    is unusable."""
    if isinstance(error, PybtexSyntaxError):
        command_start = error.error_context_info[0]
        before = [(key, line) for offset, key, line in starts if offset <= command_start]
        key, line = before[-1] if before else (None, error.lineno or 1)
        where = f"entry {key}: " if key else ""
        return Problem(line, f"{where}{error}; check this entry's braces, quotes and commas"), key
    message = str(error)
    repeated = re.match(r"repeated bibliography entry: (.+)$", message)
    if repeated:
        key = repeated.group(1)
        lines = [line for _, k, line in starts if k.lower() == key.lower()] or [1]
        return Problem(lines[-1], f"duplicate key {key}: also on line {lines[0]}; keys must be unique"), None
    return Problem(_line_of_quoted(message, text, starts), message), None


def _line_of_quoted(message: str, text: str, starts) -> int:
    """The line of the entry holding what a message quotes (a name with too many commas, the key
    of an entry with a field given twice)."""
    duplicate_field = re.match(r"entry with key (\S+) has", message)
    if duplicate_field:
        key = duplicate_field.group(1).lower()
        return next((line for _, k, line in starts if k.lower() == key), 1)
    quoted = re.search(r"'(.+)'$", message)
    offset = text.find(quoted.group(1)) if quoted else -1
    if offset < 0:
        return 1
    before = [line for start, _, line in starts if start <= offset]
    return before[-1] if before else text.count("\n", 0, offset) + 1


class Library:
    """Entries by key from several .bib files; a key may be defined only once across them."""

    def __init__(self, files: list[BibFile], parent: "Library | None" = None):
        self.parent = parent
        self.files = files
        self.entries: dict[str, tuple[BibEntry, str]] = {}  # key -> (entry, file path)
        self.problems: list[tuple[str, Problem]] = []  # (file path, problem)
        self._lower: dict[str, str] = {}
        for bib in files:
            self.problems += [(bib.path, problem) for problem in bib.parsed.problems]
            for entry in bib.parsed.entries:
                self._add(entry, bib.path)

    def _add(self, entry: BibEntry, path: str) -> None:
        existing = self._find_any_case(entry.key)
        if existing:
            other, other_path = existing
            self.problems.append((path, Problem(
                entry.line,
                f"duplicate key {entry.key}: also defined at {other_path}:{other.line}; "
                "each key may be defined in one .bib file only",
            )))
            return
        self.entries[entry.key] = (entry, path)
        self._lower[entry.key.lower()] = entry.key

    def _find_any_case(self, key: str):
        own = self._lower.get(key.lower())
        if own is not None:
            return self.entries[own]
        return self.parent._find_any_case(key) if self.parent else None

    def get(self, key: str) -> BibEntry | None:
        if key in self.entries:
            return self.entries[key][0]
        return self.parent.get(key) if self.parent else None

    def source_of(self, key: str) -> str | None:
        if key in self.entries:
            return self.entries[key][1]
        return self.parent.source_of(key) if self.parent else None

    def keys(self) -> list[str]:
        return list(self.entries) + (self.parent.keys() if self.parent else [])


def bib_files_under(folders: list[str]) -> list[str]:
    found = []
    for folder in folders:
        if os.path.isdir(folder):
            found += [str(p) for p in Path(folder).rglob("*.bib") if p.is_file()]
    return sorted(found)
