/**
 * The terminal tour reads like a terminal: every chapter run at `COLUMNS=80` (and one at 60)
 * prints no line wider than that, no markdown syntax in its prose, no "notebook" where the
 * terminal is meant, and no colour under `NO_COLOR`; plus the pieces that make it so.
 *
 * @module
 */

import assert from "node:assert/strict";
import { CHAPTERS } from "../../tour/chapters.ts";
import { forReader } from "../../tour/percent.ts";
import { fitTable, foldLine, markdownToText, widthOf } from "../../tour/terminal.ts";
import { Table } from "../../lib/mod.ts";
import { ROOT } from "../support/tour_run.ts";

async function tourAt(columns: number, args: string[]) {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["task", "--quiet", "tour", ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1", COLUMNS: String(columns) },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(180_000),
  }).output();
  const decoder = new TextDecoder();
  return { code, output: decoder.decode(stdout) + decoder.decode(stderr) };
}

/** The lines a tour prints that are not a cell's code (`  › …`), where TypeScript is expected. */
function proseAndValues(output: string): string[] {
  return output.split("\n").filter((line) => !line.startsWith("  › "));
}

const MARKDOWN: [string, RegExp][] = [
  ["a code span", /`/],
  ["emphasis", /(?:^|[\s(])[*_][^\s*_][^*_]*[*_](?=[\s).,;:]|$)/],
  ["a link", /\]\(/],
  ["a heading", /^#{1,6} /],
];

for (const chapter of CHAPTERS) {
  Deno.test(`the ${chapter.name} tour at COLUMNS=80 fits 80 columns, with no markdown and no "notebook"`, async () => {
    const args = chapter.name === "getting-started" ? [] : [chapter.name];
    const { code, output } = await tourAt(80, args);
    assert.equal(code, 0, output);
    const wide = output.split("\n").filter((line) => widthOf(line) > 80);
    assert.deepEqual(wide, [], `lines wider than 80 columns`);
    for (const line of proseAndValues(output)) {
      for (const [what, pattern] of MARKDOWN) {
        assert.doesNotMatch(line, pattern, `${what} in the terminal: "${line}"`);
      }
      assert.doesNotMatch(line, /\bnotebook\b/i, `the terminal reads "${line}"`);
    }
    assert.ok(!output.includes("\x1b["), "NO_COLOR must turn colours off");
  });
}

Deno.test("a tour at COLUMNS=60 fits 60 columns: the width comes from COLUMNS", async () => {
  const { code, output } = await tourAt(60, ["versions"]);
  assert.equal(code, 0, output);
  const widths = output.split("\n").map(widthOf);
  assert.ok(Math.max(...widths) <= 60, `widest line: ${Math.max(...widths)}`);
  assert.ok(widths.some((w) => w > 50), "the prose should use the width it has");
});

Deno.test("markdownToText() drops markdown's syntax and wraps paragraphs and list items", () => {
  const text = markdownToText(
    "## Next\n\nA **bold** *delete marker* and `code`, [a link](x.ipynb), " +
      "[AWS](https://aws.amazon.com).\n\n1. [One](a.ipynb): `deno task tour`\n2. Two, a long item that wraps",
    30,
    false,
  );
  assert.equal(
    text,
    [
      "Next",
      "",
      "A bold delete marker and code,",
      "a link, AWS",
      "(https://aws.amazon.com).",
      "",
      "1. One: deno task tour",
      "2. Two, a long item that wraps",
    ].join("\n"),
  );
  assert.equal(markdownToText("snake_case and 2 * 3 * 4", 80, false), "snake_case and 2 * 3 * 4");
});

Deno.test("forReader() keeps each reader's sentences and drops the other's", () => {
  const prose = "<notebook>This notebook</notebook><terminal>This tour</terminal> ports demo.py.";
  assert.equal(forReader(prose, "notebook"), "This notebook ports demo.py.");
  assert.equal(forReader(prose, "terminal"), "This tour ports demo.py.");
  assert.equal(forReader("A<notebook> (see below)</notebook>.", "terminal"), "A.");
});

Deno.test("foldLine() folds under the indentation, at spaces or URL separators", () => {
  const url = "  GET    http://127.0.0.1:9000/bucket/key?x-id=GetObject&versionId=" +
    "v".repeat(40);
  const folded = foldLine(url, 50, "         ").split("\n");
  assert.ok(folded.every((line) => widthOf(line) <= 50), folded.join("\n"));
  assert.equal(folded.map((l) => l.trim()).join(""), url.trim());
  assert.equal(foldLine("short", 10), "short");
  assert.equal(widthOf("\x1b[1m━━ ×\x1b[22m"), 4);
});

Deno.test("fitTable() shows a few wide rows as blocks and many as shortened columns", () => {
  const id = "YgB3VtcRbgxeaOVUaa4OB1gmyS2YIXsb";
  const few = new Table(["key", "versionId", "etag"], [["notes.txt", id, "e".repeat(34)]]);
  assert.equal(
    fitTable(few, 50, false),
    `  key        notes.txt\n  versionId  ${id}\n  etag       ${"e".repeat(34)}`,
  );
  const many = new Table(
    ["key", "versionId"],
    Array.from({ length: 8 }, (_, i) => [`k${i}`, id + "x".repeat(30)]),
  );
  const lines = fitTable(many, 40, false).split("\n");
  assert.equal(lines.length, 9);
  assert.ok(lines.every((line) => widthOf(line) <= 40), lines.join("\n"));
  assert.match(lines[1], /^ {2}k0 {3}YgB3Vt.*…x+$/);
});
