/**
 * The house's layout, read from Deno's module graph (`deno info --json`): no import cycle among
 * the project's own modules from any entry point, and the library's static graph free of the
 * server, which `connect()` loads with `import()` only for an embedded connection.
 */

import assert from "node:assert/strict";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const ROOT_URL = pathToFileURL(ROOT).href;

/** One edge of the graph: the module imported, and whether only through `import()`. */
interface Edge {
  to: string;
  dynamic: boolean;
}

/** The project's modules reachable from an entry point, with their edges to other project modules. */
type Graph = Map<string, Edge[]>;

interface InfoModule {
  specifier: string;
  dependencies?: {
    code?: { specifier?: string };
    type?: { specifier?: string };
    isDynamic?: boolean;
  }[];
}

async function entryPoints(): Promise<string[]> {
  const entries = ["lib/mod.ts", "server/mod.ts", "bench/main.ts"];
  for (const dir of ["cli", "tour"]) {
    for await (const f of Deno.readDir(`${ROOT}${dir}`)) {
      if (f.isFile && f.name.endsWith(".ts")) entries.push(`${dir}/${f.name}`);
    }
  }
  return entries.sort();
}

/** Runs `deno info --json` on an entry point and keeps the project's own modules. */
async function moduleGraph(entry: string): Promise<Graph> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entry],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(code, 0, `deno info ${entry} failed: ${new TextDecoder().decode(stderr)}`);
  const info = JSON.parse(new TextDecoder().decode(stdout)) as { modules: InfoModule[] };
  const graph: Graph = new Map();
  for (const m of info.modules) {
    if (!m.specifier.startsWith(ROOT_URL)) continue;
    const edges: Edge[] = [];
    for (const dep of m.dependencies ?? []) {
      for (const to of [dep.code?.specifier, dep.type?.specifier]) {
        if (to?.startsWith(ROOT_URL)) edges.push({ to, dynamic: dep.isDynamic === true });
      }
    }
    graph.set(m.specifier, edges);
  }
  return graph;
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
  const graphs = await Promise.all(entries.map(moduleGraph));
  for (const [i, entry] of entries.entries()) {
    await t.step(entry, () => {
      assert.ok(graphs[i].size > 0, `deno info found no project module for ${entry}`);
      const cycles = findCycles(graphs[i]);
      assert.deepEqual(cycles, [], `${entry} reaches import cycles:\n  ${cycles.join("\n  ")}`);
    });
  }
});

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
