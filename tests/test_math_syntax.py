"""Where math is recognised in Markdown source (pure logic, no KaTeX)."""

import pytest

from katex_markdown.math_source import extract
from katex_markdown.numbering import number_equations, split_rows


def formulas(text):
    return [(segment.tex, segment.display) for segment in extract(text).segments]


@pytest.mark.parametrize(
    "source, expected",
    [
        # dollars
        ("Euler: $e^{i\\pi}+1=0$.", [("e^{i\\pi}+1=0", False)]),
        ("It costs $5 and $10 today.", []),
        ("Prices $20,000 and $30,000.", []),
        ("A literal \\$ sign and $x$.", [("x", False)]),
        ("$ x$ is not math, nor is $x $.", []),
        ("Escaped inside: $\\$5$.", [("\\$5", False)]),
        ("Two: $a$ and $b$.", [("a", False), ("b", False)]),
        ("Across a blank line $a\n\nb$ is not math.", []),
        # kramdown's $$ rule
        ("$$x^2$$", [("x^2", True)]),
        ("Inline $$x^2$$ in a sentence.", [("x^2", False)]),
        ("Para\n\n$$\nx\n$$\n\nnext", [("\nx\n", True)]),
        ("text on the line before\n$$x$$\n\nnext", [("x", False)]),
        ("- item\n\n    $$\n    y\n    $$\n", [("\n    y\n    ", True)]),
        # LaTeX delimiters and environments
        ("\\(a\\) and \\[b\\]", [("a", False), ("b", True)]),
        ("\\begin{align}\na &= b\n\\end{align}", [("\\begin{align}\na &= b\n\\end{align}", True)]),
        ("\\begin{itemize}x\\end{itemize}", []),
        # code is never math
        ("`echo $HOME` and `$x$`", []),
        ("``a ` $x$ b``", []),
        ("```python\nprice = '$5' + '$x$'\n```\n", []),
        ("~~~\n$x$\n~~~\n", []),
        ("- list\n\n    ```bash\n    echo $a$\n    ```\n", []),
    ],
)
def test_recognised_math(source, expected):
    assert formulas(source) == expected


@pytest.mark.parametrize(
    "source, kept",
    [
        ("It costs $5 and $10.", "It costs $5 and $10."),
        ("A literal \\$ sign.", "A literal $ sign."),
        ("`echo $HOME`", "`echo $HOME`"),
    ],
)
def test_prose_around_dollars_is_kept(source, kept):
    assert extract(source).text == kept


def test_markdown_special_characters_never_reach_markdown():
    extracted = extract("$a_1 * b_2$ and | $c|d$ | and $x<y$")
    assert "_" not in extracted.text and "*" not in extracted.text and "<" not in extracted.text
    assert extracted.text.count("|") == 2


def test_line_numbers_count_from_the_first_body_line():
    segments = extract("one\n\n$$\nx\n$$\n\ntwo $y$", first_line=5).segments
    assert [segment.line for segment in segments] == [7, 11]


@pytest.mark.parametrize(
    "body, rows",
    [
        ("a \\\\ b", ["a ", " b"]),
        ("x = \\begin{cases} 1 \\\\ 2 \\end{cases} \\\\ y", ["x = \\begin{cases} 1 \\\\ 2 \\end{cases} ", " y"]),
        ("\\{a \\\\ b\\}", ["\\{a ", " b\\}"]),
        ("\\frac{a \\\\ b}{c}", ["\\frac{a \\\\ b}{c}"]),
    ],
)
def test_rows_split_only_at_the_top_level(body, rows):
    assert split_rows(body) == rows


def numbered(source):
    extracted = extract(source)
    return number_equations(extracted.segments, extracted.refs)


def test_environments_are_numbered_in_order():
    result = numbered(
        "\\begin{equation}\\label{eq:a}a\\end{equation}\n\n"
        "\\begin{align}\nb &= c \\label{eq:b} \\\\\nd &= e \\nonumber \\\\\nf &= g\n\\end{align}\n\n"
        "\\begin{equation*}h\\end{equation*}\n\n"
        "\\begin{multline}\ni \\\\ j \\label{eq:m}\n\\end{multline}\n\n"
        "See \\eqref{eq:a}, \\eqref{eq:b} and \\ref{eq:m}."
    )
    assert result.problems == []
    assert "\\tag{1}" in result.tex[0] and result.tex[0].startswith("\\begin{equation*}")
    assert result.tex[1].count("\\tag{") == 2 and "\\tag{2}" in result.tex[1] and "\\tag{3}" in result.tex[1]
    assert "\\tag" not in result.tex[2]
    assert result.tex[3].startswith("\\begin{gather*}") and result.tex[3].count("\\tag{4}") == 1
    assert result.anchors == [["eq-a"], ["eq-b"], [], ["eq-m"]]
    assert result.prose_refs == [
        '<a class="eqref" href="#eq-a">(1)</a>',
        '<a class="eqref" href="#eq-b">(2)</a>',
        '<a class="eqref" href="#eq-m">4</a>',
    ]


def test_explicit_tags_and_references_inside_math():
    result = numbered("$$ x \\tag{A} \\label{eq:x} $$\n\nand $y = \\eqref{eq:x}$")
    assert result.problems == []
    assert result.tex[1] == "y = \\href{#eq-x}{\\text{(A)}}"


@pytest.mark.parametrize(
    "source, message",
    [
        ("See \\eqref{eq:none}.", "\\eqref{eq:none}: no equation has this label"),
        ("$$ x \\label{eq:x} $$", "\\label{eq:x} is on an unnumbered equation"),
        ("$x \\label{eq:x}$", "\\label is only allowed in display math"),
        (
            "\\begin{equation}\\label{eq:x}a\\end{equation}\n\n\\begin{equation}\\label{eq:x}b\\end{equation}",
            "duplicate \\label{eq:x}",
        ),
    ],
)
def test_numbering_problems(source, message):
    assert [problem.message for problem in numbered(source).problems] == [message]
