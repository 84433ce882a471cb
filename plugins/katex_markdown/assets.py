"""Self-host KaTeX's stylesheet and woff2 fonts in output/katex/ (no CDN, no math JavaScript), and
publish the stylesheet for pages to inline (context keys `katex_css`, `katex_fonts`), with the
fonts subset to the characters of the site's formulas (fonts.py)."""

import os
import re
from pathlib import Path

from . import fonts
from .config import PLUGIN_DIR
from .reader import build_characters

OUTPUT_FOLDER = "katex"
# Every browser that renders the site reads woff2; the woff and ttf fallbacks are never fetched.
_FALLBACK_SOURCES_RE = re.compile(r',url\(fonts/[^)]+\.(?:woff|ttf)\) format\("(?:woff|truetype)"\)')
_FONT_FACE_RE = re.compile(r"@font-face\{([^}]*)\}")
_DESCRIPTOR_RE = re.compile(r"([a-z-]+):([^;]+)")
_WOFF2_RE = re.compile(r"url\(fonts/([^)]+\.woff2)\)")
# What nearly every formula draws in (letters, digits, operators; Size1 and Size2: the big operators
# and delimiters of displays): pages with math preload these (partials/macros.html, math_head).
MAIN_FACES = {("KaTeX_Main", "normal", "400"), ("KaTeX_Math", "italic", "400"),
              ("KaTeX_Size1", "normal", "400"), ("KaTeX_Size2", "normal", "400")}


def katex_dist() -> Path:
    for folder in [PLUGIN_DIR, *PLUGIN_DIR.parents]:
        dist = folder / "node_modules" / "katex" / "dist"
        if dist.is_dir():
            return dist
    raise FileNotFoundError("KaTeX is not installed: run `npm ci` in the project folder.")


def _write_if_changed(path: Path, data: bytes) -> None:
    """Unchanged files keep their timestamps, so a livereload rebuild does not touch them."""
    if path.exists() and path.read_bytes() == data:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def publish_katex_assets(pelican) -> None:
    copy_katex_assets(pelican, build_characters())


def copy_katex_assets(pelican, characters: set[str]) -> None:
    """KaTeX's stylesheet and fonts as published (for anything that links them), and the fonts
    subset to `characters` (those the build's formulas draw), which the pages use."""
    dist = katex_dist()
    target = Path(pelican.settings["OUTPUT_PATH"]) / OUTPUT_FOLDER
    css = (dist / "katex.min.css").read_text(encoding="utf-8")
    _write_if_changed(target / "katex.min.css", _FALLBACK_SOURCES_RE.sub("", css).encode())
    cache_dir = os.path.join(pelican.settings["CACHE_PATH"], "katex_fonts")
    for font in sorted((dist / "fonts").glob("*.woff2")):
        data = font.read_bytes()
        _write_if_changed(target / "fonts" / font.name, data)
        _write_if_changed(target / "fonts" / fonts.SUBSET_FOLDER / fonts.renamed(font.name),
                          fonts.cached_subset(data, characters, cache_dir))


def split_font_faces(css: str) -> tuple[str, list[dict]]:
    """KaTeX's stylesheet without its @font-face rules, and those rules as data (family, style,
    weight, display, woff2 file name): a page's <style> gives each font its absolute address."""
    faces = []
    for rule in _FONT_FACE_RE.finditer(css):
        descriptors = dict(_DESCRIPTOR_RE.findall(rule.group(1)))
        faces.append({
            "family": descriptors["font-family"].strip("\"'"), "style": descriptors["font-style"],
            "weight": descriptors["font-weight"], "display": descriptors.get("font-display", "swap"),
            "file": _WOFF2_RE.search(descriptors["src"]).group(1),
        })
    return _FONT_FACE_RE.sub("", css), faces


def publish_katex_styles(generator) -> None:
    """Context keys `katex_css` (KaTeX's rules, for a <style> on pages with math, so that no
    stylesheet request blocks their first paint) and `katex_fonts` (the subset fonts, under
    katex/fonts/: family, style, weight, display, file, `main`, and `name` as in a content
    object's `math_faces`), both with the subsets' family names."""
    if "katex_css" in generator.context:  # one context is shared by the build's generators
        return
    css, faces = split_font_faces((katex_dist() / "katex.min.css").read_text(encoding="utf-8"))
    for face in faces:
        # Nearly every formula draws in these (see math_head's `preload`).
        face["main"] = (face["family"], face["style"], face["weight"]) in MAIN_FACES
        face["name"] = face["file"].removeprefix(fonts.ORIGINAL_PREFIX).removesuffix(".woff2")  # see fonts.faces_of
        face["family"] = fonts.renamed(face["family"])
        face["file"] = f"{fonts.SUBSET_FOLDER}/{fonts.renamed(face['file'])}"
    generator.context["katex_css"], generator.context["katex_fonts"] = fonts.renamed(css), faces
