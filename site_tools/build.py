"""Run Pelican in-process and tell whether the build is good: any ERROR logged fails it.

Every failure is reported with its source: a settings file or plugin that does not load, a
template (name and line), content (file and line, as the plugins log it). In GitHub Actions each
error is also printed as a workflow command, so it shows on the commit and the pull request.
"""

import gc
import logging
import os
import re
import shutil
import sys
import tempfile
import time
import traceback
import weakref
from contextlib import contextmanager
from dataclasses import dataclass, field

import blinker
import jinja2

from pelican import Pelican
from pelican.log import init as init_logging
from pelican.plugins import signals
from pelican.settings import read_settings

from site_tools.search_index import add_search_index


class _Collector(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.errors: list[str] = []
        self.warnings: list[str] = []

    def emit(self, record):
        target = self.errors if record.levelno >= logging.ERROR else self.warnings
        target.append(record.getMessage())


@dataclass
class BuildResult:
    output_path: str
    seconds: float
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


_logging_ready = False


def _ensure_logging(verbose: bool) -> None:
    global _logging_ready
    if not _logging_ready:
        init_logging(level=logging.INFO if verbose else logging.WARNING)
        _logging_ready = True


def describe_failure(error: BaseException) -> str:
    """`where: what` for an exception that stopped a build: the template and line for Jinja, the
    innermost project file (settings, plugin) for anything else. An exception marked `reported`
    stops a build whose errors were logged already: its message is all there is to add."""
    if getattr(error, "reported", False):
        return str(error)
    if isinstance(error, jinja2.TemplateSyntaxError):
        where = os.path.relpath(error.filename) if error.filename else error.name
        return f"{where}:{error.lineno}: template syntax error: {error.message}"
    if isinstance(error, SyntaxError) and error.filename:
        return f"{os.path.relpath(error.filename)}:{error.lineno}: {type(error).__name__}: {error.msg}"
    where = None
    for frame, line in traceback.walk_tb(error.__traceback__):
        filename = frame.f_code.co_filename
        template = filename.endswith((".html", ".xml")) and os.path.exists(filename)
        if template or _is_project_file(filename):
            where = f"{os.path.relpath(filename)}:{line}"
    prefix = f"{where}: " if where and not _LOCATED_RE.match(str(error)) else ""
    return f"{prefix}{type(error).__name__}: {error}"


_LOCATED_RE = re.compile(r"^[^\s:]+:\d+: ")
_PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _is_project_file(filename: str) -> bool:
    path = os.path.abspath(filename)
    return path.startswith(_PROJECT_ROOT + os.sep) and "site-packages" not in path and "site_tools" not in path


_ANNOTATION_RE = re.compile(r"^(?P<file>[^\s:]+):(?P<line>\d+): (?P<message>.*)$", re.S)


def annotate_for_github(errors: list[str], warnings: list[str]) -> None:
    """Workflow commands (`::error file=...,line=...::message`) when running in GitHub Actions."""
    if os.environ.get("GITHUB_ACTIONS") != "true":
        return
    for level, messages in (("error", errors), ("warning", warnings)):
        for message in messages:
            print(github_annotation(level, message), file=sys.stderr)


def github_annotation(level: str, message: str) -> str:
    escape = lambda text: text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")  # noqa: E731
    located = _ANNOTATION_RE.match(message)
    if not located:
        return f"::{level}::{escape(message)}"
    properties = f"file={located['file']},line={located['line']}"
    return f"::{level} {properties}::{escape(located['message'])}"


def disconnect_plugins() -> None:
    """Pelican's signals are process-wide and keep every receiver ever connected: a plugin taken
    out of PLUGINS (or an older copy of its code) would still run. Each build registers afresh."""
    for signal in vars(signals).values():
        if isinstance(signal, blinker.Signal):
            for receiver in list(signal.receivers.values()):
                signal.disconnect(receiver() if isinstance(receiver, weakref.ref) else receiver)


# Young-generation collections per build-sized allocation burst: a build makes millions of objects
# that live until it ends, and with Python's default (700) the collector scans them over and over.
_BUILD_GC_THRESHOLD = 50_000


@contextmanager
def _collecting_less():
    """Collect garbage less often during a build: what existed before it is frozen out of the
    collector's scans, and young objects are collected in larger batches (a build's objects
    mostly live until it ends; the scans cost ~0.3 s of a 1,000-post build)."""
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(_BUILD_GC_THRESHOLD, thresholds[1], thresholds[2])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()  # a livereload server's old builds must be collectable once dropped


def build(settings_file: str, overrides: dict | None = None, verbose: bool = False) -> BuildResult:
    """One Pelican build with `settings_file` (and `overrides`); errors are collected, not raised."""
    _ensure_logging(verbose)
    collector = _Collector()
    root = logging.getLogger()
    root.addHandler(collector)
    started = time.perf_counter()
    output_path = (overrides or {}).get("OUTPUT_PATH", "output")
    try:
        settings = read_settings(settings_file, override=overrides or {})
        output_path = settings["OUTPUT_PATH"]
        disconnect_plugins()
        with _collecting_less():
            Pelican(settings).run()
    except Exception as error:  # a crash is one more error to report, with where it came from
        logging.getLogger("site_tools.build").error("%s", describe_failure(error))
    finally:
        root.removeHandler(collector)
    annotate_for_github(collector.errors, collector.warnings)
    return BuildResult(output_path, time.perf_counter() - started, collector.errors, collector.warnings)


def build_then_swap(settings_file: str, output_path: str, overrides: dict | None = None) -> BuildResult:
    """Build (and index for search) into a fresh folder and replace `output_path` with it only if
    both worked."""
    parent = os.path.dirname(os.path.abspath(output_path))
    os.makedirs(parent, exist_ok=True)
    staging = tempfile.mkdtemp(prefix=".publish-", dir=parent)
    result = add_search_index(build(settings_file, {**(overrides or {}), "OUTPUT_PATH": staging}))
    if not result.ok:
        shutil.rmtree(staging, ignore_errors=True)
        result.output_path = output_path
        return result
    shutil.rmtree(output_path, ignore_errors=True)
    os.replace(staging, output_path)
    result.output_path = output_path
    return result
