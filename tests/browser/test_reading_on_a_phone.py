"""At 360 px, as on a small phone: a formula keeps the punctuation after it, a tag never breaks
inside its name, and display math and code blocks are reached with Tab."""

from helpers import POST_URLS

PHONE = {"width": 360, "height": 740}


def test_punctuation_stays_on_the_line_of_its_formula(page, site_url):
    page.set_viewport_size(PHONE)
    page.goto(site_url + "/" + POST_URLS["attention"])
    gaps = page.evaluate("""[...document.querySelectorAll('.post-content .nowrap')].map(tie => {
        const bases = tie.querySelectorAll('.katex-html > .base');
        const last = bases[bases.length - 1].getBoundingClientRect();
        const range = document.createRange();
        range.setStartAfter(tie.querySelector('.katex'));
        range.setEndAfter(tie.lastChild);
        const after = range.getBoundingClientRect();
        return after.width ? Math.abs((after.top + after.bottom) / 2 - (last.top + last.bottom) / 2) : 0;
    })""")
    assert gaps and max(gaps) < 12, gaps  # on the same line (a line is ~30 px high)


def test_tags_do_not_break_inside_a_name(page, site_url):
    page.set_viewport_size(PHONE)
    page.goto(site_url + "/" + POST_URLS["attention"])
    lines = page.evaluate("[...document.querySelectorAll('.post-meta__tags a')].map(a => a.getClientRects().length)")
    assert lines and set(lines) == {1}


def test_math_and_code_blocks_are_reached_with_tab(page, site_url):
    page.goto(site_url + "/" + POST_URLS["attention"])
    names = []
    for _ in range(40):
        page.keyboard.press("Tab")
        names.append(page.evaluate("document.activeElement.getAttribute('aria-label')"))
    assert "Equation" in names and any(name and name.startswith("Code") for name in names)


def test_a_long_posts_later_blocks_are_laid_out_near_the_screen_only_on_short_screens(page, demo_url):
    """On a phone, blocks past the first screen wait to be laid out (Lighthouse's total blocking
    time on a math post), at a placeholder of about a block's height; on a tall tablet the ninth
    block of a short post is on the first screen, where a placeholder would move what follows."""
    def visibility(size):
        page.set_viewport_size(size)
        page.goto(demo_url + "/posts/adam-bias-correction-deep-dive/")
        return page.evaluate("""[...document.querySelector('.post-content').children].slice(7, 9).map(block => {
            const style = getComputedStyle(block);
            return [style.contentVisibility, style.containIntrinsicHeight];
        })""")

    assert visibility({"width": 412, "height": 823}) == [["visible", "none"], ["auto", "auto 160px"]]
    assert visibility({"width": 1024, "height": 1366}) == [["visible", "none"], ["visible", "none"]]
