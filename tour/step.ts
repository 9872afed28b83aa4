/**
 * Building steps for a chapter: {@linkcode step} turns a title, prose and cell code into a
 * {@linkcode Step} whose `run()` evaluates that very code (see `cells.ts`). The getting-started
 * chapter (`steps.ts`) and every other chapter (`chapters/*.ts`) are lists of such steps.
 *
 * @module
 */

import { runCell } from "./cells.ts";
import type { Step } from "./steps.ts";

export type { Step };

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
