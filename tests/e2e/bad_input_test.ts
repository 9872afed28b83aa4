/**
 * The bad-input matrix: what a learner mistypes or gets wrong, through the lib, the tour command
 * and the server command. Each case must fail with a typed error (lib) or a non-zero exit
 * (commands), a one-line message that says what went wrong and what to do (no stack trace
 * unless `--debug`), no secret in the message, and nothing left behind on the server.
 */

import assert from "node:assert/strict";
import {
  AbortMultipartUploadCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  ListBucketsCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import {
  bucketExists,
  connect,
  type Connection,
  type ConnectOptions,
  createBucket,
  deleteBucket,
  getFile,
  getText,
  headObject,
  listBuckets,
  listObjects,
  presignGet,
  presignPut,
  putFile,
  putObject,
  S3RequestError,
  setBucketAcl,
  setObjectAcl,
} from "../../lib/mod.ts";
import { DEMO_USERS } from "../../server/demo_users.ts";
import { OTHER_USER, s3Client, testServer } from "../support/server.ts";
import { type CommandResult, REPO_ROOT, runDeno, taskArgs } from "../support/commands.ts";
import { assertGoodMessage } from "../support/messages.ts";

const DEMO = DEMO_USERS[0];
const WRONG_SECRET = "WRONGSECRETKEY123";
const MINE = "bad-input-mine";
const THEIRS = "bad-input-theirs";
const PRESENT = "present.txt";
const NO_ENV = { get: (_: string) => undefined };

/** What the two users own on the server before any case runs. */
interface Baseline {
  [user: string]: { [bucket: string]: string[] };
}

async function snapshot(clients: Record<string, S3Client>): Promise<Baseline> {
  const out: Baseline = {};
  for (const [user, client] of Object.entries(clients)) {
    out[user] = {};
    const { Buckets } = await client.send(new ListBucketsCommand({}));
    for (const b of Buckets ?? []) {
      const objects = await client.send(new ListObjectsV2Command({ Bucket: b.Name }));
      const uploads = await client.send(new ListMultipartUploadsCommand({ Bucket: b.Name }));
      out[user][b.Name!] = [
        ...(objects.Contents ?? []).map((o) => o.Key!),
        ...(uploads.Uploads ?? []).map((u) => `upload:${u.Key}`),
      ].sort();
    }
  }
  return out;
}

/**
 * Fails when a case created or left a bucket, an object or a multipart upload; removes what it
 * left first, so the next case starts from the baseline.
 */
async function assertNothingLeft(
  clients: Record<string, S3Client>,
  baseline: Baseline,
  what: string,
): Promise<void> {
  const now = await snapshot(clients);
  const extra: string[] = [];
  for (const [user, buckets] of Object.entries(now)) {
    const client = clients[user];
    for (const [bucket, keys] of Object.entries(buckets)) {
      const known = baseline[user][bucket];
      for (const key of keys.filter((k) => !known?.includes(k))) {
        extra.push(`${user}: ${bucket}/${key}`);
        if (key.startsWith("upload:")) {
          const { Uploads } = await client.send(
            new ListMultipartUploadsCommand({ Bucket: bucket }),
          );
          for (const u of Uploads ?? []) {
            await client.send(
              new AbortMultipartUploadCommand({ Bucket: bucket, Key: u.Key, UploadId: u.UploadId }),
            );
          }
        } else await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
      }
      if (!known) {
        extra.push(`${user}: bucket ${bucket}`);
        await client.send(new DeleteBucketCommand({ Bucket: bucket }));
      }
    }
  }
  assert.deepEqual(extra, [], `${what} left something behind: ${extra.join(", ")}`);
  assert.deepEqual(await snapshot(clients), baseline, `${what} changed the baseline`);
}

/** Runs a lib call that must fail, and returns what it threw. */
async function failure(call: () => unknown, timeoutMs = 20_000): Promise<Error> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      (async () => await call())(),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`HUNG: no answer or error within ${timeoutMs} ms`)),
          timeoutMs,
        );
      }),
    ]);
  } catch (error) {
    assert.ok(!(error as Error).message.startsWith("HUNG:"), (error as Error).message);
    return error as Error;
  } finally {
    clearTimeout(timer);
  }
  throw new assert.AssertionError({ message: "Expected the call to fail, but it succeeded" });
}

