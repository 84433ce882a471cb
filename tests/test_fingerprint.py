"""page_writer's digests: what a page depends on, and how far a reference reaches."""

from pelican.contents import Article
from pelican.settings import DEFAULT_CONFIG, read_settings

from pelican.paginator import Paginator

from plugins.page_writer.fingerprint import PARALLEL_OWN_DIGESTS, UNSTABLE, Digester, page_fingerprint


def article(name: str) -> Article:
    settings = {**DEFAULT_CONFIG, "SITEURL": ""}
    return Article(f"<p>{name}</p>", {"title": name.title(), "slug": name}, settings=settings,
                   source_path=f"/content/{name}.md")


def chain():
    """first -> second -> third, each pointing at the next like a 'next post' link."""
    first, second, third = article("first"), article("second"), article("third")
    first.next_post, second.next_post = second, third
    return first, second, third


def test_a_page_depends_on_the_posts_it_refers_to():
    first, second, _ = chain()
    before = Digester().digest(first)
    second.title = "Second, renamed"
    assert Digester().digest(first) != before


def test_a_reference_reaches_one_hop_and_no_further():
    first, _, third = chain()
    before = Digester().digest(first)
    third.title = "Third, renamed"
    assert Digester().digest(first) == before


def test_lists_of_posts_count_each_post_fully():
    first, second, third = chain()
    before = Digester().digest([first, second])
    third.title = "Third, renamed"  # second's neighbour: one hop from an item of the list
    assert Digester().digest([first, second]) != before


def second_list_page(posts: list) -> str:
    """The fingerprint of page 2 of `posts`, two a page, as page_writer makes it."""
    settings = read_settings(override={"SITEURL": ""})  # pagination patterns as Pelican prepares them
    paginator = Paginator("index.html", "index.html", posts, settings, 2)
    values = {"articles_page": paginator.page(2), "articles_previous_page": paginator.page(1),
              "articles_next_page": paginator.page(3)}
    return page_fingerprint(("template", frozenset(values)), values, Digester(), "")


def test_a_list_page_shows_its_own_posts_and_only_links_to_its_neighbours():
    posts = [article(name) for name in ("one", "two", "three", "four", "five", "six")]
    before = second_list_page(posts)
    posts[0].title = "One, renamed"  # on page 1
    posts[5].title = "Six, renamed"  # on page 3
    assert second_list_page(posts) == before
    posts[2].title = "Three, renamed"  # on page 2
    assert second_list_page(posts) != before


def test_a_value_with_no_stable_digest_is_unstable():
    first, _, _ = chain()
    first.callback = lambda: None
    assert Digester().digest(first) is UNSTABLE
    assert Digester().digest({"post": first}) is UNSTABLE


def test_sets_digest_the_same_in_any_order():
    assert Digester().digest({"b", "a", "c"}) == Digester().digest({"c", "b", "a"})


def test_digests_are_the_same_in_every_process():
    """Set order changes with the hash seed; a fresh build must still find its old fingerprints."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    script = ("from plugins.page_writer.fingerprint import Digester\n"
              "print(Digester().digest({'tags': {'alpha', 'beta', 'gamma', 'delta'}, 'n': 1}))")
    root = Path(__file__).resolve().parents[1]
    digests = {
        subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True, text=True, check=True,
                       env={**os.environ, "PYTHONHASHSEED": str(seed)}).stdout
        for seed in range(4)
    }
    assert len(digests) == 1 and len(digests.pop()) > 10


def test_own_digests_computed_in_a_forked_process_are_those_computed_here():
    posts = [article(f"post-{number}") for number in range(PARALLEL_OWN_DIGESTS + 50)]
    for post, following in zip(posts, posts[1:]):
        post.next_post = following
    posts[7].callback = lambda: None  # unstable, across the pipe too
    serial = [Digester().digest(post) for post in posts]
    ahead = Digester()
    ahead.own_digests_in_parallel(posts)
    assert all(id(post) in ahead._own_memo for post in posts)  # half of them from the child
    assert [ahead.digest(post) for post in posts] == serial
    assert serial[7] is UNSTABLE and serial[6] is UNSTABLE  # 6 refers to 7
