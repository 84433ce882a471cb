"""How a cited work is shown: a small pybtex Style, for numeric and author-year references.

pybtex's own `plain` style goes through its template engine, about 3 ms an entry; this style
builds the same kind of rich text directly (about a third of that), and every formatted entry is
kept for the life of the process by the digest of the entry's text and the style.

Field values are LaTeX: pybtex turns `{\\"o}`, `--` and `\\&` into Unicode, and `$\\alpha$` into
plain Unicode text (α); KaTeX is not used here. Its HTML backend escapes whatever HTML a field holds.
"""

import html
import re
from dataclasses import dataclass, replace
from functools import lru_cache

import pybtex.errors
from pybtex.backends.html import Backend as PybtexHtmlBackend
from pybtex.markup import LaTeXParser
from pybtex.richtext import HRef, String, Tag, Text
from pybtex.style import FormattedEntry
from pybtex.style.formatting import BaseStyle

from .bibliography import BibEntry
from .config import AUTHOR_YEAR, NUMERIC

_LINKABLE = re.compile(r"^https?://", re.IGNORECASE)
_URL_ESCAPES = re.compile(r"\\([_%#&$~])")


class HtmlBackend(PybtexHtmlBackend):
    """pybtex's HTML backend with link targets escaped and case protection left out (braces in
    BibTeX keep letters' case: the text itself is already as written)."""

    def format_protected(self, text):
        return text

    @staticmethod
    def format_href(url, text, external=False):
        return f'<a href="{html.escape(url, quote=True)}">{text}</a>' if text else ""


_HTML = HtmlBackend()


@dataclass(frozen=True)
class FormattedReference:
    html: str  # the whole reference
    names: str  # for author-year labels: "Vaswani et al.", "He and Sun", "Goodfellow"
    year: str
    sort_key: tuple[str, ...]  # author names, year, title: the order of an author-year list
    problems: tuple[str, ...] = ()  # what pybtex said about the entry's names (too many commas)


# Characters that LaTeX decoding (latexcodec) changes: commands, math, dashes, quotes, ties, escapes.
_LATEX_SPECIAL = re.compile(r"[\\$~`%]|--|''|\s\s")


@lru_cache(maxsize=100_000)  # a pure function of the string; names and venues repeat a lot
def _latex(value: str) -> Text:
    """pybtex's Text.from_latex, without its slow decoding pass when there is nothing to decode
    (braces alone, `{GPUs}`, only need pybtex's parser)."""
    if _LATEX_SPECIAL.search(value):
        return Text.from_latex(value)
    return LaTeXParser(value).parse() if "{" in value else Text(value)


def _names(parts: list[str]) -> list[Text]:
    return [_latex(part) for part in parts]


def _field(entry, name: str) -> Text | None:
    value = entry.fields.get(name)
    return _latex(value) if value else None


def _year(entry) -> str:
    year = entry.fields.get("year") or entry.fields.get("date", "")[:4]
    return str(_latex(year)) if year else "n.d."


def _url(value: str) -> str:
    """A URL field as written in BibTeX (`\\_` is a common escape in them)."""
    return _URL_ESCAPES.sub(r"\1", value.strip())


def _people(entry):
    return entry.persons.get("author") or entry.persons.get("editor") or []


def _full_name(person) -> Text:
    name = String(" ").join(_names(person.first_names + person.middle_names + person.prelast_names + person.last_names))
    lineage = _names(person.lineage_names)
    return Text(name, ", ", String(" ").join(lineage)) if lineage else name


def _surname_initials(person) -> Text:
    initials = String(" ").join(name.abbreviate() for name in _names(person.first_names + person.middle_names))
    surname = _surname(person)
    return Text(surname, ", ", initials) if initials else surname


def _surname(person) -> Text:
    return String(" ").join(_names(person.prelast_names + person.last_names))


def _join_people(names: list[Text], two: str, last: str) -> Text:
    """A and B / A, B, and C (numeric); A, & B / A, B, & C (author-year)."""
    if len(names) <= 2:
        return String(two).join(names)
    return Text(String(", ").join(names[:-1]), last, names[-1])


def label_names(entry) -> str:
    """Vaswani; He and Sun; Vaswani et al. (or the title when nobody is named)."""
    people = _people(entry)
    if not people:
        title = _field(entry, "title") or Text(entry.key)
        return str(title)
    surnames = [str(_surname(person)) for person in people]
    if len(surnames) == 1:
        return surnames[0]
    if len(surnames) == 2:
        return f"{surnames[0]} and {surnames[1]}"
    return f"{surnames[0]} et al."


