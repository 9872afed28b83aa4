/**
 * Secrets: no secret key and no full signature in the tour's output, the executed notebook's
 * outputs, the lib's traces or its error messages. Requests go through a capturing proxy, so the
 * scan looks for the very signatures that went over the wire, not only for patterns.
 */

import assert from "node:assert/strict";
import {
  connect,
  createBucket,
  deleteBucket,
  emptyBucket,
  getObjectGrants,
  getText,
  headObject,
  listObjects,
  presignGet,
  presignPut,
  probe,
  putFile,
  putObject,
  setObjectAcl,
} from "../../lib/mod.ts";
import { DEMO_USERS } from "../../server/demo_users.ts";
import type { ServerUser } from "../../server/types.ts";
import { testServer } from "../support/server.ts";
import { REPO_ROOT, runDeno } from "../support/commands.ts";
import { startProxy } from "../support/proxy.ts";
import { spawnServer } from "../support/server_process.ts";
import { engineCommand, engineTest } from "../support/engines.ts";

const SECRET_USER: ServerUser = {
  id: "secrets",
  displayName: "Secrets Test",
  accessKeyId: "SECRETSTESTKEY",
  secretAccessKey: `S3cr3t-${crypto.randomUUID().replaceAll("-", "")}`,
};
const WRONG_SECRET = `Wr0ng-${crypto.randomUUID().replaceAll("-", "")}`;
const NO_ENV = { get: (_: string) => undefined };

/** Signature-looking values that are not redacted. */
const SIGNATURE_PATTERNS: RegExp[] = [
  /X-Amz-Signature=(?!REDACTED)[0-9a-f]{16,}/i,
  /\bSignature=(?!REDACTED)[0-9a-f]{64}/,
  /chunk-signature=[0-9a-f]{64}/,
  /\bAWS [A-Z0-9]{8,}:(?!REDACTED)[A-Za-z0-9+/]{20,}={0,2}/,
  /[?&]Signature=(?!REDACTED)[A-Za-z0-9%+/]{20,}/,
];

/** Collects the signatures a client sent through a proxy. */
class Capture {
  #text = "";
  add(chunk: Uint8Array): void {
    // latin1 keeps every byte; only ASCII signatures are looked for.
    this.#text += Array.from(chunk, (b) => String.fromCharCode(b)).join("");
    if (this.#text.length > 4 * 1024 * 1024) this.#text = this.#text.slice(-1024 * 1024);
    this.#harvest();
  }
  readonly signatures = new Set<string>();
  #harvest(): void {
    for (const m of this.#text.matchAll(/(?:Signature|chunk-signature)=([0-9a-f]{64})/g)) {
      this.signatures.add(m[1]);
    }
  }
}

function signaturesIn(url: string): string[] {
  return [...url.matchAll(/X-Amz-Signature=([0-9a-f]{64})/g)].map((m) => m[1]);
}

/** Fails when a text holds a secret, one of the signatures, or an unredacted signature. */
function assertClean(text: string, what: string, secrets: string[], signatures: Iterable<string>) {
  assert.ok(text.length > 0, `${what}: nothing to scan`);
  for (const secret of secrets) {
    assert.ok(!text.includes(secret), `${what} shows a secret key`);
  }
  for (const signature of signatures) {
    const at = text.indexOf(signature);
    assert.ok(
      at < 0,
      `${what} shows a full signature: …${text.slice(Math.max(0, at - 80), at + 70)}`,
    );
  }
  for (const pattern of SIGNATURE_PATTERNS) {
    const m = text.match(pattern);
    assert.ok(!m, `${what} shows an unredacted signature: ${m?.[0]}`);
  }
}

