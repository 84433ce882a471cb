"""blog_series: series pages and index, the part box, numbered sections, `{series}` references,
companions; bad input by its message. Fixture sites in tests/blog_series_sites/<scenario>/."""

import os
import shutil
from pathlib import Path

import pytest

from blog_series.references import CompanionValue, Reference, parse_companion
from blog_series.sections import heading_numbers, sections_of
from helpers import PUBLISH_SETTINGS, build_site, html_differences, styles_of, text_of

SITES = Path(__file__).parent / "blog_series_sites"
BAD_INPUT = Path(__file__).parent / "bad_input"
PARTS = {  # the numbered site's parts in Series_index order (their dates run the other way)
    1: "posts/the-perceptron/",
    2: "posts/layers/",
    3: "posts/training-by-gradients/",
    4: "posts/training-deep-networks/",
}
COMPANION = "posts/automatic-differentiation-in-depth/"
SERIES_PAGE = "series/deep-learning-foundations/"
SECTION_3_4 = "§ 3.4 Backpropagation: Computational Graph, Chain Rule, Jacobian of Deep Learning Foundations"


@pytest.fixture(scope="module")
def numbered(tmp_path_factory):
    built = build_site(SITES / "numbered", tmp_path_factory.mktemp("numbered"))
    assert built.result.errors == [] and built.result.warnings == []
    return built


@pytest.fixture(scope="module")
def by_date(tmp_path_factory):
    built = build_site(SITES / "by_date", tmp_path_factory.mktemp("by_date"))
    assert built.result.errors == [] and built.result.warnings == []
    return built


def titles(page, selector: str) -> list[str]:
    return [text_of(node) for node in page.cssselect(selector)]


def href_target(site, page: str, href: str) -> str:
    """The output path a relative link on `page` points to, as a folder path with '/'."""
    folder = (site.output / page).resolve()
    return os.path.relpath((folder / href.split("#")[0]).resolve(), site.output.resolve()) + "/"


# --- Pages and order ---------------------------------------------------------------------------

def test_series_pages_use_the_base_layout(numbered):
    for page in (SERIES_PAGE, "series/"):
        tree = numbered.page(page)
        assert tree.cssselect("a.skip-link[href='#main']") and tree.cssselect("header.site-header"), page
        assert "series" in styles_of(tree), page


def test_explicit_series_index_orders_the_parts(numbered):
    page = numbered.page(SERIES_PAGE)
    assert titles(page, ".series-parts__title") == [
        "The perceptron", "Layers", "Training by gradients", "Training deep networks",
    ]
    assert titles(page, ".series-parts__number") == ["Part 1", "Part 2", "Part 3", "Part 4"]
    assert text_of(page.cssselect(".list-header__meta")[0]).startswith("4 parts")


def test_series_page_shows_summaries_reading_times_and_the_description_with_math(numbered):
    page = numbered.page(SERIES_PAGE)
    first = page.cssselect(".series-parts__item")[0]
    assert text_of(first.cssselect(".series-parts__summary")[0]) == "A linear threshold unit."
    assert text_of(first.cssselect(".post-meta__reading")[0]) == "1 min"
    description = page.cssselect(".series-description")[0]
    assert "From the perceptron to training deep networks" in text_of(description)
    assert description.cssselect(".katex math")
    assert "katex" in styles_of(page)


def test_without_series_index_parts_come_in_date_order(by_date):
    page = by_date.page("series/softmax-end-to-end/")
    # Files c-first, a-second, b-third: date order, not file order; "softmax, End to End" joins too.
    assert titles(page, ".series-parts__title") == [
        "Softmax, the formula", "Softmax, the kernel", "Softmax, the gradient",
    ]
    assert text_of(page.cssselect("h1")[0]) == "Softmax, end to end"  # the first part's spelling
    assert not page.cssselect(".series-description")  # no description file


