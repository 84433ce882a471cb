"""What a reader's browser does with the pages: no errors, nothing from elsewhere, math drawn."""

from urllib.parse import urlparse

from helpers import POST_URLS


def only_local(urls):
    return [url for url in urls if urlparse(url).hostname != "127.0.0.1"]


def test_home_and_post_render_without_errors_or_outside_requests(page, site_url):
    for path in ("/", "/" + POST_URLS["attention"]):
        page.goto(site_url + path)
        page.wait_for_load_state("networkidle")
        assert page.console_problems == [], path
    assert page.requested and only_local(page.requested) == []


def test_theme_toggle_persists_across_reload(page, site_url):
    page.goto(site_url + "/")
    toggle = page.locator("button[data-theme-toggle], .theme-toggle").first
    assert toggle.is_visible()
    before = page.evaluate("document.documentElement.dataset.theme || ''")
    toggle.click()
    after = page.evaluate("document.documentElement.dataset.theme")
    assert after in ("light", "dark") and after != before
    page.reload()
    assert page.evaluate("document.documentElement.dataset.theme") == after
    page.goto(site_url + "/" + POST_URLS["euler"])
    assert page.evaluate("document.documentElement.dataset.theme") == after


def test_hello_world_math_is_drawn_at_build_time(page, demo_url, artifacts):
    page.set_viewport_size({"width": 1100, "height": 900})
    page.goto(demo_url + "/posts/hello-world-testing-the-machinery/")
    page.wait_for_load_state("networkidle")
    assert page.console_problems == []
    assert page.locator(".katex-error").count() == 0
    formulas = page.locator(".katex")
    assert formulas.count() > 20
    boxes = page.evaluate(
        "[...document.querySelectorAll('.katex')].map(e => { const r = e.getBoundingClientRect();"
        " return [r.width, r.height]; })"
    )
    assert all(width > 0 and height > 0 for width, height in boxes), boxes
    scripts = page.evaluate("[...document.scripts].map(s => s.src).filter(Boolean)")
    assert not [src for src in scripts if "katex" in src or "mathjax" in src.lower()]
    assert not [url for url in page.requested if url.endswith(".js") and ("katex" in url or "math" in url)]
    fonts = [url for url in page.requested if url.endswith(".woff2")]
    assert any("/katex/fonts/" in url for url in fonts)
    page.screenshot(path=str(artifacts / "hello-world.png"), full_page=True)


def test_copy_button_copies_the_code_without_line_numbers(page, site_url, browser):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(site_url + "/" + POST_URLS["attention"])
    block = page.locator("div.highlight").first
    button = block.locator("button.copy-code")
    assert button.is_visible()
    button.click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("import torch\n\ndef attention(q, k, v):")


def test_code_is_selectable_and_complete_without_javascript(browser, site_url):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site_url + "/" + POST_URLS["attention"])
    assert page.locator("button.copy-code").count() == 0
    assert "def attention(q, k, v):" in page.locator("div.highlight pre").first.inner_text()
    assert page.locator(".theme-toggle").is_hidden()
    context.close()
