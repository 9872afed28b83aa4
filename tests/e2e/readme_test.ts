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
