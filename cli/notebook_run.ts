/**
 * `deno task notebook:run NOTEBOOK [--out FILE] [--html]`: executes a notebook in Debian's
 * Jupyter with Deno's kernel, keeping the outputs the kernel publishes after a cell's `idle`
 * (see `cli/jupyter/late_outputs.py`), writes the executed copy (by default beside the notebook,
 * `NAME.out.ipynb`) and with `--html` a static page of it (`NAME.out.html`), and says where, how
 * many outputs it got and how many late ones it recovered.
 *
 * @example Usage
 * ```sh
 * deno task notebook:run notebooks/tour.ipynb --html
 * deno task notebook:run notebooks/tour.ipynb --out /tmp/tour-run.ipynb
 * ```
 *
 * @module
 */

import { relative, resolve } from "node:path";
import { parseCommandLine, reportError, UsageError } from "./usage.ts";
import { executeNotebook, jupyterProblem, renderHtml } from "./jupyter/nbconvert.ts";
import { type Notebook, summarizeOutputs } from "./jupyter/outputs.ts";

const HELP = `Usage: deno task notebook:run [options] NOTEBOOK

Executes NOTEBOOK in Jupyter with Deno's kernel, as CI does, and writes the executed copy. Deno's
kernel sometimes publishes a cell's output after the cell is reported done; this command keeps
listening for a moment (NOTEBOOK_LATE_OUTPUT_GRACE seconds, default 0.5), so no output is lost,
and says how many it recovered. A cell that raises does not stop the run; the command then exits 1.

Options:
  --out FILE     Where to write the executed copy (.ipynb; default: NAME.out.ipynb beside NOTEBOOK)
  --html         Also write a static HTML page of it (same name, .html), to read without Jupyter
  -h, --help     Show this help

Needs Debian's Jupyter and Deno's kernel:
  sudo apt-get install jupyter-nbconvert python3-nbclient jupyter-client python3-ipykernel
  deno jupyter --install

The notebook's own settings come from the environment, e.g. AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID.

Examples:
  deno task notebook:run notebooks/tour.ipynb --html
  deno task notebook:run notebooks/tour.ipynb --out /tmp/tour-run.ipynb`;

/** What the command line asks for. */
export interface NotebookRunOptions {
  /** The notebook to execute. */
  notebook: string;
  /** Where the executed copy goes. */
  out: string;
  /** Where the HTML page goes, when asked for. */
  html?: string;
}

/**
 * Reads the command line.
 *
 * @param args The arguments after the task name.
 * @returns What to run and where to write, or `"help"`.
 * @throws {UsageError} On an unknown flag, a missing or extra notebook, or an `--out` that is
 * not an `.ipynb` file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseNotebookRunArgs } from "./notebook_run.ts";
 *
 * assert.deepEqual(parseNotebookRunArgs(["notebooks/tour.ipynb", "--html"]), {
 *   notebook: "notebooks/tour.ipynb",
 *   out: "notebooks/tour.out.ipynb",
 *   html: "notebooks/tour.out.html",
 * });
 * ```
 */
