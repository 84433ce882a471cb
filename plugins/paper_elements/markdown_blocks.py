"""Python-Markdown extension: theorem-like blocks, figure blocks and `@label` references.

    !!! theorem "Basel problem" {#thm:basel}
        $\\sum_{n \\ge 1} 1/n^2 = \\pi^2/6$.

    ??? proof
        Collapsed: a <details> whose <summary> is "Proof."; a ∎ ends it.

    !!! figure "Stars (Yosemite)" {#fig:stars width=60%}
        ![Star trails above Half Dome.]({static}/images/stars.jpg)

The syntax is the admonition syntax writers here already use (`!!! note`, `??? note`), so
`???` is the collapsed form and `???+` starts open. Theorems are numbered here, per post (they
depend on nothing else, so the numbers are cached with the body and show in summaries too);
figures, sections and references are numbered when the whole build is known (see `document.py`).
A reference becomes `<a class="xref" data-xref="fig:stars">`, filled in later.

Problems cannot be logged from here (this runs in katex_markdown's worker processes, and a cached
body is not rendered again): they travel as `data-paper-error` attributes, which `document.py`
reports, with the line, and removes.
"""

import re
import xml.etree.ElementTree as etree

from markdown import Extension
from markdown.blockprocessors import BlockProcessor
from markdown.inlinepatterns import InlineProcessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import HTML_PLACEHOLDER_RE, AtomicString

from .kinds import (
    FIGURE_PREFIXES, LABEL_RE, REFERENCE_RE, THEOREM_KINDS, THEOREM_PREFIXES, UNNUMBERED_KINDS, USUAL_PREFIX,
    anchor_id,
)

BLOCK_KINDS = (*THEOREM_KINDS, "figure")
_OPENING_RE = re.compile(
    r"(?:^|\n)(?P<marker>!!!|\?\?\?\+?) ?(?P<kind>" + "|".join(BLOCK_KINDS) + r")(?![\w-])(?P<rest>[^\n]*)(?:\n|$)"
)
_REST_RE = re.compile(r'^(?: +"(?P<title>.*)")?(?: *\{:?(?P<attrs>[^{}]*)\})? *$')
_ATTR_RE = re.compile(r'#(?P<label>\S+)|\.(?P<class>[\w-]+)|(?P<key>[\w-]+)=(?:"(?P<quoted>[^"]*)"|(?P<value>\S+))')
_WIDTH_RE = re.compile(r"(?:\d+(?:\.\d+)?)(?:%|px|rem|em|ch)")
_DISPLAY_ONLY_RE = re.compile("^\\s*\ue002[^\ue003]*\ue003\\s*$")  # katex_markdown's display placeholder

MARK = "data-paper-block"  # on elements this extension opened, until they are finished
TITLE = "data-paper-title"
ERROR = "data-paper-error"
AT = "data-paper-at"


def _parse_attributes(text: str, kind: str) -> tuple[dict, list[str]]:
    """`#thm:basel .wide width=60%` into {"label", "classes", "width"}, and the problems found."""
    found, problems = {"classes": []}, []
    position = 0
    for match in _ATTR_RE.finditer(text):
        stray = text[position : match.start()].strip()
        if stray:
            problems.append(f"cannot read {stray!r} in {{...}}")
        position = match.end()
        if match["label"]:
            found["label"] = match["label"]
        elif match["class"]:
            found["classes"].append(match["class"])
        elif match["key"] == "width" and kind == "figure":
            found["width"] = match["quoted"] if match["quoted"] is not None else match["value"]
        else:
            problems.append(f"unknown option {match['key']}= (a figure takes width=, e.g. width=60%)")
    if text[position:].strip():
        problems.append(f"cannot read {text[position:].strip()!r} in {{...}}")
    return found, problems


def _label_problem(label: str, kind: str) -> str | None:
    prefixes = FIGURE_PREFIXES if kind == "figure" else THEOREM_PREFIXES
    match = LABEL_RE.fullmatch(label)
    if match and match["prefix"] in prefixes:
        return None
    example = f"{USUAL_PREFIX[kind]}:{anchor_id(label.partition(':')[2] or label) or 'name'}"
    return (
        f"label #{label} cannot be referred to: a {kind}'s label starts with "
        f"{', '.join(p + ':' for p in prefixes)} and ends with a letter or digit (e.g. #{example})"
    )


