"""inline_theme_css: a page's stylesheets arrive inside it, so no stylesheet request blocks its
first paint; only print.css stays a file (media="print" never blocks)."""

import os
import shutil

import pytest

from helpers import FIXTURE_SITE, ROOT, build_site, styles_of
from inline_theme_css.styles import minify


@pytest.mark.parametrize("built", ["site", "paper_site"])  # paper_site: sidenotes, diagrams, math in a title
def test_no_page_waits_for_a_stylesheet(request, built):
    site = request.getfixturevalue(built)
    for path in site.html_files():
        if "katex" in path.parts:
            continue
        page = site.page(str(path.relative_to(site.output)))
        links = page.cssselect("link[rel=stylesheet]")
        assert [(link.get("href").rsplit("/", 1)[-1], link.get("media")) for link in links] == [("print.css", "print")], path
        assert {"tokens", "base", "fonts"} <= styles_of(page), path
        # A <style> is raw text: an escaped character there (&#34;) would break the CSS.
        assert not [style for style in page.cssselect("style") if "&#" in style.text or "&quot;" in style.text], path


def test_post_pages_have_their_components(site):
    from helpers import POST_URLS

    assert {"article", "code", "katex", "math"} <= styles_of(site.page(POST_URLS["euler"]))
    assert "post-list" in styles_of(site.page("tags/"))


def test_component_styles_come_with_the_pages_that_show_them(paper_site):
    diagram, notes = paper_site.page("posts/a-diagram/"), paper_site.page("posts/notes-in-the-margin/")
    assert {"article", "diagram", "sidenotes"} <= styles_of(diagram)
    assert notes.cssselect(".sidenote") and "sidenotes" in styles_of(notes)


@pytest.mark.parametrize("css, minified", [
    ("a > b , c { color : red ; }  /* note */", "a>b,c{color : red}"),
    ('q::before { content: " a, b ; { } " ; }', 'q::before{content: " a, b ; { } "}'),
    ("x { width: calc(100% - 2 * var(--gutter)) }", "x{width: calc(100% - 2 * var(--gutter))}"),
])
def test_minified_css_is_the_same_stylesheet(css, minified):
    assert minify(css) == minified


def test_a_relative_url_is_an_error_naming_the_stylesheet(tmp_path):
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme)
    (theme / "static" / "css" / "figure.css").write_text('.hero { background: url("../images/hero.png"); }')
    errors = build_site(FIXTURE_SITE, tmp_path, THEME=str(theme)).result.errors
    assert errors == [f"{os.path.relpath(theme / 'static' / 'css' / 'figure.css')}: a relative url() cannot be inlined "
                      "in a page's <style>; declare fonts in theme/templates/partials/head.html, or give the address "
                      "from the site root"]
