"""The benchmark behind `invoke bench`: the project's build against plain Pelican on a synthetic corpus.

Every build runs in a fresh Python process (`site_tools.build.build`, so Pelican runs in-process
there), which reports the time of the Pelican run and its own peak memory. Rows measured:
cold (no caches), warm with no change, warm after editing one post, and edit-to-reload through
the livereload server in headless Chromium. The table is printed and appended to
docs/benchmarks.md. Everything is written under one temporary folder, removed at the end.
"""

import datetime
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from site_tools.corpus import CorpusStats, write_citations, write_corpus

BASELINE_SETTINGS = Path(__file__).with_name("baseline_pelicanconf.py")
RESULT_PREFIX = "BENCH-RESULT "
REPETITIONS = 3  # each cold / warm / one-edit sequence is run this often; the table shows medians
RELOAD_REPETITIONS = 3
# The citations case (issue 14): a generated .bib of this many entries, cited by this many posts.
BIB_ENTRIES, CITING_POSTS = 2000, 300
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

# Runs one build and reports, as its very last act, the time of the Pelican run and peak memory.
# The report is registered with atexit first so that it runs last, after the KaTeX process that
# the build process may own has been closed and reaped.
_BUILD_CHILD = """
import atexit, json, resource, sys
root, settings_file, overrides = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
sys.path.insert(0, root)
result = {}
def report():
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    result["rss_kb"], result["children_rss_kb"] = own.ru_maxrss, children.ru_maxrss
    result["cpu"] = own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
    print(%r + json.dumps(result), flush=True)
atexit.register(report)
from site_tools.build import build
outcome = build(settings_file, overrides)
result.update(seconds=outcome.seconds, errors=outcome.errors)
""" % RESULT_PREFIX

_SERVER_CHILD = """
import json, sys
sys.path.insert(0, sys.argv[1])
from site_tools.devserver import serve_with_reload
serve_with_reload(*json.loads(sys.argv[2]))
"""

# Renders every formula once in one Node process: KaTeX's own share of the work, without Python.
_KATEX_PASS = """
const katex = require(process.argv[1]);  // with `node -e`, argv[1] is the first argument
const items = JSON.parse(require("fs").readFileSync(0, "utf8"));
const errors = [];
const started = process.hrtime.bigint();
for (const [tex, display] of items) {
  try {
    katex.renderToString(tex, { displayMode: display, output: "htmlAndMathml", throwOnError: true });
  } catch (error) {
    errors.push(tex + ": " + error.message);
  }
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
process.stdout.write(JSON.stringify({ seconds, errors }));
"""


@dataclass
class Measurement:
    seconds: float  # the Pelican run, measured inside the build process
    wall: float  # the whole process: Python start-up, imports and the build
    rss_mb: float  # peak RSS of the build process itself
    children_rss_mb: float  # peak RSS of its largest finished child (a render worker or Node)
    cpu: float  # CPU seconds of the whole process and its finished children, start-up included
    errors: list[str] = field(default_factory=list)


@dataclass
class Site:
    """One configuration under test, with its own copy of the corpus, output and caches."""

    name: str
    settings: Path
    folder: Path
    runs: dict[str, list[Measurement]] = field(default_factory=dict)  # "cold", "warm", "edit"
    reload_seconds: list[float] = field(default_factory=list)
    reload_note: str = "not measured"

    @property
    def content(self) -> Path:
        return self.folder / "content"

    def overrides(self) -> dict:
        return {"PATH": str(self.content), "OUTPUT_PATH": str(self.folder / "output"),
                "CACHE_PATH": str(self.folder / "cache")}


# --- Builds ---------------------------------------------------------------------------------------

def measure_build(root: Path, site: Site) -> Measurement:
    """One build of `site` in a fresh process."""
    arguments = [str(root), str(site.settings), json.dumps(site.overrides())]
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _BUILD_CHILD, *arguments], cwd=root,
                          capture_output=True, text=True)
    wall = time.perf_counter() - started
    lines = [line for line in done.stdout.splitlines() if line.startswith(RESULT_PREFIX)]
    if not lines:
        raise RuntimeError(f"{site.name} build crashed (exit {done.returncode}):\n{done.stderr[-3000:]}")
    result = json.loads(lines[-1].removeprefix(RESULT_PREFIX))
    return Measurement(result["seconds"], wall, result["rss_kb"] / 1024,
                       result["children_rss_kb"] / 1024, result["cpu"], result["errors"])


