"""`invoke livereload`'s server: rebuilds on save, reports errors to the page, keeps serving."""

import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import time

import pytest
from lxml import html as lxml_html

from pathlib import Path

from helpers import DEV_SETTINGS, FIXTURE_SITE, ROOT, build_site

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


def start_server(tmp_path, watched: list[Path], overrides: dict, settings: str = DEV_SETTINGS):
    """`serve_with_reload` in a process of its own, as `invoke livereload` runs it; waits for the first build."""
    port = free_port()
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "from site_tools.devserver import serve_with_reload;"
        "serve_with_reload(sys.argv[2], sys.argv[3], eval(sys.argv[4]), '127.0.0.1', int(sys.argv[5]),"
        " eval(sys.argv[6]))"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code, str(ROOT), settings, str(tmp_path / "output"),
         repr([str(path) for path in watched]), str(port), repr(overrides)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if get(port, "")[0] in (200, 404):
                break
        except OSError:
            time.sleep(0.2)
    return port, process


def stop_server(process) -> None:
    process.terminate()
    output, _ = process.communicate(timeout=10)
    print(output)


@pytest.fixture
def server(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_SITE, content)
    overrides = {"PATH": str(content), "CACHE_PATH": str(tmp_path / "cache")}
    port, process = start_server(tmp_path, [content], overrides)
    yield port, content, process
    stop_server(process)


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


