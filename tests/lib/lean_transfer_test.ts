/**
 * Large transfers on the lean path (`lib/_lean_transfer.ts`, taken by `putFile` and `getFile`
 * when the connection's trace is off): byte for byte in parts and ranges, headers kept, empty
 * objects, no upload left open on failure or abort, no partial file, a download pinned to its
 * first ETag. On the embedded server and Ceph RGW.
 */

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { ListMultipartUploadsCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import {
  connect,
  type Connection,
  createBucket,
  deleteBucket,
  emptyBucket,
  getFile,
  headObject,
  putFile,
  S3RequestError,
} from "../../lib/mod.ts";
import { leanClientOf } from "../../lib/_lean.ts";
import { leanDownloadInRanges } from "../../lib/_lean_transfer.ts";
import { DEMO_USERS } from "../../server/demo_users.ts";
import { rgwTest } from "../support/engines.ts";

const MiB = 1024 * 1024;
const DEMO = DEMO_USERS[0];

function randomBytes(size: number): Uint8Array {
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i += 65536) crypto.getRandomValues(data.subarray(i, i + 65536));
  return data;
}

function md5(data: Uint8Array): string {
  return createHash("md5").update(data).digest("hex");
}

async function openUploads(s3: Connection, bucket: string): Promise<number> {
  const out = await s3.client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
  return out.Uploads?.length ?? 0;
}

async function leanTransfers(t: Deno.TestContext, s3: Connection) {
  const lean = leanClientOf(s3)!;
  assert.ok(lean);
  const bucket = await createBucket(s3, { prefix: "lean-big" });
  const dir = await Deno.makeTempDir({ prefix: "lean-big-" });
  try {
    const data = randomBytes(11 * MiB + 7);
    await Deno.writeFile(`${dir}/f.bin`, data);
    await t.step(
      "putFile in parts, then getFile in ranges: byte for byte, headers kept",
      async () => {
        const seen: number[] = [];
        const out = await putFile(s3, bucket, "dir/f ü %.bin", `${dir}/f.bin`, {
          multipartThreshold: 5 * MiB,
          partSize: 5 * MiB,
          contentType: "application/x-test",
          metadata: { origin: "lean" },
          onProgress: (p) => seen.push(p.loaded),
        });
        assert.equal(out.multipart, true);
        assert.equal(seen.at(-1), data.length);
        const info = await headObject(s3, bucket, "dir/f ü %.bin");
        assert.equal(info.size, data.length);
        assert.equal(info.contentType, "application/x-test");
        assert.deepEqual(info.metadata, { origin: "lean" });
        assert.match(info.etag ?? "", /^"[0-9a-f]{32}-3"$/);
        // RGW 16 answers CompleteMultipartUpload with an empty <ETag>; others with the object's.
        if (out.etag) assert.equal(out.etag, info.etag);
        const got: number[] = [];
        const size = await getFile(s3, bucket, "dir/f ü %.bin", `${dir}/back.bin`, {
          onProgress: (p) => got.push(p.loaded),
        });
        assert.equal(size, data.length);
        assert.equal(got.at(-1), data.length);
        assert.equal(md5(await Deno.readFile(`${dir}/back.bin`)), md5(data));
      },
    );
    await t.step("ranges of 1 MiB, 3 at a time, for sizes around the edges", async () => {
      for (const n of [0, 1, MiB - 1, MiB, 7 * MiB + 3]) {
        const body = randomBytes(n);
        await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: `k${n}`, Body: body }));
        const size = await leanDownloadInRanges(lean, { bucket, key: `k${n}` }, `${dir}/k`, {
          minRange: MiB,
          concurrency: 3,
        });
        assert.equal(size, n);
        assert.equal(md5(await Deno.readFile(`${dir}/k`)), md5(body), `${n} bytes`);
      }
    });
    await t.step("a missing object: one-line NoSuchKey, the existing file untouched", async () => {
      await Deno.writeTextFile(`${dir}/keep.txt`, "precious");
      const error = await getFile(s3, bucket, "nope", `${dir}/keep.txt`).catch((e) => e);
      assert.ok(error instanceof S3RequestError);
      assert.equal(error.code, "NoSuchKey");
      assert.match(error.message, /^Cannot download "[^"]+\/nope": 404 Not Found NoSuchKey: /);
      assert.equal(await Deno.readTextFile(`${dir}/keep.txt`), "precious");
    });
    await t.step("an abort: no upload left open, no partial file", async () => {
      const controller = new AbortController();
      await assert.rejects(
        putFile(s3, bucket, "aborted", `${dir}/f.bin`, {
          multipartThreshold: 5 * MiB,
          partSize: 5 * MiB,
          concurrency: 1,
          signal: controller.signal,
          onProgress: (p) => p.loaded > 0 && controller.abort(),
        }),
        (e: Error) => e.name === "AbortError",
      );
      assert.equal(await openUploads(s3, bucket), 0, "no upload is left open");
      const down = new AbortController();
      await assert.rejects(
        getFile(s3, bucket, "dir/f ü %.bin", `${dir}/cut.bin`, {
          signal: down.signal,
          onProgress: () => down.abort(),
        }),
        (e: Error) => e.name === "AbortError",
      );
      await assert.rejects(Deno.stat(`${dir}/cut.bin`), Deno.errors.NotFound);
    });
  } finally {
    await emptyBucket(s3, bucket);
    await deleteBucket(s3, bucket);
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("putFile() and getFile() with the trace off go the lean path (embedded server)", async (t) => {
  await using s3 = await connect({ trace: false });
  await leanTransfers(t, s3);
});

rgwTest("putFile() and getFile() with the trace off go the lean path", async (t, endpoint) => {
  await using s3 = await connect({
    endpoint,
    accessKeyId: DEMO.accessKeyId,
    secretAccessKey: DEMO.secretAccessKey,
    trace: false,
  });
  await leanTransfers(t, s3);
});

Deno.test("a lean download fails on an overwrite midway and leaves no partial file", async () => {
  await using s3 = await connect({ trace: false });
  const bucket = await createBucket(s3);
  const dir = await Deno.makeTempDir();
  try {
    await s3.client.send(
      new PutObjectCommand({ Bucket: bucket, Key: "moving", Body: randomBytes(8 * MiB) }),
    );
    let overwritten = false;
    const error = await leanDownloadInRanges(
      leanClientOf(s3)!,
      { bucket, key: "moving" },
      `${dir}/moving`,
      {
        // 64 KiB ranges one after the other: the overwrite lands before most are asked for.
        minRange: 64 * 1024,
        maxRange: 64 * 1024,
        concurrency: 1,
        onProgress: () => {
          if (overwritten) return;
          overwritten = true;
          s3.client.send(
            new PutObjectCommand({ Bucket: bucket, Key: "moving", Body: new Uint8Array(1) }),
          );
        },
      },
    ).catch((e) => e);
    assert.ok(overwritten);
    assert.equal(error?.$metadata?.httpStatusCode, 412, String(error));
    await assert.rejects(Deno.stat(`${dir}/moving`), Deno.errors.NotFound);
  } finally {
    await emptyBucket(s3, bucket);
    await deleteBucket(s3, bucket);
    await Deno.remove(dir, { recursive: true });
  }
});
