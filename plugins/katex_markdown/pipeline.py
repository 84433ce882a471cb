"""Render Markdown sources to HTML in two phases, so that a build typesets each formula once.

1. `prepare_source` (in pool workers): math out, Markdown, typogrify; formulas stay placeholders.
2. `typeset` (in the build process): every formula of the build not in the cache, deduplicated,
   in one KaTeX pass; then `finish` puts the HTML in place of the placeholders.

Both phases take and return plain data, so they run in any process.
"""

import hashlib
import html
import json
import logging
import os
import re
from dataclasses import dataclass, field

from markdown import Markdown
from markdown.extensions.meta import BEGIN_RE, END_RE, META_MORE_RE, META_RE

from . import math_source as ms
from .config import Config
from .diagrams import Diagram, DiagramError
from .diagrams import draw as draw_diagrams
from .diagrams import figure as diagram_figure
from .diagrams import parse as parse_diagram
from .fonts import faces_of
from .katex import KatexUnavailable, render_in_parallel
from .numbering import number_equations
from .sidenotes import SidenoteExtension
from .store import BodyUnreadable, Store, read_body
from .tex_text import tex_to_slug_words, tex_to_text

_PARAGRAPH_RE = re.compile(r"^<p>.*?</p>$", re.M | re.S)
_FOOTNOTE_REF_RE = re.compile(r'<sup id="fnref[^"]*">.*?</sup>')
_IN_PAGE_LINK_RE = re.compile(r'<a [^>]*?href="#[^"]*"[^>]*>(.*?)</a>', re.S)
_ID_RE = re.compile(r'(<[a-z][^>]*?) id="')
# Blocks whose paragraphs are not the post's opening: footnotes, collapsibles, admonitions,
# figures (their images and captions), theorem-like blocks (paper_elements), and sidenotes and
# margin notes (`<small>` never nests in them: see sidenotes.py).
_NOT_OPENING_RE = re.compile(
    r'<div class="footnote">.*?</div>\s*$|<details\b.*?</details>|<div class="(?:admonition|theorem)\b.*?</div>'
    r"|<figure\b.*?</figure>|<small class=\"(?:sidenote|marginnote)\">.*?</small>",
    re.S,
)
_CODE_LANG_RE = re.compile(r'<div class="language-([\w+#.-]+) highlight">')
# Code never needs typogrify, and Pygments' thousands of spans are most of its work.
_CODE_RE = re.compile(r'<div class="language-[^"]*highlight"[^>]*>.*?</code></pre></div>|<code>.*?</code>', re.S)
_CODE_OPEN, _CODE_CLOSE = "\ue006", "\ue007"
_CODE_PH = ms.placeholder_pattern(_CODE_OPEN, _CODE_CLOSE)
# Fixes to KaTeX's MathML that the HTML validator rejects; applied after the cache, which keeps
# KaTeX's own output, so a new fix here applies to cached formulas too.
_MATHML_FIXES = [
    (re.compile(r'<mtd width="50%">'), "<mtd>"),  # \tag's label column
    # \lambda_{\max}: the operator name and its U+2061 are two children of <msub>, so it has three.
    (re.compile("(</m[a-z]+>)(<mi[^>]*>[^<]*</mi><mo>\u2061</mo>)(</msub>|</msup>)"), r"\1<mrow>\2</mrow>\3"),
]
_FENCED_RE = re.compile(r"^[ \t]*(`{3,}|~{3,}).*?^[ \t]*\1[ \t]*$", re.M | re.S)
_WORD_RE = re.compile(r"\w+")
_INLINE_PH = ms.placeholder_pattern(ms.INLINE_OPEN, ms.INLINE_CLOSE)
_DISPLAY_PH = ms.placeholder_pattern(ms.DISPLAY_OPEN, ms.DISPLAY_CLOSE)
# A display formula that is a paragraph, or the whole of a list item (kramdown's rule).
_BLOCK_PH = re.compile(
    r"<p>\s*(" + _DISPLAY_PH.pattern + r")\s*</p>|(?<=<li>)\s*(" + _DISPLAY_PH.pattern + r")\s*(?=</li>)"
)
# TeX sets multline's first line flush left and its last flush right; math.css does that to
# the rows KaTeX sets centred (numbering.py renders multline as gather*).
_MULTLINE_RE = re.compile(r"\s*\\begin\{multline\*?\}")
_REF_PH = ms.placeholder_pattern(ms.REF_OPEN, ms.REF_CLOSE)
_ANY_MATH_PH = re.compile(f"[{ms.INLINE_OPEN}{ms.DISPLAY_OPEN}]")
# Keys a post may give on several lines, each its own `Key:` line (one macro a line).
_REPEATABLE_KEYS = {"macros"}

