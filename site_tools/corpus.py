"""A deterministic synthetic corpus for the benchmark: ML/maths posts with prose, math, code and tables.

`write_corpus(folder, posts, seed=0)` writes folder/posts/post-NNNN.md and folder/pages/about.md.
Each post has about 1,500 words of prose, about 12 inline formulas and 3 display formulas (one a
numbered `align` with a `\\label` that the prose cites with `\\eqref`), 2-3 fenced code blocks, a
table, a footnote and 3-8 tags; a fifth of the posts belong to a series, half have a Summary, a
third are in the home collection (folder/collections.toml) with a topic line.
Every formula is valid KaTeX once its `\\label` is taken out (KaTeX has no `\\label`; the
project's numbering pass removes it, MathJax reads it).

Formulas repeat about as often as in real writing: `distinct` (default 0.6, as in a real ML blog's
5,180 formulas, 61% distinct) is the share of all formulas that are distinct strings. Each formula
is drawn from the templates below; when the corpus needs a new one and the draw was seen before, it
is varied (a symbol renamed, an index shifted, a constant changed, a term added) until it is new;
when it needs a repeat, an earlier formula is used again, most often one of the same post.
"""

import datetime
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

# --- Words -----------------------------------------------------------------------------------------
NOUNS = """gradient, estimator, model, loss, optimiser, network, layer, activation, embedding,
kernel, matrix, vector, sample, batch, posterior, prior, likelihood, objective, regulariser,
step size, baseline, dataset, feature, classifier, encoder, decoder, residual, variance, bias,
update, schedule, distribution, projection, eigenvalue, norm, bound, approximation, iterate,
trajectory, minimum, saddle point, curvature, tokenizer, attention head, logit, weight decay,
momentum term, learning signal, representation, Jacobian, Hessian, margin""".replace("\n", " ").split(", ")
ADJECTIVES = """stochastic noisy smooth convex sparse dense stable unbiased deep shallow linear
nonlinear empirical expected small large careful naive standard diagonal low-rank robust
well-conditioned ill-conditioned adaptive greedy exact approximate hidden visible local global""".split()
VERBS = """controls bounds approximates dominates shapes reduces stabilises amplifies dampens
explains determines constrains smooths rescales perturbs regularises drives limits""".split()
WE_VERBS = """estimate compute derive bound rewrite average differentiate simplify expand
factor normalise sample compare plot measure revisit""".split()
ADVERBS = """quickly slowly smoothly rarely usually quietly sharply gradually noticeably exactly
roughly surprisingly predictably""".split()
CONNECTORS = ["However,", "In practice,", "Intuitively,", "More precisely,", "As a result,",
              "For this reason,", "In other words,", "On the other hand,", "Crucially,", "Typically,",
              "In the limit,", "By contrast,", "Seen this way,", "Put differently,"]
PREPOSITIONS = ["with", "against", "through", "under", "across", "over", "without"]
TOPICS = """gradient descent, backpropagation, the softmax function, cross-entropy, KL divergence,
Jensen's inequality, variational inference, the Adam optimiser, batch normalisation, attention,
linear regression, logistic regression, weight decay, the log-sum-exp trick, eigenvalues,
singular value decomposition, Gaussian processes, Monte Carlo estimators, the reparameterisation
trick, mixture models, the EM algorithm, kernel methods, convex duality, learning-rate schedules,
residual networks, dropout, layer normalisation, contrastive learning, policy gradients,
Bayesian linear regression""".replace("\n", " ").split(", ")
TITLE_PATTERNS = [
    "{Adj} notes on {topic}", "A closer look at {topic}", "Why {topic} works",
    "{topic_cap} from scratch", "What {topic} really computes", "Deriving {topic} by hand",
    "{topic_cap}, revisited", "Three views of {topic}", "Debugging {topic}",
]
TAGS = """machine-learning optimisation probability statistics linear-algebra calculus python numpy
pytorch deep-learning information-theory bayesian inference convexity gradients backpropagation
transformers attention regularisation generalisation numerics stability kernels sampling
monte-carlo variational-inference em-algorithm matrix-calculus eigenvalues svd gaussian-processes
reinforcement-learning policy-gradients normalisation embeddings loss-functions derivations
proofs notes tutorials reading-notes""".split()
# The home collection (collection_page): five sections, one with two groups, as on the notes site.
COLLECTION_SECTIONS = [
    ("Deep Dives", "🔧", "Step-by-step derivations, refined expositions", []),
    ("Notes", "🔨", "Summaries of important phenomena and models", []),
    ("Math Proofs", "🧮", "Proving cool math theorems", []),
    ("Exploratory Notes", "🌱", "Raw notes, incomplete thoughts and ongoing learning", ["Mathematics", "Computer Science"]),
    ("Margins", "", "A small subset of my many thoughts", []),
]
# The first five Deep Dives (posts 1, 16, 31, ...) are listed in the data file, newest first (an
# explicit order); the other members join by their `Collection:` field and are listed by date.
LISTED_DEEP_DIVES = [1 + 3 * len(COLLECTION_SECTIONS) * k for k in range(5)]
SERIES = ["Backpropagation from scratch", "Optimisers, one at a time", "Probability for ML",
          "Linear algebra refreshers", "Variational methods", "Attention in detail"]

