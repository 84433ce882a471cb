"""KaTeX's fonts subset to the characters the site's formulas show, so a math page fetches a
fraction of each font it uses (KaTeX_AMS is 28 KB whole and a few KB for \\mathbb{R} and \\mathbb{E}).

The fonts are under the SIL Open Font License with Reserved Font Names (KaTeX_Main, ...): a
modified font may not carry them, so each subset is renamed (`MathSubset_Main`), in the font's
name table and in the stylesheet the pages inline. Subsets are cached by the font's bytes and the
character set; a formula with a new character makes new subsets.
"""

import hashlib
import html
import io
import os
import re

from functools import cache
from importlib import metadata

ORIGINAL_PREFIX, SUBSET_PREFIX = "KaTeX_", "MathSubset_"
SUBSET_FOLDER = "subset"  # under output/katex/fonts/
# Drawn by KaTeX's stylesheet, not in any formula's text: equation numbers "(12)", spaces.
ALWAYS = "()0123456789 \u00a0"
_MATHML_RE = re.compile(r'<span class="katex-mathml">.*?</math></span>', re.S)
_TAG_RE = re.compile(r"<[^>]*>")
_FAMILY_RE = re.compile(rf"\b{ORIGINAL_PREFIX}(\w+)")
_RENAMED_NAME_IDS = (1, 3, 4, 6, 16, 17, 18, 21, 22)
_SUBSET_VERSION = 2  # part of the cache key: change it when subset_font makes other bytes


def renamed(text: str) -> str:
    """`KaTeX_Main` -> `MathSubset_Main` wherever a stylesheet or a font names a family."""
    return _FAMILY_RE.sub(lambda match: SUBSET_PREFIX + match.group(1), text)


def characters_of(formulas) -> set[str]:
    """The characters KaTeX's HTML draws for these formulas (their hidden MathML left out)."""
    drawn = set(ALWAYS)
    for formula in set(formulas):  # a formula written twice is drawn with the same characters
        known = _drawn.get(formula)
        if known is None:
            if len(_drawn) > _DRAWN_LIMIT:
                _drawn.clear()
            known = _drawn[formula] = frozenset(html.unescape(_TAG_RE.sub("", _MATHML_RE.sub("", formula))))
        drawn.update(known)
    return drawn


# The face (KaTeX's font file, without "KaTeX_" and ".woff2") each class of KaTeX's HTML draws
# in, from katex.min.css's font-family rules. `sizeN` alone is a font size (`sizing sizeN`): it
# names a Size face only beside `delimsizing`.
_FACE_OF_CLASS = {
    "mathnormal": "Math-Italic", "mathit": "Main-Italic", "textit": "Main-Italic",
    "mathbf": "Main-Bold", "textbf": "Main-Bold", "boldsymbol": "Math-BoldItalic",
    "amsrm": "AMS-Regular", "mathbb": "AMS-Regular", "textbb": "AMS-Regular",
    "mathcal": "Caligraphic-Regular", "mathfrak": "Fraktur-Regular", "textfrak": "Fraktur-Regular",
    "mathboldfrak": "Fraktur-Bold", "textboldfrak": "Fraktur-Bold",
    "mathtt": "Typewriter-Regular", "texttt": "Typewriter-Regular",
    "mathscr": "Script-Regular", "textscr": "Script-Regular",
    "mathsf": "SansSerif-Regular", "textsf": "SansSerif-Regular",
    "mathboldsf": "SansSerif-Bold", "textboldsf": "SansSerif-Bold",
    "mathitsf": "SansSerif-Italic", "mathsfit": "SansSerif-Italic", "textitsf": "SansSerif-Italic",
    "small-op": "Size1-Regular", "delim-size1": "Size1-Regular", "large-op": "Size2-Regular",
    "delim-size4": "Size4-Regular",
}
_CLASS_RE = re.compile(r'class="([^"]*)"')


def faces_of(formulas) -> frozenset[str]:
    """The faces KaTeX's HTML for these formulas draws in ("AMS-Regular", ...): a page preloads
    those it uses, so that a face does not come after the first paint and move the page. Errs on
    the side of a face too many (a \\textbf beside a \\textit: their bold italic too)."""
    faces = set()
    for formula in formulas:
        for classes in set(_CLASS_RE.findall(formula)):
            tokens = classes.split()
            faces.update(_FACE_OF_CLASS[token] for token in tokens if token in _FACE_OF_CLASS)
            if "delimsizing" in tokens:
                faces.update(f"Size{token[4:]}-Regular" for token in tokens if token[:4] == "size")
    if "Main-Bold" in faces and "Main-Italic" in faces:
        faces.add("Main-BoldItalic")
    return frozenset(faces)


# Characters by formula HTML, for the life of the process: a livereload rebuild scans only the
# formulas it has not seen (every build asks for the characters of all ~15,000 at 1,000 posts).
_drawn: dict[str, frozenset] = {}
_DRAWN_LIMIT = 100_000


def subset_font(data: bytes, characters: set[str]) -> bytes:
    """The same bytes for the same input (no timestamp), so builds stay byte-identical."""
    # Imported here: fontTools takes ~0.2 s to import, and a build whose formulas use no new
    # character takes every subset from the cache.
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(data), recalcTimestamp=False)
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(characters)))
    subsetter.subset(font)
    for record in font["name"].names:
        if record.nameID in _RENAMED_NAME_IDS:
            record.string = renamed(record.toUnicode()).replace("KaTeX", "MathSubset")
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


@cache
def _fonttools_version() -> str:
    return metadata.version("fonttools")


def cached_subset(data: bytes, characters: set[str], cache_dir: str) -> bytes:
    material = data + "".join(sorted(characters)).encode() + f"{_fonttools_version()}/{_SUBSET_VERSION}".encode()
    key = hashlib.sha256(material).hexdigest()[:32]
    path = os.path.join(cache_dir, f"{key}.woff2")
    if os.path.exists(path):
        with open(path, "rb") as cached:
            return cached.read()
    made = subset_font(data, characters)
    os.makedirs(cache_dir, exist_ok=True)
    temporary = f"{path}.{os.getpid()}.tmp"
    with open(temporary, "wb") as out:
        out.write(made)
    os.replace(temporary, path)
    return made