/** A TCP port nothing listens on. */
function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** The error line(s) a command printed on stderr. */
function errorLines(result: CommandResult): string[] {
  return result.stderr.split("\n").map((l) => l.trimEnd()).filter((l) =>
    l !== "" && !l.startsWith("Task ") && !l.startsWith("Download ") && !/^Warning/.test(l)
  );
}

function assertCommandFailure(result: CommandResult, what: string, code?: number): string {
  if (code === undefined) assert.notEqual(result.code, 0, `${what}: exit code 0`);
  else {
    assert.equal(
      result.code,
      code,
      `${what}: exit ${result.code}\n${result.stdout}\n${result.stderr}`,
    );
  }
  const lines = errorLines(result);
  assert.ok(lines.length >= 1, `${what}: nothing on stderr (stdout: ${result.stdout})`);
  assert.doesNotMatch(result.stderr, /^\s+at /m, `${what}: stack trace without --debug`);
  for (const secret of [DEMO.secretAccessKey, WRONG_SECRET]) {
    assert.ok(
      !result.stdout.includes(secret) && !result.stderr.includes(secret),
      `${what}: secret`,
    );
  }
  assertGoodMessage(lines[0], what);
  return lines[0];
}

Deno.test("bad input: the lib, the tour and the server command answer each mistake clearly", async (t) => {
  await using server = await testServer();
  const demo = s3Client(server.url);
  const other = s3Client(server.url, OTHER_USER);
  const clients = { demo, other };
  const work = await Deno.makeTempDir({ prefix: "bad-input-" });
  const opts = (extra: ConnectOptions = {}): ConnectOptions => ({
    endpoint: server.url,
    accessKeyId: DEMO.accessKeyId,
    secretAccessKey: DEMO.secretAccessKey,
    maxAttempts: 1,
    env: NO_ENV,
    ...extra,
  });
  let s3: Connection | undefined;
  try {
    await demo.send(new CreateBucketCommand({ Bucket: MINE }));
    await demo.send(new PutObjectCommand({ Bucket: MINE, Key: PRESENT, Body: "here" }));
    await other.send(new CreateBucketCommand({ Bucket: THEIRS }));
    const baseline = await snapshot(clients);
    s3 = await connect(opts());
    const conn = s3;
    const file = `${work}/picture.png`;
    await Deno.writeFile(file, new Uint8Array(2048).fill(7));

    /** A lib case: the error's class, its code (for S3RequestError), a good message. */
    const lib = (
      name: string,
      call: () => unknown,
      expected: { type: abstract new (...args: never[]) => Error; code?: string; status?: number },
    ) =>
      t.step(name, async () => {
        let primary: unknown;
        try {
          await libCase(name, call, expected);
        } catch (error) {
          primary = error;
        }
        try {
          await assertNothingLeft(clients, baseline, name);
        } catch (error) {
          if (primary === undefined) throw error;
        }
        if (primary !== undefined) throw primary;
      });
    const libCase = async (
      name: string,
      call: () => unknown,
      expected: { type: abstract new (...args: never[]) => Error; code?: string; status?: number },
    ) => {
      const error = await failure(call);
      assert.ok(
        error instanceof expected.type,
        `${name}: expected ${expected.type.name}, got ${error.constructor.name}: ${error.message}`,
      );
      if (expected.code !== undefined) {
        assert.equal((error as S3RequestError).code, expected.code, error.message);
      }
      if (expected.status !== undefined) {
        assert.equal((error as S3RequestError).status, expected.status, error.message);
      }
      assertGoodMessage(error.message, name);
    };

    // ── Bucket names (checked before any request) ───────────────────────────────────────
    const badNames: Array<[string, string]> = [
      ["too short", "ab"],
      ["too long", "a".repeat(64)],
      ["upper case", "MyBucket"],
      ["IP-like", "192.168.1.10"],
      ["with an underscore", "my_bucket"],
      ["with ..", "my..bucket"],
      ["starting with -", "-bucket"],
      ["empty", ""],
      ["with a slash", "my/bucket"],
    ];
    for (const [why, name] of badNames) {
      await lib(
        `createBucket() refuses a bucket name ${why} (${JSON.stringify(name)})`,
        () => createBucket(conn, { name }),
        { type: RangeError },
      );
    }
    await lib(
      "putObject() refuses an invalid bucket name before sending",
      () => putObject(conn, "Bad_Bucket", "k", "x"),
      { type: RangeError },
    );
    await lib(
      "createBucket() refuses a name that is not a string",
      () => createBucket(conn, { name: 42 as unknown as string }),
      { type: TypeError },
    );

    // ── Keys ─────────────────────────────────────────────────────────────────────────────
    await lib("putObject() refuses an empty key", () => putObject(conn, MINE, "", "x"), {
      type: RangeError,
    });
    await lib(
      "putObject() refuses a key over 1024 bytes",
      () => putObject(conn, MINE, "k".repeat(1025), "x"),
      { type: RangeError },
    );
    await lib(
      "putObject() counts a key's length in UTF-8 bytes (342 × 日 = 1026 bytes)",
      () => putObject(conn, MINE, "日".repeat(342), "x"),
      { type: RangeError },
    );

    // ── Files ────────────────────────────────────────────────────────────────────────────
    await lib(
      "putFile() reports a missing file",
      () => putFile(conn, MINE, "missing.png", `${work}/no-such-file.png`),
      { type: Deno.errors.NotFound },
    );
    await lib(
      "putFile() refuses a directory given as a file",
      () => putFile(conn, MINE, "dir.png", work),
      { type: Deno.errors.IsADirectory },
    );
    await t.step("putFile() reports a file it may not read (denied read permission)", async () => {
      // Tests run as root here, so a chmod cannot make a file unreadable; a Deno permission
      // denial is what a user of `deno task` with narrowed --allow-read meets instead.
      const result = await runDeno([
        "run",
        `--allow-read=${REPO_ROOT},${Deno.env.get("HOME")}/.cache/deno,${work}/allowed`,
        "--allow-net=127.0.0.1",
        "--allow-env",
        "--allow-sys",
        `${REPO_ROOT}/tests/support/bad_input_child.ts`,
        JSON.stringify({ endpoint: server.url, bucket: MINE, key: "secret.png", path: file }),
      ]);
      assert.equal(result.code, 0, result.stderr);
      const outcome = JSON.parse(result.stdout);
      assert.ok(outcome.threw, `putFile() succeeded on an unreadable file: ${result.stdout}`);
      assert.ok(
        ["PermissionDenied", "NotCapable", "NotFound"].includes(outcome.name),
        `Unexpected error type ${outcome.name}: ${outcome.message}`,
      );
      assertGoodMessage(outcome.message, "unreadable file");
      await assertNothingLeft(clients, baseline, "unreadable file");
    });

    await lib(
      "getFile() into a folder that does not exist reports it and writes nothing",
      () => getFile(conn, MINE, PRESENT, `${work}/no-such-folder/out.txt`),
      { type: Deno.errors.NotFound },
    );
    const big = `${work}/big.bin`;
    await Deno.writeFile(big, new Uint8Array(6 * 1024 * 1024).fill(9));
    await lib(
      "putFile() as multipart into a missing bucket is NoSuchBucket and leaves no upload",
      () => putFile(conn, "no-such-bucket-here", "big.bin", big, { multipartThreshold: 5 << 20 }),
      { type: S3RequestError, code: "NoSuchBucket", status: 404 },
    );
    await lib(
      "putFile() as multipart into another user's bucket is AccessDenied and leaves no upload",
      () => putFile(conn, THEIRS, "big.bin", big, { multipartThreshold: 5 << 20 }),
      { type: S3RequestError, code: "AccessDenied", status: 403 },
    );

    // ── Endpoints and keys ───────────────────────────────────────────────────────────────
    await lib(
      "connect() refuses a malformed endpoint URL",
      () => connect(opts({ endpoint: "not a url" })),
      { type: TypeError },
    );
    await lib(
      "connect() refuses an endpoint that is not http(s)",
      () => connect(opts({ endpoint: "ftp://127.0.0.1:21" })),
      { type: TypeError },
    );
    await lib(
      "connect() refuses two targets at once",
      () => connect(opts({ dreamobjects: true })),
      { type: TypeError },
    );
    await lib(
      "connect() refuses an access key without a secret key",
      () => connect({ endpoint: server.url, accessKeyId: DEMO.accessKeyId, env: NO_ENV }),
      { type: TypeError },
    );
    await lib("a refused connection is a NetworkError", async () => {
      await using bad = await connect(opts({ endpoint: `http://127.0.0.1:${closedPort()}` }));
      await listBuckets(bad);
    }, { type: S3RequestError, code: "NetworkError", status: 0 });
    await lib("an unresolvable host is a NetworkError", async () => {
      await using bad = await connect(opts({ endpoint: "http://no-such-host.invalid:9000" }));
      await listBuckets(bad);
    }, { type: S3RequestError, code: "NetworkError", status: 0 });
    await t.step("a server that never answers times out after the configured timeout", async () => {
      const blackHole = Deno.listen({ hostname: "127.0.0.1", port: 0 });
      const held: Deno.Conn[] = [];
      const accepting = (async () => {
        try {
          for await (const c of blackHole) held.push(c);
        } catch {
          // closed
        }
      })();
      try {
        const port = (blackHole.addr as Deno.NetAddr).port;
        const started = performance.now();
        const error = await failure(async () => {
          await using bad = await connect(
            // `timeoutMs`: how long one request may take before it fails.
            opts({ endpoint: `http://127.0.0.1:${port}`, timeoutMs: 1000 } as ConnectOptions),
          );
          await listBuckets(bad);
        }, 10_000);
        const seconds = (performance.now() - started) / 1000;
        assert.ok(error instanceof S3RequestError, `${error.constructor.name}: ${error.message}`);
        assert.equal(error.code, "NetworkError");
        assert.ok(seconds < 5, `The 1 s timeout took ${seconds.toFixed(1)} s`);
        assertGoodMessage(error.message, "timeout");
      } finally {
        blackHole.close();
        for (const c of held) c.close();
        await accepting;
      }
    });
    await lib("a wrong secret key is SignatureDoesNotMatch", async () => {
      await using bad = await connect(opts({ secretAccessKey: WRONG_SECRET }));
      await createBucket(bad, { name: "wrong-secret-bucket" });
    }, { type: S3RequestError, code: "SignatureDoesNotMatch", status: 403 });
    await lib("an unknown access key is InvalidAccessKeyId", async () => {
      await using bad = await connect(opts({ accessKeyId: "NOSUCHACCESSKEY" }));
      await putObject(bad, MINE, "intruder.txt", "x");
    }, { type: S3RequestError, code: "InvalidAccessKeyId", status: 403 });
    await lib("missing keys for a custom endpoint are reported before any request", async () => {
      await connect({
        endpoint: server.url,
        env: NO_ENV,
        profile: "no-such-profile-for-tests",
        maxAttempts: 1,
      });
    }, { type: TypeError });

    // ── Presign expiry ───────────────────────────────────────────────────────────────────
    for (
      const [why, value, type] of [
        ["0", 0, RangeError],
        ["negative", -5, RangeError],
        ["over 7 days", 604_801, RangeError],
        ["not a whole number", 1.5, RangeError],
        ["not a number (NaN)", Number.NaN, TypeError],
        ["a string", "3600", TypeError],
      ] as const
    ) {
      await lib(
        `presignGet() refuses an expiry that is ${why}`,
        () => presignGet(conn, MINE, PRESENT, { expiresIn: value as number }),
        { type },
      );
    }
    await lib(
      "presignPut() refuses an expiry over 7 days",
      () => presignPut(conn, MINE, "upload.txt", { expiresIn: 8 * 86400 }),
      { type: RangeError },
    );

    // ── Canned ACLs ──────────────────────────────────────────────────────────────────────
    await lib(
      "setObjectAcl() refuses an unknown canned ACL",
      () => setObjectAcl(conn, MINE, PRESENT, "public" as never),
      { type: RangeError },
    );
    await lib(
      "setBucketAcl() refuses an unknown canned ACL",
      () => setBucketAcl(conn, MINE, "world-writable" as never),
      { type: RangeError },
    );
    await lib(
      "createBucket() refuses an unknown canned ACL and creates nothing",
      () => createBucket(conn, { name: "acl-typo-bucket", acl: "public_read" as never }),
      { type: RangeError },
    );
    await lib(
      "putObject() refuses an unknown canned ACL and stores nothing",
      () => putObject(conn, MINE, "acl-typo.txt", "x", { acl: "everyone" as never }),
      { type: RangeError },
    );

    // ── Missing things and other people's things ─────────────────────────────────────────
    await lib(
      "getText() on a missing bucket is NoSuchBucket",
      () => getText(conn, "no-such-bucket-here", "k"),
      { type: S3RequestError, code: "NoSuchBucket", status: 404 },
    );
    await lib(
      "getText() on a missing key is NoSuchKey",
      () => getText(conn, MINE, "no-such-key.txt"),
      { type: S3RequestError, code: "NoSuchKey", status: 404 },
    );
    await lib(
      "headObject() on a missing key is NoSuchKey (from a bodiless 404)",
      () => headObject(conn, MINE, "no-such-key.txt"),
      { type: S3RequestError, code: "NoSuchKey", status: 404 },
    );
    await lib("listObjects() on a missing bucket is NoSuchBucket", async () => {
      for await (const _ of listObjects(conn, "no-such-bucket-here"));
    }, { type: S3RequestError, code: "NoSuchBucket", status: 404 });
    await lib(
      "getFile() of a missing key is NoSuchKey and leaves no file",
      async () => {
        try {
          await getFile(conn, MINE, "no-such-key.txt", `${work}/download.bin`);
        } finally {
          await assert.rejects(Deno.stat(`${work}/download.bin`), Deno.errors.NotFound);
        }
      },
      { type: S3RequestError, code: "NoSuchKey", status: 404 },
    );
    await lib(
      "createBucket() of a name another user owns is BucketAlreadyExists",
      () => createBucket(conn, { name: THEIRS }),
      { type: S3RequestError, code: "BucketAlreadyExists", status: 409 },
    );
    await lib(
      "putObject() into another user's bucket is AccessDenied",
      () => putObject(conn, THEIRS, "intruder.txt", "x"),
      { type: S3RequestError, code: "AccessDenied", status: 403 },
    );
    await lib(
      "deleteBucket() of another user's bucket is AccessDenied",
      () => deleteBucket(conn, THEIRS),
      { type: S3RequestError, code: "AccessDenied", status: 403 },
    );
    await lib(
      "bucketExists() on another user's bucket is AccessDenied, not false",
      () => bucketExists(conn, THEIRS),
      { type: S3RequestError, code: "AccessDenied", status: 403 },
    );
    await lib(
      "deleteBucket() of a non-empty bucket is BucketNotEmpty",
      () => deleteBucket(conn, MINE),
      { type: S3RequestError, code: "BucketNotEmpty", status: 409 },
    );

    // ── The tour command ─────────────────────────────────────────────────────────────────
    const tour = (args: string[]) =>
      runDeno([...taskArgs("tour"), ...args], { env: { HOME: work }, timeoutMs: 60_000 });
    const tourCase = (
      name: string,
      args: string[],
      code?: number,
      check?: (line: string) => void,
    ) =>
      t.step(`deno task tour ${name}`, async () => {
        const result = await tour(args);
        const line = assertCommandFailure(result, name, code);
        check?.(line);
        await assertNothingLeft(clients, baseline, `tour ${name}`);
      });
    const keys = ["--access-key", DEMO.accessKeyId, "--secret-key", DEMO.secretAccessKey];
    await tourCase("refuses an unknown flag", ["--bogus"], 2, (line) => {
      assert.match(line, /--bogus/);
      assert.match(line, /--help/);
    });
    await tourCase("refuses --endpoint without a value", ["--endpoint"], 2);
    await tourCase(
      "refuses a malformed --endpoint",
      ["--endpoint", "not a url", ...keys],
      1,
      (line) => assert.match(line, /not a url/),
    );
    await tourCase(
      "explains a refused connection",
      ["--endpoint", `http://127.0.0.1:${closedPort()}`, ...keys],
      1,
      (line) => assert.match(line, /refused/),
    );
    await tourCase(
      "explains an unresolvable host",
      ["--endpoint", "http://no-such-host.invalid:9000", ...keys],
      1,
      (line) => assert.match(line, /resolve/),
    );
    await tourCase(
      "explains a wrong secret key",
      ["--endpoint", server.url, "--access-key", DEMO.accessKeyId, "--secret-key", WRONG_SECRET],
      1,
      (line) => assert.match(line, /SignatureDoesNotMatch/),
    );
    await tourCase(
      "explains an unknown access key",
      ["--endpoint", server.url, "--access-key", "NOSUCHKEY", "--secret-key", WRONG_SECRET],
      1,
      (line) => assert.match(line, /InvalidAccessKeyId/),
    );
    await tourCase(
      "refuses an access key without a secret key",
      ["--endpoint", server.url, "--access-key", DEMO.accessKeyId],
      undefined,
    );
    await t.step("deno task tour --debug prints the stack trace it otherwise hides", async () => {
      const result = await tour([
        "--endpoint",
        `http://127.0.0.1:${closedPort()}`,
        ...keys,
        "--debug",
      ]);
      assert.equal(result.code, 1);
      assert.match(result.stderr, /^\s+at /m, "--debug should show where the error came from");
    });

    // ── The server command ───────────────────────────────────────────────────────────────
    const serve = (args: string[]) =>
      runDeno([...taskArgs("server"), ...args], { timeoutMs: 30_000 });
    await t.step("deno task server refuses an unknown flag", async () => {
      assertCommandFailure(await serve(["--bogus"]), "server --bogus", 2);
    });
    await t.step("deno task server refuses a port out of range", async () => {
      assertCommandFailure(await serve(["--port", "99999"]), "server --port 99999", 2);
    });
    await t.step("deno task server refuses a port that is not a number", async () => {
      assertCommandFailure(await serve(["--port", "abc"]), "server --port abc", 2);
    });
    await t.step("deno task server refuses a negative port in one line", async () => {
      assertCommandFailure(await serve(["--port", "-1"]), "server --port -1", 2);
      const result = await serve(["--port", "-1"]);
      assert.equal(errorLines(result).length, 1, `Several lines:\n${result.stderr}`);
    });
    await t.step("deno task server explains a --host that does not resolve", async () => {
      const line = assertCommandFailure(
        await serve(["--port", "0", "--host", "no-such-host.invalid"]),
        "server --host no-such-host.invalid",
        1,
      );
      assert.match(line, /no-such-host\.invalid/);
    });
    await t.step("deno task server explains a port in use", async () => {
      const busy = Deno.listen({ hostname: "127.0.0.1", port: 0 });
      try {
        const port = (busy.addr as Deno.NetAddr).port;
        const line = assertCommandFailure(await serve(["--port", String(port)]), "port in use", 1);
        assert.match(line, /in use/);
      } finally {
        busy.close();
      }
    });
    await t.step("deno task server explains a --data path that is a file", async () => {
      const line = assertCommandFailure(
        await serve(["--port", "0", "--data", file]),
        "server --data <file>",
      );
      assert.match(line, /picture\.png/);
    });
  } finally {
    await s3?.close();
    demo.destroy();
    other.destroy();
    await Deno.remove(work, { recursive: true });
  }
});
