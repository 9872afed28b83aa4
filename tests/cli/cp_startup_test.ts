/**
 * What `deno task cp` loads before its first request: no npm package and none of Node's heavy
 * modules. Loading `node:crypto`, `node:fs`, `node:http` or `node:stream` starts Deno's Node
 * compatibility layer, about 20 ms of each process, and an npm package about 25 ms (measured:
 * bench/README.md); `deno task bench --start-up-only` times cp against `rclone copyto`, one
 * process per 4 KiB object. This test keeps the imports that make that time from coming back:
 * the AWS SDK and the rest are loaded by `import()`, only for copies that need them.
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { denoInfo } from "../support/deno_info.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** Node's modules that are cheap to load (no compatibility layer behind them). */
const LIGHT_NODE_MODULES = new Set(["node:path", "node:util", "node:url"]);

/**
 * The modules an entry point loads before it runs: its static imports, transitively (edges
 * through `import()` are not followed).
 */
async function staticImports(entry: string): Promise<{ from: string; to: string }[]> {
  const info = await denoInfo(entry, ROOT);
  const modules = new Map(info.modules.map((m) => [m.specifier, m]));
  const edges: { from: string; to: string }[] = [];
  const seen = new Set<string>();
  const stack = [...info.roots];
  while (stack.length) {
    const specifier = stack.pop()!;
    if (seen.has(specifier)) continue;
    seen.add(specifier);
    for (const dep of modules.get(specifier)?.dependencies ?? []) {
      const to = dep.code?.specifier;
      if (!to || dep.isDynamic) continue;
      edges.push({ from: specifier.replace(`file://${ROOT}`, ""), to });
      if (to.startsWith("file:")) stack.push(to);
    }
  }
  return edges;
}

Deno.test("deno task cp loads no npm package and no heavy Node module before it copies", async () => {
  const edges = await staticImports("cli/cp.ts");
  assert.ok(edges.some((e) => e.to.endsWith("/lib/_lean.ts")), "cp.ts no longer reaches _lean.ts");
  const heavy = edges.filter(({ to }) =>
    to.startsWith("npm:") || (to.startsWith("node:") && !LIGHT_NODE_MODULES.has(to))
  );
  assert.deepEqual(heavy.map(({ from, to }) => `${from} → ${to}`), []);
});
