"""Render one Markdown source to HTML: math out, Markdown, typogrify, KaTeX, math back in.

This runs in pool workers as well as in the build process, so it only takes plain data (a Config)
and returns plain data (a RenderedBody).
"""

import hashlib
import html
import json
import re
from dataclasses import dataclass, field

from markdown import Markdown
from markdown.extensions.meta import BEGIN_RE, END_RE, META_MORE_RE, META_RE

from . import math_source as ms
from .config import Config
from .katex import shared_process
from .numbering import number_equations
from .store import Store

_PARAGRAPH_RE = re.compile(r"^<p>.*?</p>$", re.M | re.S)
_FOOTNOTE_REF_RE = re.compile(r'<sup id="fnref[^"]*">.*?</sup>')
_EQREF_LINK_RE = re.compile(r'<a class="eqref" href="[^"]*">(.*?)</a>')
_CODE_LANG_RE = re.compile(r'<div class="language-([\w+#.-]+) highlight">')
_MTD_WIDTH_RE = re.compile(r'<mtd width="50%">')  # KaTeX's \tag MathML; the HTML validator rejects it
_FENCED_RE = re.compile(r"^[ \t]*(`{3,}|~{3,}).*?^[ \t]*\1[ \t]*$", re.M | re.S)
_WORD_RE = re.compile(r"\w+")
_POSITION_RE = re.compile(r"at position (\d+)")
_INLINE_PH = ms.placeholder_pattern(ms.INLINE_OPEN, ms.INLINE_CLOSE)
_DISPLAY_PH = ms.placeholder_pattern(ms.DISPLAY_OPEN, ms.DISPLAY_CLOSE)
_BLOCK_PH = re.compile(r"<p>\s*(" + _DISPLAY_PH.pattern + r")\s*</p>")
_REF_PH = ms.placeholder_pattern(ms.REF_OPEN, ms.REF_CLOSE)
_ANY_MATH_PH = re.compile(f"[{ms.INLINE_OPEN}{ms.DISPLAY_OPEN}]")


@dataclass
class Message:
    level: str  # "error" or "warning"
    line: int
    text: str


@dataclass
class RenderedBody:
    html: str
    toc: str
    summary: str
    title: str | None  # escaped and typogrified
    title_text: str | None  # as written, for the slug
    metadata: dict[str, list[str]]  # the other front-matter fields, unprocessed
    metadata_lines: dict[str, int]  # the line each field starts on
    has_math: bool
    summary_has_math: bool
    word_count: int
    messages: list[Message] = field(default_factory=list)
    new_formulas: dict[str, str] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        return any(message.level == "error" for message in self.messages)


def source_key(config: Config, source: bytes) -> str:
    return hashlib.sha256(config.fingerprint.encode() + b"\0" + source).hexdigest()


def split_front_matter(text: str) -> tuple[dict[str, list[str]], dict[str, int], str, int]:
    """Python-Markdown's `meta` syntax: `Key: value` lines up to the first blank line.

    Returns the fields (lower-case names, each a list of lines), the line each field starts on,
    the body, and the body's first line.
    """
    lines = text.split("\n")
    metadata: dict[str, list[str]] = {}
    field_lines: dict[str, int] = {}
    key = None
    index = 1 if lines and BEGIN_RE.match(lines[0]) else 0
    while index < len(lines):
        line = lines[index]
        if not line.strip() or (metadata and END_RE.match(line)):
            index += 1
            break
        field_match, more = META_RE.match(line), META_MORE_RE.match(line)
        if field_match:
            key = field_match.group("key").lower().strip()
            metadata.setdefault(key, []).append(field_match.group("value").strip())
            field_lines.setdefault(key, index + 1)
        elif more and key:
            metadata[key].append(more.group("value").strip())
        elif not metadata:
            return {}, {}, text, 1
        else:
            break
        index += 1
    return metadata, field_lines, "\n".join(lines[index:]), index + 1


_markdown_instances: dict[str, Markdown] = {}


def _markdown(config: Config) -> Markdown:
    """One Markdown instance per process and configuration, reset between documents."""
    instance = _markdown_instances.get(config.fingerprint)
    if instance is None:
        settings = dict(config.markdown)
        settings["extensions"] = [
            ext for ext in settings.get("extensions", []) if ext not in ("markdown.extensions.meta", "meta")
        ]
        instance = _markdown_instances[config.fingerprint] = Markdown(**settings)
    instance.reset()
    return instance


def _typogrify(text: str) -> str:
    from typogrify.filters import typogrify  # imported lazily: it is optional when typogrify is off

    return typogrify(text)


def _formula_key(config: Config, tex: str, display: bool, macros: dict) -> str:
    material = json.dumps([config.katex_version, display, tex, sorted(macros.items())])
    return hashlib.sha256(material.encode()).hexdigest()


def _error_html(tex: str, message: str, display: bool) -> str:
    tag = "div" if display else "span"
    return f'<{tag} class="katex-error" title="{html.escape(message)}">{html.escape(tex)}</{tag}>'


