import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

Deno.test("the README's library example runs as written and prints what its comments say", async () => {
  const readme = await Deno.readTextFile(`${ROOT}README.md`);
  const section = readme.split("## The library in your own script")[1];
  assert.ok(section, "the README lost its library section");
  const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(code, "the README's library section has no ts block");
  const command = /`(deno run [^`]+) hello\.ts`/.exec(section)?.[1];
  assert.ok(command, "the README does not say how to run the example");
  assert.ok(!command.includes("-A") && !command.includes("--allow-all"));
  // As if saved in the repository root: write it there under a unique name.
  const file = `${ROOT}.readme_example_${crypto.randomUUID().slice(0, 8)}.ts`;
  await Deno.writeTextFile(file, code);
  try {
    const { code: status, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: [...command.split(/\s+/).slice(1), file],
      cwd: ROOT,
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const out = new TextDecoder().decode(stdout);
    assert.equal(status, 0, new TextDecoder().decode(stderr));
    const lines = out.split("\n");
    assert.deepEqual(lines.slice(0, 3), ["Hello World!", "200", "1"]);
    assert.match(out, /PUT +http:\/\/127\.0\.0\.1:\d+\/notes-\d{8}-[a-z0-9]{6}\/hello\.txt/);
    assert.match(out, /DeleteBucket/);
    assert.ok(!out.includes("DEMOSECRETKEY"));
  } finally {
    await Deno.remove(file);
  }
});

/** The README's library table: module file name → the names listed outside parentheses. */
function readmeTable(readme: string): Map<string, string[]> {
  const section = readme.split("What the library offers")[1]?.split("\n## ")[0] ?? "";
  const rows = new Map<string, string[]>();
  for (const line of section.split("\n")) {
    const cells = /^\|\s*`([\w.]+\.ts)`\s*\|(.*)\|\s*$/.exec(line);
    if (!cells) continue;
    let names = cells[2];
    // What stands in parentheses describes (members, options, limits): not the API's names.
    while (/\([^()]*\)/.test(names.replace(/\w\(\)/g, ""))) {
      names = names.replace(/(^|[^\w])\((?:[^()]|\w\(\))*\)/g, "$1");
    }
    rows.set(cells[1], [...names.matchAll(/`(\w+)(?:\(\))?`/g)].map((m) => m[1]));
  }
  return rows;
}

/** `deno doc --json lib/mod.ts`: module file name → its exports, with their kind. */
async function libExports(): Promise<Map<string, Map<string, string>>> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--json", "lib/mod.ts"],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  const doc = JSON.parse(new TextDecoder().decode(stdout));
  const modules = new Map<string, Map<string, string>>();
  for (const node of Object.values(doc.nodes) as { symbols: unknown[] }[]) {
    for (
      const symbol of node.symbols as {
        name: string;
        declarations: { kind: string; location: { filename: string } }[];
      }[]
    ) {
      const { kind, location } = symbol.declarations[0];
      const file = location.filename.split("/").pop()!;
      if (!modules.has(file)) modules.set(file, new Map());
      modules.get(file)!.set(symbol.name, kind);
    }
  }
  return modules;
}

Deno.test("the README's library table lists every function and class lib/mod.ts exports, and only those", async () => {
  const table = readmeTable(await Deno.readTextFile(`${ROOT}README.md`));
  assert.ok(table.size >= 5, `the README's library table was not found (${table.size} rows)`);
  const exports = await libExports();
  const problems: string[] = [];
  for (const [file, names] of table) {
    const exported = exports.get(file);
    if (!exported) {
      problems.push(`README lists ${file}, whose exports lib/mod.ts does not re-export`);
      continue;
    }
    for (const name of names) {
      if (!exported.has(name)) {
        problems.push(`README lists \`${name}\` under ${file}, which does not export it`);
      }
    }
  }
  for (const [file, exported] of exports) {
    for (const [name, kind] of exported) {
      if ((kind === "function" || kind === "class") && !table.get(file)?.includes(name)) {
        problems.push(`${file} exports ${kind} \`${name}\`, missing from the README's table`);
      }
    }
  }
  assert.deepEqual(
    problems,
    [],
    `README's library table and lib/mod.ts disagree:\n  ${problems.join("\n  ")}`,
  );
});
