"""`invoke check`: the Nu HTML validator, an offline link check, feed validation, the workflow
linters, and the budgets of budgets.toml (Lighthouse, axe-core, weight, requests) over the served
site."""

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from site_tools.budgets import LIGHTHOUSE_CATEGORIES, Budgets, BudgetError, read_budgets
from site_tools.build import build
from site_tools.page_audit import PageVisit, audit_site, render_blocking_scripts, site_paths
from site_tools.pages_server import PagesServer
from site_tools.search_index import add_search_index

CHECK_FOLDER = ".cache/check"  # the production build that the feed check and the budgets measure


def publish_for_checks(root: Path, siteurl: str) -> tuple[Path, list[str]]:
    """A production build (absolute URLs, feeds, search index) in .cache/check/, with caches of
    its own so that the development build's records stay valid, and `siteurl` (the local server
    that serves it to the budgets) as its SITEURL, so that every absolute URL of the site stays on
    127.0.0.1; (its output folder, its errors)."""
    folder = root / CHECK_FOLDER
    os.environ["SITEURL"] = siteurl  # publishconf.py derives FEED_DOMAIN and more from it
    try:
        result = add_search_index(build(str(root / "publishconf.py"),
                                        {"OUTPUT_PATH": str(folder / "output"), "CACHE_PATH": str(folder / "cache")}))
    finally:
        del os.environ["SITEURL"]
    return Path(result.output_path), result.errors


def _commands(root: Path, output: Path, published: Path) -> dict[str, str]:
    vnu = root / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
    workflows = root / ".github" / "workflows"
    return {
        "HTML validation (Nu)": f"java -jar {vnu} --errors-only --skip-non-html {output}",
        "internal links (lychee)": (
            f"lychee --offline --no-progress --include-fragments --index-files index.html "
            f"--root-dir {output} '{output}/**/*.html'"
        ),
        "feeds (feedparser, production build)": f"{sys.executable} -m site_tools.feed_check {published}",
        # The whole .github folder: the workflows and dependabot.yml.
        "workflow security (zizmor)": f"zizmor --offline --no-progress {workflows.parent}",
        "workflow syntax (actionlint)": f"actionlint {workflows}/*.yml",
    }


def run_checks(c, root: Path, output: Path, lighthouse_runs: int | None = None) -> list[str]:
    """Run every check, the budgets last, even after one fails; return the names of those that failed."""
    failures = []
    with PagesServer(root / CHECK_FOLDER / "output") as server:
        published, errors = publish_for_checks(root, server.url)
        if errors:
            print("\n== production build\n" + "\n".join(errors))
            failures.append("production build")
        for name, command in _commands(root, output.resolve(), published).items():
            print(f"\n== {name}")
            if not c.run(command, warn=True, pty=False).ok:
                failures.append(name)
        if errors:
            print("\n== budgets (budgets.toml): not measured, the production build failed")
            failures.append("budgets")
        elif not run_budgets(root, server, published, lighthouse_runs):
            failures.append("budgets")
    return failures


# --- Budgets ------------------------------------------------------------------------------------

@dataclass
class Row:
    budget: str
    page: str
    measured: str
    limit: str
    verdict: str  # "ok", "FAIL" or "not built"

    @property
    def failed(self) -> bool:
        return self.verdict == "FAIL"


def _kb(size: float) -> str:
    return f"{size / 1000:.1f} KB"


def _verdict(ok: bool) -> str:
    return "ok" if ok else "FAIL"


def every_page_rows(budget: str, values: dict[str, float], limit: float, show, limit_text: str) -> list[Row]:
    """One row per page over `limit`; if none is, one row with the largest value and its page."""
    over = [(page, value) for page, value in values.items() if value > limit]
    if over:
        return [Row(budget, page, show(value), limit_text, "FAIL") for page, value in over]
    if not values:
        return [Row(budget, "no page", "-", limit_text, "FAIL")]
    page, value = max(values.items(), key=lambda item: item[1])
    where = f"all {len(values)} pages" + (f" (largest: {page})" if value else "")
    return [Row(budget, where, show(value), limit_text, "ok")]


