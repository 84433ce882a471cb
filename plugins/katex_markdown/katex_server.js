// One long-lived KaTeX process: reads one JSON request per line on stdin, answers one JSON line.
// Request: {"macros": [{...}, ...], "items": [{"tex": "...", "display": true, "macros": 0}]}
// (each item names its macro set by index: posts may define their own macros)
// Answer: [{"html": "..."} | {"error": "KaTeX parse error: ...", "position": 12}, ...]
// The first line written is {"version": "<katex version>"}.
// The formula cache keeps these answers by TeX and KaTeX version: when a change here changes the
// answer for some formula, bump SCHEMA_VERSION in store.py so that old answers are dropped.
"use strict";
const readline = require("readline");
const katex = require("katex");

const LINK_PROTOCOLS = new Set(["http", "https", "mailto"]);
const ALLOWED = "in math, only \\href and \\url links to http:, https:, mailto: or in-page # targets are allowed";
// KaTeX draws a command it refuses (trust) in `errorColor` even with throwOnError, and refuses some
// URLs (an obfuscated colon, as in `javascript&colon;`) without asking `trust`. No \color can name
// this colour (KaTeX accepts only #hex and plain letters there), so seeing it means a refusal.
const REFUSED_COLOUR = "refused-by-trust";

function isAllowed(context) {
  if (context.command !== "\\href" && context.command !== "\\url") {
    return false;
  }
  return LINK_PROTOCOLS.has(context.protocol) || context.url.startsWith("#");
}

function refusal(refused) {
  const named = refused.map((context) =>
    context.url === undefined ? context.command : `${context.command}{${context.url}}`,
  );
  return `${named.join(", ")} ${named.length > 1 ? "are" : "is"} refused: ${ALLOWED}`;
}

function positionOf(tex, context) {
  const at = context.url === undefined ? -1 : tex.indexOf(context.url);
  const position = at < 0 ? tex.indexOf(context.command) : tex.lastIndexOf(context.command, at);
  return position < 0 ? null : position;
}

function render(item, macros) {
  const refused = [];
  const trust = (context) => {
    const allowed = isAllowed(context);
    if (!allowed) {
      refused.push(context);
    }
    return allowed;
  };
  try {
    const html = katex.renderToString(item.tex, {
      displayMode: item.display,
      output: "htmlAndMathml",
      throwOnError: true,
      errorColor: REFUSED_COLOUR,
      strict: "ignore",
      trust,
      // A copy per formula: \gdef in one formula must not leak into the next.
      macros: Object.assign({}, macros),
    });
    if (refused.length > 0) {
      return { error: refusal(refused), position: positionOf(item.tex, refused[0]) };
    }
    if (html.includes(REFUSED_COLOUR)) {
      return { error: `a link with an encoded colon in its protocol is refused: ${ALLOWED}`, position: null };
    }
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
