"""Feeds that read well in feed readers: the feed_content plugin, on tests/seo_site built for
production (Atom and RSS, site-wide and per tag)."""

from urllib.parse import urlsplit

import feedparser
import pytest
from lxml import html as lxml_html

from feed_content.clean import entry_html
from seo_helpers import SITE_URL, build_published

GRADIENTS = f"{SITE_URL}/posts/gradients-written-down/"


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    built = build_published(tmp_path_factory.mktemp("feeds"))
    assert built.result.errors == []
    return built


def feed_files(site):
    return sorted((site.output / "feeds").rglob("*.xml"))


def parse(path):
    # sanitize_html=False: assert on what the feed holds, not on feedparser's cleaned copy.
    return feedparser.parse(path.read_bytes(), sanitize_html=False)


def entry(site, feed: str, link: str):
    [found] = [e for e in parse(site.output / "feeds" / feed).entries if e.link == link]
    return found


def body_of(feed_entry):
    html = feed_entry.content[0].value if "content" in feed_entry else feed_entry.summary
    return lxml_html.fragment_fromstring(html, create_parent="div")


def test_site_and_tag_feeds_in_atom_and_rss_parse_without_errors(published):
    names = {path.relative_to(published.output / "feeds").as_posix() for path in feed_files(published)}
    assert {"all.atom.xml", "all.rss.xml", "tags/calculus.atom.xml", "tags/calculus.rss.xml",
            "tags/machine-learning.rss.xml"} <= names
    for path in feed_files(published):
        feed = parse(path)
        assert not feed.bozo, (path, feed.bozo_exception)
        # A journal section of the site's settings has no post in this fixture: its feed is empty.
        assert feed.entries or path.name.startswith("journal."), path


@pytest.mark.parametrize("feed", ["all.atom.xml", "all.rss.xml"])
def test_entry_math_is_mathml_only(published, feed):
    body = body_of(entry(published, feed, GRADIENTS))
    formulas = body.xpath("//math")
    page = published.page("posts/gradients-written-down/")
    shown = page.xpath(
        "//div[contains(@class, 'post-content')]//span[@class='katex']"
        "[not(ancestor::small[@class='sidenote'])]"  # the margin copy of a footnote
    )
    assert len(formulas) == len(shown) == 5
    assert not body.xpath("//*[contains(@class, 'katex')]")
    assert not body.xpath("//annotation") and "\\tfrac12" not in body.text_content()
    assert formulas[0].get("alttext") == r"f(x) = \tfrac12 x^\top A x - b^\top x"
    [display] = [math for math in formulas if math.get("display") == "block"]
    assert display.xpath("string(.//mtext)") == "(1)"  # the equation number, drawn by KaTeX's HTML


@pytest.mark.parametrize("feed", ["all.atom.xml", "all.rss.xml", "tags/code.atom.xml"])
def test_every_link_and_image_in_entries_is_absolute(published, feed):
    for feed_entry in parse(published.output / "feeds" / feed).entries:
        body = body_of(feed_entry)
        links = [link for _, _, link, _ in body.iterlinks()]
        links += [candidate.split()[0] for srcset in body.xpath("//@srcset") for candidate in srcset.split(",")]
        assert links or feed_entry.link != GRADIENTS
        for link in links:
            assert urlsplit(link).scheme == "https" and link.startswith(SITE_URL + "/"), link


def test_fragments_point_into_the_post_and_relative_links_resolve_from_it(published):
    body = body_of(entry(published, "all.atom.xml", GRADIENTS))
    hrefs = body.xpath("//a/@href")
    assert GRADIENTS + "#eq-grad" in hrefs and GRADIENTS + "#checking-it" in hrefs
    assert hrefs.count(f"{SITE_URL}/posts/softmax-notes/") == 2  # {filename} and ../softmax-notes/
    assert body.xpath("//img/@src") == [f"{SITE_URL}/images/plot.png"] * 2


def test_code_is_plain_and_nothing_runs(published):
    body = body_of(entry(published, "all.atom.xml", GRADIENTS))
    [code] = body.xpath("//pre/code")
    assert code.get("class") == "language-python" and len(code) == 0
    assert code.text == "import numpy as np\ndef grad(A, b, x):\n    return A @ x - b\n"
    assert body.xpath("//p/code/text()") == ["check.py"]
    assert not body.xpath("//script | //button | //*[@onclick] | //*[@id]")
    assert not body.xpath("//a[text()='#']")  # heading permalinks


