"""Self-host KaTeX's stylesheet and woff2 fonts in output/katex/ (no CDN, no math JavaScript)."""

import re
from pathlib import Path

from .config import PLUGIN_DIR

OUTPUT_FOLDER = "katex"
# Every browser that renders the site reads woff2; the woff and ttf fallbacks are never fetched.
_FALLBACK_SOURCES_RE = re.compile(r',url\(fonts/[^)]+\.(?:woff|ttf)\) format\("(?:woff|truetype)"\)')


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


def copy_katex_assets(pelican) -> None:
    dist = katex_dist()
    target = Path(pelican.settings["OUTPUT_PATH"]) / OUTPUT_FOLDER
    css = (dist / "katex.min.css").read_text(encoding="utf-8")
    _write_if_changed(target / "katex.min.css", _FALLBACK_SOURCES_RE.sub("", css).encode())
    for font in sorted((dist / "fonts").glob("*.woff2")):
        _write_if_changed(target / "fonts" / font.name, font.read_bytes())
