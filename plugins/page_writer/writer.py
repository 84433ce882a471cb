"""A Pelican Writer that skips pages whose fingerprint has not changed since the last build."""

import hashlib
import json
import logging
import os
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path

from pelican import signals
from pelican.paginator import Paginator
from pelican.utils import get_relative_path, path_to_url, sanitised_join
from pelican.writers import FileOverwriteFailedError, Writer

from .fingerprint import Digester, link_targets_digest, page_fingerprint, template_family

logger = logging.getLogger(__name__)
RECORDS_FILE = "page_writer.json"
# Fewer pages than this to render: forking costs more than it saves (a livereload edit).
PARALLEL_PAGES = 64


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


class PageWriter(Writer):
    """Pelican's Writer, plus: a page is rendered only when what it shows changed."""

    instances = []  # the writer of the build in progress, for `save_records`

    def __init__(self, output_path, settings=None):
        super().__init__(output_path, settings)
        self._records_path = os.path.join(self.settings["CACHE_PATH"], RECORDS_FILE)
        self._previous, self._analyses = self._load_records()
        self._records = {}
        self._digester = Digester()
        self._extra = _code_digest(self.settings)
        self._links = None
        self._families: dict[str, tuple] = {}  # template name -> its family, for this build
        self._pending: list[_Job] = []
        self._claimed: set[str] = set()
        self.rendered = self.skipped = 0
        PageWriter.instances.append(self)

    def _load_records(self) -> tuple[dict, dict]:
        """(page fingerprints of the last build into this output, template analyses).

        Only a cache: a file that cannot be read or is not of the shape `save` writes is ignored
        with one warning (every page is rendered), never trusted: `_remove_orphans` deletes what
        it lists, so a page outside the output folder makes the whole file suspect.
        """
        def is_str_list(value) -> bool:
            return isinstance(value, list) and all(isinstance(item, str) for item in value)

        def shape_problem(saved) -> str:
            if not isinstance(saved, dict) or not isinstance(saved.get("output"), str):
                return "not an object with an output folder"
            pages, templates = saved.get("pages"), saved.get("templates")
            if not isinstance(pages, dict) or not all(isinstance(v, str) for v in pages.values()):
                return "its pages are not a map of paths to fingerprints"
            if not isinstance(templates, dict) or not all(
                isinstance(v, list) and len(v) == 2 and all(map(is_str_list, v)) for v in templates.values()
            ):
                return "its templates are not a map of digests to (names, templates) pairs"
            inside = os.path.join(os.path.abspath(saved["output"]), "")
            if not all(path.startswith(inside) for path in pages):
                return "it lists pages outside its output folder"
            return ""

        try:
            with open(self._records_path, encoding="utf-8") as records:
                saved = json.load(records)
            problem = shape_problem(saved)
        except FileNotFoundError:
            return {}, {}
        except (OSError, ValueError) as error:
            problem = f"cannot be read: {error}"
        if problem:
            logger.warning(
                "%s: not a usable page_writer record (%s); ignored: every page is rendered this build",
                os.path.relpath(self._records_path), problem,
            )
            return {}, {}
        same_output = saved["output"] == os.path.abspath(self.output_path)
        return (saved["pages"] if same_output else {}), saved["templates"]

    def _open_w(self, filename, encoding, override=False):
        opened = super()._open_w(filename, encoding, override)
        if opened.name == os.devnull:
            return opened
        opened.close()  # Pelican opened it for writing; only changed bytes are written below
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
        if template.name not in self._families:  # sources cannot change during a build
            self._families[template.name] = template_family(template.environment, template.name, self._analyses)
        fingerprint = page_fingerprint(self._families[template.name], local, self._digester, self._extra + self._links)
        previous = self._previous.get(path)
        if fingerprint and previous == fingerprint and os.path.exists(path):
            self._written_files.add(path)
            self._records[path] = fingerprint
            self.skipped += 1
            return
        if path in self._claimed and not override:
            raise FileOverwriteFailedError(f'Failed to overwrite "{path}": two pages are written to it')
        self._claimed.add(path)
        self._pending.append(_Job(template, context, local, path, override))
        if fingerprint:
            self._records[path] = fingerprint

    def render_pending(self) -> None:
        """Render the queued pages, across one process per core when there are many."""
        jobs, self._pending = self._pending, []
        processes = min(os.cpu_count() or 1, max(1, len(jobs) // PARALLEL_PAGES))
        children = []
        for rank in range(1, processes):
            pid = os.fork()
            if pid == 0:  # pragma: no cover (runs in the child)
                status = 0
                try:
                    self._render(jobs[rank::processes])
                except BaseException:
                    traceback.print_exc()
                    status = 1
                finally:
                    sys.stderr.flush()
                    os._exit(status)
            children.append(pid)
        self._render(jobs[0::processes])
        if any(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) != 0 for pid in children):
            raise RuntimeError("page_writer: a page failed to render in a worker process (see above)")
        self._written_files |= self._claimed
        self.rendered += len(jobs)
        for job in jobs:
            signals.content_written.send(job.path, context=job.local)

    def _render(self, jobs: list[_Job]) -> None:
        for job in jobs:
            if job.local["localsiteurl"]:
                job.context["localsiteurl"] = job.local["localsiteurl"]
            output = job.template.render(job.local)
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

    def save(self) -> None:
        self._remove_orphans()
        os.makedirs(os.path.dirname(self._records_path) or ".", exist_ok=True)
        with open(self._records_path, "w", encoding="utf-8") as records:
            saved = {"output": os.path.abspath(self.output_path), "pages": self._records, "templates": self._analyses}
            json.dump(saved, records)
        logger.info("page_writer: %d page(s) rendered, %d unchanged", self.rendered, self.skipped)

    def _remove_orphans(self) -> None:
        """Pages of content that is gone (a deleted post, a tag no post has any more)."""
        for path in self._previous.keys() - self._records.keys() - self._written_files:
            if os.path.exists(path):
                os.remove(path)


def provide_writer(pelican):
    return PageWriter


def save_records(pelican) -> None:
    while PageWriter.instances:
        writer = PageWriter.instances.pop()
        writer.render_pending()
        writer.save()
