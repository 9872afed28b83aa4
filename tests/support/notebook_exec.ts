/**
 * Executing any chapter's notebook in real Jupyter (`nbconvert --execute` with Deno's kernel),
 * for the chapter tests: a test registrar that skips visibly without Jupyter (fails in CI), the
 * execution itself (again, visibly, only when the kernel race lost an output) and readers of the
 * executed cells' outputs. The same procedure as `tests/tour/notebook_exec_test.ts`, for any
 * notebook path.
 *
 * @module
 */

import assert from "node:assert/strict";
import { engineCommand, engineTest, rgwEndpoint } from "./engines.ts";
import { ROOT } from "./tour_run.ts";
import { splitCell } from "../../tour/percent.ts";
import { joined, type Notebook, type NotebookOutput as Output } from "../../cli/jupyter/outputs.ts";

/** nbconvert config that keeps outputs Deno's kernel publishes after `idle` (see the file). */
const LATE_OUTPUTS = `${ROOT}cli/jupyter/late_outputs.py`;

/** The executed notebook's shapes and its text reader, as `deno task notebook:run` reads them. */
export type { Notebook, NotebookOutput as Output } from "../../cli/jupyter/outputs.ts";
export { joined };

async function run(args: string[], env: Record<string, string> = {}) {
  const { code, stdout, stderr } = await engineCommand("jupyter", {
    args,
    cwd: ROOT,
    clearEnv: true,
    env: { ...baseEnv(), ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(600_000),
  }).output();
  const decoder = new TextDecoder();
  return { code, stdout: decoder.decode(stdout), stderr: decoder.decode(stderr) };
}

/** The environment Jupyter needs, without any AWS_* or S3 endpoint a developer may have set. */
function baseEnv(): Record<string, string> {
  const keep: Record<string, string> = { NO_COLOR: "1", PYDEVD_DISABLE_FILE_VALIDATION: "1" };
  for (const [name, value] of Object.entries(Deno.env.toObject())) {
    if (/^(PATH|HOME|USER|LANG|LC_\w+|TMPDIR|XDG_\w+|JUPYTER_\w+|DENO_\w+|NPM_\w+)$/.test(name)) {
      keep[name] = value;
    }
  }
  return keep;
}

/**
 * Registers a test that executes a notebook, through the engines helper: ignored with a message
 * when Jupyter (or, for `rgw`, Ceph RGW) is missing on a developer machine, failed in CI.
 *
 * @param name The test name (tagged `[jupyter]`, and `[rgw]` when it needs RGW).
 * @param needs Whether it needs Ceph RGW.
 * @param fn The test, given the RGW endpoint (`""` when not needed).
 */
export function jupyterTest(
  name: string,
  needs: { rgw: boolean },
  fn: (t: Deno.TestContext, rgw: string) => Promise<void>,
): void {
  engineTest(
    needs.rgw ? ["jupyter", "rgw"] : "jupyter",
    name,
    (t) => fn(t, needs.rgw ? rgwEndpoint() : ""),
  );
}

/**
 * Indexes of the code cells that show a value (`splitCell()`) but have no output: the Deno kernel
 * sometimes publishes a result after `idle` (see `cli/jupyter/late_outputs.py`).
 *
 * @param notebook An executed notebook.
 * @returns Cell indexes.
 */
export function lostOutputs(notebook: Notebook): number[] {
  return notebook.cells.flatMap((cell, index) => {
    if (cell.cell_type !== "code") return [];
    const shows = splitCell(joined(cell.source)).expression !== undefined;
    return shows && (cell.outputs ?? []).length === 0 ? [index] : [];
  });
}

/**
 * Executes a notebook with `nbconvert --to notebook --execute` into a temporary directory, again
 * (at most 3 times, with a warning) only when the kernel race lost an output, prints it for the
 * log, and returns it.
 *
 * @param path The notebook, relative to the repository root, e.g. `notebooks/02-signing.ipynb`.
 * @param env Extra environment (AWS_ENDPOINT_URL, keys...).
 * @param label Where it runs, for messages.
 * @returns The executed notebook.
 */
export async function executeNotebook(
  path: string,
  env: Record<string, string>,
  label: string,
): Promise<Notebook> {
  for (let attempt = 1;; attempt++) {
    const outDir = await Deno.makeTempDir({ prefix: "notebook-exec-" });
    let notebook: Notebook;
    try {
      const started = Date.now();
      const result = await run([
        "nbconvert",
        "--to",
        "notebook",
        "--execute",
        `--config=${LATE_OUTPUTS}`,
        "--ExecutePreprocessor.kernel_name=deno",
        "--ExecutePreprocessor.timeout=300",
        "--output-dir",
        outDir,
        "--output",
        "executed.ipynb",
        `${ROOT}${path}`,
      ], env);
      console.log(
        `nbconvert --execute ${path} exited ${result.code} in ${
          ((Date.now() - started) / 1000).toFixed(1)
        }s`,
      );
      assert.equal(
        result.code,
        0,
        `Cannot execute ${path}: nbconvert exited ${result.code}:\n${result.stderr.slice(-4000)}`,
      );
      notebook = JSON.parse(await Deno.readTextFile(`${outDir}/executed.ipynb`));
    } finally {
      await Deno.remove(outDir, { recursive: true });
    }
    const lost = lostOutputs(notebook);
    if (lost.length === 0 || attempt === 3) {
      printNotebook(notebook, `${path} on ${label}`);
      return notebook;
    }
    console.warn(`Cells ${lost.join(", ")} lost their output to the kernel race; executing again`);
  }
}

function printNotebook(notebook: Notebook, label: string) {
  const lines = [`--- executed ${label} ---`];
  for (const cell of notebook.cells) {
    if (cell.cell_type !== "code") continue;
    lines.push(...joined(cell.source).split("\n").map((line) => `In  │ ${line}`));
    for (const output of cell.outputs ?? []) {
      if (output.output_type === "error") lines.push(`Out │ ${output.ename}: ${output.evalue}`);
      else lines.push(...textOf(output).trimEnd().split("\n").map((line) => `Out │ ${line}`));
    }
  }
  lines.push(`--- end of ${label} ---`);
  console.log(lines.join("\n"));
}

/**
 * Every output of every code cell, in order.
 *
 * @param notebook An executed notebook.
 * @returns The outputs.
 */
export function outputsOf(notebook: Notebook): Output[] {
  return notebook.cells.flatMap((cell) => cell.cell_type === "code" ? cell.outputs ?? [] : []);
}

/**
 * The text of an output: its plain-text form, else its HTML with the tags removed.
 *
 * @param output One output.
 * @returns Its text.
 */
export function textOf(output: Output): string {
  if (output.text !== undefined) return joined(output.text);
  const data = output.data ?? {};
  const plain = joined(data["text/plain"]);
  if (plain) return plain;
  return joined(data["text/html"]).replace(/<[^>]+>/g, " ").replace(/[ \t]+/g, " ");
}

/**
 * The text of every output of a notebook's code cells, one after another.
 *
 * @param notebook An executed notebook.
 * @returns The outputs' text, joined by newlines.
 */
export function notebookText(notebook: Notebook): string {
  return outputsOf(notebook).map(textOf).join("\n");
}

/**
 * Asserts that an executed notebook has no error output and no lost output.
 *
 * @param notebook An executed notebook.
 * @param label Where it ran, for messages.
 */
export function assertNoErrors(notebook: Notebook, label: string): void {
  const errors = outputsOf(notebook).filter((o) => o.output_type === "error");
  assert.deepEqual(errors.map((e) => `${e.ename}: ${e.evalue}`), [], `${label} has error outputs`);
  assert.deepEqual(lostOutputs(notebook), [], `${label} has cells without their output`);
}
