"""katex_markdown's markup for readers: scrollable blocks reachable by keyboard and named, formulas
tied to their punctuation, tables in a scrolling box, math-only header cells named."""

import pytest

from katex_markdown import math_source as ms
from katex_markdown.pipeline import Formula, label_code_blocks, name_math_headers, tie_punctuation, wrap_tables

MATH = ms.placeholder(ms.INLINE_OPEN, ms.INLINE_CLOSE, 0)
GROUP = 'tabindex="0" role="group"'


@pytest.mark.parametrize("html, tied", [
    # punctuation after a formula, as typogrify leaves it
    (f"see {MATH}, then", f'see <span class="nowrap">{MATH},</span> then'),
    (f"({MATH}, &#8230;)", f'<span class="nowrap">({MATH},</span> &#8230;)'),
    (f"{MATH}&#8230;) and", f'<span class="nowrap">{MATH}&#8230;)</span> and'),
    (f"&#8220;{MATH}&#8221;.", f'<span class="nowrap">&#8220;{MATH}&#8221;.</span>'),
    # a formula between words: nothing to tie
    (f"a {MATH} b", f"a {MATH} b"),
])
def test_formulas_are_tied_to_the_punctuation_that_touches_them(html, tied):
    assert tie_punctuation(html) == tied


@pytest.mark.parametrize("html, label", [
    ('<div class="language-python highlight" data-lang="python"><span class="filename">attn.py</span><pre><code>',
     "Code: attn.py"),
    ('<div class="language-rust highlight" data-lang="rust"><pre><code>', "Code: rust"),
    ('<div class="language-text highlight" data-lang="text"><pre><code>', "Code"),
    ('<div class="highlight"><pre><code>', "Code"),
])
def test_code_blocks_are_reachable_by_keyboard_and_named(html, label):
    assert f'<pre {GROUP} aria-label="{label}">' in label_code_blocks(html)


def test_tables_scroll_in_a_named_box_and_keep_their_role():
    wrapped = wrap_tables("<p>x</p><table><tr><td>1</td></tr></table>")
    assert wrapped == f'<p>x</p><div class="table-scroll" {GROUP} aria-label="Table"><table><tr><td>1</td></tr></table></div>'


def test_a_header_cell_with_only_a_formula_is_named_by_its_tex():
    formula = Formula(tex="d_k", display=False, line=3, written="d_k")
    named = name_math_headers(f'<th style="text-align: right;">{MATH}</th><th>std of {MATH}</th>', [formula])
    assert named == (f'<th style="text-align: right;"><span class="visually-hidden">d_k</span>'
                     f'<span aria-hidden="true">{MATH}</span></th><th>std of {MATH}</th>')
