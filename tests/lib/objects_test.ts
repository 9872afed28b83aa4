import assert from "node:assert/strict";
import {
  connect,
  createBucket,
  deleteObject,
  getBytes,
  getFile,
  getStream,
  getText,
  headObject,
  listObjects,
  type Progress,
  putFile,
  putObject,
  S3RequestError,
} from "../../lib/mod.ts";
import { contentTypeFor } from "../../lib/content_type.ts";
import { validateKey } from "../../lib/validate.ts";
import { ListMultipartUploadsCommand } from "@aws-sdk/client-s3";
import { DEMO_USERS } from "../../server/demo_users.ts";
import { rgwTest } from "../support/engines.ts";

const noEnv = { get: (_: string) => undefined };
const MiB = 1024 * 1024;

function pattern(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + (i >> 10)) & 0xff;
  return bytes;
}

Deno.test("contentTypeFor() guesses from the extension", () => {
  assert.equal(contentTypeFor("cloud.png"), "image/png");
  assert.equal(contentTypeFor("dir/Photo.JPG"), "image/jpeg");
  assert.equal(contentTypeFor("notes.txt"), "text/plain; charset=utf-8");
  assert.equal(contentTypeFor("archive.unknownext"), "application/octet-stream");
  assert.equal(contentTypeFor(".bashrc"), "application/octet-stream");
});

Deno.test("validateKey() refuses empty and over-long keys", () => {
  assert.equal(validateKey("a/b.txt"), "a/b.txt");
  assert.throws(() => validateKey(""), { name: "RangeError", message: /must not be empty/ });
  assert.throws(() => validateKey("é".repeat(513)), {
    name: "RangeError",
    message: /at most 1024 bytes, got 1026/,
  });
});

Deno.test("putFile() streams a small file in one PUT with its content type", async () => {
  await using s3 = await connect({ env: noEnv });
  const bucket = await createBucket(s3);
  const seen: Progress[] = [];
  const path = new URL("../../notebooks/cloud.png", import.meta.url);
  const result = await putFile(s3, bucket, "pics/cloud.png", path, {
    onProgress: (p) => seen.push(p),
  });
  const local = await Deno.readFile(path);
  assert.equal(result.size, local.length);
  assert.equal(result.contentType, "image/png");
  assert.equal(result.multipart, false);
  assert.match(result.etag ?? "", /^"[0-9a-f]{32}"$/);
  assert.deepEqual(seen.at(-1), { loaded: local.length, total: local.length });
  assert.deepEqual(await getBytes(s3, bucket, "pics/cloud.png"), local);
  const head = await headObject(s3, bucket, "pics/cloud.png");
  assert.equal(head.contentType, "image/png");
  assert.equal(head.size, local.length);
  assert.equal(s3.trace.entries.filter((e) => e.operation === "PutObject").length, 1);
});

