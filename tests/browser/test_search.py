"""Search in a real browser: tests/seo_site built, indexed by Pagefind, served on 127.0.0.1."""

import functools
import threading
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from helpers import ROOT, build_site
from seo_helpers import SEO_SITE
from site_tools.page_audit import audit_pages
from site_tools.search_index import index_site

GRADIENTS = "/posts/gradients-written-down/"


class _SiteHandler(SimpleHTTPRequestHandler):
    """Serves the site's 404.html for a missing page, as GitHub Pages does."""

    def log_message(self, format, *args):
        pass

    def send_error(self, code, message=None, explain=None):
        page = self.directory + "/404.html"
        if code != HTTPStatus.NOT_FOUND:
            return super().send_error(code, message, explain)
        with open(page, "rb") as source:
            body = source.read()
        self.send_response(code)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def search_url(tmp_path_factory):
    built = build_site(SEO_SITE, tmp_path_factory.mktemp("search"))
    assert built.result.errors == []
    assert index_site(str(built.output)) == []
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_SiteHandler, directory=str(built.output)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def search_requests(page):
    return [url for url in page.requested if "/pagefind/" in url or url.endswith("/search.css")]


def results(page):
    """The results of the latest query, once shown (the list is aria-busy while searching)."""
    page.wait_for_selector(".search__results[aria-busy='false']", state="attached")
    return page.locator(".search__result")


def titles(page):
    return [" ".join(text.split()) for text in results(page).locator(".search__title").all_inner_texts()]


def open_search(page, with_key=True):
    if with_key:
        page.keyboard.press("/")
    else:
        page.locator("button.search-open").click()
    page.wait_for_selector("dialog.search[open] .search__input")


def type_query(page, query):
    page.locator(".search__input").fill(query)
    return titles(page)


def test_no_search_file_is_requested_until_search_opens(page, search_url):
    page.goto(search_url + GRADIENTS)
    page.wait_for_load_state("networkidle")
    assert search_requests(page) == []
    assert page.locator("dialog.search").count() == 0
    open_search(page)
    page.wait_for_function("performance.getEntriesByType('resource').some(e => e.name.includes('/pagefind/'))")
    assert search_requests(page) and page.console_problems == []


def test_a_query_finds_the_expected_post_first_with_excerpt_and_tags(page, search_url):
    page.goto(search_url + "/")
    open_search(page, with_key=False)
    assert type_query(page, "probabilities")[0] == "Softmax notes"
    first = results(page).first
    assert first.locator("mark").first.inner_text().lower().startswith("probabilit")
    assert first.locator(".search__tags").inner_text() == "#machine-learning"
    assert first.locator("a").get_attribute("href").endswith("/posts/softmax-notes/")


def test_a_tex_command_finds_the_post_with_that_formula(page, search_url):
    page.goto(search_url + "/")
    open_search(page)
    assert type_query(page, "\\nabla") == ["Gradients, written down"]
    assert type_query(page, "softmax")[0] == "Softmax notes"  # the \softmax macro, and prose


def test_results_filter_by_tag_and_leave_out_drafts_and_noindex_posts(page, search_url):
    page.goto(search_url + "/")
    open_search(page)
    page.wait_for_selector("select[data-filter='tag']")
    assert set(type_query(page, "the")) >= {"Softmax notes", "Gradients, written down"}
    page.select_option("select[data-filter='tag']", "machine-learning")
    assert titles(page) == ["Softmax notes"]
    page.select_option("select[data-filter='tag']", "")
    assert type_query(page, "walruses") == []  # the draft's body: the draft is built, not indexed
    assert type_query(page, "zeppelins") == []  # the noindex post's body


def test_escape_closes_and_the_slash_key_types_in_fields(page, search_url):
    page.goto(search_url + "/")
    open_search(page)
    page.keyboard.press("Escape")
    page.wait_for_selector("dialog.search", state="hidden")
    open_search(page, with_key=False)
    page.locator(".search__input").press("/")
    assert page.locator(".search__input").input_value() == "/"


def test_the_404_page_offers_search_for_the_missing_address(page, search_url):
    # At the root: a development build's 404 page links its scripts relative to the root.
    page.goto(search_url + "/softmax-notes-old")
    button = page.locator(".not-found__search-button")
    assert button.is_visible()
    button.click()
    page.wait_for_selector("dialog.search[open]")
    assert page.locator(".search__input").input_value() == "softmax notes old"
    assert titles(page)[0] == "Softmax notes"


def test_the_search_dialog_with_results_passes_axe_in_both_themes(browser, search_url):
    # As `invoke check` audits it: opened on the home page, a query's results shown.
    visits = audit_pages(browser, search_url, ["/"], ("light", "dark"), ROOT)
    searched = [(visit.theme, visit.error, visit.violations) for visit in visits if visit.path == "/ (search open)"]
    assert searched == [("light", "", []), ("dark", "", [])]
