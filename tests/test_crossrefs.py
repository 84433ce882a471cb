"""Cross-references (`@fig:x`, `@thm:x`, `@eq:x`, `@sec:x`), numbered sections and `[TOC]`."""

import os
import re
from pathlib import Path

import pytest

from helpers import ROOT, build_cleanly, build_site, text_of
from paper_elements.kinds import REFERENCE_RE

SITES = Path(__file__).parent / "paper_sites"
BAD_INPUT = Path(__file__).parent / "bad_input"
REFS = "posts/references-everywhere/"
UNNUMBERED = "posts/sections-without-numbers/"
TOC = "posts/a-table-of-contents-in-the-body/"


@pytest.fixture(scope="module")
def crossrefs(tmp_path_factory):
    return build_cleanly(SITES / "crossrefs", tmp_path_factory.mktemp("crossrefs"))


def links(element) -> list[tuple[str, str]]:
    return [(text_of(a), a.get("href")) for a in element.cssselect("a")]


def test_references_say_what_they_refer_to_and_link_to_it(crossrefs):
    page = crossrefs.page(REFS)
    opening = page.cssselect(".post-content > p")[0]
    assert links(opening) == [
        ("Theorem 1", "#thm-basel"),
        ("Figure 1", "#fig-plot"),
        ("Table 1", "#tbl-values"),
        ("(1)", "#eq-basel"),  # @eq:basel
        ("(1)", "#eq-basel"),  # \eqref{eq:basel}: the same
        ("Section 1", "#sec:method"),
        ("Section 1.1", "#the-details"),  # @sec:<id> for a heading without a label
    ]
    for _, href in links(opening):
        assert page.get_element_by_id(href[1:]) is not None
    assert [a.get("class") for a in opening.cssselect("a")][3:5] == ["eqref", "eqref"]
    assert "Theorem\u00a01" in opening.cssselect("a")[0].text_content()  # never broken across lines


def test_emails_handles_code_and_escapes_keep_their_at_signs(crossrefs):
    opening = crossrefs.page(REFS).cssselect(".post-content > p")[0]
    text = text_of(opening)
    assert "Mail ada@example.org or @ada, or see mathstodon.xyz/@ada." in text
    assert [code.text for code in opening.cssselect("code")] == ["@fig:plot", "user@thm:basel"]
    assert text.endswith("Escaped: @fig:plot.")
    block = crossrefs.page(REFS).cssselect(".post-content div.highlight code")[0]
    assert text_of(block).startswith("@fig:plot")


def test_summaries_on_list_pages_say_the_same_without_links(crossrefs):
    index = crossrefs.page("")
    summaries = {text_of(item.cssselect(".post-list__title")[0]): item for item in index.cssselect(".post-list__item")}
    summary = summaries["References everywhere"].cssselect(".post-list__summary")[0]
    assert text_of(summary).startswith("As Theorem 1 shows, Figure 1 and Table 1 agree with (1) and (1); see Section 1")
    assert not [a for a in summary.cssselect("a") if a.get("href", "").startswith("#")]
    assert not summary.cssselect("img, figure, .theorem")  # blocks are not a post's opening
    explicit = summaries["Sections without numbers"].cssselect(".post-list__summary")[0]
    assert text_of(explicit) == "A summary that refers to The setup."


def test_the_meta_description_says_it_in_plain_text(crossrefs):
    description = crossrefs.page(REFS).cssselect('meta[name="description"]')[0].get("content")
    assert description.startswith("As Theorem 1 shows, Figure 1 and Table 1 agree with (1) and (1);")
    assert "@" not in description.split("Mail")[0]


def test_numbered_sections_in_the_body_and_the_table_of_contents(crossrefs):
    page = crossrefs.page(REFS)
    assert [text_of(h) for h in page.cssselect(".post-content :is(h2, h3)")] == [
        "1 Method#", "1.1 The details#", "2 Closing#",
    ]
    assert [text_of(a) for a in page.cssselect("nav.page-toc a")] == ["1 Method", "1.1 The details", "2 Closing"]
    closing = page.cssselect(".post-content > p")[-1]
    assert links(closing) == [("Section 1", "#sec:method"), ("Theorem 1", "#thm-basel")]