logger = logging.getLogger(__name__)
_DIAGRAM_PH = ms.placeholder_pattern(ms.DIAGRAM_OPEN, ms.DIAGRAM_CLOSE)
_DIAGRAM_BLOCK_PH = re.compile(r"<p>\s*(" + _DIAGRAM_PH.pattern + r")\s*</p>|" + _DIAGRAM_PH.pattern)
_DISPLAY_AS_INLINE = str.maketrans({ms.DISPLAY_OPEN: ms.INLINE_OPEN, ms.DISPLAY_CLOSE: ms.INLINE_CLOSE})


@dataclass
class Message:
    level: str  # "error" or "warning"
    line: int
    text: str


@dataclass
class Formula:
    tex: str  # as KaTeX gets it: numbered, labels out, references resolved
    display: bool
    line: int
    written: str  # as the writer wrote it, for the error box
    key: str = ""


@dataclass
class PreparedBody:
    """A source after phase 1: HTML with formula placeholders, and the formulas to typeset."""

    html: str
    toc: str
    summary: str
    formulas: list[Formula]
    summary_formulas: list[Formula]  # a Summary: field has formulas of its own
    title_formulas: list[Formula]  # math in the title, typeset in `title_html`
    anchors: list[list[str]]
    diagrams: list[Diagram | None]  # by placeholder index; None: it had an error
    fields: dict
    messages: list[Message] = field(default_factory=list)


@dataclass
class RenderedBody:
    compact_html: str  # the body with each formula as a placeholder: small for Pelican to scan
    math: tuple[str, ...]  # each formula's HTML, in placeholder order
    toc: str
    compact_summary: str  # like compact_html: each formula a placeholder into summary_math
    summary_math: tuple[str, ...]
    title: str | None  # escaped and typogrified; math in it as plain text (tex_text.py)
    title_text: str | None  # as written (TeX commands as words), for the slug
    title_html: str | None  # `title` with its math typeset, for headings and lists
    metadata: dict[str, list[str]]  # the other front-matter fields, unprocessed
    metadata_lines: dict[str, int]  # the line each field starts on
    has_math: bool
    summary_has_math: bool
    title_has_math: bool
    has_diagrams: bool
    word_count: int
    description: str  # the summary as plain text, each formula as its TeX
    messages: list[Message] = field(default_factory=list)
    inputs: dict[str, str] = field(default_factory=dict)  # other files it was made from, by digest
    typeset: bool = True  # False: KaTeX stopped before every formula was typeset (not cacheable)
    equation_labels: dict[str, tuple[str, str]] = field(default_factory=dict)  # label: (number, id)
    math_faces: tuple[str, ...] = ()  # KaTeX's faces its formulas draw in (fonts.faces_of)

    @property
    def failed(self) -> bool:
        return not self.typeset or any(message.level == "error" for message in self.messages)

    @property
    def html(self) -> str:
        return expand_math(self.compact_html, self.math)

    @property
    def summary(self) -> str:
        return expand_math(self.compact_summary, self.summary_math)


