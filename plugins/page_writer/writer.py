"""A Pelican Writer that skips pages whose fingerprint has not changed since the last build."""

import hashlib
import json
import logging
import os
import traceback
from dataclasses import dataclass
from pathlib import Path

from pelican import signals
from pelican.paginator import Paginator
from pelican.utils import get_relative_path, path_to_url, sanitised_join
from pelican.writers import FileOverwriteFailedError, Writer

from . import forked
from .fingerprint import Digester, link_targets_digest, page_fingerprint, settings_digest, template_family

logger = logging.getLogger(__name__)
RECORDS_FILE = "page_writer.json"
# Fewer pages than this to render: forking costs more than it saves (a livereload edit).
PARALLEL_PAGES = 24


@dataclass
class _Job:
    template: object
    context: dict  # the generator's shared context: Pelican points content links at each page
    local: dict
    path: str
    override: bool
_PLUGIN_DIR = Path(__file__).resolve().parent


def _code_digest(settings) -> str:
    """Plugins can add Jinja filters and context: any change to their code re-renders every page."""
    digest = hashlib.sha256()
    for folder in settings.get("PLUGIN_PATHS", []):
        for source in sorted(Path(folder).rglob("*.py")):
            digest.update(source.read_bytes())
    return digest.hexdigest()


class _ChangedBytesFile:
    """Collects what Pelican writes and touches the file only if the bytes differ."""

    def __init__(self, path):
        self.path, self.parts = path, []

    def write(self, text):
        self.parts.append(text.encode("utf-8") if isinstance(text, str) else text)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if exc[0] is None:
            data = b"".join(self.parts)
            if not (os.path.exists(self.path) and Path(self.path).read_bytes() == data):
                Path(self.path).write_bytes(data)
        return False


class PageRenderError(RuntimeError):
    """A template failed on a page; the message names the template and line."""

    def describe(self) -> str:  # what a rendering child reports (forked.py): the message alone
        return str(self)


def describe_render_error(error: Exception, job: "_Job") -> str:
    """`theme/templates/x.html:LINE: message (while rendering output/...)`, from the traceback's
    innermost template frame (Jinja gives template code the template's file name)."""
    where = None
    for frame, line in traceback.walk_tb(error.__traceback__):
        filename = frame.f_code.co_filename
        if filename.endswith((".html", ".xml", ".bib", ".txt")) and os.path.exists(filename):
            where = f"{os.path.relpath(filename)}:{line}"
    where = where or f"template {job.template.name}"
    return f"{where}: {type(error).__name__}: {error} (while rendering {os.path.relpath(job.path)})"


def _fork_renderer(render, jobs) -> tuple[int, int]:
    """A child rendering `jobs`; it answers nothing, or why it failed."""
    return forked.start(lambda: render(jobs) or b"")


def _wait_for_renderer(child: tuple[int, int]) -> str | None:
    """The child's failure message, or None when it rendered every page."""
    status, answer = forked.finish(child)
    if status == 0:
        return None
    return answer.decode("utf-8", "replace") or f"page_writer: a rendering process stopped with status {status}"