class PaperBlockProcessor(BlockProcessor):
    """`!!!`, `???` and `???+` blocks of the kinds in BLOCK_KINDS; other kinds are left to the
    admonition and details extensions, which this processor runs before."""

    def test(self, parent, block):
        return bool(_OPENING_RE.search(block)) or self._continued(parent, block) is not None

    def _continued(self, parent, block):
        """The block this indented chunk continues (after a blank line), if it is one of ours."""
        sibling = self.lastChild(parent)
        if sibling is not None and sibling.get(MARK) and block.startswith(" " * self.tab_length):
            return sibling
        return None

    def run(self, parent, blocks):
        block = blocks.pop(0)
        match = _OPENING_RE.search(block)
        if match:
            if match.start() > 0:
                self.parser.parseBlocks(parent, [block[: match.start()]])
            element = self._open(parent, match)
            block = block[match.end() :]
        else:
            element = self._continued(parent, block)
        block, rest = self.detab(block)
        self.parser.parseChunk(element, block)
        if rest:
            blocks.insert(0, rest)

    def _open(self, parent, match):
        marker, kind = match["marker"], match["kind"]
        opening = match.group(0).strip("\n")
        rest = _REST_RE.match(match["rest"])
        problems = []
        if rest is None:
            problems.append(f'cannot read this line; write {marker} {kind} "Title" {{#label}}')
            title, attributes = None, {"classes": []}
        else:
            title = rest["title"] or None
            attributes, problems = _parse_attributes(rest["attrs"] or "", kind)
        if kind == "figure":
            element = self._figure(parent, marker, title, attributes, problems)
        else:
            element = etree.SubElement(parent, "div" if marker == "!!!" else "details")
            element.set("class", " ".join(["theorem", f"theorem--{kind}", *attributes["classes"]]))
            if marker == "???+":
                element.set("open", "open")
            if title:
                element.set(TITLE, title)
        label = attributes.get("label")
        if label:
            problem = _label_problem(label, kind)
            if problem:
                problems.append(problem)
            element.set("id", anchor_id(label))
            element.set("data-label", label)
        element.set(MARK, kind)
        element.set(AT, opening)  # kept only if there is a problem to report
        if problems:
            element.set(ERROR, "; ".join(problems))
        return element

    def _figure(self, parent, marker, title, attributes, problems):
        figure = etree.SubElement(parent, "figure")
        figure.set("class", " ".join(["figure", *attributes["classes"]]))
        if marker != "!!!":
            problems.append("a figure cannot be collapsed: open it with !!! figure")
        width = attributes.get("width")
        if width is not None:
            if _WIDTH_RE.fullmatch(width) and not (width.endswith("%") and float(width[:-1]) > 100):
                figure.set("style", f"width: {width}")
            else:
                problems.append(f"width={width} is not a width: write a percentage or a length (60%, 24rem, 480px)")
        if title or attributes.get("label"):
            caption = etree.SubElement(figure, "figcaption")
            caption.text = title or ""
        return figure


class FinishBlocks(Treeprocessor):
    """Once the whole post is parsed: numbers, run-in heads, ∎, captions last, markers off."""

    def __init__(self, md, counters: str):
        super().__init__(md)
        self.counters = counters

    def run(self, root):
        numbers: dict[str, int] = {}
        labels: set[str] = set()
        for element in [e for e in root.iter() if e.get(MARK)]:
            kind = element.attrib.pop(MARK)
            label = element.get("data-label")
            if label and label in labels:
                element.set(ERROR, f"duplicate label #{label}: each label names one thing in a post")
            labels.add(label)
            if not element.get(ERROR):
                del element.attrib[AT]
            if kind == "figure":
                _place_caption(element)
            else:
                self._finish_theorem(element, kind, numbers)

    def _finish_theorem(self, element, kind, numbers):
        title = element.attrib.pop(TITLE, None)
        name = THEOREM_KINDS[kind]
        if kind not in UNNUMBERED_KINDS:
            counter = "shared" if self.counters == "shared" else kind
            numbers[counter] = numbers.get(counter, 0) + 1
            name = f"{name} {numbers[counter]}"
        if element.get("data-label"):
            element.set("data-xref", name)  # what a reference to it says
        if kind in UNNUMBERED_KINDS:
            name, title = title or name, None  # "Proof of Theorem 2", as LaTeX's \begin{proof}[...]
        head = _head(name, title)
        if element.tag == "details":
            summary = etree.Element("summary")
            summary.append(head)
            element.insert(0, summary)
        else:
            _run_in(element, head)
        if kind == "proof":
            _end_with_qed(element)


