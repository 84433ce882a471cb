"""collection_page: collection pages from content/collections.toml, the home collection, bad input,
and rebuilds that match a clean build."""

import json
import os
import shutil
from pathlib import Path

import pytest

from helpers import build_site, html_differences, page_bytes, rebuild_after_edit, text_of

SITES = Path(__file__).parent / "collection_page_sites"
BAD_INPUT = Path(__file__).parent / "bad_input"


@pytest.fixture(scope="module")
def notes(tmp_path_factory):
    built = build_site(SITES / "notes", tmp_path_factory.mktemp("notes"))
    assert built.result.errors == []
    return built


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    built = build_site(SITES / "home", tmp_path_factory.mktemp("home"), DEFAULT_PAGINATION=2)
    assert built.result.errors == []
    return built


def section_titles(page) -> list[str]:
    return [text_of(h) for h in page.cssselect(".collection-section__title")]


def entry_titles(element) -> list[str]:
    return [text_of(a) for a in element.cssselect(".collection-entry__title")]


def section(page, slug):
    [heading] = page.cssselect(f"h2#{slug}")
    return heading.getparent()


def entry(page, title):
    [found] = [li for li in page.cssselect(".collection-entry") if text_of(li.cssselect("a")[0]) == title]
    return found


# --- Sections, groups, order ------------------------------------------------------------------------

def test_collection_page_has_its_sections_in_order_with_emoji_and_intro(notes):
    page = notes.page("notes/")
    assert page.cssselect("a.skip-link") and page.cssselect("header.site-header")  # our base layout
    assert text_of(page.cssselect("h1")[0]) == "Notes"
    assert text_of(page.cssselect(".collection-header__intro")[0]) == "Notes from courses & research."
    assert section_titles(page) == ["🔧 Deep Dives", "🔨 Notes", "🌱 Exploratory Notes"]
    assert [text_of(p) for p in page.cssselect(".collection-section__intro")] == [
        "Step-by-step derivations", "Summaries of important phenomena",
    ]
    assert [a.get("href") for a in page.cssselect(".collection-toc a")] == [
        "#deep-dives", "#notes", "#exploratory-notes",
    ]


def test_listed_entries_keep_the_data_files_order(notes):
    # ntk-linear is older but listed second; it joins by the data file alone (no Collection: field).
    deep_dives = section(notes.page("notes/"), "deep-dives")
    assert entry_titles(deep_dives) == ["The lazy and rich regimes", "When wide networks become linear"]


def test_entries_that_join_by_their_field_are_newest_first(notes):
    # `Collection: notes`, `NOTES` and `Notes` all name the section; the draft is not listed.
    assert entry_titles(section(notes.page("notes/"), "notes")) == [
        "Maximal stable learning rate", "Singular values under perturbation", "Quadratic word embedding model",
    ]


def test_sub_groups_follow_the_sections_own_entries(notes):
    exploratory = section(notes.page("notes/"), "exploratory-notes")
    assert [text_of(h) for h in exploratory.cssselect("h3")] == ["Mathematics", "Computer Science"]
    assert [h.get("id") for h in exploratory.cssselect("h3")] == [
        "exploratory-notes-mathematics", "exploratory-notes-computer-science",
    ]
    assert entry_titles(exploratory) == ["Loose thoughts", "Counting primes by hand", "Hash tables from first principles"]
    _, mathematics, computer_science = exploratory.cssselect(".collection-entries")
    assert entry_titles(mathematics) == ["Counting primes by hand"]
    assert entry_titles(computer_science) == ["Hash tables from first principles"]
    assert text_of(exploratory.cssselect(".collection-group__intro")[0]) == "Code and systems"


def test_posts_outside_the_collection_and_drafts_are_not_listed(notes):
    text = text_of(notes.page("notes/"))
    assert "A post in no collection" not in text and "An unfinished note" not in text


# --- Topic lines and blurbs -------------------------------------------------------------------------------

def test_topic_line(notes):
    page = notes.page("notes/")
    topics = entry(page, "The lazy and rich regimes").cssselect(".collection-entry__topics")
    assert text_of(topics[0]) == "infinite limits · lazy/rich"
    assert not entry(page, "Singular values under perturbation").cssselect(".collection-entry__topics")


def test_blurb_field_is_plain_text(notes):
    [blurb] = entry(notes.page("notes/"), "The lazy and rich regimes").cssselect(".collection-entry__blurb")
    assert text_of(blurb) == "By enforcing stable training on a 3-layer linear network, one parameter <richness> is left."
    assert not blurb.cssselect("richness")


