"""The benchmark behind `invoke bench`: the project's build against plain Pelican on a synthetic corpus.

Every build runs in a fresh Python process (`site_tools.build.build`, so Pelican runs in-process
there), which reports the time of the Pelican run and its own peak memory; during cold builds the
memory of that process and of all its descendants is sampled from /proc, summed. Rows measured:
cold (no caches), warm with no change, warm after editing one post, and save-to-reload through the
livereload server in headless Chromium for a post, a template and a stylesheet edit. A profile of
the math (KaTeX alone, the MathML fixes, the Python side per formula) runs in a process of its own.
The table is printed and appended to docs/benchmarks.md. Everything is written under one temporary
folder, removed at the end.
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
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from site_tools.corpus import DEFAULT_DISTINCT, CorpusStats, write_citations, write_corpus

BASELINE_SETTINGS = Path(__file__).with_name("baseline_pelicanconf.py")
RESULT_PREFIX = "BENCH-RESULT "
REPETITIONS = 3  # each build sequence and each reload edit runs this often; the table shows medians
# The citations case (issue 14): a generated .bib of this many entries, cited by this many posts.
BIB_ENTRIES, CITING_POSTS = 2000, 300
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
MEMORY_INTERVAL = 0.05  # seconds between two samples of a build's processes
# Files of the bench site's own copy of the theme that the reload edits change.
FOOTER_TEMPLATE = Path("templates", "partials", "footer.html")
TOKENS_STYLESHEET = Path("static", "css", "tokens.css")
RELOAD_TIMEOUT = 300  # seconds a post or template edit may take to show
STYLESHEET_TIMEOUT = 120  # seconds a stylesheet edit may take to apply, swapped or reloaded
SETTLE_TIMEOUT = 120  # seconds to wait for the server to finish a build after an edit showed
_SERVER_BUILT_RE = re.compile(r"^Rebuilt in ([0-9.]+) s|^Build failed", re.M)

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

# Renders every formula it is given once in one Node process: KaTeX's own share of the work,
# without Python, without the project's server (its line protocol, `trust`, macros).
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

# The math of a build, step by step, with katex_markdown's own functions in one fresh process (no
# pool, no cache): phase 1 (`prepare_source`), KaTeX as a build runs it (`typeset`), the MathML
# fixes alone, and the Python work per formula: extraction, numbering, keys and substitution.
# `_valid_mathml` is private to the pipeline: a profile that cannot find it fails, and says so.
_PROFILE_CHILD = """
import json, sys, time
root, settings_file, overrides = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
sys.path[:0] = [root, root + "/plugins"]
from pathlib import Path
from pelican.settings import read_settings
from katex_markdown import math_source, pipeline
from katex_markdown.config import read_config
from katex_markdown.numbering import number_equations
from katex_markdown.store import Store

config = read_config(read_settings(settings_file, override=overrides))
texts = [path.read_text(encoding="utf-8") for path in sorted(Path(overrides["PATH"]).rglob("*.md"))]
clock, seconds = time.perf_counter, {}

def timed(name, work):
    started = clock()
    value = work()
    seconds[name] = seconds.get(name, 0.0) + clock() - started
    return value

bodies = [pipeline.split_front_matter(text) for text in texts]
extracted = [timed("extract", lambda: math_source.extract(body, first)) for _, _, body, first, _ in bodies]
for source in extracted:
    timed("number", lambda: number_equations(source.segments, source.refs))
prepared = timed("prepare", lambda: [pipeline.prepare_source(text, config) for text in texts])
def formulas_of(body):  # an automatic summary shares the body's formulas (the same list)
    summary = [] if body.summary_formulas is body.formulas else body.summary_formulas
    return body.formulas + summary + body.title_formulas
in_bodies = [(formula, body) for body in prepared for formula in formulas_of(body)]
timed("key", lambda: [pipeline.formula_key(config, formula, body.fields["macros"]) for formula, body in in_bodies])
done = timed("typeset", lambda: pipeline.typeset(prepared, Store(None), config.workers))
katex_html = list(done.new.values())
fixed = timed("fixes", lambda: [pipeline._valid_mathml(html) for html in katex_html])
rendered = timed("finish", lambda: [pipeline.finish(body, done) for body in prepared])
timed("expand", lambda: [body.html for body in rendered])
print(%r + json.dumps(dict(
    seconds=seconds, posts=len(texts), extracted=sum(len(source.segments) for source in extracted),
    in_bodies=len(in_bodies), typeset=len(done.html), rendered_by_katex=len(katex_html),
    changed_by_fixes=sum(before != after for before, after in zip(katex_html, fixed)),
    errors=len(done.errors), workers=config.workers,
)), flush=True)
""" % RESULT_PREFIX


@dataclass
class Measurement:
    seconds: float  # the Pelican run, measured inside the build process
    wall: float  # the whole process: Python start-up, imports and the build
    rss_mb: float  # peak RSS of the build process itself
    children_rss_mb: float  # peak RSS of its largest finished child (a render worker or Node)
    cpu: float  # CPU seconds of the whole process and its finished children, start-up included
    errors: list[str] = field(default_factory=list)
    memory: "MemoryPeak | None" = None  # all its processes at once (sampled builds only)


@dataclass
class ReloadTimes:
    """Save-to-reload for one kind of edit: the browser's times and what the server printed."""

    seconds: list[float] = field(default_factory=list)
    rebuilds: list[float] = field(default_factory=list)  # the server's "Rebuilt in" after each edit
    reloaded: int = 0  # edits after which the page had been reloaded (a stylesheet's should not)
    note: str = ""  # why the measurement stopped, if it did


