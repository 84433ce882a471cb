"""Bad input fails the build with a message that names the file (and the line where it can)."""

import gc
import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import ROOT, build_site
from site_tools.build import build_then_swap

BAD_INPUT = Path(__file__).parent / "bad_input"


def errors_for(case: str, tmp_path) -> list[str]:
    return build_site(BAD_INPUT / case, tmp_path).result.errors


@pytest.mark.parametrize("case", ["no_title", "bad_date"])
def test_a_failed_build_leaves_the_garbage_collector_as_it_was(case, tmp_path):
    """Builds tune the collector for themselves; a livereload server's next build (and its memory)
    must not inherit that, even from a build that failed."""
    thresholds = gc.get_threshold()
    assert errors_for(case, tmp_path)
    assert gc.get_threshold() == thresholds
    assert gc.get_freeze_count() == 0


def test_post_without_title(tmp_path):
    [error] = errors_for("no_title", tmp_path)
    assert "untitled.md" in error and "'title'" in error


def test_unparseable_date(tmp_path):
    errors = errors_for("bad_date", tmp_path)
    assert errors[0].startswith("tests/bad_input/bad_date/posts/bad-date.md:2: Date: '2026-13-45 25:99'")


def test_duplicate_slugs_name_both_files(tmp_path):
    error, stopped = errors_for("duplicate_slug", tmp_path)
    assert "nothing was written" in stopped
    assert "duplicate slug" in error
    assert "posts/first.md" in error and "posts/second.md" in error
    assert "posts/same/index.html" in error


def test_broken_internal_link_names_file_and_line(tmp_path):
    error, _ = errors_for("broken_link", tmp_path)
    assert "broken_link/posts/linking.md:6:" in error
    assert "/posts/missing.md" in error


def test_every_katex_error_is_listed_with_its_line(tmp_path):
    errors = errors_for("katex_errors", tmp_path)
    source = os.path.relpath(BAD_INPUT / "katex_errors" / "posts" / "bad-math.md")
    assert len(errors) == 3, errors
    assert errors[0].startswith(f"{source}:6: KaTeX parse error:")
    assert errors[1].startswith(f"{source}:9: KaTeX parse error:") and "undefinedmacro" in errors[1]
    assert errors[2] == f"{source}:12: \\eqref{{eq:nowhere}}: no equation has this label"


def test_katex_errors_are_not_cached(tmp_path):
    build_site(BAD_INPUT / "katex_errors", tmp_path)
    again = build_site(BAD_INPUT / "katex_errors", tmp_path)
    assert len(again.result.errors) == 3


def test_invoke_build_exits_non_zero_and_prints_the_errors(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "invoke", "build", "--content", str(BAD_INPUT / "katex_errors"),
         "--output", str(tmp_path / "out")],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert result.returncode == 1
    assert "3 error(s):" in result.stderr
    assert "bad-math.md:6: KaTeX parse error" in result.stderr


def test_publish_keeps_the_previous_output_when_the_build_fails(tmp_path):
    output = tmp_path / "output"
    output.mkdir()
    (output / "index.html").write_text("previous site")
    result = build_then_swap(
        str(ROOT / "publishconf.py"), str(output),
        {"PATH": str(BAD_INPUT / "no_title"), "CACHE_PATH": str(tmp_path / "cache")},
    )
    assert not result.ok
    assert (output / "index.html").read_text() == "previous site"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".publish-")]


@pytest.mark.parametrize("setting, message", [
    ({"KATEX_MARKDOWN": {"tyopgrify": False}}, "KATEX_MARKDOWN has unknown key(s) tyopgrify"),
    ({"KATEX_MARKDOWN": {"cache_days": "a week"}}, "cache_days must be a whole number of days, 0 or more; it is 'a week'"),
])
def test_a_bad_plugin_setting_is_named(tmp_path, setting, message):
    result = build_site(BAD_INPUT / "no_title", tmp_path, **setting).result
    assert any(message in error for error in result.errors)


def test_invoke_new_creates_a_draft_post():
    title = "A fresh idea: testing `invoke new`"
    path = ROOT / "content" / "posts" / "a-fresh-idea-testing-invoke-new.md"
    assert not path.exists()
    try:
        result = subprocess.run([sys.executable, "-m", "invoke", "new", title], cwd=ROOT, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        text = path.read_text()
        assert text.startswith(f"Title: {title}\nDate: ")
        assert "\nStatus: draft\n" in text
        again = subprocess.run([sys.executable, "-m", "invoke", "new", title], cwd=ROOT, capture_output=True, text=True)
        assert again.returncode == 1 and "already exists" in again.stderr
    finally:
        path.unlink(missing_ok=True)


def test_front_matter_typo_is_a_warning_and_an_empty_slug_an_error(tmp_path):
    result = build_site(BAD_INPUT / "front_matter", tmp_path).result
    source = os.path.relpath(BAD_INPUT / "front_matter" / "posts")
    assert result.errors == [
        f"{source}/emoji.md:1: the slug made from Title: '🔥🔥' is empty; add a `Slug:` with letters or digits",
        "1 content problem(s), listed above; nothing was written",
    ]
    assert f"{source}/typo.md:3: unknown front-matter field 'Tgas:' is ignored" in result.warnings[0]
    assert not (tmp_path / "output").exists()


def test_plugins_declare_the_front_matter_keys_they_read(tmp_path):
    """A key declared in EXTRA_FRONT_MATTER_KEYS (or a plugin's FRONT_MATTER_KEYS) is not unknown."""
    result = build_site(BAD_INPUT / "front_matter", tmp_path, EXTRA_FRONT_MATTER_KEYS=["tgas"]).result
    assert not [warning for warning in result.warnings if "Tgas" in warning]


def test_errors_are_github_annotations_in_actions(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "invoke", "build", "--content", str(BAD_INPUT / "katex_errors"),
         "--output", str(tmp_path / "out")],
        cwd=ROOT, capture_output=True, text=True, env={**os.environ, "GITHUB_ACTIONS": "true"},
    )
    source = os.path.relpath(BAD_INPUT / "katex_errors" / "posts" / "bad-math.md", ROOT)
    annotations = [line for line in result.stderr.splitlines() if line.startswith("::error ")]
    assert len(annotations) == 3
    assert annotations[0].startswith(f"::error file={source},line=6::KaTeX parse error")
