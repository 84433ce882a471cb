"""Being found and shared: the site_seo plugin and partials/head.html, on tests/seo_site built
for production (canonical URLs, descriptions, OpenGraph and Twitter tags, JSON-LD, sitemap.xml,
robots.txt, icons)."""

import json
import os

import pytest
from lxml import etree

from helpers import build_site
from seo_helpers import SEO_SITE, SITE_URL, build_published

SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
NOT_INDEXED = {"404.html", "posts/not-for-search-engines/index.html"}


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    built = build_published(tmp_path_factory.mktemp("seo"))
    assert built.result.errors == [] and built.result.warnings == []
    return built


def url_of(relative: str) -> str:
    return f"{SITE_URL}/{relative[:-len('index.html')] if relative.endswith('index.html') else relative}"


def pages(site):
    """(path in output/, parsed page) for every HTML page but KaTeX's."""
    for path in site.html_files():
        relative = path.relative_to(site.output).as_posix()
        if not relative.startswith("katex/"):
            yield relative, site.page(relative)


def meta(tree, attribute: str, name: str) -> list[str]:
    return tree.xpath(f"//head/meta[@{attribute}='{name}']/@content")


def sitemap(site) -> dict[str, str | None]:
    root = etree.parse(str(site.output / "sitemap.xml")).getroot()
    return {
        entry.findtext("s:loc", namespaces=SITEMAP_NS): entry.findtext("s:lastmod", namespaces=SITEMAP_NS)
        for entry in root.findall("s:url", SITEMAP_NS)
    }


def test_sitemap_lists_every_published_page_and_nothing_else(published):
    listed = sitemap(published)
    expected = {url_of(relative) for relative, _ in pages(published) if relative not in NOT_INDEXED}
    assert set(listed) == expected
    assert f"{SITE_URL}/posts/gradients-written-down/" in listed and f"{SITE_URL}/" in listed
    assert not [url for url in listed if "draft" in url or "not-for-search-engines" in url]


def test_sitemap_lastmod_is_the_modified_date_or_the_newest_listed(published):
    listed = sitemap(published)
    assert listed[f"{SITE_URL}/posts/gradients-written-down/"] == "2026-04-02T18:30:00+02:00"
    assert listed[f"{SITE_URL}/posts/softmax-notes/"] == "2026-02-10T08:00:00+01:00"
    assert listed[f"{SITE_URL}/tags/machine-learning/"] == "2026-02-10T08:00:00+01:00"
    assert listed[f"{SITE_URL}/"] == "2026-04-02T18:30:00+02:00"


def test_robots_txt_names_the_sitemap(published):
    robots = (published.output / "robots.txt").read_text().splitlines()
    assert "User-agent: *" in robots and f"Sitemap: {SITE_URL}/sitemap.xml" in robots


def test_development_builds_write_no_sitemap(tmp_path):
    built = build_site(SEO_SITE, tmp_path)
    assert built.result.errors == []
    assert not (built.output / "sitemap.xml").exists() and not (built.output / "robots.txt").exists()
    head = built.page("posts/gradients-written-down/").xpath("//head")[0]
    assert not head.xpath("link[@rel='canonical'] | meta[@property='og:url'] | meta[@property='og:image']")


def test_every_indexed_page_has_canonical_description_and_opengraph(published):
    for relative, tree in pages(published):
        if relative in NOT_INDEXED:
            assert meta(tree, "name", "robots") == ["noindex"], relative
            assert not tree.xpath("//link[@rel='canonical']"), relative
            continue
        assert tree.xpath("//head/link[@rel='canonical']/@href") == [url_of(relative)], relative
        [description] = meta(tree, "name", "description")
        assert description.strip() and "katex" not in description, relative
        assert meta(tree, "property", "og:url") == [url_of(relative)], relative
        assert meta(tree, "property", "og:description") == [description], relative
        for name in ("og:title", "og:type", "og:site_name", "og:image"):
            assert len(meta(tree, "property", name)) == 1, (relative, name)
        assert meta(tree, "name", "twitter:card") == ["summary_large_image"], relative


