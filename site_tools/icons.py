"""`invoke icons`: the PNG images made from the site's SVG icon, rendered by headless Chromium.

Browsers take the SVG favicon itself; iOS home screens want a PNG (apple-touch-icon, 180x180)
and link previews a raster card (1200x630) with the site's name. Both are made from
theme/static/images/favicon.svg and the settings (SITENAME, SITESUBTITLE), and committed: run this
again after changing the icon or the site's name. Needs the development requirements (Playwright)
and Debian's chromium.
"""

import base64
import html
from pathlib import Path

from pelican.settings import read_settings

CHROMIUM = "/usr/bin/chromium"
APPLE_TOUCH_SIZE = 180
CARD_SIZE = (1200, 630)


def _data_url(path: Path, media_type: str) -> str:
    """Inline, since a page made with set_content may not load file:// URLs."""
    return f"data:{media_type};base64,{base64.b64encode(path.read_bytes()).decode()}"


def _card_page(root: Path, settings: dict, icon: str) -> str:
    fonts = root / settings["THEME"] / "static" / "fonts"
    title = html.escape(settings["SITENAME"])
    subtitle = html.escape(settings.get("SITESUBTITLE") or "")
    return f"""<!doctype html><meta charset="utf-8"><style>
@font-face {{ font-family: CardSerif; font-weight: 600; src: url("{_data_url(fonts / 'source-serif-4-latin-600-normal.woff2', 'font/woff2')}"); }}
@font-face {{ font-family: CardSerif; font-style: italic; src: url("{_data_url(fonts / 'source-serif-4-latin-400-italic.woff2', 'font/woff2')}"); }}
html, body {{ margin: 0; width: {CARD_SIZE[0]}px; height: {CARD_SIZE[1]}px; background: #fcfbf8; color: #1f1d1a; }}
body {{ display: grid; align-content: center; gap: 28px; padding: 0 96px; box-sizing: border-box;
  font-family: CardSerif, serif; border-bottom: 18px solid #96390f; }}
img {{ width: 120px; height: 120px; }}
h1 {{ margin: 0; font-size: 84px; font-weight: 600; line-height: 1.05; }}
p {{ margin: 0; font-size: 40px; font-style: italic; color: #5d574e; }}
</style><img src="{icon}" alt=""><h1>{title}</h1><p>{subtitle}</p>"""


def make_icons(root: Path, settings_file: str) -> list[Path]:
    """Render apple-touch-icon.png and card.png beside the icon; the files written."""
    from playwright.sync_api import sync_playwright

    settings = read_settings(settings_file)
    theme_images = root / settings["THEME"] / "static" / "images"  # the icon: every site has it
    icon = _data_url(theme_images / "favicon.svg", "image/svg+xml")
    apple, card = theme_images / "apple-touch-icon.png", root / settings["PATH"] / "images" / "card.png"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": APPLE_TOUCH_SIZE, "height": APPLE_TOUCH_SIZE})
        # iOS draws the icon on black where it is transparent: the tile fills the square.
        page.set_content(f'<style>html,body{{margin:0;background:#96390f}}</style>'
                         f'<img src="{icon}" width="{APPLE_TOUCH_SIZE}" height="{APPLE_TOUCH_SIZE}">')
        page.screenshot(path=str(apple))
        page.set_viewport_size({"width": CARD_SIZE[0], "height": CARD_SIZE[1]})
        page.set_content(_card_page(root, settings, icon))
        page.evaluate("document.fonts.ready.then(() => document.fonts.size)")
        page.screenshot(path=str(card))
        browser.close()
    return [apple, card]