def test_series_index_lists_every_series_with_its_part_count(numbered, by_date):
    def entries(site):
        index = site.page("series/")
        return [
            (text_of(item.cssselect(".series-index__title")[0]), text_of(item.cssselect(".series-index__count")[0]))
            for item in index.cssselect(".series-index__item")
        ]

    assert entries(numbered) == [("Deep Learning Foundations", "4 parts")]
    # The series with the newest part first.
    assert entries(by_date) == [("Quantisation", "2 parts"), ("Softmax, end to end", "3 parts")]


def test_series_is_in_the_main_menu(numbered):
    links = {text_of(a): a.get("href") for a in numbered.page("series/").cssselect(".site-nav a")}
    assert links["Series"] == "../series/"
    assert numbered.page("series/").cssselect(".site-nav a[aria-current='page']")[0].text == "Series"


# --- The part box ----------------------------------------------------------------------------------

def test_part_box_lists_every_part_and_marks_the_current_one(numbered):
    box = numbered.page(PARTS[3]).cssselect("nav.series-nav")[0]
    assert text_of(box.cssselect(".series-nav__title")[0]) == "Part 3 of 4 in Deep Learning Foundations"
    series_link = box.cssselect(".series-nav__title a")[0].get("href")
    assert href_target(numbered, PARTS[3], series_link) == SERIES_PAGE
    items = box.cssselect(".series-nav__part")
    assert [text_of(item) for item in items] == [
        "The perceptron", "Layers", "Training by gradients", "Training deep networks",
    ]
    current = box.cssselect("[aria-current='page']")
    assert [text_of(node) for node in current] == ["Training by gradients"]
    assert not items[2].cssselect("a")
    linked = [href_target(numbered, PARTS[3], a.get("href")) for a in box.cssselect(".series-nav__part a")]
    assert linked == [PARTS[1], PARTS[2], PARTS[4]]


def test_part_box_steps_to_the_previous_and_next_part(numbered):
    def steps(number):
        box = numbered.page(PARTS[number]).cssselect("nav.series-nav")[0]
        return {
            link.get("class"): (text_of(link), href_target(numbered, PARTS[number], link.get("href")))
            for link in box.cssselect(".series-nav__steps a")
        }

    assert steps(1) == {"series-nav__next": ("Part 2 →", PARTS[2])}
    assert steps(3) == {"series-nav__previous": ("← Part 2", PARTS[2]), "series-nav__next": ("Part 4 →", PARTS[4])}
    assert steps(4) == {"series-nav__previous": ("← Part 3", PARTS[3])}


def test_posts_outside_a_series_have_no_part_box(numbered):
    assert not numbered.page(COMPANION).cssselect(".series-nav")
    tea = numbered.page("posts/a-note-on-tea/")
    assert not tea.cssselect(".series-nav") and "series" not in styles_of(tea)


def test_a_title_with_math_is_typeset_in_the_part_box_with_katex_styles(by_date):
    page = by_date.page("posts/quantisation-part-one/")
    assert page.cssselect(".series-nav__part a .katex")
    assert "katex" in styles_of(page)  # the post itself has no formula


# --- Numbered sections -----------------------------------------------------------------------------

def test_headings_of_a_part_are_numbered_by_its_part_number(numbered):
    body = numbered.page(PARTS[3]).cssselect(".post-content")[0]
    headings = [(h.tag, h.get("id"), text_of(h).rstrip("#").strip()) for h in body.cssselect("h2, h3")]
    assert headings == [
        ("h2", "losses", "3.1 Losses"),
        ("h2", "gradients", "3.2 Gradients"),
        ("h3", "by-hand", "3.2.1 By hand"),
        ("h3", "by-machine", "3.2.2 By machine"),
        ("h2", "learning-rates", "3.3 Learning rates"),
        ("h2", "backpropagation", "3.4 Backpropagation: Computational Graph, Chain Rule, Jacobian"),
    ]
    assert text_of(numbered.page(PARTS[1]).cssselect(".post-content h2")[0]).startswith("1.1 A linear unit")


def test_table_of_contents_has_the_same_numbers(numbered):
    toc = numbered.page(PARTS[3]).cssselect(".page-toc .toc")[0]
    entries = [(a.get("href"), text_of(a)) for a in toc.cssselect("a")]
    assert entries[:3] == [("#losses", "3.1 Losses"), ("#gradients", "3.2 Gradients"), ("#by-hand", "3.2.1 By hand")]


