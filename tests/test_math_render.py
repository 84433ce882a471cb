"""Formulas through the whole pipeline: Markdown, typogrify and KaTeX, with a real KaTeX process."""

import html

import pytest
from lxml import html as lxml_html

from helpers import ROOT
from katex_markdown.config import read_config
from katex_markdown.pipeline import render_source
from katex_markdown.store import Store

# Typical of ML and math writing; each must render with no error, MathML inside, TeX intact.
FORMULAS = [
    # basics and Markdown-hostile characters
    r"e^{i\pi} + 1 = 0",
    r"a_1 * b_2 * c_3",
    r"x_{i,j}^{(t)} = x_{i,j}^{(t-1)} - \eta \nabla_{x} L",
    r"\|x\|_2 = \sqrt{\sum_i x_i^2}",
    r"|a| < |b| \leq c",
    r"p(x \mid \theta) \propto \exp(-\tfrac{1}{2} x^\top \Sigma^{-1} x)",
    r"\int_{-\infty}^{\infty} e^{-x^2}\,dx = \sqrt{\pi}",
    r"\sum_{n=1}^{\infty} \frac{1}{n^2} = \frac{\pi^2}{6}",
    r"\zeta(2k) = \frac{(-1)^{k+1} B_{2k} (2\pi)^{2k}}{2 (2k)!}",
    r"\lim_{n \to \infty} \left(1 + \frac{1}{n}\right)^n = e",
    # ML
    r"\text{softmax}\!\left(\frac{QK^\top}{\sqrt{d_k}}\right)V",
    r"Q, K \in \mathbb{R}^{n \times d_k}",
    r"\operatorname{softmax}(x)_i = \frac{e^{x_i}}{\sum_j e^{x_j}}",
    r"\mathcal{L}(\theta) = -\frac{1}{N}\sum_{i=1}^N \log p_\theta(y_i \mid x_i)",
    r"\operatorname*{arg\,max}_{\theta} \; \mathbb{E}_{x \sim p}[\log q_\theta(x)]",
    r"D_{\mathrm{KL}}(p \,\|\, q) = \sum_x p(x) \log \frac{p(x)}{q(x)} \geq 0",
    r"\boldsymbol{\theta}_{t+1} = \boldsymbol{\theta}_t - \eta\, \nabla_{\boldsymbol{\theta}} \mathcal{L}",
    r"\hat{y} = \sigma(\mathbf{w}^\top \mathbf{x} + b)",
    r"\sigma'(z) = \sigma(z)\bigl(1 - \sigma(z)\bigr)",
    r"\frac{\partial \mathcal{L}}{\partial W} = \delta\, a^\top",
    r"m_t = \beta_1 m_{t-1} + (1 - \beta_1) g_t",
    r"\hat{v}_t = \frac{v_t}{1 - \beta_2^t}",
    r"\operatorname{LayerNorm}(x) = \gamma \odot \frac{x - \mu}{\sqrt{\sigma^2 + \epsilon}} + \beta",
    r"\operatorname{logsumexp}(x) = m + \log \sum_i e^{x_i - m}",
    r"\mathbb{E}[X] = \int x \, dP(x)",
    r"\operatorname{Var}(X) = \mathbb{E}[X^2] - \mathbb{E}[X]^2",
    r"\mathcal{N}(x; \mu, \sigma^2) = \frac{1}{\sqrt{2\pi\sigma^2}} e^{-\frac{(x-\mu)^2}{2\sigma^2}}",
    r"\nabla \cdot \mathbf{F} = \frac{\partial F_x}{\partial x} + \frac{\partial F_y}{\partial y}",
    r"f(x) \approx f(a) + f'(a)(x - a) + \tfrac{1}{2} f''(a)(x-a)^2",
    r"\mathrm{PE}_{(pos, 2i)} = \sin\!\left(pos / 10000^{2i/d}\right)",
    # structures
    r"\underbrace{a + b + \cdots + z}_{26 \text{ terms}}",
    r"\overbrace{1 + 1 + \cdots + 1}^{n}",
    r"A \xrightarrow{\; f \;} B \xleftarrow{g} C",
    r"\begin{pmatrix} a & b \\ c & d \end{pmatrix}^{-1} = \frac{1}{ad - bc}\begin{pmatrix} d & -b \\ -c & a \end{pmatrix}",
    r"\begin{bmatrix} 1 & 0 \\ 0 & 1 \end{bmatrix}",
    r"\det\begin{vmatrix} a & b \\ c & d \end{vmatrix}",
    r"\operatorname{ReLU}(x) = \begin{cases} x & x > 0 \\ 0 & \text{otherwise} \end{cases}",
    r"\begin{aligned} f(x) &= (x+1)^2 \\ &= x^2 + 2x + 1 \end{aligned}",
    r"\left\langle u, v \right\rangle = \sum_i u_i v_i",
    r"\lfloor x \rfloor \le x < \lceil x \rceil + 1",
    r"\binom{n}{k} = \frac{n!}{k!(n-k)!}",
    r"\sqrt[3]{x} \cdot \frac{\mathrm{d}}{\mathrm{d}x}",
    r"\prod_{i=1}^{n} (1 + x_i) \geq 1 + \sum_i x_i",
    r"\forall \epsilon > 0\; \exists \delta > 0 : |x - a| < \delta \implies |f(x) - f(a)| < \epsilon",
    r"\mathbb{R}, \mathbb{N}, \mathbb{Z}, \mathbb{Q}, \mathbb{C}",
    r"\mathcal{O}(n \log n), \mathfrak{g}, \mathscr{L}",
    r"x \in \{\, y \mid y^2 < 2 \,\}",
    r"\overline{z} \widehat{xyz} \widetilde{ab} \vec{v} \dot{x} \ddot{x}",
    r"\cancel{x}" if False else r"\not\equiv \neq \approx \sim \simeq \cong",
    r"\color{red} x \textcolor{blue}{y}",
    r"\text{if } x \text{ is ``quoted'' -- or not}",
    r"\texttt{code} \quad \textbf{bold} \quad \textit{italic}",
    r"a \bmod b, \; a \pmod{b}, \; \gcd(a, b)",
    r"\int\!\!\int_D f \, dA = \oint_{\partial D} F \cdot dr",
    # tags and macros
    r"E = mc^2 \tag{1}",
    r"a^2 + b^2 = c^2 \tag*{(Pythagoras)}",
    r"\R^n \to \R^m",
    r"\E[\softmax(x)]",
    r"\vx^\top \vx",
    r"\def\half{\frac{1}{2}} \half x",
    r"\begin{gathered} a = b \\ c = d \end{gathered}",
]
DISPLAY_ENVIRONMENTS = [
    "\\begin{align}\na &= b + c \\\\\nd &= e\n\\end{align}",
    "\\begin{gather*}\nx = 1 \\\\\ny = 2\n\\end{gather*}",
    "\\begin{equation}\n\\nabla_\\theta J = \\mathbb{E}[\\nabla_\\theta \\log \\pi_\\theta(a \\mid s) Q(s,a)]\n\\end{equation}",
    "\\begin{alignat}{2}\nx &= 1 &\\quad y &= 2\n\\end{alignat}",
    "\\begin{multline}\na + b + c \\\\\n+ d + e\n\\end{multline}",
]


