"""budgets.toml and `invoke check`'s measurements: the reader (broken budgets reported, unknown keys
named), the GitHub-Pages-like server and the report's rows. Budgets broken on purpose in Chromium
(a 2 MB image, a low-contrast colour): tests/browser/test_budgets_in_chromium.py. Lighthouse itself
is too slow for the test suite: `invoke check` runs it."""

import gzip
import os
import urllib.error
import urllib.request

import pytest

from helpers import ROOT
from site_tools import budgets as budget_file
from site_tools.budgets import BudgetError, parse_budgets, read_budgets
from site_tools.checks import every_page_rows, format_table, verdicts_settled, visit_rows
from site_tools.lighthouse import Run, parse_report, slowdown_for
from site_tools.page_audit import PageVisit, Violation, render_blocking_scripts
from site_tools.pages_server import PagesServer

# --- The budget reader ---------------------------------------------------------------------------

def test_the_project_budgets_are_read():
    budgets = read_budgets(ROOT / "budgets.toml")
    assert budgets.lighthouse.min_scores == {"performance": 0.98, "accessibility": 1.0,
                                             "best-practices": 1.0, "seo": 1.0}
    assert budgets.lighthouse.runs == 3 and budgets.lighthouse.cpu_slowdown is None
    kinds = {page.kind: page for page in budgets.lighthouse.pages}
    assert kinds["404"].not_applicable == ("seo",)
    assert (budgets.max_page_kb, budgets.max_fonts_kb, budgets.max_axe_violations) == (100, 150, 0)
    assert budgets.themes == ("light", "dark")


def broken(*replacements: tuple[str, str]) -> str:
    """The message for the project's budgets.toml with each (old, new) replaced."""
    import tomllib

    text = (ROOT / "budgets.toml").read_text()
    for old, new in replacements:
        assert old in text
        text = text.replace(old, new, 1)
    with pytest.raises(BudgetError) as raised:
        parse_budgets(tomllib.loads(text), "budgets.toml")
    return str(raised.value)


@pytest.mark.parametrize("old, new, message", [
    # unknown keys and tables, by name
    ("min_seo = 1.0", "min_seo = 1.0\nmin_perfomance = 0.9",
     "[lighthouse] unknown key 'min_perfomance' (known: runs, cpu_slowdown, min_performance"),
    ("[images]", "[wieght]\nmax_page_kb = 1\n\n[images]", "unknown table [wieght] (known: lighthouse, axe, weight, images)"),
    ('kind = "tag page"', 'kind = "tag page"\nurl = "/tags/"', "[lighthouse.page] unknown key 'url' (known: kind, path, not_applicable)"),
    # values that cannot be budgets
    ("min_performance = 0.98", "min_performance = 98", "[lighthouse] min_performance is a score between 0 and 1, not 98"),
    ("max_page_kb = 100", 'max_page_kb = "100 KB"', "[weight] max_page_kb must be a number, not '100 KB'"),
    ("max_fonts_kb = 150", "max_fonts_kb = -1", "[weight] max_fonts_kb must not be negative, not -1"),
    ('themes = ["light", "dark"]', 'themes = ["light", "sepia"]', "[axe] themes: unknown theme 'sepia' (known: light, dark)"),
    ('cpu_slowdown = "calibrated"', 'cpu_slowdown = "fast"',
     '[lighthouse] cpu_slowdown must be "calibrated" or a number >= 1, not \'fast\''),
    ('path = "/tags/calculus/"', 'path = "tags/calculus/"',
     "[lighthouse.page] tag page: path must start with '/', not 'tags/calculus/'"),
    ('not_applicable = ["seo"]', 'not_applicable = ["SEO"]', "[lighthouse.page] 404: not_applicable: unknown category 'SEO'"),
    ("max_violations = 0\n", "", "[axe] missing key 'max_violations'"),
])
def test_a_broken_budget_is_reported(old, new, message):
    assert message in broken((old, new))


