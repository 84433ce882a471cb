"""Read budgets.toml: every budget `invoke check` enforces, validated once, with a message per
problem (unknown keys by name, wrong types, a page without a path). docs/budgets.md explains them.

The images section is also read by plugins/responsive_images at build time (with its own reader:
plugins import no project code); `IMAGE_KEYS` keeps the two in step (tests/test_budgets.py).
"""

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

LIGHTHOUSE_CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
IMAGE_KEYS = ("max_source_kb",)


class BudgetError(ValueError):
    """budgets.toml cannot be used; the message lists every problem found."""


@dataclass(frozen=True)
class LighthousePage:
    kind: str  # "home", "math-heavy post", ...: what the report calls the page
    path: str  # URL path on the site, e.g. "/tags/calculus/"
    not_applicable: tuple[str, ...] = ()  # categories not scored on this page (SEO on a noindex 404)


@dataclass(frozen=True)
class LighthouseBudget:
    runs: int
    cpu_slowdown: float | None  # None: calibrated from the machine's benchmark index
    min_scores: dict[str, float]  # by category id (`best-practices`)
    max_layout_shift: float
    pages: tuple[LighthousePage, ...]


@dataclass(frozen=True)
class Budgets:
    lighthouse: LighthouseBudget
    themes: tuple[str, ...]  # axe-core runs on every page in each
    max_axe_violations: int
    max_page_kb: float  # a first visit, compressed, everything but fonts
    max_fonts_kb: float
    max_render_blocking_scripts: int
    max_other_host_requests: int
    max_image_source_kb: float
    source: str = field(default="budgets.toml", compare=False)


_SCHEMA = {
    "lighthouse": {
        "runs": int, "cpu_slowdown": (float, str), "min_performance": float, "min_accessibility": float,
        "min_best_practices": float, "min_seo": float, "max_layout_shift": float, "page": list,
    },
    "lighthouse.page": {"kind": str, "path": str, "not_applicable": list},
    "axe": {"themes": list, "max_violations": int},
    "weight": {
        "max_page_kb": float, "max_fonts_kb": float, "max_render_blocking_scripts": int,
        "max_other_host_requests": int,
    },
    "images": {key: float for key in IMAGE_KEYS},
}
_OPTIONAL = {"lighthouse.page": {"not_applicable"}, "lighthouse": {"cpu_slowdown"}}
_TYPE_NAMES = {int: "a whole number", float: "a number", str: "a string", list: "a list"}


class _Reader:
    """Collects every problem of the file, so the writer fixes them in one go."""

    def __init__(self, source: str):
        self.source = source
        self.problems: list[str] = []

    def table(self, data: dict, name: str) -> dict:
        """The table `name` ("lighthouse", or "lighthouse.page" for an item), checked against the
        schema: unknown and missing keys and wrong types are problems; returns the good values."""
        known = _SCHEMA[name]
        where = f"[{name}]"
        if not isinstance(data, dict):
            self.problems.append(f"{where} must be a table")
            return {}
        for key in sorted(set(data) - set(known)):
            self.problems.append(f"{where} unknown key '{key}' (known: {', '.join(known)})")
        values = {}
        for key, kind in known.items():
            if key not in data:
                if key not in _OPTIONAL.get(name, set()):
                    self.problems.append(f"{where} missing key '{key}'")
                continue
            value = data[key]
            if not _is_a(value, kind):
                expected = " or ".join(_TYPE_NAMES[k] for k in (kind if isinstance(kind, tuple) else (kind,)))
                self.problems.append(f"{where} {key} must be {expected}, not {value!r}")
                continue
            if isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
                self.problems.append(f"{where} {key} must not be negative, not {value!r}")
                continue
            values[key] = value
        return values


def _is_a(value, kind) -> bool:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if isinstance(value, bool):
        return False
    if float in kinds and isinstance(value, int):
        return True
    return isinstance(value, kinds)


