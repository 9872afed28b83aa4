/**
 * The lean path (`lib/_lean.ts`, `lib/_sigv4.ts`): its signatures against AWS's published example
 * and `@smithy/signature-v4`, its requests against the embedded server and Ceph RGW (awkward
 * names, pages, batch deletes, failures worded as the SDK's), and a sync with the trace off
 * (which takes it) checked file by file, its requests counted by a proxy.
 */

import assert from "node:assert/strict";
import { SignatureV4 } from "@smithy/signature-v4";
import { createHash, createHmac } from "node:crypto";
import {
  connect,
  type Connection,
  createBucket,
  deleteBucket,
  emptyBucket,
  getBytes,
  getFile,
  headObject,
  listObjects,
  putObject,
  S3RequestError,
  syncDown,
  syncUp,
} from "../../lib/mod.ts";
import { LeanClient, leanClientOf } from "../../lib/_lean.ts";
import { EMPTY_SHA256, sha256HexAsync, SigV4Signer } from "../../lib/_sigv4.ts";
import { NODE_SIGNING, sha256Hex } from "../../core/crypto.ts";
import { request } from "../../lib/errors.ts";
import { DEMO_USERS } from "../../server/demo_users.ts";
import { rgwTest } from "../support/engines.ts";
import { startProxy } from "../support/proxy.ts";

const DEMO = DEMO_USERS[0];

function bytes(data: string | ArrayBuffer | ArrayBufferView): string | Uint8Array {
  if (typeof data === "string") return data;
  return data instanceof ArrayBuffer
    ? new Uint8Array(data)
    : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** The hash `@smithy/signature-v4` asks for: SHA-256, or HMAC-SHA256 with a secret. */
class Sha256 {
  #hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.#hash = secret === undefined ? createHash("sha256") : createHmac("sha256", bytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView) {
    this.#hash.update(bytes(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.#hash.digest()));
  }
}
const NAMES = [
  "a.txt",
  "a-b.txt",
  "a/b.txt",
  "with space.txt",
  "unicode é ü 日本.txt",
  "percent %20 and %.txt",
  "plus+sign & <amp>.txt",
  "emoji 😀.txt",
  "quote's (paren)*!.txt",
];

Deno.test("SigV4Signer signs as AWS's published example and as @smithy/signature-v4", async (t) => {
  const keys = {
    accessKeyId: "AKIAIOSFODNN7EXAMPLE",
    secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  };
  const when = new Date("2013-05-24T00:00:00Z");
  await t.step("GET Object with a range (S3 documentation)", async () => {
    const headers: Record<string, string> = { range: "bytes=0-9" };
    await new SigV4Signer(keys, "us-east-1").sign({
      method: "GET",
      url: new URL("https://examplebucket.s3.amazonaws.com/test.txt"),
      headers,
      payloadHash: EMPTY_SHA256,
    }, when);
    assert.equal(
      headers.authorization,
      "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, " +
        "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, " +
        "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
    );
  });
  await t.step("a PUT with a query, an awkward key and a session token", async () => {
    const lean = new LeanClient({
      endpoint: "http://127.0.0.1:9000",
      region: "us-east-005",
      pathStyle: true,
      keys: { ...keys, sessionToken: "TOKEN/+=" },
    });
    const url = lean.url("b1", "dir/unicode é 100% (1)*.txt", {
      partNumber: "2",
      uploadId: "a+b/c=",
    });
    const body = new TextEncoder().encode("hello");
    const headers: Record<string, string> = {
      "content-type": "text/plain",
      "content-md5": "XUFAKrxLKna5cZ2REBfFkg==",
    };
    await new SigV4Signer({ ...keys, sessionToken: "TOKEN/+=" }, "us-east-005").sign({
      method: "PUT",
      url,
      headers,
      payloadHash: await sha256HexAsync(body),
    }, when);
    const smithy = new SignatureV4({
      credentials: { ...keys, sessionToken: "TOKEN/+=" },
      region: "us-east-005",
      service: "s3",
      sha256: Sha256,
      uriEscapePath: false,
      applyChecksum: false,
    });
    const query: Record<string, string> = {};
    for (const [k, v] of url.searchParams) query[k] = v;
    const signed = await smithy.sign({
      method: "PUT",
      protocol: "http:",
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      query,
      headers: {
        host: url.host,
        "content-type": "text/plain",
        "content-md5": "XUFAKrxLKna5cZ2REBfFkg==",
        "x-amz-content-sha256": sha256Hex(body),
      },
      body,
    }, { signingDate: when });
    assert.equal(headers.authorization, signed.headers.authorization);
    // Signed with node:crypto's primitives (what a connection uses): the same signature.
    const nodeHeaders: Record<string, string> = {
      "content-type": "text/plain",
      "content-md5": "XUFAKrxLKna5cZ2REBfFkg==",
    };
    await new SigV4Signer({ ...keys, sessionToken: "TOKEN/+=" }, "us-east-005", NODE_SIGNING).sign({
      method: "PUT",
      url,
      headers: nodeHeaders,
      payloadHash: sha256Hex(body),
    }, when);
    assert.equal(nodeHeaders.authorization, signed.headers.authorization);
  });
});

