/**
 * The chapter sources (`course/NN_name.ts`, jupytext's "percent" format): read into cells and
 * steps exactly, refused in one line when malformed, type-checked and linted as code (a planted
 * type error in a cell fails `deno check`, an unused value fails `deno lint`), and run in the
 * terminal as one module whose cells keep their declarations, show their last expression and take
 * the tour's parameters.
 *
 * @module
 */

import assert from "node:assert/strict";
import { CHAPTERS, sourcePath } from "../../tour/chapters.ts";
import { declaredNames, parseCells, splitCell, stepsOf } from "../../tour/percent.ts";
import { chapterModule, runChapterModule } from "../../tour/chapter_module.ts";
import { cellHooks } from "../../tour/cell_hooks.ts";
import { ROOT } from "../support/tour_run.ts";
import { assertSdkCells } from "../support/sdk_lessons.ts";

async function deno(args: string[]) {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(300_000),
  }).output();
  const decoder = new TextDecoder();
  return { code, output: decoder.decode(stdout) + decoder.decode(stderr) };
}

/** A copy of a chapter with one line changed, one folder below the root as `course/` is. */
async function planted(chapter: string, from: string, to: string): Promise<string> {
  const text = await Deno.readTextFile(`${ROOT}course/${chapter}`);
  assert.ok(text.includes(from), `course/${chapter} no longer has "${from}"`);
  await Deno.mkdir(`${ROOT}.tmp`, { recursive: true });
  const file = `.tmp/planted_${crypto.randomUUID().slice(0, 8)}.ts`;
  await Deno.writeTextFile(`${ROOT}${file}`, text.replace(from, to));
  return file;
}

Deno.test("parseCells() reads markdown and code cells with their id and tags", () => {
  const cells = parseCells(
    [
      "/** The module doc is not a cell. */",
      "// %% [markdown]",
      "// ## Make it",
      "//",
      "// Some *prose*.",
      "",
      '// %% id="make" tags=["parameters", "cleanup"]',
      "const made = 1;",
      "made;",
      "",
    ].join("\n"),
  );
  assert.deepEqual(cells, [
    { kind: "markdown", id: undefined, tags: [], line: 2, source: "## Make it\n\nSome *prose*." },
    {
      kind: "code",
      id: "make",
      tags: ["parameters", "cleanup"],
      line: 7,
      source: "const made = 1;\nmade;",
    },
  ]);
  const [step] = stepsOf(cells);
  assert.deepEqual(
    [step.id, step.title, step.prose, step.parameters, step.cleanup],
    ["make", "Make it", "Some *prose*.", true, true],
  );
});

Deno.test("a malformed chapter source is refused in one line naming file and line", () => {
  assert.throws(
    () => parseCells("// %% [markdown]\n// ## A\nnot a comment\n", "course/x.ts"),
    { name: "SyntaxError", message: /^Cannot read the markdown cell at course\/x\.ts:3: / },
  );
  assert.throws(() => parseCells("// %%\n1;\n", "course/x.ts"), /course\/x\.ts:1: it has no id/);
  assert.throws(
    () => parseCells('// %% id="a"\n1;\n// %% id="a"\n2;\n', "course/x.ts"),
    /course\/x\.ts:3: cell id "a" is used twice/,
  );
  assert.throws(() => parseCells('// %% id="a" oops\n', "f"), /expected key=value, got "oops"/);
  assert.throws(
    () => stepsOf(parseCells('// %% [markdown]\n// no heading\n// %% id="a"\n1;\n'), "f"),
    /f:1: a step opens with a markdown cell whose first line is a # or ## heading/,
  );
});

Deno.test("splitCell() finds the value a cell shows: its last top-level expression, not an await", () => {
  const cases: [string, string | undefined][] = [
    ["s3.trace.show(x);", "s3.trace.show(x)"],
    ["const a = 1;\na", "a"],
    ["await s3.close();", undefined],
    ["const a = 1;", undefined],
    ["for (const v of left) {\n  await f(v);\n}", undefined],
    [
      "if (x) await f();\nelse await g(); // why\ns3.trace.show(\n  x,\n);",
      "s3.trace.show(\n  x,\n)",
    ],
    [
      "(await signByHand(s3, link)).comparison(); // compare",
      "(await signByHand(s3, link)).comparison()",
    ],
    ['import { a } from "./a.ts";', undefined],
  ];
  for (const [code, expression] of cases) {
    assert.equal(splitCell(code).expression, expression, code);
  }
  assert.deepEqual(declaredNames("const { etag } = h;\nlet n = 1;\n  const inner = 2;"), [
    "etag",
    "n",
  ]);
});

