"""page_writer's forked children: their answer, or why they failed, comes back to the parent."""

from plugins.page_writer import forked
from plugins.page_writer.writer import PageRenderError, _fork_renderer, _wait_for_renderer


def test_a_child_answers_with_bytes():
    assert forked.finish(forked.start(lambda: b"digests")) == (0, b"digests")


def test_a_failing_child_says_why():
    status, answer = forked.finish(forked.start(lambda: 1 // 0))
    assert status == 1 and b"ZeroDivisionError" in answer


def test_a_rendering_child_reports_its_page_error_as_written():
    def render(jobs):
        raise PageRenderError(f"theme/templates/article.html:57: boom (while rendering {jobs[0]})")

    assert _wait_for_renderer(_fork_renderer(render, ["output/a.html"])) == (
        "theme/templates/article.html:57: boom (while rendering output/a.html)"
    )
    assert _wait_for_renderer(_fork_renderer(lambda jobs: None, ["output/b.html"])) is None
