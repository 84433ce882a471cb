"""A post's numbers and references, once the build knows everything about it.

Works on the body katex_markdown hands to Pelican (formulas are private-use placeholders, so no
TeX is seen here) and on the HTML the Markdown extension (`markdown_blocks.py`) wrote. Runs on
every build, so it is only string scanning, and a body without anything to do costs a few
substring tests. Plain functions, no Pelican: `plugin.py` applies the result to a post.

- figures: every <figure> with a <figcaption>, in order: "Figure 1:", "Table 1:" (it holds a
  table), "Listing 1:" (it holds code); images load lazily; an image without alt text is named.
- sections: when numbered, h2 and h3 get "1", "1.1" (after a prefix such as "3": "3.1", "3.1.1"),
  in the body and the table of contents.
- a `[TOC]` marker's table of contents becomes a <nav> in the body (and the post's own goes).
- references: each `@label` placeholder becomes a link saying "Figure 1", "Theorem 2", "(3)",
  "Section 2.1"; on list pages (summaries) plain text.
"""

import html
import re
from dataclasses import dataclass, field

from .kinds import FIGURE_NAMES, FIGURE_PREFIXES, LABEL_RE, REFERENCE_RE, anchor_id
from .markdown_blocks import AT, ERROR

_EXTENSION_ERROR_TAG_RE = re.compile(r'<[a-z]+\b[^>]*\bdata-paper-error="[^"]*"[^>]*>')
_ATTRIBUTE_RE = re.compile(r'\s(?P<name>[\w-]+)="(?P<value>[^"]*)"')
_FIGURE_TOKEN_RE = re.compile(r"<figure\b[^>]*>|</figure>|<figcaption\b[^>]*>")
_TYPED_NUMBER_RE = re.compile(r"\s*(?:Figure|Fig\.|Table|Listing)(?:\s+\d+)?\s*[:.]\s*")
_CODE_RE = re.compile(r'<pre\b|class="[^"]*\bhighlight\b')
_IMG_RE = re.compile(r"<img\b[^>]*>")
_THEOREM_TARGET_RE = re.compile(r'<(?:div|details)\b[^>]*\bdata-label="[^"]*"[^>]*>')
_SECTION_RE = re.compile(r"<h([23])\b[^>]*>")
_HEADING_RE = re.compile(r'<h([2-6])\b[^>]*\bid="([^"]+)"[^>]*>(.*?)</h\1>', re.S)
_HEADERLINK_RE = re.compile(r'<a class="headerlink"[^>]*>.*?</a>', re.S)
_TAG_RE = re.compile(r"<[^>]+>")
_PLACEHOLDER_RE = re.compile("[\ue000-\ue0ff]")
_BODY_TOC_RE = re.compile(r'<div class="toc">(.*?)</div>', re.S)
_XREF_RE = re.compile(r'<a class="xref" data-xref="([^"]*)">.*?</a>', re.S)
_SUMMARY_RE = re.compile(r"<summary\b[^>]*>.*?</summary>", re.S)
# In plain text made from HTML a reference's closing tag left a space before the punctuation.
_PLAIN_REFERENCE_RE = re.compile(REFERENCE_RE + r"(?: (?=[.,;:!?)]))?")
_QUICK_MARKERS = ("<figure", "data-label=", 'class="xref"', "<img", "data-paper-error", '<div class="toc">')


@dataclass
class Problem:
    level: str  # "error" or "warning"
    needles: tuple[str, ...]  # text to look for in the source, to name the line: the first found
    message: str


@dataclass
class Target:
    text: str  # what a reference says: "Figure 1", "(3)"
    anchor: str  # the element id it links to
    css_class: str = "xref"


@dataclass
class Document:
    body: str
    summary: str
    toc: str
    description: str
    has_theorems: bool = False
    toc_in_body: bool = False
    problems: list[Problem] = field(default_factory=list)


def attributes_of(tag: str) -> dict[str, str]:
    return {m["name"]: html.unescape(m["value"]) for m in _ATTRIBUTE_RE.finditer(tag)}


def _replace_spans(text: str, edits: list[tuple[int, int, str]]) -> str:
    """Apply (start, end, replacement) edits that do not overlap."""
    pieces, position = [], 0
    for start, end, replacement in sorted(edits):
        pieces.append(text[position:start])
        pieces.append(replacement)
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


def extension_problems(body: str, problems: list[Problem]) -> str:
    """Problems the Markdown extension marked on its elements: reported, and the marks removed."""

    def report(match):
        tag = match.group()
        found = attributes_of(tag)
        problems.append(Problem("error", (found[AT],), f"{found[AT]}: {found[ERROR]}"))
        return re.sub(rf'\s(?:{ERROR}|{AT})="[^"]*"', "", tag)

    return _EXTENSION_ERROR_TAG_RE.sub(report, body)


# --- Figures -----------------------------------------------------------------------------------
def _figure_kind(inside: str) -> str:
    if "<table" in inside:
        return "table"
    if _CODE_RE.search(inside):
        return "listing"
    return "figure"


