"""Building real sites with Pelican and the project's settings, and reading their pages."""

import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from lxml import html as lxml_html

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "plugins"))

from site_tools.build import BuildResult, build  # noqa: E402

FIXTURE_SITE = Path(__file__).parent / "site"
PAPER_SITE = Path(__file__).parent / "paper_site"  # sidenotes, diagrams, kramdown math, math in a title
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


def build_published(content: Path, folder: Path, siteurl: str, **overrides) -> BuiltSite:
    """Build `content` with publishconf.py (absolute URLs, feeds) for the site at `siteurl`."""
    os.environ["SITEURL"] = siteurl
    try:
        return build_site(content, folder, PUBLISH_SETTINGS, **overrides)
    finally:
        del os.environ["SITEURL"]


def styles_of(page) -> set[str]:
    """The stylesheets a parsed page has, by name ("base", "katex", ...): inlined in a <style
    data-styles> or linked (theme/static/css/<name>.css, katex/katex.min.css)."""
    inlined = {style.get("data-styles") for style in page.cssselect("style[data-styles]")}
    linked = {link.get("href").rsplit("/", 1)[-1].removesuffix(".css").removesuffix(".min")
              for link in page.cssselect("link[rel=stylesheet]")}
    return inlined | linked


def text_of(element) -> str:
    return " ".join(element.text_content().split())


POST_URLS = {
    "euler": "posts/eulers-identity-carefully/",
    "attention": "posts/attention-in-a-few-lines/",
    "prices": "posts/prices-and-code/",
    "journal": "posts/journal-june-18-2026/",
}


def html_differences(left: Path, right: Path) -> list[str]:
    """HTML pages that differ in bytes between two outputs, or that only one has."""
    left_pages = {p.relative_to(left) for p in left.rglob("*.html")}
    right_pages = {p.relative_to(right) for p in right.rglob("*.html")}
    only = [f"only in one output: {p}" for p in sorted(left_pages ^ right_pages)]
    return only + [str(p) for p in sorted(left_pages & right_pages) if (left / p).read_bytes() != (right / p).read_bytes()]


def page_bytes(output: Path) -> dict[str, bytes]:
    """Every HTML page of an output, by its path: to tell which pages a rebuild changed."""
    return {str(p.relative_to(output)): p.read_bytes() for p in output.rglob("*.html")}


def rebuild_after_edit(source: Path, folder: Path, edit, **overrides) -> tuple[dict[str, bytes], BuiltSite, BuiltSite]:
    """Build a copy of `source`, let `edit(content)` change it, build again into the same output
    and caches (as the livereload server does), and build the edited content clean elsewhere.
    Returns (the pages before the edit, the rebuilt site, the clean site)."""
    content = folder / "content"
    shutil.copytree(source, content)
    before = page_bytes(build_site(content, folder / "live", **overrides).output)
    edit(content)
    return before, build_site(content, folder / "live", **overrides), build_site(content, folder / "clean", **overrides)
def build_cleanly(content: Path, folder: Path, **overrides) -> BuiltSite:
    """A build of fixture content that must come out without an error or a warning."""
    built = build_site(content, folder, **overrides)
    assert (built.result.errors, built.result.warnings) == ([], [])
    return built