@dataclass
class Site:
    """One configuration under test, with its own copy of the corpus, output and caches."""

    name: str
    settings: Path
    folder: Path
    own_theme: bool = False  # a copy of theme/ in the site folder, which the reload edits change
    runs: dict[str, list[Measurement]] = field(default_factory=dict)  # "cold", "warm", "edit"
    reloads: dict[str, ReloadTimes] = field(default_factory=dict)  # "post", "template", "stylesheet"

    @property
    def content(self) -> Path:
        return self.folder / "content"

    @property
    def theme(self) -> Path:
        return self.folder / "theme"

    def overrides(self) -> dict:
        overrides = {"PATH": str(self.content), "OUTPUT_PATH": str(self.folder / "output"),
                     "CACHE_PATH": str(self.folder / "cache")}
        if self.own_theme:
            overrides["THEME"] = str(self.theme)
        return overrides


# --- Memory of a process and all its descendants -----------------------------------------------------

@dataclass
class MemoryPeak:
    pss_kb: int = 0  # the largest sum of PSS over the processes alive at one sample
    rss_kb: int = 0  # the largest sum of RSS (counts pages shared between processes once per process)
    processes: int = 0  # the most processes alive at one sample
    samples: int = 0


def process_table() -> dict[int, tuple[int, int]]:
    """Every process on the machine: pid -> (parent pid, session id), from /proc/<pid>/stat."""
    table = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as stat:
                data = stat.read()
            fields = data[data.rindex(b")") + 2:].split()  # the name, in brackets, may hold spaces
            table[int(name)] = (int(fields[1]), int(fields[3]))
        except (OSError, ValueError, IndexError):  # it ended while we looked
            continue
    return table


def process_tree(root: int, table: dict[int, tuple[int, int]]) -> set[int]:
    """`root`, its descendants, and the processes of its session: a process whose parent ended
    (an orphan, adopted by init) still counts, since it keeps the session `root` started."""
    members = {pid for pid, (_, session) in table.items() if session == root} | {root}
    children: dict[int, list[int]] = {}
    for pid, (parent, _) in table.items():
        children.setdefault(parent, []).append(pid)
    waiting = [root]
    while waiting:
        for child in children.get(waiting.pop(), []):
            if child not in members:
                members.add(child)
                waiting.append(child)
    return members & set(table)