def test_collapsed_proofs_are_open(published):
    [details] = body_of(entry(published, "all.atom.xml", GRADIENTS)).xpath("//details")
    assert details.get("open") is not None


def test_categories_are_the_tags(published):
    for feed in ("all.atom.xml", "all.rss.xml"):
        for feed_entry in parse(published.output / "feeds" / feed).entries:
            terms = [tag.term for tag in feed_entry.get("tags", [])]
            assert "posts" not in terms
        assert [t.term for t in entry(published, feed, GRADIENTS).tags] == ["calculus", "code"]


def test_updated_comes_from_modified_and_ids_are_stable(published, tmp_path):
    gradients = entry(published, "all.atom.xml", GRADIENTS)
    assert gradients.updated == "2026-04-02T18:30:00+02:00"
    assert gradients.published == "2026-03-01T09:00:00+01:00"
    again = build_published(tmp_path)
    for path in feed_files(published):
        first = parse(path).entries
        second = parse(again.output / path.relative_to(published.output)).entries
        assert [e.id for e in first] == [e.id for e in second]
        assert [body_of(e).text_content() for e in first] == [body_of(e).text_content() for e in second]


def test_pages_link_the_feeds_they_belong_to(published):
    feeds = published.output / "feeds"
    for page, expected in [
        ("", {"all.atom.xml", "all.rss.xml"}),
        ("posts/softmax-notes/", {"all.atom.xml", "all.rss.xml"}),
        ("tags/calculus/", {"all.atom.xml", "all.rss.xml", "tags/calculus.atom.xml", "tags/calculus.rss.xml"}),
    ]:
        links = published.page(page).xpath("//head/link[@rel='alternate']")
        hrefs = {link.get("href").removeprefix(f"{SITE_URL}/feeds/") for link in links}
        assert hrefs == expected, page
        assert all((feeds / href).exists() for href in hrefs)
        types = {link.get("type") for link in links}
        assert types == {"application/atom+xml", "application/rss+xml"}


# --- entry_html on its own -----------------------------------------------------------------------

PAGE = "https://example.test/blog/posts/a/"


@pytest.mark.parametrize("body, expected", [
    # links
    ('<a href="#x">x</a>', f'<a href="{PAGE}#x">x</a>'),
    ('<a href="../b/">b</a>', '<a href="https://example.test/blog/posts/b/">b</a>'),
    ('<a href="mailto:a@b.c">m</a>', '<a href="mailto:a@b.c">m</a>'),
    ('<img src="p.png" srcset="p.png 1x, q.png 2x">',
     f'<img src="{PAGE}p.png" srcset="{PAGE}p.png 1x, {PAGE}q.png 2x">'),
    # what a reader must not run or cannot use
    ('<p onclick="x()" id="i" class="c">t</p><script>x()</script>after', "<p>t</p>after"),
    ('<h2 id="h">H<a class="headerlink" href="#h">#</a></h2>', "<h2>H</h2>"),
    # math: the MathML alone, the text around it kept
    ('a <span class="katex"><span class="katex-mathml"><math><semantics><mi>x</mi>'
     '<annotation encoding="application/x-tex">x</annotation></semantics></math></span>'
     '<span class="katex-html" aria-hidden="true">x</span></span> b',
     'a <math alttext="x"><semantics><mi>x</mi></semantics></math> b'),
    ('<span class="katex-error" title="e">\\bad</span>', "<span title=\"e\">\\bad</span>"),
    # code
    ('<pre><span></span><code><span class="k">if</span> x</code></pre>', "<pre><code>if x</code></pre>"),
    ('<details class="note"><summary>P</summary>q</details>', '<details open><summary>P</summary>q</details>'),
])
def test_entry_html(body, expected):
    assert entry_html(body, PAGE).replace('open=""', "open") == expected


def test_entry_html_with_the_feed_reference_query():
    assert entry_html('<a href="#x">x</a>', PAGE + "?ref=feed") == f'<a href="{PAGE}#x">x</a>'
