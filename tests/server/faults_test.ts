/**
 * The fault switch (`startServer({ faults })`, `deno task server --faults`, `connect({ faults })`):
 * each kind answers as it says on raw requests, a seeded share repeats exactly, a dropped upload
 * stores nothing, a delay outlasts a client's timeout, and the clients that retry (the AWS SDK
 * through the library, boto3, `deno task sync`) come through every kind with the attempts in the
 * trace and nothing partial left behind.
 */

import assert from "node:assert/strict";
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from "@aws-sdk/client-s3";
import {
  connect,
  createBucket,
  deleteBucket,
  emptyBucket,
  getText,
  listObjects,
  putObject,
} from "../../lib/mod.ts";
import { DEMO_USERS } from "../../server/demo_users.ts";
import { parseFaults } from "../../server/faults.ts";
import { s3Client, s3Failure, serverTaskArgs, testServer } from "../support/server.ts";
import { runDeno, taskArgs } from "../support/commands.ts";
import { engineCommand, engineTest } from "../support/engines.ts";

const DEMO = DEMO_USERS[0];
const HERE = new URL(".", import.meta.url).pathname;

/** Creates a bucket with the SDK (no faults are set on CreateBucket in these tests). */
async function bucketOn(url: string, name: string): Promise<void> {
  const client = s3Client(url);
  await client.send(new CreateBucketCommand({ Bucket: name }));
  client.destroy();
}

Deno.test("parseFaults() reads every kind and refuses what does not read", () => {
  assert.deepEqual(
    parseFaults("slowdown@PutObject:2, error:10%, drop, delay=1.5@HeadObject,seed=9"),
    {
      rules: [
        { kind: "slowdown", operation: "PutObject", count: 2 },
        { kind: "error", percent: 10 },
        { kind: "drop", count: 1 },
        { kind: "delay", seconds: 1.5, operation: "HeadObject", count: 1 },
      ],
      seed: 9,
    },
  );
  assert.throws(() => parseFaults("slowdown@PutObject:x"), /Cannot read fault rule/);
  assert.throws(() => parseFaults("delay@GetObject"), /a delay needs its seconds/);
  assert.throws(() => parseFaults("error=3"), /only a delay takes/);
  assert.throws(() => parseFaults("error:150%"), /at most 100%/);
});

Deno.test("slowdown and error answer 503 SlowDown and 500 InternalError, then the rule is spent", async () => {
  await using server = await testServer({ faults: "slowdown@PutObject:2,error@GetObject:1" });
  await bucketOn(server.url, "faulty");
  const client = s3Client(server.url); // maxAttempts 1: every answer is seen
  const put = () => client.send(new PutObjectCommand({ Bucket: "faulty", Key: "k", Body: "hi" }));
  assert.deepEqual(await s3Failure(put()), { status: 503, code: "SlowDown" });
  assert.deepEqual(await s3Failure(put()), { status: 503, code: "SlowDown" });
  await put();
  const get = () => client.send(new GetObjectCommand({ Bucket: "faulty", Key: "k" }));
  assert.deepEqual(await s3Failure(get()), { status: 500, code: "InternalError" });
  assert.equal(await (await get()).Body!.transformToString(), "hi");
  client.destroy();
});

Deno.test("a share of requests fails the same way for the same seed, another way for another", async () => {
  const statuses = async (spec: string) => {
    await using server = await testServer({ faults: spec });
    const out: number[] = [];
    for (let i = 0; i < 40; i++) {
      const response = await fetch(server.url); // anonymous ListBuckets
      await response.body?.cancel();
      out.push(response.status);
    }
    return out.join(",");
  };
  const first = await statuses("error:30%,seed=5");
  assert.equal(await statuses("error:30%,seed=5"), first);
  assert.notEqual(await statuses("error:30%,seed=6"), first);
  const failed = first.split(",").filter((s) => s === "500").length;
  assert.ok(failed > 3 && failed < 25, `about 30% of 40 requests failed, got ${failed}`);
});

Deno.test("drop cuts a download mid-body and an upload before it is stored", async () => {
  await using server = await testServer({ faults: "drop@GetObject:1,drop@PutObject:1" });
  await bucketOn(server.url, "dropped");
  const client = s3Client(server.url);
  const put = (body: string) =>
    client.send(new PutObjectCommand({ Bucket: "dropped", Key: "k", Body: body }));
  await assert.rejects(put("first, dropped"));
  const head = client.send(new HeadObjectCommand({ Bucket: "dropped", Key: "k" }));
  assert.equal((await s3Failure(head)).status, 404, "the dropped upload stored nothing");
  const get = () => client.send(new GetObjectCommand({ Bucket: "dropped", Key: "k" }));
  const big = "x".repeat(300_000);
  await put(big);
  await assert.rejects(async () => {
    const answer = await get();
    await answer.Body!.transformToByteArray(); // half the body, then the connection goes
  });
  assert.equal((await (await get()).Body!.transformToString()).length, big.length);
  client.destroy();
});

Deno.test("delay outlasts a client's timeout, and a closing server does not wait it out", async () => {
  const server = await testServer({ faults: "delay=30@HeadObject:1" });
  await using s3 = await connect({
    endpoint: server.url,
    accessKeyId: DEMO.accessKeyId,
    secretAccessKey: DEMO.secretAccessKey,
    env: { get: () => undefined },
    timeoutMs: 1000,
    maxAttempts: 1,
  });
  const bucket = await createBucket(s3, { prefix: "delay" });
  await putObject(s3, bucket, "k", "x");
  const started = performance.now();
  const head = fetch(`${server.url}/${bucket}/k`, { method: "HEAD" }).catch((e) => e);
  await new Promise((resolve) => setTimeout(resolve, 500));
  await server.close(); // ends the 30 s hold at once
  await head;
  assert.ok(performance.now() - started < 10_000, "close() did not wait for the delay");
});