# --- Formulas: `@name` is a slot filled per formula, so posts differ while staying realistic -------
SLOTS = {
    "i": ["i", "j", "k"], "n": ["n", "N", "m", "d", "K"], "x": ["x", "z", "h", "u", "v"],
    "w": [r"\theta", "w", r"\phi", r"\beta"], "f": ["f", "g", r"\varphi", "h"],
    "p": ["p", "q", r"\pi", r"p_{\theta}"], "L": [r"\mathcal{L}", "J", r"\ell", "R"],
    "eta": [r"\eta", r"\alpha", r"\gamma"], "a": ["0.1", "0.5", "0.9", "0.01", "2"],
    "k": ["2", "3", "4", "8", "10"],
}
INLINE = [
    r"@n", r"@x_{@i}", r"@w", r"@L(@w)", r"@x \in \mathbb{R}^{@n}", r"\sum_{@i=1}^{@n} @x_{@i}^2",
    r"\frac{\partial @L}{\partial @w}", r"\mathbb{E}_{@x \sim @p}\left[@f(@x)\right]",
    r"\operatorname{softmax}(z)_{@i} = \frac{e^{z_{@i}}}{\sum_{c} e^{z_{c}}}", r"\lVert @w \rVert_2^2",
    r"D_{\mathrm{KL}}(p \,\Vert\, q)", r"\nabla_{@w} @L(@w)", r"@w_{t+1} = @w_t - @eta \nabla @L(@w_t)",
    r"\mathcal{N}(\mu, \sigma^2)", r"\sigma(@x) = \frac{1}{1 + e^{-@x}}", r"O(@n \log @n)",
    r"\operatorname{tr}(A^\top B)", r"\log @p(@x)", r"@eta = @a", r"\hat{y}_{@i} = @f(w^\top @x_{@i} + b)",
    r"\operatorname{rank}(A) \le @n", r"\sigma'(@x) = \sigma(@x)\bigl(1 - \sigma(@x)\bigr)",
    r"\mathbb{P}(X > @a)", r"\operatorname{Var}[X] = \mathbb{E}[X^2] - \mathbb{E}[X]^2",
    r"\{(@x_{@i}, y_{@i})\}_{@i=1}^{@n}", r"\arg\max_{c} @p(c \mid @x)", r"\binom{@n}{@k}",
    r"1/\sqrt{@n}", r"\beta_1 = 0.9", r"A = U \Sigma V^\top", r"\lambda_{\max}(H)", r"e^{-@a t}",
]
DISPLAY = [
    r"\operatorname{softmax}(\mathbf{z})_{@i} = \frac{\exp(z_{@i})}{\sum_{j=1}^{@n} \exp(z_{j})}",
    r"@L(@w) = -\frac{1}{@n} \sum_{@i=1}^{@n} \Bigl[ y_{@i} \log \hat{y}_{@i}"
    r" + (1 - y_{@i}) \log (1 - \hat{y}_{@i}) \Bigr]",
    r"\mathcal{N}(@x \mid \mu, \sigma^2) = \frac{1}{\sqrt{2\pi\sigma^2}}"
    r" \exp\left(-\frac{(@x - \mu)^2}{2\sigma^2}\right)",
    r"H = \begin{pmatrix} \frac{\partial^2 @f}{\partial @x_1^2}"
    r" & \frac{\partial^2 @f}{\partial @x_1 \partial @x_2}"
    r" \\ \frac{\partial^2 @f}{\partial @x_2 \partial @x_1}"
    r" & \frac{\partial^2 @f}{\partial @x_2^2} \end{pmatrix}",
    r"\operatorname{ReLU}(@x) = \begin{cases} @x & \text{if } @x > 0, \\ 0 & \text{otherwise.} \end{cases}",
    r"D_{\mathrm{KL}}(p \,\Vert\, q) = \sum_{@x} p(@x) \log \frac{p(@x)}{q(@x)} \ge 0",
    r"\hat{m}_t = \frac{m_t}{1 - \beta_1^t}, \qquad \hat{v}_t = \frac{v_t}{1 - \beta_2^t}",
    r"@f\bigl(\mathbb{E}[X]\bigr) \le \mathbb{E}\bigl[@f(X)\bigr]",
    r"\log \sum_{@i=1}^{@n} e^{@x_{@i}} = m + \log \sum_{@i=1}^{@n} e^{@x_{@i} - m},"
    r" \quad m = \max_{@i} @x_{@i}",
    r"\begin{bmatrix} @a & 1 \\ 0 & @a \end{bmatrix}^{@k}"
    r" = \begin{bmatrix} @a^{@k} & @k \cdot @a^{@k-1} \\ 0 & @a^{@k} \end{bmatrix}",
    r"\operatorname{Attention}(Q, K, V) = \operatorname{softmax}\left(\frac{Q K^\top}{\sqrt{d_k}}\right) V",
    r"p(\theta \mid \mathcal{D}) = \frac{p(\mathcal{D} \mid \theta)\, p(\theta)}"
    r"{\int p(\mathcal{D} \mid \theta')\, p(\theta')\, d\theta'}",
    r"\frac{\partial @L}{\partial W} = \sum_{@i=1}^{@n} \delta_{@i} \, @x_{@i}^\top",
]
ALIGNS = [  # (label stem, environment body); the label goes on the row marked LABEL
    ("loss", r"@L(@w) &= \frac{1}{2@n} \lVert X @w - y \rVert_2^2 LABEL \\"
             "\n" r"\nabla_{@w} @L(@w) &= \frac{1}{@n} X^\top (X @w - y)"),
    ("elbo", r"\log p(@x) &= \log \int p(@x, z)\, dz \\"
             "\n" r"&\ge \mathbb{E}_{q(z)}\left[\log \frac{p(@x, z)}{q(z)}\right] LABEL"),
    ("update", r"m_t &= \beta_1 m_{t-1} + (1 - \beta_1)\, g_t \\"
               "\n" r"v_t &= \beta_2 v_{t-1} + (1 - \beta_2)\, g_t^2 \\"
               "\n" r"@w_t &= @w_{t-1} - @eta \frac{\hat{m}_t}{\sqrt{\hat{v}_t} + \epsilon} LABEL"),
    ("variance", r"\operatorname{Var}[X] &= \mathbb{E}\bigl[(X - \mathbb{E}[X])^2\bigr] \\"
                 "\n" r"&= \mathbb{E}[X^2] - \mathbb{E}[X]^2 LABEL"),
    ("chain", r"\frac{\partial @L}{\partial @x_{@i}} &= \sum_{j} \frac{\partial @L}{\partial z_j}"
              r" \frac{\partial z_j}{\partial @x_{@i}} LABEL \\"
              "\n" r"&= \sum_{j} \delta_j W_{j@i}"),
]
MATH_SENTENCES = [
    "We write {m} for the {noun} throughout.", "Recall that {m}, so the {noun} {verb} the {noun2}.",
    "{conn} the {adj} {noun} is {m}, which {verb} the {noun2} {adverb}.",
    "Plugging in {m} gives {a_adj} {noun}.", "The {noun} depends on {m} only through the {noun2}.",
    "With {m} fixed, we {weverb} the {noun} {prep} the {noun2}.",
    "In code, {m} is one line, but the {noun} hides {a_adj} {noun2}.",
]