def wait_until(condition, seconds=60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_the_search_index_follows_the_builds_in_the_background(server, tmp_path):
    from test_search_index import indexed_pages

    port, content, _ = server
    events = Events(port)
    first = events.next_state()
    assert wait_until(lambda: get(port, "pagefind/pagefind.js")[0] == 200)
    post = content / "posts" / "euler.md"
    post.write_text(post.read_text() + "\nQuaternions come later.\n")
    assert events.next_state()["build"] != first["build"]

    def indexed_the_edit():
        try:
            return "Quaternions" in indexed_pages(tmp_path / "output")[f"/{POST}"]["content"]
        except (OSError, KeyError, ValueError):  # Pagefind is writing the index
            return False

    assert wait_until(indexed_the_edit)
    events.close()


# --- Faults: break something, fix it, and the site is whole again ----------------------------------

PLUGIN_CODE = """from pelican import signals


def mark(content):
    content.fault_probe = "{value}"


def mark_newest(generator):  # set on one post only: a kept post must not keep it from a past build
    max(generator.articles, key=lambda article: article.date).newest = True


def register():
    signals.content_object_init.connect(mark)
    signals.article_generator_finalized.connect(mark_newest)
"""


def start_whole_project(tmp_path, built_before: bool = False):
    """A server watching its own copies of content, theme, settings file and a plugins folder with
    a small plugin of the test's own (its value reaches every post page); `built_before`: the site
    was built by another process first (`invoke build`, then `invoke livereload`), so the server's
    first build takes its posts from the cache and renders only the pages that went missing."""
    content, theme, plugins = tmp_path / "content", tmp_path / "theme", tmp_path / "plugins"
    shutil.copytree(FIXTURE_SITE, content)
    shutil.copytree(ROOT / "theme", theme)
    (plugins / "fault_probe").mkdir(parents=True)
    (plugins / "fault_probe" / "__init__.py").write_text(PLUGIN_CODE.format(value="first"))
    settings = tmp_path / "pelicanconf.py"
    settings.write_text((ROOT / "pelicanconf.py").read_text())
    shutil.copy(ROOT / "budgets.toml", tmp_path)  # the settings name it, beside themselves
    article = theme / "templates" / "article.html"
    article.write_text(article.read_text().replace(
        "{{ article.content|safe }}", '{{ article.content|safe }}<p id="probe">{{ article.fault_probe }}</p>'
        '{% if article.newest %}<p id="newest">The newest post</p>{% endif %}'
    ))
    overrides = {
        "PATH": str(content), "CACHE_PATH": str(tmp_path / "cache"), "THEME": str(theme),
        "PLUGIN_PATHS": [str(ROOT / "plugins"), str(plugins)],
        "PLUGINS": [*read_plugins(), "fault_probe"],
    }
    if built_before:
        subprocess.run([sys.executable, "-c", BUILD_ONCE, str(ROOT), str(settings),
                        json.dumps({**overrides, "OUTPUT_PATH": str(tmp_path / "output")})],
                       check=True, cwd=tmp_path, capture_output=True)
        shutil.rmtree(tmp_path / "output" / "tags")  # the first build renders these from kept posts
    port, process = start_server(tmp_path, [content, theme, plugins, settings], overrides, str(settings))
    events = Events(port)
    assert events.next_state()["errors"] == []
    return port, tmp_path, events, overrides, process


# `invoke build` in a process of its own; fails (exit 1) if the build has errors.
BUILD_ONCE = """
import json, sys
sys.path.insert(0, sys.argv[1])
from site_tools.build import build
sys.exit(1 if build(sys.argv[2], json.loads(sys.argv[3])).errors else 0)
"""


@pytest.fixture
def whole_project(tmp_path):
    project = start_whole_project(tmp_path)
    yield project
    project[2].close()
    stop_server(project[4])


@pytest.fixture
def whole_project_built_before(tmp_path):
    project = start_whole_project(tmp_path, built_before=True)
    yield project
    project[2].close()
    stop_server(project[4])


def read_plugins() -> list[str]:
    namespace: dict = {"__file__": str(ROOT / "pelicanconf.py")}
    exec((ROOT / "pelicanconf.py").read_text(), namespace)
    return namespace["PLUGINS"]


def assert_site_is_whole(port, tmp_path, overrides, settings):
    """Every file a clean build of the same sources has, with the same bytes, and nothing more."""
    sys.modules.pop("fault_probe", None)  # each test's plugin folder has its own fault_probe
    clean = build_site(Path(overrides["PATH"]), tmp_path / "clean", settings, **{
        k: v for k, v in overrides.items() if k not in ("PATH", "CACHE_PATH")
    })
    assert clean.result.errors == []
    served = tmp_path / "output"
    expected = sorted(p.relative_to(clean.output) for p in clean.output.rglob("*") if p.is_file())
    # The search index is the server's own, made in the background after builds (see below).
    actual = sorted(p.relative_to(served) for p in served.rglob("*")
                    if p.is_file() and p.relative_to(served).parts[0] != "pagefind")
    assert actual == expected
    differing = [p for p in expected if (served / p).read_bytes() != (clean.output / p).read_bytes()]
    assert [(p, _first_difference(served / p, clean.output / p)) for p in differing] == []
    assert get(port, POST)[0] == 200


def change(events, path: Path, text: str) -> dict:
    path.write_text(text)
    return events.next_state()


def test_template_syntax_error_is_shown_then_the_fix_brings_the_whole_site_back(whole_project):
    port, tmp_path, events, overrides, process = whole_project
    template = tmp_path / "theme" / "templates" / "article.html"
    good = template.read_text()
    broken = change(events, template, good.replace("{% endblock content %}", "{% endblock content %}{% if %}"))
    [error] = broken["errors"]
    assert error.startswith(f"{os.path.relpath(template)}:") and "template syntax error" in error
    assert process.poll() is None and get(port, POST)[0] == 200
    fixed = change(events, template, good)
    assert fixed["errors"] == []
    assert_site_is_whole(port, tmp_path, overrides, str(tmp_path / "pelicanconf.py"))


def test_settings_syntax_error_does_not_stop_the_watcher(whole_project):
    port, tmp_path, events, overrides, process = whole_project
    settings = tmp_path / "pelicanconf.py"
    good = settings.read_text()
    [error] = change(events, settings, good + "\nSITENAME = (\n")["errors"]
    assert error.startswith(f"{os.path.relpath(settings)}:") and "SyntaxError" in error
    assert change(events, settings, good.replace('SITENAME = "', 'SITENAME = "Renamed ', 1))["errors"] == []
    assert "Renamed" in lxml_html.fromstring(get(port, POST)[1]).findtext(".//title")
    assert_site_is_whole(port, tmp_path, {**overrides}, str(settings))


def test_plugin_error_is_shown_and_new_plugin_code_is_loaded_after_the_fix(whole_project):
    port, tmp_path, events, overrides, process = whole_project
    plugin = tmp_path / "plugins" / "fault_probe" / "__init__.py"
    [error] = change(events, plugin, PLUGIN_CODE.format(value="x") + "\ndef broken(:\n")["errors"]
    assert "fault_probe" in error and "SyntaxError" in error
    assert change(events, plugin, PLUGIN_CODE.format(value="second"))["errors"] == []
    assert lxml_html.fromstring(get(port, POST)[1]).get_element_by_id("probe").text == "second"
    assert process.poll() is None
    assert_site_is_whole(port, tmp_path, overrides, str(tmp_path / "pelicanconf.py"))


def test_a_clashing_page_then_its_removal_leaves_no_trace(whole_project):
    port, tmp_path, events, overrides, process = whole_project
    clash = tmp_path / "content" / "pages" / "clash.md"
    errors = change(events, clash, "Title: Clash\nSlug: about\n\nSame URL as About.\n")["errors"]
    assert any("duplicate slug" in error and "clash.md" in error for error in errors)
    clash.unlink()
    assert events.next_state()["errors"] == []
    assert "Clash" not in get(port, POST)[1].decode()
    assert_site_is_whole(port, tmp_path, overrides, str(tmp_path / "pelicanconf.py"))


def test_a_sequence_of_edits_leaves_the_site_a_clean_build_would_make(whole_project):
    """Adds, edits, renames and deletes through the server (which keeps unchanged posts' content
    objects between builds): after each step the site is byte for byte a clean build's."""
    port, tmp_path, events, overrides, process = whole_project
    posts = tmp_path / "content" / "posts"
    settings = str(tmp_path / "pelicanconf.py")
    steps = [
        lambda: (posts / "added.md").write_text(
            "Title: Added later\nDate: 2026-06-20 09:00\nTags: math, new-tag\nSeries: A Short Series\n\n"
            "A new post with $x^2$ and a [link](#x).\n"),
        lambda: (posts / "euler.md").write_text(
            (posts / "euler.md").read_text().replace("Tags: math, complex-analysis", "Tags: complex-analysis")
            .replace("Title: Euler's identity, \"carefully\"",
                     "Title: Euler's identity, retitled\nSlug: eulers-identity-carefully")),
        lambda: (posts / "attention.md").rename(posts / "attention-renamed.md"),
        lambda: (posts / "added.md").unlink(),
    ]
    for step in steps:
        step()
        assert events.next_state()["errors"] == []
        assert_site_is_whole(port, tmp_path, overrides, settings)


def _first_difference(left: Path, right: Path) -> str:
    a, b = left.read_bytes(), right.read_bytes()
    at = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return f"{a[max(0, at - 80):at + 80]!r} != {b[max(0, at - 80):at + 80]!r}"


def test_a_server_started_on_a_built_site_shows_kept_posts_whole_after_an_edit(whole_project_built_before):
    """Its first build takes every post from the cache (their formulas left there: BodyMath) and
    loads some formulas for the tag pages, in the main thread; the edit's build, in the server's
    watcher thread, loads the formulas of the neighbours whose pages it renders again."""
    port, tmp_path, events, overrides, process = whole_project_built_before
    euler = tmp_path / "content" / "posts" / "euler.md"
    assert change(events, euler, euler.read_text().replace(
        "Title: Euler's identity, \"carefully\"", "Title: Euler's identity, retitled\nSlug: eulers-identity-carefully"
    ))["errors"] == []
    assert_site_is_whole(port, tmp_path, overrides, str(tmp_path / "pelicanconf.py"))