/** The lean client's requests, checked against a server. */
async function leanRequests(t: Deno.TestContext, s3: Connection) {
  const lean = leanClientOf(s3);
  assert.ok(lean, "a connection with its trace off has a lean client");
  const bucket = await createBucket(s3, { prefix: "lean" });
  try {
    await t.step("PUT and GET keep awkward keys and bytes, with their MD5 checked", async () => {
      for (const name of NAMES) {
        const etag = await lean.putObject(bucket, `p/${name}`, new TextEncoder().encode(name));
        assert.match(etag ?? "", /^"[0-9a-f]{32}"$/);
        const got = await lean.getObject(bucket, `p/${name}`, { ifMatch: etag });
        assert.equal(new TextDecoder().decode(got.bytes), name);
        assert.deepEqual(await getBytes(s3, bucket, `p/${name}`), new TextEncoder().encode(name));
      }
    });
    await t.step("a wrong Content-MD5 is refused (the server checks it)", async () => {
      await assert.rejects(
        lean.putObject(bucket, "bad.txt", new TextEncoder().encode("x"), {
          md5Hex: "00000000000000000000000000000000",
        }),
        (e: Error) => e.name === "BadDigest" || e.name === "InvalidDigest",
      );
    });
    await t.step("the listing pages in key order, names decoded, as the SDK lists", async () => {
      const listed = await Array.fromAsync(lean.listObjects(bucket, "p/", { pageSize: 2 }));
      const sdk = await Array.fromAsync(listObjects(s3, bucket, { prefix: "p/" }));
      assert.equal(listed.length, NAMES.length);
      assert.deepEqual(
        listed.map((o) => [o.key, o.size, o.etag, o.lastModified?.getTime()]),
        sdk.map((o) => [o.key, o.size, o.etag, o.lastModified?.getTime()]),
      );
    });
    await t.step("a GET whose If-Match fails is a one-line 412 PreconditionFailed", async () => {
      const error = await request(
        { action: `download "${bucket}/p/a.txt"`, bucket, key: "p/a.txt" },
        () => lean.getObject(bucket, "p/a.txt", { ifMatch: '"0123"' }),
      ).catch((e) => e);
      assert.ok(error instanceof S3RequestError, String(error));
      assert.equal(error.status, 412);
      assert.equal(error.code, "PreconditionFailed");
      assert.match(error.message, /^Cannot download "[^"]+\/p\/a\.txt": 412 /);
    });
    await t.step("a missing bucket is NoSuchBucket, worded as the library words it", async () => {
      const error = await request(
        { action: `list bucket "${bucket}-none"`, bucket: `${bucket}-none` },
        () => Array.fromAsync(lean.listObjects(`${bucket}-none`, "")),
      ).catch((e) => e);
      assert.ok(error instanceof S3RequestError);
      assert.equal(error.code, "NoSuchBucket");
      assert.match(error.message, /does not exist; check the name or create it/);
    });
    await t.step("a batch delete removes awkward keys", async () => {
      const refused = await lean.deleteObjects(bucket, NAMES.map((n) => `p/${n}`));
      assert.deepEqual(refused, []);
      assert.equal((await Array.fromAsync(listObjects(s3, bucket))).length, 0);
    });
    await t.step("an aborted request rejects with the signal's reason", async () => {
      const controller = new AbortController();
      controller.abort(new DOMException("Interrupted", "AbortError"));
      await assert.rejects(
        lean.putObject(bucket, "never.txt", new Uint8Array(1), { signal: controller.signal }),
        (e: Error) => e.name === "AbortError",
      );
    });
  } finally {
    await emptyBucket(s3, bucket);
    await deleteBucket(s3, bucket);
  }
}

