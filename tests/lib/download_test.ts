/**
 * The ranged download (`lib/_download.ts`) through each client that can send its GETs: the SDK's
 * (with the split handler `connect()` uses, and with the SDK's default Node handler) and the lean
 * one (`lib/_lean.ts`, which `deno task cp` uses without loading the SDK).
 */

import assert from "node:assert/strict";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { SplitHttpHandler } from "../../lib/_http.ts";
import { downloadFile, downloadInRanges, type RangeGetter } from "../../lib/_download.ts";
import { LeanClient } from "../../lib/_lean.ts";
import { sdkRangeGetter } from "../../lib/_transfer.ts";
import { RGW } from "../../lib/clusters.ts";
import { connect } from "../../lib/connect.ts";
import { createBucket } from "../../lib/buckets.ts";
import { DEMO_USERS } from "../../server/demo_users.ts";
import { md5Hex, randomBytes } from "../support/bytes.ts";

const MiB = 1024 * 1024;
const KEYS = {
  accessKeyId: DEMO_USERS[0].accessKeyId,
  secretAccessKey: DEMO_USERS[0].secretAccessKey,
};
const CLIENTS = ["sdk split", "sdk node", "lean"] as const;
type ClientName = typeof CLIENTS[number];

/** The embedded server, a bucket, a scratch directory. */
async function setup() {
  const s3 = await connect({ trace: false });
  const bucket = await createBucket(s3, { prefix: "download" });
  const dir = await Deno.makeTempDir();
  const put = (key: string, body: Uint8Array) =>
    s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  return {
    s3,
    bucket,
    dir,
    put,
    async [Symbol.asyncDispose]() {
      await s3.close(); // in memory: the bucket goes with the server
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/**
 * A getter through the named client, and how to release it. `beforeRange` runs before each GET
 * (the test's hook to change the object midway).
 */
function getterFor(
  name: ClientName,
  endpoint: string,
  beforeRange: (ifMatch?: string) => Promise<void> = async () => {},
): { getRange: RangeGetter; close(): void } {
  let inner: RangeGetter;
  let close = () => {};
  if (name === "lean") {
    const lean = new LeanClient({ endpoint, region: "us-east-1", pathStyle: true, keys: KEYS });
    inner = (request) => lean.getRange(request);
  } else {
    const client = new S3Client({
      endpoint,
      region: "us-east-1",
      forcePathStyle: true,
      credentials: KEYS,
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
      ...(name === "sdk split" ? { requestHandler: new SplitHttpHandler() } : {}),
    });
    inner = sdkRangeGetter(client);
    close = () => client.destroy();
  }
  return {
    getRange: async (request) => {
      await beforeRange(request.ifMatch);
      return await inner(request);
    },
    close,
  };
}

Deno.test("downloadInRanges() writes every range where it belongs", async (t) => {
  await using env = await setup();
  const { s3, bucket, dir, put } = env;
  for (const name of CLIENTS) {
    const { getRange, close } = getterFor(name, s3.endpoint);
    for (const size of [0, 1, MiB - 1, 7 * MiB + 3]) {
      await t.step(`${size} bytes (${name})`, async () => {
        const data = randomBytes(size);
        await put(`k${size}`, data);
        const seen: number[] = [];
        const out = await downloadInRanges(getRange, { bucket, key: `k${size}` }, `${dir}/d`, {
          minRange: MiB,
          concurrency: 3,
          onProgress: (p) => seen.push(p.loaded),
        });
        assert.equal(out.size, size);
        assert.equal(md5Hex(await Deno.readFile(`${dir}/d`)), md5Hex(data));
        if (size > 0) assert.equal(seen.at(-1), size);
      });
    }
    close();
  }
});

Deno.test("downloadInRanges() reports progress as each range ends, piped or not", async (t) => {
  await using env = await setup();
  const { s3, bucket, dir, put } = env;
  const size = 5 * MiB + 1;
  const data = randomBytes(size);
  await put("progress", data);
  for (const name of CLIENTS) {
    await t.step(name, async () => {
      const { getRange, close } = getterFor(name, s3.endpoint);
      const seen: number[] = [];
      await downloadInRanges(getRange, { bucket, key: "progress" }, `${dir}/p`, {
        minRange: MiB,
        maxRange: MiB,
        concurrency: 2,
        onProgress: (p) => seen.push(p.loaded),
      });
      close();
      assert.equal(md5Hex(await Deno.readFile(`${dir}/p`)), md5Hex(data));
      assert.ok(seen.length >= 6, `6 ranges, ${seen.length} progress calls`);
      assert.ok(seen.every((n, i) => i === 0 || n > seen[i - 1]), `increasing: ${seen}`);
      assert.equal(seen.at(-1), size);
    });
  }
});

Deno.test("downloadInRanges() writes a body that is a JavaScript stream, not fetch's own", async (t) => {
  // The lean client hands over such a body when it counts a response's bytes for the trace, and a
  // custom getter may too. Piped into a file handle kept open (`preventClose`), Deno 2.9 wrote none
  // of its bytes: the download "succeeded" with an empty file.
  await using env = await setup();
  const { s3, bucket, dir, put } = env;
  for (const size of [1, 3 * MiB + 5]) {
    await t.step(`${size} bytes`, async () => {
      const data = randomBytes(size);
      await put(`js${size}`, data);
      const { getRange, close } = getterFor("lean", s3.endpoint);
      const wrapped: RangeGetter = async (request) => {
        const answer = await getRange(request);
        const body = (answer.body as ReadableStream<Uint8Array>).pipeThrough(new TransformStream());
        return { ...answer, body };
      };
      for (const onProgress of [undefined, () => {}]) {
        const out = await downloadInRanges(wrapped, { bucket, key: `js${size}` }, `${dir}/js`, {
          minRange: MiB,
          concurrency: 2,
          onProgress,
        });
        assert.equal(out.size, size);
        assert.equal(md5Hex(await Deno.readFile(`${dir}/js`)), md5Hex(data));
      }
      close();
    });
  }
});

Deno.test("downloadInRanges() leaves an existing file alone when the object is missing", async (t) => {
  await using env = await setup();
  const { s3, bucket, dir } = env;
  await Deno.writeTextFile(`${dir}/keep.txt`, "precious");
  for (const name of CLIENTS) {
    await t.step(name, async () => {
      const { getRange, close } = getterFor(name, s3.endpoint);
      await assert.rejects(
        downloadInRanges(getRange, { bucket, key: "nope" }, `${dir}/keep.txt`),
        (e: Error) => e.name === "NoSuchKey",
      );
      close();
      assert.equal(await Deno.readTextFile(`${dir}/keep.txt`), "precious");
    });
  }
});

Deno.test("downloadInRanges() fails on an overwrite midway and leaves no partial file", async (t) => {
  await using env = await setup();
  const { s3, bucket, dir, put } = env;
  for (const name of CLIENTS) {
    await t.step(name, async () => {
      await put("moving", randomBytes(4 * MiB));
      // The object is overwritten just before the second range (the first one pinned by ETag).
      let overwritten = false;
      const { getRange, close } = getterFor(name, s3.endpoint, async (ifMatch) => {
        if (ifMatch && !overwritten) {
          overwritten = true;
          await put("moving", randomBytes(4 * MiB));
        }
      });
      await assert.rejects(
        downloadInRanges(getRange, { bucket, key: "moving" }, `${dir}/moving`, {
          minRange: MiB,
          concurrency: 1,
        }),
        (e: Error & { $metadata?: { httpStatusCode?: number } }) =>
          e.$metadata?.httpStatusCode === 412,
      );
      close();
      assert.ok(overwritten);
      await assert.rejects(Deno.stat(`${dir}/moving`), Deno.errors.NotFound);
    });
  }
});

Deno.test("downloadFile() checks the names and the folder before sending anything", async () => {
  let sent = 0;
  const getRange: RangeGetter = () => {
    sent++;
    return Promise.reject(new Error("not sent"));
  };
  await assert.rejects(
    downloadFile(getRange, RGW, "b", "k", "/tmp/x"),
    /Invalid bucket name "b"/,
  );
  await assert.rejects(
    downloadFile(getRange, RGW, "bucket1", "k", "/no/such/folder/x"),
    (e: Error) =>
      e instanceof Deno.errors.NotFound && /the folder "\/no\/such\/folder" does not exist/.test(
        e.message,
      ),
  );
  assert.equal(sent, 0);
});
