"""journal_sections: a journal's own page and feeds, kept out of the main list, bad input, rebuilds."""

import os
import re
from pathlib import Path

import feedparser
import pytest

from helpers import build_published, build_site, html_differences, page_bytes, rebuild_after_edit, text_of

SITE = Path(__file__).parent / "journal_sections_sites" / "journal"
BAD_INPUT = Path(__file__).parent / "bad_input"
JOURNAL_TITLES = ["Understanding attention", "Rust ownership", "Four thousand weeks"]


@pytest.fixture(scope="module")
def journal(tmp_path_factory):
    built = build_site(SITE, tmp_path_factory.mktemp("journal"), DEFAULT_PAGINATION=2)
    assert built.result.errors == []
    return built


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    built = build_published(SITE, tmp_path_factory.mktemp("published"), "https://journal.example.test")
    assert built.result.errors == []
    return built


def titles(page) -> list[str]:
    return [text_of(t) for t in page.cssselect(".post-list__title")]


def test_journal_page_has_its_title_description_and_notes_newest_first(journal):
    page = journal.page("journal/")
    assert page.cssselect("a.skip-link") and page.cssselect("header.site-header")
    assert text_of(page.cssselect("h1")[0]) == "Learning Journal"
    assert text_of(page.cssselect(".list-header__description")[0]).startswith("Notes on AI/ML concepts")
    assert text_of(page.cssselect("title")[0]) == "Learning Journal · Proofs & Gradients"
    assert titles(page) == JOURNAL_TITLES[:2]  # `Section: Learning Journal` (the title) joins too
    assert titles(journal.page("journal/page/2/")) == JOURNAL_TITLES[2:]  # the draft is not listed


def test_each_note_is_listed_as_title_summary_then_date_and_reading_time(journal):
    first = journal.page("journal/").cssselect(".post-list__item")[0]
    parts = [child.get("class") for child in first]
    assert parts == ["post-list__title", "post-list__summary prose", "post-meta"]
    assert re.fullmatch(r"June 18, 2026 · \d+ min", text_of(first.cssselect(".post-meta")[0]))
    summary = first.cssselect(".post-list__summary")[0]
    assert summary.cssselect(".katex") and "saturating" in text_of(summary)
    assert journal.page("journal/").cssselect("link[href$='katex/katex.min.css']")


def test_journal_notes_are_kept_out_of_the_main_list_but_not_out_of_tags_or_archives(journal):
    assert titles(journal.page("")) == ["A long essay", "An older essay"]
    assert "Understanding attention" in text_of(journal.page("archives/"))
    assert "Rust ownership" in text_of(journal.page("tags/code/"))


def test_a_section_can_stay_in_the_main_list(tmp_path):
    sections = {"journal": {"title": "Learning Journal", "in_main_list": True}}
    built = build_site(SITE, tmp_path, JOURNAL_SECTIONS=sections, DEFAULT_PAGINATION=10)
    assert titles(built.page("")) == [
        "Understanding attention", "A long essay", "Rust ownership", "Four thousand weeks", "An older essay",
    ]
    assert titles(built.page("journal/")) == JOURNAL_TITLES


def test_a_note_names_its_journal_above_its_title(journal):
    [link] = journal.page("posts/rust/").cssselect(".post-section a")
    assert text_of(link) == "Learning Journal" and link.get("href") == "../../journal/"
    assert not journal.page("posts/essay/").cssselect(".post-section")


def test_feeds_only_in_production(journal):
    assert not (journal.output / "feeds").exists()
    assert not journal.page("journal/").cssselect("link[rel=alternate]")


@pytest.mark.parametrize("feed", ["journal.atom.xml", "journal.rss.xml"])
def test_journal_feeds_parse_and_hold_only_the_notes(published, feed):
    parsed = feedparser.parse((published.output / "feeds" / feed).read_bytes())
    assert not parsed.bozo, parsed.bozo_exception
    assert [" ".join(e.title.split()) for e in parsed.entries] == JOURNAL_TITLES
    assert parsed.entries[0].link == "https://journal.example.test/posts/attention/"
    assert "Learning Journal" in parsed.feed.title


def test_journal_page_links_its_feeds_and_the_main_feed_leaves_notes_out(published):
    links = {link.get("type"): link.get("href") for link in published.page("journal/").cssselect("link[rel=alternate]")
             if "Learning Journal" in link.get("title")}
    assert links == {
        "application/atom+xml": "https://journal.example.test/feeds/journal.atom.xml",
        "application/rss+xml": "https://journal.example.test/feeds/journal.rss.xml",
    }
    everything = feedparser.parse((published.output / "feeds" / "all.atom.xml").read_bytes())
    assert [" ".join(e.title.split()) for e in everything.entries] == ["A long essay", "An older essay"]


def test_unknown_section_names_the_post_and_line(tmp_path):
    errors = build_site(BAD_INPUT / "journal_unknown_section", tmp_path).result.errors
    post = os.path.relpath(BAD_INPUT / "journal_unknown_section" / "posts" / "note.md")
    assert errors == [
        f"{post}:3: Section: 'jornal' is no section; known: journal (Learning Journal) "
        "(JOURNAL_SECTIONS in pelicanconf.py)"
    ]


@pytest.mark.parametrize("sections, message", [
    ({"journal": {"title": "J", "in_main": False}}, "JOURNAL_SECTIONS['journal'] has unknown key(s) in_main"),
    ({"journal": {"description": "no title"}}, "JOURNAL_SECTIONS['journal'] needs a title"),
])
def test_setting_mistakes_are_named(tmp_path, sections, message):
    errors = build_site(SITE, tmp_path, JOURNAL_SECTIONS=sections).result.errors
    assert any(message in e for e in errors), errors


def test_moving_a_note_out_and_renaming_one_rebuild_like_a_clean_build(tmp_path):
    def edit(content):
        moved = content / "posts" / "weeks.md"
        moved.write_text(moved.read_text().replace("Section: journal\n", ""))
        renamed = content / "posts" / "rust.md"
        renamed.write_text(renamed.read_text().replace("Title: Rust ownership", "Title: Rust ownership, revisited"))

    before, again, clean = rebuild_after_edit(SITE, tmp_path, edit)
    assert again.result.errors == [] == clean.result.errors
    assert html_differences(clean.output, again.output) == []
    assert titles(again.page("journal/")) == ["Understanding attention", "Rust ownership, revisited"]
    assert "Four thousand weeks" in titles(again.page(""))
    after = page_bytes(again.output)
    for changed in ("journal/index.html", "index.html", "posts/weeks/index.html", "posts/attention/index.html"):
        assert before[changed] != after[changed], changed
