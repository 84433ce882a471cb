"""RESPONSIVE_IMAGES, read once per build with documented defaults (see plugins/README.md), and the
[images] limits of the budgets file (budgets.toml, read with tomllib)."""

import tomllib
from dataclasses import dataclass

from PIL import features

DEFAULTS = {
    "widths": [480, 800, 1200],  # variant widths in pixels; none wider than the original
    "formats": ["avif", "webp"],  # in order of preference; avif only if this Pillow encodes it
    "webp_quality": 80,
    "avif_quality": 55,
    # The width an image takes on the page: the text column (70ch of ~18 px text), or the screen
    # less the page's margins.
    "sizes": "(min-width: 44rem) 40rem, calc(100vw - 2.5rem)",
    # An image with fewer words than this before it is on the first screen: loaded at once.
    # Later images load lazily (loading="lazy") as the reader scrolls near them.
    "eager_words": 80,
    "budgets_file": None,  # budgets.toml; its [images] max_source_kb limits originals
}
BUDGET_KEYS = ("max_source_kb",)
FORMATS = ("avif", "webp")


class ConfigError(ValueError):
    pass


@dataclass(frozen=True)
class Config:
    widths: tuple[int, ...]
    formats: tuple[str, ...]
    quality: dict
    sizes: str
    eager_words: int
    max_source_bytes: int | None  # None: no limit (no budgets file)

    @property
    def fingerprint(self) -> str:
        """Everything that shapes a variant's bytes: part of its cache key."""
        return repr((self.widths, self.formats, sorted(self.quality.items())))


def read_config(settings: dict) -> Config:
    options = dict(settings.get("RESPONSIVE_IMAGES", {}))
    unknown = sorted(set(options) - set(DEFAULTS))
    if unknown:
        raise ConfigError(f"RESPONSIVE_IMAGES has unknown key(s) {', '.join(unknown)}; known: {', '.join(DEFAULTS)}")
    options = {**DEFAULTS, **options}
    formats = [name for name in options["formats"] if name in FORMATS]
    if len(formats) != len(options["formats"]):
        raise ConfigError(f"RESPONSIVE_IMAGES formats: {options['formats']!r}; known: {', '.join(FORMATS)}")
    formats = [name for name in formats if features.check(name)]  # this Pillow's encoders
    if not formats:
        raise ConfigError("RESPONSIVE_IMAGES: this Pillow encodes none of the formats asked for")
    widths = sorted({int(width) for width in options["widths"]})
    if not widths or widths[0] <= 0:
        raise ConfigError(f"RESPONSIVE_IMAGES widths must be positive pixel widths, not {options['widths']!r}")
    return Config(
        widths=tuple(widths), formats=tuple(formats),
        quality={"webp": int(options["webp_quality"]), "avif": int(options["avif_quality"])},
        sizes=options["sizes"], eager_words=int(options["eager_words"]),
        max_source_bytes=_max_source_bytes(options["budgets_file"]),
    )


def _max_source_bytes(budgets_file: str | None) -> int | None:
    if budgets_file is None:
        return None
    try:
        with open(budgets_file, "rb") as source:
            images = tomllib.load(source).get("images", {})
    except OSError as error:
        raise ConfigError(f"{budgets_file}: cannot be read ({error.strerror})") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{budgets_file}: not valid TOML: {error}") from None
    unknown = sorted(set(images) - set(BUDGET_KEYS))
    if unknown:
        raise ConfigError(f"{budgets_file}: [images] unknown key(s) {', '.join(unknown)}; known: {', '.join(BUDGET_KEYS)}")
    limit = images.get("max_source_kb")
    if limit is None:
        return None
    if isinstance(limit, bool) or not isinstance(limit, (int, float)) or limit <= 0:
        raise ConfigError(f"{budgets_file}: [images] max_source_kb must be a positive number, not {limit!r}")
    return int(limit * 1000)
