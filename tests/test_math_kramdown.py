"""Math as Jekyll/kramdown writers wrote it: the display rule in list items and blockquotes,
display formulas with blank lines, multline as TeX sets it, LaTeX commands KaTeX lacks, and math
in titles."""

import pytest

from helpers import build_site, styles_of, text_of
from katex_markdown.katex import render_in_parallel
from katex_markdown.latex_macros import DEFAULT_MACROS
from katex_markdown.math_source import extract
from katex_markdown.tex_text import tex_to_slug_words, tex_to_text

KRAMDOWN_POST = "posts/kramdowns-display-rule/"
TITLE_POST = "posts/why-divide-by-sqrt-d-k-not-d-k/"


def formulas(text):
    return [(segment.tex, segment.display) for segment in extract(text).segments]


@pytest.mark.parametrize(
    "source, expected",
    [
        # a $$ block that is the whole of a list item is display math
        ("- $$x$$\n- $$y$$\n", [("x", True), ("y", True)]),
        ("1. $$x$$\n2. text\n", [("x", True)]),
        ("- $$\n  a\n  $$\n- b", [("\n  a\n  ", True)]),
        ("- item $$x$$\n- b", [("x", False)]),
        ("- $$x$$ and more\n", [("x", False)]),
        # ... and so is one that is a whole blockquote paragraph; the `>` markers are not TeX
        ("> $$x$$\n", [("x", True)]),
        ("> Quote\n>\n> $$\n> a \\\\\n> b\n> $$\n>\n> after", [("\na \\\\\nb\n", True)]),
        ("> > $$\n> > a\n> > $$\n", [("\na\n", True)]),
        ("> $$x$$ and more\n", [("x", False)]),
        ("> > \\begin{align}\n> > a &= b\n> > \\end{align}\n", [("\\begin{align}\na &= b\n\\end{align}", True)]),
        # display formulas may hold blank lines when they stand as blocks
        ("$$\na\n\nb\n$$\n", [("\na\n\nb\n", True)]),
        ("\\[\na\n\nb\n\\]\n", [("\na\n\nb\n", True)]),
        ("- $$\n  a\n\n  b\n  $$\n- c", [("\n  a\n\n  b\n  ", True)]),
        # ... but never inside a sentence, nor across a code block
        ("Text $$a\n\nb$$ text", []),
        ("$$\na\n\n```\n$$\n```\n", []),
    ],
)
def test_kramdown_display_rule(source, expected):
    assert formulas(source) == expected


def test_display_formulas_in_list_items_and_blockquotes_are_blocks(paper_site):
    content = paper_site.page(KRAMDOWN_POST).xpath("//div[contains(@class, 'post-content')]")[0]
    items = content.xpath("./ul/li")
    assert [bool(item.xpath("./div[@class='math-display']/span[@class='katex-display']")) for item in items] == [
        True, True, False,
    ]
    assert items[2].xpath("./span[@class='katex']")  # `$$x$$` inside a sentence stays inline
    quoted = content.xpath("./blockquote/div[@class='math-display']")
    assert len(quoted) == 2
    # The `>` markers of a formula's lines are not part of its TeX.
    annotation = quoted[1].xpath(".//annotation")[0].text
    assert ">" not in annotation and "\\sum_{k=1}^n k" in annotation


def test_a_display_formula_with_blank_lines_is_one_formula(paper_site):
    content = paper_site.page(KRAMDOWN_POST).xpath("//div[contains(@class, 'post-content')]")[0]
    [display] = [d for d in content.xpath("./div[@class='math-display']") if "alpha" in d.xpath(".//annotation")[0].text]
    assert text_of(display.xpath(".//span[@class='katex-html']")[0]) == "α+β=γ"
    assert not content.xpath(".//*[contains(@class, 'katex-error')]")


def test_multline_is_marked_for_tex_alignment_and_numbers_its_last_line(paper_site):
    page = paper_site.page(KRAMDOWN_POST)
    [multline] = page.xpath("//div[contains(@class, 'math-multline')]")
    assert multline.get("class") == "math-display math-multline"
    assert multline.get("id") == "eq-long"
    assert text_of(multline.xpath(".//span[@class='tag']")[0]).strip("\u200b") == "(1)"
    stylesheet = (paper_site.output / "theme" / "css" / "math.css").read_text()
    assert ".math-multline .col-align-c > .vlist-t > .vlist-r:first-child > .vlist > span:first-child" in stylesheet