# --- Code blocks: str.format templates, so literal braces are doubled --------------------------------
PYTHON = [
    """import numpy as np


def {name}(x, axis=-1):
    \"\"\"{doc}\"\"\"
    z = x - x.max(axis=axis, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=True)
""",
    """def {name}(params, grads, lr={lr}):
    for p, g in zip(params, grads):
        p -= lr * g
    return params


for epoch in range({epochs}):
    loss = train_one_epoch(model, loader)
    print(f"epoch {{epoch}}: loss {{loss:.4f}}")
""",
    """import torch

x = torch.randn({batch}, {dim}, requires_grad=True)
y = (x ** 2).sum()
y.backward()
assert torch.allclose(x.grad, 2 * x)  # {doc}
""",
]
BASH = [
    """python -m venv .venv
source .venv/bin/activate
pip install numpy torch
python train.py --lr {lr} --epochs {epochs}
""",
    """export DATA_DIR="$HOME/data/{name}"
mkdir -p "${{DATA_DIR}}"
python prepare.py --out data/{name} --seed {seed}
""",
]
JSON = [
    """{{
  "model": "{name}",
  "learning_rate": {lr},
  "epochs": {epochs},
  "batch_size": {batch},
  "optimizer": {{"name": "adam", "betas": [0.9, 0.999]}}
}}
""",
]
OPTIMISERS = ["SGD", "SGD + momentum", "Adam", "AdamW", "RMSprop", "Adagrad", "Lion"]


