/**
 * What a chapter's cells call while the terminal tour runs them: the module `chapter_module.ts`
 * builds imports this one (by its absolute URL, so both see the same object) and calls the hooks
 * the tour has set.
 *
 * @module
 */

/** The tour's side of running a chapter's cells. */
export interface CellHooks {
  /** Before code step `index` runs: print it, maybe wait for Enter. */
  enter(index: number): Promise<void>;
  /** The value code step `index` shows. */
  show(index: number, value: unknown): void;
  /** Names a step declared, with their values (the tour closes the connections among them). */
  declare(names: Record<string, unknown>): void;
  /** The value of a parameter the parameters cell declared, as the tour's flags override it. */
  parameter(name: string, value: unknown): unknown;
}

/** The hooks of the chapter running now (one at a time per process). */
export const cellHooks: { current?: CellHooks } = {};
