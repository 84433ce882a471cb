"""Faults the Markdown reader survives: damaged caches, bytes that are not UTF-8, a key given twice,
a KaTeX process that dies, links in math. Each failure names its source; no other post suffers."""

import json
import os
import pickle
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import FIXTURE_SITE, ROOT, BuiltSite, build_site, text_of
from katex_markdown.katex import KatexProcess, KatexUnavailable, render_in_parallel
from katex_markdown.store import SCHEMA_VERSION

BAD_INPUT = Path(__file__).parent / "bad_input"
CACHE_FILE = "katex_markdown.sqlite"
RECORDS_FILE = "page_writer.json"


def source(case: str, name: str) -> str:
    """A fixture post's path as error messages name it."""
    return os.path.relpath(BAD_INPUT / case / "posts" / name)


def differences(expected: Path, actual: Path) -> list[str]:
    """How two output folders differ: their lists of files, then the bytes of each HTML page."""
    files = {path.relative_to(expected) for path in expected.rglob("*") if path.is_file()}
    others = {path.relative_to(actual) for path in actual.rglob("*") if path.is_file()}
    if files != others:
        return [f"only in one of them: {sorted(map(str, files ^ others))}"]
    pages = sorted(path for path in files if path.suffix == ".html")
    return [str(page) for page in pages if (expected / page).read_bytes() != (actual / page).read_bytes()]


# --- Caches are only caches ------------------------------------------------------------------------

_BUILD_IN_NEW_PROCESS = """
import json, sys
from pathlib import Path
sys.path.insert(0, "tests")
from helpers import build_site
result = build_site(Path(sys.argv[1]), Path(sys.argv[2])).result
print("\\n" + json.dumps({"errors": result.errors, "warnings": result.warnings}))
"""