def test_blurb_falls_back_to_the_summarys_first_sentence_with_its_math(notes):
    page = notes.page("notes/")
    [blurb] = entry(page, "When wide networks become linear").cssselect(".collection-entry__blurb")
    text = text_of(blurb)
    assert text.startswith("As the widths grow, the network") and text.endswith("e.g. near init.")
    assert "The rest follows" not in text
    assert len(blurb.cssselect(".katex")) == 2  # both formulas, typeset and whole
    assert page.cssselect("link[href$='katex/katex.min.css']")  # so the page links KaTeX's CSS


def test_blurb_from_a_summary_cut_from_the_body(notes):
    [blurb] = entry(notes.page("notes/"), "Quadratic word embedding model").cssselect(".collection-entry__blurb")
    assert text_of(blurb) == "The second-order approximation of the Word2Vec loss is a matrix factorization loss."


# --- Several collections, URLs, the menu -----------------------------------------------------------------

def test_several_collections_each_at_its_url(notes):
    toolkit = notes.page("toolkit/")
    assert text_of(toolkit.cssselect("h1")[0]) == "A Learning Mechanic's Toolkit"
    assert entry_titles(toolkit) == ["Hash tables from first principles"]
    assert not toolkit.cssselect(".collection-toc")  # one section: no list of sections
    assert not toolkit.cssselect("link[href$='katex/katex.min.css']")  # no formula in its blurbs
    assert "Toolkit" in [text_of(a) for a in notes.page("").cssselect(".site-nav a")]


def test_without_a_home_collection_the_home_page_is_the_post_list(notes):
    home = notes.page("")
    assert home.cssselect(".post-list__item") and not home.cssselect(".collection")
    assert not (notes.output / "posts" / "index.html").exists()


def test_home_collection_moves_the_post_list_and_the_menu(home):
    root = home.page("")
    assert root.cssselect(".collection") and text_of(root.cssselect("title")[0]) == "Proofs & Gradients"
    assert entry_titles(root) == ["Note number 3", "Note number 2", "Note number 1"]
    nav = [(text_of(a), a.get("href"), a.get("aria-current")) for a in root.cssselect(".site-nav a")]
    assert nav[:3] == [("Notes", "./", "page"), ("Posts", "./posts/", None), ("Journal", "./journal/", None)]
    posts = home.page("posts/")
    assert [text_of(t) for t in posts.cssselect(".post-list__title")] == ["Note number 3", "Note number 2"]
    assert text_of(posts.cssselect("title")[0]).startswith("Posts ·")
    assert ("Posts", "../posts/", "page") in [
        (text_of(a), a.get("href"), a.get("aria-current")) for a in posts.cssselect(".site-nav a")
    ]
    assert [text_of(t) for t in home.page("posts/page/2/").cssselect(".post-list__title")] == ["Note number 1"]


def test_every_page_uses_the_base_layout(home, notes):
    for site in (home, notes):
        for path in site.html_files():
            if "katex" not in path.parts:
                assert site.page(str(path.relative_to(site.output))).cssselect("a.skip-link"), path


# --- Bad input -------------------------------------------------------------------------------------------

def test_unknown_section_names_the_post_and_line(tmp_path):
    errors = build_site(BAD_INPUT / "collection_unknown_section", tmp_path).result.errors
    post = os.path.relpath(BAD_INPUT / "collection_unknown_section" / "posts" / "misfiled.md")
    data = os.path.relpath(BAD_INPUT / "collection_unknown_section" / "collections.toml")
    assert errors == [
        f"{post}:3: Collection: 'Deep Divs' names no section of {data}; "
        "known: Deep Dives, Exploratory Notes, Exploratory Notes / Mathematics"
    ]


def test_data_file_naming_a_missing_post(tmp_path):
    errors = build_site(BAD_INPUT / "collection_missing_post", tmp_path).result.errors
    data = os.path.relpath(BAD_INPUT / "collection_missing_post" / "collections.toml")
    assert errors == [
        f"{data}:8: no post has the slug or path 'posts/nowhere.md' (listed in section 'Deep Dives' of "
        "collection 'notes'); write a post's slug or its path under the content folder, e.g. posts/my-post.md"
    ]


def test_invalid_toml_names_the_line(tmp_path):
    [error] = build_site(BAD_INPUT / "collection_invalid_toml", tmp_path).result.errors
    data = os.path.relpath(BAD_INPUT / "collection_invalid_toml" / "collections.toml")
    assert error.startswith(f"{data}:5: invalid TOML: ") and "line 5" in error