def test_every_problem_is_listed_at_once():
    message = broken(("runs = 3", "runs = 3.5"), ("max_page_kb = 100", "max_page_kb = []"))
    assert message.startswith("budgets.toml: 2 problem(s):")
    assert "[lighthouse] runs must be a whole number, not 3.5" in message
    assert "[weight] max_page_kb must be a number, not []" in message


def test_invalid_toml_names_the_file_and_line(tmp_path):
    path = tmp_path / "budgets.toml"
    path.write_text("[lighthouse]\nruns = \n")
    with pytest.raises(BudgetError, match=r"budgets.toml: not valid TOML: .*line 2"):
        read_budgets(path)


def test_the_build_and_the_checks_know_the_same_image_budget():
    from responsive_images.config import BUDGET_KEYS

    assert budget_file.IMAGE_KEYS == BUDGET_KEYS


# --- Served as GitHub Pages serves ----------------------------------------------------------------

@pytest.fixture
def served(tmp_path):
    (tmp_path / "posts" / "a").mkdir(parents=True)
    (tmp_path / "posts" / "a" / "index.html").write_text("<!doctype html><title>A</title>" + "text " * 500)
    (tmp_path / "404.html").write_text("<!doctype html><title>Not found</title>")
    (tmp_path / "font.woff2").write_bytes(os.urandom(100))
    with PagesServer(tmp_path) as server:
        yield server