class _Document:
    """The state of one source while it renders: its formulas, their HTML, its messages."""

    def __init__(self, config: Config, store: Store, macros: dict):
        self.config, self.store, self.macros = config, store, macros
        self.messages: list[Message] = []
        self.new_formulas: dict[str, str] = {}

    def markdown(self, text: str, first_line: int) -> tuple[str, str, list[str], list[list[str]]]:
        """Markdown to HTML with placeholders; also the TOC and each formula's HTML and anchors."""
        extracted = ms.extract(text, first_line)
        numbered = number_equations(extracted.segments, extracted.refs)
        for problem in numbered.problems:
            self.messages.append(Message("error", problem.line, problem.message))
        for segment in extracted.segments:
            if re.search(r"(?<!\\)%", segment.tex):
                self.messages.append(Message(
                    "warning", segment.line,
                    "'%' starts a TeX comment, so KaTeX ignores the rest of that line; write \\% for a percent sign",
                ))
        md = _markdown(self.config)
        body = md.convert(extracted.text)
        toc = md.toc if getattr(md, "toc_tokens", None) else ""
        body = _CODE_LANG_RE.sub(r'<div class="language-\1 highlight" data-lang="\1">', body)
        if self.config.typogrify:
            body = _typogrify(body)
            toc = _typogrify(toc) if toc else toc
        body = _REF_PH.sub(lambda m: numbered.prose_refs[ms.decode_index(m.group(1))], body)
        formulas = self.render_formulas(extracted.segments, numbered.tex)
        return body, toc, formulas, numbered.anchors

    def render_formulas(self, segments, tex_list) -> list[str]:
        keys = [_formula_key(self.config, tex, s.display, self.macros) for tex, s in zip(tex_list, segments)]
        cached = self.store.get_formulas(sorted(set(keys)))
        missing = sorted({i for i, key in enumerate(keys) if key not in cached}, key=lambda i: i)
        answers = shared_process().render([(tex_list[i], segments[i].display) for i in missing], self.macros)
        rendered = {}
        for index, answer in zip(missing, answers):
            if "html" in answer:
                rendered[keys[index]] = _MTD_WIDTH_RE.sub("<mtd>", answer["html"])
                continue
            segment = segments[index]
            position = answer.get("position")
            line = segment.line + (tex_list[index][:position].count("\n") if position else 0)
            self.messages.append(Message("error", line, answer["error"]))
            rendered[keys[index]] = _error_html(segment.tex, answer["error"], segment.display)
        self.new_formulas.update(
            {key: value for key, value in rendered.items() if 'class="katex-error"' not in value}
        )
        return [cached.get(key) or rendered[key] for key in keys]


def _put_math_back(text: str, formulas: list[str], anchors: list[list[str]]) -> str:
    def block(match):
        index = ms.decode_index(match.group(2))
        ids = anchors[index]
        first = f' id="{ids[0]}"' if ids else ""
        extra = "".join(f'<span id="{anchor}"></span>' for anchor in ids[1:])
        return f'<div class="math-display"{first}>{extra}{formulas[index]}</div>'

    def display(match):
        index = ms.decode_index(match.group(1))
        ids = anchors[index]
        first = f' id="{ids[0]}"' if ids else ""
        return f'<span class="math-display"{first}>{formulas[index]}</span>'

    text = _BLOCK_PH.sub(block, text)
    text = _DISPLAY_PH.sub(display, text)
    return _INLINE_PH.sub(lambda m: formulas[ms.decode_index(m.group(1))], text)


def _auto_summary(body: str, max_words: int | None) -> str:
    """The leading paragraphs, up to `max_words` words; a formula counts as one word."""
    from pelican.utils import truncate_html_words

    paragraphs, words = [], 0
    for match in _PARAGRAPH_RE.finditer(body):
        paragraph = _FOOTNOTE_REF_RE.sub("", match.group())
        paragraph = _EQREF_LINK_RE.sub(r"\1", paragraph)
        paragraphs.append(paragraph)
        words += len(re.sub(r"<[^>]*>", " ", paragraph).split())
        if max_words is not None and words >= max_words:
            break
    summary = "\n".join(paragraphs)
    if max_words is None:
        return summary
    return truncate_html_words(summary, max_words)


def render_source(text: str, config: Config, store: Store) -> RenderedBody:
    metadata, metadata_lines, body_text, first_line = split_front_matter(text.lstrip("\ufeff"))
    macros = dict(config.macros)
    for line in metadata.pop("macros", []):
        name, _, expansion = line.partition("=")
        macros[name.strip()] = expansion.strip()
    document = _Document(config, store, macros)

    body, toc, formulas, anchors = document.markdown(body_text, first_line)
    if "summary" in metadata:
        summary_html, _, summary_formulas, _ = document.markdown("\n".join(metadata.pop("summary")), 1)
        summary_html = _EQREF_LINK_RE.sub(r"\1", summary_html)
    else:
        summary_html = _auto_summary(body, config.summary_max_length)
        summary_formulas = formulas
    # No ids in summaries: a list page shows many of them, and ids must be unique there.
    summary_anchors = [[] for _ in summary_formulas]
    title = title_text = None
    if "title" in metadata:
        title_text = " ".join(metadata.pop("title"))
        title = html.escape(title_text, quote=False)
        title = _typogrify(title) if config.typogrify else title
    return RenderedBody(
        html=_put_math_back(body, formulas, anchors),
        toc=_put_math_back(toc, formulas, [[] for _ in formulas]),
        summary=_put_math_back(summary_html, summary_formulas, summary_anchors),
        title=title,
        title_text=title_text,
        metadata=metadata,
        metadata_lines=metadata_lines,
        has_math=bool(formulas),
        summary_has_math=bool(_ANY_MATH_PH.search(summary_html)),
        word_count=len(_WORD_RE.findall(_FENCED_RE.sub("", body_text))),
        messages=sorted(document.messages, key=lambda message: message.line),
        new_formulas=document.new_formulas,
    )
