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

/** The library table (docs/library.md): module file name → the names listed outside parentheses. */
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

Deno.test("docs/library.md's table lists every function and class lib/mod.ts exports, and only those", async () => {
  const table = readmeTable(await Deno.readTextFile(`${ROOT}docs/library.md`));
  assert.ok(table.size >= 5, `docs/library.md's table was not found (${table.size} rows)`);
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
    `docs/library.md's table and lib/mod.ts disagree:\n  ${problems.join("\n  ")}`,
  );
});

/** Every markdown link of a page that is not to the web: its file and, with `#`, its anchor. */
function localLinks(markdown: string): string[] {
  const links: string[] = [];
  let fence = false;
  for (const line of markdown.split("\n")) {
    if (line.startsWith("```")) fence = !fence;
    if (fence) continue;
    for (const m of line.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (!/^(https?|mailto):/.test(m[1])) links.push(m[1]);
    }
  }
  return links;
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as dashes. */
function anchorOf(heading: string): string {
  return heading.toLowerCase().replace(/[^\w\- ]/g, "").replaceAll(" ", "-");
}

Deno.test("every link in the README and docs/ reaches a file, and a heading when it names one", async () => {
  const pages = ["README.md"];
  for await (const entry of Deno.readDir(`${ROOT}docs`)) {
    if (entry.name.endsWith(".md")) pages.push(`docs/${entry.name}`);
  }
  assert.ok(pages.length >= 8, `docs/ lost its pages: ${pages.join(", ")}`);
  const broken: string[] = [];
  for (const page of pages) {
    const dir = page.includes("/") ? page.slice(0, page.lastIndexOf("/") + 1) : "";
    for (const link of localLinks(await Deno.readTextFile(`${ROOT}${page}`))) {
      const [path, anchor] = link.split("#");
      const target = path === "" ? page : new URL(path, `file:///${dir}`).pathname.slice(1);
      const text = await Deno.readTextFile(`${ROOT}${target}`).catch(() => undefined);
      if (text === undefined) {
        if (!(await Deno.stat(`${ROOT}${target}`).catch(() => undefined))) {
          broken.push(`${page}: ${link} (no such file)`);
        }
        continue;
      }
      if (anchor && target.endsWith(".md")) {
        const headings = [...text.matchAll(/^#+ (.+)$/gm)].map((m) => anchorOf(m[1]));
        if (!headings.includes(anchor)) broken.push(`${page}: ${link} (no such heading)`);
      }
    }
  }
  assert.deepEqual(broken, []);
});

Deno.test("the README is the course's front page: the two commands, then the course", async () => {
  const readme = await Deno.readTextFile(`${ROOT}README.md`);
  const at = (text: string) => readme.indexOf(text);
  assert.ok(at("npx --yes deno@2 task tour") > 0 && at("npx --yes deno@2 task test") > 0);
  assert.ok(at("## The course") > at("npx --yes deno@2 task test"), "the course right after");
  assert.ok(at("## The course") < at("## Where to go next"));
  assert.doesNotMatch(readme, /--secret-key [A-Z]/, "keys go in the environment, not argv");
  assert.ok(
    readme.length < 20_000,
    `the README is ${readme.length} characters: move reference to docs/`,
  );
});
