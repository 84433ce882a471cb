"""Headings of a series part: their numbers ("3.1", "3.1.2") and their labels, from the HTML.

Pure functions over the HTML Python-Markdown makes: `<h2 id="...">text<a class="headerlink" ...>`
in the body and `<a href="#id">text</a>` entries in the table of contents. Ids never change;
numbers are added in front of the heading text.
"""

import re
from dataclasses import dataclass

# Second- and third-level headings are numbered; deeper ones keep their text.
_NUMBERED_OPENING = re.compile(r"<h([23])(\s[^>]*)?>")
_ID_ATTRIBUTE = re.compile(r"""\sid=["']([^"']+)["']""")
_TOC_ENTRY = re.compile(r"""<a href=["']#([^"']+)["']>(.*?)</a>""", re.S)


@dataclass(frozen=True)
class Section:
    """A heading someone can link to: its id, its number ("" when unnumbered) and its HTML."""

    anchor: str
    number: str
    label: str  # the heading's HTML as the table of contents has it (formulas typeset)


def section_number_html(number: str) -> str:
    return f'<span class="section-number">{number}</span> '


def _numbered_headings(html: str, part_number: int) -> list[tuple[re.Match, str]]:
    """(opening tag, "3.1" or "3.1.2") for each h2 and h3 heading of part `part_number`."""
    found, h2, h3 = [], 0, 0
    for match in _NUMBERED_OPENING.finditer(html):
        if match.group(1) == "2":
            h2, h3 = h2 + 1, 0
            found.append((match, f"{part_number}.{h2}"))
        else:
            h3 += 1
            found.append((match, f"{part_number}.{h2}.{h3}"))
    return found


def heading_numbers(html: str, part_number: int) -> dict[str, str]:
    """{heading id: its number} for the numbered headings that have an id."""
    numbers = {}
    for opening, number in _numbered_headings(html, part_number):
        found = _ID_ATTRIBUTE.search(opening.group(2) or "")
        if found:
            numbers[found.group(1)] = number
    return numbers


def number_body(html: str, part_number: int) -> str:
    """The body with each h2 and h3 heading's text preceded by its number."""
    pieces, done = [], 0
    for opening, number in _numbered_headings(html, part_number):
        pieces += [html[done:opening.end()], section_number_html(number)]
        done = opening.end()
    return "".join(pieces) + html[done:]


def number_toc(toc: str, numbers: dict[str, str]) -> str:
    """The table of contents with the same numbers in front of its entries."""

    def numbered(match: re.Match) -> str:
        number = numbers.get(match.group(1))
        if not number:
            return match.group(0)
        return f'<a href="#{match.group(1)}">{section_number_html(number)}{match.group(2)}</a>'

    return _TOC_ENTRY.sub(numbered, toc)


def sections_of(toc: str, numbers: dict[str, str]) -> dict[str, Section]:
    """Every heading the table of contents lists, by id, with its number and label.

    Read from the table of contents before it is numbered: its labels have formulas typeset and
    no permalink, which is what a reference to the heading shows.
    """
    return {
        anchor: Section(anchor, numbers.get(anchor, ""), label.strip())
        for anchor, label in _TOC_ENTRY.findall(toc)
    }
