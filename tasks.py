"""Tasks for writing, building, checking and publishing the site: `invoke --list`."""

import datetime
import os
import shutil
import sys
from pathlib import Path

from invoke import task
from invoke.exceptions import Exit

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

from site_tools.build import build as run_build  # noqa: E402
from site_tools.build import build_then_swap  # noqa: E402
from site_tools.search_index import add_search_index  # noqa: E402

SETTINGS = {
    "dev": str(ROOT / "pelicanconf.py"),
    "publish": str(ROOT / "publishconf.py"),
}
OUTPUT = ROOT / "output"
CACHE = ROOT / ".cache"
HOST, PORT = "127.0.0.1", 8000


def _report(result, failure: str = "Build failed.") -> None:
    print(f"Built {result.output_path} in {result.seconds:.2f} s", file=sys.stderr)
    if result.errors:
        print(f"\n{len(result.errors)} error(s):", file=sys.stderr)
        for message in result.errors:
            print(f"  {message}", file=sys.stderr)
        raise Exit(failure, code=1)


@task(help={"dev": "also install Debian's chromium and Java (browser tests, `invoke check`; uses apt-get)"})
def setup(c, dev=False):
    """Install the Node packages (KaTeX, Nu validator, Lighthouse, axe-core); --dev: Chromium, Java."""
    with c.cd(str(ROOT)):
        c.run("npm ci --no-audit --no-fund --loglevel=error", pty=False)
    if dev and not (shutil.which("chromium") and shutil.which("java")):
        sudo = "" if os.geteuid() == 0 else "sudo "
        c.run(f"{sudo}apt-get update -qq && {sudo}apt-get install -y -qq chromium default-jre-headless", pty=False)


@task(help={"content": "content folder (default: content/)", "output": "output folder (default: output/)"})
def build(c, content=None, output=None):
    """Build the site into output/ with the development settings, then its search index."""
    overrides = {}
    if content:
        overrides["PATH"] = os.path.abspath(content)
    if output:
        overrides["OUTPUT_PATH"] = os.path.abspath(output)
    _report(add_search_index(run_build(SETTINGS["dev"], overrides)))


@task
def clean(c):
    """Remove output/ and the render caches."""
    shutil.rmtree(OUTPUT, ignore_errors=True)
    shutil.rmtree(CACHE, ignore_errors=True)


@task(pre=[clean], post=[build])
def rebuild(c):
    """Clean, then build from scratch."""


@task(help={"port": f"port on {HOST} (default {PORT})"})
def serve(c, port=PORT):
    """Serve output/ at http://127.0.0.1:8000 (no rebuilds; see livereload)."""
    from site_tools.devserver import serve_static

    serve_static(str(OUTPUT), HOST, int(port))


@task(help={"port": f"port on {HOST} (default {PORT})"})
def livereload(c, port=PORT):
    """Build, serve on 127.0.0.1, rebuild on every save and reload the browser."""
    from site_tools.devserver import serve_with_reload

    watched = [ROOT / "content", ROOT / "theme", ROOT / "plugins", *map(Path, SETTINGS.values())]
    serve_with_reload(SETTINGS["dev"], str(OUTPUT), [str(p) for p in watched], HOST, int(port))


@task
def publish(c):
    """Production build (publishconf.py) into output/; output/ is replaced only if the build is good."""
    _report(build_then_swap(SETTINGS["publish"], str(OUTPUT)))


@task(help={"push": "push gh-pages to origin (default); --no-push only updates the local branch"})
def deploy(c, push=True):
    """Publish, then commit output/ to the gh-pages branch with ghp-import and push it."""
    from site_tools.deploy import BuildFailed, DeployRefused, deploy as deploy_site

    try:
        result = deploy_site(ROOT, SETTINGS["publish"], OUTPUT, push=push)
    except BuildFailed as failure:
        _report(failure.result, f"Not deployed: {failure}")
    except DeployRefused as refusal:
        raise Exit(f"Not deployed: {refusal}", code=1)
    _report(result)
    where = "pushed to origin" if push else "committed locally (not pushed)"
    print(f"Deployed: output/ {where} on the gh-pages branch.", file=sys.stderr)


@task
def icons(c):
    """Render the theme's apple-touch-icon.png and content/images/card.png from favicon.svg and SITENAME (Chromium)."""
    from site_tools.icons import make_icons

    for path in make_icons(ROOT, SETTINGS["dev"]):
        print(path.relative_to(ROOT))


@task(help={"title": "the post's title"})
def new(c, title):
    """Create content/posts/<slug>.md from a title, as a draft."""
    from pelican.settings import DEFAULT_CONFIG
    from pelican.utils import slugify

    slug = slugify(title, regex_subs=DEFAULT_CONFIG["SLUG_REGEX_SUBSTITUTIONS"])
    path = ROOT / "content" / "posts" / f"{slug}.md"
    if path.exists():
        raise Exit(f"{path.relative_to(ROOT)} already exists.", code=1)
    now = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    safe_title = title.replace("\n", " ")
    path.write_text(
        f"Title: {safe_title}\nDate: {now}\nTags: \nSummary: \nStatus: draft\n\nWrite here.\n",
        encoding="utf-8",
    )
    print(path.relative_to(ROOT))


@task(help={"k": "only tests matching this expression (pytest -k)"})
def test(c, k=None):
    """Run the test suite (builds real sites; browser tests use Debian's chromium)."""
    selection = f" -k {k!r}" if k else ""
    with c.cd(str(ROOT)):
        c.run(f"{sys.executable} -m pytest{selection}", pty=False)


@task(help={"runs": "Lighthouse runs per page (default: `runs` in budgets.toml)"})
def check(c, runs=None):
    """Build; validate the HTML (Nu), links (lychee), a production build's feeds, workflows; then measure budgets.toml."""
    from site_tools.checks import run_checks

    build(c)
    failures = run_checks(c, ROOT, OUTPUT, int(runs) if runs else None)
    if failures:
        raise Exit("Checks failed: " + ", ".join(failures), code=1)


@task(help={
    "posts": "posts in the synthetic corpus (default 300)",
    "distinct": "share of the corpus's formulas that are distinct strings (default 0.6, as in real writing)",
    "repetitions": "runs of each build sequence and of each reload edit; cells show medians (default 3)",
    "baseline": "also build the corpus with plain Pelican + typogrify + render-math (default on)",
    "reload": "also measure save-to-reload (post, template, stylesheet) in headless Chromium (default on)",
    "citations": "also build the corpus with a 2,000-entry .bib cited by 300 posts (default on)",
})
def bench(c, posts=300, distinct=0.6, repetitions=3, baseline=True, reload=True, citations=True):
    """Benchmark builds, save-to-reload, memory and math on a synthetic corpus; appends to docs/benchmarks.md."""
    from site_tools.bench import run_bench

    run_bench(ROOT, int(posts), baseline=baseline, reload=reload, repetitions=int(repetitions),
              citations=citations, distinct=float(distinct))


@task(help={"upgrade": "move every package to its newest version the .in files allow"})
def lock(c, upgrade=False):
    """Recompile requirements.txt and requirements-dev.txt (pinned, with hashes) from the .in files."""
    options = "--allow-unsafe --generate-hashes --strip-extras --no-emit-index-url --no-emit-find-links"
    if upgrade:
        options += " --upgrade"
    with c.cd(str(ROOT)):
        # The dev lock is constrained by the runtime lock (-c requirements.txt): runtime first.
        for name in ("requirements", "requirements-dev"):
            c.run(f"{sys.executable} -m piptools compile --quiet {options} "
                  f"--output-file={name}.txt {name}.in", pty=False)
