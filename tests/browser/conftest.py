"""Headless Debian Chromium, driven by Playwright, against built sites served on 127.0.0.1."""

import contextlib
import functools
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from helpers import ROOT, build_site

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
ARTIFACTS = ROOT / "test-artifacts"


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: run `invoke setup --dev` (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def serve(directory: Path):
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server


@contextlib.contextmanager
def served(directory: Path):
    """The URL of `directory` served on 127.0.0.1, for as long as the `with` lasts."""
    server = serve(directory)
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def site_url(site):
    with served(site.output) as url:
        yield url


@pytest.fixture(scope="session")
def demo_url(tmp_path_factory):
    """The demo content in content/, built with the project's settings."""
    built = build_site(ROOT / "content", tmp_path_factory.mktemp("demo"))
    assert built.result.errors == []
    with served(built.output) as url:
        yield url


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    page.console_problems = []
    page.requested = []
    page.on("console", lambda m: m.type in ("error", "warning") and page.console_problems.append(m.text))
    page.on("pageerror", lambda error: page.console_problems.append(str(error)))
    page.on("request", lambda request: page.requested.append(request.url))
    yield page
    context.close()


@pytest.fixture(scope="session")
def artifacts():
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir()
    return ARTIFACTS


@pytest.fixture(scope="session")
def paper_url(paper_site):
    """tests/paper_site (sidenotes, margin notes, a diagram), built once and served."""
    with served(paper_site.output) as url:
        yield url