def test_a_series_without_number_sections_keeps_its_headings(by_date):
    page = by_date.page("posts/softmax-the-formula/")
    assert not page.cssselect(".section-number")
    assert text_of(page.cssselect(".post-content h2")[0]).rstrip("#") == "The formula"


# --- {series} references and companions ----------------------------------------------------------

def test_empty_reference_shows_the_section_number_title_and_series(numbered):
    links = numbered.page(COMPANION).cssselect(".post-content a")
    assert text_of(links[0]) == SECTION_3_4
    assert href_target(numbered, COMPANION, links[0].get("href")) == PARTS[3]
    assert links[0].get("href").endswith("#backpropagation")


def test_reference_with_its_own_text_keeps_it_and_a_bare_series_reference_links_its_page(numbered):
    links = numbered.page(COMPANION).cssselect(".post-content a")
    assert (text_of(links[1]), links[1].get("href")) == ("the perceptron", "../../posts/the-perceptron/#a-linear-unit")
    assert text_of(links[2]) == "Deep Learning Foundations"
    assert href_target(numbered, COMPANION, links[2].get("href")) == SERIES_PAGE
    about = numbered.page("about/").cssselect("main a")[0]
    assert href_target(numbered, "about/", about.get("href")) == SERIES_PAGE


def test_reference_in_a_summary_is_text_on_list_pages(numbered):
    item = [i for i in numbered.page("").cssselect(".post-list__item") if "in depth" in text_of(i)][0]
    summary = item.cssselect(".post-list__summary")[0]
    assert text_of(summary) == f"It is the deep-dive companion to {SECTION_3_4}."
    assert not summary.cssselect("a")


def test_references_are_absolute_in_production(tmp_path):
    os.environ["SITEURL"] = "https://blog.example.test"
    try:
        built = build_site(SITES / "numbered", tmp_path, PUBLISH_SETTINGS)
    finally:
        del os.environ["SITEURL"]
    assert built.result.errors == []
    link = built.page(COMPANION).cssselect(".post-content a")[0]
    assert link.get("href") == "https://blog.example.test/posts/training-by-gradients/#backpropagation"


def test_companion_link_shows_on_both_ends(numbered):
    note = numbered.page(COMPANION).cssselect("p.companion-note")[0]
    assert text_of(note) == f"Companion to {SECTION_3_4}"
    assert note.cssselect("a")[0].get("href") == "../../posts/training-by-gradients/#backpropagation"
    other_end = numbered.page(PARTS[3]).cssselect("aside.companion-note")[0]
    assert text_of(other_end) == f"Companion post Automatic differentiation, in depth, on {SECTION_3_4}"
    assert href_target(numbered, PARTS[3], other_end.cssselect("a")[0].get("href")) == COMPANION
    assert not numbered.page(PARTS[2]).cssselect(".companion-note")


# --- Incremental rebuilds (as the livereload server does them) ---------------------------------------

@pytest.fixture
def editable(tmp_path):
    """A copy of the numbered site, built once into tmp_path/live (output and caches kept)."""
    content = tmp_path / "content"
    shutil.copytree(SITES / "numbered", content)
    build_site(content, tmp_path / "live")
    return content


def rebuild_and_compare(content, tmp_path):
    """The live site rebuilt after an edit, and a clean build of the same content elsewhere."""
    live = build_site(content, tmp_path / "live")
    clean = build_site(content, tmp_path / "clean")
    assert live.result.errors == [] == clean.result.errors
    assert html_differences(clean.output, live.output) == []
    return live


def test_renaming_a_part_updates_every_page_that_lists_it(editable, tmp_path):
    part = editable / "posts" / "layers.md"
    part.write_text(part.read_text().replace("Title: Layers", "Title: Layers, stacked"))
    live = rebuild_and_compare(editable, tmp_path)
    assert titles(live.page(SERIES_PAGE), ".series-parts__title")[1] == "Layers, stacked"
    for number in (1, 3, 4):
        assert titles(live.page(PARTS[number]), ".series-nav__part")[1] == "Layers, stacked", number
    assert "Layers, stacked" in titles(live.page(COMPANION), ".related-posts a")