Deno.test("the lean client's requests on the embedded server", async (t) => {
  await using s3 = await connect({ trace: false });
  await leanRequests(t, s3);
});

rgwTest("the lean client's requests", async (t, endpoint) => {
  await using s3 = await connect({
    endpoint,
    accessKeyId: DEMO.accessKeyId,
    secretAccessKey: DEMO.secretAccessKey,
    trace: false,
  });
  await leanRequests(t, s3);
});

/**
 * The requests a fixed series of library calls sends, as `METHOD path?query` lines with the
 * bucket name replaced, sorted (transfers run in parallel), seen by a proxy on the wire.
 */
async function wireOf(options: Parameters<typeof connect>[0]): Promise<string[]> {
  const { testServer } = await import("../support/server.ts");
  await using server = await testServer();
  const lines: string[] = [];
  const proxy = startProxy(server.port, {
    dropAnswerTo: (line) => {
      lines.push(line);
      return false;
    },
  });
  const dir = await Deno.makeTempDir();
  try {
    await using s3 = await connect({
      endpoint: `http://127.0.0.1:${proxy.port}`,
      accessKeyId: DEMO.accessKeyId,
      secretAccessKey: DEMO.secretAccessKey,
      ...options,
    });
    const bucket = "wire-same";
    await createBucket(s3, { name: bucket });
    await Deno.writeTextFile(`${dir}/a.txt`, "a");
    await Deno.writeTextFile(`${dir}/b.txt`, "bb");
    await syncUp(s3, dir, bucket, "up");
    await Deno.remove(`${dir}/b.txt`);
    await syncUp(s3, dir, bucket, "up", { delete: true });
    await syncDown(s3, bucket, "up", `${dir}/down`);
    await getFile(s3, bucket, "up/a.txt", `${dir}/a.copy`);
    await headObject(s3, bucket, "up/a.txt");
    for await (const _ of listObjects(s3, bucket)) { /* read every page */ }
    await emptyBucket(s3, bucket);
    await deleteBucket(s3, bucket);
  } finally {
    await proxy.close();
    await Deno.remove(dir, { recursive: true });
  }
  return lines.map((l) => l.replace(/ HTTP\/1\.1$/, "")).sort();
}

Deno.test("the same requests go on the wire with the trace on or off, debug or not", async () => {
  const traced = await wireOf({ trace: true });
  // A key's "/" goes on the wire as "/" (not %2F), on the lean path and the SDK's alike.
  assert.ok(traced.some((l) => l.startsWith("PUT /wire-same/up/a.txt")), traced.join("\n"));
  assert.ok(traced.some((l) => l.startsWith("HEAD /wire-same/up/a.txt")), traced.join("\n"));
  assert.ok(traced.every((l) => !/^\S+ [^?]*%2F/.test(l)), `a "/" sent as %2F: ${traced}`);
  assert.deepEqual(await wireOf({ trace: false }), traced, "trace off");
  assert.deepEqual(await wireOf({ trace: false, debug: true }), traced, "debug");
  assert.deepEqual(await wireOf({ trace: true, logger: SILENT }), traced, "a logger");
});

