"""Content objects kept between builds (katex_markdown/kept_content.py): a later build, in this
process or a new one, reads only the files that changed, and makes the site a clean build makes."""

import json
import shutil
import sqlite3
import subprocess
import sys
import threading

from helpers import DEV_SETTINGS, FIXTURE_SITE, ROOT, html_differences
from test_livereload import read_plugins

from katex_markdown.store import read_body

PROBE_PLUGIN = """from pelican import signals


def mark(content):
    content.probe = "{value}"


def register():
    signals.content_object_init.connect(mark)
"""

# A build in a process of its own, as `invoke build` runs it; prints its errors as JSON.
BUILD = """
import json, sys
sys.path.insert(0, sys.argv[1])
from site_tools.build import build
result = build(sys.argv[2], json.loads(sys.argv[3]))
print(json.dumps(result.errors))
"""


def build_in_new_process(tmp_path, content, folder, plugins=None) -> list[str]:
    overrides = {"PATH": str(content), "OUTPUT_PATH": str(folder / "output"), "CACHE_PATH": str(folder / "cache")}
    if plugins is not None:
        overrides |= {"PLUGIN_PATHS": [str(ROOT / "plugins"), str(plugins)], "PLUGINS": [*read_plugins(), "probe"]}
    done = subprocess.run([sys.executable, "-c", BUILD, str(ROOT), DEV_SETTINGS, json.dumps(overrides)],
                          capture_output=True, text=True, check=True, cwd=tmp_path)
    return json.loads(done.stdout.strip().splitlines()[-1])


def kept_rows(folder) -> set[str]:
    with sqlite3.connect(folder / "cache" / "katex_markdown.sqlite") as connection:
        return {path for (path,) in connection.execute("SELECT path FROM kept")}


def test_a_new_process_takes_unchanged_posts_from_the_cache_and_matches_a_clean_build(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_SITE, content)
    assert build_in_new_process(tmp_path, content, tmp_path / "live") == []
    sources = {str(path) for path in content.rglob("*.md")}
    assert kept_rows(tmp_path / "live") == sources  # every file as read, for the next process
    euler = content / "posts" / "euler.md"
    euler.write_text(euler.read_text().replace("ties five constants together", "ties five constants, kept"))
    assert build_in_new_process(tmp_path, content, tmp_path / "live") == []
    assert build_in_new_process(tmp_path, content, tmp_path / "clean") == []
    assert html_differences(tmp_path / "live" / "output", tmp_path / "clean" / "output") == []


def test_new_code_in_a_plugin_that_acts_while_reading_is_not_served_from_the_cache(tmp_path):
    content, plugins = tmp_path / "content", tmp_path / "plugins"
    shutil.copytree(FIXTURE_SITE, content)
    (plugins / "probe").mkdir(parents=True)
    (plugins / "probe" / "__init__.py").write_text(PROBE_PLUGIN.format(value="first"))
    assert build_in_new_process(tmp_path, content, tmp_path / "site", plugins) == []
    signature_before = _signatures(tmp_path / "site")
    (plugins / "probe" / "__init__.py").write_text(PROBE_PLUGIN.format(value="second"))
    assert build_in_new_process(tmp_path, content, tmp_path / "site", plugins) == []
    # Every post was read again (and kept under the new code's signature), none taken from the cache.
    assert _signatures(tmp_path / "site") != signature_before and len(_signatures(tmp_path / "site")) == 1


def _signatures(folder) -> set[str]:
    with sqlite3.connect(folder / "cache" / "katex_markdown.sqlite") as connection:
        return {signature for (signature,) in connection.execute("SELECT signature FROM kept")}


def test_pages_of_kept_posts_rendered_in_a_new_process_take_their_formulas_from_the_body_cache(tmp_path):
    """Kept posts are saved without their formulas' HTML (katex_markdown.pipeline.BodyMath): a new
    process that renders every page again (output/ gone) loads them, in its forked renderers too."""
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_SITE, content)
    assert build_in_new_process(tmp_path, content, tmp_path / "live") == []
    shutil.rmtree(tmp_path / "live" / "output")
    assert build_in_new_process(tmp_path, content, tmp_path / "live") == []
    assert build_in_new_process(tmp_path, content, tmp_path / "clean") == []
    assert html_differences(tmp_path / "live" / "output", tmp_path / "clean" / "output") == []


def test_a_kept_post_whose_body_left_the_cache_is_read_again(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_SITE, content)
    assert build_in_new_process(tmp_path, content, tmp_path / "live") == []
    with sqlite3.connect(tmp_path / "live" / "cache" / "katex_markdown.sqlite") as connection:
        connection.execute("DELETE FROM bodies")
    shutil.rmtree(tmp_path / "live" / "output")
    assert build_in_new_process(tmp_path, content, tmp_path / "live") == []
    assert build_in_new_process(tmp_path, content, tmp_path / "clean") == []
    assert html_differences(tmp_path / "live" / "output", tmp_path / "clean" / "output") == []


def test_a_body_is_read_from_the_cache_in_any_thread(tmp_path):
    """The livereload server's first build runs in its main thread, the later ones in its watcher
    thread: both load kept posts' formulas (BodyMath) from the cache."""
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_SITE, content)
    assert build_in_new_process(tmp_path, content, tmp_path / "site") == []
    cache = str(tmp_path / "site" / "cache" / "katex_markdown.sqlite")
    with sqlite3.connect(cache) as connection:
        key = connection.execute("SELECT key FROM bodies LIMIT 1").fetchone()[0]
    bodies = [read_body(cache, key)]
    worker = threading.Thread(target=lambda: bodies.append(read_body(cache, key)))
    worker.start()
    worker.join()
    assert len(bodies) == 2 and bodies[1] is not None and bodies[1].math == bodies[0].math