# --- Varying a formula: each function returns the formula changed in one place, or None ----------
# A lower-case letter standing alone: not part of a command or a word, not a sub- or superscript.
_VARIABLE_RE = re.compile(r"(?<![\\a-zA-Z_^])[a-z](?![a-zA-Z])")
_SUBSCRIPT_RE = re.compile(r"_\{([a-z])\}|_([a-z])(?![a-zA-Z])")
_NUMBER_RE = re.compile(r"(?<![\w.^])\d+(?:\.\d+)?(?![\w.])")
NEW_SYMBOLS = ["a", "b", "c", "r", "s", "t", "u", "v", "y", r"\xi", r"\zeta", r"\omega", r"\tau",
               r"\rho", r"\nu", r"\lambda", r"\mu"]
INDEX_SHIFTS = ["{index}+1", "{index}-1", "{index}'", "{index},t", "2{index}", "{index}+k"]
NEW_INDICES = ["_{t}", "_{0}", "_{k}", "^{(k)}", "^{(t)}", "_{\\star}", "^{\\prime}"]
EXTRA_TERMS = [r" + \epsilon", r" + \lambda \lVert @w \rVert^2", r", \quad t \ge @k", r" + O(@n^{-1})",
               r" \cdot @a", r" - \tfrac{1}{@k}", r" + \mathcal{O}(@eta^2)", r", \quad @i \le @n"]


def rename_symbol(rng: random.Random, tex: str) -> str | None:
    letters = sorted({match.group() for match in _VARIABLE_RE.finditer(tex)})
    if not letters:
        return None
    old = rng.choice(letters)
    new = rng.choice([symbol for symbol in NEW_SYMBOLS if symbol not in tex] or NEW_SYMBOLS)
    new = f"{{{new}}}" if new.startswith("\\") else new  # `x_\xi` and `2\xi` stay one token
    return _VARIABLE_RE.sub(lambda match: new if match.group() == old else match.group(), tex)


def shift_index(rng: random.Random, tex: str) -> str | None:
    """An index changed (`x_{i}` to `x_{i+1}`), or one added to a letter that has none."""
    subscripts = list(_SUBSCRIPT_RE.finditer(tex))
    if subscripts:
        match = rng.choice(subscripts)
        index = match.group(1) or match.group(2)
        shifted = "_{" + rng.choice(INDEX_SHIFTS).format(index=index) + "}"
        return tex[: match.start()] + shifted + tex[match.end():]
    letters = [match for match in _VARIABLE_RE.finditer(tex) if tex[match.end():match.end() + 1] not in "_^'"]
    if not letters:
        return None
    match = rng.choice(letters)
    return tex[: match.end()] + rng.choice(NEW_INDICES) + tex[match.end():]


def change_constant(rng: random.Random, tex: str) -> str | None:
    numbers = list(_NUMBER_RE.finditer(tex))
    if not numbers:
        return None
    match = rng.choice(numbers)
    value = str(rng.randint(2, 64)) if rng.random() < 0.5 else f"0.{rng.randint(1, 99):02d}"
    return tex[: match.start()] + value + tex[match.end():]


def add_term(rng: random.Random, tex: str) -> str:
    return tex + fill(rng, rng.choice(EXTRA_TERMS))


VARIATIONS = [rename_symbol, shift_index, change_constant, add_term]


def vary(rng: random.Random, tex: str) -> str:
    """`tex` changed in one place, by one of the variations that applies to it."""
    for variation in rng.sample(VARIATIONS, len(VARIATIONS)):
        varied = variation(rng, tex)
        if varied is not None and varied != tex:
            return varied
    return add_term(rng, tex)