def edit_post(path: Path, sentence: str) -> None:
    """Change the body's first inline formula and append `sentence` as a paragraph of its own."""
    front, _, body = path.read_text(encoding="utf-8").partition("\n\n")
    body = re.sub(r"\$([^$\n]+)\$", lambda m: f"${m.group(1)} + 1$", body, count=1)
    path.write_text(f"{front}\n\n{body.rstrip()}\n\n{sentence}\n", encoding="utf-8")


def run_sequence(root: Path, site: Site, edited: Path, number: int) -> None:
    """Cold (output and caches removed), warm with no change, then warm after editing one post."""
    shutil.rmtree(site.folder / "output", ignore_errors=True)
    shutil.rmtree(site.folder / "cache", ignore_errors=True)
    for kind in ("cold", "warm", "edit"):
        if kind == "edit":
            edit_post(edited, f"One more sentence, edit number {number}, to time a rebuild after one edit.")
        run = measure_build(root, site)
        site.runs.setdefault(kind, []).append(run)
        note = f", {len(run.errors)} error(s)" if run.errors else ""
        print(f"  {site.name} {kind}: {run.seconds:.2f} s{note}", file=sys.stderr)
        for message in run.errors[:10]:
            print(f"    {message}", file=sys.stderr)


def run_builds(root: Path, sites: list[tuple[Site, Path]], repetitions: int) -> None:
    """Each site's cold/warm/edit sequence, the sites taking turns: this machine's speed drifts
    over minutes, and turns spread the drift over both sides of a ratio."""
    for number in range(1, repetitions + 1):
        for site, edited in sites:
            run_sequence(root, site, edited, number)


# --- Edit to reload ---------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def post_url(port: int, source: Path) -> str:
    """The URL the project's settings give the post (ARTICLE_URL = "posts/{slug}/")."""
    from pelican.settings import DEFAULT_CONFIG
    from pelican.utils import slugify

    title = re.search(r"^Title: (.*)$", source.read_text(encoding="utf-8"), re.M).group(1)
    slug = slugify(title, regex_subs=DEFAULT_CONFIG["SLUG_REGEX_SUBSTITUTIONS"])
    return f"http://127.0.0.1:{port}/posts/{slug}/"


