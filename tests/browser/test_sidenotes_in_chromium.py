"""Sidenotes in a real browser: in the right margin beside their line on a wide screen, footnotes
on a narrow one; in the light and the dark theme; no layout shift. Screenshots: test-artifacts/."""

import itertools

import pytest

NOTES = "/posts/notes-in-the-margin/"
DIAGRAM = "/posts/a-diagram/"
WIDE = {"width": 1400, "height": 1000}
NARROW = {"width": 420, "height": 900}
# --color-text-muted and --color-text of tokens.css, as the browser reports them.
MUTED = {"light": "rgb(92, 87, 79)", "dark": "rgb(171, 163, 150)"}
TEXT = {"light": "rgb(31, 29, 26)", "dark": "rgb(232, 227, 218)"}

RECT = "e => { const r = e.getBoundingClientRect(); return {left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width}; }"


def open_page(browser, url, viewport, theme, fonts=True):
    context = browser.new_context(viewport=viewport)
    if not fonts:
        context.route("**/*.woff2", lambda route: route.abort())
    # The theme as a reader's stored choice: the inline script in <head> applies it before first paint.
    context.add_init_script(f"localStorage.setItem('theme', '{theme}')")
    page = context.new_page()
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.evaluate("document.fonts.ready")
    assert page.evaluate("document.documentElement.dataset.theme") == theme
    return page


def layout_shift(page, scope: str) -> float:
    """The layout-shift score of the elements inside `scope` since the page started loading."""
    return page.evaluate("""scope => new Promise(resolve => {
        let total = 0;
        const inside = source => source.node && document.querySelector(scope).contains(source.node);
        new PerformanceObserver(list => {
            for (const entry of list.getEntries()) if (entry.sources.some(inside)) total += entry.value;
        }).observe({type: "layout-shift", buffered: true});
        setTimeout(() => resolve(total), 300);
    })""", scope)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_sidenotes_sit_in_the_right_margin_beside_their_line_on_a_wide_screen(browser, paper_url, artifacts, theme):
    page = open_page(browser, paper_url + NOTES, WIDE, theme)
    column = page.locator(".post-content").evaluate(RECT)
    notes = page.locator(".post-content :is(.sidenote, .marginnote)")
    assert notes.count() == 3
    boxes = notes.evaluate_all(f"notes => notes.map({RECT})")
    anchors = notes.evaluate_all(f"notes => notes.map(n => ({RECT})(n.previousElementSibling || n.parentElement))")
    margins = notes.evaluate_all("notes => notes.map(n => parseFloat(getComputedStyle(n).marginBottom))")
    previous_bottom = 0
    for note, anchor, margin in zip(boxes, anchors, margins):
        assert note["left"] >= column["right"] + 16, (note, column)  # in the margin, clear of the text
        assert note["right"] <= WIDE["width"] - 8
        assert note["width"] >= 200
        # Level with its reference's line, or just below the note above (and its margin) when
        # that one is in the way.
        assert abs(note["top"] - max(anchor["top"], previous_bottom)) < 32, (note, anchor, previous_bottom)
        previous_bottom = note["bottom"] + margin
    for above, below in itertools.pairwise(boxes):
        assert below["top"] >= above["bottom"]  # stacked, never overlapping
    # The footnote list keeps only the two notes that could not go to the margin.
    assert page.locator(".footnote li.footnote--in-margin").first.is_hidden()
    assert page.locator(".footnote > ol > li:visible").count() == 2
    colour = notes.first.evaluate("n => getComputedStyle(n).color")
    assert colour == MUTED[theme]
    page.screenshot(path=str(artifacts / f"sidenotes-wide-{theme}.png"), full_page=True)
    page.context.close()


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_sidenotes_are_footnotes_on_a_narrow_screen(browser, paper_url, artifacts, theme):
    page = open_page(browser, paper_url + NOTES, NARROW, theme)
    column = page.locator(".post-content").evaluate(RECT)
    assert page.locator(".sidenote").first.is_hidden() and page.locator(".sidenote:visible").count() == 0
    assert page.locator(".footnote > ol > li:visible").count() == 4
    footnotes = page.locator(".footnote").evaluate(RECT)
    last_paragraph = page.locator(".post-content > p").last.evaluate(RECT)
    assert footnotes["top"] > last_paragraph["bottom"]  # at the end, where footnotes go
    # A margin note is small print inside the text column, right where it was written.
    margin_note = page.locator(".marginnote")
    note = margin_note.evaluate(RECT)
    assert column["left"] <= note["left"] and note["right"] <= column["right"] + 1
    paragraph = margin_note.evaluate(f"n => ({RECT})(n.parentElement)")
    assert paragraph["top"] < note["top"] < paragraph["bottom"]
    assert margin_note.evaluate("n => getComputedStyle(n).color") == MUTED[theme]
    page.screenshot(path=str(artifacts / f"sidenotes-narrow-{theme}.png"), full_page=True)
    page.context.close()