def process_memory_kb(pid: int) -> tuple[int, int]:
    """(PSS, RSS) of one process in kB; (0, 0) once it has ended (a zombie has no memory)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            text = rollup.read()
    except OSError:
        return 0, 0
    values = dict(re.findall(r"^(Pss|Rss):\s+(\d+) kB", text, re.M))
    return int(values.get("Pss", 0)), int(values.get("Rss", 0))


class MemorySampler:
    """Sums the memory of a process tree every MEMORY_INTERVAL seconds, in a thread, and keeps the
    largest sums. PSS shares each page among the processes that map it, so the pages a forked
    worker shares with its parent are counted once; the RSS sum counts them in every process."""

    def __init__(self, root: int):
        self.root = root
        self.peak = MemoryPeak()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exception):
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while True:
            self.sample()
            if self._stop.wait(MEMORY_INTERVAL):
                return

    def sample(self) -> None:
        members = process_tree(self.root, process_table())
        sizes = [process_memory_kb(pid) for pid in members]
        alive = sum(1 for pss, rss in sizes if rss)
        peak = self.peak
        peak.pss_kb = max(peak.pss_kb, sum(pss for pss, _ in sizes))
        peak.rss_kb = max(peak.rss_kb, sum(rss for _, rss in sizes))
        peak.processes = max(peak.processes, alive)
        peak.samples += 1


# --- Builds ---------------------------------------------------------------------------------------

def writers_environment() -> dict[str, str]:
    """This environment, but with Python's bytecode cached as on a writer's machine: a sandbox or
    CI runner that sets PYTHONDONTWRITEBYTECODE would time the compiling of every plugin module
    (~0.15 s) into each new process's build."""
    return {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def measure_build(root: Path, site: Site, sample_memory: bool = False) -> Measurement:
    """One build of `site` in a fresh process (in a session of its own, so that every process it
    starts can be found); with `sample_memory`, the memory of all its processes is sampled."""
    arguments = [str(root), str(site.settings), json.dumps(site.overrides())]
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", _BUILD_CHILD, *arguments], cwd=root, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                             env=writers_environment())
    sampler = MemorySampler(child.pid) if sample_memory else None
    try:
        if sampler:
            with sampler:
                stdout, stderr = child.communicate()
        else:
            stdout, stderr = child.communicate()
    except BaseException:  # interrupted: the build and whatever it started go too
        os.killpg(child.pid, signal.SIGKILL)
        child.wait()
        raise
    wall = time.perf_counter() - started
    lines = [line for line in stdout.splitlines() if line.startswith(RESULT_PREFIX)]
    if not lines:
        raise RuntimeError(f"{site.name} build crashed (exit {child.returncode}):\n{stderr[-3000:]}")
    result = json.loads(lines[-1].removeprefix(RESULT_PREFIX))
    return Measurement(result["seconds"], wall, result["rss_kb"] / 1024, result["children_rss_kb"] / 1024,
                       result["cpu"], result["errors"], sampler.peak if sampler else None)


def edit_post(path: Path, sentence: str) -> None:
    """Change the body's first inline formula and append `sentence` as a paragraph of its own."""
    front, _, body = path.read_text(encoding="utf-8").partition("\n\n")
    body = re.sub(r"\$([^$\n]+)\$", lambda m: f"${m.group(1)} + 1$", body, count=1)
    path.write_text(f"{front}\n\n{body.rstrip()}\n\n{sentence}\n", encoding="utf-8")


def run_sequence(root: Path, site: Site, edited: Path, number: int) -> None:
    """Cold (output and caches removed; memory sampled), warm with no change, then warm after
    editing one post."""
    shutil.rmtree(site.folder / "output", ignore_errors=True)
    shutil.rmtree(site.folder / "cache", ignore_errors=True)
    for kind in ("cold", "warm", "edit"):
        if kind == "edit":
            edit_post(edited, f"One more sentence, edit number {number}, to time a rebuild after one edit.")
        run = measure_build(root, site, sample_memory=kind == "cold")
        site.runs.setdefault(kind, []).append(run)
        note = f", {len(run.errors)} error(s)" if run.errors else ""
        memory = f", all processes {run.memory.pss_kb / 1024:.0f} MB PSS" if run.memory else ""
        print(f"  {site.name} {kind}: {run.seconds:.2f} s{memory}{note}", file=sys.stderr)
        for message in run.errors[:10]:
            print(f"    {message}", file=sys.stderr)


def run_builds(root: Path, sites: list[tuple[Site, Path]], repetitions: int) -> None:
    """Each site's cold/warm/edit sequence, the sites taking turns: this machine's speed drifts
    over minutes, and turns spread the drift over both sides of a ratio."""
    for number in range(1, repetitions + 1):
        for site, edited in sites:
            run_sequence(root, site, edited, number)


# --- Save to reload ---------------------------------------------------------------------------------

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
    """The dev server on the site's content and its own theme (the edits change that copy only)."""
    overrides = site.overrides()
    watched = [str(site.content)] + ([str(site.theme)] if site.own_theme else [])
    arguments = [str(root / "pelicanconf.py"), overrides["OUTPUT_PATH"], watched, "127.0.0.1", port, overrides]
    with log.open("w") as output:  # the child keeps its own copy of the file descriptor
        return subprocess.Popen([sys.executable, "-c", _SERVER_CHILD, str(root), json.dumps(arguments)],
                                env=writers_environment(),
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


def new_token() -> str:
    return f"benchmarker{uuid.uuid4().hex[:12]}"


class ServerLog:
    """The dev server's output: which builds it finished since a point, and how long they took."""

    def __init__(self, path: Path):
        self.path = path

    def builds(self) -> list[re.Match]:
        return list(_SERVER_BUILT_RE.finditer(self.path.read_text(errors="replace")))

    def rebuild_after(self, seen: int, timeout: float) -> float | None:
        """Seconds of the first "Rebuilt in" after the first `seen` builds, once one is printed
        (None: a failed build, or none within `timeout`)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            builds = self.builds()
            if len(builds) > seen:
                return float(builds[seen].group(1)) if builds[seen].group(1) else None
            time.sleep(0.1)
        return None


@dataclass
class Edit:
    """One kind of edit: `write(token)` changes a file, `shown` (JavaScript, given the token) is
    true once the page in the browser shows the change."""

    kind: str
    write: Callable[[str], None]
    shown: str
    timeout: float
    in_place: bool = False  # the page must not reload (window.__benchPage stays)


def append_to(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text)


def footer_marker(path: Path):
    """Writes a visible marker into the footer partial, replacing the previous one."""
    original = path.read_text(encoding="utf-8")

    def write(token: str) -> None:
        marker = f'<p class="bench-marker">{token}</p>\n'
        at = original.rfind("</footer>")
        at = len(original) if at < 0 else at
        path.write_text(original[:at] + marker + original[at:], encoding="utf-8")

    return write


_TEXT_SHOWN = "token => document.body && document.body.innerText.includes(token)"
# Also true when the page was reloaded (and so shows the new stylesheet); `window.__benchPage` tells.
_STYLE_SHOWN = ("token => getComputedStyle(document.documentElement)"
                ".getPropertyValue('--bench-marker').includes(token)")


def reload_edits(site: Site, post: Path) -> list[Edit]:
    edits = [Edit("post", lambda token: append_to(post, f"\nThe reload benchmark wrote {token} here.\n"),
                  _TEXT_SHOWN, RELOAD_TIMEOUT)]
    if site.own_theme:
        stylesheet = site.theme / TOKENS_STYLESHEET
        edits += [
            Edit("template", footer_marker(site.theme / FOOTER_TEMPLATE), _TEXT_SHOWN, RELOAD_TIMEOUT),
            Edit("stylesheet", lambda token: append_to(stylesheet, f'\n:root {{ --bench-marker: "{token}"; }}\n'),
                 _STYLE_SHOWN, STYLESHEET_TIMEOUT, in_place=True),
        ]
    return edits


def time_edit(page, edit: Edit, log: ServerLog, times: ReloadTimes) -> None:
    """Make `edit` once; seconds from the file write until the browser shows it."""
    page.wait_for_timeout(1000)  # the page's EventSource must have seen the current build first
    token, seen = new_token(), len(log.builds())
    page.evaluate("token => { window.__benchPage = token; }", token)
    edit.write(token)
    started = time.perf_counter()
    page.wait_for_function(edit.shown, arg=token, polling=20, timeout=edit.timeout * 1000)
    times.seconds.append(time.perf_counter() - started)
    if page.evaluate("token => window.__benchPage !== token", token):
        times.reloaded += 1
    # The server may go on building after the page shows the change (pages rebuilt in the
    # background): the next edit waits for that build, whose time the server prints.
    rebuild = log.rebuild_after(seen, SETTLE_TIMEOUT)
    if rebuild is not None:
        times.rebuilds.append(rebuild)


def browse_and_edit(url: str, edits: list[Edit], log: ServerLog, repetitions: int) -> dict[str, ReloadTimes]:
    """Each edit `repetitions` times in one headless Chromium; an edit that fails is noted and the
    next kind of edit goes on."""
    from playwright.sync_api import sync_playwright

    results = {edit.kind: ReloadTimes() for edit in edits}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(url, wait_until="load")
            for edit in edits:
                times = results[edit.kind]
                try:
                    for _ in range(repetitions):
                        time_edit(page, edit, log, times)
                except Exception as error:  # a failed measurement is a table cell, not a crash
                    times.note = failure_note(error)
                print(f"  save-to-reload, {edit.kind}: " + describe_reload(times), file=sys.stderr)
        finally:
            browser.close()
    return results


def failure_note(error: Exception) -> str:
    first_line = (str(error).splitlines() or [""])[0]
    if "Timeout" in type(error).__name__:
        return f"timed out ({first_line})"
    return f"failed: {type(error).__name__}: {first_line}"


def describe_reload(times: ReloadTimes) -> str:
    text = ", ".join(f"{seconds:.2f} s" for seconds in times.seconds) or "no time"
    text += f"; the server's builds {', '.join(f'{seconds:.2f} s' for seconds in times.rebuilds)}"
    text += f"; {times.reloaded} of {len(times.seconds)} reloaded the page"
    return f"{text}; {times.note}" if times.note else text


def measure_reload(root: Path, site: Site, source: Path, repetitions: int) -> None:
    """Save-to-reload through site_tools/devserver.py for each edit, `repetitions` times each."""
    if not (root / "site_tools" / "devserver.py").exists():
        site.reloads["post"] = ReloadTimes(note="n/a (site_tools/devserver.py not found)")
        return
    port = free_port()
    log = ServerLog(site.folder / "devserver.log")
    server = start_server(root, site, port, log.path)
    try:
        url = post_url(port, source)
        wait_until_served(url, server)
        site.reloads = browse_and_edit(url, reload_edits(site, source), log, repetitions)
    except Exception as error:  # the server or the browser did not start: the cells say so
        note = failure_note(error)
        site.reloads = {edit.kind: ReloadTimes(note=note) for edit in reload_edits(site, source)}
        print(f"  {site.name} save-to-reload {note}; server log:\n" + log.path.read_text()[-2000:], file=sys.stderr)
    finally:
        stop_server(server)


# --- The math: KaTeX alone, the MathML fixes, the Python side -----------------------------------------

def katex_items(stats: CorpusStats) -> list[tuple[str, bool]]:
    """Each distinct formula once (as a cold build sends them to KaTeX), without `\\label`, as the
    project renders it."""
    items = {(re.sub(r"\\label\{[^{}]*\}", "", tex), display): None for tex, display in stats.formulas}
    return list(items)


def katex_pass(root: Path, stats: CorpusStats) -> dict:
    """Render each distinct formula once in one Node process: {"seconds", "errors", "formulas"}."""
    items = katex_items(stats)
    done = subprocess.run(["node", "-e", _KATEX_PASS, str(root / "node_modules" / "katex")],
                          input=json.dumps(items), capture_output=True, text=True, check=True)
    return {**json.loads(done.stdout), "formulas": len(items)}


def math_profile(root: Path, site: Site) -> dict:
    """The math of `site`'s corpus step by step (see _PROFILE_CHILD); {"failed": why} if it fails."""
    overrides = {**site.overrides(), "CACHE_PATH": str(site.folder / "profile-cache")}
    done = subprocess.run([sys.executable, "-c", _PROFILE_CHILD, str(root), str(site.settings), json.dumps(overrides)],
                          cwd=root, capture_output=True, text=True)
    lines = [line for line in done.stdout.splitlines() if line.startswith(RESULT_PREFIX)]
    if not lines:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        print(f"  math profile failed:\n{done.stderr[-2000:]}", file=sys.stderr)
        return {"failed": f"exit {done.returncode}: {last}"}
    return json.loads(lines[-1].removeprefix(RESULT_PREFIX))


def per_second(count: int, seconds: float) -> str:
    return f"{count / seconds:,.0f} formulas/s" if seconds > 0 else "too fast to time"


def math_section(katex: dict, profile: dict) -> str:
    """What each number of the math profile covers, with the number."""
    lines = [
        "Math profile (each step by itself, in one process, no cache):",
        "",
        f"- KaTeX alone: each of the {katex['formulas']:,} distinct formulas once in one Node process "
        f"(`katex.renderToString`, HTML and MathML), {katex['seconds']:.2f} s: "
        f"{per_second(katex['formulas'], katex['seconds'])}, {len(katex['errors'])} errors",
    ]
    if "failed" in profile:
        return "\n".join(lines + [f"- The rest of the profile failed ({profile['failed']})."]) + "\n"
    seconds, formulas = profile["seconds"], profile["in_bodies"]

    def micro(*steps):
        return f"{sum(seconds[step] for step in steps) / max(formulas, 1) * 1e6:,.1f} µs"

    python_steps = ("extract", "number", "key", "finish", "expand")
    python_seconds = sum(seconds[step] for step in python_steps)
    lines += [
        f"- KaTeX as a cold build runs it (`pipeline.typeset`: katex_server.js on up to {profile['workers']} "
        f"Node processes, their start-up, JSON both ways and the MathML fixes included): "
        f"{profile['typeset']:,} formulas in "
        f"{seconds['typeset']:.2f} s: {per_second(profile['typeset'], seconds['typeset'])}, "
        f"{profile['errors']} errors",
        f"- MathML fixes alone (`pipeline._valid_mathml`, run on every formula of every build that "
        f"renders bodies, cached ones too): {profile['rendered_by_katex']:,} formulas of KaTeX output in "
        f"{seconds['fixes'] * 1000:.0f} ms: {per_second(profile['rendered_by_katex'], seconds['fixes'])} "
        f"({profile['changed_by_fixes']:,} changed)",
        f"- Python side per formula, over the {formulas:,} formulas in {profile['posts']:,} sources: "
        f"extraction {micro('extract')} (`math_source.extract`: finding the math, placeholders in its "
        f"place; the whole source is scanned), numbering {micro('number')} (`number_equations`: labels, "
        f"tags, references), keys {micro('key')} (`formula_key`: the cache's hash), substitution "
        f"{micro('finish', 'expand')} (`finish`: display wrappers and KaTeX's HTML for the placeholders; "
        f"the body as shown, `expand_math`). Together {micro(*python_steps)} a formula: "
        f"{per_second(formulas, python_seconds)}",
        f"- For scale, phase 1 whole (`prepare_source`: Markdown, typogrify and the steps above but "
        f"KaTeX), one process: {seconds['prepare']:.2f} s, "
        f"{seconds['prepare'] / max(profile['posts'], 1) * 1000:.1f} ms a source",
    ]
    return "\n".join(lines) + "\n"


# --- Report -----------------------------------------------------------------------------------------

def machine() -> str:
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = re.search(r"^model name\s*:\s*(.*)$", cpuinfo, re.M)
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    ram = re.search(r"^MemTotal:\s*(\d+) kB", meminfo, re.M)
    ram_text = f"{int(ram.group(1)) / 1024**2:.1f} GiB RAM" if ram else "RAM unknown"
    return (f"{platform.platform()}; {model.group(1) if model else platform.processor()}; "
            f"{os.cpu_count()} cores; {ram_text}")


def load_average() -> str:
    return ", ".join(f"{value:.1f}" for value in os.getloadavg())


def versions(root: Path) -> str:
    katex = json.loads((root / "node_modules" / "katex" / "package.json").read_text())["version"]
    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    packages = ", ".join(f"{name} {metadata.version(name)}"
                         for name in ("pelican", "markdown", "typogrify", "pelican-render-math"))
    return (f"Python {platform.python_version()} (bytecode cached, see `writers_environment`), {packages}, "
            f"KaTeX {katex}, Node {node}")


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


def median_reload(site: Site, kind: str) -> float | None:
    times = site.reloads.get(kind)
    return statistics.median(times.seconds) if times and times.seconds else None


def reload_cell(site: Site, kind: str) -> str:
    """The median time; the server's rebuild where asked; for a stylesheet, whether it was swapped
    in place; what went wrong, if something did."""
    times = site.reloads.get(kind)
    if times is None:
        return "not measured"
    if not times.seconds:
        return times.note or "not measured"
    text = f"{statistics.median(times.seconds):.2f} s"
    if len(times.seconds) > 1:
        text += f" ({min(times.seconds):.2f}–{max(times.seconds):.2f})"
    if kind == "template":
        rebuild = f"{statistics.median(times.rebuilds):.2f} s" if times.rebuilds else "not printed"
        text += f"; the server's rebuild {rebuild}"
    if kind == "stylesheet":
        if times.reloaded:
            text = f"reloaded the page, not swapped in place ({times.reloaded} of {len(times.seconds)}): {text}"
        else:
            text += ", swapped in place"
    if times.note:
        text += f"; then {times.note} (after {len(times.seconds)})"
    return text


def memory_cell(site: Site, key: str) -> str:
    peaks = [run.memory for run in site.runs["cold"] if run.memory]
    if not peaks:
        return "not measured"
    return f"{max(getattr(peak, key) for peak in peaks) / 1024:,.0f} MB"


def peak_pss_mb(site: Site) -> float | None:
    peaks = [run.memory.pss_kb for run in site.runs["cold"] if run.memory]
    return max(peaks) / 1024 if peaks else None


def rate_cell(site: Site, stats: CorpusStats, math_in_browser: bool) -> str:
    if math_in_browser:
        return f"0 at build time ({len(stats.formulas):,} left to MathJax in the browser)"
    cold = median_seconds(site.runs["cold"])
    return f"{len(stats.formulas) / cold:,.0f}/s ({len(stats.formulas):,} formulas in {cold:.2f} s)"


def ratio_cell(project: float | None, baseline: float | None) -> str:
    return f"{project / baseline:.2f}" if project and baseline else ""


def table(project: Site, baseline: Site | None, stats: CorpusStats, repetitions: int) -> str:
    """One row a measurement; the last column is project / baseline where both were measured."""
    def cold(site):
        return site.runs["cold"]

    def row(label, render, ratio=None):
        cells = [render(project), render(baseline) if baseline else "not measured"]
        ratio_text = ratio_cell(ratio(project), ratio(baseline)) if ratio and baseline else ""
        return [label, *cells, ratio_text]

    def reload_row(label, kind):
        return [f"Save to reload, {label} (median of {repetitions})", reload_cell(project, kind),
                "not measured", ""]

    rows = [
        row("Cold build (empty caches)", lambda s: seconds_cell(cold(s)), lambda s: median_seconds(cold(s))),
        row("Warm build, no change", lambda s: seconds_cell(s.runs["warm"]), lambda s: median_seconds(s.runs["warm"])),
        row("Warm build, one post edited", lambda s: seconds_cell(s.runs["edit"]),
            lambda s: median_seconds(s.runs["edit"])),
        reload_row("a post edited", "post"),
        reload_row("the footer template edited, every page re-rendered", "template"),
        reload_row("tokens.css edited, swapped in place", "stylesheet"),
        row("Peak memory, all processes at once (PSS; cold, max)", lambda s: memory_cell(s, "pss_kb"), peak_pss_mb),
        row("Peak memory, all processes at once (RSS summed; cold, max)", lambda s: memory_cell(s, "rss_kb")),
        row("Most processes alive at once (cold)",
            lambda s: f"{max((r.memory.processes for r in cold(s) if r.memory), default=0)}"),
        row("Cold build, whole process (start-up, imports)",
            lambda s: f"{statistics.median(r.wall for r in cold(s)):.2f} s"),
        row("Cold build, CPU time of the process and its children",
            lambda s: f"{statistics.median(r.cpu for r in cold(s)):.2f} s",
            lambda s: statistics.median(r.cpu for r in cold(s))),
        row("Warm one-edit build, CPU time of the process and its children",
            lambda s: f"{statistics.median(r.cpu for r in s.runs['edit']):.2f} s"),
        row("Peak RSS, build process alone (cold, max)", lambda s: f"{max(r.rss_mb for r in cold(s)):.0f} MB"),
        row("Peak RSS, largest finished child (cold, max)",
            lambda s: f"{max(r.children_rss_mb for r in cold(s)):.0f} MB"),
        ["Formulas per second, cold", rate_cell(project, stats, False),
         rate_cell(baseline, stats, True) if baseline else "not measured", ""],
    ]
    lines = ["| | Project | Baseline | Project / baseline |", "|---|---:|---:|---:|"]
    lines += [f"| {' | '.join(cells)} |" for cells in rows]
    return "\n".join(lines)


def targets(project: Site, baseline: Site | None, posts: int) -> str:
    """The issue's targets, each with this run's figure."""
    lines = []
    if baseline is None:
        lines.append("- Ratios need the baseline (run without `--no-baseline`).")
    else:
        cold = median_seconds(baseline.runs["cold"])
        lines += [
            f"- project cold / baseline cold: **{median_seconds(project.runs['cold']) / cold:.2f}** (target ≤ 0.5)",
            f"- project one-edit / baseline cold: **{median_seconds(project.runs['edit']) / cold:.3f}**"
            " (target ≤ 0.1)",
        ]
    post_reload = median_reload(project, "post")
    if post_reload is not None:
        lines.append(f"- save to reload, a post: **{post_reload:.2f} s** (target ≤ 1.0 s at 1,000 posts, "
                     "≤ 1.5 s at 3,000; aim 0.3 s)")
    pss = peak_pss_mb(project)
    if pss is not None:
        lines.append(f"- peak memory, all processes at once: **{pss / 1024:.2f} GiB** PSS at {posts:,} posts "
                     "(target ≤ 1 GiB at 3,000 posts)")
    lines.append("- growth 3,000 / 1,000 posts (target ≤ 3.2x): the cold rows of a 3,000-post and a "
                 "1,000-post section of the same machine and day")
    return "\n".join(lines)


def report(root: Path, stats: CorpusStats, project: Site, baseline: Site | None, math: str,
           started: datetime.datetime, load_at_start: str, repetitions: int, share: float) -> str:
    words = stats.words / max(stats.posts, 1)
    return f"""## {started.date().isoformat()}: {stats.posts} posts

- Machine: {machine()}
- Date and load: {started:%Y-%m-%d %H:%M} to {datetime.datetime.now():%H:%M}; load average {load_at_start} at \
the start, {load_average()} at the end
- Versions: {versions(root)}
- Project: commit {project_state(root)}
- Corpus: {stats.posts} posts and an About page, {words:,.0f} words a post on average,
  {len(stats.formulas):,} formulas ({stats.inline:,} inline, {stats.display:,} display),
  {stats.distinct:,} distinct: {stats.distinct_share:.0%} (`--distinct {share:g}`)

{table(project, baseline, stats, repetitions)}

{targets(project, baseline, stats.posts)}

{math}"""


DOC_HEADER = """# Benchmarks

`invoke bench --posts N` writes a synthetic corpus (site_tools/corpus.py: ML/maths posts of about
1,500 words with ~12 inline and 3 display formulas, code, a table, a footnote, tags and series),
builds it with the project's settings and with a baseline (site_tools/baseline_pelicanconf.py:
plain Pelican, its Markdown reader, typogrify, pelican-render-math with MathJax in the browser,
the notmyidea theme, Pelican's content cache on), and appends a section below. Options:
`--distinct 0.6` (the share of distinct formulas), `--repetitions 3`, `--no-baseline`,
`--no-reload`, `--no-citations`.

How to read the rows:

- Corpus: the share of formulas that are distinct strings is set with `--distinct` (default 0.6:
  a real ML blog's 5,180 formulas are 61% distinct). Sections before issue 18 used a corpus that
  repeated its formulas far more (13% distinct at 1,000 posts): KaTeX had less to do there.
  Those sections also show "Edit to reload" (a post edit only), no memory summed over processes,
  and a "KaTeX alone" that rendered every formula, repeats included.
- Each build runs in a fresh Python process; the time is that of the Pelican run inside it
  (`site_tools.build.build`), without Python's start-up and imports ("whole process" adds them).
- Cold: empty output and caches. Warm, no change: the same build again. One post edited: the
  first inline formula of one post changed and a sentence appended, then a build on the same caches.
  This sequence runs `--repetitions` times (3), the project and the baseline taking turns (since
  7b8776c; earlier sections ran all the project's builds first); cells show the median and, in
  brackets, the range. Small shared machines are noisy: compare runs made on the same machine,
  and mind the load average (given at the start and at the end of the run).
- Save to reload: the livereload server (site_tools/devserver.py) serves the corpus with its own
  copy of the theme, headless Chromium shows one post, and the clock runs from the file write
  until the page shows the change, for three edits, each `--repetitions` times: a marker
  sentence written into the post's source; a marker paragraph written into the footer partial,
  which every page uses (every page is re-rendered; "the server's rebuild" is the time the server
  prints for that build); `:root { --bench-marker: "TOKEN"; }` appended to tokens.css, until the
  page's computed `--bench-marker` holds the token. The stylesheet is to be swapped in place: the
  cell says "reloaded the page" when the page had been reloaded instead (a script variable set
  before the edit was gone). An edit that times out or fails says so in its cell.
- Peak memory, all processes at once: during each cold build, every ~50 ms, the build process and
  all its descendants (found through /proc by parent and by session, so a process whose parent
  ended still counts) are summed: PSS from /proc/<pid>/smaps_rollup, which shares each page among
  the processes that map it (pages a forked render worker shares with the build process count
  once), and RSS, which counts shared pages in every process. The table gives the largest sums.
  The sampling costs a few milliseconds of CPU per sample, on both sides.
- CPU time: user + system seconds of the build process and of its finished children (render
  workers, KaTeX's Node processes), start-up included; less sensitive to a busy machine than
  elapsed time, and it shows what parallel rendering costs in total.
- Peak RSS, build process alone: the Python process that runs Pelican (`ru_maxrss` of itself);
  "largest finished child" is the largest render worker or KaTeX process it waited for.
- Formulas per second, cold: formulas in the corpus divided by the cold build time (Markdown,
  pages and all), so a lower bound on the rate of math.
- Math profile, each step by itself in a process of its own without caches: KaTeX alone (each
  distinct formula once in one Node process); KaTeX as a cold build runs it (the project's KaTeX
  server, in parallel, with its protocol and the MathML fixes); the MathML fixes alone (Python
  regular expressions over KaTeX's output); and the Python work per formula (extraction,
  numbering, cache keys, substitution), with phase 1 as a whole (Markdown, typogrify) for scale.
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


def measure_big_formula(root: Path, work: Path, repetitions: int) -> str:
    """Cold and one-edit builds of both sites; the edit re-renders the body and the page (the
    formula comes from the cache), which is where anything quadratic in the body would show."""
    big, plain = write_big_formula_sites(work)
    for number in range(1, repetitions + 1):
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
              repetitions: int = REPETITIONS, citations: bool = True,
              distinct: float = DEFAULT_DISTINCT) -> None:
    """Benchmark the project (and the baseline) on `posts` synthetic posts; print and record the table."""
    root = Path(root).resolve()
    started, load_at_start = datetime.datetime.now(), load_average()
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    try:
        project = Site("project", root / "pelicanconf.py", work / "project", own_theme=True)
        stats = write_corpus(project.content, posts, distinct=distinct)
        shutil.copytree(root / "theme", project.theme)
        print(f"Corpus: {posts} posts, {len(stats.formulas):,} formulas, {stats.distinct:,} distinct "
              f"({stats.distinct_share:.0%}), in {work}", file=sys.stderr)
        katex = katex_pass(root, stats)
        for message in katex["errors"][:10]:
            print(f"  invalid formula in the corpus: {message}", file=sys.stderr)
        sources = sorted((project.content / "posts").glob("*.md"))
        edited = sources[len(sources) // 2]
        sites = [(project, edited)]
        other = cited = None
        if citations:
            cited = Site("citations", root / "pelicanconf.py", work / "citations")
            write_corpus(cited.content, posts, distinct=distinct)
            citing = write_citations(cited.content, CITING_POSTS, BIB_ENTRIES)
            sites.append((cited, cited.content / "posts" / edited.name))
        if baseline:
            other = Site("baseline", BASELINE_SETTINGS, work / "baseline")
            write_corpus(other.content, posts, distinct=distinct)
            sites.append((other, other.content / "posts" / edited.name))
        print("Math profile ...", file=sys.stderr)
        math = math_section(katex, math_profile(root, project))
        run_builds(root, sites, repetitions)
        if reload:
            measure_reload(root, project, sources[len(sources) // 3], repetitions)
        big_formula = measure_big_formula(root, work, repetitions)
        section = (report(root, stats, project, other, math, started, load_at_start, repetitions, distinct)
                   + "\n" + big_formula)
        if cited:
            section += citations_section(project, cited, citing)
        print("\n" + section)
        append_to_docs(root, section)
    finally:
        shutil.rmtree(work, ignore_errors=True)