def test_without_numbers_a_section_reference_says_the_heading(crossrefs):
    page = crossrefs.page(UNNUMBERED)
    assert not page.cssselect(".section-number")
    see = page.cssselect(".post-content > p")[-1]
    assert [href for _, href in links(see)] == ["#sec:setup", "#using-in-a-heading"]
    assert text_of(see.cssselect("a")[0]) == "The setup"
    assert see.cssselect("a")[1].cssselect(".katex")  # the heading's math comes along


def test_toc_marker_places_the_table_of_contents_in_the_body(crossrefs):
    page = crossrefs.page(TOC)
    assert not page.cssselect("nav.page-toc")  # not twice
    assert "post--toc" not in page.cssselect("article.post")[0].get("class")
    body = page.cssselect(".post-content")[0]
    assert [child.tag for child in body][:2] == ["p", "nav"]
    toc = body.cssselect("nav.toc-inline")[0]
    assert toc.get("aria-label") == "Contents"
    assert [text_of(a) for a in toc.cssselect("a")] == [
        "1 First", "1.1 First, detail", "2 Second", "A level-4 heading",
    ]
    assert [h.get("id") for h in body.cssselect("h2, h3, h4")] == [a.get("href")[1:] for a in toc.cssselect("a")]


def test_a_plugin_can_number_sections_with_a_prefix(tmp_path):
    """A series numbers part 3's sections 3.1, 3.2 by setting `article.section_number_prefix`."""
    site = build_site(
        SITES / "crossrefs", tmp_path,
        PLUGIN_PATHS=[str(ROOT / "plugins"), str(SITES / "plugins")],
        PLUGINS=["katex_markdown", "probe_section_prefix", "paper_elements", "content_checks", "page_writer"],
    )
    assert site.result.errors == []
    page = site.page(UNNUMBERED)
    assert [text_of(h.cssselect(".section-number")[0]) for h in page.cssselect(".post-content h2")] == ["3.1", "3.2"]
    assert text_of(page.cssselect(".post-content > p")[-1].cssselect("a")[0]) == "Section 3.1"
    assert [text_of(a) for a in page.cssselect("nav.page-toc a")][0] == "3.1 The setup"


def test_an_unknown_label_fails_the_build_with_file_and_line(tmp_path):
    result = build_site(BAD_INPUT / "unknown_label", tmp_path).result
    source = os.path.relpath(BAD_INPUT / "unknown_label" / "posts" / "refs.md")
    assert result.errors == [
        f"{source}:7: @fig:plto: no such label in this post (labels of that kind here: fig:plot)",
        f"{source}:7: @thm:none: no such label in this post (nothing here is labelled thm:...)",
    ]


def test_a_toc_marker_in_a_post_without_headings_is_a_warning(tmp_path):
    result = build_site(BAD_INPUT / "empty_toc", tmp_path)
    source = os.path.relpath(BAD_INPUT / "empty_toc" / "posts" / "toc.md")
    assert result.result.warnings == [
        f"{source}:4: [TOC] shows nothing: the post has no headings of levels 2 to 4 (## to ####)",
    ]
    assert not result.page("posts/a-table-of-contents-with-nothing-in-it/").cssselect(".toc, .toc-inline")


# --- What counts as a reference ------------------------------------------------------------------
@pytest.mark.parametrize("text, labels", [
    # references
    ("see @fig:stars.", ["fig:stars"]),
    ("(@eq:gauss)", ["eq:gauss"]),
    ("@sec:the-chain-rule, then", ["sec:the-chain-rule"]),
    ("@thm:basel_2:", ["thm:basel_2"]),
    ("@lem:a and @cor:b", ["lem:a", "cor:b"]),
    # not references
    ("ada@fig:stars", []),
    ("mathstodon.xyz/@fig:x", []),
    ("@twitter:handle", []),
    ("@fig:", []),
    ("@fig stars", []),
])
def test_reference_syntax(text, labels):
    assert [m["label"] for m in re.finditer(REFERENCE_RE, text)] == labels