def visit_rows(budgets: Budgets, visits: list[PageVisit]) -> list[Row]:
    """Weight, fonts, other hosts (first visit of each page) and axe (each theme) as table rows."""
    failed_loads = {}
    for found in visits:
        if found.error:
            failed_loads.setdefault(found.path, found.error)
    rows = [Row("page loads", path, error, "loads", "FAIL") for path, error in failed_loads.items()]
    loaded = {}
    for found in visits:
        if found.first_visit and not found.error:  # weight, fonts: a page as it arrives, not after the reader acts
            loaded.setdefault(found.path, found)
    rows += every_page_rows("weight before fonts", {p: v.bytes_before_fonts for p, v in loaded.items()},
                            budgets.max_page_kb * 1000, _kb, f"<= {budgets.max_page_kb:g} KB")
    rows += every_page_rows("fonts", {p: v.font_bytes for p, v in loaded.items()},
                            budgets.max_fonts_kb * 1000, _kb, f"<= {budgets.max_fonts_kb:g} KB")
    other_hosts = {}
    for found in visits:
        other_hosts[found.path] = max(other_hosts.get(found.path, 0), len(found.other_hosts))
    rows += every_page_rows("requests to other hosts", other_hosts, budgets.max_other_host_requests,
                            lambda n: f"{n:g}", f"<= {budgets.max_other_host_requests}")
    for theme in budgets.themes:
        counts = {found.path: sum(len(v.targets) for v in found.violations)
                  for found in visits if found.theme == theme and not found.error}
        if not counts:
            continue  # not measured in this theme (a page that did not load is reported above)
        for row in every_page_rows(f"axe violations ({theme})", counts, budgets.max_axe_violations,
                                   lambda n: f"{n:g}", f"<= {budgets.max_axe_violations}"):
            if row.failed:
                found = next(v for v in visits if v.theme == theme and v.path == row.page)
                row.measured += ": " + ", ".join(f"{v.rule} x{len(v.targets)}" for v in found.violations)
            rows.append(row)
    return rows


def blocking_rows(budgets: Budgets, output: Path) -> list[Row]:
    blocking = {path: len(render_blocking_scripts(_page_file(output, path))) for path in site_paths(output)}
    return every_page_rows("render-blocking scripts", blocking, budgets.max_render_blocking_scripts,
                           lambda n: f"{n:g}", f"<= {budgets.max_render_blocking_scripts}")


def _page_file(output: Path, path: str) -> Path:
    return output / (path.lstrip("/") + ("index.html" if path.endswith("/") else ""))


def lighthouse_rows(budgets: Budgets, results) -> list[Row]:
    rows = []
    limits = budgets.lighthouse
    for result in results:
        errors = [run.error for run in result.runs if run.error]
        if errors and len(errors) == len(result.runs):
            rows.append(Row("Lighthouse", result.kind, errors[0], "runs", "FAIL"))
            continue
        page = next(p for p in limits.pages if p.kind == result.kind)
        for category in LIGHTHOUSE_CATEGORIES:
            if category in page.not_applicable:
                continue
            median = result.median(category)
            scores = [run.scores.get(category) for run in result.runs if not run.error]
            spread = f" ({min(s for s in scores if s is not None):.2f}-{max(s for s in scores if s is not None):.2f})" \
                if median is not None and len(scores) > 1 else ""
            measured = "no score" if median is None else f"{median:.2f}{spread}"
            ok = median is not None and median >= limits.min_scores[category]
            rows.append(Row(f"Lighthouse {category}", f"{result.kind} {result.path}", measured,
                            f">= {limits.min_scores[category]:g}", _verdict(ok)))
        shift = result.median_layout_shift()
        # To Lighthouse's own precision: it shows CLS with three decimals ("0" below 0.0005).
        rows.append(Row("layout shift (CLS)", f"{result.kind} {result.path}",
                        "no value" if shift is None else f"{shift:.3f}", f"<= {limits.max_layout_shift:g}",
                        _verdict(shift is not None and round(shift, 3) <= limits.max_layout_shift)))
    return rows


def verdicts_settled(limits, page, done, runs: int) -> bool:
    """True when the runs done decide every verdict of the median of `runs`: more than half of
    them on the same side of each limit (the median lies between them, whatever the rest give)."""
    if any(run.error for run in done):
        return False
    checks = [lambda run, category=category: (run.scores.get(category) or 0) >= limits.min_scores[category]
              for category in LIGHTHOUSE_CATEGORIES if category not in page.not_applicable]
    checks.append(lambda run: run.layout_shift is not None and round(run.layout_shift, 3) <= limits.max_layout_shift)
    majority = runs // 2 + 1
    return all(max(passed, len(done) - passed) >= majority for passed in (sum(map(check, done)) for check in checks))


