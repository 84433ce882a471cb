"""The search index: Pagefind over a built site, into output/pagefind/.

Only what pages mark with `data-pagefind-body` is indexed (a post's or page's text: the theme
puts it on article.html and page.html). A formula is indexed by its TeX source, which KaTeX keeps
in its MathML as an `<annotation>`: the drawn HTML half of each formula and the MathML tokens
beside the annotation are left out, so `\\nabla` or `softmax` finds the post with that formula
and a formula's letters do not flood the index. The search UI (theme/static/js/search.js) loads
the index only when a reader opens search.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import threading

EXCLUDED_SELECTORS = (
    ".katex-html",  # the formula as drawn: spans of glyphs, aria-hidden
    ".katex-mathml semantics > :not(annotation)",  # MathML tokens: the TeX annotation stays
    ".headerlink",  # the "#" beside each heading
    ".highlight .filename",  # a code block's title, glued to its first line
)


INDEX_FOLDER = "pagefind"


def pagefind_command(output_path: str, index_path: str) -> list[str]:
    command = [sys.executable, "-m", "pagefind", "--site", str(output_path),
               "--output-path", str(index_path), "--silent"]
    for selector in EXCLUDED_SELECTORS:
        command += ["--exclude-selectors", selector]
    return command


def index_site(output_path: str, background: bool = False) -> list[str]:
    """Index the site in `output_path` into output_path/pagefind/; the errors (none when it
    worked). Pagefind leaves the files of pages that are gone in its folder: the index is made
    in a fresh folder beside the site and replaces the old one whole. In the `background` (the
    livereload server) Pagefind runs at the lowest CPU priority: the next rebuild comes first."""
    output_path = os.path.abspath(output_path)
    if not os.path.isdir(output_path):
        return [f"search index: Pagefind failed: no site at {output_path}"]
    fresh = tempfile.mkdtemp(prefix=".pagefind-", dir=os.path.dirname(output_path))
    os.chmod(fresh, 0o755)  # served as the rest of the site (mkdtemp makes it private)
    try:
        done = subprocess.run(pagefind_command(output_path, fresh), capture_output=True, text=True,
                              preexec_fn=(lambda: os.nice(19)) if background else None)
    except OSError as error:
        shutil.rmtree(fresh, ignore_errors=True)
        return [f"search index: Pagefind could not run ({error}); install the locked requirements"]
    if done.returncode != 0:
        shutil.rmtree(fresh, ignore_errors=True)
        message = (done.stderr or done.stdout).strip() or f"exit status {done.returncode}"
        return [f"search index: Pagefind failed: {message}"]
    _replace_folder(fresh, os.path.join(output_path, INDEX_FOLDER))
    return []


def _replace_folder(fresh: str, target: str) -> None:
    """`fresh` takes the place of `target`; the gap between the two renames is a moment long."""
    old = None
    if os.path.exists(target):
        old = tempfile.mkdtemp(prefix=".pagefind-old-", dir=os.path.dirname(os.path.dirname(target)))
        os.replace(target, os.path.join(old, INDEX_FOLDER))
    os.replace(fresh, target)
    if old:
        shutil.rmtree(old, ignore_errors=True)


def add_search_index(result):
    """After a good build (a site_tools.build.BuildResult), index it; errors join the build's."""
    if result.ok:
        result.errors.extend(index_site(result.output_path))
    return result


class BackgroundIndexer:
    """For the livereload server: index after each good build without delaying the reload. One
    Pagefind at a time; builds that finish while it runs are indexed once, after it."""

    def __init__(self, output_path: str, report=print):
        self.output_path = output_path
        self.report = report
        self._lock = threading.Lock()
        self._running = False
        self._again = False

    def request(self) -> None:
        with self._lock:
            if self._running:
                self._again = True
                return
            self._running = True
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        while True:
            for error in index_site(self.output_path, background=True):
                self.report(error)
            with self._lock:
                if not self._again:
                    self._running = False
                    return
                self._again = False
