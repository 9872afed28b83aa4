/**
 * The package publishes: `deno publish --dry-run` (offline: it checks slow types, the licence and
 * that every module the export map reaches is included, then stops before the registry) passes,
 * and ships the licence and the shared core but not the course's tests or tour.
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

Deno.test("deno publish --dry-run passes and ships LICENSE, core/, lib/ and server/ only", async () => {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    // --allow-dirty: a working copy with uncommitted edits is checked as it stands.
    args: ["publish", "--dry-run", "--allow-dirty"],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(300_000),
  }).output();
  const out = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
  assert.equal(code, 0, `deno publish --dry-run failed:\n${out}`);
  assert.match(out, /Success Dry run complete/);
  // The files are listed as URLs with their size: `file:///…/lib/mod.ts (4.2KB)`.
  const files = [...out.matchAll(/^\s*file:\/\/(\S+)/gm)]
    .map((m) => decodeURIComponent(m[1]))
    .map((path) => path.startsWith(ROOT) ? path.slice(ROOT.length) : path);
  assert.ok(files.includes("LICENSE"), `LICENSE is not published: ${files.join(", ")}`);
  for (const dir of ["core/", "lib/", "server/"]) {
    assert.ok(files.some((f) => f.startsWith(dir)), `nothing of ${dir} is published`);
  }
  const stray = files.filter((f) =>
    !/^(LICENSE|README\.md|deno\.json|(core|lib|server)\/)/.test(f)
  );
  assert.deepEqual(stray, []);
});

Deno.test("the licence is MIT, in LICENSE and in deno.json", async () => {
  const config = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
  assert.equal(config.license, "MIT");
  const text = await Deno.readTextFile(`${ROOT}LICENSE`);
  assert.match(text, /^MIT License\n\nCopyright \(c\) 2026 the dreamobjects-course authors\n/);
  assert.match(text, /THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND/);
});
