"""Sidenotes and margin notes: a Python-Markdown extension the pipeline always adds.

- Each footnote whose text is prose (paragraphs of inline content) gets a copy, `<small
  class="sidenote">`, placed right after its first reference. The stylesheet floats the copy into
  the right margin on wide screens and hides the footnote list item then; on narrow screens and in
  print the copy is hidden and the footnote list shows. Floats are placed by the browser as the
  page is laid out: no script, no layout shift.
- `{>> text <<}` in prose is an unnumbered margin note, `<small class="marginnote">`: in the margin
  on wide screens, an inset line of small print where it stands otherwise.

Footnotes that hold blocks (lists, code, tables), and references in headings, tables and
summaries, stay footnotes only. `<small>` ("side comments such as small print") never nests here,
so later passes (summaries) can drop notes with a non-greedy match.
"""

import copy
import re
import xml.etree.ElementTree as etree

from markdown import util
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor
from markdown.treeprocessors import Treeprocessor

from . import math_source as ms

MARGIN_NOTE_RE = r"\{>>[ \t]*(.+?)[ \t]*<<\}"
NOTE_CLASSES = ("sidenote", "marginnote")
IN_MARGIN_CLASS = "footnote--in-margin"  # on the footnote <li> whose copy is a sidenote
# Containers where a float would be clipped (tables scroll sideways) or out of place.
_NO_SIDENOTE_INSIDE = {"table", "h1", "h2", "h3", "h4", "h5", "h6", "summary", "figcaption", "dt", "small"}
_RAW_HTML_BLOCK_RE = re.compile(rf"^\s*{util.STX}wzxhzdk:\d+{util.ETX}\s*$")
_FOOTNOTE_NBSP = util.STX + "qq3936677670287331zz" + util.ETX  # footnotes' &#160; before the backlink
_DISPLAY_TO_INLINE = str.maketrans({ms.DISPLAY_OPEN: ms.INLINE_OPEN, ms.DISPLAY_CLOSE: ms.INLINE_CLOSE})


class MarginNoteProcessor(InlineProcessor):
    """`{>> text <<}`: the text is parsed by the inline patterns after this one (emphasis, links)."""

    def handleMatch(self, match, data):
        note = etree.Element("small", {"class": "marginnote"})
        note.text = match.group(1)
        return note, match.start(0), match.end(0)


class SidenoteTreeprocessor(Treeprocessor):
    """Copies each prose footnote next to its first reference (runs once footnotes are complete)."""

    def run(self, root):
        footnotes = next((div for div in root.iter("div") if div.get("class") == "footnote"), None)
        if footnotes is None:
            return
        items = {item.get("id"): item for item in footnotes.iter("li") if item.get("id")}
        parents = {child: parent for parent in root.iter() for child in parent}
        placed = set()
        for sup in list(root.iter("sup")):
            link = sup.find("a")
            if link is None or link.get("class") != "footnote-ref":
                continue
            target = link.get("href", "").lstrip("#")
            item = items.get(target)
            if target in placed or item is None or not _is_prose(item) or not _in_prose(sup, parents):
                continue
            placed.add(target)
            _insert_after(parents[sup], sup, _sidenote(item, link.text or ""))
            item.set("class", IN_MARGIN_CLASS)


def _in_prose(element, parents) -> bool:
    while element in parents:
        element = parents[element]
        if element.tag in _NO_SIDENOTE_INSIDE or element.get("class") == "footnote":
            return False
    return True


def _is_prose(item) -> bool:
    """Only paragraphs of inline content fit inside a line of text (`<p>` cannot hold blocks)."""
    for paragraph in item:
        if paragraph.tag != "p" or _RAW_HTML_BLOCK_RE.match(paragraph.text or ""):
            return False
        if any(child.tag in ("div", "ul", "ol", "pre", "table", "blockquote", "p") for child in paragraph.iter()
               if child is not paragraph):
            return False
    return len(item) > 0


def _sidenote(item, number: str):
    note = etree.Element("small", {"class": "sidenote"})
    marker = etree.SubElement(note, "span", {"class": "sidenote__number"})
    marker.text = number
    marker.tail = " "
    for paragraph in item:
        copied = copy.deepcopy(paragraph)
        copied.tag = "span"
        copied.attrib = {"class": "sidenote__para"}
        for element in list(copied.iter()):
            element.attrib.pop("id", None)
            for child in list(element):
                if child.get("class") == "footnote-backref":
                    element.remove(child)
            element.text = _inline_math(element.text)
            element.tail = _inline_math(element.tail)
        note.append(copied)
    return note


def _inline_math(text):
    """A display formula inside a sidenote: KaTeX's display HTML is a block of its own, and the
    copy must not repeat the ids of the original's wrapper; so it goes in as an inline placeholder."""
    if not text:
        return text
    return text.replace(_FOOTNOTE_NBSP, "").translate(_DISPLAY_TO_INLINE)


def _insert_after(parent, element, new):
    index = list(parent).index(element)
    new.tail = element.tail
    element.tail = None
    parent.insert(index + 1, new)


class SidenoteExtension(Extension):
    def __init__(self, footnote_copies: bool = True):
        self.footnote_copies = footnote_copies
        super().__init__()

    def extendMarkdown(self, md):
        # Before `footnote` (175) and the emphasis patterns, after code spans (190) and escapes.
        md.inlinePatterns.register(MarginNoteProcessor(MARGIN_NOTE_RE, md), "margin_note", 176)
        if self.footnote_copies:
            # After footnotes' own treeprocessors (50: the list, 15: duplicate references) and the
            # inline pass (20), so every reference and footnote text is complete; before prettify (10).
            md.treeprocessors.register(SidenoteTreeprocessor(md), "sidenote", 12)
