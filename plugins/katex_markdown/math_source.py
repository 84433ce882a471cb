"""Find math in Markdown source and swap it for placeholders before Markdown runs.

Markdown must never see the inside of a formula (`_`, `*`, `\\`, `|` and `<` mean other things to it),
so every formula and every prose `\\eqref{}` is replaced by a placeholder made of private-use
characters, which Markdown, typogrify and the toc slugifier all pass through untouched.

Rules (kramdown's, plus the LaTeX delimiters):
- `$...$` is inline math when the opening `$` is followed by a non-space and the closing `$` is
  preceded by a non-space and not followed by a digit, so "$5 and $10" stays prose.
- `$$...$$` is display math when it stands as a paragraph of its own (also as the whole content
  of a list item or of a blockquote paragraph; it may then contain blank lines), inline otherwise.
- `\\(...\\)` is inline, `\\[...\\]` and `\\begin{equation|align|gather|multline|...}` are display.
- `\\$` is a literal dollar; nothing inside code spans or fenced code blocks is math.

Fenced blocks in a diagram language (```` ```diagram ````) are taken out too, for diagrams.py.
"""

import bisect
import re
from dataclasses import dataclass

MATH_ENVIRONMENTS = {
    f"{name}{star}"
    for name in ("equation", "align", "alignat", "gather", "multline", "flalign")
    for star in ("", "*")
}

INLINE_OPEN, INLINE_CLOSE = "\ue000", "\ue001"
DISPLAY_OPEN, DISPLAY_CLOSE = "\ue002", "\ue003"
REF_OPEN, REF_CLOSE = "\ue004", "\ue005"
DIAGRAM_OPEN, DIAGRAM_CLOSE = "\ue008", "\ue009"
DIAGRAM_LANGUAGES = ("diagram",)
_DIGIT_BASE = 0xE010

_FENCE_RE = re.compile(r"^[ \t]*(`{3,}|~{3,})", re.M)
_CLOSING_FENCE_RE = re.compile(r"[ \t]*(`{3,}|~{3,})[ \t]*")
_BEGIN_RE = re.compile(r"\\begin\{([a-z]+\*?)\}")
_REF_RE = re.compile(r"\\(eqref|ref)\{([^{}\s]+)\}")
# A blank line ends a paragraph; inside a blockquote, so does a line of nothing but `>`.
_BLANK_LINE_RE = re.compile(r"\n[ \t]*(?:>[ \t]*)*\n")
_LIST_MARKER_RE = re.compile(r"[ \t]*([-*+]|\d+[.)])[ \t]+$")
# What may stand before a block's first character on its line: blockquote markers, a list marker.
_BLOCK_PREFIX_RE = re.compile(r"[ \t]*(?P<quotes>(?:>[ \t]?)*)[ \t]*(?P<marker>(?:[-*+]|\d+[.)])[ \t]+)?")
_LIST_ITEM_LINE_RE = re.compile(r"[ \t]*(?:>[ \t]?)*[ \t]*(?:[-*+]|\d+[.)])[ \t]+\S")
_EMPTY_QUOTE_LINE_RE = re.compile(r"[ \t]*(?:>[ \t]*)*")
_SPECIAL_RE = re.compile(r"[`~\\$]")
_BACKTICKS_RE = re.compile(r"`+")
# A closing `$` follows a non-space (not a backslash or `$`) and is followed by no digit or `$`.
_CLOSING_DOLLAR_RE = re.compile(r"(?<=[^\s\\$])\$(?![\d$])")


@dataclass
class MathSegment:
    tex: str
    display: bool
    line: int  # 1-based line of the opening delimiter in the file
    environment: str | None = None  # e.g. "align" for \begin{align}...\end{align}
    block: bool = False  # stands as a paragraph of its own


@dataclass
class ProseRef:
    command: str  # "eqref" or "ref"
    label: str
    line: int


@dataclass
class DiagramBlock:
    language: str  # one of DIAGRAM_LANGUAGES
    source: str  # the lines between the fences
    line: int  # 1-based line of the opening fence


@dataclass
class ExtractedSource:
    text: str  # Markdown with placeholders
    segments: list[MathSegment]
    refs: list[ProseRef]
    diagrams: list[DiagramBlock]


def encode_index(index: int) -> str:
    return "".join(chr(_DIGIT_BASE + int(digit)) for digit in str(index))


def placeholder(kind_open: str, kind_close: str, index: int) -> str:
    return f"{kind_open}{encode_index(index)}{kind_close}"


def placeholder_pattern(kind_open: str, kind_close: str) -> re.Pattern:
    return re.compile(f"{kind_open}([{chr(_DIGIT_BASE)}-{chr(_DIGIT_BASE + 9)}]+){kind_close}")


