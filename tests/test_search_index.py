"""The Pagefind index made after builds (site_tools/search_index.py): what it holds, and when it
is made (`invoke build`, `invoke publish`, in the background for `invoke livereload`)."""

import gzip
import json
import os
import time

import pytest

from helpers import PUBLISH_SETTINGS, build_site
from seo_helpers import SEO_SITE
from site_tools.build import BuildResult, build_then_swap
from site_tools.search_index import BackgroundIndexer, add_search_index


def indexed_pages(output) -> dict[str, dict]:
    """Pagefind's fragments (gzip, a signature, then JSON): one per indexed page, by URL."""
    pages = {}
    for path in (output / "pagefind" / "fragment").iterdir():
        data = gzip.decompress(path.read_bytes())
        fragment = json.loads(data[data.index(b"{"):])
        pages[fragment["url"]] = fragment
    return pages


@pytest.fixture(scope="module")
def indexed(tmp_path_factory):
    built = build_site(SEO_SITE, tmp_path_factory.mktemp("index"))
    assert add_search_index(built.result).errors == []
    return built


def test_only_published_posts_and_pages_are_indexed(indexed):
    assert set(indexed_pages(indexed.output)) == {
        "/posts/gradients-written-down/", "/posts/softmax-notes/", "/about/",
    }


def test_a_post_is_indexed_by_its_body_with_formulas_as_tex(indexed):
    page = indexed_pages(indexed.output)["/posts/gradients-written-down/"]
    assert page["meta"]["title"] == "Gradients, written\u00a0down"
    assert page["filters"] == {"tag": ["calculus", "code"]}
    content = page["content"]
    assert content.startswith("The gradient of f(x) = \\tfrac12 x^\\top A x - b^\\top x is")
    assert "\\nabla f(x) = Ax - b." in content
    assert "∇" not in content and "⊤" not in content  # neither KaTeX's HTML nor MathML tokens
    assert "Written by" not in content and "Gradients, written" not in content  # only the body
    assert "import numpy as np" in content and "check.py" not in content


def test_publish_swaps_in_an_indexed_site(tmp_path):
    output = tmp_path / "output"
    os.environ["SITEURL"] = "https://blog.example.test/notes"
    try:
        result = build_then_swap(PUBLISH_SETTINGS, str(output),
                                 {"PATH": str(SEO_SITE), "CACHE_PATH": str(tmp_path / "cache")})
    finally:
        del os.environ["SITEURL"]
    assert result.errors == []
    assert (output / "pagefind" / "pagefind.js").exists()
    assert "/posts/softmax-notes/" in indexed_pages(output)


def test_a_failed_index_fails_the_build(tmp_path):
    errors = add_search_index(BuildResult(str(tmp_path / "not-a-site"), 0.0)).errors
    assert len(errors) == 1 and errors[0].startswith("search index: Pagefind failed:")


def test_a_failed_build_is_not_indexed(tmp_path):
    failed = BuildResult(str(tmp_path), 0.0, errors=["content/posts/x.md:3: broken"])
    assert add_search_index(failed).errors == ["content/posts/x.md:3: broken"]
    assert not (tmp_path / "pagefind").exists()


def test_background_indexing_never_waits_and_runs_again_after_a_newer_build(indexed):
    (indexed.output / "pagefind" / "pagefind-entry.json").unlink()
    reported = []
    indexer = BackgroundIndexer(str(indexed.output), reported.append)
    started = time.perf_counter()
    for _ in range(3):  # three builds in a row: one run now, one more after it
        indexer.request()
    assert time.perf_counter() - started < 0.1
    deadline = time.time() + 60
    while indexer._running and time.time() < deadline:
        time.sleep(0.05)
    assert not indexer._running and reported == []
    assert (indexed.output / "pagefind" / "pagefind-entry.json").exists()
