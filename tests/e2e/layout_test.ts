/**
 * The house's layout, read from Deno's module graph (`deno info --json`): no import cycle among
 * the project's own modules from any entry point, and imports that go one way only. `core/`
 * (what the library and the server share) imports nothing of the project outside itself; the
 * server imports no `lib/` module; the library imports the server in one place, the embedded
 * default of `connect()` (`lib/connect.ts` → `server/mod.ts`, through `import()`).
 */

import assert from "node:assert/strict";
import { fileURLToPath, pathToFileURL } from "node:url";
import { denoInfo } from "../support/deno_info.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const ROOT_URL = pathToFileURL(ROOT).href;

/** One edge of the graph: the module imported, and whether only through `import()`. */
interface Edge {
  to: string;
  dynamic: boolean;
}

/** The project's modules reachable from an entry point, with their edges to other project modules. */
type Graph = Map<string, Edge[]>;

async function entryPoints(): Promise<string[]> {
  const entries = ["lib/mod.ts", "server/mod.ts", "bench/main.ts"];
  for (const dir of ["cli", "tour", "core"]) {
    for await (const f of Deno.readDir(`${ROOT}${dir}`)) {
      if (f.isFile && f.name.endsWith(".ts")) entries.push(`${dir}/${f.name}`);
    }
  }
  return entries.sort();
}

/**
 * Runs `deno info --json` on an entry point and keeps the project's own modules.
 *
 * @param entry The entry point, relative to `root`.
 * @param root The project folder (a temporary copy in the test of the checker itself).
 */
async function moduleGraph(entry: string, root = ROOT): Promise<Graph> {
  const rootUrl = pathToFileURL(root).href;
  const info = await denoInfo(entry, root);
  const graph: Graph = new Map();
  // Specifiers are kept relative to the root from here on (`lib/mod.ts`), so a graph read from
  // a temporary copy reads like the project's own.
  const local = (specifier: string) => `${ROOT_URL}${specifier.slice(rootUrl.length)}`;
  for (const m of info.modules) {
    if (!m.specifier.startsWith(rootUrl)) continue;
    const edges: Edge[] = [];
    for (const dep of m.dependencies ?? []) {
      for (const to of [dep.code?.specifier, dep.type?.specifier]) {
        if (to?.startsWith(rootUrl)) edges.push({ to: local(to), dynamic: dep.isDynamic === true });
      }
    }
    graph.set(local(m.specifier), edges);
  }
  return graph;
}

const graphs = new Map<string, Promise<Graph>>();

/** {@linkcode moduleGraph} of the project itself, read once per entry point for all tests. */
function projectGraph(entry: string): Promise<Graph> {
  if (!graphs.has(entry)) graphs.set(entry, moduleGraph(entry));
  return graphs.get(entry)!;
}

/** The one import from the library into the server: the embedded default of `connect()`. */
const EMBEDDED_DEFAULT = { from: "lib/connect.ts", to: "server/mod.ts" };

/**
 * The imports that go against the layout's direction, one line each (`server/x.ts → lib/y.ts:
 * the server imports no lib module`): `core/` imports only `core/`; `server/` imports no
 * `lib/`, `tour/`, `cli/`, `bench/` or `tests/` module; `lib/` imports no `tour/`, `cli/`,
 * `bench/` or `tests/` module, and `server/` only as {@linkcode EMBEDDED_DEFAULT}, through
 * `import()`; no module imports another folder's `_`-prefixed one.
 *
 * @param graph One or more entry points' graphs, merged.
 * @returns The violations, empty when the layout holds.
 */
function layoutViolations(graph: Graph): string[] {
  const problems: string[] = [];
  const area = (m: string) => m.split("/")[0];
  for (const [fromUrl, edges] of graph) {
    const from = short(fromUrl);
    for (const { to: toUrl, dynamic } of edges) {
      const to = short(toUrl);
      const [a, b] = [area(from), area(to)];
      if (a === b) continue;
      const edge = `${from} → ${to}${dynamic ? " (import())" : ""}`;
      if (to.split("/").at(-1)!.startsWith("_")) {
        problems.push(`${edge}: a _-prefixed module is private to its folder`);
      }
      if (a === "core") {
        problems.push(`${edge}: core/ imports nothing outside core/`);
      } else if (a === "server" && b !== "core") {
        problems.push(`${edge}: the server imports only server/ and core/ modules`);
      } else if (a === "lib" && b === "server") {
        const allowed = from === EMBEDDED_DEFAULT.from && to === EMBEDDED_DEFAULT.to && dynamic;
        if (!allowed) {
          problems.push(
            `${edge}: lib imports the server only in the embedded default ` +
              `(${EMBEDDED_DEFAULT.from} → ${EMBEDDED_DEFAULT.to}, through import())`,
          );
        }
      } else if (a === "lib" && b !== "core") {
        problems.push(`${edge}: lib imports only lib/, core/ and the embedded server`);
      }
    }
  }
  return problems.sort();
}

