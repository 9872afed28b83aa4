/**
 * The package's public API, as `deno doc` reads it from deno.json's export map: each entry names
 * what it exports (no `export *`, so a new helper is not public by accident), no two public
 * symbols share a name, and the library's internals stay internal.
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** The entry points of deno.json's export map, e.g. `./lib/mod.ts`. */
async function entries(): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
  return Object.values(config.exports as Record<string, string>);
}

/** `deno doc --json` of one entry: its exported names with their kind. */
async function publicSymbols(entry: string): Promise<[string, string][]> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--json", entry],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  const doc = JSON.parse(new TextDecoder().decode(stdout));
  const names: [string, string][] = [];
  for (const node of Object.values(doc.nodes) as { symbols: unknown[] }[]) {
    for (const symbol of node.symbols as { name: string; declarations: { kind: string }[] }[]) {
      names.push([symbol.name, symbol.declarations[0].kind]);
    }
  }
  return names;
}

Deno.test("each entry of deno.json's export map names its exports (no export *)", async () => {
  for (const entry of await entries()) {
    const source = await Deno.readTextFile(`${ROOT}${entry}`);
    const stars = source.split("\n").filter((line) => /^export \*/.test(line));
    assert.deepEqual(stars, [], `${entry} re-exports whole modules`);
  }
});

Deno.test("no two public symbols of the package share a name", async () => {
  const seen = new Map<string, string>();
  const clashes: string[] = [];
  for (const entry of await entries()) {
    for (const [name] of await publicSymbols(entry)) {
      const first = seen.get(name);
      if (first !== undefined) clashes.push(`${name} (${first} and ${entry})`);
      else seen.set(name, entry);
    }
  }
  assert.ok(seen.size > 50, `too few public symbols found: ${seen.size}`);
  assert.deepEqual(clashes, []);
});

Deno.test("the library's internals are not public", async () => {
  const exported = new Set((await publicSymbols("lib/mod.ts")).map(([name]) => name));
  assert.ok(exported.has("connect") && exported.has("S3RequestError"), "lib/mod.ts lost its API");
  const internals = [
    "paint",
    "useColor",
    "escapeHtml",
    "statusText",
    "JUPYTER_DISPLAY",
    "request",
    "noteCluster",
    "toS3RequestError",
    "explain",
    "CallContext",
    "RequestContext",
    "resolveConnectOptions",
    "ResolvedConnection",
  ];
  assert.deepEqual(internals.filter((name) => exported.has(name)), []);
});

Deno.test("deno doc --lint is clean on every core/ module (what lib and server share)", async () => {
  const files: string[] = [];
  for await (const entry of Deno.readDir(`${ROOT}core`)) {
    if (entry.isFile && entry.name.endsWith(".ts")) files.push(`core/${entry.name}`);
  }
  assert.ok(files.length >= 5, `too few core/ modules: ${files}`);
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--lint", ...files.sort()],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const problems = new TextDecoder().decode(out.stderr).split("\n").filter((l) => /^error/.test(l));
  assert.equal(out.code, 0, `deno doc --lint core/ reports:\n${problems.join("\n")}`);
});
