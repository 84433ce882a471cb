"""Lighthouse 12 (node_modules, pinned) on Debian's chromium, mobile defaults, as a subprocess.

Lighthouse slows the CPU 4x in its simulation, which assumes a fast desktop. With
`cpu_slowdown = "calibrated"` the multiplier follows Lighthouse's throttling guide instead: the
machine's benchmark index (measured by Lighthouse on every run) over 375, the index the default
4x brings a fast desktop (~1,500) down to, between 1x and 4x. So a busy or slow machine is not
slowed a further 4x, and a fast one gets Lighthouse's default.
"""

import json
import os
import statistics
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from site_tools.page_audit import CHROMIUM

CHROME_FLAGS = ("--headless=new --no-sandbox --disable-gpu --disable-background-networking "
                "--disable-component-update --disable-sync --no-first-run")
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
MID_TIER_MOBILE_INDEX = 375
RUN_TIMEOUT = 240  # seconds; a run that hangs is a failed run


@dataclass
class Run:
    scores: dict[str, float | None]  # by category; None when Lighthouse could not score it
    layout_shift: float | None
    benchmark_index: float
    slowdown: float
    failed_audits: dict[str, list[str]]  # by category: titles of the audits that lost points
    error: str = ""


@dataclass
class PageResult:
    kind: str
    path: str
    runs: list[Run] = field(default_factory=list)

    def median(self, category: str) -> float | None:
        values = [run.scores.get(category) for run in self.runs if not run.error]
        values = [value for value in values if value is not None]
        return statistics.median(values) if values else None

    def median_layout_shift(self) -> float | None:
        values = [run.layout_shift for run in self.runs if not run.error and run.layout_shift is not None]
        return statistics.median(values) if values else None


def slowdown_for(benchmark_index: float) -> float:
    return round(min(4.0, max(1.0, benchmark_index / MID_TIER_MOBILE_INDEX)), 1)


def run_once(root: Path, url: str, slowdown: float) -> Run:
    command = [
        "node", str(root / "node_modules" / "lighthouse" / "cli" / "index.js"), url,
        "--output=json", "--output-path=stdout", "--quiet", f"--chrome-flags={CHROME_FLAGS}",
        f"--only-categories={','.join(CATEGORIES)}", f"--throttling.cpuSlowdownMultiplier={slowdown}",
    ]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=RUN_TIMEOUT,
                              env={**os.environ, "CHROME_PATH": CHROMIUM})
    except subprocess.TimeoutExpired:
        return Run({}, None, 0, slowdown, {}, error=f"Lighthouse took over {RUN_TIMEOUT} s")
    if done.returncode != 0 or not done.stdout.strip():
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return Run({}, None, 0, slowdown, {}, error=f"Lighthouse failed: {last}")
    return parse_report(json.loads(done.stdout), slowdown)


def parse_report(report: dict, slowdown: float) -> Run:
    categories = report["categories"]
    audits = report["audits"]
    failed = {}
    for category in CATEGORIES:
        titles = []
        for ref in categories.get(category, {}).get("auditRefs", []):
            audit = audits.get(ref["id"], {})
            if ref.get("weight", 0) > 0 and audit.get("score") is not None and audit["score"] < 1:
                titles.append(f"{audit.get('title', ref['id'])}" + (f" ({audit['displayValue']})"
                                                                     if audit.get("displayValue") else ""))
        failed[category] = titles
    error = report.get("runtimeError", {}).get("message", "")
    return Run(
        scores={category: categories.get(category, {}).get("score") for category in CATEGORIES},
        layout_shift=audits.get("cumulative-layout-shift", {}).get("numericValue"),
        benchmark_index=report.get("environment", {}).get("benchmarkIndex", 0),
        slowdown=slowdown, failed_audits=failed, error=error,
    )


def run_pages(root: Path, site_url: str, pages, runs: int, fixed_slowdown: float | None, progress=print,
              settled=lambda result: False):
    """Lighthouse `runs` times on each (kind, path); the CPU multiplier is fixed or follows the
    benchmark index of the run before (the first run of all calibrates on the first page, and
    counts when it ran at the multiplier it finds). `settled(result)` says when the runs so far
    decide every verdict, so that the page's other runs are left out."""
    results = []
    slowdown = fixed_slowdown
    for kind, path in pages:
        result = PageResult(kind, path)
        if slowdown is None:
            calibration = run_once(root, site_url + path, 4.0)
            slowdown = slowdown_for(calibration.benchmark_index or 1500)
            if slowdown == 4.0 and not calibration.error:
                result.runs.append(calibration)
        while len(result.runs) < runs:
            run = run_once(root, site_url + path, slowdown)
            result.runs.append(run)
            scores = " ".join(f"{c[:4]} {run.scores.get(c)}" for c in CATEGORIES) if not run.error else run.error
            progress(f"  Lighthouse {kind} run {len(result.runs)}/{runs} (CPU {slowdown}x): {scores}")
            if fixed_slowdown is None and run.benchmark_index:
                slowdown = slowdown_for(run.benchmark_index)
            if len(result.runs) < runs and settled(result):
                progress(f"  Lighthouse {kind}: the other runs cannot change the median's verdicts; left out")
                break
        results.append(result)
    return results