class ReferenceStyle(BaseStyle):
    """Numeric: Ashish Vaswani, …, and Illia Polosukhin. Attention is all you need. In *NeurIPS*, pages
    5998–6008, 2017. Author-year: Vaswani, A., …, & Polosukhin, I. (2017). Attention is all you need."""

    default_name_style = "plain"
    default_label_style = "number"
    default_sorting_style = "author_year_title"

    def __init__(self, citation_style: str = NUMERIC, **kwargs):
        super().__init__(**kwargs)
        self.author_year = citation_style == AUTHOR_YEAR

    def format_entry(self, label, entry, bib_data=None):
        blocks = [block.add_period() for block in (self._authors(entry), self._title(entry), *self._venue(entry))
                  if block]
        links = self._links(entry)
        if links:
            blocks.append(Text(String(", ").join(links), "."))
        return FormattedEntry(entry.key, String(" ").join(blocks), label)

    def _authors(self, entry) -> Text | None:
        people = _people(entry)
        if not people:
            return Text(f"({_year(entry)})") if self.author_year else None
        if self.author_year:
            names = _join_people([_surname_initials(p) for p in people], ", & ", ", & ")
            return Text(names, " (", _year(entry), ")")
        return _join_people([_full_name(p) for p in people], " and ", ", and ")

    def _title(self, entry) -> Text | None:
        title = _field(entry, "title")
        if title is None:
            return None
        return Text(Tag("em", title)) if entry.type.lower() in {"book", "phdthesis", "mastersthesis"} else title

    def _venue(self, entry) -> list[Text]:
        kind = entry.type.lower()
        if kind == "article":
            venue = self._journal(entry)
        elif kind in {"inproceedings", "conference", "incollection"}:
            venue = self._proceedings(entry)
        elif kind in {"phdthesis", "mastersthesis"}:
            thesis = "PhD thesis" if kind == "phdthesis" else "Master's thesis"
            venue = self._joined([Text(thesis), _field(entry, "school")])
        elif kind == "techreport":
            venue = self._joined([Text("Technical report", *[" ", _field(entry, "number")] if entry.fields.get("number") else []),
                                  _field(entry, "institution")])
        elif kind == "book":
            venue = self._joined([_field(entry, "publisher")])
        else:
            venue = self._joined([_field(entry, "howpublished"), self._eprint(entry), _field(entry, "publisher")])
        year = None if self.author_year else Text(_year(entry))
        if not venue:
            return [year] if year else []
        return [Text(venue, ", ", year) if year else venue]

    def _journal(self, entry) -> Text | None:
        journal = _field(entry, "journal")
        volume, number, pages = (_field(entry, name) for name in ("volume", "number", "pages"))
        parts = [Tag("em", journal)] if journal else []
        if volume:
            parts += [", ", volume] + (["(", number, ")"] if number else [])
        if pages:
            parts += [":" if volume else ", ", pages]
        return Text(*parts) if parts else self._eprint(entry)

    def _proceedings(self, entry) -> Text | None:
        booktitle, pages = _field(entry, "booktitle"), _field(entry, "pages")
        parts = [Text("In ", Tag("em", booktitle))] if booktitle else []
        if pages:
            parts.append(Text("pages ", pages) if not self.author_year else Text("pp. ", pages))
        return self._joined(parts + [_field(entry, "publisher")])

    def _eprint(self, entry) -> Text | None:
        eprint = entry.fields.get("eprint")
        if not eprint:
            return None
        archive = entry.fields.get("archiveprefix") or entry.fields.get("eprinttype") or ""
        return Text(f"{archive}:{eprint}" if archive else eprint)

    @staticmethod
    def _joined(parts) -> Text | None:
        parts = [part for part in parts if part]
        return String(", ").join(parts) if parts else None

    @staticmethod
    def _links(entry) -> list[Text]:
        links = []
        doi = entry.fields.get("doi")
        if doi:
            doi = _url(doi)
            links.append(HRef(f"https://doi.org/{doi}", f"doi:{doi}"))
        url = _url(entry.fields.get("url", ""))
        if url and not (doi and doi in url):
            links.append(HRef(url, url) if _LINKABLE.match(url) else Text(url))
        return links


# Formatted references by (entry digest, citation style): the digest covers the entry's text,
# so a stale entry is impossible and this needs no reset between builds.
_formatted: dict[tuple[str, str], FormattedReference] = {}
_FORMATTED_LIMIT = 50_000


@lru_cache(maxsize=None)
def _style(citation_style: str) -> "ReferenceStyle":
    """Made on first use (stateless, so once per process): pybtex looks its plugins up through the
    installed packages' entry points, ~70 ms that a build citing nothing need not spend."""
    return ReferenceStyle(citation_style)


def remember_references(formatted: dict[tuple[str, str], FormattedReference]) -> None:
    """References formatted by an earlier process (store.py)."""
    if len(_formatted) + len(formatted) > _FORMATTED_LIMIT:
        _formatted.clear()
    _formatted.update(formatted)


def format_reference(entry: BibEntry, citation_style: str) -> FormattedReference:
    memo_key = (entry.digest, citation_style)
    if memo_key not in _formatted:
        if len(_formatted) >= _FORMATTED_LIMIT:
            _formatted.clear()
        with pybtex.errors.capture() as problems:
            formatted = _format(entry.pybtex_entry(), citation_style)
        _formatted[memo_key] = replace(formatted, problems=tuple(map(str, problems)))
    return _formatted[memo_key]


def _format(entry, citation_style: str) -> FormattedReference:
    text = _style(citation_style).format_entry("", entry).text
    people = _people(entry)
    sort_names = " ".join(f"{_surname(person)} {String(' ').join(_names(person.first_names))}" for person in people)
    title = str(_field(entry, "title") or "")
    return FormattedReference(
        html=text.render(_HTML).strip(),
        names=label_names(entry),
        year=_year(entry),
        sort_key=(sort_names.casefold() or title.casefold(), _year(entry), title.casefold()),
    )
