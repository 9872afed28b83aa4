/**
 * What an executed notebook holds: code cells, their outputs, error outputs, and the cells that
 * should show a result but have none (the sign of an output the kernel published too late).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { summarizeOutputs } from "./outputs.ts";
 *
 * const summary = summarizeOutputs({
 *   cells: [{ cell_type: "code", source: "1 + 1", outputs: [] }],
 * });
 * assert.deepEqual(summary.missing, [0]); // the cell ends with an expression and shows nothing
 * ```
 *
 * @module
 */

/** One output of a code cell, as nbformat 4 stores it. */
export interface NotebookOutput {
  /** `execute_result`, `display_data`, `stream` or `error`. */
  output_type: string;
  /** Error name, for `error` outputs. */
  ename?: string;
  /** Error message, for `error` outputs. */
  evalue?: string;
  /** Text, for `stream` outputs. */
  text?: string | string[];
  /** Data by MIME type, for results and displays. */
  data?: Record<string, string | string[]>;
}

/** A notebook as nbformat 4 stores it (the parts read here). */
export interface Notebook {
  /** The cells, in order. */
  cells: Array<{ cell_type: string; source: string | string[]; outputs?: NotebookOutput[] }>;
}

/** What {@linkcode summarizeOutputs} found. */
export interface OutputSummary {
  /** Number of code cells. */
  codeCells: number;
  /** Number of code cells that show at least one output. */
  cellsWithOutput: number;
  /** Number of outputs in all. */
  outputs: number;
  /**
   * Indexes (in `cells`) of code cells whose last line is an expression (no final `;`) but that
   * show no output: the kernel's result was lost.
   */
  missing: number[];
  /** Error outputs, with the index of their cell. */
  errors: Array<{ cell: number; ename: string; evalue: string }>;
}

/**
 * Joins a notebook text field, which nbformat stores as a string or a list of lines.
 *
 * @param value The field.
 * @returns The text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { joined } from "./outputs.ts";
 *
 * assert.equal(joined(["a\n", "b"]), "a\nb");
 * ```
 */
export function joined(value: string | string[] | undefined): string {
  return Array.isArray(value) ? value.join("") : value ?? "";
}

/**
 * Counts a notebook's code cells and outputs, and finds error outputs and lost results.
 *
 * @param notebook An executed notebook.
 * @returns The counts, the cells that lost their result, and the errors.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { summarizeOutputs } from "./outputs.ts";
 *
 * const s = summarizeOutputs({ cells: [{ cell_type: "code", source: "let a = 1;", outputs: [] }] });
 * assert.equal(s.codeCells, 1);
 * assert.deepEqual(s.missing, []); // a declaration shows nothing, and need not
 * ```
 */
export function summarizeOutputs(notebook: Notebook): OutputSummary {
  const summary: OutputSummary = {
    codeCells: 0,
    cellsWithOutput: 0,
    outputs: 0,
    missing: [],
    errors: [],
  };
  notebook.cells.forEach((cell, index) => {
    if (cell.cell_type !== "code") return;
    const outputs = cell.outputs ?? [];
    summary.codeCells++;
    summary.outputs += outputs.length;
    if (outputs.length > 0) summary.cellsWithOutput++;
    const last = joined(cell.source).trim().split("\n").at(-1)?.replace(/\/\/.*$/, "").trim();
    if (last && !last.endsWith(";") && !last.endsWith("}") && outputs.length === 0) {
      summary.missing.push(index);
    }
    for (const output of outputs) {
      if (output.output_type === "error") {
        summary.errors.push({
          cell: index,
          ename: output.ename ?? "",
          evalue: output.evalue ?? "",
        });
      }
    }
  });
  return summary;
}
