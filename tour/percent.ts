/**
 * The course's chapter sources: TypeScript files in jupytext's "percent" format, read into cells
 * and steps. A chapter file (`course/NN_name.ts`) is an ordinary module, so `deno check`, `deno
 * lint` and `deno fmt` see every line a learner sees; `deno task notebook` writes its notebook
 * cell for cell, and `deno task tour NAME` runs the same cells in a terminal (`chapter_module.ts`).
 *
 * The format, as jupytext writes it for TypeScript:
 *
 * ```ts ignore
 * // %% [markdown]
 * // ## Create a bucket
 * //
 * // One or two sentences of prose, as `//` comment lines (markdown).
 *
 * // %% id="create-bucket"
 * const bucket = await createBucket(s3, { prefix: "demo" });
 * s3.trace.show(bucket);
 * ```
 *
 * - `// %% [markdown]` starts a markdown cell: every line of it is `//` or `// text`.
 * - `// %%` starts a code cell; after it, `key=value` pairs with JSON values set the cell's
 *   metadata: `id="…"` (required, unique in the chapter: the notebook cell id), `tags=[…]` with
 *   `"parameters"` (the set-up cell: the terminal's flags override its `const options` right after
 *   that declaration, as papermill's injected cell would; a notebook takes its endpoint and keys
 *   from the environment) or `"cleanup"`
 *   (a deleting step, which `--keep` skips).
 * - A step is a markdown cell opening with a heading (`#` for the chapter's first, `##` after),
 *   then the code cell it explains. Lines before the first `// %%` (the module doc) are not cells.
 * - A cell shows a value when its last top-level statement is an expression that does not start
 *   with `await` (`s3.trace.show(x);` shows, `await s3.close();` runs for its effect): in Jupyter
 *   the kernel displays it, in the terminal the tour prints it. Top-level statements start in
 *   column 0 (`deno fmt` keeps them there), which is how the last one is found.
 * - Prose for one reader only: `<notebook>…</notebook>` (left out of the terminal tour, e.g. "the
 *   picture sits next to this notebook") and `<terminal>…</terminal>` (left out of the notebook).
 *
 * @module
 */

/** One cell of a chapter source. */
export interface Cell {
  /** Markdown (prose) or code. */
  kind: "markdown" | "code";
  /** The cell's text: markdown without its `// ` prefixes, or the code as written. */
  source: string;
  /** The id from `id="…"` (code cells). */
  id?: string;
  /** Tags from `tags=[…]`. */
  tags: string[];
  /** The 1-based line of its `// %%` marker, for messages. */
  line: number;
}

/** One step of a chapter: a heading with its prose, and the code cell it explains. */
export interface Step {
  /** The code cell's id, also the notebook cell id (its prose cell is `ID-about`). */
  id: string;
  /** The heading's text. */
  title: string;
  /** The markdown cell, heading included, as the notebook shows it. */
  markdown: string;
  /** The prose under the heading. */
  prose: string;
  /** The code cell (at most 8 lines). */
  code: string;
  /** The cell the terminal's flags override (tagged `parameters`). */
  parameters: boolean;
  /** A deleting step (tagged `cleanup`), skipped with `--keep`. */
  cleanup: boolean;
}

const MARKER = /^\/\/ %%(?: \[(markdown)\])?(.*)$/;
function parseMetadata(text: string, where: string): Record<string, unknown> {
  const metadata: Record<string, unknown> = {};
  const pair = /\s*([A-Za-z_][\w-]*)=("(?:[^"\\]|\\.)*"|\[[^\]]*\])/y;
  let at = 0;
  let match;
  while ((match = pair.exec(text))) {
    metadata[match[1]] = JSON.parse(match[2]);
    at = pair.lastIndex;
  }
  const rest = text.slice(at).trim();
  if (rest) {
    throw new SyntaxError(
      `Cannot read the cell marker at ${where}: expected key=value, got "${rest}"`,
    );
  }
  return metadata;
}

