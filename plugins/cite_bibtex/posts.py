"""What the plugin does to each post and page once all are read: citations linked, References
listed, "Cite this post" data made. Problems are logged as `file:line: message` (errors fail the build).
"""

import logging
import os
import re
from dataclasses import dataclass, field

from markupsafe import Markup

from . import store
from .bibliography import (
    Library,
    ParsedBib,
    bib_files_under,
    read_bib_file,
    remember_parses,
)
from .citations import (
    build_references,
    cited_keys,
    find_groups,
    link_citations,
    text_citations,
)
from .cite_post import VALID_KEY, PostCitation, post_citation, remember_entries
from .config import STYLES, Config, ConfigError, read_config
from .reference_style import FormattedReference, format_reference, remember_references

logger = logging.getLogger(__name__)

# The context key of this build's state: Pelican makes a new context for every build, so nothing
# of it outlives the build (templates have no use for it).
STATE_KEY = "cite_bibtex_build"
_YES, _NO = {"yes", "true", "on", "1"}, {"no", "false", "off", "0"}


@dataclass
class BuildState:
    config: Config
    cache_path: str
    library: Library  # the entries of the .bib files under bib_paths
    local_libraries: dict[str, Library | None] = field(default_factory=dict)  # by post-local .bib path
    # What this build parsed and formatted, by digest: the next build's cache (store.py).
    parsed: dict[str, ParsedBib] = field(default_factory=dict)
    formatted: dict[tuple[str, str], FormattedReference] = field(default_factory=dict)
    entries: dict[str, tuple[str, str]] = field(default_factory=dict)  # posts' BibTeX and its HTML
    reported: set[str] = field(default_factory=set)  # problems of cited entries, logged once a build
    post_keys: dict[str, tuple[str, str]] = field(default_factory=dict)  # a post's key -> (source, slug)


def build_state(generator) -> BuildState | None:
    """This build's state, made by the first generator that asks (the bibliography is read once)."""
    context = generator.context
    if STATE_KEY not in context:
        context[STATE_KEY] = _new_state(generator.settings)
    return context[STATE_KEY]


def _new_state(settings) -> BuildState | None:
    try:
        config = read_config(settings)
    except ConfigError as error:
        logger.error("%s", error)
        return None
    parsed, formatted, entries = store.load(settings["CACHE_PATH"])
    remember_parses(parsed)
    remember_references(formatted)
    remember_entries(entries)
    folders = [os.path.join(settings["PATH"], folder) for folder in config.bib_paths]
    library = Library([read_bib_file(path) for path in bib_files_under(folders)])
    _report(library)
    state = BuildState(config, settings["CACHE_PATH"], library)
    state.parsed.update((bib.digest, bib.parsed) for bib in library.files)
    return state


def save_cache(state: BuildState) -> None:
    store.save(state.cache_path, state.parsed, state.formatted, state.entries)


def _report(library: Library) -> None:
    for path, problem in library.problems:
        logger.error("%s:%d: %s", path, problem.line, problem.message)


# --- Signal handlers ------------------------------------------------------------------------------

# Every list a generator keeps its content in: drafts and translations cite too.
_ARTICLE_LISTS = ("articles", "translations", "hidden_articles", "hidden_translations", "drafts",
                  "drafts_translations")
_PAGE_LISTS = ("pages", "translations", "hidden_pages", "hidden_translations", "draft_pages", "draft_translations")


def cite_in_articles(generator) -> None:
    state = build_state(generator)
    if state is not None:
        for article in _all(generator, _ARTICLE_LISTS):
            cite_in_content(article, state)
        for article in _all(generator, ("articles", "hidden_articles")):  # published: a final URL
            article.citation = citation_for(article, state)


def cite_in_pages(generator) -> None:
    state = build_state(generator)
    if state is not None:
        for page in _all(generator, _PAGE_LISTS):
            cite_in_content(page, state)


def _all(generator, names):
    return [item for name in names for item in getattr(generator, name, [])]


# --- In-post citations --------------------------------------------------------------------------------

def cite_in_content(content, state: BuildState) -> None:
    """Link the citations of the body (and summary) and set `content.references`."""
    content.references = None
    body = content._content or ""
    summary = content.metadata.get("summary") or ""
    if "[@" not in body and "[@" not in summary:
        return
    library = _library_for(content, state)
    style = _style_of(content, state)
    groups = find_groups(body) + find_groups(summary)
    for written in dict.fromkeys(g.written for g in groups if g.cites is None):  # a summary repeats the body
        written = _plain(written)
        _error(content, re.match(r"\[@[^\s,;\]]*", written).group(0),
               f"malformed citation {written}: write [@key], [@key, p. 5] or [@key1; @key2] "
               "(a key is letters, digits and _:.-/+)")
    keys = cited_keys(groups)
    for key in keys:
        if library.get(key) is None:
            _error(content, f"@{key}", _unknown_key_message(key, library, state))
    known = [key for key in keys if library.get(key) is not None]
    formatted = {key: _formatted(library, key, style, state) for key in known}
    references = build_references(style, known, formatted, {})
    body, backlinks = link_citations(body, references, set(known))
    content._content = body
    if "[@" in summary:
        summary, _ = link_citations(summary, references, set(known), linked=False)
        content.metadata["summary"] = summary
        content._summary = summary
    description = content.metadata.get("description") or ""
    if "[@" in description:  # the summary as plain text, for <meta name="description"> and feeds
        content.metadata["description"] = content.description = text_citations(description, references, set(known))
    content.references = build_references(style, known, formatted, backlinks)