Deno.test("putFile() sends a large file as a multipart upload with progress", async () => {
  await using s3 = await connect({ env: noEnv });
  const bucket = await createBucket(s3);
  const dir = await Deno.makeTempDir();
  try {
    const data = pattern(11 * MiB + 123);
    await Deno.writeFile(`${dir}/big.bin`, data);
    const seen: number[] = [];
    const result = await putFile(s3, bucket, "big.bin", `${dir}/big.bin`, {
      multipartThreshold: 6 * MiB,
      partSize: 5 * MiB,
      concurrency: 2,
      onProgress: (p) => seen.push(p.loaded),
    });
    assert.equal(result.multipart, true);
    assert.equal(result.size, data.length);
    assert.equal(result.contentType, "application/octet-stream");
    assert.equal(seen.at(-1), data.length);
    const ops = s3.trace.entries.map((e) => e.operation);
    assert.equal(ops.filter((o) => o === "UploadPart").length, 3);
    assert.ok(ops.includes("CreateMultipartUpload") && ops.includes("CompleteMultipartUpload"));
    await getFile(s3, bucket, "big.bin", `${dir}/back.bin`);
    assert.deepEqual(await Deno.readFile(`${dir}/back.bin`), data);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("getFile() fetches a large object in parallel ranges, with progress", async () => {
  await using s3 = await connect({ env: noEnv });
  const bucket = await createBucket(s3);
  const dir = await Deno.makeTempDir();
  try {
    const data = pattern(20 * MiB + 7);
    await putObject(s3, bucket, "big.bin", data);
    const seen: number[] = [];
    const size = await getFile(s3, bucket, "big.bin", `${dir}/back.bin`, {
      concurrency: 3,
      onProgress: (p) => seen.push(p.loaded),
    });
    assert.equal(size, data.length);
    assert.deepEqual(await Deno.readFile(`${dir}/back.bin`), data);
    assert.equal(seen.at(-1), data.length);
    const ranges = s3.trace.entries.filter((e) => e.operation === "GetObject");
    assert.ok(ranges.length >= 3, `${ranges.length} GetObject request(s)`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an aborted putFile() leaves no multipart upload; an aborted getFile() no file", async () => {
  await using s3 = await connect({ env: noEnv });
  const bucket = await createBucket(s3);
  const dir = await Deno.makeTempDir();
  try {
    const data = pattern(24 * MiB);
    await Deno.writeFile(`${dir}/big.bin`, data);
    const upload = new AbortController();
    const put = putFile(s3, bucket, "big.bin", `${dir}/big.bin`, {
      multipartThreshold: 5 * MiB,
      partSize: 5 * MiB,
      concurrency: 1,
      signal: upload.signal,
      onProgress: (p) => p.loaded >= 5 * MiB && upload.abort(),
    });
    await assert.rejects(put);
    const uploads = await s3.client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    assert.deepEqual(uploads.Uploads ?? [], [], "the multipart upload is still on the server");
    await assert.rejects(headObject(s3, bucket, "big.bin"), { code: "NoSuchKey" });

    await putObject(s3, bucket, "big.bin", data);
    const download = new AbortController();
    const get = getFile(s3, bucket, "big.bin", `${dir}/back.bin`, {
      signal: download.signal,
      onProgress: (p) => p.loaded >= MiB && download.abort(),
    });
    await assert.rejects(get);
    await assert.rejects(Deno.stat(`${dir}/back.bin`), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("putFile() explains a missing file and a directory", async () => {
  await using s3 = await connect({ env: noEnv });
  const bucket = await createBucket(s3);
  await assert.rejects(putFile(s3, bucket, "x", "/no/such/file.png"), {
    name: "NotFound",
    message: 'Cannot upload "/no/such/file.png" as "x": the file does not exist; check the path',
  });
  await assert.rejects(putFile(s3, bucket, "x", Deno.cwd()), {
    name: "IsADirectory",
    message: /it is not a regular file; give a file path/,
  });
});

Deno.test("putObject() stores text and bytes; getText(), getStream() and getFile() read them", async () => {
  await using s3 = await connect({ env: noEnv });
  const bucket = await createBucket(s3);
  const text = await putObject(s3, bucket, "hello", "Hello World!", { metadata: { by: "tour" } });
  assert.equal(text.contentType, "text/plain; charset=utf-8");
  assert.equal(await getText(s3, bucket, "hello"), "Hello World!");
  assert.deepEqual((await headObject(s3, bucket, "hello")).metadata, { by: "tour" });

  const bytes = pattern(70_000);
  await putObject(s3, bucket, "data.bin", bytes);
  const chunks: Uint8Array[] = [];
  for await (const chunk of await getStream(s3, bucket, "data.bin")) chunks.push(chunk);
  assert.deepEqual(new Uint8Array(await new Blob(chunks as BlobPart[]).arrayBuffer()), bytes);

  const file = await Deno.makeTempFile();
  try {
    const progress: Progress[] = [];
    const written = await getFile(s3, bucket, "data.bin", file, {
      onProgress: (p) => progress.push(p),
    });
    assert.equal(written, bytes.length);
    assert.deepEqual(progress.at(-1), { loaded: bytes.length, total: bytes.length });
    assert.deepEqual(await Deno.readFile(file), bytes);
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("headObject() and getBytes() on a missing key explain NoSuchKey", async () => {
  await using s3 = await connect({ env: noEnv });
  const bucket = await createBucket(s3);
  // HEAD answers have no body: the SDK says "UnknownError", the lib reads the 404 status.
  const head = await headObject(s3, bucket, "missing.txt").catch((e) => e);
  assert.ok(head instanceof S3RequestError);
  assert.equal(head.status, 404);
  assert.equal(head.code, "NoSuchKey");
  assert.equal(head.key, "missing.txt");
  assert.match(head.message, /there is no object "missing.txt" in bucket/);
  const get = await getBytes(s3, bucket, "missing.txt").catch((e) => e);
  assert.equal(get?.code, "NoSuchKey");
  const file = `${await Deno.makeTempDir()}/never.bin`;
  await assert.rejects(getFile(s3, bucket, "missing.txt", file), S3RequestError);
  await assert.rejects(Deno.stat(file), Deno.errors.NotFound);
});

Deno.test("putObject() and putFile() refuse an unknown ACL; getFile() a missing folder", async () => {
  await using s3 = await connect({ env: noEnv });
  const bucket = await createBucket(s3);
  const before = s3.trace.entries.length;
  await assert.rejects(
    putObject(s3, bucket, "a", "x", { acl: "everyone" as "private" }),
    RangeError,
  );
  await assert.rejects(
    putFile(s3, bucket, "a", new URL("../../notebooks/cloud.png", import.meta.url), {
      acl: "world" as "private",
    }),
    RangeError,
  );
  await putObject(s3, bucket, "here.txt", "here");
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(getFile(s3, bucket, "here.txt", `${dir}/missing/out.txt`), {
      name: "NotFound",
      message: new RegExp(`the folder "${dir}/missing" does not exist; create it first`),
    });
    assert.deepEqual([...Deno.readDirSync(dir)], []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  // Only the one good PUT was sent.
  assert.deepEqual(s3.trace.entries.slice(before).map((e) => e.operation), ["PutObject"]);
});

Deno.test("deleteObject() removes a key, and deleting it again succeeds", async () => {
  await using s3 = await connect({ env: noEnv });
  const bucket = await createBucket(s3);
  await putObject(s3, bucket, "gone.txt", "bye");
  await deleteObject(s3, bucket, "gone.txt");
  await deleteObject(s3, bucket, "gone.txt");
  assert.equal((await getText(s3, bucket, "gone.txt").catch((e) => e))?.code, "NoSuchKey");
});

Deno.test("listObjects() iterates in key order, one request per page", async () => {
  await using s3 = await connect({ env: noEnv });
  const bucket = await createBucket(s3);
  const keys = ["a/1", "a/2", "a/3", "b/1", "c", "a/4"];
  for (const key of keys) await putObject(s3, bucket, key, key);
  const before = s3.trace.entries.length;
  const listed = [];
  for await (const o of listObjects(s3, bucket, { pageSize: 2 })) listed.push(o.key);
  assert.deepEqual(listed, [...keys].sort());
  const pages = s3.trace.entries.slice(before).filter((e) => e.operation === "ListObjectsV2");
  assert.equal(pages.length, 3);
  const under = [];
  for await (const o of listObjects(s3, bucket, { prefix: "a/" })) under.push(o);
  assert.deepEqual(under.map((o) => o.key), ["a/1", "a/2", "a/3", "a/4"]);
  assert.equal(under[0].size, 3);
  await assert.rejects(async () => {
    for await (const _ of listObjects(s3, "no-such-bucket-x")) { /* nothing */ }
  }, { name: "S3RequestError", message: /NoSuchBucket/ });
});

rgwTest("object helpers behave the same on Ceph RGW", async (_t, endpoint) => {
  const demo = DEMO_USERS[0];
  await using s3 = await connect({
    endpoint,
    accessKeyId: demo.accessKeyId,
    secretAccessKey: demo.secretAccessKey,
    env: noEnv,
  });
  const bucket = await createBucket(s3, { prefix: "b-obj" });
  try {
    await putFile(s3, bucket, "cloud.png", new URL("../../notebooks/cloud.png", import.meta.url));
    assert.equal((await headObject(s3, bucket, "cloud.png")).contentType, "image/png");
    assert.equal((await headObject(s3, bucket, "nope").catch((e) => e))?.code, "NoSuchKey");
    const listed = [];
    for await (const o of listObjects(s3, bucket)) listed.push(o.key);
    assert.deepEqual(listed, ["cloud.png"]);
    await deleteObject(s3, bucket, "cloud.png");
  } finally {
    await s3.client.send(
      new (await import("@aws-sdk/client-s3")).DeleteBucketCommand({ Bucket: bucket }),
    );
  }
});
