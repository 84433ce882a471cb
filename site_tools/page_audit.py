"""Every page of a served site in headless Chromium (Playwright): axe-core's violations in each
theme, and what a phone's first visit transfers (bytes before fonts, font bytes, other hosts).
The search dialog, which no page shows until the reader opens it, is audited too: opened on the
home page, with a query's results in it.

Pages are opened the way Lighthouse's mobile preset opens them (a 412 x 823 viewport at 1.75
device pixels, touch), each in a fresh browser context, so nothing is cached between pages; each
is loaded once, in the first theme, and switched to the others in place, as the theme toggle does.
"""

import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from lxml import html as lxml_html

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
# Lighthouse 12's mobile screen emulation (moto g power).
PHONE = {"viewport": {"width": 412, "height": 823}, "device_scale_factor": 1.75, "is_mobile": True,
         "has_touch": True}
# The theme toggle's choice (theme/static/js/theme-toggle.js), set before the page's own script runs.
_THEME_SCRIPT = "try { localStorage.setItem('theme', %s); } catch (e) {}"
# What the theme toggle does (theme/static/js/theme-toggle.js), then two frames, so that axe reads
# the new colours.
_SWITCH_THEME = """theme => { localStorage.setItem('theme', theme); document.documentElement.dataset.theme = theme;
  return new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done))); }"""
_AXE_RUN = """() => axe.run(document, {resultTypes: ['violations']}).then(result =>
  result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                               targets: v.nodes.map(n => n.target.join(' '))})))"""


@dataclass
class Violation:
    rule: str
    impact: str
    help: str
    targets: list[str]


@dataclass
class PageVisit:
    path: str  # "/posts/x/"; with " (search open)" for the search dialog
    theme: str
    first_visit: bool = True  # False: a page after the reader acted on it (not a page's weight)
    bytes_before_fonts: int = 0
    font_bytes: int = 0
    other_hosts: list[str] = field(default_factory=list)  # URLs of requests that left the site
    violations: list[Violation] = field(default_factory=list)
    error: str = ""  # the page could not be measured (it did not load)


def site_paths(output: Path) -> list[str]:
    """The URL path of every HTML page of a built site: `posts/x/index.html` is `/posts/x/`."""
    paths = []
    for page in sorted(output.rglob("*.html")):
        relative = page.relative_to(output).as_posix()
        paths.append("/" + (relative[: -len("index.html")] if relative.endswith("index.html") else relative))
    return paths


def render_blocking_scripts(page: Path) -> list[str]:
    """External scripts that stop the parser: `<script src>` without defer, async or type=module."""
    tree = lxml_html.fromstring(page.read_bytes())
    return [script.get("src") for script in tree.iter("script")
            if script.get("src") and script.get("defer") is None and script.get("async") is None
            and script.get("type") != "module"]


def axe_source(root: Path) -> str:
    return (root / "node_modules" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")


SEARCH_PAGE, SEARCH_QUERY = "/", "gradient"


def open_search(page) -> None:
    """The reader's search: the header's button, a query, its results shown (js/search.js)."""
    page.locator("button.search-open").click()
    page.locator("dialog.search[open] .search__input").fill(SEARCH_QUERY)
    page.wait_for_selector(".search__results[aria-busy='false'] .search__result")


def visit(browser, site_url: str, path: str, themes: tuple[str, ...], axe: str | None, act=None) -> list[PageVisit]:
    """Open one page in a fresh context, in the first theme (and `act` on it: then its path says
    so); measure its transfer; run axe, when `axe` is given, in each theme in turn: the page
    switches as the theme toggle switches it (a second load would cost as much as the audit).
    One PageVisit per theme; only the first is a first visit."""
    label = path + (" (search open)" if act else "")
    results = [PageVisit(label, theme, first_visit=act is None and index == 0) for index, theme in enumerate(themes)]
    context = browser.new_context(color_scheme=themes[0], **PHONE)
    context.add_init_script(_THEME_SCRIPT % json.dumps(themes[0]))
    page = context.new_page()
    requests = []
    page.on("request", lambda request: requests.append(request))
    current = results[0]
    try:
        page.goto(site_url + path, wait_until="load")
        page.evaluate("() => document.fonts.ready.then(() => true)")
        if act:
            act(page)
        _measure_transfer(current, requests, urlsplit(site_url).netloc)
        if axe is not None:
            page.add_script_tag(content=axe)
            for current in results:
                if current is not results[0]:
                    requests.clear()
                    page.emulate_media(color_scheme=current.theme)
                    page.evaluate(_SWITCH_THEME, current.theme)
                    _measure_transfer(current, requests, urlsplit(site_url).netloc)
                current.violations = [Violation(v["id"], v["impact"], v["help"], v["targets"])
                                      for v in page.evaluate(_AXE_RUN)]
    except Exception as error:  # a page that does not load is reported, the others still run
        for unmeasured in results[results.index(current):]:
            unmeasured.error = f"{type(error).__name__}: {str(error).splitlines()[0]}"
    finally:
        context.close()
    return results


def _measure_transfer(result: PageVisit, requests, site_host: str) -> None:
    for request in requests:
        parts = urlsplit(request.url)
        if parts.scheme not in ("http", "https", "ws", "wss"):
            continue  # data: and blob: URLs transfer nothing
        if parts.netloc != site_host:
            result.other_hosts.append(request.url)
            continue
        if request.response() is None:
            continue
        sizes = request.sizes()
        transferred = sizes["responseBodySize"] + sizes["responseHeadersSize"]
        if request.resource_type == "font":
            result.font_bytes += transferred
        else:
            result.bytes_before_fonts += transferred


def audit_pages(browser, site_url: str, paths: list[str], themes: tuple[str, ...], root: Path) -> list[PageVisit]:
    """Each page in each theme, axe-core on all of them, and the search dialog (when the home page
    is among them); returns one PageVisit per page and theme."""
    axe = axe_source(root)
    visits = [found for path in paths for found in visit(browser, site_url, path, themes, axe)]
    if SEARCH_PAGE in paths:
        visits += visit(browser, site_url, SEARCH_PAGE, themes, axe, act=open_search)
    return visits


AUDIT_WORKERS = 2  # Chromiums auditing at once: a CI runner has two cores


def audit_site(site_url: str, paths: list[str], themes: tuple[str, ...], root: Path,
               workers: int = AUDIT_WORKERS) -> list[PageVisit]:
    """`audit_pages` in Chromiums of its own, `workers` at once, each on its share of the pages
    (what is measured does not depend on timing); the visits in the order of `paths`."""
    shares = [paths[index::workers] for index in range(workers)]
    with ThreadPoolExecutor(workers) as pool:
        parts = pool.map(lambda share: _audit_in_a_chromium(site_url, share, themes, root), shares)
        visits = [found for part in parts for found in part]
    order = {path: index for index, path in enumerate(paths)}
    return sorted(visits, key=lambda found: order.get(found.path, len(paths)))


def _audit_in_a_chromium(site_url: str, paths: list[str], themes: tuple[str, ...], root: Path) -> list[PageVisit]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:  # one per thread: Playwright's sync API is not shared
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            return audit_pages(browser, site_url, paths, themes, root)
        finally:
            browser.close()
