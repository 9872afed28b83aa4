/**
 * `deno info --json` of an entry point: the modules it reaches and their imports, for the tests
 * that check the import structure (`tests/e2e/layout_test.ts`, `tests/cli/cp_startup_test.ts`).
 */

import assert from "node:assert/strict";

/** One module of the graph, with its imports. */
export interface InfoModule {
  specifier: string;
  dependencies?: {
    code?: { specifier?: string };
    type?: { specifier?: string };
    isDynamic?: boolean;
  }[];
}

/**
 * Runs `deno info --json` on an entry point.
 *
 * @param entry The entry point, relative to `root`.
 * @param root The folder to run it in (the project's, or a temporary copy).
 * @returns The roots and modules `deno info` reports.
 */
export async function denoInfo(
  entry: string,
  root: string,
): Promise<{ roots: string[]; modules: InfoModule[] }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entry],
    cwd: root,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(code, 0, `deno info ${entry} failed: ${new TextDecoder().decode(stderr)}`);
  return JSON.parse(new TextDecoder().decode(stdout));
}