Deno.test("the library's SDK client retries 503 SlowDown and 500, every attempt in the trace", async () => {
  await using s3 = await connect({ faults: "slowdown@PutObject:2,error@GetObject:1" });
  const bucket = await createBucket(s3, { prefix: "retries" });
  const mark = s3.trace.entries.length;
  await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: "k", Body: "kept" }));
  assert.equal(await getText(s3, bucket, "k"), "kept");
  const rows = s3.trace.entries.slice(mark).map((e) =>
    `${e.operation} ${e.status} ${e.code ?? ""}`
  );
  assert.deepEqual(rows, [
    "PutObject 503 SlowDown",
    "PutObject 503 SlowDown",
    "PutObject 200 ",
    "GetObject 500 InternalError",
    "GetObject 200 ",
  ]);
  await emptyBucket(s3, bucket);
  await deleteBucket(s3, bucket);
});

Deno.test("the library's SDK client gives up on a held request at its timeout and retries it", async () => {
  await using s3 = await connect({ faults: "delay=5@GetObject:1", timeoutMs: 1000 });
  const bucket = await createBucket(s3, { prefix: "timeouts" });
  await putObject(s3, bucket, "k", "patience");
  const mark = s3.trace.entries.length;
  assert.equal(await getText(s3, bucket, "k"), "patience");
  const rows = s3.trace.entries.slice(mark);
  assert.equal(rows.length, 2, "one attempt timed out, the next was answered");
  assert.ok(rows[0].ms >= 900 && rows[0].status !== 200, `first attempt: ${rows[0].status}`);
  assert.equal(rows[1].status, 200);
  await emptyBucket(s3, bucket);
  await deleteBucket(s3, bucket);
});

Deno.test("connect() refuses faults for anything but the embedded server", async () => {
  await assert.rejects(
    connect({ endpoint: "http://127.0.0.1:9", faults: "error", env: { get: () => undefined } }),
    /Cannot inject faults "error" into a endpoint|faults are the embedded server's/,
  );
});

Deno.test("deno task sync comes through every fault kind: all files, nothing partial", async () => {
  await using server = await testServer({
    faults: "slowdown@PutObject:2,error@PutObject:1,drop@PutObject:1,drop@ListObjects:1",
  });
  await using s3 = await connect({
    endpoint: server.url,
    accessKeyId: DEMO.accessKeyId,
    secretAccessKey: DEMO.secretAccessKey,
    env: { get: () => undefined },
  });
  const bucket = await createBucket(s3, { prefix: "sync-faults" });
  const dir = await Deno.makeTempDir();
  try {
    for (let i = 0; i < 12; i++) await Deno.writeTextFile(`${dir}/f${i}.txt`, `file ${i}\n`);
    const out = await runDeno([
      ...taskArgs("sync"),
      "--endpoint",
      server.url,
      dir,
      `s3://${bucket}/up`,
    ], {
      timeoutMs: 60_000,
      env: { AWS_ACCESS_KEY_ID: DEMO.accessKeyId, AWS_SECRET_ACCESS_KEY: DEMO.secretAccessKey },
    });
    assert.equal(out.code, 0, out.stderr);
    const keys: string[] = [];
    for await (const o of listObjects(s3, bucket, { prefix: "up/" })) keys.push(o.key);
    assert.equal(keys.length, 12);
    for (let i = 0; i < 12; i++) {
      assert.equal(await getText(s3, bucket, `up/f${i}.txt`), `file ${i}\n`);
    }
    // The rules were spent by the sync (a fresh request with no retries now goes through).
    const client = s3Client(server.url);
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: "after", Body: "x" }));
    await client.send(new ListObjectsV2Command({ Bucket: bucket }));
    client.destroy();
  } finally {
    await Deno.remove(dir, { recursive: true });
    await emptyBucket(s3, bucket);
    await deleteBucket(s3, bucket);
  }
});

engineTest("boto3", "boto3 comes through 503, 500 and a dropped connection", async () => {
  await using server = await testServer({
    faults:
      "slowdown@UploadPart:1,error@CompleteMultipartUpload:1,drop@HeadObject:1,slowdown@GetObject:1",
  });
  await bucketOn(server.url, "boto-faults");
  const out = await engineCommand("boto3", {
    args: [`${HERE}../clients/boto3_retry_driver.py`],
    env: {
      S3_ENDPOINT: server.url,
      S3_ACCESS_KEY_ID: DEMO.accessKeyId,
      S3_SECRET_ACCESS_KEY: DEMO.secretAccessKey,
      S3_BUCKET: "boto-faults",
      S3_KEY: "six-mib.bin",
      HOME: "/nonexistent",
    },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const result = JSON.parse(new TextDecoder().decode(out.stdout));
  assert.equal(result.size, 6 * 1024 * 1024);
  assert.equal(result.body_ok, true);
  assert.equal(result.open_uploads, 0);
});

Deno.test("deno task server --faults logs each fault and refuses a spec that does not read", async () => {
  const bad = await runDeno([...serverTaskArgs(["--port", "0", "--faults", "slow"])], {
    timeoutMs: 30_000,
  });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /Cannot read fault rule "slow"/);
  assert.doesNotMatch(bad.stderr, /\n\s+at /, "one line, no stack trace");
});
