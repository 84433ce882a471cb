"""Read theme/static/css/*.css once per build into the context key `theme_css` ({name: text}).

The texts are minified (comments and runs of white space go) and must hold no relative `url()`:
inside a page's `<style>` it would resolve against the page, not the stylesheet. Fonts are
declared in partials/head.html, where the template gives them absolute addresses.
"""

import logging
import os
import re
from pathlib import Path

logger = logging.getLogger(__name__)

CONTEXT_KEY = "theme_css"
# Linked as a file with media="print": it never blocks the first paint.
LINKED = {"print"}
_COMMENT_RE = re.compile(r"/\*.*?\*/", re.S)
_SPACE_RE = re.compile(r"\s+")
_AROUND_PUNCTUATION_RE = re.compile(r"\s*([{};,>])\s*")
_STRING_RE = re.compile(r"(\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*')")
_RELATIVE_URL_RE = re.compile(r"url\(\s*['\"]?(?!data:|https?:|/)")


def minify(css: str) -> str:
    """Comments and needless white space out (never inside a string); the same stylesheet."""
    parts = _STRING_RE.split(_COMMENT_RE.sub("", css))
    for index in range(0, len(parts), 2):  # even parts are outside strings
        parts[index] = _AROUND_PUNCTUATION_RE.sub(r"\1", _SPACE_RE.sub(" ", parts[index]))
    return "".join(parts).replace(";}", "}").strip()


def read_theme_css(css_folder: Path) -> dict[str, str]:
    styles = {}
    for sheet in sorted(css_folder.glob("*.css")):
        if sheet.stem in LINKED:
            continue
        text = sheet.read_text(encoding="utf-8")
        if _RELATIVE_URL_RE.search(_COMMENT_RE.sub("", text)):
            logger.error("%s: a relative url() cannot be inlined in a page's <style>; declare fonts in "
                         "theme/templates/partials/head.html, or give the address from the site root",
                         os.path.relpath(sheet))
            continue
        styles[sheet.stem] = minify(text)
    return styles


def publish_theme_css(generator) -> None:
    if CONTEXT_KEY in generator.context:  # one shared context: read once per build
        return
    css_folder = Path(generator.settings["THEME"]) / "static" / "css"
    generator.context[CONTEXT_KEY] = read_theme_css(css_folder)
