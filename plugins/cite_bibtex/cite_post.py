"""How to cite a post: its BibTeX entry (written with pybtex), a plain-text citation, Google
Scholar's meta tags and schema.org JSON-LD, all from the same fields."""

import hashlib
import io
import json
import re
from dataclasses import dataclass
from datetime import datetime

from pybtex.database import BibliographyData, Entry, Person
from pybtex.database.output.bibtex import Writer
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import BibTeXLexer

# A key BibTeX and biblatex read back as one token.
VALID_KEY = re.compile(r"^[A-Za-z0-9_:.\-/+]+$")

# Characters LaTeX gives a meaning: written so that BibTeX prints them as they are.
_LATEX_ESCAPES = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
    "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
}
# BibTeX counts braces even after a backslash: unbalanced ones are written as commands instead.
_UNBALANCED_BRACES = {"{": r"\textbraceleft{}", "}": r"\textbraceright{}"}
_LATEX_SPECIAL = re.compile("|".join(map(re.escape, _LATEX_ESCAPES)))
_LATEX_UNESCAPES = {escaped: plain for plain, escaped in [*_LATEX_ESCAPES.items(), *_UNBALANCED_BRACES.items()]}
_LATEX_ESCAPED = re.compile("|".join(map(re.escape, sorted(_LATEX_UNESCAPES, key=len, reverse=True))))


def _balanced(text: str) -> bool:
    depth = 0
    for character in text:
        depth += {"{": 1, "}": -1}.get(character, 0)
        if depth < 0:
            return False
    return depth == 0


def latex_escape(text: str) -> str:
    """Plain text as BibTeX field text that prints as written (whitespace runs become one space)."""
    escapes = _LATEX_ESCAPES if _balanced(text) else {**_LATEX_ESCAPES, **_UNBALANCED_BRACES}
    return _LATEX_SPECIAL.sub(lambda m: escapes[m.group(0)], " ".join(text.split()))


def latex_unescape(text: str) -> str:
    """The inverse of latex_escape (for checking round trips)."""
    return _LATEX_ESCAPED.sub(lambda m: _LATEX_UNESCAPES[m.group(0)], text)


class PostEntryWriter(Writer):
    """pybtex's BibTeX writer, in the shape writers paste into papers: braces, two-space indent,
    a comma after every field, names as written, the URL verbatim."""

    def quote(self, s):
        self.check_braces(s)
        return "{" + s + "}"

    def _encode(self, text):
        return latex_escape(text)

    def _write_field(self, stream, type, value):
        encoded = value if type == "url" else self._encode(value)
        stream.write(f"  {type} = {self.quote(encoded)},\n")

    def _format_name(self, stream, person):
        if person.lineage_names:
            return super()._format_name(stream, person)
        return " ".join(person.first_names + person.middle_names + person.prelast_names + person.last_names)

    def write_stream(self, bib_data, stream):
        for key, entry in bib_data.entries.items():
            stream.write(f"@{entry.original_type}{{{key},\n")
            for role, persons in entry.persons.items():
                self._write_persons(stream, persons, role)
            for name, value in entry.fields.items():
                self._write_field(stream, name, value)
            stream.write("}")


def _url_for_bibtex(url: str) -> str:
    """URLs are verbatim in biblatex; only braces and spaces could break the entry."""
    return url.replace("{", "%7B").replace("}", "%7D").replace(" ", "%20")


def bibtex_entry(key: str, entry_type: str, authors: tuple[str, ...], title: str, date: datetime, url: str,
                 note: str = "") -> str:
    fields = [("title", title), ("year", f"{date:%Y}"), ("month", f"{date:%m}"), ("day", f"{date:%d}"),
              ("url", _url_for_bibtex(url))]
    if note:
        fields.append(("note", note))
    entry = Entry(entry_type, fields=fields, persons={"author": [Person(name) for name in authors]})
    stream = io.StringIO()
    PostEntryWriter().write_stream(BibliographyData(entries={key: entry}), stream)
    return stream.getvalue()


_LEXER, _FORMATTER = BibTeXLexer(), HtmlFormatter(nowrap=True)