def _figure_label(open_tag: str) -> str | None:
    found = attributes_of(open_tag)
    label = found.get("data-label") or found.get("id")
    match = LABEL_RE.fullmatch(label or "")
    return label if match and match["prefix"] in FIGURE_PREFIXES else None


def number_figures(body: str, targets: dict[str, Target]) -> str:
    """Each <figure> with a <figcaption>, in the order the figures open, gets its kind's next number."""
    stack, figures = [], []  # figures: [open match, caption match, close match]
    for token in _FIGURE_TOKEN_RE.finditer(body):
        text = token.group()
        if text.startswith("<figure"):
            figures.append([token, None, None])
            stack.append(figures[-1])
        elif text == "</figure>" and stack:
            stack.pop()[2] = token
        elif text.startswith("<figcaption") and stack and stack[-1][1] is None:
            stack[-1][1] = token
    counters, edits = {}, []
    for opening, caption, closing in figures:
        if caption is None or closing is None:
            continue
        kind = _figure_kind(body[opening.end() : closing.start()])
        counters[kind] = counters.get(kind, 0) + 1
        name = f"{FIGURE_NAMES[kind]}\u00a0{counters[kind]}"
        label = _figure_label(opening.group())
        if label:
            targets[label] = Target(name, anchor_id(label))
            edits.append((opening.start(), opening.end(), _with_id(opening.group(), anchor_id(label))))
        typed = _TYPED_NUMBER_RE.match(body, caption.end())
        caption_text_start = typed.end() if typed else caption.end()
        end_of_caption = body.find("</figcaption>", caption_text_start)
        empty = not _TAG_RE.sub("", body[caption_text_start:end_of_caption]).strip()
        number = f'<span class="figure-number">{name}{"" if empty else ":"}</span>{"" if empty else " "}'
        edits.append((caption.end(), caption_text_start, number))
    return _replace_spans(body, edits)


def _with_id(open_tag: str, anchor: str) -> str:
    if ' id="' in open_tag:
        return re.sub(r' id="[^"]*"', f' id="{anchor}"', open_tag)
    return open_tag[:-1] + f' id="{anchor}">'


def images(body: str, problems: list[Problem]) -> None:
    """An image without alt text is named (readers of screen readers see nothing). How images load
    (`loading`, `decoding`, sizes) is responsive_images' business: it knows which are on the first
    screen."""
    for match in _IMG_RE.finditer(body):
        found = attributes_of(match.group())
        if not found.get("alt", "").strip():
            source = found.get("src", "")
            problems.append(Problem(
                "warning", (f"![]({source}", f'"{source}"', source),
                f"image {source} has no alt text: describe what it shows between the brackets, ![...]({source})",
            ))


# --- Theorems ----------------------------------------------------------------------------------
def theorem_targets(body: str, targets: dict[str, Target]) -> None:
    for match in _THEOREM_TARGET_RE.finditer(body):
        found = attributes_of(match.group())
        if "data-xref" in found and found.get("id"):
            name, _, number = found["data-xref"].rpartition(" ")
            targets[found["data-label"]] = Target(f"{name}\u00a0{number}" if name else number, found["id"])


# --- Sections ----------------------------------------------------------------------------------
def section_numbers(body: str, prefix: str) -> tuple[str, dict[str, str]]:
    """h2 and h3 numbered ("1", "1.1"; after a prefix "3": "3.1", "3.1.1"); the numbers by heading id."""
    counts, edits, by_id = [0, 0], [], {}
    lead = f"{prefix}." if prefix else ""
    for match in _SECTION_RE.finditer(body):
        level = int(match.group(1))
        if level == 2:
            counts = [counts[0] + 1, 0]
            number = f"{lead}{counts[0]}"
        else:
            counts[1] += 1
            number = f"{lead}{counts[0]}.{counts[1]}"
        edits.append((match.end(), match.end(), f'<span class="section-number">{number}</span> '))
        heading_id = attributes_of(match.group()).get("id")
        if heading_id:
            by_id[heading_id] = number
    return _replace_spans(body, edits), by_id


def number_toc(toc: str, numbers: dict[str, str]) -> str:
    """The same numbers before the entries of a table of contents."""

    def entry(match):
        number = numbers.get(html.unescape(match.group(1)))
        return match.group() + (f'<span class="section-number">{number}</span> ' if number else "")

    return re.sub(r'<a href="#([^"]*)">', entry, toc) if numbers else toc


def section_targets(body: str, numbers: dict[str, str], targets: dict[str, Target]) -> None:
    """`sec:intro` for a heading with that id, and `sec:<id>` for any heading: "Section 2.1" when
    numbered, else the heading's text."""
    for match in _HEADING_RE.finditer(body):
        heading_id = html.unescape(match.group(2))
        if heading_id in numbers:
            text = f"Section\u00a0{numbers[heading_id]}"
        else:
            text = _TAG_RE.sub("", _HEADERLINK_RE.sub("", match.group(3))).strip()
        label = heading_id if heading_id.startswith("sec:") else f"sec:{heading_id}"
        targets.setdefault(label, Target(text, heading_id))