@dataclass
class FormulaMix:
    """Keeps the share of distinct formulas of the corpus written so far at `share`."""

    rng: random.Random
    share: float
    uses: dict[str, int] = field(default_factory=dict)  # every formula written so far, how often
    reusable: dict[bool, list[str]] = field(default_factory=lambda: {False: [], True: []})  # by display
    total: int = 0

    def record(self, tex: str, display: bool, reusable: bool = True) -> str:
        self.uses[tex] = self.uses.get(tex, 0) + 1
        self.total += 1
        if reusable:  # one entry a use: a formula used often is picked often, as in real writing
            self.reusable[display].append(tex)
        return tex

    def choose(self, drawn: str, display: bool, same_post: list[str]) -> str:
        """`drawn`, a variation of it that is new, or an earlier formula (of `same_post`, mostly)."""
        wants_new = len(self.uses) < self.share * (self.total + 1)
        if wants_new:
            tex, tries = drawn, 0
            while tex in self.uses:
                tries += 1
                tex = vary(self.rng, tex) if tries < 20 else f"{drawn} + c_{{{len(self.uses)}}}"
            return self.record(tex, display)
        if drawn not in self.uses and (same_post or self.reusable[display]):
            local = bool(same_post) and self.rng.random() < 0.7
            drawn = self.rng.choice(same_post if local else self.reusable[display])
        return self.record(drawn, display)


@dataclass
class Post:
    """One post as it is being written: its lines and the formulas it contains."""

    rng: random.Random
    mix: FormulaMix
    lines: list[str] = field(default_factory=list)
    formulas: list[tuple[str, bool]] = field(default_factory=list)  # (tex, display)

    def reusable(self, display: bool) -> list[str]:
        """This post's formulas of one kind that may appear twice (a `\\label` may not)."""
        return [tex for tex, kind in self.formulas if kind == display and "\\label" not in tex]


@dataclass
class CorpusStats:
    posts: int
    words: int
    formulas: list[tuple[str, bool]]  # every formula as written, (tex, display)

    @property
    def distinct(self) -> int:
        """Formulas that differ as strings (the same TeX inline and displayed counts once)."""
        return len({tex for tex, _ in self.formulas})

    @property
    def distinct_share(self) -> float:
        return self.distinct / max(len(self.formulas), 1)

    @property
    def inline(self) -> int:
        return sum(1 for _, display in self.formulas if not display)

    @property
    def display(self) -> int:
        return sum(1 for _, display in self.formulas if display)


def fill(rng: random.Random, template: str) -> str:
    """Replace each `@slot` with a value chosen once per formula: `@i` is the same index throughout."""
    chosen = {}
    return re.sub(r"@([a-zA-Z]+)", lambda m: chosen.setdefault(m.group(1), rng.choice(SLOTS[m.group(1)])),
                  template)


def inline_formula(post: Post) -> str:
    tex = post.mix.choose(fill(post.rng, post.rng.choice(INLINE)), False, post.reusable(False))
    post.formulas.append((tex, False))
    return f"${tex}$"


def display_formula(post: Post) -> str:
    tex = post.mix.choose(fill(post.rng, post.rng.choice(DISPLAY)), True, post.reusable(True))
    return display_block(post, tex)


def display_block(post: Post, tex: str) -> str:
    post.formulas.append((tex, True))
    return f"$$\n{tex}\n$$"


def with_article(word: str) -> str:
    return ("an " if word[0] in "aeiou" else "a ") + word


def words_of(rng: random.Random) -> dict:
    adjective = rng.choice(ADJECTIVES)
    return {
        "noun": rng.choice(NOUNS), "noun2": rng.choice(NOUNS), "adj": adjective,
        "a_adj": with_article(adjective), "verb": rng.choice(VERBS), "weverb": rng.choice(WE_VERBS),
        "adverb": rng.choice(ADVERBS), "conn": rng.choice(CONNECTORS), "prep": rng.choice(PREPOSITIONS),
        "n": rng.randint(2, 12),
    }


PROSE_SENTENCES = [
    "The {adj} {noun} {verb} the {noun2} {adverb}.",
    "{conn} we {weverb} the {noun} {prep} {a_adj} {noun2}.",
    "{A_adj} {noun} {verb} the {noun2}, and the {noun2} in turn {verb} the {noun}.",
    "This is why the {noun} matters: it {verb} the {adj} {noun2}.",
    "{conn} the {noun} {verb} the {noun2} once the {adj} {noun} is tuned {adverb}.",
    "If we {weverb} the {noun} first, the {adj} {noun2} {verb} everything else.",
    "Nothing here is deep, but the {adj} {noun} {verb} how we {weverb} the {noun2}.",
    "It is tempting to ignore the {noun}; in our runs it {verb} the {noun2} within {n} steps.",
    "We will {weverb} the {noun} again in section {n}, where the {adj} case appears.",
    "Why does the {noun} behave like this?",
    "The short answer is that the {noun2} {verb} it, and {adverb} so.",
    "{conn} a model with {n} layers makes the {adj} {noun} easy to see.",
    "Keep an eye on the {noun}: when it drifts, the {noun2} {verb} the whole {adj} picture.",
    "Most textbooks {weverb} the {noun} with {a_adj} {noun2}, and we follow them.",
]