def _formatted(library: Library, key: str, style: str, state: BuildState) -> FormattedReference:
    entry = library.get(key)
    formatted = format_reference(entry, style)
    state.formatted[(entry.digest, style)] = formatted
    for problem in formatted.problems:
        message = f"{library.source_of(key)}:{entry.line}: entry {key}: {problem}"
        if message not in state.reported:
            state.reported.add(message)
            logger.error("%s", message)
    return formatted


def _library_for(content, state: BuildState) -> Library:
    name = content.metadata.get("bibliography")
    if not name:
        return state.library
    path = os.path.normpath(os.path.join(os.path.dirname(content.source_path), str(name)))
    if path not in state.local_libraries:
        if not os.path.isfile(path):
            _error_at_field(content, "bibliography", f"Bibliography: {name}: no such file next to the post "
                            f"({os.path.relpath(path)})")
            state.local_libraries[path] = None
        else:
            local = Library([read_bib_file(path)], parent=state.library)
            state.parsed.update((bib.digest, bib.parsed) for bib in local.files)
            _report(local)
            state.local_libraries[path] = local
    return state.local_libraries[path] or state.library


def _style_of(content, state: BuildState) -> str:
    style = str(content.metadata.get("citation_style") or state.config.style).strip().lower()
    if style not in STYLES:
        _error_at_field(content, "citation_style", f"Citation_style: {style!r}: use one of {', '.join(STYLES)}")
        return state.config.style
    return style


def _unknown_key_message(key: str, library: Library, state: BuildState) -> str:
    import difflib  # only when a key is unknown

    close = difflib.get_close_matches(key, library.keys(), n=3)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    folders = ", ".join(state.config.bib_paths)
    return f"unknown citation key {key}{hint}: add it to a .bib file in {folders} or to the post's Bibliography"


def _plain(written: str) -> str:
    return Markup(written).striptags()


# --- "Cite this post" --------------------------------------------------------------------------------

def citation_for(article, state: BuildState) -> PostCitation | None:
    config = state.config
    if not _citation_wanted(article, config):
        return None
    key = str(article.metadata.get("citation_key") or article.slug.replace("-", "_")).strip()
    if not key:  # an empty slug: content_checks reports it
        return None
    if not VALID_KEY.match(key):
        _error_at_field(article, "citation_key", f"Citation_key {key!r}: use letters, digits and _:.-/+ only")
        return None
    if key in state.post_keys:
        other, other_slug = state.post_keys[key]
        if other_slug != article.slug:  # one slug for two posts is content_checks' error to report
            _error_at_field(article, "citation_key", f"citation key {key} is also the key of {other}: "
                            "set Citation_key on one of them")
        return None
    state.post_keys[key] = (os.path.relpath(article.source_path), article.slug)
    authors = [author.name for author in getattr(article, "authors", []) if author.name]
    missing = _missing_fields(article, authors, config)
    if missing:
        _error_at_field(article, "title", f"Cite this post needs {missing} (or `Citation: no` in the front matter)")
        return None
    title = " ".join(Markup(article.title).striptags().split())
    return post_citation(
        key=key, entry_type=config.entry_type, authors=authors, title=title, date=article.date,
        modified=getattr(article, "modified", None), url=f"{config.siteurl}/{article.url}",
        site_name=config.site_name, site_url=config.siteurl, note=str(article.metadata.get("citation_note") or ""),
        bib_url=config.post_bib_save_as.format(slug=article.slug, key=key), site_bib_url=config.site_bib_save_as,
        used=state.entries,
    )


def _citation_wanted(article, config: Config) -> bool:
    value = article.metadata.get("citation")
    if value is None:
        return config.cite_posts
    text = str(value).strip().lower()
    if text not in _YES | _NO:
        _error_at_field(article, "citation", f"Citation: {value!r}: write yes or no")
        return config.cite_posts
    return text in _YES


def _missing_fields(article, authors: list[str], config: Config) -> str:
    missing = []
    if not authors:
        missing.append("an author: `Author:` in the front matter or AUTHOR in pelicanconf.py")
    if not Markup(getattr(article, "title", "") or "").striptags().strip():
        missing.append("a title")
    if getattr(article, "date", None) is None:
        missing.append("a date")
    if not config.siteurl:
        missing.append("an absolute site URL: SITEURL (publishconf.py) or CITE_BIBTEX['siteurl'] (dev builds)")
    return "; ".join(missing)


# --- Messages ------------------------------------------------------------------------------------------

def _error(content, needle: str, message: str) -> None:
    logger.error("%s:%d: %s", os.path.relpath(content.source_path), _line_of(content, needle), message)


def _error_at_field(content, name: str, message: str) -> None:
    line = content.metadata.get("front_matter_lines", {}).get(name, 1)
    logger.error("%s:%d: %s", os.path.relpath(content.source_path), line, message)


def _line_of(content, needle: str) -> int:
    """The first line of the source that holds `needle` (the body is HTML by now)."""
    try:
        with open(content.source_path, encoding="utf-8") as source:
            for number, line in enumerate(source, 1):
                if needle in line:
                    return number
    except (OSError, UnicodeDecodeError):
        pass
    return 1
