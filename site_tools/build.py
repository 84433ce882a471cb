"""Run Pelican in-process and tell whether the build is good: any ERROR logged fails it."""

import logging
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field

from pelican import Pelican
from pelican.log import init as init_logging
from pelican.settings import read_settings


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


def build(settings_file: str, overrides: dict | None = None, verbose: bool = False) -> BuildResult:
    """One Pelican build with `settings_file` (and `overrides`); errors are collected, not raised."""
    _ensure_logging(verbose)
    settings = read_settings(settings_file, override=overrides or {})
    collector = _Collector()
    root = logging.getLogger()
    root.addHandler(collector)
    started = time.perf_counter()
    try:
        Pelican(settings).run()
    except Exception as error:  # a crash is one more error to report, with what Pelican said
        logging.getLogger("site_tools.build").error("build failed: %s: %s", type(error).__name__, error)
    finally:
        root.removeHandler(collector)
    return BuildResult(
        settings["OUTPUT_PATH"], time.perf_counter() - started, collector.errors, collector.warnings
    )


def build_then_swap(settings_file: str, output_path: str, overrides: dict | None = None) -> BuildResult:
    """Build into a fresh folder and replace `output_path` with it only if the build is good."""
    parent = os.path.dirname(os.path.abspath(output_path))
    os.makedirs(parent, exist_ok=True)
    staging = tempfile.mkdtemp(prefix=".publish-", dir=parent)
    result = build(settings_file, {**(overrides or {}), "OUTPUT_PATH": staging})
    if not result.ok:
        shutil.rmtree(staging, ignore_errors=True)
        result.output_path = output_path
        return result
    shutil.rmtree(output_path, ignore_errors=True)
    os.replace(staging, output_path)
    result.output_path = output_path
    return result
