"""TeX as plain text, for where HTML cannot go: `<title>`, feeds, meta tags (math in titles).

A reading aid, not a renderer: common symbols become their Unicode characters, `\\frac{a}{b}`
becomes a/b, simple scripts become superscript or subscript characters, and any other command
is dropped to its argument or its name.
"""

import re

SYMBOLS = {
    **{name: chr(code) for name, code in (
        ("alpha", 0x3B1), ("beta", 0x3B2), ("gamma", 0x3B3), ("delta", 0x3B4), ("epsilon", 0x3F5),
        ("varepsilon", 0x3B5), ("zeta", 0x3B6), ("eta", 0x3B7), ("theta", 0x3B8), ("vartheta", 0x3D1),
        ("iota", 0x3B9), ("kappa", 0x3BA), ("lambda", 0x3BB), ("mu", 0x3BC), ("nu", 0x3BD), ("xi", 0x3BE),
        ("pi", 0x3C0), ("rho", 0x3C1), ("sigma", 0x3C3), ("tau", 0x3C4), ("upsilon", 0x3C5),
        ("phi", 0x3D5), ("varphi", 0x3C6), ("chi", 0x3C7), ("psi", 0x3C8), ("omega", 0x3C9),
        ("Gamma", 0x393), ("Delta", 0x394), ("Theta", 0x398), ("Lambda", 0x39B), ("Xi", 0x39E),
        ("Pi", 0x3A0), ("Sigma", 0x3A3), ("Phi", 0x3A6), ("Psi", 0x3A8), ("Omega", 0x3A9),
    )},
    "infty": "∞", "partial": "∂", "nabla": "∇", "sum": "∑", "prod": "∏", "int": "∫", "sqrt": "√",
    "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "neq": "≠", "ne": "≠", "approx": "≈", "sim": "∼",
    "equiv": "≡", "propto": "∝", "cdot": "·", "times": "×", "div": "÷", "pm": "±", "mp": "∓",
    "to": "→", "rightarrow": "→", "leftarrow": "←", "mapsto": "↦", "Rightarrow": "⇒", "implies": "⇒",
    "iff": "⇔", "in": "∈", "notin": "∉", "subset": "⊂", "subseteq": "⊆", "cup": "∪", "cap": "∩",
    "forall": "∀", "exists": "∃", "emptyset": "∅", "neg": "¬", "land": "∧", "lor": "∨",
    "ldots": "…", "cdots": "⋯", "dots": "…", "top": "⊤", "perp": "⊥", "circ": "∘", "star": "⋆",
    "langle": "⟨", "rangle": "⟩", "lvert": "|", "rvert": "|", "lVert": "‖", "rVert": "‖", "mid": "|",
    "square": "□", "qed": "□", "ell": "ℓ", "hbar": "ℏ",
}
BLACKBOARD = {"R": "ℝ", "N": "ℕ", "Z": "ℤ", "Q": "ℚ", "C": "ℂ", "E": "𝔼", "P": "ℙ"}
SUPERSCRIPTS = str.maketrans("0123456789+-=()nikT⊤", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱᵏᵀᵀ")
SUBSCRIPTS = str.maketrans("0123456789+-=()aeiojknmtx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑᵢₒⱼₖₙₘₜₓ")
_SPACING_RE = re.compile(r"\\(?:left|right|big|Big|bigg|Bigg|displaystyle|limits)\b|\\[,;:! ]|\\q?quad\b")
_FRAC_RE = re.compile(r"\\[dt]?frac\{([^{}]*)\}\{([^{}]*)\}")
_BLACKBOARD_RE = re.compile(r"\\mathbb\{([A-Z])\}")
_ONE_ARGUMENT_RE = re.compile(r"\\[A-Za-z]+\{([^{}]*)\}")
_SCRIPT_RE = re.compile(r"([_^])(?:\{([^{}]*)\}|(\\?[A-Za-z0-9]|[^\x00-\x7f]))")
_COMMAND_RE = re.compile(r"\\([A-Za-z]+)")


def _script(match) -> str:
    mark, body = match.group(1), match.group(2) if match.group(2) is not None else match.group(3)
    table = SUPERSCRIPTS if mark == "^" else SUBSCRIPTS
    if body and all(ord(char) in table for char in body):
        return body.translate(table)
    return f"{mark}{body}" if len(body) == 1 else f"{mark}({body})"


def tex_to_text(tex: str) -> str:
    text = _SPACING_RE.sub(" ", tex)
    text = _BLACKBOARD_RE.sub(lambda match: BLACKBOARD.get(match.group(1), match.group(1)), text)
    text = _COMMAND_RE.sub(lambda match: SYMBOLS.get(match.group(1), match.group(0)), text)
    while True:
        simpler = _SCRIPT_RE.sub(_script, text)
        simpler = _FRAC_RE.sub(lambda match: f"{_grouped(match.group(1))}/{_grouped(match.group(2))}", simpler)
        simpler = _ONE_ARGUMENT_RE.sub(r"\1", simpler)
        if simpler == text:
            break
        text = simpler
    text = _COMMAND_RE.sub(r"\1", text).replace("{", "").replace("}", "")
    return " ".join(text.split())


def _grouped(part: str) -> str:
    part = part.strip()
    return part if len(part) <= 1 or all(char.isalnum() or ord(char) > 127 for char in part) else f"({part})"


_FORMATTING_RE = re.compile(
    r"\\(?:operatorname|math[a-z]*|text[a-z]*|boldsymbol|bm|emph|left|right|[bB]igg?[lr]?|displaystyle"
    r"|limits)\b\*?"
)


def tex_to_slug_words(tex: str) -> str:
    """For a slug: the letters and digits of the TeX, symbols by their names (`\\pi` -> `pi`),
    formatting commands (`\\operatorname`, `\\mathbf`, `\\left`) left out."""
    return " ".join(re.sub(r"[\\{}^_]", " ", _FORMATTING_RE.sub(" ", tex)).split())
