"""Hand-drawn diagrams: a ```diagram block of JSON becomes an inline SVG at build time.

Phase 1 (`parse`, pool workers): the JSON is read and checked, every problem reported with its
line, and the shapes laid out on the grid as strokes for rough.js plus text. Phase 2 (`draw`,
the build process): the strokes of every diagram not in the cache go to one run of
`node diagram_server.js`, which draws them with rough.js's generator (seeded: the same diagram
gives the same bytes on every build); `to_svg` writes the SVG. The SVG draws in `currentColor`
with classes that diagram.css colours from the theme's custom properties, so it follows light
and dark; its text alternative is the `alt` (or, without one, a list of its labels).

The format is documented in docs/writing.md ("Diagrams").
"""

import functools
import hashlib
import html
import itertools
import json
import math
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from .config import PLUGIN_DIR

SERVER = PLUGIN_DIR / "diagram_server.js"
UNIT = 40  # pixels per grid unit
FONT_SIZE = 16
MARGIN = 8
ARROW_HEAD = 10

_COMMON_KEYS = {"type", "id", "style"}
SHAPE_KEYS = {
    "box": {"at", "size", "label"},
    "cells": {"at", "cells", "cell", "direction", "label"},
    "text": {"at", "text", "align"},
    "arrow": {"from", "to", "via", "label", "dashed"},
    "pointer": {"from", "to", "via", "label", "dashed"},
    "group": {"contains", "at", "size", "label"},
}
_REQUIRED = {
    "box": ("at",), "cells": ("at", "cells"), "text": ("at", "text"),
    "arrow": ("from", "to"), "pointer": ("from", "to"), "group": (),
}
_TOP_KEYS = {"alt", "caption", "shapes", "unit", "seed"}
STYLES = {"accent", "muted", "highlight"}
_CELL_KEYS = {"label", "id", "style"}


class DiagramError(ValueError):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line


@dataclass
class Stroke:
    kind: str  # a rough.js generator method
    args: list
    options: dict
    css_class: str = ""


@dataclass
class Label:
    x: float
    y: float
    text: str
    anchor: str = "middle"
    css_class: str = ""


@dataclass
class Diagram:
    alt: str
    caption: str
    seed: int
    strokes: list[Stroke]
    labels: list[Label]
    view_box: tuple[float, float, float, float]
    description: str
    line: int
    key: str = ""
    problems: list[tuple[int, str, str]] = field(default_factory=list)  # (line, level, message)

    def request(self) -> dict:
        shapes = [{"kind": s.kind, "args": s.args, "options": s.options} for s in self.strokes]
        return {"seed": self.seed, "shapes": shapes}


@dataclass
class _Box:
    """Where a shape or cell is, in pixels, and what it is called (for the text alternative)."""

    x: float
    y: float
    w: float
    h: float
    name: str

    @property
    def center(self):
        return self.x + self.w / 2, self.y + self.h / 2

    def edge_toward(self, px: float, py: float, gap: float = 0.0):
        """The point where a line from the centre toward (px, py) leaves the box."""
        cx, cy = self.center
        dx, dy = px - cx, py - cy
        if dx == 0 and dy == 0:
            return cx, cy
        scale = min((self.w / 2 + gap) / abs(dx) if dx else math.inf, (self.h / 2 + gap) / abs(dy) if dy else math.inf)
        return cx + dx * scale, cy + dy * scale


def diagram_key(source_json: dict) -> str:
    """Content hash of a diagram: its description, the drawing code and rough.js's version."""
    material = json.dumps(source_json, sort_keys=True) + _drawing_code()
    return hashlib.sha256(material.encode()).hexdigest()


@functools.cache
def _drawing_code() -> str:
    """What else shapes a diagram's SVG; fixed for the life of the process (the plugin's code
    cannot change under a running build)."""
    digest = hashlib.sha256(Path(__file__).read_bytes() + SERVER.read_bytes())
    return digest.hexdigest() + roughjs_version()


