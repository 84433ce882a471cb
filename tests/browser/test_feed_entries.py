"""A feed entry as a feed reader shows it: its HTML alone in a bare page, no site CSS or JS."""

import feedparser
import pytest

from seo_helpers import build_published

# Everything a formula draws outside MathML would be KaTeX's HTML half shown a second time.
MATH_ONLY_CHARACTERS = "∇⊤−"
TEXT_OUTSIDE_MATH = """() => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let text = "";
  while (walker.nextNode()) if (!walker.currentNode.parentElement.closest("math")) text += walker.currentNode.data;
  return text;
}"""
WIDEST = "() => Math.max(...[...document.body.querySelectorAll('*')].map(e => e.getBoundingClientRect().right))"


@pytest.fixture(scope="module")
def entries(tmp_path_factory):
    built = build_published(tmp_path_factory.mktemp("reader"))
    assert built.result.errors == []
    feed = feedparser.parse((built.output / "feeds" / "all.atom.xml").read_bytes(), sanitize_html=False)
    return {entry.title.replace("\u00a0", " "): entry.content[0].value for entry in feed.entries}


@pytest.mark.parametrize("width", [360, 720])
def test_entry_reads_well_without_the_sites_css(page, entries, width, artifacts):
    page.set_viewport_size({"width": width, "height": 900})
    html = entries["Gradients, written down"]
    page.set_content(f"<!doctype html><meta charset='utf-8'><body>{html}</body>")
    assert page.locator("math").count() == 5
    outside = page.evaluate(TEXT_OUTSIDE_MATH)
    assert not [c for c in MATH_ONLY_CHARACTERS if c in outside], outside
    assert "\\" not in page.inner_text("body")  # no raw TeX shown
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.evaluate(WIDEST) <= width
    for math in page.locator("math").all():
        box = math.bounding_box()
        assert box and 0 < box["width"] <= width and box["height"] < 200
    assert page.locator("details[open] summary").inner_text() == "Proof"
    page.screenshot(path=str(artifacts / f"feed-entry-{width}.png"), full_page=True)
