"""Building real sites with Pelican and the project's settings, and reading their pages."""

import filecmp
import sys
from dataclasses import dataclass
from pathlib import Path

from lxml import html as lxml_html

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "plugins"))

from site_tools.build import BuildResult, build  # noqa: E402

FIXTURE_SITE = Path(__file__).parent / "site"
DEV_SETTINGS = str(ROOT / "pelicanconf.py")
PUBLISH_SETTINGS = str(ROOT / "publishconf.py")


@dataclass
class BuiltSite:
    result: BuildResult
    output: Path

    def page(self, relative: str):
        """The parsed HTML of output/<relative> (a folder means its index.html)."""
        path = self.output / relative
        if path.is_dir() or relative.endswith("/") or relative == "":
            path = path / "index.html"
        return lxml_html.fromstring(path.read_bytes())

    def html_files(self) -> list[Path]:
        return sorted(self.output.rglob("*.html"))


def build_site(content: Path, folder: Path, settings: str = DEV_SETTINGS, **overrides) -> BuiltSite:
    """Build `content` into folder/output with its own cache in folder/cache."""
    output = folder / "output"
    settings_overrides = {
        "PATH": str(content),
        "OUTPUT_PATH": str(output),
        "CACHE_PATH": str(folder / "cache"),
        **overrides,
    }
    return BuiltSite(build(settings, settings_overrides), output)


def tree_differences(left: Path, right: Path) -> list[str]:
    """Files that differ between two output folders (or the files only one of them has)."""
    left_files = sorted(p.relative_to(left) for p in left.rglob("*") if p.is_file())
    right_files = sorted(p.relative_to(right) for p in right.rglob("*") if p.is_file())
    if left_files != right_files:
        return [f"file lists differ: {set(left_files) ^ set(right_files)}"]
    return [str(p) for p in left_files if not filecmp.cmp(left / p, right / p, shallow=False)]


def text_of(element) -> str:
    return " ".join(element.text_content().split())


POST_URLS = {
    "euler": "posts/eulers-identity-carefully/",
    "attention": "posts/attention-in-a-few-lines/",
    "prices": "posts/prices-and-code/",
    "journal": "posts/journal-june-18-2026/",
}