def prose_sentence(rng: random.Random) -> str:
    w = words_of(rng)
    return rng.choice(PROSE_SENTENCES).format(A_adj=w["a_adj"].capitalize(), **w)


def math_sentence(post: Post) -> str:
    w = words_of(post.rng)
    return post.rng.choice(MATH_SENTENCES).format(m=inline_formula(post), **w)


def paragraph(post: Post, formulas: int, extra: str = "") -> str:
    sentences = [prose_sentence(post.rng) for _ in range(post.rng.randint(4, 7))]
    for _ in range(formulas):
        sentences.insert(post.rng.randint(0, len(sentences)), math_sentence(post))
    if extra:
        sentences.insert(post.rng.randint(1, len(sentences)), extra)
    return " ".join(sentences)


def code_block(rng: random.Random, language: str) -> str:
    template = rng.choice({"python": PYTHON, "bash": BASH, "json": JSON}[language])
    values = {
        "name": rng.choice(["softmax", "sgd_step", "prepare", "normalise", "run_epoch", "mlp"]),
        "doc": prose_sentence(rng), "lr": rng.choice(["0.1", "0.01", "0.001", "3e-4"]),
        "epochs": rng.randint(5, 100), "batch": rng.choice([16, 32, 64, 128]),
        "dim": rng.choice([8, 32, 128]), "seed": rng.randint(0, 9999),
    }
    return f"```{language}\n{template.format(**values)}```"


def table(post: Post) -> str:
    rng = post.rng
    post.formulas.append((post.mix.record("\\eta", False), False))
    rows = ["| Optimiser | $\\eta$ | Epochs | Test accuracy |", "|---|---:|---:|---:|"]
    for name in rng.sample(OPTIMISERS, rng.randint(3, 5)):
        rows.append(f"| {name} | {rng.choice(['0.1', '0.01', '3e-4'])} | {rng.randint(5, 90)} "
                    f"| {rng.uniform(80, 99):.1f}% |")
    return "\n".join(rows)


def align_block(post: Post, index: int) -> tuple[str, str]:
    """A numbered `align` with one `\\label`, and the label."""
    stem, body = post.rng.choice(ALIGNS)
    label = f"eq:{stem}-{index}"
    body = fill(post.rng, body).replace("LABEL", f"\\label{{{label}}}")
    tex = post.mix.record(f"\\begin{{align}}\n{body}\n\\end{{align}}", True, reusable=False)
    return display_block(post, tex), label


def heading(rng: random.Random) -> str:
    pattern = rng.choice(["The {adj} {noun}", "Where the {noun} comes from", "A {noun} example",
                          "Checking the {noun} numerically", "From {noun} to {noun2}"])
    return "## " + pattern.format(**words_of(rng)).capitalize()


def body(post: Post, index: int) -> list[str]:
    """The post's blocks, in order; about 1,500 words."""
    rng = post.rng
    target_words = rng.randint(1000, 1300)  # the rest is in the extras
    # ~12 inline formulas: the first paragraph, the table and the eqref paragraph hold one each.
    inline_left = rng.randint(11, 15) - 3
    align, label = align_block(post, index)
    languages = ["python", rng.choice(["bash", "json"])] + (["python"] if rng.random() < 0.5 else [])
    extras = [
        display_formula(post), code_block(rng, languages[0]),
        heading(rng), align, paragraph(post, 1, f"Together with \\eqref{{{label}}}, this settles it."),
        table(post), code_block(rng, languages[1]), heading(rng),
        display_formula(post),
    ] + [code_block(rng, language) for language in languages[2:]]
    blocks = [paragraph(post, 1), heading(rng)]
    words, footnote_placed = 0, False
    while words < target_words or extras:
        formulas = 1 if inline_left and rng.random() < 0.55 else 0
        inline_left -= formulas
        note = "" if footnote_placed else "This detail is easy to miss.[^detail]"
        footnote_placed = True
        text = paragraph(post, formulas, note)
        words += len(text.split())
        blocks.append(text)
        if extras and rng.random() < 0.75:
            blocks.append(extras.pop(0))
    blocks.append("[^detail]: " + prose_sentence(rng) + " " + prose_sentence(rng))
    return blocks


