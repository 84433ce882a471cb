"""Equation numbers, `\\label`s and `\\eqref`s within one post (KaTeX numbers nothing across formulas).

Unstarred `equation`, `align`, `alignat`, `gather`, `flalign` number each row that has no `\\tag`,
`\\nonumber` or `\\notag`; `multline` numbers its last row. Each environment is rewritten to its
starred form with explicit `\\tag{n}`s, so KaTeX renders exactly the numbers assigned here, and
`\\label{x}` is removed and remembered. References resolve to links to the labelled display.
"""

import html
import re
from dataclasses import dataclass, field

from .math_source import MathSegment, ProseRef

_LABEL_RE = re.compile(r"\\label\{([^{}]*)\}")
_TAG_RE = re.compile(r"\\tag\*?\{([^{}]*)\}")
_NONUMBER_RE = re.compile(r"\\(?:nonumber|notag)\b")
_MATH_REF_RE = re.compile(r"\\(eqref|ref)\{([^{}\s]+)\}")
_ENV_RE = re.compile(r"\\begin\{([a-z]+)(\*?)\}(\{[^{}]*\})?(.*)\\end\{\1\2\}\s*$", re.S)
_ROW_TOKEN_RE = re.compile(r"\\\\|\\begin\{[^{}]*\}|\\end\{[^{}]*\}|\\[{}]|[{}]")
_ROWS_NUMBERED = {"align", "alignat", "gather", "flalign"}
_NUMBERED_ENVIRONMENTS = _ROWS_NUMBERED | {"equation", "multline"}


@dataclass
class Problem:
    line: int
    message: str


@dataclass
class NumberedMath:
    tex: list[str]  # TeX to render, one per segment
    anchors: list[list[str]]  # element ids each display carries
    prose_refs: list[str]  # HTML for each prose reference
    problems: list[Problem] = field(default_factory=list)
    labels: dict[str, tuple[str, str]] = field(default_factory=dict)  # label: (number, element id)


def anchor_id(label: str) -> str:
    """`eq:gauss` and `gauss` both become the element id `eq-gauss`."""
    label = label.removeprefix("eq:")
    return "eq-" + re.sub(r"[^A-Za-z0-9_-]+", "-", label).strip("-")


def split_rows(body: str) -> list[str]:
    """Split an environment body at its top-level `\\\\` (not those of nested braces or environments)."""
    rows, depth, start = [], 0, 0
    for token in _ROW_TOKEN_RE.finditer(body):
        text = token.group()
        if text == "{" or text.startswith("\\begin"):
            depth += 1
        elif text == "}" or text.startswith("\\end"):
            depth -= 1
        elif text == "\\\\" and depth == 0:
            rows.append(body[start : token.start()])
            start = token.end()
    rows.append(body[start:])
    return rows


def _number_rows(rows, numbered, counter, labels, line, problems):
    """Give each row its tag; return the rewritten rows and the anchors this display carries."""
    rewritten, anchors = [], []
    last_content_row = max((i for i, row in enumerate(rows) if row.strip()), default=0)
    for index, row in enumerate(rows):
        row_labels = _LABEL_RE.findall(row)
        row = _LABEL_RE.sub("", row)
        explicit = _TAG_RE.search(row)
        wants_number = numbered(index, last_content_row) and not _NONUMBER_RE.search(row)
        row = _NONUMBER_RE.sub("", row)
        if explicit:
            number = explicit.group(1)
        elif wants_number and row.strip():
            counter[0] += 1
            number = str(counter[0])
            row = f"{row} \\tag{{{number}}}"
        else:
            number = None
        for label in row_labels:
            if number is None:
                problems.append(Problem(line, f"\\label{{{label}}} is on an unnumbered equation"))
            elif label in labels:
                problems.append(Problem(line, f"duplicate \\label{{{label}}}"))
            else:
                labels[label] = number
                anchors.append(anchor_id(label))
        rewritten.append(row)
    return rewritten, anchors


def _rewrite_display(segment: MathSegment, counter, labels, problems):
    match = _ENV_RE.match(segment.tex.strip())
    if not match or match.group(1) not in _NUMBERED_ENVIRONMENTS:
        rows, anchors = _number_rows([segment.tex], lambda i, last: False, counter, labels,
                                     segment.line, problems)
        return rows[0], anchors
    name, star, argument, body = match.group(1), match.group(2), match.group(3) or "", match.group(4)
    if star:
        numbered = lambda i, last: False  # noqa: E731
    elif name == "multline":
        numbered = lambda i, last: i == last  # noqa: E731
    elif name in _ROWS_NUMBERED:
        numbered = lambda i, last: True  # noqa: E731
    else:
        numbered = lambda i, last: i == 0  # noqa: E731  (equation: one number)
    rows, anchors = _number_rows(split_rows(body), numbered, counter, labels, segment.line, problems)
    # KaTeX has no multline; gather* sets its lines the same way, centred.
    target = "gather" if name == "multline" else name
    body = "\\\\".join(rows)
    return f"\\begin{{{target}*}}{argument}{body}\\end{{{target}*}}", anchors


def number_equations(segments: list[MathSegment], refs: list[ProseRef]) -> NumberedMath:
    counter, labels, problems = [0], {}, []
    tex, anchors = [], []
    for segment in segments:
        if segment.display:
            rewritten, segment_anchors = _rewrite_display(segment, counter, labels, problems)
        else:
            rewritten, segment_anchors = segment.tex, []
            if _LABEL_RE.search(rewritten):
                problems.append(Problem(segment.line, "\\label is only allowed in display math"))
                rewritten = _LABEL_RE.sub("", rewritten)
        tex.append(rewritten)
        anchors.append(segment_anchors)

    def math_ref(segment_line):
        def replace(match):
            command, label = match.groups()
            if label not in labels:
                problems.append(Problem(segment_line, f"\\{command}{{{label}}}: no equation has this label"))
                return r"\text{(??)}"
            number = labels[label] if command == "ref" else f"({labels[label]})"
            return rf"\href{{#{anchor_id(label)}}}{{\text{{{number}}}}}"
        return replace

    tex = [_MATH_REF_RE.sub(math_ref(segment.line), text) for text, segment in zip(tex, segments, strict=True)]
    prose = []
    for ref in refs:
        if ref.label not in labels:
            problems.append(Problem(ref.line, f"\\{ref.command}{{{ref.label}}}: no equation has this label"))
            prose.append('<span class="eqref eqref-missing">(??)</span>')
            continue
        number = labels[ref.label] if ref.command == "ref" else f"({labels[ref.label]})"
        prose.append(f'<a class="eqref" href="#{anchor_id(ref.label)}">{html.escape(number)}</a>')
    numbers = {label: (number, anchor_id(label)) for label, number in labels.items()}
    return NumberedMath(tex, anchors, prose, problems, numbers)