def fetch(url: str, gzip_ok: bool = True) -> tuple[int, dict, bytes]:
    """(status, headers, body as sent) of a GET."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"} if gzip_ok else {})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers), error.read()


def test_text_is_gzipped_with_pages_cache_header(served):
    status, headers, body = fetch(served.url + "/posts/a/")
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert headers["Cache-Control"] == "max-age=600"
    assert gzip.decompress(body).startswith(b"<!doctype html><title>A</title>")
    assert "Content-Encoding" not in fetch(served.url + "/posts/a/", gzip_ok=False)[1]


def test_fonts_are_not_compressed_again(served):
    assert "Content-Encoding" not in fetch(served.url + "/font.woff2")[1]


def test_missing_page_is_the_404_page_with_its_status(served):
    status, _, body = fetch(served.url + "/nothing/here/")
    assert status == 404
    assert b"Not found" in gzip.decompress(body)


def test_folder_without_slash_is_redirected(served):
    request = urllib.request.Request(served.url + "/posts/a", method="HEAD")
    opener = urllib.request.build_opener(NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as raised:
        opener.open(request)
    with raised.value as response:
        assert response.code == 301 and response.headers["Location"] == "/posts/a/"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args):
        return None


# --- The report ----------------------------------------------------------------------------------

def test_rows_name_each_page_over_the_budget_or_the_largest_page():
    values = {"/": 40_000, "/posts/big/": 2_100_000, "/posts/huge/": 3_000_000}
    rows = every_page_rows("weight before fonts", values, 100_000, lambda v: f"{v / 1000:.1f} KB", "<= 100 KB")
    assert [(row.page, row.verdict) for row in rows] == [("/posts/big/", "FAIL"), ("/posts/huge/", "FAIL")]
    [ok] = every_page_rows("weight before fonts", {"/": 40_000, "/a/": 50_000}, 100_000, str, "<= 100 KB")
    assert (ok.page, ok.measured, ok.verdict) == ("all 2 pages (largest: /a/)", "50000", "ok")
    [none] = every_page_rows("axe violations", {"/": 0, "/a/": 0}, 0, str, "<= 0")
    assert (none.page, none.verdict) == ("all 2 pages", "ok")


def test_the_search_dialog_counts_for_axe_and_other_hosts_not_for_weight():
    budgets = read_budgets(ROOT / "budgets.toml")
    faint = Violation("color-contrast", "serious", "Contrast", [".search__excerpt"])
    visits = [PageVisit("/", "light", bytes_before_fonts=30_000),
              PageVisit("/ (search open)", "light", first_visit=False, bytes_before_fonts=900_000,
                        other_hosts=["https://cdn.example/x.js"], violations=[faint])]
    rows = {(row.budget, row.page): row for row in visit_rows(budgets, visits)}
    assert rows["weight before fonts", "all 1 pages (largest: /)"].verdict == "ok"  # the index it loads is no page's weight
    assert rows["axe violations (light)", "/ (search open)"].failed
    assert rows["requests to other hosts", "/ (search open)"].failed


def test_table_has_a_header_and_a_line_per_row():
    rows = every_page_rows("fonts", {"/": 1}, 2, str, "<= 2")
    lines = format_table(rows).splitlines()
    assert lines[0].split() == ["budget", "page", "measured", "limit", "verdict"]
    assert lines[2].endswith("ok") and "all 1 pages (largest: /)" in lines[2]


def test_render_blocking_scripts_are_found(tmp_path):
    page = tmp_path / "index.html"
    page.write_text('<script src="a.js"></script><script src="b.js" defer></script>'
                    '<script src="c.js" async></script><script type="module" src="d.js"></script><script>1</script>')
    assert render_blocking_scripts(page) == ["a.js"]


@pytest.mark.parametrize("benchmark_index, slowdown", [
    (2000, 4.0),   # a fast desktop: Lighthouse's default
    (1000, 2.7),
    (375, 1.0),    # already as slow as the phone Lighthouse emulates
    (150, 1.0),    # never faster than the machine
])
def test_cpu_slowdown_follows_the_benchmark_index(benchmark_index, slowdown):
    assert slowdown_for(benchmark_index) == slowdown


def test_lighthouse_report_is_read_with_the_audits_that_lost_points():
    report = {
        "categories": {"performance": {"score": 0.97, "auditRefs": [{"id": "cls", "weight": 25}, {"id": "x", "weight": 0}]},
                       "accessibility": {"score": 1, "auditRefs": []}},
        "audits": {"cls": {"title": "Cumulative Layout Shift", "score": 0.9, "displayValue": "0.05"},
                   "x": {"title": "Informative", "score": 0},
                   "cumulative-layout-shift": {"numericValue": 0.05}},
        "environment": {"benchmarkIndex": 1234},
    }
    run = parse_report(report, 3.3)
    assert run.scores["performance"] == 0.97 and run.scores["seo"] is None
    assert run.layout_shift == 0.05 and run.benchmark_index == 1234
    assert run.failed_audits["performance"] == ["Cumulative Layout Shift (0.05)"]


def lighthouse_run(performance=1.0, seo=1.0, shift=0.0, error=""):
    scores = {"performance": performance, "accessibility": 1.0, "best-practices": 1.0, "seo": seo}
    return Run(scores, shift, 1500, 4.0, {}, error=error)


@pytest.mark.parametrize("done, page, settled", [
    # two of three runs on the same side of every limit: the third cannot move the median across
    ([lighthouse_run(0.99), lighthouse_run(1.0)], "tag page", True),
    ([lighthouse_run(0.90), lighthouse_run(0.95)], "tag page", True),   # failed, whatever comes
    ([lighthouse_run(0.99, shift=0.0)] * 2, "tag page", True),
    # not yet decided
    ([lighthouse_run(0.99)], "tag page", False),
    ([lighthouse_run(0.99), lighthouse_run(0.97)], "tag page", False),
    ([lighthouse_run(shift=0.0), lighthouse_run(shift=0.01)], "tag page", False),
    ([lighthouse_run(), lighthouse_run(error="Lighthouse failed")], "tag page", False),
    # a category that does not apply to the page does not count
    ([lighthouse_run(seo=0.6), lighthouse_run(seo=1.0)], "404", True),
])
def test_runs_stop_once_they_decide_the_median(done, page, settled):
    limits = read_budgets(ROOT / "budgets.toml").lighthouse
    [chosen] = [p for p in limits.pages if p.kind == page]
    assert verdicts_settled(limits, chosen, done, runs=3) is settled