def test_post_description_is_its_summary_with_each_formula_once_as_tex(published):
    tree = published.page("posts/gradients-written-down/")
    expected = r"The gradient \nabla f(x) = Ax - b of a quadratic, and code that checks it."
    assert meta(tree, "name", "description") == [expected]
    assert meta(tree, "name", "twitter:description") == [expected]
    assert meta(tree, "property", "og:title") == ["Gradients, written\u00a0down"]


def test_posts_are_articles_with_dates_and_tags(published):
    tree = published.page("posts/gradients-written-down/")
    assert meta(tree, "property", "og:type") == ["article"]
    assert meta(tree, "property", "article:published_time") == ["2026-03-01T09:00:00+01:00"]
    assert meta(tree, "property", "article:modified_time") == ["2026-04-02T18:30:00+02:00"]
    assert meta(tree, "property", "article:tag") == ["calculus", "code"]
    assert meta(published.page(""), "property", "og:type") == ["website"]


def test_share_image_is_the_posts_own_or_the_sites_default(published):
    own = published.page("posts/gradients-written-down/")
    assert meta(own, "property", "og:image") == [f"{SITE_URL}/images/plot.png"]
    assert meta(own, "name", "twitter:image") == [f"{SITE_URL}/images/plot.png"]
    for page in ("posts/softmax-notes/", "", "tags/"):
        assert meta(published.page(page), "property", "og:image") == [f"{SITE_URL}/images/card.png"]
    assert (published.output / "images" / "plot.png").exists()
    assert (published.output / "images" / "card.png").exists()


def test_home_page_has_website_json_ld(published):
    [script] = published.page("").xpath("//head/script[@type='application/ld+json']")
    data = json.loads(script.text)
    assert data["@context"] == "https://schema.org" and data["@type"] == "WebSite"
    assert data["url"] == f"{SITE_URL}/" and data["name"] == "Proofs & Gradients"
    assert data["description"] and data["author"] == {"@type": "Person", "name": "Ada Lindqvist"}
    assert "</" not in script.text  # |tojson escapes what would close the script


def test_icons_are_linked_and_published(published):
    head = published.page("posts/softmax-notes/").xpath("//head")[0]
    [icon] = head.xpath("link[@rel='icon']")
    assert icon.get("href") == f"{SITE_URL}/theme/images/favicon.svg" and icon.get("type") == "image/svg+xml"
    assert head.xpath("link[@rel='apple-touch-icon']/@href") == [f"{SITE_URL}/theme/images/apple-touch-icon.png"]
    assert (published.output / "theme" / "images" / "favicon.svg").exists()


def test_missing_icons_and_default_image_are_left_out_with_a_warning(tmp_path):
    # Names of their own: Pelican logs a warning it has logged before in this process only once.
    built = build_published(tmp_path, FAVICON="images/no-icon.svg", APPLE_TOUCH_ICON="images/no-icon.png",
                            SITE_SEO={"default_image": "images/no-card.png"})
    assert built.result.errors == []
    warnings = "\n".join(built.result.warnings)
    assert "FAVICON 'images/no-icon.svg' is not a file the site publishes" in warnings
    assert "APPLE_TOUCH_ICON 'images/no-icon.png' is not a file the site publishes" in warnings
    assert "default_image 'images/no-card.png' is not a file the site publishes" in warnings
    head = built.page("posts/softmax-notes/").xpath("//head")[0]
    assert head.xpath("link[@rel='icon']/@href") == ["data:,"]
    assert not head.xpath("meta[@property='og:image'] | link[@rel='apple-touch-icon']")
    assert head.xpath("meta[@name='twitter:card']/@content") == ["summary"]


def test_image_naming_no_file_is_an_error_with_file_and_line(tmp_path):
    content = tmp_path / "content"
    (content / "posts").mkdir(parents=True)
    (content / "posts" / "x.md").write_text("Title: X\nDate: 2026-01-01\nImage: {static}/images/nope.png\n\nBody.\n")
    built = build_published(tmp_path / "site", content)
    [error] = built.result.errors
    assert error.startswith(f"{os.path.relpath(content / 'posts' / 'x.md')}:3: Image: '{{static}}/images/nope.png' "
                            "is not a file the site publishes")


def test_unknown_site_seo_key_is_named(tmp_path):
    built = build_site(SEO_SITE, tmp_path, SITE_SEO={"robots": False})
    assert any("SITE_SEO has unknown key(s) robots" in error for error in built.result.errors)
