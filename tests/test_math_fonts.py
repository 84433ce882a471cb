"""katex_markdown: KaTeX's fonts subset to the characters of the site's formulas, renamed (their
licence reserves the KaTeX names for the fonts as published), and inlined with the pages' CSS."""

import io
import re

from fontTools.ttLib import TTFont

from helpers import POST_URLS


def cmap_of(path) -> set[str]:
    font = TTFont(io.BytesIO(path.read_bytes()))
    return {chr(code) for code in font.getBestCmap()}


def test_subsets_hold_the_characters_of_the_formulas_and_are_smaller(site):
    fonts = site.output / "katex" / "fonts"
    subset, whole = fonts / "subset" / "MathSubset_Main-Regular.woff2", fonts / "KaTeX_Main-Regular.woff2"
    assert subset.stat().st_size < whole.stat().st_size / 2
    drawn = {char for element in site.page(POST_URLS["euler"]).cssselect(".katex-html") for char in element.text_content()}
    assert drawn & cmap_of(whole) <= cmap_of(subset)  # nothing the post draws in this font is missing


def test_subsets_are_renamed_in_the_font_and_in_the_css(site):
    font = TTFont(io.BytesIO((site.output / "katex" / "fonts" / "subset" / "MathSubset_AMS-Regular.woff2").read_bytes()))
    names = {record.toUnicode() for record in font["name"].names if record.nameID in (1, 4, 6)}
    assert names and not [name for name in names if "KaTeX" in name]
    [style] = site.page(POST_URLS["euler"]).cssselect("style[data-styles=katex]")
    assert "KaTeX_" not in style.text and "font-family:MathSubset_Main" in style.text
    assert 'url("../../katex/fonts/subset/MathSubset_Main-Regular.woff2")' in style.text


def test_a_rebuild_takes_the_subsets_from_the_cache(tmp_path):
    from helpers import FIXTURE_SITE, build_site

    build_site(FIXTURE_SITE, tmp_path)
    cached = {path: path.stat().st_mtime_ns for path in (tmp_path / "cache" / "katex_fonts").iterdir()}
    assert cached
    build_site(FIXTURE_SITE, tmp_path)
    assert {path: path.stat().st_mtime_ns for path in (tmp_path / "cache" / "katex_fonts").iterdir()} == cached


def test_a_formula_only_in_a_title_is_in_the_subsets(tmp_path):
    from helpers import build_site

    posts = tmp_path / "content" / "posts"
    posts.mkdir(parents=True)
    (posts / "aleph.md").write_text("Title: Counting to $\\aleph_0$\nDate: 2026-01-01\n\nNo formula in the body.\n")
    site = build_site(tmp_path / "content", tmp_path)
    assert site.result.errors == []
    subsets = (site.output / "katex" / "fonts" / "subset").glob("*.woff2")
    assert "\u2135" in set().union(*(cmap_of(path) for path in subsets))  # the title's ℵ


def test_pages_with_math_preload_the_main_faces_and_no_face_swaps_in_late(site):
    page = site.page(POST_URLS["euler"])
    preloaded = {link.get("href").rsplit("/", 1)[-1] for link in page.cssselect("link[rel=preload][as=font]")}
    assert {"source-serif-4-latin-400-normal.woff2", "MathSubset_Main-Regular.woff2",
            "MathSubset_Math-Italic.woff2", "MathSubset_Size2-Regular.woff2"} <= preloaded
    faces = "".join(style.text for style in page.cssselect("style[data-styles=fonts], style[data-styles=katex]"))
    display = {(family, style, weight): value for family, style, weight, value in
               re.findall(r'font-family:"([^"]+)";font-style:(\w+);font-weight:(\d+);font-display:(\w+)', faces)}
    # A face that swapped in after the first paint would move the page (layout shift budget 0).
    assert "swap" not in display.values()
    assert display["MathSubset_Main", "normal", "400"] == display["Source Serif 4", "normal", "600"] == "optional"
    assert display["MathSubset_AMS", "normal", "400"] == "block"  # \mathbb{R} never drawn as a plain R


def test_a_post_preloads_the_rarer_faces_its_formulas_draw_in_and_no_others(tmp_path):
    """A face requested only once layout finds it (\\mathbb's AMS, \\boldsymbol's bold italic)
    came after the first paint and moved the paragraphs around it (a layout shift in Chromium)."""
    from helpers import build_site

    posts = tmp_path / "content" / "posts"
    posts.mkdir(parents=True)
    (posts / "rare.md").write_text(
        "Title: Rare faces\nDate: 2026-01-01\n\nLet $\\boldsymbol{q} \\in \\mathbb{R}^d$ and\n\n"
        "$$\\left(\\sum_{i=1}^{d} \\frac{q_i}{2}\\right)^2$$\n")
    (posts / "plain.md").write_text("Title: Plain\nDate: 2026-01-02\n\nJust $x_1 + y^2$.\n")
    site = build_site(tmp_path / "content", tmp_path)
    assert site.result.errors == []

    def preloaded(url):
        return {link.get("href").rsplit("/", 1)[-1] for link in site.page(url).cssselect("link[rel=preload][as=font]")
                if "/katex/" in link.get("href")}

    main = {"MathSubset_Main-Regular.woff2", "MathSubset_Math-Italic.woff2", "MathSubset_Size1-Regular.woff2",
            "MathSubset_Size2-Regular.woff2"}
    assert preloaded("posts/rare-faces/") == main | {"MathSubset_AMS-Regular.woff2", "MathSubset_Math-BoldItalic.woff2",
                                                "MathSubset_Size4-Regular.woff2"}
    assert preloaded("posts/plain/") == main  # a subscript's `sizing sizeN` is a size, not the SizeN face


def test_faces_of_reads_the_faces_from_katex_classes():
    from katex_markdown.fonts import faces_of

    assert faces_of(['<span class="mord mathbb">R</span>', '<span class="mord text"><span class="mord textbf">'
                     '<span class="mord textit">x</span></span></span>']) == {"AMS-Regular", "Main-Bold", "Main-Italic",
                                                                              "Main-BoldItalic"}
    assert faces_of(['<span class="mopen delimsizing size3">(</span>', '<span class="sizing reset-size6 size3">2</span>']) \
        == {"Size3-Regular"}
    assert faces_of(["<span>1</span>"]) == set()