def test_removing_a_part_removes_it_everywhere(editable, tmp_path):
    (editable / "posts" / "training.md").unlink()
    live = rebuild_and_compare(editable, tmp_path)
    assert not (live.output / PARTS[4] / "index.html").exists()
    assert titles(live.page(SERIES_PAGE), ".series-parts__title") == [
        "The perceptron", "Layers", "Training by gradients",
    ]
    box = live.page(PARTS[3]).cssselect("nav.series-nav")[0]
    assert text_of(box.cssselect(".series-nav__title")[0]) == "Part 3 of 3 in Deep Learning Foundations"
    assert not box.cssselect(".series-nav__next")
    assert text_of(live.page("series/").cssselect(".series-index__count")[0]) == "3 parts"


def test_renaming_a_heading_updates_the_references_to_it(editable, tmp_path):
    part = editable / "posts" / "backprop.md"
    part.write_text(part.read_text().replace("## Backpropagation: Computational Graph", "## Backprop: Graph"))
    live = rebuild_and_compare(editable, tmp_path)
    note = live.page(COMPANION).cssselect("p.companion-note")[0]
    assert text_of(note).startswith("Companion to § 3.4 Backprop: Graph, Chain Rule, Jacobian of")


# --- Bad input, by the message the writer sees -----------------------------------------------------

def errors_and_warnings(case: str, tmp_path):
    result = build_site(BAD_INPUT / case, tmp_path).result
    return result.errors, result.warnings


def source(case: str, name: str) -> str:
    return os.path.relpath(BAD_INPUT / case / "posts" / name)


def test_duplicate_series_index_is_an_error_naming_both_files(tmp_path):
    errors, _ = errors_and_warnings("series_duplicate_index", tmp_path)
    assert errors == [
        f"{source('series_duplicate_index', 'two.md')}:4: Series_index 2 is already used by "
        f"{source('series_duplicate_index', 'also-two.md')} in series 'Counting'; give each part its own number"
    ]


def test_references_to_a_missing_series_or_heading_are_errors_with_their_line(tmp_path):
    errors, warnings = errors_and_warnings("series_missing_reference", tmp_path)
    linking = source("series_missing_reference", "linking.md")
    assert errors == [
        f"{linking}:4: {{series}}no-such-series#start-here: no series 'no-such-series' (series of this site: counting)",
        f"{linking}:6: {{series}}counting#nowhere: no part of series 'counting' has a heading with the id 'nowhere'",
        f"{linking}:8: {{series}}counting#start-here: the heading id 'start-here' is in several parts "
        f"({source('series_missing_reference', 'one.md')}, {source('series_missing_reference', 'two.md')}); "
        "link to one part with {filename} instead",
    ]
    assert warnings == []  # no "Replacement Indicator" warning from Pelican on top


def test_companion_to_a_missing_post_series_or_heading_is_an_error(tmp_path):
    errors, _ = errors_and_warnings("companion_missing_target", tmp_path)
    case = "companion_missing_target"
    assert sorted(errors) == sorted([
        f"{source(case, 'to-a-missing-post.md')}:3: Companion: {{filename}}/posts/nope.md: no post "
        f"posts/nope.md under {os.path.relpath(BAD_INPUT / case)}/",
        f"{source(case, 'to-a-missing-heading.md')}:4: Companion: {{series}}counting#nowhere: "
        "no part of series 'counting' has a heading with the id 'nowhere'",
        f"{source(case, 'to-a-missing-series.md')}:3: Companion: {{series}}no-such-series#start-here: "
        "no series 'no-such-series' (series of this site: counting)",
        f"{source(case, 'not-a-reference.md')}:3: Companion: posts/part.md: "
        "write {series}<series>#<heading id> or {filename}/posts/<file>.md",
    ])