def series_fields(index: int) -> list[str]:
    """Every fifth post is in a series of four parts; names repeat with a number after six series."""
    if index % 5:
        return []
    number = index // 5 // 4  # the how-manyth series
    name = f"{SERIES[number % len(SERIES)]} ({number // len(SERIES) + 1})"
    return [f"Series: {name}", f"Series_index: {index // 5 % 4 + 1}"]


def collection_place(index: int) -> str | None:
    """Every third post joins the home collection, the sections taking turns (no random draws, so
    the rest of the corpus is the same as without collections)."""
    if index % 3 != 1:
        return None
    turn = index // 3
    title, _, _, groups = COLLECTION_SECTIONS[turn % len(COLLECTION_SECTIONS)]
    if groups:
        return f"{title} / {groups[turn // len(COLLECTION_SECTIONS) % len(groups)]}"
    return title


def collection_fields(index: int, tags: list[str]) -> list[str]:
    """`Collection:` (or nothing: the first Deep Dives join through the data file), `Topics:` from
    the tags, and a `Blurb:` on every other member (the others use the summary's first sentence)."""
    place = collection_place(index)
    if place is None:
        return []
    lines = [] if index in LISTED_DEEP_DIVES else [f"Collection: {place}"]
    lines.append("Topics: " + ", ".join(tag.replace("-", " ") for tag in tags[:2]))
    if index % 2:
        lines.append(f"Blurb: A note on {tags[0].replace('-', ' ')}, in one sentence.")
    return lines


def collections_toml(posts: int) -> str:
    """content/collections.toml: the home collection and its sections."""
    lines = ['[notes]', 'title = "Notes"', 'home = true',
             'intro = "A collection of notes on mathematics, machine learning and code."']
    for title, emoji, intro, groups in COLLECTION_SECTIONS:
        lines += ["", "[[notes.sections]]", f'title = "{title}"', f'emoji = "{emoji}"', f'intro = "{intro}"']
        if title == "Deep Dives":
            listed = ", ".join(f'"posts/post-{index:04d}.md"' for index in reversed(LISTED_DEEP_DIVES) if index < posts)
            lines.append(f"entries = [{listed}]")
        for group in groups:
            lines += ["", "[[notes.sections.groups]]", f'title = "{group}"']
    return "\n".join(lines) + "\n"


def front_matter(rng: random.Random, index: int, title: str, date: datetime.datetime,
                 post: Post) -> list[str]:
    tags = rng.sample(TAGS, rng.randint(3, 8))
    lines = [f"Title: {title}", f"Date: {date:%Y-%m-%d %H:%M}", "Tags: " + ", ".join(tags)]
    lines += series_fields(index)
    lines += collection_fields(index, tags)
    if rng.random() < 0.5:
        lines.append(f"Summary: {prose_sentence(rng)} {math_sentence(post)}")
    return lines


def unique_title(rng: random.Random, seen: set[str]) -> str:
    while True:
        topic = rng.choice(TOPICS)
        title = rng.choice(TITLE_PATTERNS).format(
            Adj=rng.choice(ADJECTIVES).capitalize(), topic=topic, topic_cap=topic[0].upper() + topic[1:]
        )
        if title in seen:
            title = f"{title}, part {sum(t.startswith(title) for t in seen) + 1}"
        if title not in seen:
            seen.add(title)
            return title


def post_date(rng: random.Random, index: int, posts: int) -> datetime.datetime:
    """Posts spread evenly from 2014 to 2025, in file order (so series parts come in order)."""
    start, span = datetime.datetime(2014, 1, 6, 9, 0), datetime.timedelta(days=365 * 12)
    return start + span * index / max(posts, 1) + datetime.timedelta(minutes=rng.randint(0, 600))


def write_post(path: Path, mix: FormulaMix, index: int, posts: int, seen: set[str]) -> Post:
    rng = mix.rng
    post = Post(rng, mix)
    header = front_matter(rng, index, unique_title(rng, seen), post_date(rng, index, posts), post)
    path.write_text("\n".join(header) + "\n\n" + "\n\n".join(body(post, index)) + "\n", encoding="utf-8")
    return post


DEFAULT_DISTINCT = 0.6


