"""Headings of a series part: their numbers ("3.1", "3.1.2") and their labels, from the HTML.

Pure functions over the HTML Python-Markdown makes: `<h2 id="...">` in the body and
`<a href="#id">text</a>` entries in the table of contents. The numbers are those paper_elements
draws in front of the headings when a part has `section_number_prefix` (h2 "3.1", h3 "3.1.1"):
references to a section need them before it runs.
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


def heading_numbers(html: str, part_number: int) -> dict[str, str]:
    """{heading id: "3.1" or "3.1.2"} for the h2 and h3 headings of part `part_number` that have an id."""
    numbers, h2, h3 = {}, 0, 0
    for match in _NUMBERED_OPENING.finditer(html):
        if match.group(1) == "2":
            h2, h3 = h2 + 1, 0
            number = f"{part_number}.{h2}"
        else:
            h3 += 1
            number = f"{part_number}.{h2}.{h3}"
        found = _ID_ATTRIBUTE.search(match.group(2) or "")
        if found:
            numbers[found.group(1)] = number
    return numbers


def sections_of(toc: str, numbers: dict[str, str]) -> dict[str, Section]:
    """Every heading the table of contents lists, by id, with its number and label.

    Read from the table of contents before it is numbered: its labels have formulas typeset and
    no permalink, which is what a reference to the heading shows.
    """
    return {
        anchor: Section(anchor, numbers.get(anchor, ""), label.strip())
        for anchor, label in _TOC_ENTRY.findall(toc)
    }