Deno.test("every chapter has steps, one parameters cell, and its title as its heading", () => {
  for (const [i, chapter] of CHAPTERS.entries()) {
    const steps = chapter.steps;
    assert.ok(steps.length > 3, chapter.name);
    assert.equal(steps.filter((s) => s.parameters).length, 1, chapter.name);
    // The first notebook's heading is the course's own title.
    if (i > 0) assert.equal(steps[0].title, chapter.title, `course/${chapter.source}'s heading`);
    assert.match(steps[0].markdown, /^# /);
    assert.ok(steps.slice(1).every((s) => s.markdown.startsWith("## ")), chapter.name);
  }
});

Deno.test("each chapter sends the operations it introduces as AWS SDK commands", () => {
  for (const chapter of CHAPTERS) assertSdkCells(chapter);
});

Deno.test("deno task check type-checks and lints course/, and every chapter passes both", async () => {
  const config = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
  assert.match(config.tasks.check, /deno check [^&]*\bcourse\//);
  assert.ok(!JSON.stringify(config.lint ?? {}).includes("course"), "lint must not exclude course/");
  const files = CHAPTERS.map((c) => sourcePath(c).pathname);
  const check = await deno(["check", "--quiet", ...files]);
  assert.equal(check.code, 0, check.output);
  const lint = await deno(["lint", ...files]);
  assert.equal(lint.code, 0, lint.output);
});

Deno.test("a type error planted in a chapter's cell fails deno check at that line", async () => {
  const file = await planted(
    "02_signing.ts",
    'createBucket(s3, { prefix: "signing" })',
    "createBucket(s3, { prefix: 42 })",
  );
  try {
    const { code, output } = await deno(["check", "--quiet", file]);
    assert.notEqual(code, 0, "deno check passed a cell with a type error");
    assert.match(output, /TS2322 \[ERROR\]: Type 'number' is not assignable to type 'string'/);
    assert.ok(output.includes(file.slice(".tmp/".length)), output);
  } finally {
    await Deno.remove(`${ROOT}${file}`);
  }
});

Deno.test("a value a cell computes and no cell uses fails deno lint", async () => {
  const file = await planted(
    "05_versions.ts",
    "s3.trace.show({ error: gone.name, status: gone.$metadata?.httpStatusCode });",
    "s3.trace.show();",
  );
  try {
    const { code, output } = await deno(["lint", file]);
    assert.notEqual(code, 0, "deno lint passed an unused value");
    assert.match(output, /no-unused-vars[\s\S]*`gone` is never used/);
  } finally {
    await Deno.remove(`${ROOT}${file}`);
  }
});

Deno.test("the tour runs cells as one module: declarations carry over, values shown, parameters set", async () => {
  const source = parseCells(
    [
      "// %% [markdown]",
      "// # One",
      '// %% id="params" tags=["parameters"]',
      "const options: { n: number } = { n: 1 };",
      "// %% [markdown]",
      "// ## Two",
      '// %% id="use"',
      'import { CHAPTERS } from "../tour/chapters.ts";',
      "const total = options.n + CHAPTERS.length;",
      "total * 2;",
      "// %% [markdown]",
      "// ## Three",
      '// %% id="quiet"',
      "await Promise.resolve(total);",
    ].join("\n"),
  );
  const events: unknown[] = [];
  cellHooks.current = {
    enter: (i) => Promise.resolve(void events.push(["enter", i])),
    show: (i, value) => void events.push(["show", i, value]),
    declare: (names) => void events.push(["declare", names]),
    parameter: (name, value) => ({ ...(value as object), n: 10, name }),
  };
  try {
    // The module resolves relative imports against the chapter file, here course/x.ts.
    await runChapterModule(chapterModule(stepsOf(source), new URL(`file://${ROOT}course/x.ts`)));
  } finally {
    cellHooks.current = undefined;
  }
  const total = 10 + CHAPTERS.length;
  assert.deepEqual(events, [
    ["enter", 0],
    ["declare", { options: { n: 10, name: "options" } }],
    ["enter", 1],
    ["show", 1, total * 2],
    ["declare", { total }],
    ["enter", 2],
  ]);
});