@pytest.fixture(scope="module")
def config():
    from pelican.settings import read_settings

    return read_config(read_settings(str(ROOT / "pelicanconf.py")))


def render(config, text):
    return render_source(text, config, Store(None))


def test_formula_table_is_long_enough():
    assert len(FORMULAS) + len(DISPLAY_ENVIRONMENTS) >= 60


def test_every_formula_renders_with_mathml_and_its_tex_intact(config):
    def inline_and_display(tex):  # \tag belongs to display math only
        inline = "" if "\\tag" in tex else f"${tex}$ and "
        return f"Formula: {inline}display:\n\n$$\n{tex}\n$$"

    source = "Title: Table\nMacros: \\vx=\\mathbf{x}\n\n" + "\n\n".join(map(inline_and_display, FORMULAS))
    body = render(config, source)
    assert [m.text for m in body.messages] == []
    tree = lxml_html.fromstring(f"<div>{body.html}</div>")
    annotations = [node.text for node in tree.cssselect("annotation[encoding='application/x-tex']")]
    expected = [tex for tex in FORMULAS for _ in range(1 if "\\tag" in tex else 2)]
    assert [a.strip() for a in annotations] == [tex.strip() for tex in expected]
    assert len(tree.cssselect(".katex math")) == len(expected)
    assert not tree.cssselect(".katex-error")