def test_qed_and_other_missing_commands_render(paper_site):
    [paragraph] = paper_site.page(KRAMDOWN_POST).xpath("//p[a[@class='eqref']]")
    rendered = text_of(paragraph)
    assert "□" in rendered  # \qed
    assert "argmax" in rendered.replace(" ", "")
    assert not paragraph.xpath(".//*[contains(@class, 'katex-error')]")


@pytest.mark.parametrize("name, expansion", sorted(DEFAULT_MACROS.items()))
def test_every_default_macro_is_valid_katex(name, expansion):
    arguments = "".join("{x}" for number in (1, 2) if f"#{number}" in expansion)
    [answer] = render_in_parallel([(f"a {name}{arguments}", True, DEFAULT_MACROS)], 1)
    assert "html" in answer, answer


def test_a_post_macro_overrides_a_default(tmp_path):
    posts = tmp_path / "content" / "posts"
    posts.mkdir(parents=True)
    (posts / "qed.md").write_text("Title: Q\nDate: 2026-01-01\nMacros: \\qed=\\blacksquare\n\nDone $\\qed$.\n")
    built = build_site(tmp_path / "content", tmp_path)
    assert "■" in text_of(built.page("posts/q/").xpath("//div[contains(@class, 'post-content')]/p")[0])


def test_math_in_a_title_is_typeset_in_the_heading(paper_site):
    page = paper_site.page(TITLE_POST)
    [heading] = page.xpath("//h1[@class='post-title']")
    assert heading.xpath(".//span[@class='katex']//annotation")[0].text == "\\sqrt{d_k}"
    assert "katex" in styles_of(page)


def test_math_in_a_title_is_plain_text_in_the_title_element_and_the_slug(paper_site):
    page = paper_site.page(TITLE_POST)
    # (typogrify keeps the last two words together)
    assert page.findtext(".//title") == "Why divide by √dₖ & not\xa0dₖ? · Proofs & Gradients"
    assert "<" not in page.xpath("//meta[@name='description']/@content")[0]
    assert (paper_site.output / TITLE_POST / "index.html").exists()  # slug: why-divide-by-sqrt-d-k-not-d-k


@pytest.mark.parametrize("listing", ["", "archives/", "tags/math/"])
def test_math_in_a_title_is_typeset_in_lists(paper_site, listing):
    page = paper_site.page(listing)
    [link] = page.xpath(f"//a[@href[contains(., '{TITLE_POST}')]]")
    assert link.xpath(".//span[@class='katex']")
    assert "katex" in styles_of(page)


def test_a_title_without_math_is_unchanged(paper_site):
    [heading] = paper_site.page("posts/notes-in-the-margin/").xpath("//h1")
    assert text_of(heading) == "Notes in the margin" and not heading.xpath(".//span")


@pytest.mark.parametrize(
    "tex, text, slug",
    [
        (r"\sqrt{d_k}", "√dₖ", "sqrt d k"),
        (r"e^{i\pi}+1=0", "e^(iπ)+1=0", "e i pi +1=0"),
        (r"\frac{1}{n^2}", "1/n²", "frac 1 n 2"),
        (r"\mathbb{E}[X] \le \varphi(x)", "𝔼[X] ≤ φ(x)", "E [X] le varphi(x)"),
        (r"\operatorname{softmax}(x)_i", "softmax(x)ᵢ", "softmax (x) i"),
        (r"\mathbf{x}^\top A", "xᵀ A", "x top A"),
        (r"\sum_{n=1}^{\infty} \frac{a+b}{2}", "∑ₙ₌₁^∞ (a+b)/2", "sum n=1 infty frac a+b 2"),
    ],
)
def test_tex_as_plain_text(tex, text, slug):
    assert tex_to_text(tex) == text
    assert tex_to_slug_words(tex) == slug
