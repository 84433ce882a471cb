"""The Pelican reader: every Markdown body of a build rendered up front, in parallel, from cache."""

import fnmatch
import logging
import os
import traceback
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from multiprocessing import get_context

from pelican.readers import DUPLICATES_DEFINITIONS_ALLOWED, BaseReader, MarkdownReader
from pelican.utils import slugify

from .config import Config, read_config
from .fonts import characters_of
from .katex import start_early
from .pipeline import (
    BodyMath, PreparedBody, RenderedBody, decode_source, expand_math, finish, input_digests, prepare_source,
    source_key, typeset, unreadable_source,
)
from .store import Store

logger = logging.getLogger(__name__)

# Rendered bodies by source key (a hash of the source and of everything that shapes its HTML), kept
# for the life of the process: a livereload server re-reads only what changed. The key makes a
# stale entry impossible, so this needs no reset between builds.
_memo: dict[str, RenderedBody] = {}
_MEMO_LIMIT = 20_000
# Source keys by (path, mtime_ns, size, config fingerprint): a rebuild need not read and hash
# every unchanged file again. Any change to the file changes its mtime or size.
_keys: dict[tuple, str] = {}


class BuildRenderer:
    """Renders the bodies of one build. Made when a build starts and dropped when it ends."""

    def __init__(self, settings: dict):
        self.settings = settings
        self.config: Config = read_config(settings)
        self.store = Store(self.config.cache_file)
        self.bodies: dict[str, RenderedBody] = {}
        self.keys: dict[str, str] = {}  # each body's key in the cache, by path
        self.kept_paths: set[str] = set()  # files whose content objects come from the last build
        self.kept_characters: set[str] = set()  # the characters their formulas draw (font subsets)
        self.kept_body_keys: set[str] = set()  # the cached bodies their formulas load from
        self._scanned = False

    def body_for(self, path: str) -> RenderedBody:
        if not self._scanned:
            self._scanned = True
            self.prerender([source for source in self.markdown_sources() if source not in self.kept_paths])
        if path not in self.bodies:
            self.prerender([path])
        return self.bodies[path]

    def markdown_sources(self) -> list[str]:
        """The Markdown files the article and page generators will ask for."""
        content = self.settings["PATH"]
        extensions = tuple(f".{ext}" for ext in MarkdownReader.file_extensions)
        ignored = self.settings.get("IGNORE_FILES", [])
        roots = self.settings["ARTICLE_PATHS"] + self.settings["PAGE_PATHS"]
        found = set()
        for root in roots:
            for folder, _, files in os.walk(os.path.join(content, root), followlinks=True):
                found.update(
                    os.path.abspath(os.path.join(folder, name))
                    for name in files
                    if name.endswith(extensions) and not any(fnmatch.fnmatch(name, p) for p in ignored)
                )
        return sorted(found)

    def _source_key(self, path: str) -> str:
        status = os.stat(path)
        stamp = (path, status.st_mtime_ns, status.st_size, self.config.fingerprint)
        if stamp not in _keys:
            with open(path, "rb") as source:
                _keys[stamp] = source_key(self.config, source.read())
        return _keys[stamp]

    def prerender(self, paths: list[str]) -> None:
        keys = {path: self._source_key(path) for path in paths}
        stored = self.store.get_bodies([key for key in set(keys.values()) if key not in _memo])
        _memo.update(stored)
        todo = [path for path in paths if keys[path] not in _memo or not _inputs_unchanged(_memo[keys[path]])]
        if todo:
            start_early()  # Node loads KaTeX while Markdown runs
        prepared = self._prepare(todo)
        done = typeset(list(prepared.values()), self.store, self.config.workers)
        rendered = {path: finish(body, done) for path, body in prepared.items()}
        self.store.put({keys[path]: body for path, body in rendered.items() if not body.failed}, done.new)
        bodies = {path: rendered.get(path) or _memo[keys[path]] for path in paths}
        if len(_memo) + len(rendered) > _MEMO_LIMIT:
            _memo.clear()
            _keys.clear()
        _memo.update({keys[path]: body for path, body in bodies.items() if not body.failed})
        self.bodies.update(bodies)
        self.keys.update(keys)

    def _prepare(self, paths: list[str]) -> dict[str, PreparedBody]:
        """Phase 1 (Markdown, typogrify) for `paths`, across processes when there are enough."""
        workers = min(self.config.workers, len(paths))
        if workers < 2 or len(paths) < self.config.parallel_threshold:
            return {path: _prepare_file(path, self.config) for path in paths}
        logger.info("katex_markdown: rendering %d bodies in %d processes", len(paths), workers)
        prepared = {}
        try:
            # fork: workers start at once with every module already imported.
            with ProcessPoolExecutor(workers, mp_context=get_context("fork")) as pool:
                # Small chunks: the last one to finish decides when the pool is done.
                bodies = pool.map(partial(_prepare_file, config=self.config), paths, chunksize=4)
                prepared.update(zip(paths, bodies, strict=False))  # short if a worker dies
        except BrokenProcessPool:  # a worker was killed: what it had is lost, not the build
            logger.warning("katex_markdown: a worker process stopped; preparing the rest here")
        return prepared | {path: _prepare_file(path, self.config) for path in paths if path not in prepared}

    def close(self) -> None:
        self.store.record_use({*self.keys.values(), *self.kept_body_keys}, self.config.cache_days)
        self.store.close()


