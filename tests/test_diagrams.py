"""Hand-drawn diagrams: ```diagram JSON drawn by rough.js at build time into an inline SVG."""

import json
import os
import sqlite3
from pathlib import Path

import pytest
from lxml import etree

from helpers import PAPER_SITE, build_site, styles_of, text_of
from katex_markdown.diagrams import DiagramError, parse

BAD_INPUT = Path(__file__).parent / "bad_input"
DIAGRAM_POST = "posts/a-diagram/"


def svg_of(site):
    [svg] = site.page(DIAGRAM_POST).xpath("//figure[@class='diagram']/svg")
    return svg


def test_a_diagram_is_an_inline_svg_in_a_figure(paper_site):
    page = paper_site.page(DIAGRAM_POST)
    [figure] = page.xpath("//div[contains(@class, 'post-content')]/figure[@class='diagram']")
    svg = figure.find("svg")
    assert svg is not None and "diagram-svg" in svg.get("class")
    assert len(svg.xpath(".//path")) > 10
    assert text_of(figure.find("figcaption")) == "Figure 1: Two frames and a pointer"  # numbered by paper_elements
    labels = [text_of(text) for text in svg.xpath(".//text")]
    assert {"main()", "x = f(1)", "f(1)", "ret", "heap", "returns to", "stack", "objects live here"} <= set(labels)
    # Code labels (in backticks) are set in the monospace face.
    [code] = svg.xpath(".//text[contains(@class, 'dg-code')]")
    assert text_of(code) == "x = f(1)"


def test_a_diagram_draws_in_the_text_colour_and_theme_classes(paper_site):
    svg = svg_of(paper_site)
    [strokes] = svg.xpath("./g[@stroke]")
    assert strokes.get("stroke") == "currentColor"
    assert svg.xpath(".//g[@class='dg-accent']") and svg.xpath(".//g[@class='dg-highlight']//path[@class='dg-fill']")
    # No colour is fixed in the SVG: every one comes from currentColor or diagram.css.
    colours = {value for element in svg.iter() for name, value in element.attrib.items() if name in ("fill", "stroke")}
    assert colours <= {"currentColor", "none"}


def test_a_diagram_has_a_text_alternative(paper_site):
    svg = svg_of(paper_site)
    alt = "Two stack frames; the callee’s return slot points to the caller."
    assert svg.get("role") == "img"
    assert svg.get("aria-label").replace("'", "’") == alt
    assert svg.find("title").text.replace("'", "’") == alt
    # The arrows, in words, for readers who cannot see them.
    assert svg.find("desc").text == "ret → caller (returns to); f(1) → heap"


def test_pages_load_no_diagram_code_and_only_diagram_pages_load_its_css(paper_site):
    assert "diagram" in styles_of(paper_site.page(DIAGRAM_POST))
    for path in paper_site.html_files():
        page = paper_site.page(str(path.relative_to(paper_site.output)))
        scripts = [script.get("src") or script.text or "" for script in page.xpath("//script")]
        assert not [script for script in scripts if "rough" in script.lower()], path
        if "a-diagram" not in str(path):
            assert "diagram" not in styles_of(page), path
    assert not list(paper_site.output.rglob("*rough*"))


def test_a_diagram_is_byte_identical_across_two_builds(tmp_path):
    content = tmp_path / "content"
    (content / "posts").mkdir(parents=True)
    (content / "posts" / "diagram.md").write_bytes((PAPER_SITE / "posts" / "diagram.md").read_bytes())
    first = build_site(content, tmp_path / "first")
    second = build_site(content, tmp_path / "second")  # a cache of its own: drawn again
    assert first.result.errors == second.result.errors == []
    drawn = [etree.tostring(svg_of(site)) for site in (first, second)]
    assert drawn[0] == drawn[1]
    assert (first.output / DIAGRAM_POST / "index.html").read_bytes() == (
        second.output / DIAGRAM_POST / "index.html"
    ).read_bytes()


