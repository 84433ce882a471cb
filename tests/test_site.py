"""The foundation: the pages a reader sees, built by Pelican from tests/site/."""

import re

import feedparser
import pytest

from helpers import POST_URLS, styles_of, text_of



def test_every_page_uses_the_base_layout(site):
    pages = site.html_files()
    assert len(pages) > 10
    for path in pages:
        if path.parent.name == "katex":
            continue
        tree = site.page(str(path.relative_to(site.output)))
        assert tree.cssselect("a.skip-link[href='#main']"), path
        assert tree.cssselect("main#main"), path
        assert tree.cssselect("header") and tree.cssselect("footer"), path


def test_home_page_lists_posts_with_date_reading_time_tags_and_summary(site):
    home = site.page("")
    items = home.cssselect(".post-list__item")
    assert [text_of(item.cssselect(".post-list__title")[0]) for item in items] == [
        "Journal: June 18, 2026",
        "Euler’s identity, “carefully”",
    ]
    euler = items[1]
    assert text_of(euler.cssselect("time")[0]) == "June 18, 2026"
    assert euler.cssselect("time")[0].get("datetime").startswith("2026-06-18T10:00")
    assert re.fullmatch(r"\d+ min", text_of(euler.cssselect(".post-meta__reading")[0]))
    assert [text_of(a) for a in euler.cssselect(".post-meta__tags a")] == ["#math", "#complex-analysis"]
    summary = euler.cssselect(".post-list__summary")[0]
    assert "Why" in text_of(summary) and summary.cssselect(".katex")


def test_summaries_have_no_ids_or_in_page_links(site):
    listing = site.page("page/2/")
    [prices] = [item for item in listing.cssselect(".post-list__item") if "Prices" in text_of(item)]
    summary = prices.cssselect(".post-list__summary")[0]
    assert text_of(summary).startswith("See the heading.") and not summary.cssselect("a")
    for page in ("", "page/2/"):
        for item in site.page(page).cssselect(".post-list__summary"):
            assert not item.cssselect("[id], a[href^='#'], .footnote, sup")


def test_index_paginates(site):
    second = site.page("page/2/")
    titles = [text_of(t) for t in second.cssselect(".post-list__title")]
    assert titles == ["Attention in a few lines", "Prices and code"]
    assert site.page("").cssselect("a[href$='page/2/']")


def test_every_post_has_a_page(site):
    for url in POST_URLS.values():
        assert site.page(url).cssselect("article h1")


def test_drafts_are_not_listed(site):
    assert (site.output / "drafts" / "a-draft" / "index.html").exists()
    for page in ("", "page/2/", "archives/", "tags/"):
        assert "A draft" not in text_of(site.page(page))


def test_tags_index_counts(site):
    tags = site.page("tags/")
    counts = {
        text_of(item.cssselect("a")[0]): text_of(item.cssselect(".tag-index__count")[0])
        for item in tags.cssselect(".tag-index li")
    }
    assert counts == {
        "#code": "1 post",
        "#complex-analysis": "1 post",
        "#journal": "2 posts",
        "#machine-learning": "1 post",
        "#math": "2 posts",
    }


def test_tag_page_lists_its_posts(site):
    journal = site.page("tags/journal/")
    titles = [text_of(t) for t in journal.cssselect(".post-list__title")]
    assert titles == ["Journal: June 18, 2026", "Prices and code"]


def test_archives_group_posts_by_year(site):
    archives = site.page("archives/")
    text = text_of(archives)
    assert text.index("2026") < text.index("Attention in a few lines") < text.index("2025") < text.index(
        "Prices and code"
    )
    assert "Prices and code" in text_of(site.page("archives/2025/"))


def test_headings_have_permalinks_and_a_toc(site):
    post = site.page(POST_URLS["attention"])
    heading = post.cssselect("h2#code")[0]
    assert heading.cssselect("a.headerlink[href='#code']")
    toc_links = [a.get("href") for a in post.cssselect(".toc a")]
    assert toc_links == ["#code", "#in-a-list"]


def test_not_found_page(site):
    page = site.page("404.html")
    assert "not found" in text_of(page).lower()
    assert page.cssselect("main#main a")


def test_about_page(site):
    assert "About this fixture site." in text_of(site.page("about/"))


def test_typogrify_runs_on_prose(site):
    prices = site.page(POST_URLS["prices"])
    body = text_of(prices.cssselect("article")[0])
    assert "“Quotes”" in body and "—" in body or "–" in body


def test_pages_make_no_third_party_requests(site):
    for path in site.html_files():
        tree = site.page(str(path.relative_to(site.output)))
        for element in tree.cssselect("script[src], link[href], img[src]"):
            url = element.get("src") or element.get("href")
            if element.tag == "link" and element.get("rel") in ("canonical", "alternate"):
                continue
            assert not re.match(r"^(https?:)?//", url), (path, url)


def test_feeds_parse(published_site):
    feed = feedparser.parse((published_site.output / "feeds" / "all.atom.xml").read_bytes())
    assert not feed.bozo, feed.bozo_exception
    titles = [" ".join(entry.title.split()) for entry in feed.entries]  # typogrify's widont: nbsp
    assert "Attention in a few lines" in titles and len(titles) == 4
    links = [entry.link for entry in feed.entries]
    assert all(link.startswith("https://blog.example.test/notes/posts/") for link in links)
    tag_feed = feedparser.parse((published_site.output / "feeds" / "tags" / "journal.atom.xml").read_bytes())
    assert len(tag_feed.entries) == 2


def test_published_pages_use_absolute_urls(published_site):
    home = published_site.page("")
    first = home.cssselect(".post-list__title a")[0].get("href")
    assert first.startswith("https://blog.example.test/notes/posts/")


@pytest.mark.parametrize("plugin", [
    "katex_markdown", "reading_time", "cite_bibtex", "journal_sections", "post_neighbours", "collection_page",
    "tag_index", "blog_series", "related_reading", "content_checks", "page_writer", "feed_content", "site_seo",
])
def test_each_plugin_is_our_own_and_loaded(plugin):
    import importlib

    from helpers import ROOT

    module = importlib.import_module(plugin)
    assert str(ROOT / "plugins") in module.__file__


def test_katex_stylesheet_only_on_pages_with_math(site):
    with_math = without_math = 0
    for path in site.html_files():
        if "katex" in path.parts:
            continue
        tree = site.page(str(path.relative_to(site.output)))
        links_katex = "katex" in styles_of(tree)
        has_math = bool(tree.cssselect(".katex"))
        assert links_katex == has_math, path
        with_math += has_math
        without_math += not has_math
    assert with_math >= 3 and without_math >= 3
    assert (site.output / "katex" / "katex.min.css").exists()
    assert any((site.output / "katex" / "fonts").glob("KaTeX_Main-Regular.woff2"))


def test_no_page_ships_math_javascript(site):
    for path in site.html_files():
        tree = site.page(str(path.relative_to(site.output)))
        sources = [script.get("src") or "" for script in tree.cssselect("script")]
        assert not [s for s in sources if "katex" in s or "mathjax" in s.lower()], path