/** Merges graphs (the same module seen from two entry points has the same edges). */
function merged(graphs: Graph[]): Graph {
  const all: Graph = new Map();
  for (const graph of graphs) for (const [m, edges] of graph) all.set(m, edges);
  return all;
}

const short = (specifier: string) => specifier.slice(ROOT_URL.length);

/**
 * Every cycle a depth-first walk meets (one per back edge), each as the list of modules from
 * the first back to itself, e.g. `lib/a.ts → lib/b.ts → lib/a.ts`.
 *
 * @param graph The graph.
 * @returns The cycles, empty when there is none.
 */
function findCycles(graph: Graph): string[] {
  const cycles: string[] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, "open");
    stack.push(node);
    for (const { to } of graph.get(node) ?? []) {
      if (state.get(to) === "open") {
        cycles.push([...stack.slice(stack.indexOf(to)), to].map(short).join(" → "));
      } else if (!state.has(to)) {
        visit(to);
      }
    }
    stack.pop();
    state.set(node, "done");
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return cycles;
}

/** The modules reachable from `from` through static imports only. */
function staticallyReachable(graph: Graph, from: string): Set<string> {
  const seen = new Set<string>([from]);
  const queue = [from];
  while (queue.length) {
    for (const { to, dynamic } of graph.get(queue.pop()!) ?? []) {
      if (!dynamic && !seen.has(to)) {
        seen.add(to);
        queue.push(to);
      }
    }
  }
  return seen;
}

Deno.test("no entry point's module graph has an import cycle among the project's modules", async (t) => {
  const entries = await entryPoints();
  assert.ok(entries.length >= 8, `too few entry points found: ${entries.join(", ")}`);
  const graphs = await Promise.all(entries.map((e) => projectGraph(e)));
  for (const [i, entry] of entries.entries()) {
    await t.step(entry, () => {
      assert.ok(graphs[i].size > 0, `deno info found no project module for ${entry}`);
      const cycles = findCycles(graphs[i]);
      assert.deepEqual(cycles, [], `${entry} reaches import cycles:\n  ${cycles.join("\n  ")}`);
    });
  }
});

Deno.test("imports go one way: core imports nothing outside core, the server no lib, lib the server only in connect()", async () => {
  const entries = await entryPoints();
  assert.ok(entries.some((e) => e.startsWith("core/")), `no core/ entry: ${entries}`);
  const graph = merged(await Promise.all(entries.map((e) => projectGraph(e))));
  const areas = new Set([...graph.keys()].map((m) => short(m).split("/")[0]));
  for (const a of ["core", "lib", "server", "cli", "tour"]) {
    assert.ok(areas.has(a), `the walk reached no ${a}/ module`);
  }
  assert.deepEqual(layoutViolations(graph), []);
});

Deno.test("layoutViolations() names a planted import from server into lib, lib into server and core into lib", () => {
  const u = (name: string) => `${ROOT_URL}${name}`;
  const edge = (to: string, dynamic = false) => ({ to: u(to), dynamic });
  const clean: Graph = new Map([
    [u("lib/mod.ts"), [edge("lib/connect.ts"), edge("core/crypto.ts")]],
    [u("lib/connect.ts"), [edge("server/mod.ts", true), edge("core/clusters.ts")]],
    [u("server/mod.ts"), [edge("server/auth/mod.ts"), edge("core/sigv4.ts")]],
    [u("core/sigv4.ts"), [edge("core/crypto.ts")]],
    [u("cli/cp.ts"), [edge("lib/mod.ts"), edge("server/mod.ts")]],
  ]);
  assert.deepEqual(layoutViolations(clean), []);
  const planted = (from: string, to: string, dynamic = false) =>
    layoutViolations(
      new Map([...clean, [u(from), [...clean.get(u(from)) ?? [], edge(to, dynamic)]]]),
    );
  assert.deepEqual(planted("server/mod.ts", "lib/errors.ts"), [
    "server/mod.ts → lib/errors.ts: the server imports only server/ and core/ modules",
  ]);
  assert.match(
    planted("lib/mod.ts", "server/mod.ts")[0],
    /^lib\/mod\.ts → server\/mod\.ts: lib imports/,
  );
  // The embedded default's own file, but a static import or another server module: refused.
  assert.equal(planted("lib/connect.ts", "server/xml.ts", true).length, 1);
  assert.equal(
    layoutViolations(new Map([[u("lib/connect.ts"), [edge("server/mod.ts")]]])).length,
    1,
  );
  assert.match(planted("core/sigv4.ts", "lib/errors.ts")[0], /core\/ imports nothing outside/);
  assert.match(planted("lib/mod.ts", "tour/main.ts")[0], /lib imports only/);
  assert.deepEqual(planted("cli/cp.ts", "lib/_sigv4.ts"), [
    "cli/cp.ts → lib/_sigv4.ts: a _-prefixed module is private to its folder",
  ]);
});

