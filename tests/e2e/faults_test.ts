/**
 * Faults: the server dies or the connection drops mid-upload, Ctrl-C hits the tour, the server
 * throttles or fails with 5xx, a `--data` server is SIGKILLed while writing, and many clients
 * write one key at once. Each must end clean: a clear error, no partial object, no torn object,
 * nothing left behind.
 */

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import {
  connect,
  deleteBucket,
  emptyBucket,
  putFile,
  putObject,
  S3RequestError,
} from "../../lib/mod.ts";
import { DEMO_USERS } from "../../server/demo_users.ts";
import { s3Client, testServer } from "../support/server.ts";
import { spawnDeno, taskArgs } from "../support/commands.ts";
import { assertGoodMessage } from "../support/messages.ts";
import { prng } from "../support/prng.ts";
import { startProxy } from "../support/proxy.ts";
import { RawClient } from "../support/raw_http.ts";
import { spawnServer } from "../support/server_process.ts";

const DEMO = DEMO_USERS[0];
const MiB = 1024 * 1024;
const NO_ENV = { get: (_: string) => undefined };
const decoder = new TextDecoder();

function keysFor(url: string, maxAttempts = 1) {
  return {
    endpoint: url,
    accessKeyId: DEMO.accessKeyId,
    secretAccessKey: DEMO.secretAccessKey,
    maxAttempts,
    env: NO_ENV,
  };
}

/** The connection flags of `deno task tour` and `deno task cp` for a server on 127.0.0.1. */
function connectionFlags(port: number): string[] {
  return [
    "--endpoint",
    `http://127.0.0.1:${port}`,
    "--access-key",
    DEMO.accessKeyId,
    "--secret-key",
    DEMO.secretAccessKey,
  ];
}

async function uploads(client: S3Client, bucket: string): Promise<string[]> {
  const out = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
  return (out.Uploads ?? []).map((u) => `${u.Key}#${u.UploadId}`);
}

async function keys(client: S3Client, bucket: string): Promise<string[]> {
  const out = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
  return (out.Contents ?? []).map((o) => o.Key!).sort();
}

async function status(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
    return 200;
  } catch (error) {
    return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 0;
  }
}

/** A body that proves its own integrity: a header naming it, then bytes derived from it. */
function versionBody(name: string, size: number): Uint8Array {
  const header = new TextEncoder().encode(`${name};${size}\n`);
  const out = new Uint8Array(size);
  out.set(header.subarray(0, size));
  const next = prng(createHash("sha256").update(name).digest().readUInt32LE(0));
  const words = new Uint32Array(Math.ceil((size - header.length) / 4));
  for (let i = 0; i < words.length; i++) words[i] = next() * 4294967296;
  out.set(new Uint8Array(words.buffer).subarray(0, size - header.length), header.length);
  return out;
}

/** The version a body claims to be, when it is complete and intact. */
function checkBody(body: Uint8Array): string | undefined {
  const newline = body.indexOf(10);
  if (newline < 0) return undefined;
  const [name, size] = decoder.decode(body.subarray(0, newline)).split(";");
  if (Number(size) !== body.length) return undefined;
  const expected = versionBody(name, Number(size));
  return expected.every((b, i) => body[i] === b) ? name : undefined;
}

