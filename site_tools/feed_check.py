"""`invoke check`'s feed validation: every feed of a production build parses (feedparser, no bozo
flag) and its entries are fit for feed readers: no KaTeX HTML, no script, only absolute links.

    python3 -m site_tools.feed_check OUTPUT_FOLDER
"""

import sys
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
from lxml import html as lxml_html


def entry_problems(html: str) -> list[str]:
    root = lxml_html.fragment_fromstring(html, create_parent="div")
    problems = []
    if root.xpath("//*[contains(@class, 'katex')]"):
        problems.append("KaTeX HTML (a reader shows each formula twice)")
    if root.xpath("//script"):
        problems.append("a <script>")
    problems += [f"relative link {link!r}" for _, _, link, _ in root.iterlinks() if not urlsplit(link).scheme]
    return problems


def feed_problems(path: Path) -> list[str]:
    feed = feedparser.parse(path.read_bytes(), sanitize_html=False)
    if feed.bozo:
        return [f"{path}: not a valid feed: {feed.bozo_exception}"]
    problems = []
    for entry in feed.entries:
        bodies = [content.value for content in entry.get("content", [])] + [entry.get("summary", "")]
        for problem in sorted({p for body in bodies if body for p in entry_problems(body)}):
            problems.append(f"{path}: entry {entry.get('link')}: {problem}")
    return problems


def check_feeds(output: Path) -> list[str]:
    feeds = sorted((output / "feeds").rglob("*.xml")) if (output / "feeds").is_dir() else []
    if not feeds:
        return [f"no feeds in {output}/feeds (are FEED_ALL_ATOM and FEED_ALL_RSS set in publishconf.py?)"]
    return [problem for path in feeds for problem in feed_problems(path)]


def main(argv: list[str]) -> int:
    output = Path(argv[1])
    problems = check_feeds(output)
    for problem in problems:
        print(problem)
    print(f"{len(list((output / 'feeds').rglob('*.xml')))} feeds checked, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
