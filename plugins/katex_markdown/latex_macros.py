"""LaTeX commands KaTeX lacks, given to every formula as KaTeX macros (docs/writing.md lists them).

KATEX_MACROS and a post's `Macros:` lines override any of them. Each expands to commands KaTeX has.
"""

DEFAULT_MACROS = {
    # amsthm: the end-of-proof mark, as the box TeX uses
    r"\qed": r"\quad\square",
    r"\qedsymbol": r"\square",
    r"\openbox": r"\square",
    # LaTeX itself
    r"\mbox": r"\text{#1}",
    r"\ensuremath": r"#1",
    r"\hdots": r"\ldots",
    # hyperref: a title written for both TeX and the PDF outline
    r"\texorpdfstring": r"#1",
    # xfrac / nicefrac
    r"\nicefrac": r"{}^{#1}\!/\!{}_{#2}",
    # bbm / dsfont: the indicator function's blackboard one
    r"\mathbbm": r"\mathbb{#1}",
    r"\mathds": r"\mathbb{#1}",
    # physics / commath, common in machine-learning writing
    r"\abs": r"\left\lvert #1 \right\rvert",
    r"\norm": r"\left\lVert #1 \right\rVert",
    r"\dd": r"\mathop{}\!\mathrm{d}",
    r"\dif": r"\mathop{}\!\mathrm{d}",
    # operators without a KaTeX command
    r"\sgn": r"\operatorname{sgn}",
    r"\tr": r"\operatorname{tr}",
    r"\Tr": r"\operatorname{Tr}",
    r"\rank": r"\operatorname{rank}",
    r"\diag": r"\operatorname{diag}",
    r"\Var": r"\operatorname{Var}",
    r"\Cov": r"\operatorname{Cov}",
    r"\sech": r"\operatorname{sech}",
    r"\csch": r"\operatorname{csch}",
    r"\arcsinh": r"\operatorname{arsinh}",
    r"\arccosh": r"\operatorname{arcosh}",
    r"\arctanh": r"\operatorname{artanh}",
    # number sets KaTeX does not name (it has \N, \Z, \R)
    r"\Q": r"\mathbb{Q}",
    r"\C": r"\mathbb{C}",
    # relations
    r"\defeq": r"\coloneqq",
    r"\divides": r"\mid",
    r"\indep": r"\perp\!\!\!\perp",
}