def not_built_rows(pages) -> list[Row]:
    return [Row("Lighthouse", f"{page.kind} {page.path}", "-", "-", "not built") for page in pages]


def format_table(rows: list[Row]) -> str:
    header = Row("budget", "page", "measured", "limit", "verdict")
    table = [header, *rows]
    widths = [max(len(getattr(row, name)) for row in table) for name in ("budget", "page", "measured", "limit")]
    lines = []
    for index, row in enumerate(table):
        cells = [row.budget, row.page, row.measured, row.limit]
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(cells, widths)) + "  " + row.verdict)
        if index == 0:
            lines.append("-" * (sum(widths) + 2 * len(widths) + 7))
    return "\n".join(lines)


def markdown_table(rows: list[Row]) -> str:
    """The report for a GitHub Actions run's summary page."""
    lines = ["| budget | page | measured | limit | verdict |", "|---|---|---|---|---|"]
    lines += [f"| {r.budget} | {r.page} | {r.measured} | {r.limit} | {'**FAIL**' if r.failed else r.verdict} |"
              for r in rows]
    return "\n".join(lines) + "\n"


def _violation_details(visits: list[PageVisit]) -> list[str]:
    lines = []
    for found in visits:
        for violation in found.violations:
            lines.append(f"  {found.path} ({found.theme}): {violation.rule} ({violation.impact}): {violation.help}")
            lines += [f"      {target}" for target in violation.targets[:5]]
            if len(violation.targets) > 5:
                lines.append(f"      ... and {len(violation.targets) - 5} more")
    return lines


def _lighthouse_details(results, pages) -> list[str]:
    lines = []
    for result in results:
        skipped = next((page.not_applicable for page in pages if page.kind == result.kind), ())
        for run in result.runs[:1]:
            for category, titles in run.failed_audits.items():
                if titles and category not in skipped:
                    lines.append(f"  {result.kind} ({category}): " + "; ".join(titles))
    return lines


def measure_budgets(root: Path, server: PagesServer, output: Path,
                    lighthouse_runs: int | None = None) -> tuple[list[Row], list[str]]:
    """Measure the site in `output`, served by `server`, against budgets.toml: (rows, details for
    failures)."""
    from site_tools.lighthouse import run_pages

    budgets = read_budgets(root / "budgets.toml")
    paths = site_paths(output)
    print(f"Measuring {len(paths)} pages at {server.url} (axe-core in {', '.join(budgets.themes)}) ...",
          flush=True)
    visits = audit_site(server.url, paths, budgets.themes, root)
    built = [page for page in budgets.lighthouse.pages if _page_file(output, page.path).is_file()]
    missing = [page for page in budgets.lighthouse.pages if page not in built]
    runs = lighthouse_runs or budgets.lighthouse.runs
    pages = {page.kind: page for page in built}
    results = run_pages(root, server.url, [(p.kind, p.path) for p in built], runs,
                        budgets.lighthouse.cpu_slowdown, progress=lambda line: print(line, flush=True),
                        settled=lambda result: verdicts_settled(budgets.lighthouse, pages[result.kind], result.runs, runs))
    rows = lighthouse_rows(budgets, results) + not_built_rows(missing)
    rows += visit_rows(budgets, visits) + blocking_rows(budgets, output)
    details = _violation_details(visits) + _lighthouse_details(
        [r for r in results if any(row.failed and r.kind in row.page for row in rows)], budgets.lighthouse.pages)
    return rows, details


def run_budgets(root: Path, server: PagesServer, output: Path, lighthouse_runs: int | None = None) -> bool:
    """Measure, print the table (and what broke each failing budget); True when all are met."""
    print("\n== budgets (budgets.toml)", flush=True)
    try:
        rows, details = measure_budgets(root, server, output, lighthouse_runs)
    except BudgetError as error:
        print(error, file=sys.stderr)
        return False
    print(format_table(rows))
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a", encoding="utf-8") as out:
            out.write("## Budgets\n\n" + markdown_table(rows))
    failed = [row for row in rows if row.failed]
    if details:
        print("\nDetails:\n" + "\n".join(details))
    if failed:
        pages = sorted({row.page for row in failed})
        print(f"\n{len(failed)} budget(s) broken, on: {'; '.join(pages)}. docs/budgets.md lists the usual fixes.",
              file=sys.stderr)
    return not failed