Deno.test("faults: a connection cut mid-upload fails clearly and the multipart upload is aborted", async () => {
  await using server = await testServer();
  const sdk = s3Client(server.url);
  const dir = await Deno.makeTempDir({ prefix: "faults-" });
  let cut = false;
  const proxy = startProxy(server.port, {
    onUp: (total) => {
      if (!cut && total > 12 * MiB) {
        cut = true;
        queueMicrotask(() => proxy.dropAll());
      }
    },
  });
  try {
    await sdk.send(new CreateBucketCommand({ Bucket: "cut-upload" }));
    const file = `${dir}/big.bin`;
    await Deno.writeFile(file, new Uint8Array(40 * MiB).fill(1));
    await using s3 = await connect(keysFor(`http://127.0.0.1:${proxy.port}`));
    const error = await putFile(s3, "cut-upload", "big.bin", file, {
      multipartThreshold: 5 * MiB,
      partSize: 5 * MiB,
      concurrency: 2,
    }).then(() => undefined, (e) => e as Error);
    assert.ok(cut, "The proxy never cut the upload");
    assert.ok(error, "The upload succeeded although its connections were cut");
    assert.equal(
      await status(sdk.send(new HeadObjectCommand({ Bucket: "cut-upload", Key: "big.bin" }))),
      404,
    );
    assert.deepEqual(await uploads(sdk, "cut-upload"), [], "The multipart upload was not aborted");
    assert.ok(error instanceof S3RequestError, `${error.constructor.name}: ${error.message}`);
    assert.equal(error.code, "NetworkError", error.message);
    assert.equal(error.status, 0);
    assertGoodMessage(error.message, "cut upload");
  } finally {
    await proxy.close();
    sdk.destroy();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("faults: a --data server killed mid-upload gives a clear error and no partial object", async () => {
  const dir = await Deno.makeTempDir({ prefix: "faults-kill-" });
  const data = `${dir}/data`;
  const file = `${dir}/big.bin`;
  await Deno.writeFile(file, new Uint8Array(48 * MiB).fill(2));
  let server = await spawnServer(["--data", data]);
  try {
    const sdk = s3Client(server.url);
    await sdk.send(new CreateBucketCommand({ Bucket: "killed-upload" }));
    sdk.destroy();
    await using s3 = await connect(keysFor(server.url));
    let killing: Promise<unknown> | undefined;
    const started = performance.now();
    const error = await putFile(s3, "killed-upload", "big.bin", file, {
      multipartThreshold: 5 * MiB,
      partSize: 5 * MiB,
      concurrency: 2,
      onProgress: ({ loaded }) => {
        if (!killing && loaded > 15 * MiB) killing = server.kill("SIGKILL");
      },
    }).then(() => undefined, (e) => e as Error);
    await killing;
    const seconds = (performance.now() - started) / 1000;
    assert.ok(killing, "The server was never killed");
    assert.ok(error, "The upload succeeded although the server was killed");
    assert.ok(error instanceof S3RequestError, `${error.constructor.name}: ${error.message}`);
    assert.equal(error.code, "NetworkError", error.message);
    assertGoodMessage(error.message, "killed server");
    assert.ok(seconds < 30, `The failure took ${seconds.toFixed(1)} s to surface`);

    server = await spawnServer(["--data", data]);
    const after = s3Client(server.url);
    try {
      assert.equal(
        await status(
          after.send(new HeadObjectCommand({ Bucket: "killed-upload", Key: "big.bin" })),
        ),
        404,
        "A partial object is visible after the restart",
      );
      assert.deepEqual(await keys(after, "killed-upload"), []);
      // The client could not abort on a dead server; the unfinished upload is listed (as S3 does)
      // and the lib's cleanup aborts it, freeing every part on disk.
      await using s3b = await connect(keysFor(server.url));
      await emptyBucket(s3b, "killed-upload");
      assert.deepEqual(await uploads(after, "killed-upload"), []);
      await deleteBucket(s3b, "killed-upload");
      const blobs = [...Deno.readDirSync(`${data}/blobs`)].map((e) => e.name);
      assert.deepEqual(blobs, [], "Parts of the killed upload are still on disk");
    } finally {
      after.destroy();
    }
  } finally {
    await server.kill();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("faults: Ctrl-C during the tour runs the cleanup and exits 130", async () => {
  await using server = await testServer();
  const sdk = s3Client(server.url);
  // A slow link, so the tour is still running when Ctrl-C comes.
  const proxy = startProxy(server.port, { delayMs: 150 });
  const child = spawnDeno([...taskArgs("tour"), ...connectionFlags(proxy.port)]);
  let stderr = "";
  const stderrDone = (async () => {
    for await (const chunk of child.stderr) stderr += decoder.decode(chunk);
  })();
  try {
    // Read stdout as it comes; press Ctrl-C once the tour's bucket holds its picture.
    let stdout = "";
    const stdoutDone = (async () => {
      for await (const chunk of child.stdout) stdout += decoder.decode(chunk);
    })();
    const deadline = Date.now() + 60_000;
    while (true) {
      assert.ok(Date.now() < deadline, `The tour never uploaded its picture: ${stderr}`);
      const { Buckets } = await sdk.send(new ListBucketsCommand({}));
      if (Buckets?.length === 1 && (await keys(sdk, Buckets[0].Name!)).length > 0) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    child.kill("SIGINT");
    const exit = await child.status;
    await stdoutDone;
    await stderrDone;
    assert.equal(exit.code, 130, `Exit code ${exit.code}\n${stdout}\n${stderr}`);
    assert.match(stderr, /Interrupted/);
    assert.match(stdout + stderr, /deleted bucket "demo-/i, "The cleanup did not report");
    assert.doesNotMatch(stdout, /Tour complete/);
    const after = await sdk.send(new ListBucketsCommand({}));
    assert.deepEqual(after.Buckets ?? [], [], "The tour's bucket is still there after Ctrl-C");
  } finally {
    try {
      child.kill("SIGKILL");
    } catch {
      // exited
    }
    await child.status;
    await stderrDone;
    await proxy.close();
    sdk.destroy();
  }
});

Deno.test("faults: Ctrl-C during deno task cp aborts the multipart upload and exits 130", async () => {
  await using server = await testServer();
  const sdk = s3Client(server.url);
  const proxy = startProxy(server.port, { delayMs: 20 });
  const dir = await Deno.makeTempDir({ prefix: "faults-cp-" });
  try {
    await sdk.send(new CreateBucketCommand({ Bucket: "cp-interrupted" }));
    const file = `${dir}/big.bin`;
    await Deno.writeFile(file, new Uint8Array(64 * MiB).fill(4));
    const child = spawnDeno([
      ...taskArgs("cp"),
      ...connectionFlags(proxy.port),
      "--part-size",
      "5",
      "--quiet",
      file,
      "s3://cp-interrupted/big.bin",
    ]);
    const output = child.output();
    // Wait until the multipart upload exists and parts are flowing, then press Ctrl-C.
    const deadline = Date.now() + 30_000;
    while ((await uploads(sdk, "cp-interrupted")).length === 0 || proxy.bytesUp < 12 * MiB) {
      assert.ok(Date.now() < deadline, "deno task cp never started its multipart upload");
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill("SIGINT");
    const result = await output;
    const stderr = decoder.decode(result.stderr);
    assert.equal(result.code, 130, `Exit code ${result.code}: ${stderr}`);
    assert.deepEqual(
      await uploads(sdk, "cp-interrupted"),
      [],
      "The interrupted multipart upload was left on the server",
    );
    assert.equal(
      await status(sdk.send(new HeadObjectCommand({ Bucket: "cp-interrupted", Key: "big.bin" }))),
      404,
    );
    const line = stderr.split("\n").find((l) => l.trim() !== "") ?? "";
    assertGoodMessage(line, "interrupted cp");
  } finally {
    await proxy.close();
    sdk.destroy();
    await Deno.remove(dir, { recursive: true });
  }
});

/**
 * A front server that answers the first `failures` requests with an error, then forwards to the
 * real server over a raw connection (keeping the Host header the client signed).
 */
function flakyFront(targetPort: number, failures: number, status: number, code: string) {
  const arrivals: number[] = [];
  const backend = new RawClient("127.0.0.1", targetPort);
  let queue = Promise.resolve();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    arrivals.push(performance.now());
    const body = new Uint8Array(await req.arrayBuffer());
    if (arrivals.length <= failures) {
      return new Response(
        `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>Injected</Message></Error>`,
        { status, headers: { "content-type": "application/xml" } },
      );
    }
    const url = new URL(req.url);
    const headers: Array<[string, string]> = [];
    req.headers.forEach((v, k) => headers.push([k, v]));
    const forward = queue.then(() =>
      backend.send({ method: req.method, target: url.pathname + url.search, headers, body })
    );
    queue = forward.then(() => {}, () => {});
    const res = await forward;
    const out = new Headers(res.headers);
    out.delete("transfer-encoding");
    out.delete("connection");
    out.delete("content-length");
    return new Response(req.method === "HEAD" ? null : new Uint8Array(res.body), {
      status: res.status,
      headers: out,
    });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    arrivals,
    async close() {
      backend.close();
      await server.shutdown();
    },
  };
}

for (const [status, code] of [[503, "SlowDown"], [500, "InternalError"]] as const) {
  Deno.test(`faults: ${status} ${code} is retried with backoff, each attempt in the trace`, async () => {
    await using server = await testServer();
    const sdk = s3Client(server.url);
    await sdk.send(new CreateBucketCommand({ Bucket: "flaky" }));
    const front = flakyFront(server.port, 2, status, code);
    try {
      await using s3 = await connect(keysFor(front.url, 3));
      await putObject(s3, "flaky", "note.txt", "retried");
      const entries = s3.trace.entries.filter((e) => e.operation === "PutObject");
      assert.deepEqual(
        entries.map((e) => e.status),
        [status, status, 200],
        "Each attempt is traced",
      );
      assert.deepEqual(entries.slice(0, 2).map((e) => e.code), [code, code]);
      // Each retry says which attempt it is (the SDK's amz-sdk-request header, or the text).
      const text = s3.trace.view().toText(false);
      for (const [i, e] of entries.entries()) {
        const attempt = `attempt=${i + 1}`;
        assert.ok(
          (e.requestHeaders["amz-sdk-request"] ?? "").includes(attempt) ||
            text.includes(`attempt ${i + 1}`),
          `Exchange ${e.seq} does not show it is attempt ${i + 1}:\n${text}`,
        );
      }
      const gaps = front.arrivals.slice(1).map((t, i) => Math.round(t - front.arrivals[i]));
      console.log(
        `${status} ${code}: attempts ${front.arrivals.length}, backoff gaps ${gaps.join(", ")} ms`,
      );
      assert.equal(front.arrivals.length, 3);
      const body =
        await (await sdk.send(new GetObjectCommand({ Bucket: "flaky", Key: "note.txt" })))
          .Body!.transformToString();
      assert.equal(body, "retried");
    } finally {
      await front.close();
      sdk.destroy();
    }
  });
}

Deno.test("faults: throttling that outlasts the retries ends in a clear SlowDown error", async () => {
  await using server = await testServer();
  const sdk = s3Client(server.url);
  await sdk.send(new CreateBucketCommand({ Bucket: "flaky" }));
  const front = flakyFront(server.port, 100, 503, "SlowDown");
  try {
    await using s3 = await connect(keysFor(front.url, 3));
    const error = await putObject(s3, "flaky", "note.txt", "x").then(() => undefined, (e) => e);
    assert.ok(error instanceof S3RequestError, String(error));
    assert.equal(error.code, "SlowDown");
    assert.equal(error.status, 503);
    assertGoodMessage(error.message, "throttled");
    assert.equal(front.arrivals.length, 3, "maxAttempts 3 means three requests");
    assert.deepEqual(await keys(sdk, "flaky"), []);
  } finally {
    await front.close();
    sdk.destroy();
  }
});

Deno.test("faults: a --data server SIGKILLed during writes restarts with no torn object", async () => {
  const dir = await Deno.makeTempDir({ prefix: "faults-torn-" });
  const data = `${dir}/data`;
  let server = await spawnServer(["--data", data]);
  const rand = prng(0x70a7);
  const acked = new Map<string, string>();
  const sent = new Map<string, Set<string>>();
  try {
    const setup = s3Client(server.url);
    await setup.send(new CreateBucketCommand({ Bucket: "torn" }));
    setup.destroy();
    const writers = Array.from({ length: 6 }, () => s3Client(server.url));
    let killed = false;
    let version = 0;
    const write = async (client: S3Client, key: string) => {
      const name = `${key}@${version++}`;
      const body = versionBody(name, 1024 + Math.floor(rand() * 2 * MiB));
      if (!sent.has(key)) sent.set(key, new Set());
      sent.get(key)!.add(name);
      try {
        await client.send(new PutObjectCommand({ Bucket: "torn", Key: key, Body: body }));
        if (!killed) acked.set(key, name);
      } catch {
        // the server died under it
      }
    };
    const loops = writers.map(async (client, w) => {
      for (let i = 0; !killed; i++) {
        await write(client, i % 3 === 0 ? "hot" : `w${w}/k${i}`);
      }
    });
    // Let writes pile up, then kill while several are in flight.
    const deadline = Date.now() + 60_000;
    while (acked.size < 60) {
      assert.ok(Date.now() < deadline, `Only ${acked.size} writes acknowledged in 60 s`);
      await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => setTimeout(r, 50 + Math.floor(rand() * 200)));
    killed = true;
    await server.kill("SIGKILL");
    await Promise.all(loops);
    writers.forEach((c) => c.destroy());

    server = await spawnServer(["--data", data]);
    const reader = s3Client(server.url);
    try {
      const listed = await keys(reader, "torn");
      let checked = 0;
      for (const key of listed) {
        const out = await reader.send(new GetObjectCommand({ Bucket: "torn", Key: key }));
        const body = await out.Body!.transformToByteArray();
        const name = checkBody(body);
        assert.ok(name, `Object "${key}" is torn (${body.length} bytes)`);
        assert.ok(sent.get(key)?.has(name), `Object "${key}" holds "${name}", never written to it`);
        const md5 = createHash("md5").update(body).digest("hex");
        assert.equal(out.ETag, `"${md5}"`, `Object "${key}" has an ETag that is not its MD5`);
        checked++;
      }
      for (const [key] of acked) {
        assert.ok(listed.includes(key), `Acknowledged object "${key}" is gone after the restart`);
      }
      const tmp = [...Deno.readDirSync(`${data}/tmp`)];
      assert.deepEqual(tmp, [], "Temporary files survived the restart");
      console.log(
        `SIGKILL during writes: ${version} PUTs sent, ${acked.size} keys acknowledged, ` +
          `${checked} objects intact after restart`,
      );
    } finally {
      reader.destroy();
    }
  } finally {
    await server.kill();
    await Deno.remove(dir, { recursive: true });
  }
});

for (const storage of ["memory", "disk"] as const) {
  Deno.test(`faults: concurrent writes to one key never produce a torn object (${storage})`, async () => {
    const dir = storage === "disk" ? await Deno.makeTempDir({ prefix: "faults-race-" }) : undefined;
    try {
      await using server = await testServer({ dataDir: dir });
      const clients = Array.from({ length: 8 }, () => s3Client(server.url));
      await clients[0].send(new CreateBucketCommand({ Bucket: "race" }));
      const written = new Set<string>();
      let writing = true;
      let reads = 0;
      const writers = clients.slice(0, 6).map(async (client, w) => {
        for (let round = 0; round < 6; round++) {
          const name = `w${w}r${round}`;
          written.add(name);
          await client.send(
            new PutObjectCommand({
              Bucket: "race",
              Key: "contested",
              Body: versionBody(name, 256 * 1024 + w * 4096 + round),
            }),
          );
        }
      });
      const readers = clients.slice(6).map(async (client) => {
        while (writing) {
          try {
            const out = await client.send(
              new GetObjectCommand({ Bucket: "race", Key: "contested" }),
            );
            const body = await out.Body!.transformToByteArray();
            const name = checkBody(body);
            assert.ok(name && written.has(name), `A read saw a torn body (${body.length} bytes)`);
            const md5 = createHash("md5").update(body).digest("hex");
            assert.equal(out.ETag, `"${md5}"`, "The ETag does not match the body read");
            reads++;
          } catch (error) {
            if ((error as { name?: string }).name !== "NoSuchKey") throw error;
          }
        }
      });
      await Promise.all(writers);
      writing = false;
      await Promise.all(readers);
      const out = await clients[0].send(new GetObjectCommand({ Bucket: "race", Key: "contested" }));
      const final = checkBody(await out.Body!.transformToByteArray());
      assert.ok(final && written.has(final), "The final object is torn");
      assert.ok(reads > 0, "No read overlapped the writes");
      clients.forEach((c) => c.destroy());
    } finally {
      if (dir) await Deno.remove(dir, { recursive: true });
    }
  });
}