class PageWriter(Writer):
    """Pelican's Writer, plus: a page is rendered only when what it shows changed.

    `provide_writer` makes a subclass per build, bound to that build's Pelican object, so the
    writer (with its queue) lives exactly as long as the build: a build that fails never leaves
    work for the next one.
    """

    pelican = None  # set on the per-build subclass

    def __init__(self, output_path, settings=None):
        super().__init__(output_path, settings)
        self._records_path = os.path.join(self.settings["CACHE_PATH"], RECORDS_FILE)
        self._previous, self._previous_files, self._analyses = self._load_records()
        self._records = {}
        self._digester = Digester()
        self._extra = _code_digest(self.settings) + settings_digest(self.settings)
        self._links = None
        self._context = None
        self._families: dict[str, tuple] = {}  # template name -> its family, for this build
        self._pending: list[_Job] = []
        self._claimed: set[str] = set()
        self.rendered = self.skipped = 0
        if self.pelican is not None:
            self.pelican.page_writer = self

    def _load_records(self) -> tuple[dict, list, dict]:
        """(page fingerprints of the last build into this output, the other files it produced,
        template analyses).

        Only a cache: a file that cannot be read or is not of the shape `save` writes is ignored
        with one warning (every page is rendered), never trusted: orphans are deleted from what it
        lists, so a file outside the output folder makes the whole record suspect.
        """
        def is_str_list(value) -> bool:
            return isinstance(value, list) and all(isinstance(item, str) for item in value)

        def shape_problem(saved) -> str:
            if not isinstance(saved, dict) or not isinstance(saved.get("output"), str):
                return "not an object with an output folder"
            pages, files, templates = saved.get("pages"), saved.get("files", []), saved.get("templates")
            if not isinstance(pages, dict) or not all(isinstance(v, str) for v in pages.values()):
                return "its pages are not a map of paths to fingerprints"
            if not is_str_list(files):
                return "its files are not a list of paths"
            if not isinstance(templates, dict) or not all(
                isinstance(v, list) and len(v) == 2 and all(map(is_str_list, v)) for v in templates.values()
            ):
                return "its templates are not a map of digests to (names, templates) pairs"
            inside = os.path.join(os.path.abspath(saved["output"]), "")
            if not all(path.startswith(inside) for path in [*pages, *files]):
                return "it lists files outside its output folder"
            return ""

        try:
            with open(self._records_path, encoding="utf-8") as records:
                saved = json.load(records)
            problem = shape_problem(saved)
        except FileNotFoundError:
            return {}, [], {}
        except (OSError, ValueError) as error:
            problem = f"cannot be read: {error}"
        if problem:
            logger.warning(
                "%s: not a usable page_writer record (%s); ignored: every page is rendered this build",
                os.path.relpath(self._records_path), problem,
            )
            return {}, [], {}
        if saved["output"] != os.path.abspath(self.output_path):  # another output folder's
            return {}, [], {}
        return saved["pages"], saved.get("files", []), saved["templates"]

    def _open_w(self, filename, encoding, override=False):
        """Pelican's `_open_w` contract (one write per file unless overridden; an overridden file is
        not written again), but the file is neither opened nor truncated: the bytes are compared
        first and written only when they differ."""
        if filename in self._overridden_files:
            if override:
                raise FileOverwriteFailedError(
                    f'Failed to overwrite "{filename}" a second time (was previously overwritten)'
                )
            return open(os.devnull, "w", encoding=encoding)
        if filename in self._written_files and not override:
            raise FileOverwriteFailedError(
                f'Failed to overwrite "{filename}" as Pelican has already written to it previously'
            )
        if override:
            self._overridden_files.add(filename)
        self._written_files.add(filename)
        return _ChangedBytesFile(filename)

    def write_file(self, name, template, context, relative_urls=False, paginated=None,
                   template_name=None, override_output=False, url=None, **kwargs):
        """Pelican's write_file, with each page (each page of a paginated list too) skipped
        when its fingerprint matches the last build's."""
        if not name:
            return
        if paginated is None:
            paginated = {key: value for key, value in kwargs.items() if key in {"articles", "dates"}}
        if not (paginated and template_name in self.settings["PAGINATED_TEMPLATES"]):
            self._write_page(template, context, name, kwargs, relative_urls, override_output)
            return
        per_page = self.settings["PAGINATED_TEMPLATES"][template_name] or self.settings["DEFAULT_PAGINATION"]
        paginators = {
            key: Paginator(name, url, value, self.settings, per_page) for key, value in paginated.items()
        }
        for number in range(1, next(iter(paginators.values())).num_pages + 1):
            page_kwargs = dict(kwargs)
            for key, paginator in paginators.items():
                page = paginator.page(number)
                page_kwargs.update({
                    f"{key}_paginator": paginator,
                    f"{key}_page": page,
                    f"{key}_previous_page": paginator.page(number - 1) if number > 1 else None,
                    f"{key}_next_page": paginator.page(number + 1) if number < paginator.num_pages else None,
                })
            self._write_page(template, context, page.save_as, page_kwargs, relative_urls, override_output)

    def _write_page(self, template, context, name, kwargs, relative_urls, override):
        local = self._local_context(context, name, kwargs, relative_urls)
        path = sanitised_join(self.output_path, name)
        if self._links is None:  # every source is read by now: the first page is written after
            self._links = link_targets_digest(context)
            self._context = context
            self._digester.own_digests_in_parallel(
                [content for content in context.get("generated_content", {}).values() if content is not None]
            )
        if template.name not in self._families:  # sources cannot change during a build
            self._families[template.name] = template_family(template.environment, template.name, self._analyses)
        fingerprint = page_fingerprint(self._families[template.name], local, self._digester, self._extra + self._links)
        previous = self._previous.get(path)
        if fingerprint and previous == fingerprint and os.path.exists(path):
            self._written_files.add(path)
            self._records[path] = fingerprint
            self.skipped += 1
            # The page is as it was, but it is still part of this build (sitemaps, indexes listen).
            signals.content_written.send(path, context=local)
            return
        if path in self._claimed and not override:
            raise FileOverwriteFailedError(f'Failed to overwrite "{path}": two pages are written to it')
        self._claimed.add(path)
        self._pending.append(_Job(template, context, local, path, override))
        # A page with no fingerprint is recorded too ("" never matches), so it is removed once gone.
        self._records[path] = fingerprint or ""

    def render_pending(self) -> None:
        """Render the queued pages, across one process per core when there are many."""
        jobs, self._pending = self._pending, []
        processes = min(os.cpu_count() or 1, max(1, len(jobs) // PARALLEL_PAGES))
        children = []
        try:
            for rank in range(1, processes):
                children.append(_fork_renderer(self._render, jobs[rank::processes]))
            self._render(jobs[0::processes])
        finally:
            problems = [problem for problem in map(_wait_for_renderer, children) if problem]
        if problems:
            raise PageRenderError(problems[0])
        self._written_files |= self._claimed
        self.rendered += len(jobs)
        for job in jobs:
            signals.content_written.send(job.path, context=job.local)

    def _render(self, jobs: list[_Job]) -> None:
        for job in jobs:
            if job.local["localsiteurl"]:
                job.context["localsiteurl"] = job.local["localsiteurl"]
            try:
                output = job.template.render(job.local)
            except Exception as error:
                raise PageRenderError(describe_render_error(error, job)) from error
            os.makedirs(os.path.dirname(job.path), exist_ok=True)
            with self._open_w(job.path, "utf-8", override=job.override) as page:
                page.write(output)

    @staticmethod
    def _local_context(context, name, kwargs, relative_urls):
        """The context one page is rendered with, exactly as Pelican builds it."""
        local = context.copy()
        local["localsiteurl"] = local.get("localsiteurl", None)
        if relative_urls:
            relative_url = path_to_url(get_relative_path(name))
            local["SITEURL"] = relative_url
            local["localsiteurl"] = relative_url
        local["output_file"] = name
        local.update(kwargs)
        return local

    def save(self, failed: bool = False) -> None:
        """Keep what each page was made from. After a failed build the pages it queued may be
        half-written, so their records are dropped (they render next time) and nothing is removed."""
        if failed:
            records = {path: print_ for path, print_ in self._previous.items() if path not in self._claimed}
            files = self._previous_files
        else:
            files = self._produced_files()
            self._remove_orphans(files)
            records = self._records
        os.makedirs(os.path.dirname(self._records_path) or ".", exist_ok=True)
        saved = {"output": os.path.abspath(self.output_path), "pages": records, "files": files,
                 "templates": self._analyses}
        with open(self._records_path, "w", encoding="utf-8") as out:
            json.dump(saved, out)
        logger.info("page_writer: %d page(s) rendered, %d unchanged", self.rendered, self.skipped)

    def _produced_files(self) -> list[str]:
        """Files of this build that are not pages: static copies of content and of the theme."""
        produced = set()
        for static in (self._context or {}).get("static_content", {}).values():
            if getattr(static, "save_as", None):
                produced.add(os.path.join(self.output_path, static.save_as))
        theme = self.settings["THEME"]
        for folder in self.settings.get("THEME_STATIC_PATHS", []):
            source = os.path.join(theme, folder)
            for path in Path(source).rglob("*"):
                if path.is_file():
                    relative = path.relative_to(source)
                    produced.add(os.path.join(self.output_path, self.settings["THEME_STATIC_DIR"], relative))
        return sorted(os.path.normpath(path) for path in produced)

    def _remove_orphans(self, files: list[str]) -> None:
        """Pages of content that is gone (a deleted post, a tag no post has any more), and static
        copies whose source is gone."""
        gone = (self._previous.keys() - self._records.keys() - self._written_files)
        gone |= set(self._previous_files) - set(files) - self._written_files
        for path in gone:
            if os.path.exists(path) and _inside(path, self.output_path):
                os.remove(path)


def _inside(path: str, folder: str) -> bool:
    return os.path.commonpath([os.path.realpath(path), os.path.realpath(folder)]) == os.path.realpath(folder)


def provide_writer(pelican):
    """A writer class for this build alone (see PageWriter)."""
    return type("PageWriter", (PageWriter,), {"pelican": pelican})


def save_records(pelican) -> None:
    writer = getattr(pelican, "page_writer", None)
    if writer is None:
        return
    del pelican.page_writer
    try:
        writer.render_pending()
    except BaseException:
        writer.save(failed=True)
        raise
    writer.save()