def _inputs_unchanged(body: RenderedBody) -> bool:
    """A body made from other files too (see `input_digests`) is current only while they are."""
    return not body.inputs or input_digests(body.inputs) == body.inputs


def _prepare_file(path: str, config: Config) -> PreparedBody:
    """Phase 1 for one file. Whatever goes wrong is an error of this file alone (in a pool worker,
    an exception would lose the bodies of the whole batch)."""
    try:
        with open(path, "rb") as source:
            text, problems = decode_source(source.read())
        prepared = prepare_source(text, config)
    except OSError as error:
        return unreadable_source(f"cannot be read: {error.strerror or error}")
    except Exception as error:  # a bug, but only this file's: say where, without a traceback
        where = traceback.extract_tb(error.__traceback__)[-1]
        return unreadable_source(
            f"could not be rendered: {type(error).__name__}: {error} (raised at "
            f"{os.path.basename(where.filename)}:{where.lineno}; please report it with this file)"
        )
    prepared.messages.extend(problems)
    return prepared


_build: BuildRenderer | None = None


def start_build(pelican) -> None:
    global _build
    end_build(pelican)  # a build that failed never reached `finalized`
    _build = BuildRenderer(pelican.settings)


def build_characters() -> set[str]:
    """The characters the formulas of this build's bodies, summaries and titles draw (for the font
    subsets): those of the files read now, and those kept_content.py found for the objects it kept."""
    if _build is None:
        return characters_of(())
    read = characters_of(formula for body in _build.bodies.values() for formula in body_formulas(body))
    return read | _build.kept_characters


def drawn_characters(path: str) -> frozenset[str]:
    """The characters the formulas of the body read from `path` this build draw."""
    return frozenset(characters_of(body_formulas(_build.bodies[os.path.abspath(path)])))


def body_formulas(body: RenderedBody) -> tuple[str, ...]:
    """Every formula's HTML of a body, its summary and its title (a title's HTML is text around
    its formulas, whose few letters join the subsets too)."""
    return (*body.math, *body.summary_math, *([body.title_html] if body.title_has_math else []))


def end_build(pelican) -> None:
    global _build
    if _build is not None:
        _build.close()
    _build = None


def body_inputs(path: str) -> dict | None:
    """The files (by digest) the body of `path` was made from in this build; None if this reader
    did not read it, or its body is not one to keep (failed, like those KaTeX could not typeset)."""
    body = _build.bodies.get(os.path.abspath(path)) if _build is not None else None
    return None if body is None or body.failed else dict(body.inputs or {})


def use_reader(readers) -> None:
    for extension in MarkdownReader.file_extensions:
        readers.reader_classes[extension] = KatexMarkdownReader