class BodyMath:
    """The formulas' HTML of one part of a body (`part`: "math" or "summary_math"), as a content
    object holds it: in order, each a placeholder's replacement (see `expand_math`).

    Named by the body's key in the cache and a digest of the HTML: a page's fingerprint digests
    that name, not ~45 KB of HTML a post, and a post kept in the cache (kept_content.py) is saved
    without its formulas; they load from the body cache (`items`) only when a page showing them is
    rendered, which most builds after an edit do for a handful of posts. Pickled without them."""

    __slots__ = ("key", "part", "cache_file", "count", "digest", "_items")

    def __init__(self, key: str, part: str, cache_file: str | None, count: int, digest: str,
                 items: tuple[str, ...] | None = None):
        self.key, self.part, self.cache_file, self.count, self.digest = key, part, cache_file, count, digest
        self._items = items

    @classmethod
    def of(cls, key: str, part: str, cache_file: str | None, items: tuple[str, ...]) -> "BodyMath":
        return cls(key, part, cache_file, len(items), _strings_digest(items), items)

    @property
    def items(self) -> tuple[str, ...]:
        if self._items is None:
            try:
                body = read_body(self.cache_file, self.key) if self.cache_file else None
            except BodyUnreadable as error:
                raise RuntimeError(f"katex_markdown: {self.cache_file} cannot be read ({error}); build again")
            items = getattr(body, self.part, None)
            if items is None or _strings_digest(items) != self.digest:
                raise RuntimeError(
                    f"katex_markdown: the formulas of a post kept from an earlier build are no longer in "
                    f"{self.cache_file} (was the cache changed during the build?); build again"
                )
            self._items = items
        return self._items

    def __bool__(self) -> bool:
        return self.count > 0

    def __reduce__(self):
        return BodyMath, (self.key, self.part, self.cache_file, self.count, self.digest)

    def __repr__(self) -> str:  # also tells page_writer that its state is all it holds
        return f"BodyMath({self.part} of {self.key[:12]}, {self.count} formulas)"


