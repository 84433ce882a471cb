"""Numbers and references applied to each post once the build has read them all."""

import logging
import os

from .document import Problem, finish_document

logger = logging.getLogger(__name__)

_YES = ("yes", "true", "on", "1")
_NO = ("no", "false", "off", "0", "")
# Every list of content a generator keeps (drafts and hidden ones are written too).
_CONTENT_LISTS = (
    "articles", "translations", "drafts", "drafts_translations", "hidden_articles", "hidden_translations",
    "pages", "hidden_pages", "draft_pages", "hidden_translations", "draft_translations",
)


class _PelicanAltWarning(logging.Filter):
    """Pelican's own warning about an image with an empty alt names the file but not the line;
    this plugin's names both (and also catches an <img> with no alt at all)."""

    def filter(self, record):
        return not str(record.msg).startswith("Empty alt attribute for image")


_ALT_FILTER = _PelicanAltWarning()  # stateless; added once however often a build starts


def quiet_pelican_alt_warning(pelican) -> None:
    logging.getLogger("pelican.readers").addFilter(_ALT_FILTER)


def restore_pelican_alt_warning(pelican) -> None:
    logging.getLogger("pelican.readers").removeFilter(_ALT_FILTER)


def finish_all_content(generators) -> None:
    seen = set()
    for generator in generators:
        for name in _CONTENT_LISTS:
            for content in getattr(generator, name, None) or []:
                if id(content) not in seen and hasattr(content, "_content"):
                    seen.add(id(content))
                    finish_content(content)


def section_prefix(content) -> str | None:
    """None: sections are not numbered. A plugin's `section_number_prefix` ("3", for part 3 of a
    series) numbers them "3.1", ...; `Number_sections: yes` numbers them "1", ..."""
    prefix = getattr(content, "section_number_prefix", None)
    if prefix not in (None, ""):
        return str(prefix)
    value = content.metadata.get("number_sections")
    if value is None or str(value).strip().lower() in _NO:
        return None
    if str(value).strip().lower() in _YES:
        return ""
    line = content.metadata.get("front_matter_lines", {}).get("number_sections", 1)
    logger.error("%s:%d: Number_sections: %r is not yes or no", os.path.relpath(content.source_path), line, value)
    return None


def finish_content(content) -> None:
    summary = getattr(content, "_summary", content.metadata.get("summary", ""))
    document = finish_document(
        content._content, summary, getattr(content, "toc", "") or "", getattr(content, "description", "") or "",
        content.metadata.get("equation_labels") or {}, section_prefix(content),
    )
    content._content = document.body
    if document.summary != summary:
        content._summary = content.metadata["summary"] = document.summary
    toc = "" if document.toc_in_body else document.toc
    if toc != (getattr(content, "toc", "") or ""):
        content.toc = content.metadata["toc"] = toc
    if document.description != (getattr(content, "description", "") or ""):
        content.description = content.metadata["description"] = document.description
    content.has_theorems = document.has_theorems
    _report(content, document.problems)


def _report(content, problems: list[Problem]) -> None:
    if not problems:
        return
    where = os.path.relpath(content.source_path)
    with open(content.source_path, encoding="utf-8") as source:
        lines = source.read().split("\n")
    taken: set[tuple[tuple[str, ...], int]] = set()  # a second problem alike is on another line
    for problem in problems:
        line = _line_of(lines, problem.needles, taken)
        taken.add((problem.needles, line))
        log = logger.error if problem.level == "error" else logger.warning
        log("%s:%d: %s", where, line, problem.message)


def _line_of(lines: list[str], needles: tuple[str, ...], taken) -> int:
    """The first line holding a needle (tried in order) that no problem alike has named yet:
    the HTML no longer knows its lines."""
    for needle in needles:
        for number, text in enumerate(lines, 1):
            if needle in text and (needles, number) not in taken:
                return number
    return 1
