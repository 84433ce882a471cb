"""Numbered figures (paper_elements): `!!! figure "caption"`, and any <figure> with a <figcaption>."""

import os
from pathlib import Path

import pytest

from helpers import build_cleanly, build_site, text_of

SITES = Path(__file__).parent / "paper_sites"
BAD_INPUT = Path(__file__).parent / "bad_input"
POST = "posts/every-kind-of-figure/"


@pytest.fixture(scope="module")
def figures(tmp_path_factory):
    return build_cleanly(SITES / "figures", tmp_path_factory.mktemp("figures"))


def captions(page) -> list[str]:
    return [text_of(caption) for caption in page.cssselect(".post-content figcaption")]


def test_each_kind_has_its_own_count_and_its_caption_says_so(figures):
    page = figures.page(POST)
    assert [text_of(number) for number in page.cssselect(".figure-number")] == [
        "Figure 1:", "Table 1:", "Listing 1:", "Figure 2:", "Figure 3:", "Figure 4",
    ]
    found = captions(page)
    assert found[:3] == ["Figure 1: Stars (Yosemite)", "Table 1: Bias correction factors", "Listing 1: The update rule"]
    assert found[4:] == ["Figure 3: A diagram another plugin drew", "Figure 4"]


def test_an_html_figure_keeps_working_and_loses_its_hand_typed_figure_prefix(figures):
    legacy = figures.page(POST).get_element_by_id("fig-legacy")
    caption = text_of(legacy.cssselect("figcaption")[0])
    assert caption.startswith("Figure 2: the neuron")
    assert "Figure:" not in caption
    assert legacy.cssselect("figcaption .katex")  # math in the caption


def test_labels_become_ids_and_blocks_become_figures(figures):
    page = figures.page(POST)
    for anchor, inside in [("fig-stars", "img"), ("tbl-bias", "table"), ("lst-adam", "div.highlight")]:
        figure = page.get_element_by_id(anchor)
        assert figure.tag == "figure" and figure.cssselect(inside)


def test_a_table_caption_goes_above_the_table_and_others_below(figures):
    page = figures.page(POST)
    assert page.get_element_by_id("tbl-bias")[0].tag == "figcaption"
    assert page.get_element_by_id("fig-stars")[-1].tag == "figcaption"
    assert page.get_element_by_id("lst-adam")[-1].tag == "figcaption"


def test_width_option(figures):
    assert figures.page(POST).get_element_by_id("fig-stars").get("style") == "width: 60%"


def test_a_figure_without_caption_or_label_is_not_numbered(figures):
    unnumbered = [f for f in figures.page(POST).cssselect(".post-content figure") if not f.cssselect("figcaption")]
    assert len(unnumbered) == 1
    assert unnumbered[0].cssselect("img")[0].get("alt") == "Neither caption nor label: not numbered."


def test_how_images_load_is_left_to_responsive_images(figures):
    # This short post's images are all on the first screen, so none is lazy (paper_elements used
    # to make every image lazy, the one that shows first too).
    images = figures.page(POST).cssselect(".post-content img")
    assert len(images) == 5
    assert {(image.get("loading"), image.get("decoding")) for image in images} == {(None, "async")}


def test_an_image_without_alt_text_is_a_warning_with_its_line(tmp_path):
    result = build_site(BAD_INPUT / "missing_alt", tmp_path).result
    source = os.path.relpath(BAD_INPUT / "missing_alt" / "posts" / "images.md")
    assert result.errors == []
    # Pelican's own warning (no line) is replaced by these.
    assert result.warnings == [
        (f"{source}:7: image {{static}}/images/plot.svg has no alt text: describe what it shows between the "
         "brackets, ![...]({static}/images/plot.svg)"),
        (f"{source}:9: image {{static}}/images/plot.svg has no alt text: describe what it shows between the "
         "brackets, ![...]({static}/images/plot.svg)"),
    ]