Deno.test("secrets: the lib's traces and errors hold no secret key and no full signature", async () => {
  await using server = await testServer({ users: [SECRET_USER, ...DEMO_USERS] });
  const capture = new Capture();
  const proxy = startProxy(server.port, { onUpData: (c) => capture.add(c) });
  const dir = await Deno.makeTempDir({ prefix: "secrets-" });
  const endpoint = `http://127.0.0.1:${proxy.port}`;
  const texts: Array<[string, string]> = [];
  const urls: string[] = [];
  try {
    await using s3 = await connect({
      endpoint,
      accessKeyId: SECRET_USER.accessKeyId,
      secretAccessKey: SECRET_USER.secretAccessKey,
      maxAttempts: 1,
      env: NO_ENV,
    });
    const bucket = await createBucket(s3, { prefix: "secrets" });
    await putObject(s3, bucket, "hello.txt", "Hello");
    const file = `${dir}/big.bin`;
    await Deno.writeFile(file, new Uint8Array(6 * 1024 * 1024).fill(3));
    await putFile(s3, bucket, "big.bin", file, { multipartThreshold: 5 * 1024 * 1024 });
    const get = await presignGet(s3, bucket, "hello.txt", { expiresIn: 600 });
    const put = await presignPut(s3, bucket, "up.txt", { expiresIn: 600 });
    urls.push(get, put);
    const probed = await probe(get, { trace: s3.trace });
    assert.equal(probed.status, 200);
    texts.push(["probe result", probed.toText(false) + probed.toHtml() + Deno.inspect(probed)]);
    await setObjectAcl(s3, bucket, "hello.txt", "public-read");
    await getObjectGrants(s3, bucket, "hello.txt");
    await getText(s3, bucket, "hello.txt");
    await headObject(s3, bucket, "hello.txt");
    for await (const _ of listObjects(s3, bucket));
    const errors: unknown[] = [];
    errors.push(await getText(s3, bucket, "missing.txt").catch((e) => e));
    errors.push(await headObject(s3, bucket, "missing.txt").catch((e) => e));
    await using wrong = await connect({
      endpoint,
      accessKeyId: SECRET_USER.accessKeyId,
      secretAccessKey: WRONG_SECRET,
      maxAttempts: 1,
      env: NO_ENV,
    });
    errors.push(await putObject(wrong, bucket, "x.txt", "x").catch((e) => e));
    errors.push(await createBucket(wrong, { prefix: "wrong" }).catch((e) => e));
    texts.push(["the failing connection's trace", Deno.inspect(wrong.trace.entries, { depth: 8 })]);
    for (const [i, error] of errors.entries()) {
      assert.ok(error instanceof Error, `Case ${i} did not fail`);
      texts.push([`error ${i} message`, error.message]);
      texts.push([`error ${i} printed`, String(error) + "\n" + Deno.inspect(error, { depth: 4 })]);
    }
    await emptyBucket(s3, bucket);
    await deleteBucket(s3, bucket);

    texts.push(["the trace as JSON", JSON.stringify(s3.trace.entries)]);
    texts.push(["the trace as text", s3.trace.view().toText(false) + s3.trace.view().toText(true)]);
    texts.push(["the trace as HTML", s3.trace.view().toHtml()]);
    texts.push(["the connection printed", Deno.inspect(s3) + s3.toText() + s3.toHtml()]);
  } finally {
    await proxy.close();
    await Deno.remove(dir, { recursive: true });
  }
  const signatures = new Set([...capture.signatures, ...urls.flatMap(signaturesIn)]);
  assert.ok(signatures.size >= 15, `Only ${signatures.size} signatures were captured`);
  console.log(`Scanned ${texts.length} outputs for 2 secrets and ${signatures.size} signatures`);
  for (const [what, text] of texts) {
    assertClean(text, what, [SECRET_USER.secretAccessKey, WRONG_SECRET], signatures);
  }
});

Deno.test("secrets: the tour's output holds no secret key and no full signature", async (t) => {
  await using server = await testServer({ users: [SECRET_USER, ...DEMO_USERS] });
  const capture = new Capture();
  const proxy = startProxy(server.port, { onUpData: (c) => capture.add(c) });
  const config = JSON.parse(await Deno.readTextFile(`${REPO_ROOT}/deno.json`));
  const tourArgs = (config.tasks.tour as string).split(/\s+/).slice(1);
  const endpoint = `http://127.0.0.1:${proxy.port}`;
  try {
    await t.step("a full tour run, colours on and off", async () => {
      for (const color of [false, true]) {
        const result = await runDeno([
          ...tourArgs,
          "--endpoint",
          endpoint,
          "--access-key",
          SECRET_USER.accessKeyId,
          "--secret-key",
          SECRET_USER.secretAccessKey,
        ], { env: color ? { FORCE_COLOR: "1" } : {} });
        assert.equal(result.code, 0, result.stderr);
        assert.match(result.stdout, /REDACTED/, "The tour shows no redacted signature at all");
        assertClean(
          result.stdout + result.stderr,
          `the tour's output (colour ${color})`,
          [SECRET_USER.secretAccessKey],
          capture.signatures,
        );
      }
    });
    await t.step("a failing run with --debug (stack traces shown)", async () => {
      const result = await runDeno([
        ...tourArgs,
        "--endpoint",
        endpoint,
        "--access-key",
        SECRET_USER.accessKeyId,
        "--secret-key",
        WRONG_SECRET,
        "--debug",
      ]);
      assert.equal(result.code, 1);
      assertClean(
        result.stdout + result.stderr,
        "the failing tour's output",
        [SECRET_USER.secretAccessKey, WRONG_SECRET],
        capture.signatures,
      );
    });
    await t.step("the default run on the embedded server", async () => {
      const result = await runDeno(tourArgs);
      assert.equal(result.code, 0, result.stderr);
      assertClean(result.stdout + result.stderr, "the default tour", ["DEMOSECRETKEY"], []);
    });
    assert.ok(capture.signatures.size >= 20, `Only ${capture.signatures.size} signatures captured`);
  } finally {
    await proxy.close();
  }
});