def decode_index(encoded: str) -> int:
    return int("".join(str(ord(char) - _DIGIT_BASE) for char in encoded))


class _Scanner:
    def __init__(self, text: str, first_line: int):
        self.text = text
        self.first_line = first_line
        self.line_starts = [0] + [match.end() for match in re.finditer("\n", text)]
        self.out: list[str] = []
        self.segments: list[MathSegment] = []
        self.refs: list[ProseRef] = []
        self.diagrams: list[DiagramBlock] = []

    def line_of(self, offset: int) -> int:
        return self.first_line + bisect.bisect_right(self.line_starts, offset) - 1

    def block_prefix(self, offset: int) -> re.Match | None:
        """The quote and list markers before `offset` on its line, if nothing else is there."""
        line_start = self.text.rfind("\n", 0, offset) + 1
        return _BLOCK_PREFIX_RE.fullmatch(self.text, line_start, offset)

    def starts_block(self, offset: int) -> bool:
        """True when `offset` starts a paragraph: only indentation, blockquote markers or a list
        marker precede it on its line, and the line before is blank (or a blank quote line), or
        this line opens a list item or a blockquote."""
        prefix = self.block_prefix(offset)
        if prefix is None:
            return False
        if prefix.group("marker"):
            return True
        line_start = prefix.start()
        if line_start == 0:
            return True
        previous_start = self.text.rfind("\n", 0, line_start - 1) + 1
        previous = self.text[previous_start : line_start - 1]
        if _EMPTY_QUOTE_LINE_RE.fullmatch(previous):
            return True
        # A line of prose before a quote's first line belongs to a paragraph outside the quote.
        return bool(prefix.group("quotes")) and not previous.lstrip().startswith(">")

    def ends_block(self, offset: int, in_list_item: bool = False) -> bool:
        """True when `offset` is followed by the end of its line and then a blank line (or a blank
        quote line) or the end; in a list item, the next item ends it too."""
        line_end = self.text.find("\n", offset)
        if line_end == -1:
            return not self.text[offset:].strip()
        if self.text[offset:line_end].strip():
            return False
        next_end = self.text.find("\n", line_end + 1)
        next_line = self.text[line_end + 1 : None if next_end == -1 else next_end]
        if _EMPTY_QUOTE_LINE_RE.fullmatch(next_line):
            return True
        return in_list_item and bool(_LIST_ITEM_LINE_RE.match(next_line))

    def is_block(self, start: int, end: int) -> bool:
        prefix = self.block_prefix(start)
        in_list_item = bool(prefix and prefix.group("marker"))
        return self.starts_block(start) and self.ends_block(end, in_list_item)

    def unquoted(self, tex: str, start: int) -> str:
        """A formula that spans lines of a blockquote, without the `>` markers of those lines."""
        prefix = self.block_prefix(start)
        depth = prefix.group("quotes").count(">") if prefix else 0
        if not depth or "\n" not in tex:
            return tex
        return re.sub(rf"\n[ \t]*(?:>[ \t]?){{1,{depth}}}", "\n", tex)

    def add_math(self, tex, display, start, environment=None, block=False):
        index = len(self.segments)
        self.segments.append(MathSegment(tex, display, self.line_of(start), environment, block))
        if display:
            self.out.append(placeholder(DISPLAY_OPEN, DISPLAY_CLOSE, index))
        else:
            self.out.append(placeholder(INLINE_OPEN, INLINE_CLOSE, index))


def _paragraph_end(text: str, start: int) -> int:
    blank = _BLANK_LINE_RE.search(text, start)
    return blank.start() if blank else len(text)


def _fence_end(text: str, match: re.Match) -> int:
    """Offset just past the closing fence of the fenced block opened by `match` (or the end)."""
    fence = match.group(1)
    closing = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$", re.M)
    line_end = text.find("\n", match.end())
    if line_end == -1:
        return len(text)
    close = closing.search(text, line_end + 1)
    return close.end() if close else len(text)


def _block_close(scanner: _Scanner, text: str, start: int, closer: str) -> int:
    """kramdown: a display block may hold blank lines, when it starts a paragraph and its closing
    delimiter ends one. The offset of that closer, or -1 (never past a fenced code block)."""
    if not scanner.starts_block(start):
        return -1
    fence = _FENCE_RE.search(text, start)
    limit = fence.start() if fence else len(text)
    end = text.find(closer, start + 2, limit)
    return end if end != -1 and scanner.is_block(start, end + len(closer)) else -1


