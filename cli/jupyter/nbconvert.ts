/**
 * Debian's Jupyter from Deno: checks that nbconvert and Deno's kernel are there, executes a
 * notebook with the late-output grace of `late_outputs.py`, and renders a static HTML page.
 *
 * @example
 * ```ts ignore
 * import { executeNotebook, jupyterProblem } from "./nbconvert.ts";
 * const problem = await jupyterProblem();
 * if (!problem) await executeNotebook("notebooks/tour.ipynb", "/tmp/tour.out.ipynb");
 * ```
 *
 * @module
 */

import { basename, dirname, resolve } from "node:path";

/** Debian's Python, which has Jupyter; a `python3` on the PATH may be another. */
export const PYTHON = "/usr/bin/python3";

/** The Debian packages and the step that give Jupyter with Deno's kernel. */
export const JUPYTER_INSTALL = "sudo apt-get install jupyter-nbconvert python3-nbclient " +
  "jupyter-client python3-ipykernel, then run `deno jupyter --install`";

/** The nbconvert config that keeps outputs Deno's kernel publishes after `idle`. */
export const LATE_OUTPUTS_CONFIG: string = new URL("./late_outputs.py", import.meta.url).pathname;

/** Reports nbconvert's version and the Deno kernel's executable, as JSON, in one start-up. */
const PROBE = `
import json
out = {}
try:
    import nbconvert, nbclient
    out["nbconvert"] = nbconvert.__version__
except Exception as e:
    out["error"] = f"{type(e).__name__}: {e}"
try:
    from jupyter_client.kernelspec import KernelSpecManager
    out["kernel"] = KernelSpecManager().get_kernel_spec("deno").argv[0]
except Exception:
    out["kernel"] = None
print(json.dumps(out))
`;

const decoder = new TextDecoder();

/** Environment for Jupyter: quiet about the debugger, no colours. */
const JUPYTER_ENV = { PYDEVD_DISABLE_FILE_VALIDATION: "1", NO_COLOR: "1" };

/**
 * Tells why Jupyter with Deno's kernel cannot run here.
 *
 * @returns A one-line reason that says what to install, or `undefined` when all is there.
 *
 * @example
 * ```ts ignore
 * const problem = await jupyterProblem();
 * if (problem) console.error(problem);
 * ```
 */
export async function jupyterProblem(): Promise<string | undefined> {
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command(PYTHON, {
      args: ["-c", PROBE],
      env: JUPYTER_ENV,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      return `Debian's Python (${PYTHON}) is not installed: ${JUPYTER_INSTALL}`;
    }
    throw error;
  }
  let found: { nbconvert?: string; error?: string; kernel?: string | null };
  try {
    found = JSON.parse(decoder.decode(output.stdout));
  } catch {
    const last = decoder.decode(output.stderr).trim().split("\n").at(-1);
    return `${PYTHON} could not look for Jupyter (${last}): ${JUPYTER_INSTALL}`;
  }
  if (!found.nbconvert) {
    return `Jupyter's nbconvert is not installed for ${PYTHON} (${found.error}): ${JUPYTER_INSTALL}`;
  }
  if (!found.kernel) {
    return "Deno's Jupyter kernel is not registered: run `deno jupyter --install`";
  }
  const kernel = await Deno.stat(found.kernel).catch(() => undefined);
  if (!kernel?.isFile) {
    return `Deno's Jupyter kernel points at "${found.kernel}", which does not exist: run ` +
      "`deno jupyter --install --force`";
  }
  return undefined;
}

/** What an nbconvert run gave. */
export interface NbconvertRun {
  /** Exit code. */
  code: number;
  /** Standard error, nbconvert's log. */
  stderr: string;
}

/** Runs `python3 -m jupyter nbconvert ARGS` until it exits; Ctrl-C reaches it and stops it. */
async function nbconvert(args: string[], signal?: AbortSignal): Promise<NbconvertRun> {
  const child = new Deno.Command(PYTHON, {
    args: ["-m", "jupyter", "nbconvert", ...args],
    env: JUPYTER_ENV,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stop = () => {
    try {
      child.kill("SIGINT"); // nbclient then shuts its kernel down
    } catch {
      // already gone
    }
  };
  signal?.addEventListener("abort", stop, { once: true });
  try {
    const output = await child.output();
    return { code: output.code, stderr: decoder.decode(output.stderr) };
  } finally {
    signal?.removeEventListener("abort", stop);
  }
}

/** Splits `dir/name.ext` into nbconvert's `--output-dir` and `--output` (name without `.ext`). */
function outputFlags(path: string, extension: string): string[] {
  const full = resolve(path);
  return ["--output-dir", dirname(full), "--output", basename(full, extension)];
}

/** What {@linkcode executeNotebook} did. */
export interface Execution extends NbconvertRun {
  /** Outputs Deno's kernel published after `idle`, kept by the grace period. */
  lateOutputs: number;
}

/**
 * Executes a notebook with Deno's kernel (`nbconvert --to notebook --execute`), keeping outputs
 * published after `idle` for a grace period (`NOTEBOOK_LATE_OUTPUT_GRACE` seconds, default 0.5).
 * Cells that raise do not stop the run: their error is an output of the executed copy.
 *
 * @param input The notebook.
 * @param output Where to write the executed copy; must end with `.ipynb`.
 * @param signal Aborting it interrupts the run (nothing is written).
 * @returns nbconvert's exit code and log, and how many late outputs were kept.
 *
 * @example
 * ```ts ignore
 * const run = await executeNotebook("notebooks/tour.ipynb", "/tmp/tour.out.ipynb");
 * console.log(run.lateOutputs);
 * ```
 */
export async function executeNotebook(
  input: string,
  output: string,
  signal?: AbortSignal,
): Promise<Execution> {
  const run = await nbconvert([
    "--to",
    "notebook",
    "--execute",
    `--config=${LATE_OUTPUTS_CONFIG}`,
    "--ExecutePreprocessor.kernel_name=deno",
    "--ExecutePreprocessor.timeout=300",
    "--ExecutePreprocessor.allow_errors=True",
    ...outputFlags(output, ".ipynb"),
    resolve(input),
  ], signal);
  const lateOutputs =
    run.stderr.split("\n").filter((line) => line.startsWith("late output recovered")).length;
  return { ...run, lateOutputs };
}

/**
 * Renders an executed notebook as a static HTML page (`nbconvert --to html`).
 *
 * @param notebook The executed notebook.
 * @param html Where to write the page; must end with `.html`.
 * @param signal Aborting it stops the conversion.
 * @returns nbconvert's exit code and log.
 *
 * @example
 * ```ts ignore
 * await renderHtml("/tmp/tour.out.ipynb", "/tmp/tour.out.html");
 * ```
 */
export function renderHtml(
  notebook: string,
  html: string,
  signal?: AbortSignal,
): Promise<NbconvertRun> {
  return nbconvert(["--to", "html", ...outputFlags(html, ".html"), resolve(notebook)], signal);
}