def read_budgets(path: Path | str) -> Budgets:
    """The budgets in `path`; raises BudgetError naming the file and each problem."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise BudgetError(f"{path}: cannot be read ({error.strerror})") from None
    except tomllib.TOMLDecodeError as error:
        raise BudgetError(f"{path}: not valid TOML: {error}") from None
    return parse_budgets(data, str(path))


def parse_budgets(data: dict, source: str = "budgets.toml") -> Budgets:
    reader = _Reader(source)
    for name in sorted(set(data) - {"lighthouse", "axe", "weight", "images"}):
        reader.problems.append(f"unknown table [{name}] (known: lighthouse, axe, weight, images)")
    lighthouse = reader.table(data.get("lighthouse", {}), "lighthouse")
    pages = tuple(_page(reader, item) for item in lighthouse.get("page", []))
    if "page" in lighthouse and not pages:
        reader.problems.append("[lighthouse] lists no [[lighthouse.page]]")
    axe = reader.table(data.get("axe", {}), "axe")
    themes = tuple(axe.get("themes", ()))
    for theme in themes:
        if theme not in ("light", "dark"):
            reader.problems.append(f"[axe] themes: unknown theme {theme!r} (known: light, dark)")
    weight = reader.table(data.get("weight", {}), "weight")
    images = reader.table(data.get("images", {}), "images")
    slowdown = _cpu_slowdown(reader, lighthouse.get("cpu_slowdown", "calibrated"))
    _check_scores(reader, lighthouse)
    if reader.problems:
        listed = "\n".join(f"  {problem}" for problem in reader.problems)
        raise BudgetError(f"{source}: {len(reader.problems)} problem(s):\n{listed}")
    return Budgets(
        lighthouse=LighthouseBudget(
            runs=lighthouse["runs"], cpu_slowdown=slowdown,
            min_scores={category: float(lighthouse["min_" + category.replace("-", "_")])
                        for category in LIGHTHOUSE_CATEGORIES},
            max_layout_shift=float(lighthouse["max_layout_shift"]), pages=pages,
        ),
        themes=themes, max_axe_violations=axe["max_violations"],
        max_page_kb=float(weight["max_page_kb"]), max_fonts_kb=float(weight["max_fonts_kb"]),
        max_render_blocking_scripts=weight["max_render_blocking_scripts"],
        max_other_host_requests=weight["max_other_host_requests"],
        max_image_source_kb=float(images["max_source_kb"]), source=source,
    )


def _page(reader: _Reader, item) -> LighthousePage | None:
    values = reader.table(item, "lighthouse.page")
    path = values.get("path", "/")
    if not path.startswith("/"):
        reader.problems.append(f"[lighthouse.page] {values.get('kind', '?')}: path must start with '/', not {path!r}")
    not_applicable = tuple(values.get("not_applicable", ()))
    for category in not_applicable:
        if category not in LIGHTHOUSE_CATEGORIES:
            reader.problems.append(f"[lighthouse.page] {values.get('kind', '?')}: not_applicable: unknown "
                                   f"category {category!r} (known: {', '.join(LIGHTHOUSE_CATEGORIES)})")
    return LighthousePage(values.get("kind", "?"), path, not_applicable)


def _cpu_slowdown(reader: _Reader, value) -> float | None:
    if value == "calibrated":
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 1:
        return float(value)
    reader.problems.append(f"[lighthouse] cpu_slowdown must be \"calibrated\" or a number >= 1, not {value!r}")
    return None


def _check_scores(reader: _Reader, lighthouse: dict) -> None:
    for category in LIGHTHOUSE_CATEGORIES:
        key = "min_" + category.replace("-", "_")
        if key in lighthouse and not 0 <= lighthouse[key] <= 1:
            reader.problems.append(f"[lighthouse] {key} is a score between 0 and 1, not {lighthouse[key]!r}")