def roughjs_version() -> str:
    for folder in [PLUGIN_DIR, *PLUGIN_DIR.parents]:
        manifest = folder / "node_modules" / "roughjs" / "package.json"
        if manifest.is_file():
            return json.loads(manifest.read_text())["version"]
    return "missing"


# --- Phase 1: read, check, lay out --------------------------------------------------------------

def parse(source: str, fence_line: int) -> Diagram:
    """The diagram of a ```diagram block whose opening fence is on `fence_line`; raises
    DiagramError with the file line of the first problem."""
    first_line = fence_line + 1
    try:
        spec = json.loads(source)
    except json.JSONDecodeError as error:
        raise DiagramError(first_line + error.lineno - 1, f"diagram: invalid JSON: {error.msg} (column {error.colno})")
    if not isinstance(spec, dict):
        raise DiagramError(first_line, 'diagram: expected a JSON object, {"alt": ..., "shapes": [...]}')
    _check_keys(spec, _TOP_KEYS, "the diagram", first_line)
    shapes = spec.get("shapes")
    if not isinstance(shapes, list) or not shapes:
        raise DiagramError(first_line, 'diagram: "shapes" must be a non-empty list of shapes')
    lines = [first_line + offset for offset in _element_lines(source, "shapes")]
    lines += [first_line] * (len(shapes) - len(lines))
    unit = _number(spec.get("unit", UNIT), "unit", first_line)
    layout = _Layout(unit)
    for shape, line in zip(shapes, lines):
        layout.add(shape, line)
    layout.connect()
    problems = []
    alt = spec.get("alt")
    if not isinstance(alt, str) or not alt.strip():
        problems.append((first_line, "warning", 'diagram has no "alt": add one that says what it shows'))
        alt = "Diagram: " + ", ".join(layout.names) if layout.names else "Diagram"
    caption = spec.get("caption", "")
    if not isinstance(caption, str):
        raise DiagramError(first_line, 'diagram: "caption" must be a string')
    diagram = Diagram(
        alt=alt.strip(), caption=caption.strip(), seed=int(spec.get("seed", 1)),
        strokes=layout.strokes, labels=layout.labels, view_box=layout.view_box(),
        description="; ".join(layout.relations), line=fence_line, problems=problems,
    )
    diagram.key = diagram_key(spec)
    return diagram


def _element_lines(source: str, key: str) -> list[int]:
    """0-based line of each object in the top-level array `key` (json reports no positions)."""
    lines, depth, array_depth, last_string = [], 0, None, None
    index = 0
    while index < len(source):
        char = source[index]
        if char == '"':
            end = index + 1
            while source[end] != '"':
                end += 2 if source[end] == "\\" else 1
            last_string, index = source[index + 1 : end], end + 1
            continue
        if char in "[{":
            depth += 1
            if char == "[" and depth == 2 and last_string == key:
                array_depth = depth
            elif char == "{" and array_depth is not None and depth == array_depth + 1:
                lines.append(source.count("\n", 0, index))
        elif char in "]}":
            if depth == array_depth:
                array_depth = None
            depth -= 1
        elif not char.isspace() and char not in ",:":
            last_string = None
        index += 1
    return lines


def _check_keys(mapping: dict, known: set, what: str, line: int) -> None:
    unknown = sorted(set(mapping) - known)
    if unknown:
        raise DiagramError(line, f"diagram: unknown key(s) {', '.join(map(repr, unknown))} in {what}; "
                                 f"known: {', '.join(sorted(known))}")


def _number(value, name: str, line: int) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise DiagramError(line, f"diagram: {name!r} must be a number, not {json.dumps(value)}")
    return float(value)


def _point(value, name: str, line: int) -> tuple[float, float]:
    if not (isinstance(value, list) and len(value) == 2):
        raise DiagramError(line, f"diagram: {name!r} must be [column, row], not {json.dumps(value)}")
    return _number(value[0], name, line), _number(value[1], name, line)