def write_corpus(folder, posts: int, seed: int = 0, distinct: float = DEFAULT_DISTINCT) -> CorpusStats:
    """Write `posts` posts and an About page under `folder`, about `distinct` of their formulas
    distinct strings; the same seed and share write the same files."""
    if not 0 < distinct <= 1:
        raise ValueError(f"the share of distinct formulas must be above 0 and at most 1, not {distinct}")
    folder = Path(folder)
    rng = random.Random(seed)
    mix = FormulaMix(rng, distinct)
    (folder / "posts").mkdir(parents=True, exist_ok=True)
    (folder / "pages").mkdir(parents=True, exist_ok=True)
    seen: set[str] = set()
    formulas, words = [], 0
    for index in range(posts):
        path = folder / "posts" / f"post-{index:04d}.md"
        post = write_post(path, mix, index, posts, seen)
        formulas += post.formulas
        words += len(path.read_text(encoding="utf-8").split())
    (folder / "collections.toml").write_text(collections_toml(posts), encoding="utf-8")
    about = " ".join(prose_sentence(rng) for _ in range(12))
    (folder / "pages" / "about.md").write_text(f"Title: About\n\n{about}\n", encoding="utf-8")
    return CorpusStats(posts, words, formulas)


# --- Citations: a large .bib file and posts that cite from it ----------------------------------------

SURNAMES = """Vaswani Shazeer Parmar He Zhang Ren Sun Kingma Ba Welling Goodfellow Bengio Courville
Hinton LeCun Rumelhart Williams Sutskever Krizhevsky Graves Schmidhuber Hochreiter Loshchilov Hutter
Gödel Euler Jensen Kullback Leibler Cover Thomas Dao Ermon Rudra Ré Higgins Mohamed Lerchner""".split()
FIRST_NAMES = "Ada Ashish Noam Kaiming Diederik Jimmy Ian Yoshua Geoffrey Yann Łukasz Tri Irina Maxim".split()
VENUES = ["Advances in Neural Information Processing Systems", "International Conference on Machine Learning",
          "International Conference on Learning Representations", "Journal of Machine Learning Research",
          "Annals of Statistics", "Proceedings of the {IEEE} Conference on Computer Vision"]


LATEX_ACCENTS = {"ö": r'{\"o}', "é": r"{\'e}", "Ł": r"{\L}"}


def latex_accents(name: str) -> str:
    return "".join(LATEX_ACCENTS.get(character, character) for character in name)


def bib_entry(rng: random.Random, key: str) -> str:
    """One entry with what real .bib files hold: several authors (some with LaTeX accents),
    protected words, an en dash, sometimes math in the title, a DOI or a URL."""
    authors = " and ".join(f"{latex_accents(rng.choice(SURNAMES))}, {latex_accents(rng.choice(FIRST_NAMES))}"
                           for _ in range(rng.randint(1, 6)))
    title = f"{rng.choice(ADJECTIVES).capitalize()} {rng.choice(TOPICS)} with {{GPUs}}"
    if rng.random() < 0.2:
        title += r" and $\alpha$-stable noise"
    year = rng.randint(1950, 2025)
    first = rng.randint(1, 900)
    link = f"doi = {{10.5555/{key}}}" if rng.random() < 0.6 else f"url = {{https://arxiv.org/abs/{key}}}"
    return (f"@inproceedings{{{key},\n  author = {{{authors}}},\n  title = {{{title}}},\n"
            f"  booktitle = {{{rng.choice(VENUES)}}},\n  pages = {{{first}--{first + rng.randint(5, 20)}}},\n"
            f"  year = {{{year}}},\n  {link},\n}}\n")


def write_citations(folder, citing_posts: int, entries: int = 2000, seed: int = 0) -> int:
    """folder/refs/bench.bib with `entries` entries, and a paragraph citing four of them (one with a
    page) appended to each of the first `citing_posts` posts. Returns how many posts cite."""
    folder = Path(folder)
    rng = random.Random(seed)
    keys = [f"work{number:05d}" for number in range(entries)]
    (folder / "refs").mkdir(parents=True, exist_ok=True)
    (folder / "refs" / "bench.bib").write_text("\n".join(bib_entry(rng, key) for key in keys), encoding="utf-8")
    posts = sorted((folder / "posts").glob("*.md"))[:citing_posts]
    for path in posts:
        a, b, c, d = rng.sample(keys, 4)
        with path.open("a", encoding="utf-8") as post:
            post.write(f"\nEarlier work [@{a}] and two follow-ups [@{b}; @{c}] set this up [@{d}, p. 7].\n")
    return len(posts)