def build_in_new_process(content: Path, folder: Path) -> tuple[list[str], list[str]]:
    """(errors, warnings) of a build in a new Python process. The reader keeps bodies in memory
    for the life of a process (as a livereload server does): only a new one reads the cache file."""
    run = subprocess.run(
        [sys.executable, "-c", _BUILD_IN_NEW_PROCESS, str(content), str(folder)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, run.stderr
    reported = json.loads(run.stdout.strip().splitlines()[-1])
    return reported["errors"], reported["warnings"]


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> Path:
    """A folder with the fixture site's output from a clean build (output/), and its cache."""
    folder = tmp_path_factory.mktemp("clean")
    assert build_in_new_process(FIXTURE_SITE, folder) == ([], [])
    return folder


def _random_bytes(cache: Path) -> None:
    cache.write_bytes(random.Random(12).randbytes(cache.stat().st_size))


def _truncated(cache: Path) -> None:
    with open(cache, "r+b") as file:
        file.truncate(cache.stat().st_size // 2)


def _foreign(cache: Path) -> None:
    cache.unlink()
    with sqlite3.connect(cache) as connection:
        connection.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
    connection.close()


def _old_schema_version(cache: Path) -> None:
    with sqlite3.connect(cache) as connection:
        connection.execute("PRAGMA user_version = 1")
    connection.close()


def _bodies_that_do_not_unpickle(cache: Path) -> None:
    with sqlite3.connect(cache) as connection:
        connection.execute("UPDATE bodies SET value = x'80049501'")
    connection.close()


DAMAGES = {
    # damage: (how, what the warning says)
    "random bytes": (_random_bytes, "file is not a database"),
    "truncated": (_truncated, "database disk image is malformed"),
    "another program's": (_foreign, "its tables are moz_places, not bodies, body_use, formulas, kept"),
    "an older version's": (_old_schema_version, f"schema version 1, and this version of katex_markdown uses {SCHEMA_VERSION}"),
    "bodies that do not load": (_bodies_that_do_not_unpickle, "a stored body does not load: UnpicklingError"),
}


@pytest.mark.parametrize("damage", DAMAGES)
def test_a_damaged_cache_is_discarded_with_one_warning_and_the_site_is_as_clean(damage, clean, tmp_path):
    harm, reason = DAMAGES[damage]
    cache = tmp_path / "cache" / CACHE_FILE
    cache.parent.mkdir()
    shutil.copy(clean / "cache" / CACHE_FILE, cache)
    harm(cache)
    errors, warnings = build_in_new_process(FIXTURE_SITE, tmp_path)
    assert errors == []
    [warning] = warnings
    assert warning.startswith(f"{os.path.relpath(cache)}: not a usable cache ({reason}")
    assert "deleted it" in warning
    assert differences(clean / "output", tmp_path / "output") == []
    assert cached_bodies(cache) == cached_bodies(clean / "cache" / CACHE_FILE) > 0  # a new one


def test_bodies_no_build_used_for_a_week_are_deleted_and_those_in_use_stay(tmp_path):
    """Every saved edit adds a body to the cache; the versions no build uses go after `cache_days`
    (7). The third build, in a new process, takes both posts from the kept content objects:
    their bodies count as used though neither file is read."""
    posts = tmp_path / "content" / "posts"
    posts.mkdir(parents=True)
    edited = posts / "edited.md"
    edited.write_text("Title: Edited\nDate: 2026-01-01\n\nFirst version: $x^2$.\n")
    (posts / "kept.md").write_text("Title: Kept\nDate: 2026-01-02\n\nNever edited: $y^2$.\n")
    assert build_in_new_process(tmp_path / "content", tmp_path) == ([], [])
    edited.write_text("Title: Edited\nDate: 2026-01-01\n\nSecond version, longer: $x^3$.\n")
    assert build_in_new_process(tmp_path / "content", tmp_path) == ([], [])
    cache = tmp_path / "cache" / CACHE_FILE
    versions = ("First version", "Second version", "Never edited")
    assert bodies_saying(cache, *versions) == ["First version", "Never edited", "Second version"]

    with sqlite3.connect(cache) as connection:
        connection.execute("UPDATE body_use SET used = used - 8")  # a week and a day ago
    connection.close()
    assert build_in_new_process(tmp_path / "content", tmp_path) == ([], [])
    assert bodies_saying(cache, *versions) == ["Never edited", "Second version"]
    assert "Second version" in (tmp_path / "output" / "posts" / "edited" / "index.html").read_text()


def bodies_saying(cache: Path, *phrases: str) -> list[str]:
    """Which of `phrases` the cached bodies say, one entry a body, sorted."""
    with sqlite3.connect(cache) as connection:
        bodies = [pickle.loads(value) for (value,) in connection.execute("SELECT value FROM bodies")]
    connection.close()
    return sorted(phrase for body in bodies for phrase in phrases if phrase in body.compact_html)


def cached_bodies(cache: Path) -> int:
    with sqlite3.connect(cache) as connection:
        assert connection.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
        (count,) = connection.execute("SELECT count(*) FROM bodies").fetchone()
    connection.close()
    return count


@pytest.mark.parametrize("records, reason", [
    ("{not json", "cannot be read"),
    ("[]", "not an object with an output folder"),
    ('{"output": "output", "pages": 3, "templates": {}}', "its pages are not a map"),
    ('{"output": "output", "pages": {}, "templates": {"abc": 3}}', "its templates are not a map"),
])
def test_unusable_page_writer_records_are_ignored_with_one_warning(records, reason, clean, tmp_path):
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / RECORDS_FILE).write_text(records)
    built = build_site(FIXTURE_SITE, tmp_path)
    assert built.result.errors == []
    [warning] = built.result.warnings
    assert warning.startswith(f"{os.path.relpath(tmp_path / 'cache' / RECORDS_FILE)}: not a usable page_writer record ({reason}")
    assert differences(clean / "output", built.output) == []


def test_page_writer_records_never_make_it_delete_outside_the_output(clean, tmp_path):
    precious = tmp_path / "precious.txt"
    precious.write_text("not the site's")
    output = tmp_path / "output"
    records = {"output": str(output), "pages": {str(precious): "0" * 64}, "templates": {}}
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / RECORDS_FILE).write_text(json.dumps(records))
    built = build_site(FIXTURE_SITE, tmp_path)
    assert precious.read_text() == "not the site's"
    assert [warning.split("(")[1] for warning in built.result.warnings] == [
        "it lists files outside its output folder); ignored: every page is rendered this build"
    ]
    assert differences(clean / "output", built.output) == []


# --- One bad file is one error, of that file ------------------------------------------------------

POOLS = {"in the build process": {"workers": 1}, "in worker processes": {"workers": 2, "parallel_threshold": 2}}


@pytest.mark.parametrize("pool", POOLS)
def test_bytes_that_are_not_utf8_are_an_error_at_their_line_and_byte(pool, tmp_path):
    built = build_site(BAD_INPUT / "not_utf8", tmp_path, KATEX_MARKDOWN=POOLS[pool])
    offset = len("Title: Saved as Latin-1\nDate: 2026-01-02\n\nThe first lines are plain ASCII.\nA caf")
    assert built.result.errors == [
        f"{source('not_utf8', 'latin1.md')}:5: not UTF-8: byte 0xe9 at byte offset {offset} (column 6 of "
        "this line) is not a UTF-8 character; save the file as UTF-8 (the usual text encoding)"
    ]
    neighbour = built.page("posts/a-fine-neighbour/")
    assert neighbour.cssselect("article .katex math")


@pytest.mark.parametrize("pool", POOLS)
def test_a_file_that_breaks_the_renderer_fails_alone_with_a_clear_message(pool, tmp_path):
    content = tmp_path / "content"
    shutil.copytree(BAD_INPUT / "not_utf8", content)
    (content / "posts" / "latin1.md").unlink()
    # Private-use characters are the pipeline's own placeholders: a post that has them breaks it.
    breaking = content / "posts" / "placeholders.md"
    breaking.write_text("Title: Pasted from a PDF\nDate: 2026-01-04\n\nOdd \ue004\ue017\ue005 glyphs.\n")
    built = build_site(content, tmp_path, KATEX_MARKDOWN=POOLS[pool])
    [error] = built.result.errors
    assert error.startswith(f"{os.path.relpath(breaking)}:1: could not be rendered: ")
    assert "please report it with this file" in error and "Traceback" not in error
    assert built.page("posts/a-fine-neighbour/").cssselect("article .katex math")
    assert not (built.output / "posts" / "pasted-from-a-pdf").exists()


def test_a_key_given_twice_is_an_error_naming_both_lines(tmp_path):
    built = build_site(BAD_INPUT / "duplicate_key", tmp_path)
    assert built.result.errors == [
        f"{source('duplicate_key', 'twice.md')}:4: Title: is given twice, on lines 1 and 4; keep one (a "
        "value on several lines goes on lines indented by four spaces, several tags on one line with commas)"
    ]
    assert text_of(built.page("posts/the-first-title/").cssselect("h1")[0]) == "The first title"


def test_fields_on_several_lines_and_repeated_macros_are_not_duplicates(tmp_path):
    built = build_site(BAD_INPUT / "duplicate_key", tmp_path)
    page = built.page("posts/fields-on-several-lines/")
    bold = [node.text for node in page.cssselect("article .katex mi[mathvariant='bold']")]
    assert bold == ["x", "y"]
    summaries = [text_of(item) for item in built.page("").cssselect(".post-list__summary")]
    assert any(summary.startswith("A summary that goes on, with") for summary in summaries)


# --- KaTeX that stops ------------------------------------------------------------------------------

def katex_server_pids() -> list[int]:
    """The `node katex_server.js` processes this test process started."""
    pids = []
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes()
        except (OSError, ValueError):  # not a process, or one that has just ended
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == os.getpid() and b"katex_server.js" in command:
            pids.append(int(entry.name))
    return pids


def kill_katex_servers() -> None:
    for pid in katex_server_pids():
        os.kill(pid, signal.SIGKILL)


NEW_FORMULA_POST = "posts/eulers-identity-carefully/"


def content_with_a_new_formula(tmp_path: Path) -> tuple[Path, str]:
    """The fixture site plus a formula no earlier build has seen, so KaTeX must typeset it."""
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_SITE, content)
    post = content / "posts" / "euler.md"
    formula = rf"\text{{{tmp_path.name.replace('_', '-')}}}"
    post.write_text(post.read_text() + f"\nA new one: ${formula}$.\n")
    return content, formula