def _text(value, name: str, line: int) -> str:
    if not isinstance(value, str):
        raise DiagramError(line, f"diagram: {name!r} must be a string, not {json.dumps(value)}")
    return value


def _style(value, line: int) -> str:
    if value is None:
        return ""
    if value not in STYLES:
        raise DiagramError(line, f"diagram: unknown style {json.dumps(value)}; known: {', '.join(sorted(STYLES))}")
    return f"dg-{value}"


_SHAPE_OPTIONS = {"roughness": 1.2, "bowing": 1, "strokeWidth": 1.5}
_LINE_OPTIONS = {"roughness": 0.9, "bowing": 1.5, "strokeWidth": 1.4, "preserveVertices": True}
_HIGHLIGHT_OPTIONS = {"fill": "currentColor", "fillStyle": "hachure", "hachureGap": 6, "fillWeight": 1}


class _Layout:
    def __init__(self, unit: float):
        self.unit = unit
        self.strokes: list[Stroke] = []
        self.labels: list[Label] = []
        self.boxes: dict[str, _Box] = {}
        self.names: list[str] = []
        self.relations: list[str] = []
        self._links: list[tuple[dict, int]] = []
        self._groups: list[tuple[dict, int]] = []
        self._extent: list[tuple[float, float, float, float]] = []

    # shapes
    def add(self, shape, line: int) -> None:
        if not isinstance(shape, dict):
            raise DiagramError(line, f"diagram: each shape must be an object, not {json.dumps(shape)}")
        kind = shape.get("type")
        if kind not in SHAPE_KEYS:
            raise DiagramError(line, f"diagram: unknown shape {json.dumps(kind)}; known: {', '.join(SHAPE_KEYS)}")
        _check_keys(shape, SHAPE_KEYS[kind] | _COMMON_KEYS, f"a {kind}", line)
        for required in _REQUIRED[kind]:
            if required not in shape:
                raise DiagramError(line, f"diagram: a {kind} needs {required!r}")
        if kind in ("arrow", "pointer"):
            self._links.append((shape, line))
        elif kind == "group":
            self._groups.append((shape, line))
        else:
            getattr(self, f"_{kind}")(shape, line)

    def _register(self, name, box: _Box, line: int) -> None:
        if name is None:
            return
        name = _text(name, "id", line)
        if name in self.boxes:
            raise DiagramError(line, f"diagram: duplicate id {name!r}")
        self.boxes[name] = box

    def _box(self, shape, line):
        x, y = _point(shape["at"], "at", line)
        w, h = _point(shape.get("size", [3, 1]), "size", line)
        label = _text(shape.get("label", ""), "label", line)
        box = self._rectangle(x, y, w, h, _style(shape.get("style"), line), label.strip("`") or shape.get("id", "box"))
        self._label(box, label)
        self._register(shape.get("id"), box, line)

    def _cells(self, shape, line):
        x, y = _point(shape["at"], "at", line)
        w, h = _point(shape.get("cell", [2, 1]), "cell", line)
        direction = shape.get("direction", "right")
        if direction not in ("right", "down"):
            raise DiagramError(line, f'diagram: "direction" is "right" or "down", not {json.dumps(direction)}')
        cells = shape["cells"]
        if not isinstance(cells, list) or not cells:
            raise DiagramError(line, 'diagram: "cells" must be a non-empty list of labels')
        shape_style = _style(shape.get("style"), line)
        name = shape.get("id")
        title = _text(shape.get("label", ""), "label", line)
        if title:
            self._text_at(x * self.unit, y * self.unit - 0.3 * self.unit, title, "start", "dg-caption")
        for index, cell in enumerate(cells):
            if isinstance(cell, str):
                cell = {"label": cell}
            if not isinstance(cell, dict):
                raise DiagramError(line, f"diagram: a cell is a label or an object, not {json.dumps(cell)}")
            _check_keys(cell, _CELL_KEYS, "a cell", line)
            cx, cy = (x + index * w, y) if direction == "right" else (x, y + index * h)
            label = _text(cell.get("label", ""), "label", line)
            style = _style(cell.get("style"), line) or shape_style
            box = self._rectangle(cx, cy, w, h, style, label.strip("`") or f"{name or 'cell'} {index}")
            self._label(box, label)
            if name is not None:
                self._register(f"{name}.{index}", box, line)
            self._register(cell.get("id"), box, line)
        if name is not None:
            last = self.boxes[f"{name}.{len(cells) - 1}"]
            first = self.boxes[f"{name}.0"]
            self._register(name, _Box(first.x, first.y, last.x + last.w - first.x, last.y + last.h - first.y,
                                      title or name), line)

    def _text(self, shape, line):
        x, y = _point(shape["at"], "at", line)
        align = shape.get("align", "start")
        anchors = {"start": "start", "middle": "middle", "end": "end"}
        if align not in anchors:
            raise DiagramError(line, f'diagram: "align" is "start", "middle" or "end", not {json.dumps(align)}')
        text = _text(shape["text"], "text", line)
        self._text_at(x * self.unit, y * self.unit, text, anchors[align], _style(shape.get("style"), line))
        width = _text_width(text)
        offset = {"start": 0, "middle": width / 2, "end": width}[align]
        self._register(shape.get("id"), _Box(x * self.unit - offset, y * self.unit - FONT_SIZE / 2, width,
                                             FONT_SIZE, text), line)

    def _rectangle(self, x, y, w, h, style, name) -> _Box:
        box = _Box(x * self.unit, y * self.unit, w * self.unit, h * self.unit, name)
        options = dict(_SHAPE_OPTIONS)
        if style == "dg-highlight":
            options.update(_HIGHLIGHT_OPTIONS)
        self.strokes.append(Stroke("rectangle", [box.x, box.y, box.w, box.h], options, style))
        self._extent.append((box.x, box.y, box.x + box.w, box.y + box.h))
        return box

    def _label(self, box: _Box, text: str) -> None:
        if text:
            self.names.append(text.strip("`"))
            self._text_at(*box.center, text, "middle")

    def _text_at(self, x, y, text, anchor, css_class=""):
        if text.startswith("`") and text.endswith("`") and len(text) > 1:
            text, css_class = text[1:-1], f"{css_class} dg-code".strip()
        self.labels.append(Label(_round(x), _round(y), text, anchor, css_class))
        width = _text_width(text)
        left = {"start": x, "middle": x - width / 2, "end": x - width}[anchor]
        self._extent.append((left, y - FONT_SIZE * 0.7, left + width, y + FONT_SIZE * 0.7))

    # arrows, pointers and groups refer to the shapes above, wherever they were written
    def connect(self) -> None:
        for shape, line in self._links:
            self._link(shape, line)
        for shape, line in self._groups:
            self._group(shape, line)

    def _end(self, value, name: str, line: int):
        if isinstance(value, str):
            if value not in self.boxes:
                known = ", ".join(sorted(self.boxes)) or "none"
                raise DiagramError(line, f"diagram: {name!r} names no shape: {value!r} (ids: {known})")
            return self.boxes[value]
        x, y = _point(value, name, line)
        return (x * self.unit, y * self.unit)

    def _link(self, shape, line):
        start, end = self._end(shape["from"], "from", line), self._end(shape["to"], "to", line)
        via = [(_point(p, "via", line)) for p in shape.get("via", [])]
        via = [(x * self.unit, y * self.unit) for x, y in via]
        pointer = shape["type"] == "pointer"
        style = _style(shape.get("style"), line)
        toward_end = via[0] if via else (end.center if isinstance(end, _Box) else end)
        toward_start = via[-1] if via else (start.center if isinstance(start, _Box) else start)
        if isinstance(start, _Box):
            origin = start.center if pointer else start.edge_toward(*toward_end, gap=3)
        else:
            origin = start
        tip = end.edge_toward(*toward_start, gap=3) if isinstance(end, _Box) else end
        points = [list(map(_round, p)) for p in [origin, *via, tip]]
        options = dict(_LINE_OPTIONS)
        if shape.get("dashed"):
            options["strokeLineDash"] = [6, 5]
        if pointer:
            self.strokes.append(Stroke("circle", [*points[0], 7], {**_LINE_OPTIONS, "fill": "currentColor",
                                                                   "fillStyle": "solid"}, style))
        self.strokes.append(Stroke("linearPath", [points], options, style))
        self.strokes.append(Stroke("linearPath", [_arrow_head(points[-2], points[-1])], _LINE_OPTIONS, style))
        for x, y in points:
            self._extent.append((x - ARROW_HEAD, y - ARROW_HEAD, x + ARROW_HEAD, y + ARROW_HEAD))
        label = _text(shape.get("label", ""), "label", line)
        if label:
            self._link_label(points, label)
        self.relations.append(f"{_name(start)} → {_name(end)}" + (f" ({label})" if label else ""))

    def _link_label(self, points, label):
        (ax, ay), (bx, by) = max(itertools.pairwise(points), key=lambda pair: math.dist(*pair))
        length = math.dist((ax, ay), (bx, by)) or 1
        nx, ny = -(by - ay) / length, (bx - ax) / length  # normal to the longest segment
        if ny > 0 or (ny == 0 and nx > 0):
            nx, ny = -nx, -ny  # put the label above (or left of) the line
        x, y = (ax + bx) / 2 + nx * 12, (ay + by) / 2 + ny * 12
        anchor = "middle" if abs(nx) < 0.5 else ("end" if nx < 0 else "start")
        self._text_at(x, y, label, anchor, "dg-caption")

    def _group(self, shape, line):
        style = _style(shape.get("style"), line)
        if "contains" in shape:
            members = [self._end(_text(name, "contains", line), "contains", line) for name in shape["contains"]]
            if not members:
                raise DiagramError(line, 'diagram: a group\'s "contains" lists at least one id')
            pad = 0.3 * self.unit
            left = min(m.x for m in members) - pad
            top = min(m.y for m in members) - pad
            right = max(m.x + m.w for m in members) + pad
            bottom = max(m.y + m.h for m in members) + pad
        elif "at" in shape:
            x, y = _point(shape["at"], "at", line)
            w, h = _point(shape.get("size", [4, 3]), "size", line)
            left, top, right, bottom = x * self.unit, y * self.unit, (x + w) * self.unit, (y + h) * self.unit
        else:
            raise DiagramError(line, 'diagram: a group needs "contains" (ids) or "at" and "size"')
        options = {**_SHAPE_OPTIONS, "strokeLineDash": [7, 6], "strokeWidth": 1.2}
        self.strokes.append(Stroke("rectangle", [left, top, right - left, bottom - top], options,
                                   f"dg-group {style}".strip()))
        self._extent.append((left, top, right, bottom))
        label = _text(shape.get("label", ""), "label", line)
        if label:
            self._text_at(left + 6, top - 0.3 * self.unit, label, "start", "dg-caption")
            self.names.append(label)
        self._register(shape.get("id"), _Box(left, top, right - left, bottom - top, label or "group"), line)

    def view_box(self):
        left = min(e[0] for e in self._extent) - MARGIN
        top = min(e[1] for e in self._extent) - MARGIN
        right = max(e[2] for e in self._extent) + MARGIN
        bottom = max(e[3] for e in self._extent) + MARGIN
        return tuple(_round(v) for v in (left, top, right - left, bottom - top))


