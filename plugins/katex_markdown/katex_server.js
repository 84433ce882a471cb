// One long-lived KaTeX process: reads one JSON request per line on stdin, answers one JSON line.
// Request: {"macros": [{...}, ...], "items": [{"tex": "...", "display": true, "macros": 0}]}
// (each item names its macro set by index: posts may define their own macros)
// Answer: [{"html": "..."} | {"error": "KaTeX parse error: ...", "position": 12}, ...]
// The first line written is {"version": "<katex version>"}.
"use strict";
const readline = require("readline");
const katex = require("katex");

// \href is allowed only for in-page links: the numbering pass turns \eqref into \href{#eq-...}.
const trust = (context) => context.command === "\\href" && context.url.startsWith("#");

function render(item, macros) {
  try {
    const html = katex.renderToString(item.tex, {
      displayMode: item.display,
      output: "htmlAndMathml",
      throwOnError: true,
      strict: "ignore",
      trust,
      // A copy per formula: \gdef in one formula must not leak into the next.
      macros: Object.assign({}, macros),
    });
    return { html };
  } catch (error) {
    if (error instanceof katex.ParseError) {
      return { error: error.message, position: error.position ?? null };
    }
    return { error: String(error && error.message ? error.message : error), position: null };
  }
}

process.stdout.write(JSON.stringify({ version: katex.version }) + "\n");
const lines = readline.createInterface({ input: process.stdin, terminal: false });
lines.on("line", (line) => {
  const request = JSON.parse(line);
  const answers = request.items.map((item) => render(item, request.macros[item.macros] || {}));
  process.stdout.write(JSON.stringify(answers) + "\n");
});