def wait_until_served(url: str, server: subprocess.Popen, timeout: float = 900) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the dev server stopped (exit {server.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the dev server did not serve {url} within {timeout:.0f} s")


def start_server(root: Path, site: Site, port: int, log: Path) -> subprocess.Popen:
    overrides = site.overrides()
    arguments = [str(root / "pelicanconf.py"), overrides["OUTPUT_PATH"], [str(site.content)],
                 "127.0.0.1", port, overrides]
    with log.open("w") as output:  # the child keeps its own copy of the file descriptor
        return subprocess.Popen([sys.executable, "-c", _SERVER_CHILD, str(root), json.dumps(arguments)],
                                cwd=root, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)


def stop_server(server: subprocess.Popen) -> None:
    """Stop the server and whatever it started (its session holds only its own processes)."""
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def time_reload(page, source: Path) -> float:
    """Write a marker into `source`; seconds until the page in the browser shows it."""
    token = f"reloadmarker{uuid.uuid4().hex[:12]}"
    with source.open("a", encoding="utf-8") as handle:
        handle.write(f"\nThe reload benchmark wrote {token} here.\n")
    started = time.perf_counter()
    page.wait_for_function("token => document.body && document.body.innerText.includes(token)",
                           arg=token, polling=20, timeout=300_000)
    return time.perf_counter() - started


def browse_and_edit(url: str, source: Path) -> list[float]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(url, wait_until="load")
            timings = []
            for _ in range(RELOAD_REPETITIONS):
                page.wait_for_timeout(1000)  # the page's EventSource must see a build id first
                timings.append(time_reload(page, source))
            return timings
        finally:
            browser.close()


def measure_reload(root: Path, site: Site, source: Path) -> None:
    """Edit-to-reload through site_tools/devserver.py, median of RELOAD_REPETITIONS."""
    if not (root / "site_tools" / "devserver.py").exists():
        site.reload_note = "n/a (site_tools/devserver.py not found)"
        return
    port = free_port()
    server = start_server(root, site, port, site.folder / "devserver.log")
    try:
        url = post_url(port, source)
        wait_until_served(url, server)
        site.reload_seconds = browse_and_edit(url, source)
        print(f"  {site.name} edit-to-reload: " + ", ".join(f"{s:.2f} s" for s in site.reload_seconds),
              file=sys.stderr)
    except Exception as error:  # a measurement that failed is reported in the table, not raised
        site.reload_note = f"failed: {type(error).__name__}: {str(error).splitlines()[0]}"
        print(f"  {site.name} edit-to-reload {site.reload_note}; server log:\n"
              + (site.folder / "devserver.log").read_text()[-2000:], file=sys.stderr)
    finally:
        stop_server(server)


# --- KaTeX alone --------------------------------------------------------------------------------------

def katex_pass(root: Path, stats: CorpusStats) -> dict:
    """Render every formula once in one Node process (without `\\label`, as the project renders it)."""
    items = [(re.sub(r"\\label\{[^{}]*\}", "", tex), display) for tex, display in stats.formulas]
    done = subprocess.run(["node", "-e", _KATEX_PASS, str(root / "node_modules" / "katex")],
                          input=json.dumps(items), capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


# --- Report -----------------------------------------------------------------------------------------

def machine() -> str:
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = re.search(r"^model name\s*:\s*(.*)$", cpuinfo, re.M)
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    ram = re.search(r"^MemTotal:\s*(\d+) kB", meminfo, re.M)
    ram_text = f"{int(ram.group(1)) / 1024**2:.1f} GiB RAM" if ram else "RAM unknown"
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return (f"{platform.platform()}; {model.group(1) if model else platform.processor()}; "
            f"{os.cpu_count()} cores; {ram_text}; load average {load} when the report was written")


def versions(root: Path) -> str:
    katex = json.loads((root / "node_modules" / "katex" / "package.json").read_text())["version"]
    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    packages = ", ".join(f"{name} {metadata.version(name)}"
                         for name in ("pelican", "markdown", "typogrify", "pelican-render-math"))
    return f"Python {platform.python_version()}, {packages}, KaTeX {katex}, Node {node}"


def project_state(root: Path) -> str:
    """The commit measured, and whether the working tree differed from it."""
    def git(*arguments):
        return subprocess.run(["git", *arguments], cwd=root, capture_output=True, text=True).stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    changed = git("status", "--porcelain", "--", "plugins", "site_tools", "theme", "pelicanconf.py")
    return commit + (" with uncommitted changes" if changed else "")


def median_seconds(runs: list[Measurement]) -> float:
    return statistics.median(run.seconds for run in runs)


def seconds_cell(runs: list[Measurement]) -> str:
    """The median, with the range when there were several runs, and errors if any."""
    text = f"{median_seconds(runs):.2f} s"
    if len(runs) > 1:
        text += f" ({min(r.seconds for r in runs):.2f}–{max(r.seconds for r in runs):.2f})"
    errors = sum(len(run.errors) for run in runs)
    return text + (f", {errors} errors" if errors else "")


def reload_cell(site: Site | None) -> str:
    if site is None:
        return "not measured"
    if not site.reload_seconds:
        return site.reload_note
    return f"{statistics.median(site.reload_seconds):.2f} s"


def rate_cell(site: Site, stats: CorpusStats, math_in_browser: bool) -> str:
    if math_in_browser:
        return f"0 at build time ({len(stats.formulas):,} left to MathJax in the browser)"
    cold = median_seconds(site.runs["cold"])
    return f"{len(stats.formulas) / cold:,.0f}/s ({len(stats.formulas):,} formulas in {cold:.2f} s)"


def table(project: Site, baseline: Site | None, stats: CorpusStats) -> str:
    def both(render):
        return [render(project), render(baseline) if baseline else "not measured"]

    def cold(site):
        return site.runs["cold"]

    rows = [
        ["Cold build (empty caches)", *both(lambda s: seconds_cell(s.runs["cold"]))],
        ["Warm build, no change", *both(lambda s: seconds_cell(s.runs["warm"]))],
        ["Warm build, one post edited", *both(lambda s: seconds_cell(s.runs["edit"]))],
        [f"Edit to reload in the browser (median of {RELOAD_REPETITIONS})", reload_cell(project),
         "not measured"],
        ["Cold build, whole process (start-up, imports)",
         *both(lambda s: f"{statistics.median(r.wall for r in cold(s)):.2f} s")],
        ["Cold build, CPU time of the process and its children",
         *both(lambda s: f"{statistics.median(r.cpu for r in cold(s)):.2f} s")],
        ["Warm one-edit build, CPU time of the process and its children",
         *both(lambda s: f"{statistics.median(r.cpu for r in s.runs['edit']):.2f} s")],
        ["Peak RSS, build process (cold, max)", *both(lambda s: f"{max(r.rss_mb for r in cold(s)):.0f} MB")],
        ["Peak RSS, largest child process (cold, max)",
         *both(lambda s: f"{max(r.children_rss_mb for r in cold(s)):.0f} MB")],
        ["Formulas per second, cold", rate_cell(project, stats, False),
         rate_cell(baseline, stats, True) if baseline else "not measured"],
    ]
    lines = ["| | Project | Baseline |", "|---|---:|---:|"]
    lines += [f"| {' | '.join(row)} |" for row in rows]
    return "\n".join(lines)


def ratios(project: Site, baseline: Site | None) -> str:
    if baseline is None:
        return "Ratios need the baseline (run without `--no-baseline`)."
    cold = median_seconds(baseline.runs["cold"])
    return (f"- project cold / baseline cold: **{median_seconds(project.runs['cold']) / cold:.2f}**"
            " (target ≤ 0.5)\n"
            f"- project one-edit / baseline cold: **{median_seconds(project.runs['edit']) / cold:.3f}**"
            " (target ≤ 0.1)")


def report(root: Path, stats: CorpusStats, project: Site, baseline: Site | None, katex: dict) -> str:
    words = stats.words / max(stats.posts, 1)
    return f"""## {datetime.date.today().isoformat()}: {stats.posts} posts

- Machine: {machine()}
- Versions: {versions(root)}
- Project: commit {project_state(root)}
- Corpus: {stats.posts} posts and an About page, {words:,.0f} words a post on average,
  {len(stats.formulas):,} formulas ({stats.inline:,} inline, {stats.display:,} display)

{table(project, baseline, stats)}

{ratios(project, baseline)}
- KaTeX alone: every formula once in one Node process, {katex["seconds"]:.2f} s
  ({len(stats.formulas) / katex["seconds"]:,.0f} formulas/s, {len(katex["errors"])} errors)
"""


DOC_HEADER = """# Benchmarks

`invoke bench --posts N` writes a synthetic corpus (site_tools/corpus.py: ML/maths posts of about
1,500 words with ~12 inline and 3 display formulas, code, a table, a footnote, tags and series),
builds it with the project's settings and with a baseline (site_tools/baseline_pelicanconf.py:
plain Pelican, its Markdown reader, typogrify, pelican-render-math with MathJax in the browser,
the notmyidea theme, Pelican's content cache on), and appends a section below.

How to read the rows:

- Each build runs in a fresh Python process; the time is that of the Pelican run inside it
  (`site_tools.build.build`), without Python's start-up and imports ("whole process" adds them).
- Cold: empty output and caches. Warm, no change: the same build again. One post edited: the
  first inline formula of one post changed and a sentence appended, then a build on the same caches.
  This sequence runs three times; cells show the median and, in brackets, the range. Small
  shared machines are noisy: compare runs made on the same machine, and mind the load average.
- Edit to reload: the livereload server (site_tools/devserver.py) serves the corpus, headless
  Chromium shows one post, a marker sentence is written into its source, and the clock stops when
  the page in the browser shows it.
- CPU time: user + system seconds of the build process and of its finished children (render
  workers, KaTeX's Node processes), start-up included; less sensitive to a busy machine than
  elapsed time, and it shows what parallel rendering costs in total.
- Peak RSS, build process: the Python process that runs Pelican (`ru_maxrss` of itself). The
  project renders bodies in forked worker processes and typesets math in Node processes; those
  are not in that number. "Largest child" is the largest finished child of the build process (a
  render worker or a KaTeX process). A process a child starts and does not wait for is counted
  nowhere, and neither is the sum of the processes running at once.
- Formulas per second: formulas in the corpus divided by the cold build time (Markdown, pages and
  all), so a lower bound on the rate of math; "KaTeX alone" is the rate of KaTeX by itself.
"""


def append_to_docs(root: Path, section: str) -> None:
    path = root / "docs" / "benchmarks.md"
    path.parent.mkdir(exist_ok=True)
    existing = path.read_text(encoding="utf-8") if path.exists() else DOC_HEADER
    path.write_text(existing.rstrip("\n") + "\n\n" + section, encoding="utf-8")


# --- One huge formula ----------------------------------------------------------------------------------

BIG_FORMULA_CHARS = 200_000


def write_big_formula_sites(work: Path) -> tuple[Site, Site]:
    """Two one-post sites of the same size: a 200 KB display formula in the opening paragraph (no
    `Summary:`, so the automatic summary and description hold it), and plain words."""
    terms = " + ".join(f"x_{{{index}}}^{{2}}" for index in range(BIG_FORMULA_CHARS // 10))
    terms = terms[: terms.rfind(" +", 0, BIG_FORMULA_CHARS)]
    words = " ".join(f"word{index}" for index in range(len(terms) // 8))
    sites = []
    for name, opening in (("big formula", f"$$ {terms} $$"), ("same size, no formula", words)):
        site = Site(name, Path(__file__).resolve().parent.parent / "pelicanconf.py", work / name.replace(" ", "-"))
        (site.content / "posts").mkdir(parents=True)
        (site.content / "posts" / "post.md").write_text(
            f"Title: One long opening\nDate: 2026-01-01\n\nThe opening {opening} ends here.\n\nA second paragraph.\n",
            encoding="utf-8",
        )
        sites.append(site)
    return sites[0], sites[1]


def measure_big_formula(root: Path, work: Path) -> str:
    """Cold and one-edit builds of both sites; the edit re-renders the body and the page (the
    formula comes from the cache), which is where anything quadratic in the body would show."""
    big, plain = write_big_formula_sites(work)
    for number in range(1, REPETITIONS + 1):
        for site in (big, plain):  # taking turns, as run_builds does
            shutil.rmtree(site.folder / "output", ignore_errors=True)
            shutil.rmtree(site.folder / "cache", ignore_errors=True)
            site.runs.setdefault("cold", []).append(measure_build(root, site))
            post = site.content / "posts" / "post.md"
            post.write_text(post.read_text(encoding="utf-8") + f"\nEdit number {number}.\n", encoding="utf-8")
            site.runs.setdefault("edit", []).append(measure_build(root, site))
    rows = [
        f"| {site.name} | {seconds_cell(site.runs['cold'])} | {seconds_cell(site.runs['edit'])} |"
        for site in (big, plain)
    ]
    ratio = median_seconds(big.runs["edit"]) / median_seconds(plain.runs["edit"])
    return (
        "One post with a 200 KB display formula in its opening paragraph, against a post of the same\n"
        "size in plain words (cold includes KaTeX typesetting the formula; one edit does not):\n\n"
        "| post | cold | one edit |\n|---|---|---|\n" + "\n".join(rows) +
        f"\n\n- big formula one-edit / plain one-edit: **{ratio:.2f}** (target ≤ 2)\n"
    )


# --- The benchmark ------------------------------------------------------------------------------------

def citations_section(project: Site, cited: Site, citing: int) -> str:
    """What the citations case adds: the same corpus with a large .bib file and citing posts."""
    rows = [f"| {label} | {median_seconds(project.runs[kind]):.2f} s | {median_seconds(cited.runs[kind]):.2f} s "
            f"| {median_seconds(cited.runs[kind]) - median_seconds(project.runs[kind]):+.2f} s |"
            for label, kind in (("Cold build", "cold"), ("Warm build, no change", "warm"),
                                ("Warm build, one post edited", "edit"))]
    return (f"\nCitations: a {BIB_ENTRIES:,}-entry .bib file, {citing} posts citing four entries each "
            "(target: adds at most 1 s)\n\n| | Project | With citations | Added |\n|---|---:|---:|---:|\n"
            + "\n".join(rows) + "\n")


def run_bench(root: Path, posts: int, baseline: bool = True, reload: bool = True,
              repetitions: int = REPETITIONS, citations: bool = True) -> None:
    """Benchmark the project (and the baseline) on `posts` synthetic posts; print and record the table."""
    root = Path(root).resolve()
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    try:
        project = Site("project", root / "pelicanconf.py", work / "project")
        stats = write_corpus(project.content, posts)
        print(f"Corpus: {posts} posts, {len(stats.formulas):,} formulas, in {work}", file=sys.stderr)
        katex = katex_pass(root, stats)
        for message in katex["errors"][:10]:
            print(f"  invalid formula in the corpus: {message}", file=sys.stderr)
        sources = sorted((project.content / "posts").glob("*.md"))
        edited = sources[len(sources) // 2]
        sites = [(project, edited)]
        other = cited = None
        if citations:
            cited = Site("citations", root / "pelicanconf.py", work / "citations")
            write_corpus(cited.content, posts)
            citing = write_citations(cited.content, CITING_POSTS, BIB_ENTRIES)
            sites.append((cited, cited.content / "posts" / edited.name))
        if baseline:
            other = Site("baseline", BASELINE_SETTINGS, work / "baseline")
            write_corpus(other.content, posts)
            sites.append((other, other.content / "posts" / edited.name))
        run_builds(root, sites, repetitions)
        if reload:
            measure_reload(root, project, sources[len(sources) // 3])
        section = report(root, stats, project, other, katex) + "\n" + measure_big_formula(root, work)
        if cited:
            section += citations_section(project, cited, citing)
        print("\n" + section)
        append_to_docs(root, section)
    finally:
        shutil.rmtree(work, ignore_errors=True)