def _name(end) -> str:
    return end.name if isinstance(end, _Box) else "a point"


def _round(value: float) -> float:
    value = round(value, 2)
    return int(value) if value == int(value) else value


def _text_width(text: str) -> float:
    return len(text) * FONT_SIZE * 0.55


def _arrow_head(previous, tip):
    angle = math.atan2(tip[1] - previous[1], tip[0] - previous[0])
    wings = [(tip[0] - ARROW_HEAD * math.cos(angle + turn), tip[1] - ARROW_HEAD * math.sin(angle + turn))
             for turn in (0.45, -0.45)]
    return [list(map(_round, wings[0])), tip, list(map(_round, wings[1]))]


# --- Phase 2: strokes from rough.js, then the SVG ---------------------------------------------

class DiagramUnavailable(RuntimeError):
    pass


def draw(diagrams: list[Diagram]) -> dict[str, str]:
    """SVG for each diagram, by key: one run of `node diagram_server.js` for all of them."""
    if not diagrams:
        return {}
    node = shutil.which("node")
    if node is None:
        raise DiagramUnavailable("Diagrams need Node.js (20 or newer) on PATH.")
    request = json.dumps({"diagrams": [diagram.request() for diagram in diagrams]})
    result = subprocess.run([node, str(SERVER)], input=request, capture_output=True, text=True,
                            encoding="utf-8", cwd=os.fspath(PLUGIN_DIR), check=False)
    if result.returncode != 0:
        detail = next((line for line in result.stderr.splitlines() if "Error" in line), result.stderr[-300:])
        raise DiagramUnavailable(f"rough.js did not draw the diagrams ({detail}); run `npm ci` in the project folder.")
    answer = json.loads(result.stdout)
    return {diagram.key: to_svg(diagram, paths) for diagram, paths in zip(diagrams, answer["diagrams"], strict=True)}


