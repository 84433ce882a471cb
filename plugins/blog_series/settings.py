"""The plugin's settings, named like Pelican's own URL settings, with their defaults."""

import logging

logger = logging.getLogger(__name__)

DEFAULTS = {
    "SERIES_URL": "series/{slug}/",  # a series' page
    "SERIES_SAVE_AS": "series/{slug}/index.html",
    "SERIES_INDEX_URL": "series/",  # every series with its part count; "" SAVE_AS: not written
    "SERIES_INDEX_SAVE_AS": "series/index.html",
    "SERIES_PATH": "series",  # folder under PATH with the description files, <slug>.md
}


def apply_defaults(pelican) -> None:
    """Fill in the defaults (Series URLs are formatted from the settings) and name unknown keys."""
    settings = pelican.settings
    for key, value in DEFAULTS.items():
        settings.setdefault(key, value)
    unknown = sorted(key for key in settings if key.startswith("SERIES_") and key not in DEFAULTS)
    if unknown:
        logger.error(
            "blog_series: unknown setting(s) %s; known: %s", ", ".join(unknown), ", ".join(DEFAULTS)
        )


def parse_yes_no(value: str) -> bool | None:
    """`Number_sections: yes` and friends; None for a value that is neither."""
    answer = str(value).strip().lower()
    if answer in {"yes", "true", "on", "1"}:
        return True
    if answer in {"no", "false", "off", "0", ""}:
        return False
    return None