export function parseNotebookRunArgs(args: string[]): NotebookRunOptions | "help" {
  const parsed = parseCommandLine("notebook:run", args, {
    allowPositionals: true,
    options: {
      out: { type: "string" },
      html: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (parsed.values.help) return "help";
  const [notebook, ...extra] = parsed.positionals;
  if (!notebook) {
    throw new UsageError(
      "notebook:run",
      "Cannot run: name the notebook, e.g. notebooks/tour.ipynb",
    );
  }
  if (extra.length > 0) {
    throw new UsageError(
      "notebook:run",
      `Cannot run more than one notebook at a time, got "${extra.join('", "')}"`,
    );
  }
  if (!notebook.endsWith(".ipynb")) {
    throw new UsageError(
      "notebook:run",
      `Cannot run "${notebook}": a notebook's name ends with .ipynb`,
    );
  }
  const out = parsed.values.out ?? notebook.replace(/\.ipynb$/, ".out.ipynb");
  if (!out.endsWith(".ipynb")) {
    throw new UsageError(
      "notebook:run",
      `Cannot write the executed notebook to "${out}": --out must end with .ipynb`,
    );
  }
  if (resolve(out) === resolve(notebook)) {
    throw new UsageError(
      "notebook:run",
      `Cannot write the executed notebook over "${notebook}": choose another --out`,
    );
  }
  return {
    notebook,
    out,
    ...(parsed.values.html ? { html: out.replace(/\.ipynb$/, ".html") } : {}),
  };
}

/** A path as the user can find it: relative to the working directory when inside it. */
function shown(path: string): string {
  const rel = relative(Deno.cwd(), resolve(path));
  return rel.startsWith("..") ? resolve(path) : rel;
}

/** The last lines of nbconvert's log that say what went wrong. */
function nbconvertError(stderr: string): string {
  const lines = stderr.trim().split("\n").filter((line) => line.trim() !== "");
  const reason = lines.findLast((line) => /Error|error:|No such kernel/.test(line)) ??
    lines.at(-1);
  return reason?.trim() ?? "no message";
}

/**
 * Runs the command.
 *
 * @param args The arguments after the task name.
 * @returns The exit code: 0 when every cell ran and showed its output, 1 otherwise, 2 on a usage
 * mistake, 130 on Ctrl-C.
 *
 * @example
 * ```ts ignore
 * Deno.exit(await main(["notebooks/tour.ipynb", "--html"]));
 * ```
 */
export async function main(args: string[]): Promise<number> {
  let options;
  try {
    options = parseNotebookRunArgs(args);
    if (options === "help") {
      console.log(HELP);
      return 0;
    }
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return reportError(error);
  }
  const info = await Deno.stat(options.notebook).catch(() => undefined);
  // Exit 2 as for a usage mistake: nothing ran, and the line says what to give or install.
  const problem = info?.isFile ? await jupyterProblem() : "no such notebook";
  if (problem) {
    console.error(`Cannot run "${options.notebook}": ${problem}`);
    return 2;
  }

  const controller = new AbortController();
  const interrupt = () => controller.abort();
  Deno.addSignalListener("SIGINT", interrupt);
  try {
    console.log(`Executing ${shown(options.notebook)} with Deno's kernel...`);
    const started = performance.now();
    const run = await executeNotebook(options.notebook, options.out, controller.signal);
    if (controller.signal.aborted) {
      console.error("Interrupted: the notebook was not written");
      return 130;
    }
    if (run.code !== 0) {
      const reason = nbconvertError(run.stderr);
      if (/No such kernel/i.test(reason)) {
        console.error(
          `Cannot run "${options.notebook}": Deno's Jupyter kernel is not registered: run ` +
            "`deno jupyter --install`",
        );
      } else {
        console.error(`Cannot run "${options.notebook}": nbconvert exited ${run.code}: ${reason}`);
      }
      return 1;
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const notebook: Notebook = JSON.parse(await Deno.readTextFile(options.out));
    const summary = summarizeOutputs(notebook);
    console.log(
      `Executed in ${seconds} s: ${summary.codeCells} code cells, ${summary.cellsWithOutput} ` +
        `with output, ${summary.outputs} outputs`,
    );
    console.log(
      `Late outputs recovered: ${run.lateOutputs} (published by the kernel after "idle")`,
    );
    console.log(`Wrote ${shown(options.out)}`);
    if (options.html) {
      const page = await renderHtml(options.out, options.html, controller.signal);
      if (controller.signal.aborted) {
        console.error("Interrupted: the HTML page was not written");
        return 130;
      }
      if (page.code !== 0) {
        console.error(
          `Cannot write "${options.html}": nbconvert exited ${page.code}: ${
            nbconvertError(page.stderr)
          }`,
        );
        return 1;
      }
      console.log(`Wrote ${shown(options.html)}`);
    }
    let code = 0;
    for (const error of summary.errors) {
      console.error(`Cell ${error.cell} raised ${error.ename}: ${error.evalue.split("\n")[0]}`);
      code = 1;
    }
    if (summary.missing.length > 0) {
      console.error(
        `Cells ${summary.missing.join(", ")} end with an expression but show no output: the ` +
          "kernel published it later than the grace period; run again or raise " +
          "NOTEBOOK_LATE_OUTPUT_GRACE (seconds, default 0.5)",
      );
      code = 1;
    }
    return code;
  } finally {
    Deno.removeSignalListener("SIGINT", interrupt);
  }
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