@pytest.mark.parametrize("environment", DISPLAY_ENVIRONMENTS)
def test_display_environments_render(config, environment):
    body = render(config, f"Title: Env\n\n{environment}\n")
    assert body.messages == []
    tree = lxml_html.fromstring(body.html)
    assert tree.cssselect("div.math-display .katex-display math")


def test_typogrify_leaves_math_and_code_alone(config):
    body = render(
        config,
        'Title: T\n\n"Quoted" -- prose with $\\text{"raw" -- quotes}$ and `"code" -- here`.',
    )
    tree = lxml_html.fromstring(body.html)
    assert tree.text_content().startswith("“Quoted” — prose")
    assert tree.cssselect("annotation")[0].text == '\\text{"raw" -- quotes}'
    assert tree.cssselect("code")[0].text == '"code" -- here'


def test_summary_keeps_formulas_whole(config):
    prose = " ".join(f"word{i}" for i in range(55))
    body = render(config, f"Title: T\n\n{prose} $\\frac{{a}}{{b}} + \\sum_i x_i$ and then more words after it.")
    tree = lxml_html.fromstring(f"<div>{body.summary}</div>")
    [formula] = tree.cssselect(".katex")
    assert formula.cssselect("annotation")[0].text == "\\frac{a}{b} + \\sum_i x_i"
    assert body.summary_has_math


def test_summary_from_front_matter_may_contain_math(config):
    body = render(config, "Title: T\nSummary: Why $x^2 \\ge 0$ holds.\n\nBody.")
    assert "Why" in body.summary and 'class="katex"' in body.summary and body.summary_has_math


def test_percent_in_math_warns(config):
    body = render(config, "Title: T\n\nModulo: $m % d = 0$.")
    assert [(m.level, m.line) for m in body.messages] == [("warning", 3)]
    assert "\\%" in body.messages[0].text


def test_tag_mathml_has_no_invalid_width(config):
    body = render(config, "Title: T\n\n$$ E = mc^2 \\tag{1} $$")
    assert 'width="50%"' not in body.html


def test_per_post_macros_do_not_leak(config):
    with_macro = render(config, "Title: A\nMacros: \\foo=x\n\n$\\foo$")
    without = render(config, "Title: B\n\n$\\foo$")
    assert with_macro.messages == []
    assert "Undefined control sequence" in without.messages[0].text


def test_code_blocks_carry_their_language(config):
    body = render(config, 'Title: T\n\n```rust title="main.rs"\nfn main() {}\n```')
    tree = lxml_html.fromstring(body.html)
    [block] = tree.cssselect("div.highlight")
    assert block.get("data-lang") == "rust"
    assert tree.cssselect(".filename")[0].text == "main.rs"


@pytest.mark.parametrize("language", ["python", "bash", "json", "yaml", "c", "cpp", "cuda", "rust", "js", "text"])
def test_code_languages_highlight(config, language):
    body = render(config, f"Title: T\n\n```{language}\nx = 1 // {{}} # \"s\"\n```")
    tree = lxml_html.fromstring(body.html)
    assert tree.cssselect(f"div.highlight[data-lang='{language}'] pre code")
    if language != "text":
        assert tree.cssselect("pre code span[class]"), html.escape(body.html)


@pytest.mark.parametrize("tex", [r"\lambda_{\max}", r"x^{\min}", r"\sigma_{\operatorname{rank}}"])
def test_scripts_have_two_children_in_mathml(config, tex):
    body = render(config, f"Title: T\n\n${tex}$")
    tree = lxml_html.fromstring(body.html)
    for script in tree.cssselect("msub, msup"):
        assert len(script) == 2, lxml_html.tostring(script)
