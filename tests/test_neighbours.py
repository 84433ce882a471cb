"""post_neighbours: previous and next post on every post, within a journal section for its notes."""

import json
from pathlib import Path

import pytest

from helpers import build_site, html_differences, page_bytes, rebuild_after_edit, text_of

SITE = Path(__file__).parent / "post_neighbours_sites" / "streams"


@pytest.fixture(scope="module")
def streams(tmp_path_factory):
    built = build_site(SITE, tmp_path_factory.mktemp("streams"))
    assert built.result.errors == []
    return built


def neighbours(site, slug) -> dict[str, tuple[str, str]]:
    """rel -> (title, href) of the post's previous/next links."""
    links = site.page(f"posts/{slug}/").cssselect(".post-neighbours a")
    return {a.get("rel"): (text_of(a.cssselect(".post-neighbours__title")[0]), a.get("href")) for a in links}


@pytest.mark.parametrize("slug, previous, following", [
    ("n1", None, "Second post"),
    ("n2", "First post", "Third post"),  # the journal notes and the hidden post between are skipped
    ("n3", "Second post", None),
    ("j1", None, "Journal two"),  # a journal note's neighbours are notes of its journal
    ("j2", "Journal one", None),
])
def test_previous_and_next_by_date_within_the_stream(streams, slug, previous, following):
    found = neighbours(streams, slug)
    assert found.get("prev", (None,))[0] == previous
    assert found.get("next", (None,))[0] == following


def test_links_point_at_the_neighbours(streams):
    assert neighbours(streams, "n2") == {
        "prev": ("First post", "../../posts/n1/"), "next": ("Third post", "../../posts/n3/"),
    }


def test_journal_neighbours_say_so(streams):
    [label] = streams.page("posts/j1/").cssselect(".post-neighbours__label")
    assert text_of(label) == "Next in Learning Journal →"
    nav = streams.page("posts/j1/").cssselect("nav.post-neighbours")[0]
    assert nav.get("aria-label") == "Previous and next posts in Learning Journal"
    assert [text_of(x) for x in streams.page("posts/n2/").cssselect(".post-neighbours__label")] == [
        "← Previous", "Next →",
    ]


def test_hidden_posts_and_drafts_have_no_neighbours(streams):
    assert not streams.page("posts/hidden/").cssselect(".post-neighbours")
    assert not streams.page("drafts/draft/").cssselect(".post-neighbours")


def test_renaming_a_post_updates_its_neighbours_pages(tmp_path):
    def edit(content):
        renamed = content / "posts" / "n2.md"
        renamed.write_text(renamed.read_text().replace("Title: Second post", "Title: The second post"))

    before, again, clean = rebuild_after_edit(SITE, tmp_path, edit)
    assert html_differences(clean.output, again.output) == []
    after = page_bytes(again.output)
    for page in ("posts/n1/index.html", "posts/n3/index.html"):
        assert before[page] != after[page], page
    assert before["posts/j1/index.html"] == after["posts/j1/index.html"]  # another stream


def test_pages_with_neighbours_keep_stable_fingerprints(streams):
    # Posts link each other (prev/next); their pages must still be skipped when nothing changed.
    records = json.loads((streams.output.parent / "cache" / "page_writer.json").read_text())["pages"]
    unstable = [path for path, fingerprint in records.items() if not fingerprint]
    assert records and unstable == []