def _strings_digest(items: tuple[str, ...]) -> str:
    digest = hashlib.sha256()
    for item in items:
        digest.update(f"{len(item)}:".encode())
        digest.update(item.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def expand_math(compact_html: str, math: tuple[str, ...]) -> str:
    """The body as readers see it: every formula placeholder replaced by its HTML."""
    return _INLINE_PH.sub(lambda match: math[ms.decode_index(match.group(1))], compact_html)


_CODE_BLOCK_RE = re.compile(
    r'(<div class="(?:language-([\w+#.-]+) )?highlight"[^>]*>)(<span class="filename">(.*?)</span>)?<pre>', re.S
)
# A block that may scroll sideways: keyboard users reach it with Tab and scroll it with the
# arrow keys; screen readers announce what it is (WCAG 2.1.1, axe's scrollable-region-focusable).
# A group, not a region: regions are landmarks, and a post's many equations would crowd the
# landmark list with names that are not unique.
_SCROLLABLE = 'tabindex="0" role="group" aria-label="{}"'


def label_code_blocks(body: str) -> str:
    """Each highlighted code block's <pre> focusable, named by its file name or language."""

    def label(match):
        name = match.group(4) or match.group(2)
        text = f"Code: {html.unescape(re.sub(r'<[^>]*>', '', name))}" if name and name != "text" else "Code"
        return f"{match.group(1)}{match.group(3) or ''}<pre {_SCROLLABLE.format(html.escape(text))}>"

    return _CODE_BLOCK_RE.sub(label, body)


_TABLE_RE = re.compile(r"<table>.*?</table>", re.S)


def wrap_tables(body: str) -> str:
    """Each table in a focusable, named box that scrolls sideways when the table is too wide (the
    table keeps its own semantics: a role on it would hide them)."""
    return _TABLE_RE.sub(lambda match: f'<div class="table-scroll" {_SCROLLABLE.format("Table")}>{match.group()}</div>', body)


_INLINE_MATH = _INLINE_PH.pattern.replace("(", "(?:", 1)
_OPENING = "(?:[([{\u2018\u201c]|&#8216;|&#8220;|&lsquo;|&ldquo;)"
_CLOSING = "(?:[,.;:!?)\\]}\u2019\u201d\u2026]|&#8217;|&#8221;|&#8230;|&rsquo;|&rdquo;|&hellip;)"
_TIED_RE = re.compile(f"(?P<before>{_OPENING}*)(?P<math>{_INLINE_MATH})(?P<after>{_CLOSING}*)")


def tie_punctuation(text: str) -> str:
    """An inline formula and the punctuation that touches it (", …)" after it, "(" before it) in
    one `span.nowrap`, so that a narrow screen never starts a line with the punctuation alone.
    The formula inside may still break where KaTeX allows (math.css)."""

    def tie(match):
        if not match.group("before") and not match.group("after"):
            return match.group()
        return f'<span class="nowrap">{match.group()}</span>'

    return _TIED_RE.sub(tie, text)


_MATH_ONLY_HEADER_RE = re.compile(f"(<th[^>]*>)\\s*({_INLINE_MATH})\\s*(</th>)")


def name_math_headers(body: str, formulas: list["Formula"]) -> str:
    """A table header cell that holds only a formula gets its TeX as text for screen readers
    (the drawn formula is hidden from them there), so the column has a name (axe's
    empty-table-header does not count MathML); the TeX is what Wikipedia gives as math alt text."""

    def name(match):
        tex = formulas[ms.decode_index(_INLINE_PH.match(match.group(2)).group(1))].written.strip()
        return (f'{match.group(1)}<span class="visually-hidden">{html.escape(tex)}</span>'
                f'<span aria-hidden="true">{match.group(2)}</span>{match.group(3)}')

    return _MATH_ONLY_HEADER_RE.sub(name, body)


def source_key(config: Config, source: bytes) -> str:
    return hashlib.sha256(config.fingerprint.encode() + b"\0" + source).hexdigest()


def split_front_matter(text: str) -> tuple[dict[str, list[str]], dict[str, int], str, int, list[Message]]:
    """Python-Markdown's `meta` syntax: `Key: value` lines up to the first blank line; a line
    indented by four spaces goes on the field above (several tags, say).

    Returns the fields (lower-case names, each a list of lines), the line each field starts on,
    the body, the body's first line, and an error for each key given twice (its first value stays).
    """
    lines = text.split("\n")
    metadata: dict[str, list[str]] = {}
    field_lines: dict[str, int] = {}
    problems: list[Message] = []
    values: list[str] = []  # where the current field's continuation lines go
    index = 1 if lines and BEGIN_RE.match(lines[0]) else 0
    while index < len(lines):
        line = lines[index]
        if not line.strip() or (metadata and END_RE.match(line)):
            index += 1
            break
        field_match, more = META_RE.match(line), META_MORE_RE.match(line)
        if field_match:
            key = field_match.group("key").lower().strip()
            if key in metadata and key not in _REPEATABLE_KEYS:
                problems.append(_duplicate_key(field_match.group("key"), field_lines[key], index + 1))
                values = []  # the second value, and its continuation lines, are dropped
            else:
                values = metadata.setdefault(key, [])
                field_lines.setdefault(key, index + 1)
            values.append(field_match.group("value").strip())
        elif more and metadata:
            values.append(more.group("value").strip())
        elif not metadata:
            return {}, {}, text, 1, []
        else:
            break
        index += 1
    return metadata, field_lines, "\n".join(lines[index:]), index + 1, problems


def _duplicate_key(name: str, first: int, again: int) -> Message:
    return Message(
        "error", again,
        f"{name.title()}: is given twice, on lines {first} and {again}; keep one (a value on "
        "several lines goes on lines indented by four spaces, several tags on one line with commas)",
    )


_markdown_instances: dict[str, Markdown] = {}


def _markdown(config: Config) -> Markdown:
    """One Markdown instance per process and configuration, reset between documents."""
    instance = _markdown_instances.get(config.fingerprint)
    if instance is None:
        settings = dict(config.markdown)
        settings["extensions"] = [
            ext for ext in settings.get("extensions", []) if ext not in ("markdown.extensions.meta", "meta")
        ] + [SidenoteExtension(footnote_copies=config.sidenotes)]
        instance = _markdown_instances[config.fingerprint] = Markdown(**settings)
    instance.reset()
    return instance


def _typogrify(text: str) -> str:
    from typogrify.filters import typogrify  # imported lazily: it is optional when typogrify is off

    code = []

    def stash(match):
        code.append(match.group())
        return ms.placeholder(_CODE_OPEN, _CODE_CLOSE, len(code) - 1)

    text = typogrify(_CODE_RE.sub(stash, text))
    return _CODE_PH.sub(lambda match: code[ms.decode_index(match.group(1))], text)


def formula_key(config: Config, formula: Formula, macros: dict, macros_json: str | None = None) -> str:
    """The hash of json.dumps([KaTeX version, display, tex, sorted macros]); `macros_json` (from
    `macros_material`) spares a post with many formulas serialising its macros for each one."""
    head = json.dumps([config.katex_version, formula.display, formula.tex])
    material = f"{head[:-1]}, {macros_json or macros_material(macros)}]"
    return hashlib.sha256(material.encode()).hexdigest()


def macros_material(macros: dict) -> str:
    return json.dumps(sorted(macros.items()))


def _error_html(formula: Formula, message: str) -> str:
    tag = "div" if formula.display else "span"
    return f'<{tag} class="katex-error" title="{html.escape(message)}">{html.escape(formula.written)}</{tag}>'


def input_digests(paths) -> dict[str, str]:
    """Each file a body was made from, by its bytes ("" for a file that is gone)."""
    digests = {}
    for path in paths:
        try:
            with open(path, "rb") as source:
                digests[os.path.abspath(path)] = hashlib.sha256(source.read()).hexdigest()
        except OSError:
            digests[os.path.abspath(path)] = ""
    return digests


def _markdown_with_math(text: str, first_line: int, config: Config, messages: list[Message], inputs: dict):
    """Phase 1 for one piece of Markdown: (html, toc, formulas, numbered math, diagrams)."""
    extracted = ms.extract(text, first_line)
    numbered = number_equations(extracted.segments, extracted.refs)
    messages.extend(Message("error", problem.line, problem.message) for problem in numbered.problems)
    for segment in extracted.segments:
        if re.search(r"(?<!\\)%", segment.tex):
            messages.append(Message(
                "warning", segment.line,
                "'%' starts a TeX comment, so KaTeX ignores the rest of that line; write \\% for a percent sign",
            ))
    md = _markdown(config)
    md.body_inputs = []  # the contract for extensions that read files: see plugins/README.md
    body = md.convert(extracted.text)
    body, diagrams = _diagram_figures(body, extracted.diagrams, messages)
    inputs.update(input_digests(md.body_inputs))
    toc = md.toc if getattr(md, "toc_tokens", None) else ""
    body = _CODE_LANG_RE.sub(r'<div class="language-\1 highlight" data-lang="\1">', body)
    body = wrap_tables(label_code_blocks(body))
    if config.typogrify:
        body = _typogrify(body)
        toc = _typogrify(toc) if toc else toc
    body = _REF_PH.sub(lambda m: numbered.prose_refs[ms.decode_index(m.group(1))], body)
    formulas = [
        Formula(tex, segment.display, segment.line, segment.tex)
        for tex, segment in zip(numbered.tex, extracted.segments, strict=True)
    ]
    return body, toc, formulas, numbered, diagrams


def _diagram_figures(body: str, blocks: list[ms.DiagramBlock], messages: list[Message]):
    """Each diagram's placeholder paragraph becomes its <figure> (the SVG goes in at phase 3);
    a diagram with a problem becomes its source in an error box, and the problem a message."""
    diagrams: list[Diagram | None] = []
    for block in blocks:
        try:
            diagram = parse_diagram(block.source, block.line)
        except DiagramError as error:
            messages.append(Message("error", error.line, str(error)))
            diagrams.append(None)
            continue
        messages.extend(Message(level, line, text) for line, level, text in diagram.problems)
        diagrams.append(diagram)

    def place(match):
        index = ms.decode_index(match.group(2) or match.group(3))
        diagram = diagrams[index]
        placeholder = ms.placeholder(ms.DIAGRAM_OPEN, ms.DIAGRAM_CLOSE, index)
        if diagram is None:
            return f'<pre class="katex-error">{html.escape(blocks[index].source)}</pre>'
        return diagram_figure(placeholder, diagram.caption)

    return _DIAGRAM_BLOCK_PH.sub(place, body), diagrams


def _for_lists(summary: str) -> str:
    """A summary is shown on list pages, beside others: no footnote markers, no element ids, and
    in-page links (equation references, #sections) as plain text, since they lead nowhere there."""
    summary = _FOOTNOTE_REF_RE.sub("", summary)
    summary = _IN_PAGE_LINK_RE.sub(r"\1", summary)
    return _ID_RE.sub(r'\1 data-id="', summary)


def _auto_summary(body: str, max_words: int | None) -> str:
    """The leading paragraphs, up to `max_words` words; a formula counts as one word."""
    from pelican.utils import truncate_html_words

    paragraphs, words = [], 0
    for match in _PARAGRAPH_RE.finditer(_NOT_OPENING_RE.sub("", body)):
        paragraph = match.group()
        paragraphs.append(paragraph)
        words += len(re.sub(r"<[^>]*>", " ", paragraph).split())
        if max_words is not None and words >= max_words:
            break
    summary = "\n".join(paragraphs)
    if max_words is None:
        return summary
    return truncate_html_words(summary, max_words)


_TAG_RE = re.compile(r"<[^>]*>")
_SPACE_RE = re.compile(r"\s+")
DESCRIPTION_MAX_CHARS = 200


def plain_description(summary: str, formulas: list[Formula]) -> str:
    """The summary as one line of text for `<meta name="description">` and feeds: each formula
    once, as the TeX its writer wrote. Linear in the summary's size, made once per body."""

    def tex(match):
        return formulas[ms.decode_index(match.group(1))].written.strip()

    text = _DISPLAY_PH.sub(tex, _INLINE_PH.sub(tex, summary))
    text = _SPACE_RE.sub(" ", html.unescape(_TAG_RE.sub(" ", text))).strip()
    if len(text) <= DESCRIPTION_MAX_CHARS:
        return text
    cut = text.rfind(" ", 0, DESCRIPTION_MAX_CHARS)
    return text[: cut if cut > 0 else DESCRIPTION_MAX_CHARS].rstrip(" ,;:") + "\u2026"


def _title(written: str, line: int, config: Config) -> tuple[str, str, str, list[Formula]]:
    """(title, title_text, title_html with formula placeholders, formulas) of a `Title:`.

    Math in a title is inline math, typeset in `title_html`; where only text can go (`<title>`,
    feeds, the slug) each formula becomes plain text (`title`) or its TeX's words (`title_text`)."""
    extracted = ms.extract(written, line)
    marked = _REF_PH.sub("", extracted.text.translate(_DISPLAY_AS_INLINE))
    formulas = [Formula(segment.tex, False, segment.line, segment.tex) for segment in extracted.segments]

    def formula_as(convert):
        return lambda match: convert(formulas[ms.decode_index(match.group(1))].tex)

    def prose(text: str) -> str:
        text = html.escape(text, quote=False)
        return _typogrify(text) if config.typogrify else text

    plain = _INLINE_PH.sub(formula_as(tex_to_text), marked)
    slug_source = _INLINE_PH.sub(formula_as(tex_to_slug_words), marked)
    return prose(plain), slug_source, prose(marked), formulas


def prepare_source(text: str, config: Config) -> PreparedBody:
    """Phase 1: everything but KaTeX. Runs in pool workers."""
    metadata, metadata_lines, body_text, first_line, messages = split_front_matter(text.lstrip("\ufeff"))
    macros = dict(config.macros)
    for line in metadata.pop("macros", []):
        name, _, expansion = line.partition("=")
        macros[name.strip()] = expansion.strip()
    inputs: dict[str, str] = {}
    body, toc, formulas, numbered, diagrams = _markdown_with_math(body_text, first_line, config, messages, inputs)
    if "summary" in metadata:
        summary_line = metadata_lines["summary"]
        summary, _, summary_formulas, _, _ = _markdown_with_math(
            "\n".join(metadata.pop("summary")), summary_line, config, messages, inputs
        )
    else:
        summary, summary_formulas = _auto_summary(body, config.summary_max_length), formulas
    summary = _for_lists(_DIAGRAM_PH.sub("", summary))
    description = plain_description(summary, summary_formulas)
    title = title_text = title_html = None
    title_formulas: list[Formula] = []
    if "title" in metadata:
        title, title_text, title_html, title_formulas = _title(
            " ".join(metadata.pop("title")), metadata_lines["title"], config
        )
    macros_json = macros_material(macros)
    for formula in formulas + summary_formulas + title_formulas:
        formula.key = formula_key(config, formula, macros, macros_json)
    return PreparedBody(
        html=body, toc=toc, summary=summary, formulas=formulas, summary_formulas=summary_formulas,
        title_formulas=title_formulas, anchors=numbered.anchors, diagrams=diagrams, messages=messages,
        fields=dict(
            title=title, title_text=title_text, title_html=title_html,
            metadata=metadata, metadata_lines=metadata_lines,
            word_count=len(_WORD_RE.findall(_FENCED_RE.sub("", body_text))), macros=macros,
            inputs=inputs, description=description, equation_labels=numbered.labels,
        ),
    )


def decode_source(data: bytes) -> tuple[str, list[Message]]:
    """A source file's text; bytes that are not UTF-8 are an error that points at the first one
    (the rest of the post still renders, with U+FFFD in their place)."""
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - data.rfind(b"\n", 0, error.start)
        message = (
            f"not UTF-8: byte 0x{data[error.start]:02x} at byte offset {error.start} (column {column} "
            "of this line) is not a UTF-8 character; save the file as UTF-8 (the usual text encoding)"
        )
        return data.decode("utf-8", errors="replace"), [Message("error", line, message)]


def unreadable_source(message: str) -> PreparedBody:
    """A source that could not be prepared: its error, and nothing for Pelican to publish (`Status:
    skip` is Pelican's own "read, but make nothing of it"; an empty post would add a second error)."""
    return PreparedBody(
        html="", toc="", summary="", formulas=[], summary_formulas=[], title_formulas=[], anchors=[],
        diagrams=[], messages=[Message("error", 1, message)],
        fields=dict(
            title=None, title_text=None, title_html=None, metadata={"status": ["skip"]}, metadata_lines={},
            word_count=0, macros={}, inputs={}, description="",
        ),
    )


@dataclass
class Typeset:
    """KaTeX's output for a build's formulas, by key; errors by key too."""

    html: dict[str, str]  # ready to place: KaTeX's output with the MathML fixes applied
    errors: dict[str, str]
    new: dict[str, str]  # KaTeX's own output for formulas rendered in this build, for the cache
    stopped: str = ""  # why KaTeX typeset none of the formulas that are in neither dict


def typeset(bodies: list[PreparedBody], store: Store, workers: int) -> Typeset:
    """Phase 2: each formula of the build that is not in the cache goes to KaTeX once."""
    wanted = {}
    for body in bodies:
        for formula in body.formulas + body.summary_formulas + body.title_formulas:
            wanted.setdefault(formula.key, (formula, body.fields["macros"]))
    cached = store.get_formulas(list(wanted))
    missing = [wanted[key] for key in wanted if key not in cached]
    try:
        answers = render_in_parallel([(f.tex, f.display, macros) for f, macros in missing], workers)
    except KatexUnavailable as error:
        # One error for the build, naming no post: the posts are not to blame.
        logger.error("katex_markdown: %s", error)
        fixed = {key: _valid_mathml(html) for key, html in cached.items()}
        return Typeset(fixed, {}, {}, stopped=f"not typeset: {error}")
    # Diagrams share the formula cache: it maps content hashes to HTML.
    diagrams = {diagram.key: diagram for body in bodies for diagram in body.diagrams if diagram}
    cached.update(store.get_formulas(list(diagrams)))
    new, errors = draw_diagrams([diagram for key, diagram in diagrams.items() if key not in cached]), {}
    for (formula, _), answer in zip(missing, answers, strict=True):
        if "html" in answer:
            new[formula.key] = answer["html"]
        else:
            errors[formula.key] = answer["error"], answer.get("position")
    fixed = {key: _valid_mathml(html) for key, html in {**cached, **new}.items()}
    return Typeset(fixed, errors, new)


def _valid_mathml(katex_html: str) -> str:
    for pattern, replacement in _MATHML_FIXES:
        katex_html = pattern.sub(replacement, katex_html)
    return katex_html


def _formula_html(formulas: list[Formula], done: Typeset, messages: list[Message]) -> list[str]:
    result = []
    for formula in formulas:
        if formula.key in done.html:
            result.append(done.html[formula.key])
            continue
        if formula.key not in done.errors:  # KaTeX stopped: reported once, for the build
            result.append(_error_html(formula, done.stopped))
            continue
        error, position = done.errors[formula.key]
        messages.append(Message("error", formula.line + formula.tex[:position or 0].count("\n"), error))
        result.append(_error_html(formula, error))
    return result


def _wrap_displays(text: str, anchors: list[list[str]] | None = None, formulas: list[Formula] = ()) -> str:
    """Display formulas in their wrappers (with the ids of their labels); every formula is then
    an inline placeholder, expanded by `expand_math`."""

    def opening(index: int, tag: str) -> str:
        ids = anchors[index] if anchors else []
        first = f' id="{ids[0]}"' if ids else ""
        extra = "".join(f'<span id="{anchor}"></span>' for anchor in ids[1:])
        multline = index < len(formulas) and _MULTLINE_RE.match(formulas[index].written)
        kind = "math-display math-multline" if multline else "math-display"
        return f'<{tag} class="{kind}"{first} {_SCROLLABLE.format("Equation")}>{extra}'

    def block(match):
        index = ms.decode_index(match.group(2) or match.group(4))
        return f"{opening(index, 'div')}{ms.placeholder(ms.INLINE_OPEN, ms.INLINE_CLOSE, index)}</div>"

    def display(match):
        index = ms.decode_index(match.group(1))
        return f"{opening(index, 'span')}{ms.placeholder(ms.INLINE_OPEN, ms.INLINE_CLOSE, index)}</span>"

    return _DISPLAY_PH.sub(display, _BLOCK_PH.sub(block, text))


def _put_math_back(text: str, formulas: list[str]) -> str:
    return expand_math(_wrap_displays(text), tuple(formulas))


def _place_diagrams(text: str, first_index: int) -> str:
    """Diagrams are kept beside the body like formulas, after them: placeholder i becomes the
    inline placeholder of `math[first_index + i]`."""
    return _DIAGRAM_PH.sub(
        lambda match: ms.placeholder(ms.INLINE_OPEN, ms.INLINE_CLOSE, first_index + ms.decode_index(match.group(1))),
        text,
    )


def finish(body: PreparedBody, done: Typeset) -> RenderedBody:
    """Phase 3: KaTeX's HTML in place of the placeholders."""
    messages = list(body.messages)
    formulas = _formula_html(body.formulas, done, messages)
    if body.summary_formulas is body.formulas:
        summary_formulas = formulas
    else:
        summary_formulas = _formula_html(body.summary_formulas, done, messages)
    fields = {name: value for name, value in body.fields.items() if name != "macros"}
    diagrams = [done.html[diagram.key] if diagram else "" for diagram in body.diagrams]
    title_formulas = _formula_html(body.title_formulas, done, messages) if body.title_formulas else []
    if title_formulas:
        fields["title_html"] = _put_math_back(fields["title_html"], title_formulas)
    math = tuple(formulas + diagrams)
    return RenderedBody(
        compact_html=_place_diagrams(
            _wrap_displays(tie_punctuation(name_math_headers(body.html, body.formulas)), body.anchors, body.formulas),
            len(formulas),
        ),
        math=math,
        toc=_put_math_back(body.toc, formulas),
        compact_summary=_wrap_displays(tie_punctuation(body.summary)),
        summary_math=math if summary_formulas is formulas else tuple(summary_formulas),
        has_math=bool(formulas or body.title_formulas),
        summary_has_math=bool(_ANY_MATH_PH.search(body.summary)),
        title_has_math=bool(body.title_formulas),
        has_diagrams=any(body.diagrams),
        math_faces=tuple(sorted(faces_of([*formulas, *title_formulas] if summary_formulas is formulas
                                         else [*formulas, *summary_formulas, *title_formulas]))),
        messages=sorted(messages, key=lambda message: message.line),
        typeset=all(f.key in done.html or f.key in done.errors for f in body.formulas + body.summary_formulas),
        **fields,
    )


def render_source(text: str, config: Config, store: Store) -> RenderedBody:
    """All three phases for one source (tests, and builds with a single changed file)."""
    prepared = prepare_source(text, config)
    done = typeset([prepared], store, workers=1)
    store.put({}, done.new)
    return finish(prepared, done)