def test_a_diagram_is_cached_by_its_content(tmp_path):
    content = tmp_path / "content"
    (content / "posts").mkdir(parents=True)
    # A body of its own (bodies are kept in memory between builds), with the fixture's diagram.
    source = (PAPER_SITE / "posts" / "diagram.md").read_text().replace("The end.", "The cached end.")
    (content / "posts" / "diagram.md").write_text(source)
    built = build_site(content, tmp_path)
    expected = parse(source.split("```diagram\n")[1].split("\n```")[0], 7)
    with sqlite3.connect(tmp_path / "cache" / "katex_markdown.sqlite") as cache:
        [(html,)] = cache.execute("SELECT html FROM formulas WHERE key = ?", (expected.key,)).fetchall()
    assert html.startswith("<svg") and html in (built.output / DIAGRAM_POST / "index.html").read_text()
    # The same diagram moved to another post is the same entry.
    (content / "posts" / "diagram.md").rename(content / "posts" / "moved.md")
    (content / "posts" / "moved.md").write_text(source.replace("Title: A diagram", "Title: Moved"))
    assert build_site(content, tmp_path).result.errors == []
    with sqlite3.connect(tmp_path / "cache" / "katex_markdown.sqlite") as cache:
        assert cache.execute("SELECT count(*) FROM formulas WHERE key = ?", (expected.key,)).fetchone() == (1,)


def test_bad_diagrams_fail_the_build_with_file_and_line(tmp_path):
    errors = build_site(BAD_INPUT / "diagrams", tmp_path).result.errors
    source = os.path.relpath(BAD_INPUT / "diagrams" / "posts")
    assert f"{source}/bad-json.md:9: diagram: invalid JSON: Expecting ',' delimiter (column 5)" in errors
    assert (f'{source}/unknown-shape.md:9: diagram: unknown shape "circle"; '
            "known: box, cells, text, arrow, pointer, group") in errors
    assert (f"{source}/unknown-id.md:8: diagram: 'to' names no shape: 'heap' (ids: a, a.0, a.1)") in errors


def test_a_diagram_without_alt_warns_and_still_has_a_text_alternative(tmp_path):
    content = tmp_path / "content" / "posts"
    content.mkdir(parents=True)
    (content / "no-alt.md").write_text(
        'Title: No alt\nDate: 2026-01-01\n\n```diagram\n{"shapes": [{"type": "box", "at": [0, 0], "label": "A"}]}\n```\n'
    )
    built = build_site(tmp_path / "content", tmp_path)
    assert built.result.errors == []
    assert any('no-alt.md:5: diagram has no "alt"' in warning for warning in built.result.warnings)
    [svg] = built.page("posts/no-alt/").xpath("//figure//svg")
    assert svg.get("aria-label") == "Diagram: A"


def spec(*shapes) -> str:
    """A diagram's JSON with shape i on line i + 2."""
    return '{"alt": "x", "shapes": [\n' + ",\n".join(json.dumps(shape) for shape in shapes) + "\n]}"


@pytest.mark.parametrize(
    "source, line, message",
    [
        # JSON and the top level
        ("[1, 2]", 11, "expected a JSON object"),
        ('{"alt": "x"}', 11, '"shapes" must be a non-empty list'),
        ('{"alt": "x", "shapes": [], "colour": 1}', 11, "unknown key(s) 'colour' in the diagram"),
        # shapes: the line of the shape's opening brace
        (spec({"type": "box", "at": [0, 0]}, {"type": "box", "sise": [1, 1], "at": [1, 1]}), 13,
         "unknown key(s) 'sise' in a box"),
        (spec({"type": "box"}), 12, "a box needs 'at'"),
        (spec({"type": "box", "at": [0]}), 12, "'at' must be [column, row]"),
        (spec({"type": "box", "at": [0, "1"]}), 12, "'at' must be a number"),
        (spec({"type": "cells", "at": [0, 0], "cells": [], "id": "c"}), 12, '"cells" must be a non-empty list'),
        (spec({"type": "cells", "at": [0, 0], "cells": ["a"], "direction": "up"}), 12, '"direction" is'),
        (spec({"type": "box", "at": [0, 0], "style": "bold"}), 12, 'unknown style "bold"'),
        (spec({"type": "box", "at": [0, 0], "id": "a"}, {"type": "box", "at": [1, 0], "id": "a"}), 13,
         "duplicate id 'a'"),
        (spec({"type": "group", "label": "g"}), 12, 'a group needs "contains"'),
        (spec({"type": "arrow", "from": [0, 0], "to": "nowhere"}), 12, "'to' names no shape: 'nowhere'"),
    ],
)
def test_diagram_problems_are_named_with_their_line(source, line, message):
    with pytest.raises(DiagramError) as raised:
        parse(source, 10)
    assert raised.value.line == line
    assert message in str(raised.value)


def test_cells_are_addressed_by_index_and_by_their_own_ids():
    diagram = parse(spec(
        {"type": "cells", "id": "s", "at": [0, 0], "cells": ["a", {"label": "b", "id": "bee"}]},
        {"type": "arrow", "from": "s.0", "to": "bee"},
        {"type": "pointer", "from": "s", "to": [5, 5]},
    ), 1)
    assert diagram.description == "a → b; s → a point"
