/**
 * Reading an object back: whole and by range, across the blobs of its parts and the chunks each
 * arrived in, on both storages; a copy (which reads the same bytes another way); and a blob found
 * shorter than its record on disk, which cuts that answer and leaves the server serving others.
 */

import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { s3Client, testServer } from "../support/server.ts";
import { randomBytes } from "../support/bytes.ts";
import { RawClient } from "../support/raw_http.ts";

const MIB = 1024 * 1024;

/** Ranges as sent, and the slice of the object each must return. */
function rangesOf(size: number): [string | undefined, number, number][] {
  return [
    [undefined, 0, size],
    ["bytes=0-0", 0, 1],
    ["bytes=100-3000000", 100, 3000001], // within the first part, longer than one send buffer
    [`bytes=${5 * MIB - 3}-${10 * MIB + 5}`, 5 * MIB - 3, 10 * MIB + 6], // three parts
    [`bytes=1-${size - 2}`, 1, size - 1],
    ["bytes=-1500000", size - 1500000, size], // the last part and the end of the one before
    [`bytes=${10 * MIB}-`, 10 * MIB, size], // the last part alone
  ];
}

for (const storage of ["memory", "disk"] as const) {
  Deno.test(`${storage} storage: a three-part object reads back whole, by range and copied`, async (t) => {
    const dir = storage === "disk" ? await Deno.makeTempDir({ prefix: "s3-reads-" }) : undefined;
    try {
      await using server = await testServer({ dataDir: dir });
      const s3 = s3Client(server.url);
      await s3.send(new CreateBucketCommand({ Bucket: "reads" }));
      const parts = [randomBytes(5 * MIB), randomBytes(5 * MIB), randomBytes(1.5 * MIB + 7)];
      const object = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      parts.reduce((at, p) => (object.set(p, at), at + p.length), 0);
      const { UploadId } = await s3.send(
        new CreateMultipartUploadCommand({ Bucket: "reads", Key: "three", ACL: "public-read" }),
      );
      const etags = [];
      for (const [i, Body] of parts.entries()) {
        const PartNumber = i + 1;
        const sent = { Bucket: "reads", Key: "three", UploadId, PartNumber, Body };
        etags.push({ PartNumber, ETag: (await s3.send(new UploadPartCommand(sent))).ETag });
      }
      await s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: "reads",
          Key: "three",
          UploadId,
          MultipartUpload: { Parts: etags },
        }),
      );
      // One keep-alive connection for every range: a byte sent past a Content-Length would be
      // read as the start of the next answer (the object is public-read: no signing needed).
      const { hostname, port, host } = new URL(server.url);
      const raw = new RawClient(hostname, Number(port));
      const get = (extra: [string, string][]) =>
        raw.send({ method: "GET", target: "/reads/three", headers: [["host", host], ...extra] });
      for (const [range, from, to] of rangesOf(object.length)) {
        await t.step(`GET ${range ?? "whole"}`, async () => {
          const got = await get(range ? [["range", range]] : []);
          assert.equal(got.status, range ? 206 : 200);
          assert.equal(got.headers.get("content-length"), String(to - from));
          assert.ok(Buffer.from(got.body).equals(object.subarray(from, to)), "bytes differ");
        });
      }
      assert.equal((await get([["range", "bytes=0-0"]])).status, 206);
      assert.equal(raw.connections, 1);
      raw.close();
      await t.step("CopyObject, then GET the copy", async () => {
        await s3.send(
          new CopyObjectCommand({ Bucket: "reads", Key: "copy", CopySource: "reads/three" }),
        );
        const got = await s3.send(new GetObjectCommand({ Bucket: "reads", Key: "copy" }));
        const bytes = await got.Body!.transformToByteArray();
        assert.ok(Buffer.from(bytes).equals(object), "the copy's bytes differ");
      });
      s3.destroy();
    } finally {
      if (dir) await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("a blob found shorter than its object cuts that answer; the server serves on", async () => {
  const dir = await Deno.makeTempDir({ prefix: "s3-short-" });
  try {
    await using server = await testServer({ dataDir: dir });
    const s3 = s3Client(server.url);
    await s3.send(new CreateBucketCommand({ Bucket: "cut" }));
    await s3.send(new PutObjectCommand({ Bucket: "cut", Key: "long", Body: randomBytes(3 * MIB) }));
    const small = randomBytes(100);
    await s3.send(new PutObjectCommand({ Bucket: "cut", Key: "small", Body: small }));
    let cut = 0;
    for await (const entry of Deno.readDir(`${dir}/blobs`)) {
      const path = `${dir}/blobs/${entry.name}`;
      if ((await Deno.stat(path)).size !== 3 * MIB) continue;
      await Deno.truncate(path, 2 * MIB);
      cut++;
    }
    assert.equal(cut, 1);
    const got = await s3.send(new GetObjectCommand({ Bucket: "cut", Key: "long" }));
    assert.equal(got.ContentLength, 3 * MIB);
    await assert.rejects(got.Body!.transformToByteArray());
    const after = await s3.send(new GetObjectCommand({ Bucket: "cut", Key: "small" }));
    assert.deepEqual(await after.Body!.transformToByteArray(), small);
    s3.destroy();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