def test_a_draft_part_of_a_published_series_is_a_warning(tmp_path):
    site = build_site(BAD_INPUT / "series_draft_part", tmp_path)
    assert site.result.errors == []
    assert site.result.warnings == [
        f"{source('series_draft_part', 'three.md')}:4: a draft part of series 'Counting', whose other 2 part(s) "
        "are published: it is left out of the series until it is published"
    ]
    assert titles(site.page("series/counting/"), ".series-parts__title") == ["One", "Two"]
    assert not site.page("drafts/three/").cssselect(".series-nav")


def test_description_file_problems_and_a_mixed_order_are_named(tmp_path):
    site = build_site(BAD_INPUT / "series_description_problems", tmp_path)
    folder = os.path.relpath(BAD_INPUT / "series_description_problems")
    assert site.result.errors == [f"{folder}/series/counting.md:2: Number_sections: 'maybe' is neither yes nor no"]
    assert site.result.warnings == [
        f"{folder}/posts/two.md:3: no Series_index, while other parts of series 'Counting' have one: "
        "it comes after them, by date",
        f"{folder}/series/orphan.md:1: no published post has this series (a post joins with `Series: <name>` "
        "where the name's slug is 'orphan'); its page is not built",
    ]
    assert titles(site.page("series/counting/"), ".series-parts__title") == ["One", "Two"]
    assert text_of(site.page("series/counting/").cssselect("h1")[0]) == "Counting, slowly"
    assert not (site.output / "series" / "orphan").exists()


def test_unknown_series_setting_is_named(tmp_path):
    result = build_site(BAD_INPUT / "series_draft_part", tmp_path, SERIES_SAVEAS="x/{slug}.html").result
    assert any(error.startswith("blog_series: unknown setting(s) SERIES_SAVEAS;") for error in result.errors)


# --- Pure logic --------------------------------------------------------------------------------------

@pytest.mark.parametrize("body, numbers", [
    # h2 and h3 are numbered, h4 is not
    ('<h2 id="a">A</h2><h3 id="b">B</h3><h4 id="c">C</h4><h2 id="d">D</h2>', {"a": "3.1", "b": "3.1.1", "d": "3.2"}),
    # an h3 before any h2 counts under section 0
    ('<h3 id="x">X</h3><h2 id="a">A</h2>', {"x": "3.0.1", "a": "3.1"}),
    # attributes in any order; a heading without an id is numbered but cannot be referenced
    ('<h2 class="k" id="a">A</h2><h2>B</h2><h2 id="c">C</h2>', {"a": "3.1", "c": "3.3"}),
    # no headings
    ("<p>text</p>", {}),
])
def test_heading_numbers(body, numbers):
    assert heading_numbers(body, 3) == numbers


def test_sections_come_from_the_table_of_contents():
    toc = '<div class="toc"><ul><li><a href="#a">A&nbsp;x</a><ul><li><a href="#b">B</a></li></ul></li></ul></div>'
    assert {anchor: (s.number, s.label) for anchor, s in sections_of(toc, {"a": "2.1"}).items()} == {
        "a": ("2.1", "A&nbsp;x"), "b": ("", "B"),
    }


@pytest.mark.parametrize("target, reference", [
    ("deep-learning#backprop", Reference("deep-learning", "backprop")),
    ("deep-learning", Reference("deep-learning", "")),
    ("deep-learning/#x", Reference("deep-learning", "x")),
])
def test_reference_parsing(target, reference):
    assert Reference.parse(target) == reference


@pytest.mark.parametrize("value, parsed", [
    ("{series}dl#backprop", CompanionValue("series", "dl", "backprop")),
    ("{series}dl", CompanionValue("series", "dl", "")),
    ("{filename}/posts/x.md", CompanionValue("filename", "/posts/x.md", "")),
    ("{filename}x.md#proof", CompanionValue("filename", "x.md", "proof")),
    # neither form
    ("posts/x.md", None),
    ("{static}/images/x.svg", None),
    ("{series}", None),
])
def test_companion_parsing(value, parsed):
    assert parse_companion(value) == parsed
