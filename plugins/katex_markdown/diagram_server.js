// Draws the strokes of hand-drawn diagrams with rough.js (diagrams.py lays them out and writes
// the SVG). One run per build that has diagrams to draw: reads one JSON request on stdin,
// writes one JSON answer on stdout.
// Request: {"diagrams": [{"seed": 1, "shapes": [{"kind": "rectangle", "args": [x, y, w, h],
//           "options": {...rough.js options}}, ...]}, ...]}
//   kind: rectangle | line | linearPath | curve | circle | ellipse | polygon (rough.js's generator)
// Answer: {"version": "<roughjs version>", "diagrams": [[[{"type": "path" | "fillSketch" |
//          "fillPath", "d": "M..."}, ...] (one list per shape), ...], ...]}
// Each shape gets the diagram's seed plus its index: identical input, identical bytes.
"use strict";
const rough = require("roughjs");
const { version } = require("roughjs/package.json");

const KINDS = new Set(["rectangle", "line", "linearPath", "curve", "circle", "ellipse", "polygon"]);
const DECIMALS = 2;

function draw(generator, diagram) {
  return diagram.shapes.map((shape, index) => {
    if (!KINDS.has(shape.kind)) throw new Error(`unknown shape kind ${shape.kind}`);
    const options = Object.assign({}, shape.options, { seed: diagram.seed + index });
    const drawable = generator[shape.kind](...shape.args, options);
    return drawable.sets.map((set) => ({ type: set.type, d: generator.opsToPath(set, DECIMALS) }));
  });
}

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const request = JSON.parse(input);
  const generator = rough.generator();
  const diagrams = request.diagrams.map((diagram) => draw(generator, diagram));
  process.stdout.write(JSON.stringify({ version, diagrams }) + "\n");
});