Deno.test("secrets: the server's request log holds no full signature", async () => {
  const server = await spawnServer([], false);
  const capture = new Capture();
  const proxy = startProxy(server.port, { onUpData: (c) => capture.add(c) });
  try {
    await using s3 = await connect({
      endpoint: `http://127.0.0.1:${proxy.port}`,
      accessKeyId: DEMO_USERS[0].accessKeyId,
      secretAccessKey: DEMO_USERS[0].secretAccessKey,
      maxAttempts: 1,
      env: NO_ENV,
    });
    const bucket = await createBucket(s3, { prefix: "logged" });
    await putObject(s3, bucket, "a.txt", "a");
    const url = await presignGet(s3, bucket, "a.txt");
    assert.equal((await probe(url)).status, 200);
    await getText(s3, bucket, "missing.txt").catch(() => {});
    await emptyBucket(s3, bucket);
    await deleteBucket(s3, bucket);
  } finally {
    await proxy.close();
    await server.kill("SIGTERM");
  }
  // The start-up banner prints the demo credentials on purpose (issue 3); the log after it must
  // not repeat them, and no request's signature may appear anywhere.
  const output = server.output();
  const log = output.slice(output.indexOf("Press Ctrl-C"));
  assert.ok(capture.signatures.size >= 5, `Only ${capture.signatures.size} signatures captured`);
  assert.match(log, /logged-/, "The server logged no request");
  assertClean(log, "the server's request log", ["DEMOSECRETKEY"], capture.signatures);
  assertClean(output, "the server's output", [], capture.signatures);
});

engineTest(
  "jupyter",
  "secrets: the executed notebook's outputs hold no secret key and no full signature",
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "secrets-nb-" });
    try {
      // Execute a copy next to the original, so relative paths (cloud.png, ../lib) resolve.
      const copy = `${REPO_ROOT}/notebooks/.secrets-test-${crypto.randomUUID().slice(0, 8)}.ipynb`;
      await Deno.copyFile(`${REPO_ROOT}/notebooks/tour.ipynb`, copy);
      let out;
      try {
        out = await engineCommand("jupyter", {
          args: [
            "nbconvert",
            "--to",
            "notebook",
            "--execute",
            "--ExecutePreprocessor.timeout=180",
            "--ExecutePreprocessor.kernel_name=deno",
            "--output-dir",
            dir,
            "--output",
            "executed.ipynb",
            copy,
          ],
          cwd: `${REPO_ROOT}/notebooks`,
          stdout: "piped",
          stderr: "piped",
        }).output();
      } finally {
        await Deno.remove(copy).catch(() => {});
      }
      assert.equal(out.code, 0, new TextDecoder().decode(out.stderr).slice(-3000));
      const notebook = JSON.parse(await Deno.readTextFile(`${dir}/executed.ipynb`));
      const outputs = JSON.stringify(
        notebook.cells.flatMap((c: { outputs?: unknown[] }) => c.outputs ?? []),
      );
      assert.match(outputs, /REDACTED/, "The notebook's outputs show no redacted trace at all");
      assertClean(outputs, "the notebook's outputs", ["DEMOSECRETKEY", "OTHERSECRETKEY"], []);
      const committed = await Deno.readTextFile(`${REPO_ROOT}/notebooks/tour.ipynb`);
      assertClean(
        committed + " ",
        "the committed notebook",
        ["DEMOSECRETKEY", "OTHERSECRETKEY"],
        [],
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);