@pytest.mark.parametrize("viewport", [WIDE, NARROW], ids=["wide", "narrow"])
def test_notes_shift_nothing_while_the_page_loads(browser, paper_url, viewport):
    """Notes are placed by CSS as the page is laid out: nothing in the post moves afterwards.
    (Web fonts are blocked here: their swap moves text, and that is not the notes' doing.)"""
    page = open_page(browser, paper_url + NOTES, viewport, "light", fonts=False)
    assert page.locator(".post-content :is(.sidenote, .marginnote)").count() == 3
    assert layout_shift(page, "article.post") == 0
    page.context.close()


def test_the_table_of_contents_moves_to_the_left_margin_when_the_right_one_has_notes(browser, demo_url, artifacts):
    page = open_page(browser, demo_url + "/posts/what-is-on-the-stack-while-fib-n-runs/", WIDE, "light")
    toc = page.locator(".page-toc").evaluate(RECT)
    column = page.locator(".post-content").evaluate(RECT)
    note = page.locator(".sidenote").first.evaluate(RECT)
    assert toc["right"] <= column["left"] and note["left"] >= column["right"]
    page.screenshot(path=str(artifacts / "fibonacci-wide-light.png"), full_page=True)
    page.context.close()


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_a_diagram_is_drawn_in_the_colours_of_the_theme(browser, paper_url, artifacts, theme):
    page = open_page(browser, paper_url + DIAGRAM, WIDE, theme)
    svg = page.locator("figure.diagram svg")
    assert svg.evaluate(RECT)["width"] > 200
    assert svg.locator("path").first.evaluate("p => getComputedStyle(p).stroke") == TEXT[theme]
    accent = svg.locator(".dg-accent path").first.evaluate("p => getComputedStyle(p).stroke")
    assert accent not in (TEXT[theme], MUTED[theme])
    assert not [url for url in page.evaluate("performance.getEntriesByType('resource').map(r => r.name)")
                if url.endswith(".js") and "rough" in url]
    svg.screenshot(path=str(artifacts / f"diagram-{theme}.png"))
    page.context.close()


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_demo_figures_are_transparent_and_follow_the_page_theme(browser, demo_url, theme):
    """content/images/*.svg: no background of their own; as images they follow the page's
    colour scheme (the reader's toggle, not only the system's)."""
    page = open_page(browser, demo_url + "/posts/the-sigmoid-and-its-derivative-in-one-picture/", WIDE, theme)
    corner, axis = page.locator(".post-content img[src$='sigmoid.svg']").evaluate("""img => {
        const canvas = document.createElement("canvas");
        canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
        const context = canvas.getContext("2d");
        context.drawImage(img, 0, 0);
        const pixel = (x, y) => Array.from(context.getImageData(x, y, 1, 1).data);
        return [pixel(2, 2), pixel(260, 60)];  // a corner; the vertical axis
    }""")
    assert corner[3] == 0  # transparent
    assert (sum(axis[:3]) > 450) == (theme == "dark"), axis  # light ink on dark, dark ink on light
    page.context.close()
