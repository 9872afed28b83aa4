/**
 * `deno task notebook:run`: the tour notebook executed in real Jupyter with Deno's kernel (the
 * `jupyter` engine) keeps an output for every cell that produces one, and `--html` writes a page
 * with the traffic tables; mistakes and a missing kernel get one line.
 */

import assert from "node:assert/strict";
import { splitCell } from "../../tour/percent.ts";
import { engineTest } from "../support/engines.ts";
import { REPO_ROOT, runDeno, taskArgs } from "../support/commands.ts";

interface Cell {
  cell_type: string;
  source: string | string[];
  outputs?: Array<{ output_type: string; ename?: string; evalue?: string }>;
}

const text = (value: string | string[]) => Array.isArray(value) ? value.join("") : value;

/**
 * A code cell produces an output when it ends with an expression, by the rule the course's
 * chapter sources follow (`tour/percent.ts`: `s3.trace.show(x);` shows, `await s3.close();` does
 * not).
 */
function producesOutput(cell: Cell): boolean {
  return splitCell(text(cell.source).trim()).expression !== undefined;
}

function notebookRun(args: string[], env: Record<string, string> = {}) {
  return runDeno([...taskArgs("notebook:run"), ...args], { env, timeoutMs: 300_000 });
}

engineTest(
  "jupyter",
  "notebook:run executes the tour with every output and writes its HTML page",
  async (t) => {
    const dir = await Deno.makeTempDir({ prefix: "notebook-run-" });
    try {
      const out = `${dir}/tour-run.ipynb`;
      const run = await notebookRun(["notebooks/tour.ipynb", "--out", out, "--html"]);
      console.log(run.stdout.trim());
      assert.equal(run.code, 0, `exit ${run.code}: ${run.stderr}`);
      const cells: Cell[] = JSON.parse(await Deno.readTextFile(out)).cells;
      const code = cells.filter((cell) => cell.cell_type === "code");

      await t.step("it says where it wrote and how many late outputs it recovered", () => {
        assert.match(run.stdout, new RegExp(`Wrote ${out.replaceAll(".", "\\.")}\n`));
        assert.match(run.stdout, new RegExp(`Wrote ${dir}/tour-run\\.html\n`));
        assert.match(run.stdout, /Late outputs recovered: \d+ /);
      });
      await t.step("every code cell that produces an output has one", () => {
        const expected = code.filter(producesOutput);
        assert.ok(expected.length >= 12, `Only ${expected.length} cells produce an output`);
        const lost = expected.filter((cell) => (cell.outputs ?? []).length === 0);
        assert.deepEqual(lost.map((cell) => text(cell.source).split("\n").at(-1)), []);
        const withOutput = code.filter((cell) => (cell.outputs ?? []).length > 0).length;
        assert.equal(withOutput, expected.length, "cells with output vs cells that produce one");
        const outputs = code.reduce((sum, cell) => sum + (cell.outputs ?? []).length, 0);
        assert.match(
          run.stdout,
          new RegExp(`${code.length} code cells, ${withOutput} with output, ${outputs} outputs`),
        );
      });
      await t.step("no cell has an error output", () => {
        const errors = code.flatMap((cell) => cell.outputs ?? [])
          .filter((output) => output.output_type === "error");
        assert.deepEqual(errors.map((e) => `${e.ename}: ${e.evalue}`), []);
      });
      await t.step("the HTML page shows the traffic tables", async () => {
        const html = await Deno.readTextFile(`${dir}/tour-run.html`);
        const tables = html.match(/<table[\s>]/g) ?? [];
        assert.ok(tables.length >= 12, `The page has ${tables.length} tables, expected 12`);
        for (const shown of ["BucketNotEmpty", "NoSuchBucket", "403", "409"]) {
          assert.ok(html.includes(shown), `The page does not show "${shown}"`);
        }
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

engineTest("jupyter", "notebook:run says in one line when Deno's kernel is missing", async () => {
  // An empty home: Jupyter does not find the kernel `deno jupyter --install` registered in
  // ~/.local/share/jupyter (JUPYTER_DATA_DIR alone does not hide it). Deno keeps its cache.
  const home = await Deno.makeTempDir({ prefix: "notebook-run-home-" });
  const denoDir = Deno.env.get("DENO_DIR") ?? `${Deno.env.get("HOME")}/.cache/deno`;
  try {
    const run = await notebookRun(["notebooks/tour.ipynb", "--out", `${home}/x.ipynb`], {
      HOME: home,
      DENO_DIR: denoDir,
    });
    assert.equal(run.code, 2, run.stderr);
    assert.equal(
      run.stderr.trim(),
      `Cannot run "notebooks/tour.ipynb": Deno's Jupyter kernel is not registered: run ` +
        "`deno jupyter --install`",
    );
    assert.equal(await Deno.stat(`${home}/x.ipynb`).catch(() => undefined), undefined);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("notebook:run --help says how to use it and what it needs", async () => {
  const run = await notebookRun(["--help"]);
  assert.equal(run.code, 0);
  for (const needle of ["Usage: deno task notebook:run", "--out FILE", "--html", "apt-get"]) {
    assert.ok(run.stdout.includes(needle), `--help does not mention "${needle}"`);
  }
});

Deno.test("notebook:run answers mistakes with one line", async (t) => {
  const cases: Array<[string, string[], string]> = [
    ["no notebook", [], "Cannot run: name the notebook, e.g. notebooks/tour.ipynb"],
    [
      "a missing notebook",
      ["nowhere/none.ipynb"],
      `Cannot run "nowhere/none.ipynb": no such notebook`,
    ],
    ["an unknown flag", ["notebooks/tour.ipynb", "--bogus"], `Unknown option "--bogus"`],
    [
      "an --out that is not a notebook",
      ["notebooks/tour.ipynb", "--out", "x.html"],
      `Cannot write the executed notebook to "x.html": --out must end with .ipynb`,
    ],
    [
      "an --out over the notebook",
      ["notebooks/tour.ipynb", "--out", `${REPO_ROOT}/notebooks/tour.ipynb`],
      `Cannot write the executed notebook over "notebooks/tour.ipynb": choose another --out`,
    ],
  ];
  // Usage mistakes end with the hint every command gives (cli/usage.ts); a missing file does not.
  const hint = '; see "deno task notebook:run --help"';
  for (const [what, args, message] of cases) {
    await t.step(what, async () => {
      const run = await notebookRun(args);
      assert.equal(run.code, 2, run.stderr);
      assert.equal(run.stderr.trim(), what === "a missing notebook" ? message : message + hint);
      assert.equal(run.stdout, "");
    });
  }
});
