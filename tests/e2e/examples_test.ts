/**
 * The JSDoc examples are tests: `deno task test` runs them (`deno test --doc`) in every folder of
 * code, each runnable example asserts what it shows, and an example is fenced `ts ignore` only
 * for a reason listed here.
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** The folders whose examples run. */
const FOLDERS = ["core", "lib", "server", "cli", "tour"];

/** Files whose examples may not run, how many, and why. */
const NOT_RUN: Record<string, { count: number; why: string }> = {
  // Tests start engines only through tests/support/engines.ts (tests/e2e/engines_test.ts), and a
  // notebook run takes minutes: tests/cli/notebook_run_test.ts runs this code as an engine test.
  "cli/jupyter/nbconvert.ts": { count: 4, why: "they start Jupyter (an engine)" },
  "cli/notebook_run.ts": { count: 1, why: "it starts Jupyter and exits the process" },
  "lib/_lean.ts": { count: 1, why: "it needs an RGW endpoint and keys of its own" },
  "tour/percent.ts": { count: 1, why: "it shows a chapter file's format, not code to run" },
};

/** One `ts` example of a JSDoc comment. */
interface Example {
  file: string;
  line: number;
  ignored: boolean;
  code: string;
}

/**
 * The examples of a source text: fenced `ts` blocks inside `/** … *\/` comments.
 *
 * @param file The file's name, for messages.
 * @param text Its source.
 * @returns The examples in order.
 */
function examplesOf(file: string, text: string): Example[] {
  const lines = text.split("\n");
  const found: Example[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^\s*\*\s*```(?:ts|typescript)\b(.*)$/.exec(lines[i]);
    if (!open) continue;
    const start = i;
    while (++i < lines.length && !/^\s*\*\s*```\s*$/.test(lines[i]));
    found.push({
      file,
      line: start + 1,
      ignored: /\bignore\b/.test(open[1]),
      code: lines.slice(start + 1, i).map((l) => l.replace(/^\s*\* ?/, "")).join("\n"),
    });
  }
  return found;
}

async function sourceFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(`${ROOT}${dir}`)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) files.push(...await sourceFiles(path));
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith("_test.ts")) files.push(path);
  }
  return files.sort();
}

async function allExamples(): Promise<Example[]> {
  const all: Example[] = [];
  for (const dir of FOLDERS) {
    for (const file of await sourceFiles(dir)) {
      all.push(...examplesOf(file, await Deno.readTextFile(`${ROOT}${file}`)));
    }
  }
  return all;
}

Deno.test("deno task test runs the examples of every folder of code", async () => {
  const config = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
  const args = (config.tasks.test as string).split(/\s+/);
  assert.ok(args.includes("--doc"), `the test task does not run examples: ${config.tasks.test}`);
  for (const dir of FOLDERS) {
    assert.ok(args.includes(`${dir}/`), `the test task leaves out ${dir}/: ${config.tasks.test}`);
  }
});

Deno.test("every runnable example asserts what it shows", async () => {
  const examples = await allExamples();
  assert.ok(examples.length > 150, `too few examples found: ${examples.length}`);
  const silent = examples.filter((e) => !e.ignored && !/\bassert\b/.test(e.code));
  assert.deepEqual(silent.map((e) => `${e.file}:${e.line}`), []);
});

Deno.test("an example is fenced `ts ignore` only where listed, with its reason", async () => {
  const counts = new Map<string, number>();
  for (const e of await allExamples()) {
    if (e.ignored) counts.set(e.file, (counts.get(e.file) ?? 0) + 1);
  }
  const expected = new Map(Object.entries(NOT_RUN).map(([file, { count }]) => [file, count]));
  assert.deepEqual(counts, expected);
});

Deno.test("examplesOf() finds fenced examples and tells ignored ones", () => {
  const text = [
    "/**",
    " * @example Usage",
    " * ```ts",
    ' * import assert from "node:assert/strict";',
    " * assert.equal(1, 1);",
    " * ```",
    " * ```ts ignore",
    ' * await fetch("https://example.com");',
    " * ```",
    " */",
  ].join("\n");
  assert.deepEqual(examplesOf("x.ts", text), [
    {
      file: "x.ts",
      line: 3,
      ignored: false,
      code: 'import assert from "node:assert/strict";\nassert.equal(1, 1);',
    },
    { file: "x.ts", line: 7, ignored: true, code: 'await fetch("https://example.com");' },
  ]);
});
