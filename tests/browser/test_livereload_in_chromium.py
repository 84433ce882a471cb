"""`invoke livereload` seen from the browser: a stylesheet edit is swapped in place, no reload."""

from test_livereload import POST, assert_site_is_whole, whole_project  # noqa: F401 (a fixture)


def custom_property(page, name: str) -> str:
    return page.evaluate(f"getComputedStyle(document.documentElement).getPropertyValue('{name}')")


def test_a_stylesheet_edit_is_swapped_in_without_reloading_the_page(whole_project, browser):
    port, tmp_path, events, overrides, process = whole_project
    page = browser.new_page()
    page.goto(f"http://127.0.0.1:{port}/{POST}", wait_until="load")
    page.wait_for_timeout(500)  # the page's EventSource has seen the current build
    page.evaluate("window.stillTheSamePage = true")
    tokens = tmp_path / "theme" / "static" / "css" / "tokens.css"
    tokens.write_text(tokens.read_text() + '\n:root { --reload-probe: "swapped"; }\n')

    page.wait_for_function("getComputedStyle(document.documentElement).getPropertyValue('--reload-probe') !== ''",
                           timeout=30_000)
    assert custom_property(page, "--reload-probe").strip() == '"swapped"'
    swapped = events.next_state()  # the stylesheet pushed to open pages
    assert swapped["styles"] == {"version": 1, "files": ["/theme/css/tokens.css"]}
    rebuilt = swapped
    while rebuilt["build"] == swapped["build"]:  # then the pages, rebuilt behind it
        rebuilt = events.next_state()
    assert rebuilt["errors"] == [] and rebuilt["reload"] is False
    page.wait_for_timeout(500)
    assert page.evaluate("window.stillTheSamePage === true")
    assert_site_is_whole(port, tmp_path, overrides, str(tmp_path / "pelicanconf.py"))
    page.close()