class KatexMarkdownReader(BaseReader):
    """Markdown with build-time KaTeX; registered for Markdown's extensions by `use_reader`."""

    enabled = True
    file_extensions: list[str] = []  # not auto-registered: only builds that load the plugin use it

    def read(self, source_path):
        global _build
        if _build is None:  # a reader used outside a Pelican run (Pelican's own tools, tests)
            _build = BuildRenderer(self.settings)
        path = os.path.abspath(source_path)
        body = _build.body_for(path)
        where = os.path.relpath(source_path)
        for message in body.messages:
            log = logger.error if message.level == "error" else logger.warning
            log("%s:%d: %s", where, message.line, message.text)
        # Pelican scans bodies with its link regexes on every build: it gets the compact body,
        # and `expand_math_on_access` gives it the formulas when a page or feed shows the body.
        return body.compact_html, self._metadata(body, where, _build.keys[path])

    def _metadata(self, body: RenderedBody, where: str, key: str) -> dict:
        metadata = {}
        for name, values in body.metadata.items():
            value = values[0] if not DUPLICATES_DEFINITIONS_ALLOWED.get(name, True) or len(values) == 1 else values
            try:
                metadata[name] = self.process_metadata(name, value)
            except ValueError as error:
                line = body.metadata_lines.get(name, 1)
                logger.error("%s:%d: %s: %r is not valid here (%s)", where, line, name.title(), value, error)
                raise
        if body.title is not None:
            metadata["title"] = body.title
            metadata["title_html"] = body.title_html
            if "slug" not in metadata and self.settings.get("SLUGIFY_SOURCE") == "title":
                metadata["slug"] = slugify(
                    body.title_text,
                    regex_subs=self.settings.get("SLUG_REGEX_SUBSTITUTIONS", []),
                    preserve_case=self.settings.get("SLUGIFY_PRESERVE_CASE", False),
                    use_unicode=self.settings.get("SLUGIFY_USE_UNICODE", False),
                )
        # Compact like the body (see `expand_math_on_access`): Pelican rewrites the summary's links
        # on every build, and a formula in an opening paragraph can be megabytes of HTML.
        metadata["summary"] = body.compact_summary
        cache_file = _build.config.cache_file
        metadata["summary_math"] = BodyMath.of(key, "summary_math", cache_file, body.summary_math)
        metadata["toc"] = body.toc
        metadata["has_math"] = body.has_math
        metadata["summary_has_math"] = body.summary_has_math
        metadata["title_has_math"] = body.title_has_math
        metadata["has_diagrams"] = body.has_diagrams
        metadata["math_faces"] = body.math_faces
        metadata["word_count"] = body.word_count
        if "description" not in metadata:
            metadata["description"] = body.description
        metadata["math_html"] = BodyMath.of(key, "math", cache_file, body.math)
        # Each equation label's number and element id, for plugins that resolve references.
        metadata["equation_labels"] = dict(body.equation_labels)
        # Where each front-matter field starts, so that any plugin can name the line of a bad value.
        metadata["front_matter_lines"] = dict(body.metadata_lines)
        return metadata


def expand_math_on_access(content) -> None:
    """The body a page or feed shows: Pelican's link rewriting on the compact body (a fraction of
    the HTML to scan), then the formulas put in.

    Read when shown, not now: plugins that run later may edit `_content`. This also replaces
    Pelican's memoized `get_content`, whose cache outlives the build (and holds every body of
    every livereload build). The summary is kept compact and shown the same way."""
    content.get_content = partial(_body_as_shown, content)
    content.get_summary = partial(_summary_as_shown, content)


def _summary_as_shown(content, siteurl: str) -> str:
    summary = content.metadata.get("summary")
    if summary is None:  # a plugin removed it: Pelican's own summary of the body
        return type(content).get_summary(content, siteurl)
    math = content.metadata.get("summary_math")
    return expand_math(summary, math.items) if math else summary


def _body_as_shown(content, siteurl: str) -> str:
    body = content._update_content(content._content, siteurl)
    math = content.metadata.get("math_html")
    return expand_math(body, math.items) if math else body