def _place_caption(figure):
    """After everything the block holds; above a table, where papers put a table's caption."""
    caption = figure.find("figcaption")
    if caption is not None:
        figure.remove(caption)
        if figure.find("table") is not None:
            figure.insert(0, caption)
        else:
            figure.append(caption)


def _head(name: str, title: str | None):
    head = etree.Element("span", {"class": "theorem-head"})
    name_element = etree.SubElement(head, "span", {"class": "theorem-name"})
    name_element.text = name
    if title:
        name_element.tail = " "
        title_element = etree.SubElement(head, "span", {"class": "theorem-title"})
        title_element.text = f"({title})"
        title_element.tail = "."
    else:
        name_element.tail = "."
    return head


def _is_prose(paragraph) -> bool:
    """A paragraph of text, not one that only holds a display formula or stashed HTML (a code
    block), which become blocks of their own: a head or a ∎ cannot go inside those."""
    if paragraph is None or paragraph.tag != "p":
        return False
    if len(paragraph):
        return True
    text = (paragraph.text or "").strip()
    return bool(text) and not _DISPLAY_ONLY_RE.match(text) and not HTML_PLACEHOLDER_RE.fullmatch(text)


def _run_in(element, head):
    """The head opens the first paragraph, as in a paper; on a line of its own before anything else."""
    first = element[0] if len(element) else None
    if _is_prose(first):
        head.tail = " " + (first.text or "")
        first.text = None
        first.insert(0, head)
    else:
        paragraph = etree.Element("p", {"class": "theorem-head-line"})
        paragraph.append(head)
        element.insert(0, paragraph)


def _end_with_qed(element):
    qed = etree.Element("span", {"class": "qed", "role": "img", "aria-label": "End of proof"})
    qed.text = AtomicString("\u220e")
    last = element[-1] if len(element) else None
    if _is_prose(last):
        last.append(qed)
    else:
        paragraph = etree.SubElement(element, "p", {"class": "qed-line"})
        paragraph.append(qed)


class CrossReference(InlineProcessor):
    """`@fig:stars` becomes a placeholder link that `document.py` fills in."""

    def handleMatch(self, m, data):
        link = etree.Element("a", {"class": "xref", "data-xref": m["label"]})
        link.text = AtomicString("@" + m["label"])
        return link, m.start(0), m.end(0)


class PaperBlocksExtension(Extension):
    def __init__(self, **kwargs):
        self.config = {"theorem_counters": ["shared", "shared: one sequence for every kind; separate: one per kind"]}
        super().__init__(**kwargs)

    def extendMarkdown(self, md):
        counters = self.getConfig("theorem_counters")  # checked by settings.py when the build starts
        # Before the admonition and details processors (105), which would take `!!! theorem`.
        md.parser.blockprocessors.register(PaperBlockProcessor(md.parser), "paper_blocks", 106)
        # Before the inline pass (20), so that titles and the first paragraph are parsed with their heads.
        md.treeprocessors.register(FinishBlocks(md, counters), "paper_blocks_finish", 30)
        # After backticks (190) and escapes (180): not in code, and `\@fig:x` stays as written.
        md.inlinePatterns.register(CrossReference(REFERENCE_RE, md), "paper_xref", 175)
        if "@" not in md.ESCAPED_CHARS:
            md.ESCAPED_CHARS.append("@")


def makeExtension(**kwargs):
    return PaperBlocksExtension(**kwargs)