/** A sync on a traced connection: its lean requests are in the trace, with their bytes. */
async function tracedSync(s3: Connection) {
  assert.ok(leanClientOf(s3), "the lean client is there with the trace on");
  const bucket = await createBucket(s3);
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/a.txt`, "abc");
    const mark = s3.trace.entries.length;
    await syncUp(s3, dir, bucket, "");
    const rows = s3.trace.entries.slice(mark);
    assert.deepEqual(rows.map((e) => [e.source, e.operation, e.method, e.status]), [
      ["lean", "ListObjectsV2", "GET", 200],
      ["lean", "PutObject", "PUT", 200],
    ]);
    assert.equal(rows[1].bytesSent, 3);
    assert.match(rows[1].requestHeaders.authorization, /Signature=REDACTED/);
    // The listing's body was read: its size is known, also when sent chunked (RGW).
    assert.ok(rows[0].bytesReceived > 0 && !rows[0].chunked, JSON.stringify(rows[0]));
    s3.trace.enabled = false;
    await syncUp(s3, dir, bucket, "");
    assert.equal(s3.trace.entries.length, mark + 2, "nothing recorded with the trace off");
  } finally {
    await Deno.remove(dir, { recursive: true });
    await emptyBucket(s3, bucket);
    await deleteBucket(s3, bucket);
  }
}

Deno.test("a traced connection records its lean requests: a sync is in the trace", async () => {
  await using s3 = await connect();
  await tracedSync(s3);
});

rgwTest(
  "a traced connection records its lean requests on Ceph RGW (a chunked listing counted)",
  async (_t, endpoint) => {
    await using s3 = await connect({
      endpoint,
      accessKeyId: DEMO.accessKeyId,
      secretAccessKey: DEMO.secretAccessKey,
      env: { get: () => undefined },
    });
    await tracedSync(s3);
  },
);

const SILENT = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };

Deno.test("each attempt of a lean request is in the trace, retries numbered", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  await using s3 = await connect({
    endpoint: `http://127.0.0.1:${port}`,
    accessKeyId: "A",
    secretAccessKey: "B",
    maxAttempts: 2,
  });
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(syncUp(s3, dir, "some-bucket", ""), S3RequestError);
    const rows = s3.trace.entries;
    assert.deepEqual(rows.map((e) => [e.source, e.operation, e.status, e.attempt]), [
      ["lean", "ListObjectsV2", 0, 1],
      ["lean", "ListObjectsV2", 0, 2],
    ]);
    assert.match(s3.trace.view().toText(), /ListObjectsV2 \(attempt 2\)/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the lean client retries a refused connection, then fails in one line", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  await using s3 = await connect({
    endpoint: `http://127.0.0.1:${port}`,
    accessKeyId: "A",
    secretAccessKey: "B",
    trace: false,
    maxAttempts: 2,
  });
  const dir = await Deno.makeTempDir();
  try {
    const error = await syncUp(s3, dir, "some-bucket", "").catch((e) => e);
    assert.ok(error instanceof S3RequestError, String(error));
    assert.equal(error.code, "NetworkError");
    assert.equal(
      error.message,
      'Cannot list bucket "some-bucket": nothing listens there (connection refused); check the ' +
        "endpoint and that the server runs",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** A sync with the trace off, through a proxy that counts the requests. */
async function leanSync(t: Deno.TestContext, endpoint: string, keys = DEMO) {
  const target = new URL(endpoint);
  const lines: string[] = [];
  const proxy = startProxy(Number(target.port), {
    dropAnswerTo: (line) => {
      lines.push(line);
      return false;
    },
  });
  const s3 = await connect({
    endpoint: `http://127.0.0.1:${proxy.port}`,
    accessKeyId: keys.accessKeyId,
    secretAccessKey: keys.secretAccessKey,
    trace: false,
  });
  const bucket = await createBucket(s3, { prefix: "lean-sync" });
  const dir = await Deno.makeTempDir({ prefix: "lean-up-" });
  const back = await Deno.makeTempDir({ prefix: "lean-down-" });
  const methods = (from: number) => lines.slice(from).map((l) => l.split(" ")[0]);
  try {
    for (const name of NAMES) {
      await Deno.mkdir(`${dir}/${name}`.replace(/\/[^/]*$/, ""), { recursive: true });
      await Deno.writeTextFile(`${dir}/${name}`, `${name}\n`.repeat(name.length));
    }
    await t.step("up: every file, key for key and byte for byte", async () => {
      const from = lines.length;
      const summary = await syncUp(s3, dir, bucket, "b k");
      assert.deepEqual(summary.failed, []);
      assert.equal(summary.copied, NAMES.length);
      assert.equal(methods(from).filter((m) => m === "PUT").length, NAMES.length);
      for (const name of NAMES) {
        assert.deepEqual(
          await getBytes(s3, bucket, `b k/${name}`),
          await Deno.readFile(`${dir}/${name}`),
        );
      }
    });
    await t.step("a re-sync sends only the listing", async () => {
      const from = lines.length;
      const summary = await syncUp(s3, dir, bucket, "b k");
      assert.equal(summary.skipped, NAMES.length);
      assert.deepEqual([...new Set(methods(from))], ["GET"]);
      assert.ok(lines.slice(from).every((l) => l.includes("list-type=2")));
    });
    await t.step("delete: one batch request", async () => {
      await Deno.remove(`${dir}/a.txt`);
      await Deno.remove(`${dir}/plus+sign & <amp>.txt`);
      const from = lines.length;
      const summary = await syncUp(s3, dir, bucket, "b k", { delete: true });
      assert.equal(summary.deleted, 2);
      assert.deepEqual(methods(from), ["GET", "POST"]);
      const keys = (await Array.fromAsync(listObjects(s3, bucket))).map((o) => o.key);
      assert.equal(keys.length, NAMES.length - 2);
      assert.ok(!keys.includes("b k/plus+sign & <amp>.txt"));
    });
    await t.step("down: the prefix, file for file", async () => {
      const summary = await syncDown(s3, bucket, "b k", back);
      assert.deepEqual(summary.failed, []);
      assert.equal(summary.copied, NAMES.length - 2);
      for (const name of NAMES.filter((n) => n !== "a.txt" && !n.startsWith("plus"))) {
        assert.deepEqual(
          await Deno.readFile(`${back}/${name}`),
          await Deno.readFile(`${dir}/${name}`),
        );
      }
    });
  } finally {
    await emptyBucket(s3, bucket);
    await deleteBucket(s3, bucket);
    await s3.close();
    await proxy.close();
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(back, { recursive: true });
  }
}

Deno.test("a sync with the trace off takes the lean path, file for file (embedded server)", async (t) => {
  await using server = await connect();
  await leanSync(t, server.endpoint);
});

rgwTest("a sync with the trace off takes the lean path, file for file", async (t, endpoint) => {
  await leanSync(t, endpoint);
});

Deno.test("putObject through the SDK and the lean path store the same ETag", async () => {
  await using s3 = await connect({ trace: false });
  const bucket = await createBucket(s3);
  try {
    const body = new TextEncoder().encode("same bytes");
    const sdk = await putObject(s3, bucket, "sdk.txt", body);
    const lean = await leanClientOf(s3)!.putObject(bucket, "lean.txt", body);
    assert.equal(lean, sdk.etag);
  } finally {
    await emptyBucket(s3, bucket);
    await deleteBucket(s3, bucket);
  }
});

Deno.test("the lean client reports a redirect instead of following it, and times out the wait", async (t) => {
  const hits: string[] = [];
  const hang = Promise.withResolvers<void>();
  let port = 0;
  await using server: Deno.HttpServer = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (req) => {
      const url = new URL(req.url);
      hits.push(url.pathname);
      if (url.pathname.startsWith("/slow")) await hang.promise;
      if (url.pathname.startsWith("/elsewhere")) return new Response("followed");
      return new Response(
        "<Error><Code>PermanentRedirect</Code><Message>Use the other endpoint</Message></Error>",
        { status: 301, headers: { location: `http://127.0.0.1:${port}/elsewhere` } },
      );
    },
  );
  port = (server.addr as Deno.NetAddr).port;
  const lean = new LeanClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: "us-east-1",
    pathStyle: true,
    keys: { accessKeyId: "A", secretAccessKey: "B" },
    maxAttempts: 1,
    timeoutMs: 300,
  });
  await t.step("a 301 is a one-line PermanentRedirect, not followed", async () => {
    const error = await request(
      { action: 'download "moved/k"', bucket: "moved", key: "k" },
      () => lean.getObject("moved", "k"),
    ).catch((e) => e);
    assert.ok(error instanceof S3RequestError, String(error));
    assert.equal(error.status, 301);
    assert.equal(error.code, "PermanentRedirect");
    assert.deepEqual(hits, ["/moved/k"]);
  });
  await t.step("no answer within timeoutMs: a one-line timeout", async () => {
    const started = performance.now();
    const error = await request(
      { action: 'download "slow/k"', bucket: "slow", key: "k" },
      () => lean.getObject("slow", "k"),
    ).catch((e) => e);
    hang.resolve();
    assert.ok(error instanceof S3RequestError, String(error));
    assert.equal(error.code, "NetworkError");
    assert.match(error.message, /^Cannot download "slow\/k": the request timed out/);
    assert.ok(performance.now() - started < 5000);
  });
});