/**
 * Reads a chapter source into its cells.
 *
 * @param text The file's text.
 * @param file Its name, for messages.
 * @returns The cells, in order.
 * @throws {SyntaxError} For a markdown line that is not a `//` comment, a code cell without an
 * id, a duplicate id or a marker it cannot read, naming the line.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseCells } from "./percent.ts";
 *
 * const cells = parseCells('// %% [markdown]\n// ## Hi\n\n// %% id="hi" tags=["cleanup"]\n1 + 1;\n');
 * assert.deepEqual(cells.map((c) => [c.kind, c.source, c.id, c.tags]), [
 *   ["markdown", "## Hi", undefined, []],
 *   ["code", "1 + 1;", "hi", ["cleanup"]],
 * ]);
 * ```
 */
export function parseCells(text: string, file = "the chapter"): Cell[] {
  const cells: Cell[] = [];
  let current: (Cell & { lines: string[] }) | undefined;
  const finish = () => {
    if (!current) return;
    const lines = current.lines;
    while (lines.length && lines[lines.length - 1].trim() === "") lines.pop();
    while (lines.length && lines[0].trim() === "") lines.shift();
    const { lines: _, ...cell } = current;
    cells.push({ ...cell, source: lines.join("\n") });
  };
  const ids = new Set<string>();
  text.split("\n").forEach((line, index) => {
    const where = `${file}:${index + 1}`;
    const marker = MARKER.exec(line);
    if (marker) {
      finish();
      const metadata = parseMetadata(marker[2], where);
      const id = metadata.id === undefined ? undefined : String(metadata.id);
      const kind = marker[1] ? "markdown" : "code";
      if (kind === "code") {
        if (!id) throw new SyntaxError(`Cannot read the code cell at ${where}: it has no id="…"`);
        if (ids.has(id)) {
          throw new SyntaxError(`Cannot read ${where}: cell id "${id}" is used twice`);
        }
        ids.add(id);
      }
      const tags = Array.isArray(metadata.tags) ? metadata.tags.map(String) : [];
      current = { kind, id, tags, line: index + 1, source: "", lines: [] };
      return;
    }
    if (!current) return; // the module doc, before the first cell
    if (current.kind === "markdown") {
      if (line.trim() === "") {
        current.lines.push("");
        return;
      }
      const prose = /^\/\/(?: (.*))?$/.exec(line);
      if (!prose) {
        throw new SyntaxError(
          `Cannot read the markdown cell at ${where}: each line must be a // comment, got "${line}"`,
        );
      }
      current.lines.push(prose[1] ?? "");
      return;
    }
    current.lines.push(line);
  });
  finish();
  return cells;
}

/**
 * Groups cells into steps: each markdown cell opening with a heading, then its code cell.
 *
 * @param cells The cells, from {@linkcode parseCells}.
 * @param file The source's name, for messages.
 * @returns The steps.
 * @throws {SyntaxError} For a markdown cell without a heading or not followed by a code cell.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseCells, stepsOf } from "./percent.ts";
 *
 * const [step] = stepsOf(parseCells('// %% [markdown]\n// ## Hi\n//\n// Adds.\n\n// %% id="hi"\n1 + 1;'));
 * assert.deepEqual([step.id, step.title, step.prose, step.code], ["hi", "Hi", "Adds.", "1 + 1;"]);
 * ```
 */
export function stepsOf(cells: readonly Cell[], file = "the chapter"): Step[] {
  const steps: Step[] = [];
  for (let i = 0; i < cells.length; i += 2) {
    const [about, code] = [cells[i], cells[i + 1]];
    const heading = /^#{1,2} (.+)\n*/.exec(about.source);
    if (about.kind !== "markdown" || !heading) {
      throw new SyntaxError(
        `Cannot read the step at ${file}:${about.line}: a step opens with a markdown cell whose ` +
          `first line is a # or ## heading`,
      );
    }
    if (code?.kind !== "code") {
      throw new SyntaxError(
        `Cannot read the step at ${file}:${about.line}: its markdown cell must be followed by a ` +
          `code cell`,
      );
    }
    steps.push({
      id: code.id!,
      title: heading[1].trim(),
      markdown: about.source,
      prose: about.source.slice(heading[0].length),
      code: code.source,
      parameters: code.tags.includes("parameters"),
      cleanup: code.tags.includes("cleanup"),
    });
  }
  return steps;
}

