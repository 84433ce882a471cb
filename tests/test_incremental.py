"""Speed-ups never change the output: parallel rendering, the caches, skipped pages."""

import filecmp
import shutil
from pathlib import Path

import pytest
from pelican.settings import read_settings

from helpers import DEV_SETTINGS, FIXTURE_SITE, ROOT, build_site, text_of

# Every plugin of the project but page_writer: Pelican's own writer, serial, with no cache.
SERIAL_NO_CACHES = {
    "KATEX_MARKDOWN": {"workers": 1, "cache": False},
    "PLUGINS": [name for name in read_settings(DEV_SETTINGS)["PLUGINS"] if name != "page_writer"],
}
PARALLEL_CACHED = {"KATEX_MARKDOWN": {"workers": 2, "parallel_threshold": 2}}


def tree_differences(left: Path, right: Path) -> list[str]:
    left_files = sorted(p.relative_to(left) for p in left.rglob("*") if p.is_file())
    right_files = sorted(p.relative_to(right) for p in right.rglob("*") if p.is_file())
    if left_files != right_files:
        return [f"file lists differ: {set(left_files) ^ set(right_files)}"]
    return [str(p) for p in left_files if not filecmp.cmp(left / p, right / p, shallow=False)]


@pytest.fixture
def content(tmp_path) -> Path:
    copy = tmp_path / "content"
    shutil.copytree(ROOT / "content", copy)
    return copy


def test_parallel_cached_build_is_byte_identical_to_serial_uncached(content, tmp_path):
    serial = build_site(content, tmp_path / "serial", **SERIAL_NO_CACHES)
    build_site(content, tmp_path / "fast", **PARALLEL_CACHED)
    warm = build_site(content, tmp_path / "fast", **PARALLEL_CACHED)  # from every cache
    assert serial.result.errors == [] and warm.result.errors == []
    assert tree_differences(serial.output, warm.output) == []


def test_rebuild_after_edit_is_identical_to_a_clean_build(content, tmp_path):
    build_site(content, tmp_path / "fast", **PARALLEL_CACHED)
    post = content / "posts" / "log-sum-exp-trick.md"
    post.write_text(post.read_text().replace("Title: ", "Title: Edited: ", 1) + "\nA new $x^3$ line.\n")
    warm = build_site(content, tmp_path / "fast", **PARALLEL_CACHED)
    clean = build_site(content, tmp_path / "clean", **SERIAL_NO_CACHES)
    assert tree_differences(clean.output, warm.output) == []
    assert "Edited: " in text_of(warm.page("archives/"))


def test_deleted_post_leaves_every_list(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_SITE, content)
    first = build_site(content, tmp_path / "site")
    page = first.output / "posts" / "prices-and-code" / "index.html"
    assert page.exists()
    (content / "posts" / "prices.md").unlink()
    again = build_site(content, tmp_path / "site")
    assert not page.exists()
    for listing in ("", "archives/", "tags/journal/", "tags/"):
        assert "Prices and code" not in text_of(again.page(listing)), listing
    assert not (again.output / "archives" / "2025" / "index.html").exists()  # its only post is gone


def test_changing_a_macro_rerenders_the_posts_that_use_it(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_SITE, content)
    before = build_site(content, tmp_path / "site", KATEX_MACROS={r"\R": r"\mathbb{R}"})
    after = build_site(content, tmp_path / "site", KATEX_MACROS={r"\R": r"\mathcal{R}"})
    attention = "posts/attention-in-a-few-lines/"

    def variants(site):
        return {node.get("mathvariant") for node in site.page(attention).cssselect("mi") if node.text == "R"}

    assert "double-struck" in variants(before) and "script" in variants(after)


def test_changing_a_template_rerenders_every_page(tmp_path):
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme)
    first = build_site(FIXTURE_SITE, tmp_path / "site", THEME=str(theme))
    footer = theme / "templates" / "partials" / "footer.html"
    footer.write_text(footer.read_text().replace("</footer>", "<p>Changed footer</p></footer>"))
    second = build_site(FIXTURE_SITE, tmp_path / "site", THEME=str(theme))
    assert first.result.errors == [] == second.result.errors
    for path in second.html_files():
        if path.name == "index.html" or path.name == "404.html":
            assert "Changed footer" in path.read_text(), path


def test_changing_a_setting_rerenders_what_shows_it(tmp_path):
    build_site(FIXTURE_SITE, tmp_path / "site")
    renamed = build_site(FIXTURE_SITE, tmp_path / "site", SITENAME="Another Name")
    assert "Another Name" in text_of(renamed.page("posts/eulers-identity-carefully/").cssselect("header")[0])


def test_changing_the_summary_length_rerenders_summaries(tmp_path):
    def prices_summary(site):
        items = site.page("").cssselect(".post-list__item")
        prices = [i for i in items if "Prices and code" in text_of(i)][0]
        return text_of(prices.cssselect(".post-list__summary")[0])

    short = prices_summary(build_site(FIXTURE_SITE, tmp_path / "site", SUMMARY_MAX_LENGTH=5, DEFAULT_PAGINATION=10))
    long = prices_summary(build_site(FIXTURE_SITE, tmp_path / "site", SUMMARY_MAX_LENGTH=50, DEFAULT_PAGINATION=10))
    assert short == "See the heading. It costs …"
    assert long.startswith(short[:-1].strip()) and long.endswith("dashes. Under it.")


def test_static_copies_of_sources_that_are_gone_are_removed(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_SITE, content)
    (content / "images").mkdir(exist_ok=True)
    (content / "images" / "figure.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    first = build_site(content, tmp_path / "site")
    copy = first.output / "images" / "figure.svg"
    assert first.result.errors == [] and copy.exists()
    (content / "images" / "figure.svg").unlink()
    again = build_site(content, tmp_path / "site")
    assert again.result.errors == [] and not copy.exists()
    assert (again.output / "theme" / "css" / "base.css").exists()  # the theme's files stay
