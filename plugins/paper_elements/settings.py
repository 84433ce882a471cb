"""The plugin's settings, read once, with documented defaults (see plugins/README.md).

The block syntax is a Markdown extension, listed in MARKDOWN by the site's settings: the Markdown
reader reads MARKDOWN when the build starts (on `initialized`, like this plugin, and Pelican's
signals call their receivers in no fixed order), so a plugin cannot add to it reliably. Its
options live where Python-Markdown looks for them, `MARKDOWN["extension_configs"]`, and are
checked here, where a mistake can be named before any body is rendered.
"""

EXTENSION = f"{__name__.rpartition('.')[0]}.markdown_blocks"
DEFAULTS = {
    "theorem_counters": "shared",  # "shared": Definition 1, Theorem 2, Lemma 3; "separate": one count per kind
}
COUNTER_CHOICES = ("shared", "separate")


class PaperElementsConfigError(ValueError):
    pass


def read_options(settings: dict) -> dict:
    markdown = settings.get("MARKDOWN", {})
    if EXTENSION not in markdown.get("extensions", []):
        raise PaperElementsConfigError(
            f"paper_elements needs its Markdown extension: add {EXTENSION!r} to MARKDOWN['extensions']"
        )
    options = dict(markdown.get("extension_configs", {}).get(EXTENSION, {}))
    unknown = sorted(set(options) - set(DEFAULTS))
    if unknown:
        raise PaperElementsConfigError(
            f"MARKDOWN['extension_configs'][{EXTENSION!r}] has unknown key(s) {', '.join(unknown)}; "
            f"known: {', '.join(DEFAULTS)}"
        )
    options = {**DEFAULTS, **options}
    if options["theorem_counters"] not in COUNTER_CHOICES:
        raise PaperElementsConfigError(
            f"theorem_counters is {options['theorem_counters']!r}; use one of {', '.join(COUNTER_CHOICES)}"
        )
    return options


def check_settings(pelican) -> None:
    read_options(pelican.settings)
