"""An entry's one-sentence blurb: the `Blurb:` field as plain text, or the summary's first sentence.

The summary is HTML with KaTeX's formulas in it. The first sentence is cut from the summary's
first paragraph as HTML, so formulas stay typeset: a formula or a code span is never cut, and a
full stop inside one does not end the sentence. Pure logic: no Pelican import.
"""

import re
from dataclasses import dataclass
from html import escape

from lxml import html as lxml_html

# A sentence ends at . ! or ? (with any closing quotes or brackets) followed by white space.
_SENTENCE_END_RE = re.compile(r"[.!?][\"”’')\]]*(?=\s)")
_ABBREVIATIONS = {"e.g.", "i.e.", "cf.", "vs.", "al.", "etc.", "fig.", "eq.", "eqs.", "resp.", "approx.", "no."}
_ATOMIC_CLASSES = {"katex", "katex-display", "math-display"}
_ATOMIC_TAGS = {"code", "kbd", "math", "script", "style"}


@dataclass(frozen=True)
class Blurb:
    html: str
    has_math: bool


def blurb_from_field(text: str) -> Blurb:
    """A `Blurb:` written by the author: plain text, escaped."""
    return Blurb(escape(" ".join(text.split()), quote=False), False)


def first_sentence(summary_html: str) -> Blurb:
    """The first sentence of the summary's first paragraph, as HTML (formulas intact)."""
    if not summary_html or not summary_html.strip():
        return Blurb("", False)
    fragments = lxml_html.fragments_fromstring(summary_html)
    paragraph = _first_paragraph(fragments)
    if paragraph is None:
        return Blurb(escape(" ".join(str(fragments[0]).split()), quote=False), False)
    _cut_after_first_sentence(paragraph)
    inner = escape(paragraph.text or "", quote=False) + "".join(
        lxml_html.tostring(child, encoding="unicode") for child in paragraph
    )
    has_math = any(_is_math(element) for element in paragraph.iter())
    return Blurb(inner.strip(), has_math)


def _first_paragraph(fragments):
    elements = [f for f in fragments if not isinstance(f, str)]
    if not elements:
        return None
    return next((e for e in elements if e.tag == "p"), elements[0])


def _classes(element) -> set[str]:
    return set((element.get("class") or "").split())


def _is_math(element) -> bool:
    return bool(_classes(element) & _ATOMIC_CLASSES) or element.tag == "math"


def _is_atomic(element) -> bool:
    return _is_math(element) or element.tag in _ATOMIC_TAGS


def _sentence_end(text: str | None) -> int | None:
    """The offset just after the first sentence's end in `text`, if it ends there."""
    for match in _SENTENCE_END_RE.finditer(text or ""):
        word = text[: match.start() + 1].rsplit(None, 1)[-1].lower()
        if word not in _ABBREVIATIONS:
            return match.end()
    return None


def _cut_after_first_sentence(element) -> bool:
    """Truncate `element` just after its first sentence; True when the sentence ended inside it."""
    if _is_atomic(element):
        return False
    end = _sentence_end(element.text)
    if end is not None:
        element.text = element.text[:end]
        for child in list(element):
            element.remove(child)
        return True
    children = list(element)
    for position, child in enumerate(children):
        ended = _cut_after_first_sentence(child)
        if not ended:
            end = _sentence_end(child.tail)
            if end is not None:
                child.tail = child.tail[:end]
                ended = True
        elif child.tail:
            child.tail = None
        if ended:
            for later in children[position + 1:]:
                element.remove(later)
            return True
    return False