def highlighted(bibtex: str) -> str:
    """The entry as a code block, like the Markdown reader's (the theme's copy button finds it):
    its <pre> may scroll sideways, so it is focusable and named, for keyboard users."""
    code = highlight(bibtex, _LEXER, _FORMATTER)
    return (f'<div class="language-bibtex highlight" data-lang="bibtex">'
            f'<pre tabindex="0" role="group" aria-label="Code: BibTeX"><span></span>'
            f"<code>{code}</code></pre></div>")


def _sentence(text: str) -> str:
    return text if text.endswith((".", "?", "!")) else text + "."


def script_json(value) -> str:
    """JSON that is safe inside <script>: no `<`, `>` or `&` that could end it."""
    text = json.dumps(value, ensure_ascii=False, indent=None, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@dataclass(frozen=True)
class PostCitation:
    """Everything the "Cite this post" block, the .bib files and the head tags show."""

    key: str
    authors: tuple[str, ...]
    title: str  # plain text
    year: str
    url: str  # absolute
    site_name: str
    text: str  # Author. (Year). Title. Site. (the URL follows it in the block)
    bibtex: str  # the entry, without a final newline
    bibtex_html: str  # the entry, highlighted
    bib_url: str  # this post's .bib, relative to SITEURL
    site_bib_url: str  # every post's entries, relative to SITEURL
    meta: tuple[tuple[str, str], ...]  # Google Scholar / Zotero: (name, content), in order
    json_ld: str  # schema.org BlogPosting, safe to print inside <script type="application/ld+json">


# A post's entry and its highlighted HTML, by the digest of what they are made from: pybtex and
# Pygments cost a few milliseconds a post, and a rebuild finds every unchanged post's entry here
# (store.py keeps them between processes). The key makes a stale entry impossible.
_entries: dict[str, tuple[str, str]] = {}
_ENTRIES_LIMIT = 50_000


def remember_entries(entries: dict[str, tuple[str, str]]) -> None:
    if len(_entries) + len(entries) > _ENTRIES_LIMIT:
        _entries.clear()
    _entries.update(entries)


def _entry_and_html(*fields) -> tuple[str, tuple[str, str]]:
    digest = hashlib.sha256(repr(fields).encode()).hexdigest()
    if digest not in _entries:
        if len(_entries) >= _ENTRIES_LIMIT:
            _entries.clear()
        bibtex = bibtex_entry(*fields)
        _entries[digest] = (bibtex, highlighted(bibtex))
    return digest, _entries[digest]


def post_citation(*, key: str, entry_type: str, authors: list[str], title: str, date: datetime,
                  modified: datetime | None, url: str, site_name: str, site_url: str, note: str,
                  bib_url: str, site_bib_url: str, used: dict[str, tuple[str, str]]) -> PostCitation:
    """`used` collects the entries this build made or reused, for the cache."""
    digest, (bibtex, bibtex_html) = _entry_and_html(key, entry_type, tuple(authors), title, date, url, note)
    used[digest] = (bibtex, bibtex_html)
    # The fields by hand: Pelican's dates format through its own strftime, ~40 µs a call.
    year, published = f"{date.year:04d}", f"{date.year:04d}/{date.month:02d}/{date.day:02d}"
    parts = [", ".join(authors), f"({year})", title, site_name]
    text = " ".join(_sentence(part) for part in parts if part)
    meta = (("citation_title", title), *(("citation_author", name) for name in authors),
            ("citation_publication_date", published), ("citation_public_url", url))
    json_ld = {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "headline": title,
        "author": [{"@type": "Person", "name": name} for name in authors],
        "datePublished": date.isoformat(),
        "dateModified": (modified or date).isoformat(),
        "url": url,
        "mainEntityOfPage": url,
        "isPartOf": {"@type": "Blog", "name": site_name, "url": site_url + "/"},
    }
    return PostCitation(
        key=key, authors=tuple(authors), title=title, year=year, url=url, site_name=site_name,
        text=text, bibtex=bibtex, bibtex_html=bibtex_html, bib_url=bib_url,
        site_bib_url=site_bib_url, meta=meta, json_ld=script_json(json_ld),
    )
