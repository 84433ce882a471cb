"""The core's promises to plugins (plugins/README.md, "The plugin contract"), tested with the small
plugins in tests/contract_plugins/ against real builds built twice into the same output and cache,
as the livereload server builds."""

import json
import shutil
import sys
from pathlib import Path

import pytest

from helpers import FIXTURE_SITE, POST_URLS, ROOT, build_site, text_of

CONTRACT_PLUGINS = Path(__file__).parent / "contract_plugins"
sys.path.insert(0, str(CONTRACT_PLUGINS))
CORE_PLUGINS = ["katex_markdown", "reading_time", "content_checks", "page_writer"]
SHOWN = (
    '<p id="probe">{{ article.probe.value }}|{{ article.probe.neighbour.title|striptags }}'
    "|{{ article.probe.neighbour.reading_time }}</p>"
)


@pytest.fixture
def project(tmp_path):
    """Copies of the fixture content and of the theme, whose article page shows `article.probe`."""
    content, theme = tmp_path / "content", tmp_path / "theme"
    shutil.copytree(FIXTURE_SITE, content)
    shutil.copytree(ROOT / "theme", theme)
    (content / "probe.txt").write_text("first")
    article = theme / "templates" / "article.html"
    article.write_text(article.read_text().replace("{{ article.content|safe }}", "{{ article.content|safe }}" + SHOWN))
    return tmp_path


def build(project: Path, folder: str = "site", plugins=("probe_attribute",), after=(), **settings):
    """`plugins` run before page_writer; `after` come after it (they act on what it wrote)."""
    site = build_site(
        project / "content", project / folder, THEME=str(project / "theme"),
        PLUGIN_PATHS=[str(ROOT / "plugins"), str(CONTRACT_PLUGINS)],
        PLUGINS=[*CORE_PLUGINS[:-1], *plugins, "page_writer", *after], **settings,
    )
    assert site.result.errors == []
    return site


def probe(site, post="attention"):
    return site.page(POST_URLS[post]).get_element_by_id("probe").text


def assert_same_as_clean_build(project: Path, warm, **settings):
    clean = build(project, "clean", **settings)
    pages = sorted(p.relative_to(clean.output) for p in clean.output.rglob("*.html"))
    assert set(p.relative_to(warm.output) for p in warm.output.rglob("*.html")) ^ set(pages) == set()
    assert [p for p in pages if (warm.output / p).read_bytes() != (clean.output / p).read_bytes()] == []


def test_an_attribute_a_plugin_sets_from_a_data_file_re_renders_its_pages(project):
    assert probe(build(project)).startswith("first|")
    (project / "content" / "probe.txt").write_text("second")
    warm = build(project)
    assert probe(warm).startswith("second|")
    assert_same_as_clean_build(project, warm)


def test_a_post_another_post_refers_to_re_renders_the_referring_page(project):
    first = build(project)
    neighbour_title = probe(first, "attention").split("|")[1]
    source = next(p for p in (project / "content" / "posts").glob("*.md") if neighbour_title.split(":")[0] in p.read_text())
    source.write_text(source.read_text().replace("Title: ", "Title: Renamed ", 1))
    warm = build(project)
    assert probe(warm, "attention").split("|")[1].startswith("Renamed ")
    assert_same_as_clean_build(project, warm)


def test_a_setting_no_template_names_still_re_renders(project):
    build(project)
    warm = build(project, DEFAULT_DATE_FORMAT="%Y-%m-%d")
    assert "2026-06-18" in text_of(warm.page(POST_URLS["euler"]).cssselect(".post-meta")[0])


def test_later_plugins_edit_bodies_with_math(project):
    site = build(project, plugins=("probe_attribute", "probe_body_edit"))
    page = site.page(POST_URLS["euler"])
    assert page.cssselect(".post-content .edited-by-plugin") and page.cssselect(".post-content .katex")


def test_content_written_is_sent_for_every_page_rendered_or_skipped(project):
    build(project, after=("probe_written",))
    first = (project / "site" / "cache" / "written.txt").read_text().split("\n")
    again = build(project, after=("probe_written",))
    second = (project / "site" / "cache" / "written.txt").read_text().split("\n")
    assert len(first) > 10 and second == first
    assert str(again.output / POST_URLS["euler"] / "index.html") in second


def test_a_value_with_no_stable_digest_makes_its_pages_render_every_time(project):
    site = build(project, plugins=("probe_attribute", "probe_unstable"))
    records = json.loads((project / "site" / "cache" / "page_writer.json").read_text())["pages"]
    article = str(site.output / POST_URLS["euler"] / "index.html")
    assert records[article] == ""  # no fingerprint: rendered on every build
    assert records[str(site.output / "about" / "index.html")]  # a page that shows no article keeps its fingerprint


def test_a_markdown_extension_declares_the_files_it_reads(project):
    snippets = project / "content" / "snippets"
    snippets.mkdir()
    (snippets / "note.txt").write_text("Included first.")
    post = project / "content" / "posts" / "prices.md"
    post.write_text(post.read_text() + "\n{! note.txt !}\n")
    markdown = _markdown_with_include(str(snippets))
    assert "Included first." in text_of(build(project, MARKDOWN=markdown).page(POST_URLS["prices"]))
    (snippets / "note.txt").write_text("Included second.")
    warm = build(project, MARKDOWN=markdown)
    assert "Included second." in text_of(warm.page(POST_URLS["prices"]))


def _markdown_with_include(folder: str) -> dict:
    namespace: dict = {}
    exec((ROOT / "pelicanconf.py").read_text(), namespace)
    markdown = json.loads(json.dumps(namespace["MARKDOWN"]))
    markdown["extensions"].append("include_snippet")
    markdown["extension_configs"]["include_snippet"] = {"folder": folder}
    return markdown