def typeset_formulas(site: BuiltSite) -> list[str]:
    """The TeX of every formula KaTeX typeset on the page of the post that has the new formula."""
    return [node.text for node in site.page(NEW_FORMULA_POST).cssselect("article annotation")]


def test_a_killed_katex_process_is_started_again():
    katex = KatexProcess()
    katex.render([("x^2", False, {})])
    os.kill(katex.pid, signal.SIGKILL)
    [answer] = katex.render([(r"\sqrt{2}", False, {})])
    assert "<math" in answer["html"]
    katex.close()


def test_a_process_started_early_typesets_once_asked():
    katex = KatexProcess()
    katex.start_early()
    assert katex.pid is not None  # running before anything was asked of it
    [answer] = katex.render([(r"\alpha", False, {})])
    assert "<math" in answer["html"]
    katex.close()


def test_a_process_that_could_not_start_early_says_why_once_asked(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    katex = KatexProcess()
    katex.start_early()  # no Node: nothing to say yet
    assert katex.pid is None
    with pytest.raises(KatexUnavailable, match="Node.js"):
        katex.render([("x", False, {})])


def test_killed_katex_processes_of_the_pool_are_started_again():
    render_in_parallel([("y", False, {})], workers=1)
    assert katex_server_pids()
    kill_katex_servers()
    [answer] = render_in_parallel([(r"\frac{1}{2}", False, {})], workers=1)
    assert "<math" in answer["html"]


def test_a_build_after_katex_was_killed_is_complete(tmp_path):
    render_in_parallel([("z", False, {})], workers=1)
    kill_katex_servers()
    content, formula = content_with_a_new_formula(tmp_path)
    built = build_site(content, tmp_path)
    assert built.result.errors == []
    assert formula in typeset_formulas(built)


# Node runs this before katex_server.js (NODE_OPTIONS=--require): a request kills the process,
# every time, or only the first time (when there is a file to say that it has happened).
_DIES_ON_A_REQUEST = """
const fs = require("fs");
const once = %(once)s;
process.stdin.once("data", () => {
  if (once && fs.existsSync(%(died)s)) return;
  fs.writeFileSync(%(died)s, "");
  process.stderr.write("simulated crash: out of memory\\n");
  process.exit(70);
});
"""


def make_katex_die(tmp_path: Path, monkeypatch, once: bool) -> Path:
    """From now on, KaTeX processes die on a request (`once`: the first only); the file that
    says one died."""
    died, script = tmp_path / "died", tmp_path / "dies.js"
    script.write_text(_DIES_ON_A_REQUEST % {"once": json.dumps(once), "died": json.dumps(str(died))})
    kill_katex_servers()  # the next request starts new ones, which see NODE_OPTIONS
    monkeypatch.setenv("NODE_OPTIONS", f"--require {script}")
    return died


def test_katex_that_dies_during_a_build_is_restarted_and_the_batch_sent_again(tmp_path, monkeypatch):
    content, formula = content_with_a_new_formula(tmp_path)
    died = make_katex_die(tmp_path, monkeypatch, once=True)
    built = build_site(content, tmp_path)
    assert died.exists()
    assert built.result.errors == []
    assert formula in typeset_formulas(built)


def test_katex_that_keeps_stopping_is_one_error_that_blames_no_post(tmp_path, monkeypatch):
    content, formula = content_with_a_new_formula(tmp_path)
    make_katex_die(tmp_path, monkeypatch, once=False)
    stopped = build_site(content, tmp_path / "stopped")
    [error] = stopped.result.errors
    assert error.startswith("katex_markdown: KaTeX stopped while typesetting ")
    assert "(exit status 70; its stderr: simulated crash: out of memory)" in error
    assert ".md" not in error
    assert typeset_formulas(stopped) == []  # drawn as errors, each titled with why
    assert stopped.page(NEW_FORMULA_POST).cssselect(".katex-error[title^='not typeset: KaTeX stopped']")
    monkeypatch.delenv("NODE_OPTIONS")
    kill_katex_servers()  # those started by the last retry, if alive
    again = build_site(content, tmp_path / "stopped")  # nothing of the failed build was kept
    assert again.result.errors == []
    assert formula in typeset_formulas(again)


# --- Links in math ---------------------------------------------------------------------------------

ALLOWED = "in math, only \\href and \\url links to http:, https:, mailto: or in-page # targets are allowed"


def test_math_links_to_the_web_mail_and_this_page_are_links(tmp_path):
    built = build_site(BAD_INPUT / "math_links", tmp_path)
    page = built.page("posts/links-in-math/")
    links = [link.get("href") for link in page.cssselect("article .katex-html a")]
    assert links == ["https://arxiv.org/abs/1706.03762", "http://example.org/notes", "mailto:ada@example.org", "#links"]
    assert not page.cssselect("article .katex-error")


def test_every_refused_command_in_math_is_an_error_with_its_line(tmp_path):
    built = build_site(BAD_INPUT / "math_links", tmp_path)
    where = source("math_links", "refused.md")
    assert built.result.errors == [
        f"{where}:4: \\href{{javascript:alert(1)}} is refused: {ALLOWED}",
        f"{where}:6: \\href{{file:///etc/passwd}} is refused: {ALLOWED}",
        f"{where}:6: \\url{{data:text/html,hi}} is refused: {ALLOWED}",
        f"{where}:8: \\href{{../other/}} is refused: {ALLOWED}",
        f"{where}:12: \\includegraphics{{cat.png}} is refused: {ALLOWED}",
        f"{where}:15: \\htmlClass, \\htmlStyle are refused: {ALLOWED}",
        f"{where}:17: a link with an encoded colon in its protocol is refused: {ALLOWED}",
    ]
    page = built.page("posts/refused-commands-in-math/")
    assert not page.cssselect("article a[href^='javascript'], article a[href^='file'], article img")
    assert len(page.cssselect("article .katex-error")) == 7