def test_a_section_title_in_two_collections_must_be_qualified(tmp_path):
    [error] = build_site(BAD_INPUT / "collection_ambiguous_section", tmp_path).result.errors
    post = os.path.relpath(BAD_INPUT / "collection_ambiguous_section" / "posts" / "proof.md")
    assert error.startswith(f"{post}:4: Collection: 'Proofs' is ambiguous")
    assert "write 'Collection: notes / Proofs'" in error


@pytest.mark.parametrize("toml, line, message", [
    ('[notes]\ntitle = "N"\nhome = true\n[[notes.sections]]\ntitle = "A"\n'
     '[more]\nhome = true\n[[more.sections]]\ntitle = "B"\n', 6, "only one collection can be the home page"),
    ('[notes]\ntitle = "N"\n[[notes.sections]]\ntitle = "A"\nemojii = "x"\n', 5, "unknown key `emojii` in section `A`"),
    ('[notes]\ntitle = "N"\n[[notes.sections]]\ntitle = "A"\n[[notes.sections]]\ntitle = "a"\n', 5,
     "have the same slug `a`"),
    ('[notes]\ntitle = "N"\n', 1, "collection `notes` has no sections"),
    ('[notes]\ntitle = "N"\nhome = true\nurl = "n/"\n[[notes.sections]]\ntitle = "A"\n', 4, "it cannot have a url too"),
])
def test_data_file_mistakes_name_their_line(tmp_path, toml, line, message):
    content = tmp_path / "content"
    shutil.copytree(BAD_INPUT / "collection_missing_post" / "posts", content / "posts")
    (content / "collections.toml").write_text(toml)
    errors = build_site(content, tmp_path / "site").result.errors
    data = os.path.relpath(content / "collections.toml")
    assert [e for e in errors if e.startswith(f"{data}:{line}: ") and message in e], errors


def test_unknown_collection_setting_is_named(tmp_path):
    errors = build_site(SITES / "home", tmp_path, COLLECTION_HOEM="notes").result.errors
    assert any("unknown setting COLLECTION_HOEM" in e for e in errors), errors


# --- Rebuilds ---------------------------------------------------------------------------------------------

def test_moving_a_post_and_renaming_one_rebuild_like_a_clean_build(tmp_path):
    def edit(content):
        moved = content / "posts" / "singular-values.md"
        moved.write_text(moved.read_text().replace("Collection: NOTES", "Collection: Deep Dives"))
        renamed = content / "posts" / "stable-lr.md"  # the slug stays: only the title changes
        renamed.write_text(renamed.read_text().replace("Title: Maximal stable", "Title: The maximal stable"))

    before, again, clean = rebuild_after_edit(SITES / "notes", tmp_path, edit)
    assert again.result.errors == [] == clean.result.errors
    assert html_differences(clean.output, again.output) == []
    page = again.page("notes/")
    assert entry_titles(section(page, "deep-dives"))[-1] == "Singular values under perturbation"
    assert entry_titles(section(page, "notes")) == ["The maximal stable learning rate", "Quadratic word embedding model"]
    after = page_bytes(again.output)
    # Every page that shows the renamed post: lists, and its neighbour's previous/next links.
    for shows_it in ("notes/index.html", "index.html", "archives/index.html", "posts/the-lazy-and-rich-regimes/index.html"):
        assert before[shows_it] != after[shows_it], shows_it


def test_removing_the_data_file_removes_the_collection_pages(tmp_path):
    before, again, clean = rebuild_after_edit(
        SITES / "home", tmp_path, lambda content: (content / "collections.toml").unlink(), DEFAULT_PAGINATION=2,
    )
    assert html_differences(clean.output, again.output) == []
    assert "posts/index.html" in before and not (again.output / "posts" / "index.html").exists()
    assert again.page("").cssselect(".post-list__item")


def test_collection_pages_keep_stable_fingerprints(notes):
    records = json.loads((notes.output.parent / "cache" / "page_writer.json").read_text())["pages"]
    assert [path for path, fingerprint in records.items() if not fingerprint] == []
    assert any(path.endswith("notes/index.html") for path in records)


def test_math_in_a_blurb_field_is_a_warning(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(SITES / "home", content)
    post = content / "posts" / "note-1.md"
    post.write_text(post.read_text().replace("Collection: Notes\n", "Collection: Notes\nBlurb: Why $x^2$ grows.\n"))
    result = build_site(content, tmp_path / "site").result
    assert result.errors == []
    assert f"{os.path.relpath(post)}:4: Blurb: is plain text, its math is shown as typed" in result.warnings[0]
