"""Budgets broken on purpose, measured in Chromium as `invoke check` measures them: a 2 MB image
fails the weight budget and a low-contrast colour fails axe-core, each naming its page."""

import os

import pytest
from PIL import Image

from helpers import ROOT, build_site
from site_tools.budgets import read_budgets
from site_tools.checks import visit_rows
from site_tools.page_audit import audit_pages, site_paths
from site_tools.pages_server import PagesServer

BROKEN_SITE_POSTS = {
    "heavy.md": "Title: A heavy picture\nDate: 2026-01-02\n\n![Noise, two megabytes of it]({static}/images/noise.png)\n",
    "faint.md": ('Title: Faint words\nDate: 2026-01-01\n\n<p style="color: #d8d8d8">These words are hard to read.</p>\n'),
    # Fine on the light theme's paper, too dark on the dark theme's.
    "dim.md": ('Title: Dim words\nDate: 2026-01-03\n\n<p style="color: #333333">These words vanish at night.</p>\n'),
}


@pytest.fixture(scope="module")
def broken_site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("broken_budgets")
    content = folder / "content"
    (content / "posts").mkdir(parents=True)
    (content / "images").mkdir()
    # Noise does not compress: a 2 MB PNG whose variants stay heavy.
    Image.frombytes("RGB", (1200, 600), os.urandom(1200 * 600 * 3)).save(content / "images" / "noise.png")
    assert (content / "images" / "noise.png").stat().st_size > 2_000_000
    for name, text in BROKEN_SITE_POSTS.items():
        (content / "posts" / name).write_text(text)
    site = build_site(content, folder, STATIC_PATHS=["images"])
    assert site.result.errors == []
    return site


@pytest.fixture(scope="module")
def broken_visits(broken_site, browser):
    pages = ["/posts/a-heavy-picture/", "/posts/faint-words/", "/posts/dim-words/"]
    assert set(pages) <= set(site_paths(broken_site.output))
    with PagesServer(broken_site.output) as server:
        return audit_pages(browser, server.url, pages, ("light", "dark"), ROOT)


def test_a_2_mb_image_fails_the_weight_budget_naming_the_page(broken_visits):
    budgets = read_budgets(ROOT / "budgets.toml")
    rows = [row for row in visit_rows(budgets, broken_visits) if row.budget == "weight before fonts"]
    [failed] = [row for row in rows if row.failed]
    assert failed.page == "/posts/a-heavy-picture/"
    assert float(failed.measured.removesuffix(" KB")) > 100


def test_a_low_contrast_colour_fails_axe_naming_the_page(broken_visits):
    budgets = read_budgets(ROOT / "budgets.toml")
    rows = [row for row in visit_rows(budgets, broken_visits) if row.budget == "axe violations (light)"]
    [failed] = [row for row in rows if row.failed]
    assert failed.page == "/posts/faint-words/"
    assert "color-contrast x1" in failed.measured


def test_each_theme_is_audited_in_its_own_colours(broken_visits):
    budgets = read_budgets(ROOT / "budgets.toml")
    failed = {(row.budget, row.page) for row in visit_rows(budgets, broken_visits) if row.failed}
    assert ("axe violations (dark)", "/posts/dim-words/") in failed
    assert ("axe violations (light)", "/posts/dim-words/") not in failed


def test_no_request_leaves_the_site(broken_visits):
    assert [visit.other_hosts for visit in broken_visits] == [[]] * 6
    assert all(not visit.error for visit in broken_visits)
