/**
 * Engines go through one helper (`tests/support/engines.ts`): no test file spawns an engine
 * without `engineCommand()`, the check that says so can fail, and the helper ignores, fails or
 * hides engine tests as documented (a child `deno test` of `tests/support/engines_child.ts`, whose
 * only engine is Ceph RGW, present or not through its `RGW_ENDPOINT`).
 */

import assert from "node:assert/strict";
import { findEngineSpawns } from "../support/engine_spawns.ts";
import { REPO_ROOT, runDeno } from "../support/commands.ts";

/** Every `.ts` file under a folder, as paths relative to the repository. */
async function tsFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(`${REPO_ROOT}/${dir}`)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) files.push(...await tsFiles(path));
    else if (entry.isFile && entry.name.endsWith(".ts")) files.push(path);
  }
  return files.sort();
}

Deno.test("engines: no test spawns an engine without the engines helper", async () => {
  const files = await tsFiles("tests");
  assert.ok(files.length > 50, `Only ${files.length} test sources found under tests/`);
  const found = [];
  for (const file of files) {
    found.push(...findEngineSpawns(file, await Deno.readTextFile(`${REPO_ROOT}/${file}`)));
  }
  assert.deepEqual(
    found.map((f) => `${f.file}:${f.line}: ${f.message}`),
    [],
    "These spawns bypass tests/support/engines.ts",
  );
});

Deno.test("engines: the check reports each way of bypassing the helper, with its line", async (t) => {
  const planted: Array<[string, string]> = [
    ["an engine by path", `\nawait new Deno.Command("/usr/bin/python3", { args: ["-c", "1"] });`],
    ["an engine by name", `\nnew Deno.Command(\n  "rclone",\n  { args: ["version"] },\n);`],
    ["the AWS CLI", `\nconst out = await new Deno.Command("/usr/bin/aws").output();`],
    ["a program in a variable", `const PY = "/usr/bin/python3";\nnew Deno.Command(PY, {});`],
    ["an engine through a shell", `\nnew Deno.Command("sh", { args: ["-c", "s3cmd ls"] });`],
    ["an engine through script", `\nnew Deno.Command("script", { args: ["-c", "jupyter x"] });`],
    ["an aliased Deno.Command", `\nconst Run = Deno.Command;`],
    ["child_process", `\nimport { spawn } from "node:child_process";`],
    ["an unknown program", `\nnew Deno.Command("radosgw-admin", { args: ["user", "list"] });`],
  ];
  for (const [what, source] of planted) {
    await t.step(`it reports ${what}`, () => {
      const found = findEngineSpawns("tests/planted_test.ts", source);
      assert.equal(found.length, 1, `Expected one report for ${source}, got ${found.length}`);
      assert.equal(found[0].line, 2, `Reported at line ${found[0].line}: ${found[0].message}`);
    });
  }
  const allowed: Array<[string, string]> = [
    ["deno itself", `new Deno.Command(Deno.execPath(), { args: ["run", "x.ts"] });`],
    ["a base tool", `new Deno.Command("script", { args: ["-qec", "deno task tour"] });`],
    ["the helper", `engineCommand("rclone", { args: ["version"] });`],
    ["a comment", `// new Deno.Command("rclone")\n/* new Deno.Command("/usr/bin/aws") */`],
    ["a type", `function f(): Deno.Command {}\nlet s: Deno.CommandStatus;`],
    ["a regex with quotes", `const r = /["'\`]/;\nconst s = "// not a comment";`],
  ];
  for (const [what, source] of allowed) {
    await t.step(`it lets ${what} pass`, () => {
      assert.deepEqual(findEngineSpawns("tests/allowed_test.ts", source), []);
    });
  }
  await t.step("it exempts the helper itself", () => {
    const source = `new Deno.Command(executable, {});`;
    assert.deepEqual(findEngineSpawns("tests/support/engines.ts", source), []);
  });
});

/** Runs `tests/support/engines_child.ts` with an environment; the output without colours. */
async function child(env: Record<string, string>) {
  const result = await runDeno(
    ["test", "--allow-env", "--allow-read", "--allow-run", "tests/support/engines_child.ts"],
    // Empty values stand for unset: the parent's CI, TEST_ENGINES or RGW_ENDPOINT must not leak.
    { env: { CI: "", TEST_ENGINES: "", RGW_ENDPOINT: "", ...env }, timeoutMs: 60_000 },
  );
  return { code: result.code, text: `${result.stdout}\n${result.stderr}` };
}

Deno.test("engines: a missing engine's tests are ignored with what to install", async () => {
  const { code, text } = await child({});
  assert.equal(code, 0, text);
  assert.match(text, /\[rgw\] the child reaches its RGW endpoint \.\.\. ignored/);
  assert.match(text, /1 passed \| 0 failed \| 1 ignored/);
  const lines = text.split("\n").filter((line) => line.startsWith("Ignoring the tests"));
  assert.deepEqual(lines, [
    "Ignoring the tests that need Ceph RGW: RGW_ENDPOINT is not set; to run them, start one " +
    "with `bash tests/engines/ceph.sh start DIR PORT` and set RGW_ENDPOINT",
  ]);
});

Deno.test("engines: with CI=true a missing engine fails its tests", async () => {
  const { code, text } = await child({ CI: "true" });
  assert.notEqual(code, 0, text);
  assert.match(text, /1 passed \| 1 failed/);
  assert.match(text, /Cannot run "the child reaches its RGW endpoint" in CI: missing Ceph RGW/);
});

Deno.test("engines: a present engine's tests run", async () => {
  const { code, text } = await child({ RGW_ENDPOINT: "http://127.0.0.1:1/" });
  assert.equal(code, 0, text);
  assert.match(text, /endpoint: http:\/\/127\.0\.0\.1:1\n/);
  assert.match(text, /2 passed \| 0 failed/);
});

Deno.test("engines: TEST_ENGINES=none hides present engines, also in CI", async () => {
  const { code, text } = await child({
    CI: "true",
    TEST_ENGINES: "none",
    RGW_ENDPOINT: "http://127.0.0.1:1",
  });
  assert.equal(code, 0, text);
  assert.match(text, /1 passed \| 0 failed \| 1 ignored/);
  assert.match(text, /Ignoring the tests that need Ceph RGW: hidden by TEST_ENGINES=none\n/);
});

Deno.test("engines: TEST_ENGINES lists the engines to keep, and refuses unknown ones", async () => {
  const kept = await child({ TEST_ENGINES: "jupyter,rgw", RGW_ENDPOINT: "http://127.0.0.1:1" });
  assert.match(kept.text, /2 passed \| 0 failed/);
  const hidden = await child({ TEST_ENGINES: "jupyter", RGW_ENDPOINT: "http://127.0.0.1:1" });
  assert.match(hidden.text, /1 passed \| 0 failed \| 1 ignored/);
  const wrong = await child({ TEST_ENGINES: "jupiter" });
  assert.notEqual(wrong.code, 0, wrong.text);
  assert.match(wrong.text, /Cannot read TEST_ENGINES="jupiter": unknown engine\(s\) jupiter/);
});
