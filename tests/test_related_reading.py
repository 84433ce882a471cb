"""related_reading: related posts by shared tags and series, ties by date, at most `count`."""

import random
from pathlib import Path

import pytest

from helpers import build_site, styles_of, text_of
from related_reading.scoring import Candidate, related

SITE = Path(__file__).parent / "related_reading_sites" / "scored"
TARGET = "posts/target/"


def related_titles(site, page=TARGET) -> list[str]:
    return [text_of(a) for a in site.page(page).cssselect(".related-posts a")]


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    built = build_site(SITE, tmp_path_factory.mktemp("scored"))
    assert built.result.errors == []
    return built


def test_most_related_first_ties_newest_first(scored):
    # Same series + one tag = 2 (newer) ties two shared tags = 2; then one tag, the newer one.
    assert related_titles(scored) == ["Same series, one tag", "Two shared tags", "One tag, newer"]
    assert "related" in styles_of(scored.page(TARGET))


def test_count_setting_and_unrelated_posts_and_drafts_left_out(tmp_path):
    site = build_site(SITE, tmp_path, RELATED_READING={"count": 10})
    assert related_titles(site) == ["Same series, one tag", "Two shared tags", "One tag, newer", "One tag, older"]


def test_series_weight_setting(tmp_path):
    site = build_site(SITE, tmp_path, RELATED_READING={"series_weight": 0})
    assert related_titles(site)[0] == "Two shared tags"


def test_a_post_with_nothing_in_common_has_no_related_section(scored):
    page = scored.page("posts/alone/")
    assert not page.cssselect(".related-posts") and "related" not in styles_of(page)


def test_drafts_and_hidden_posts_are_nobody_s_related_post(scored):
    for path in scored.output.joinpath("posts").iterdir():
        assert not {"A draft", "A hidden post"} & set(related_titles(scored, f"posts/{path.name}/"))
    assert related_titles(scored, "posts/a-hidden-post/")[0] == "Target"
    assert related_titles(scored, "drafts/a-draft/")[0] == "Target"  # a draft shows its own


def test_unknown_key_is_named(tmp_path):
    result = build_site(SITE, tmp_path, RELATED_READING={"cuont": 2}).result
    assert "RELATED_READING has unknown key(s) cuont; known: count, series_weight" in result.errors


def candidate(key, tags, series="", day=1):
    return Candidate(key, frozenset(tags), series, (-day, key))


@pytest.mark.parametrize("pool, count, expected", [
    # shared tags count one each
    ([candidate("me", "ab"), candidate("x", "a"), candidate("y", "ab")], 3, ["y", "x"]),
    # a tie goes to the newer post (larger day)
    ([candidate("me", "a"), candidate("old", "a", day=1), candidate("new", "a", day=2)], 3, ["new", "old"]),
    # the series adds its weight (2 here) even without a shared tag
    ([candidate("me", "a", "s"), candidate("x", "a"), candidate("y", "", "s")], 3, ["y", "x"]),
    # nothing shared: nothing related; and never the post itself
    ([candidate("me", "a"), candidate("x", "b")], 3, []),
    # at most `count`
    ([candidate("me", "a"), candidate("x", "a"), candidate("y", "a", day=2)], 1, ["y"]),
])
def test_related_scores(pool, count, expected):
    assert related(pool, pool[:1], count, series_weight=2)["me"] == expected


@pytest.mark.parametrize("series_weight", [0, 1, 3])
def test_bit_sliced_scores_match_scoring_each_pair(series_weight):
    rng = random.Random(series_weight)
    tags = [f"t{i}" for i in range(12)]
    pool = [
        candidate(f"p{i}", rng.sample(tags, rng.randint(0, 5)), rng.choice(["", "s", "u"]), day=rng.randint(1, 30))
        for i in range(200)
    ]

    def one_by_one(post):
        scored = []
        for other in pool:
            score = len(post.tags & other.tags) + (series_weight if post.series and post.series == other.series else 0)
            if other.key != post.key and score > 0:
                scored.append((-score, other.order, other.key))
        return [key for _, _, key in sorted(scored)[:4]]

    found = related(pool, pool, 4, series_weight)
    assert all(found[post.key] == one_by_one(post) for post in pool)
