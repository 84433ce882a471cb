"""Citations in a reader's browser: the copy button, the hover/focus card, links without JavaScript."""

from pathlib import Path

import pytest
from conftest import serve
from helpers import build_site

CITATIONS_SITE = Path(__file__).parent.parent / "citations_site"
NUMERIC = "/posts/numeric-citations/"
TRICKY = "/posts/a-b-50-of-gpus/"


@pytest.fixture(scope="module")
def cited(tmp_path_factory):
    built = build_site(CITATIONS_SITE, tmp_path_factory.mktemp("cited-browser"))
    assert built.result.errors == []
    server = serve(built.output)
    yield built, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_copy_button_puts_the_exact_bibtex_on_the_clipboard(page, cited):
    built, url = cited
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(url + TRICKY)
    button = page.locator(".cite-post div.highlight button.copy-code")
    assert button.is_visible()
    button.click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == (built.output / TRICKY.strip("/") / "cite.bib").read_text(encoding="utf-8").rstrip("\n")
    assert copied.startswith("@online{tricky_title,\n") and copied.endswith("\n}")
    assert page.console_problems == []


def test_hover_shows_the_reference_and_leaving_hides_it(page, cited):
    _, url = cited
    page.goto(url + NUMERIC)
    card = page.locator(".cite-card")
    assert card.is_hidden()
    page.locator("a.citation__link").first.hover()
    card.wait_for(state="visible")
    assert card.inner_text().startswith("Ashish Vaswani, Noam Shazeer")
    page.mouse.move(0, 0)
    card.wait_for(state="hidden")
    assert page.console_problems == []


def test_card_is_reachable_by_keyboard_and_closes_with_escape(page, cited):
    _, url = cited
    page.goto(url + NUMERIC)
    for _ in range(40):  # past the skip link, the header and the navigation
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('citation__link')"):
            break
    else:
        pytest.fail("no citation link took keyboard focus")
    card = page.locator(".cite-card")
    card.wait_for(state="visible")
    assert card.inner_text().startswith("Ashish Vaswani")
    page.keyboard.press("Tab")  # the next citation: [2, 3]'s first link
    page.wait_for_function("document.querySelector('.cite-card').textContent.startsWith('Kaiming He')")
    page.keyboard.press("Escape")
    card.wait_for(state="hidden")


def test_without_javascript_a_citation_is_a_link_to_its_reference(browser, cited):
    _, url = cited
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(url + NUMERIC)
    page.locator("a.citation__link").first.click()
    assert page.url.endswith("#ref-vaswani2017")
    assert page.locator("#ref-vaswani2017").is_visible()
    assert page.locator(".cite-post pre").inner_text().startswith("@online{numeric_citations,")
    assert page.locator("button.copy-code").count() == 0
    context.close()