def to_svg(diagram: Diagram, paths: list[list[dict]]) -> str:
    x, y, w, h = diagram.view_box
    alt = html.escape(diagram.alt)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="diagram-svg" viewBox="{x} {y} {w} {h}" '
        f'width="{w}" height="{h}" role="img" aria-label="{alt}">',
        f"<title>{alt}</title>",
    ]
    if diagram.description:
        parts.append(f"<desc>{html.escape(diagram.description)}</desc>")
    parts.append('<g fill="none" stroke="currentColor" stroke-linecap="round" stroke-linejoin="round">')
    for stroke, sets in zip(diagram.strokes, paths, strict=True):
        width = stroke.options.get("strokeWidth", 1)
        dash = stroke.options.get("strokeLineDash")
        css = f' class="{stroke.css_class}"' if stroke.css_class else ""
        parts.append(f"<g{css}>")
        for path in sets:
            if path["type"] == "fillPath":
                parts.append(f'<path d="{path["d"]}" fill="currentColor" stroke="none"/>')
            elif path["type"] == "fillSketch":
                parts.append(f'<path class="dg-fill" d="{path["d"]}" stroke-width="1"/>')
            else:
                dashed = f' stroke-dasharray="{" ".join(map(str, dash))}"' if dash else ""
                parts.append(f'<path d="{path["d"]}" stroke-width="{width}"{dashed}/>')
        parts.append("</g>")
    parts.append("</g>")
    parts.append(f'<g fill="currentColor" font-size="{FONT_SIZE}" dominant-baseline="central">')
    for label in diagram.labels:
        css = f' class="{label.css_class}"' if label.css_class else ""
        family = ' font-family="monospace"' if "dg-code" in label.css_class else ""
        parts.append(f'<text x="{label.x}" y="{label.y}" text-anchor="{label.anchor}"{css}{family}>'
                     f"{html.escape(label.text, quote=False)}</text>")
    parts.append("</g></svg>")
    return "".join(parts)


def figure(svg_placeholder: str, caption: str) -> str:
    """The figure around a diagram (the placeholder is replaced by the SVG when the body is shown)."""
    figcaption = f"<figcaption>{html.escape(caption, quote=False)}</figcaption>" if caption else ""
    return f'<figure class="diagram">{svg_placeholder}{figcaption}</figure>'
