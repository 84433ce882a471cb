"""The numbered things of a paper, their names, and the label prefixes that refer to them."""

import re

# Theorem-like kinds, in the order the writer's guide lists them, with the name a reader sees.
THEOREM_KINDS = {
    "definition": "Definition",
    "theorem": "Theorem",
    "lemma": "Lemma",
    "proposition": "Proposition",
    "corollary": "Corollary",
    "example": "Example",
    "remark": "Remark",
    "proof": "Proof",
}
UNNUMBERED_KINDS = frozenset({"proof"})

# What a figure holds decides what it is called (and which counter it takes).
FIGURE_NAMES = {"figure": "Figure", "table": "Table", "listing": "Listing"}

THEOREM_PREFIXES = ("thm", "lem", "def", "prop", "cor", "exm", "rem")
# The prefix a writer would reach for first, for examples in error messages.
USUAL_PREFIX = {
    "definition": "def", "theorem": "thm", "lemma": "lem", "proposition": "prop", "corollary": "cor",
    "example": "exm", "remark": "rem", "proof": "thm", "figure": "fig",
}
FIGURE_PREFIXES = ("fig", "tbl", "lst")
REFERENCE_PREFIXES = (*THEOREM_PREFIXES, *FIGURE_PREFIXES, "eq", "sec")

# A label: a known prefix, a colon, then a name that starts and ends with a letter or digit
# (so that "see @fig:stars." ends the label before the full stop).
LABEL_NAME = r"[^\W_](?:[\w.:-]*[^\W_])?"
LABEL_RE = re.compile(rf"(?P<prefix>[a-z]+):(?P<name>{LABEL_NAME})")
# A reference in prose: `@fig:stars`, not preceded by anything that makes it part of a word, an
# email address (ada@example.org) or a path (mathstodon.xyz/@ada).
REFERENCE_RE = rf"(?<![\w@./+-])@(?P<label>(?:{'|'.join(REFERENCE_PREFIXES)}):{LABEL_NAME})"


def anchor_id(label: str) -> str:
    """`fig:stars` becomes the element id `fig-stars` (the math layer writes `eq:x` as `eq-x`)."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", label).strip("-")