def toc_in_body(body: str, numbers: dict[str, str], problems: list[Problem]) -> tuple[str, bool]:
    """The table of contents a `[TOC]` marker left in the body, as a <nav> (with the section
    numbers); (body, whether there is one)."""
    placed = False

    def place(match):
        nonlocal placed
        if "<li" not in match.group(1):
            problems.append(Problem(
                "warning", ("[TOC]",), "[TOC] shows nothing: the post has no headings of levels 2 to 4 (## to ####)",
            ))
            return ""
        placed = True
        return (
            '<nav class="toc-inline" aria-label="Contents"><p class="toc-inline__title">Contents</p>'
            f"{number_toc(match.group(1).strip(), numbers)}</nav>"
        )

    return _BODY_TOC_RE.sub(place, body), placed


# --- References --------------------------------------------------------------------------------
def equation_targets(equation_labels: dict, targets: dict[str, Target]) -> None:
    """The math layer's labels (`\\label{eq:gauss}` or `\\label{gauss}`) as `eq:gauss`."""
    for label, (number, anchor) in equation_labels.items():
        targets.setdefault(f"eq:{label.removeprefix('eq:')}", Target(f"({number})", anchor, "eqref"))


def _unknown(label: str, targets: dict[str, Target]) -> str:
    prefix = label.partition(":")[0]
    known = sorted(name for name in targets if name.startswith(prefix + ":"))
    hint = f"labels of that kind here: {', '.join(known)}" if known else f"nothing here is labelled {prefix}:..."
    return f"@{label}: no such label in this post ({hint})"


def resolve_references(text: str, targets: dict[str, Target], problems: list[Problem], links: bool,
                       reported: set[str]) -> str:
    """Each reference placeholder as a link (`links`) or as plain text (summaries). Inside a
    `<summary>` (a collapsed proof's title) it is text even in the body: the summary is a control
    already, and a link inside it would be a control inside a control (axe: nested-interactive)."""

    def resolve(match, as_link=True):
        label = html.unescape(match.group(1))
        target = targets.get(label)
        if target is None:
            if label not in reported:
                reported.add(label)
                problems.append(Problem("error", (f"@{label}",), _unknown(label, targets)))
            return f'<span class="xref xref--missing">@{html.escape(label)}</span>'
        if not links:  # a summary's formulas are in place already: a heading's placeholders would show
            return _PLACEHOLDER_RE.sub("", target.text)
        if not as_link:
            return f'<span class="{target.css_class}">{target.text}</span>'
        return f'<a class="{target.css_class}" href="#{html.escape(target.anchor)}">{target.text}</a>'

    if links and "<summary" in text:
        text = _SUMMARY_RE.sub(lambda summary: _XREF_RE.sub(lambda match: resolve(match, False), summary.group()), text)
    return _XREF_RE.sub(resolve, text)


def plain_references(text: str, targets: dict[str, Target]) -> str:
    """`@fig:stars` written as text (the plain-text description, a heading in the TOC) as "Figure 1"."""

    def resolve(match):
        target = targets.get(match["label"])
        return _PLACEHOLDER_RE.sub("", target.text).replace("\u00a0", " ") if target else match.group().rstrip()

    return _PLAIN_REFERENCE_RE.sub(resolve, text) if "@" in text else text


# --- All together ------------------------------------------------------------------------------
def finish_document(body: str, summary: str, toc: str, description: str, equation_labels: dict,
                    section_prefix: str | None) -> Document:
    """`section_prefix` None: sections are not numbered; "" numbers from 1; "3" gives "3.1"."""
    result = Document(body, summary, toc, description)
    if section_prefix is None and not any(marker in body for marker in _QUICK_MARKERS):
        return result
    problems, targets = result.problems, {}
    body = extension_problems(body, problems) if "data-paper-error" in body else body
    if "<figure" in body:
        body = number_figures(body, targets)
    if "<img" in body:
        images(body, problems)
    if "data-label=" in body:
        theorem_targets(body, targets)
    numbers = {}
    if section_prefix is not None:
        body, numbers = section_numbers(body, section_prefix)
        result.toc = number_toc(toc, numbers)
    if '<div class="toc">' in body:
        body, result.toc_in_body = toc_in_body(body, numbers, problems)
    if 'class="xref"' in body or 'class="xref"' in summary:
        section_targets(body, numbers, targets)
        equation_targets(equation_labels, targets)
        reported: set[str] = set()
        body = resolve_references(body, targets, problems, True, reported)
        result.summary = resolve_references(summary, targets, problems, False, reported)
        result.description = plain_references(description, targets)
        result.toc = plain_references(result.toc, targets)
    result.body = body
    result.has_theorems = 'class="theorem ' in body
    return result
