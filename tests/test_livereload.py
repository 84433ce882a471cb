"""`invoke livereload`'s server: rebuilds on save, reports errors to the page, keeps serving."""

import http.client
import json
import shutil
import socket
import subprocess
import sys
import time

import pytest
from lxml import html as lxml_html

from helpers import DEV_SETTINGS, FIXTURE_SITE, ROOT

POST = "posts/eulers-identity-carefully/"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Events:
    """Reads the server-sent events of /__livereload."""

    def __init__(self, port):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.connection.request("GET", "/__livereload")
        self.response = self.connection.getresponse()

    def next_state(self) -> dict:
        while True:
            line = self.response.readline().decode()
            if line.startswith("data: "):
                return json.loads(line[len("data: "):])

    def close(self):
        self.connection.close()


def get(port, path):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/" + path)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, body


@pytest.fixture
def server(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_SITE, content)
    port = free_port()
    overrides = {"PATH": str(content), "CACHE_PATH": str(tmp_path / "cache")}
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "from site_tools.devserver import serve_with_reload;"
        "serve_with_reload(sys.argv[2], sys.argv[3], [sys.argv[4]], '127.0.0.1', int(sys.argv[5]),"
        " eval(sys.argv[6]))"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code, str(ROOT), DEV_SETTINGS, str(tmp_path / "output"), str(content),
         str(port), repr(overrides)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if get(port, "")[0] == 200:
                break
        except OSError:
            time.sleep(0.2)
    yield port, content, process
    process.terminate()
    output, _ = process.communicate(timeout=10)
    print(output)


def test_pages_are_served_with_the_reload_script(server):
    port, _, _ = server
    status, body = get(port, POST)
    assert status == 200 and b"/__livereload" in body
    status, body = get(port, "no/such/page/")
    assert status == 404 and b"/__livereload" in body


def test_a_katex_error_is_shown_and_the_server_keeps_serving(server):
    port, content, process = server
    events = Events(port)
    first = events.next_state()
    assert first["errors"] == []
    post = content / "posts" / "euler.md"
    good = post.read_text()
    post.write_text(good + "\nBroken: $\\frac{1}{$ here.\n")
    state = events.next_state()
    assert state["build"] != first["build"]
    [error] = state["errors"]
    assert "euler.md:" in error and "KaTeX parse error" in error

    status, body = get(port, POST)
    assert status == 200
    page = lxml_html.fromstring(body)
    [shown] = page.cssselect(".katex-error")
    assert "KaTeX parse error" in shown.get("title") and shown.text == "\\frac{1}{"
    assert process.poll() is None

    post.write_text(good)
    fixed = events.next_state()
    assert fixed["errors"] == [] and fixed["build"] != state["build"]
    assert not lxml_html.fromstring(get(port, POST)[1]).cssselect(".katex-error")
    events.close()