/** Who reads a chapter's prose. */
export type Reader = "notebook" | "terminal";

/**
 * A chapter's markdown for one reader: the other reader's `<notebook>`/`<terminal>` parts
 * removed, this reader's kept without their tags.
 *
 * @param markdown Prose, possibly with `<notebook>…</notebook>` and `<terminal>…</terminal>`.
 * @param reader Who reads it.
 * @returns The prose for that reader.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { forReader } from "./percent.ts";
 *
 * const prose = "The picture sits <notebook>next to this notebook</notebook><terminal>in notebooks/</terminal>.";
 * assert.equal(forReader(prose, "notebook"), "The picture sits next to this notebook.");
 * assert.equal(forReader(prose, "terminal"), "The picture sits in notebooks/.");
 * ```
 */
export function forReader(markdown: string, reader: Reader): string {
  const other = reader === "notebook" ? "terminal" : "notebook";
  return markdown
    .replace(new RegExp(`<${other}>[\\s\\S]*?</${other}>`, "g"), "")
    .replace(new RegExp(`</?${reader}>`, "g"), "")
    .replace(/ +([.,;:])/g, "$1")
    .replace(/ {2,}/g, " ");
}

const NOT_AN_EXPRESSION =
  /^(?:const|let|var|import|export|if|for|while|do|try|switch|function|async\s+function|class|type|interface|throw|return|await|using|\{)\b|^\{/;

/** A code cell cut at its last top-level statement. */
export interface CellParts {
  /** The code before the value shown (all of it when nothing is shown). */
  body: string;
  /** The expression whose value the cell shows, without its final `;`, if any. */
  expression?: string;
}

/**
 * Finds the value a code cell shows: its last top-level statement, when that is an expression
 * not starting with `await` (see the module doc for why the rule is exact on formatted code).
 *
 * @param code A code cell's source.
 * @returns The code before the expression, and the expression.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { splitCell } from "./percent.ts";
 *
 * assert.deepEqual(splitCell("const n = 1;\nshow({\n  n,\n});"), {
 *   body: "const n = 1;",
 *   expression: "show({\n  n,\n})",
 * });
 * assert.deepEqual(splitCell("await s3.close();"), { body: "await s3.close();" });
 * ```
 */
export function splitCell(code: string): CellParts {
  const lines = code.split("\n");
  let last = -1;
  lines.forEach((line, i) => {
    if (/^[^\s})\]]/.test(line) && !line.startsWith("//")) last = i;
  });
  if (last < 0) return { body: code };
  const statement = lines.slice(last).join("\n");
  if (NOT_AN_EXPRESSION.test(statement)) return { body: code };
  const expression = statement.replace(/;\s*(\/\/[^\n]*)?$/, "").trimEnd();
  return { body: lines.slice(0, last).join("\n"), expression };
}

/**
 * The names a code cell declares at top level (`const x = …`, `let { a, b: c } = …`), which later
 * cells may use.
 *
 * @param code A code cell's source.
 * @returns The names, in order.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { declaredNames } from "./percent.ts";
 *
 * assert.deepEqual(declaredNames("const s3 = 1;\nconst { etag, size: bytes } = head;"), [
 *   "s3",
 *   "etag",
 *   "bytes",
 * ]);
 * ```
 */
export function declaredNames(code: string): string[] {
  const names: string[] = [];
  for (const line of code.split("\n")) {
    const simple = /^(?:const|let|var)\s+([A-Za-z_$][\w$]*)/.exec(line);
    if (simple) names.push(simple[1]);
    const destructured = /^(?:const|let|var)\s*[{[]([^}\]]*)[}\]]\s*(?::[^=]*)?=/.exec(line);
    if (destructured) {
      for (const part of destructured[1].split(",")) {
        const name = part.split("=")[0].split(":").at(-1)!.replace("...", "").trim();
        if (/^[A-Za-z_$][\w$]*$/.test(name)) names.push(name);
      }
    }
  }
  return names;
}
