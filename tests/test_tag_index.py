"""tag_index: one tag however it is spelled (the first spelling wins, with a warning), the tags
index by name with counts, the optional cloud; a tag with no slug is an error."""

import os
from pathlib import Path

import pytest

from helpers import build_site, text_of
from tag_index.listing import weight

SITE = Path(__file__).parent / "tag_index_sites" / "mixed_spelling"
BAD_INPUT = Path(__file__).parent / "bad_input"


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    return build_site(SITE, tmp_path_factory.mktemp("mixed"))


def index_entries(site) -> list[tuple[str, str]]:
    return [
        (text_of(item.cssselect("a")[0]), text_of(item.cssselect(".tag-index__count")[0]))
        for item in site.page("tags/").cssselect(".tag-index li")
    ]


def test_spellings_merge_into_the_first_one_used(mixed):
    assert mixed.result.errors == []
    assert index_entries(mixed) == [  # by name, whatever the case
        ("#Algebra", "2 posts"), ("#Deep Learning", "3 posts"), ("#Math", "4 posts"), ("#zeta", "1 post"),
    ]
    assert sorted(p.name for p in (mixed.output / "tags").iterdir() if p.is_dir()) == [
        "algebra", "deep-learning", "math", "zeta",
    ]


def test_every_post_shows_the_merged_spelling_once(mixed):
    third = mixed.page("posts/third/").cssselect(".post-meta__tags a")
    assert [text_of(a) for a in third] == ["#Deep Learning", "#zeta", "#Math"]  # "math, MATH": once
    assert [a.get("href") for a in third][0] == "../../tags/deep-learning/"
    fourth = mixed.page("posts/fourth/").cssselect(".post-meta__tags a")
    assert [text_of(a) for a in fourth] == ["#Math", "#Algebra"]  # second.md used "Algebra" first


def test_tag_page_lists_every_spelling_s_posts(mixed):
    page = mixed.page("tags/deep-learning/")
    assert text_of(page.cssselect("h1")[0]) == "#Deep Learning"
    assert [text_of(t) for t in page.cssselect(".post-list__title")] == ["Third", "Second", "First"]


def test_a_mixed_spelling_is_a_warning_naming_both_files(mixed):
    def post(name):
        return os.path.relpath(SITE / "posts" / name)

    assert (
        f"{post('second.md')}:3: tag 'deep learning' is spelled 'Deep Learning' in {post('first.md')}, which "
        "used it first; it is shown that way everywhere: use one spelling"
    ) in mixed.result.warnings
    assert len(mixed.result.warnings) == 6  # one per post and spelling that differs
    assert all(": tag '" in warning for warning in mixed.result.warnings)


def test_cloud_weights_tags_by_post_count(tmp_path):
    cloud = build_site(SITE, tmp_path, TAG_INDEX={"cloud": True})
    index = cloud.page("tags/").cssselect("ul.tag-index")[0]
    assert "tag-index--cloud" in index.get("class")
    weights = {text_of(li.cssselect("a")[0]): li.get("class") for li in index.cssselect("li")}
    assert weights == {
        "#Algebra": "tag-index__weight-3", "#Deep Learning": "tag-index__weight-4",
        "#Math": "tag-index__weight-5", "#zeta": "tag-index__weight-1",
    }


def test_the_list_has_no_weights(mixed):
    index = mixed.page("tags/").cssselect("ul.tag-index")[0]
    assert index.get("class") == "tag-index"
    assert not index.cssselect("li[class]")


def test_a_tag_with_no_slug_is_an_error_naming_file_and_value(tmp_path):
    site = build_site(BAD_INPUT / "tag_empty_slug", tmp_path)
    post = os.path.relpath(BAD_INPUT / "tag_empty_slug" / "posts" / "hot.md")
    assert site.result.errors == [
        f"{post}:3: Tags: '🔥' has no letters or digits to make a URL from; rename it"
    ]
    assert index_entries(site) == [("#math", "1 post")]


def test_unknown_tag_index_key_is_named(tmp_path):
    result = build_site(SITE, tmp_path, TAG_INDEX={"clowd": True}).result
    assert "TAG_INDEX has unknown key(s) clowd; known: cloud" in result.errors


@pytest.mark.parametrize("count, fewest, most, expected", [
    # the ends of the scale
    (1, 1, 16, 1),
    (16, 1, 16, 5),
    # logarithmic in between: 4 is half way from 1 to 16
    (4, 1, 16, 3),
    (2, 1, 16, 2),
    (8, 1, 16, 4),
    # every tag equally used: the smallest weight
    (3, 3, 3, 1),
])
def test_cloud_weight(count, fewest, most, expected):
    assert weight(count, fewest, most, 5) == expected