Deno.test("the layout check finds an import planted in a copy of the project", async () => {
  const copy = `${await Deno.makeTempDir({ prefix: "layout-" })}/`;
  try {
    for (const name of ["deno.json", "deno.lock"]) {
      await Deno.copyFile(`${ROOT}${name}`, `${copy}${name}`);
    }
    for (const dir of ["core", "lib", "server"]) await copyTree(`${ROOT}${dir}`, `${copy}${dir}`);
    const respond = `${copy}server/http/respond.ts`;
    await Deno.writeTextFile(
      respond,
      `import "../../lib/errors.ts";\n${await Deno.readTextFile(respond)}`,
    );
    const connect = `${copy}lib/connect.ts`;
    await Deno.writeTextFile(
      connect,
      `import "../server/xml.ts";\n${await Deno.readTextFile(connect)}`,
    );
    const graph = merged(
      await Promise.all(["lib/mod.ts", "server/mod.ts"].map((e) => moduleGraph(e, copy))),
    );
    assert.deepEqual(layoutViolations(graph), [
      "lib/connect.ts → server/xml.ts: lib imports the server only in the embedded default " +
      "(lib/connect.ts → server/mod.ts, through import())",
      "server/http/respond.ts → lib/errors.ts: the server imports only server/ and core/ modules",
    ]);
  } finally {
    await Deno.remove(copy, { recursive: true });
  }
});

/** Copies a folder's `.ts` files, keeping the tree. */
async function copyTree(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const entry of Deno.readDir(from)) {
    if (entry.isDirectory) await copyTree(`${from}/${entry.name}`, `${to}/${entry.name}`);
    else if (entry.name.endsWith(".ts")) {
      await Deno.copyFile(`${from}/${entry.name}`, `${to}/${entry.name}`);
    }
  }
}

Deno.test("lib/mod.ts's static graph holds no server/ module; the server comes only through import()", async () => {
  const graph = await moduleGraph("lib/mod.ts");
  const reached = [...staticallyReachable(graph, `${ROOT_URL}lib/mod.ts`)].map(short);
  assert.ok(reached.includes("lib/connect.ts"), `the walk missed lib/connect.ts: ${reached}`);
  assert.deepEqual(reached.filter((m) => m.startsWith("server/")), []);
  // The dynamic edge is there: an embedded connection can still load the server.
  const dynamic = (graph.get(`${ROOT_URL}lib/connect.ts`) ?? []).filter((e) => e.dynamic);
  assert.deepEqual(dynamic.map((e) => short(e.to)), ["server/mod.ts"]);
});

Deno.test("findCycles() names each module of a cycle in import order", () => {
  const u = (name: string) => `${ROOT_URL}${name}`;
  const graph: Graph = new Map([
    [u("a.ts"), [{ to: u("b.ts"), dynamic: false }]],
    [u("b.ts"), [{ to: u("c.ts"), dynamic: false }]],
    [u("c.ts"), [{ to: u("a.ts"), dynamic: true }]],
    [u("d.ts"), [{ to: u("a.ts"), dynamic: false }]],
  ]);
  assert.deepEqual(findCycles(graph), ["a.ts → b.ts → c.ts → a.ts"]);
  assert.deepEqual(findCycles(new Map([[u("a.ts"), [{ to: u("b.ts"), dynamic: false }]]])), []);
});

Deno.test("deno doc --lint is clean on every entry of deno.json's export map", async () => {
  const config = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
  const entries = Object.values(config.exports as Record<string, string>);
  assert.ok(entries.length >= 2, `deno.json exports too little: ${entries}`);
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--lint", ...entries],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const problems = new TextDecoder().decode(out.stderr).split("\n").filter((l) => /^error/.test(l));
  assert.equal(
    out.code,
    0,
    `deno doc --lint ${entries.join(" ")} reports:\n${problems.join("\n")}`,
  );
});
