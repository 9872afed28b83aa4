/**
 * Building steps for a chapter: {@linkcode step} turns a title, prose and cell code into a
 * {@linkcode Step} whose `run()` evaluates that very code (see `cells.ts`). The getting-started
 * chapter (`steps.ts`) and every other chapter (`chapters/*.ts`) are lists of such steps.
 *
 * @module
 */

import { runCell, type Scope } from "./cells.ts";

/** One step of a chapter: a heading, its prose and one notebook cell. */
export interface Step {
  /** Stable identifier, also the notebook cell id. */
  id: string;
  /** Heading. */
  title: string;
  /** Markdown, one or two sentences per idea. */
  prose: string;
  /** The notebook cell's code (at most 8 lines, no type annotations). */
  code: string;
  /** The cell that sets the tour's parameters; the terminal tour injects its flags after it. */
  parameters?: boolean;
  /** Part of deleting what the tour made (or of showing what a delete left); `--keep` skips it. */
  cleanup?: boolean;
  /**
   * Runs the step's code in a terminal.
   *
   * @param scope Names the earlier steps imported and declared; updated in place.
   * @returns The value the notebook displays for the cell.
   */
  run(scope: Scope): Promise<unknown>;
}

/**
 * A step from its fields: the code is trimmed and `run()` evaluates exactly it.
 *
 * @param fields Id, title, prose, code and flags.
 * @returns The step.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { step } from "./step.ts";
 *
 * const s = step({ id: "sum", title: "Add", prose: "Adds.", code: "\n1 + 1\n" });
 * assert.equal(s.code, "1 + 1");
 * assert.equal(await s.run({}), 2);
 * ```
 */
export function step(fields: Omit<Step, "run">): Step {
  const code = fields.code.replace(/^\n+|\s+$/g, "");
  return { ...fields, code, run: (scope) => runCell(code, scope) };
}