def _find_closing_dollar(text: str, start: int, limit: int) -> int:
    match = _CLOSING_DOLLAR_RE.search(text, start, limit)
    return match.start() if match else -1


def extract(text: str, first_line: int = 1) -> ExtractedSource:
    """Replace math and prose equation references in Markdown `text` with placeholders."""
    scanner = _Scanner(text, first_line)
    out = scanner.out
    position = 0
    while True:
        special = _SPECIAL_RE.search(text, position)
        if special is None:
            out.append(text[position:])
            break
        out.append(text[position : special.start()])
        position = special.start()
        handler = _HANDLERS[text[position]]
        position = handler(scanner, text, position)
    return ExtractedSource("".join(out), scanner.segments, scanner.refs, scanner.diagrams)


def _code(scanner: _Scanner, text: str, position: int) -> int:
    """Copy a fenced code block or a code span through unchanged."""
    fence = _FENCE_RE.match(text, text.rfind("\n", 0, position) + 1)
    if fence and fence.start(1) == position:
        end = _fence_end(text, fence)
        line_end = text.find("\n", fence.end())
        info = text[fence.end() : len(text) if line_end == -1 else line_end].strip()
        if info in DIAGRAM_LANGUAGES:
            return _diagram(scanner, text, position, fence, end, info)
    elif text[position] == "`":
        run = _BACKTICKS_RE.match(text, position).group()
        close = re.compile(rf"(?<!`){run}(?!`)").search(text, position + len(run))
        end = close.end() if close else position + len(run)
    else:
        end = position + 1
    scanner.out.append(text[position:end])
    return end


def _diagram(scanner: _Scanner, text: str, position: int, fence: re.Match, end: int, language: str) -> int:
    """A diagram's fenced block becomes a placeholder paragraph (indented like the fence, so it
    stays in its list item)."""
    body_start = text.find("\n", fence.end()) + 1 or end
    lines = text[body_start:end].split("\n")
    if _CLOSING_FENCE_RE.fullmatch(lines[-1]):
        lines.pop()
    source = "\n".join(lines)
    scanner.diagrams.append(DiagramBlock(language, source, scanner.line_of(position)))
    scanner.out.append(placeholder(DIAGRAM_OPEN, DIAGRAM_CLOSE, len(scanner.diagrams) - 1))
    return end


def _backslash(scanner: _Scanner, text: str, position: int) -> int:
    out = scanner.out
    following = text[position + 1 : position + 2]
    if following == "$":
        out.append("$")
        return position + 2
    if following == "\\":
        out.append("\\\\")
        return position + 2
    if following in ("(", "["):
        closer = "\\)" if following == "(" else "\\]"
        display = following == "["
        end = text.find(closer, position + 2, _paragraph_end(text, position))
        if end == -1 and display:
            end = _block_close(scanner, text, position, closer)
        if end != -1:
            block = display and scanner.is_block(position, end + 2)
            scanner.add_math(scanner.unquoted(text[position + 2 : end], position), display, position, block=block)
            return end + 2
    begin = _BEGIN_RE.match(text, position)
    if begin and begin.group(1) in MATH_ENVIRONMENTS:
        environment = begin.group(1)
        end_tag = f"\\end{{{environment}}}"
        end = text.find(end_tag, begin.end())
        if end != -1:
            end += len(end_tag)
            block = scanner.is_block(position, end)
            scanner.add_math(scanner.unquoted(text[position:end], position), True, position, environment, block)
            return end
    ref = _REF_RE.match(text, position)
    if ref:
        scanner.refs.append(ProseRef(ref.group(1), ref.group(2), scanner.line_of(position)))
        out.append(placeholder(REF_OPEN, REF_CLOSE, len(scanner.refs) - 1))
        return ref.end()
    out.append("\\")
    return position + 1


def _dollar(scanner: _Scanner, text: str, position: int) -> int:
    limit = _paragraph_end(text, position)
    if text.startswith("$$", position):
        end = text.find("$$", position + 2, limit)
        if end == -1:
            end = _block_close(scanner, text, position, "$$")
        if end != -1 and text[position + 2 : end].strip():
            block = scanner.is_block(position, end + 2)
            scanner.add_math(scanner.unquoted(text[position + 2 : end], position), block, position, block=block)
            return end + 2
        scanner.out.append("$$")
        return position + 2
    following = text[position + 1 : position + 2]
    if following and not following.isspace():
        end = _find_closing_dollar(text, position + 1, limit)
        if end != -1:
            scanner.add_math(text[position + 1 : end], False, position)
            return end + 1
    scanner.out.append("$")
    return position + 1


_HANDLERS = {"`": _code, "~": _code, "\\": _backslash, "$": _dollar}
