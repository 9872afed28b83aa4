/**
 * Storage of the embedded server: `--data DIR` survives a restart with bytes, metadata, ACLs and
 * uploads intact; keys never escape DIR; a body that fails is never stored; large bodies stream.
 */

import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { SignatureV4 } from "@smithy/signature-v4";
import { connect } from "node:net";
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetBucketAclCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  PutObjectTaggingCommand,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { s3Client, s3Failure, testServer } from "../support/server.ts";
import { DEMO_USERS } from "../../server/demo_users.ts";

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) out.push(...await filesUnder(path));
    else out.push(path);
  }
  return out;
}

Deno.test("--data keeps buckets, objects, metadata, ACLs and uploads across a restart", async () => {
  const dir = await Deno.makeTempDir({ prefix: "s3-data-" });
  try {
    const body = new Uint8Array(300_000).map((_, i) => i % 251);
    let uploadId: string | undefined;
    {
      await using server = await testServer({ dataDir: dir });
      const s3 = s3Client(server.url);
      await s3.send(new CreateBucketCommand({ Bucket: "kept", ACL: "public-read" }));
      await s3.send(
        new PutObjectCommand({
          Bucket: "kept",
          Key: "dir/file.bin",
          Body: body,
          ContentType: "application/x-kept",
          Metadata: { note: "survives" },
          ACL: "public-read",
        }),
      );
      await s3.send(new PutObjectCommand({ Bucket: "kept", Key: "../../escape", Body: "x" }));
      const created = await s3.send(
        new CreateMultipartUploadCommand({ Bucket: "kept", Key: "mp" }),
      );
      uploadId = created.UploadId;
      await s3.send(
        new UploadPartCommand({
          Bucket: "kept",
          Key: "mp",
          UploadId: uploadId,
          PartNumber: 1,
          Body: "part",
        }),
      );
      s3.destroy();
    }
    await using server = await testServer({ dataDir: dir });
    const s3 = s3Client(server.url);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: "kept" }));
    assert.deepEqual(listed.Contents?.map((c) => c.Key), ["../../escape", "dir/file.bin"]);
    const got = await s3.send(new GetObjectCommand({ Bucket: "kept", Key: "dir/file.bin" }));
    assert.deepEqual(await got.Body?.transformToByteArray(), body);
    assert.equal(got.ContentType, "application/x-kept");
    assert.deepEqual(got.Metadata, { note: "survives" });
    assert.equal(got.ETag, `"${createHash("md5").update(body).digest("hex")}"`);
    const acl = await s3.send(new GetBucketAclCommand({ Bucket: "kept" }));
    assert.equal(acl.Grants?.length, 2);
    const anonymous = await fetch(`${server.url}/kept/dir/file.bin`);
    assert.equal(anonymous.status, 200);
    await anonymous.body?.cancel();
    const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: "kept" }));
    assert.deepEqual(uploads.Uploads?.map((u) => u.UploadId), [uploadId]);
    s3.destroy();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

async function rawGet(url: string, path: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return await new Promise<string>((resolve, reject) => {
    let text = "";
    const socket = connect(Number(port), hostname, () => {
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nConnection: close\r\n\r\n`,
      );
    });
    socket.on("data", (data) => text += data.toString());
    socket.on("end", () => resolve(text));
    socket.on("error", reject);
  });
}

Deno.test("keys like ../../etc/passwd stay inside DIR, under hashed file names", async () => {
  const root = await Deno.makeTempDir({ prefix: "s3-root-" });
  const dir = `${root}/data`;
  try {
    await using server = await testServer({ dataDir: dir });
    const s3 = s3Client(server.url);
    await s3.send(new CreateBucketCommand({ Bucket: "trap" }));
    const keys = [
      "../../etc/passwd",
      "../../../../../tmp/evil",
      "/abs/path",
      "a/../../b",
      "..",
      ".",
    ];
    for (const key of keys) {
      await s3.send(new PutObjectCommand({ Bucket: "trap", Key: key, Body: key }));
      const got = await s3.send(new GetObjectCommand({ Bucket: "trap", Key: key }));
      assert.equal(await got.Body?.transformToString(), key);
    }
    // A raw path with dot segments reaches the key unnormalised (fetch() would resolve them).
    await s3.send(
      new PutObjectCommand({
        Bucket: "trap",
        Key: "../../etc/passwd",
        Body: "p",
        ACL: "public-read",
      }),
    );
    const raw = await rawGet(server.url, "/trap/../../etc/passwd");
    assert.match(raw, /^HTTP\/1\.1 200 /);
    assert.match(raw, /\r\n\r\np$/);
    const entries = [];
    for await (const entry of Deno.readDir(root)) entries.push(entry.name);
    assert.deepEqual(entries, ["data"]);
    for (const file of await filesUnder(dir)) {
      const relative = file.slice(dir.length + 1);
      assert.match(
        relative,
        /^(buckets\/[0-9a-f]+\.json|objects\/[0-9a-f]+\/[0-9a-f]{64}\.json|blobs\/[0-9a-f-]{36})$/,
      );
    }
    s3.destroy();
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("a body that fails its Content-MD5 leaves no file behind", async () => {
  const dir = await Deno.makeTempDir({ prefix: "s3-data-" });
  try {
    await using server = await testServer({ dataDir: dir });
    const s3 = s3Client(server.url);
    await s3.send(new CreateBucketCommand({ Bucket: "digest" }));
    const failure = await s3Failure(
      s3.send(
        new PutObjectCommand({
          Bucket: "digest",
          Key: "k",
          Body: "abc",
          ContentMD5: createHash("md5").update("xyz").digest("base64"),
        }),
      ),
    );
    assert.deepEqual(failure, { status: 400, code: "BadDigest" });
    const files = (await filesUnder(dir)).map((f) => f.slice(dir.length + 1));
    assert.deepEqual(files.filter((f) => !f.startsWith("buckets/")), []);
    s3.destroy();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a blob a crash left behind, never referenced, is freed at the next start", async () => {
  const dir = await Deno.makeTempDir({ prefix: "s3-data-" });
  try {
    {
      await using server = await testServer({ dataDir: dir });
      const s3 = s3Client(server.url);
      await s3.send(new CreateBucketCommand({ Bucket: "crash" }));
      await s3.send(new PutObjectCommand({ Bucket: "crash", Key: "kept", Body: "kept bytes" }));
      s3.destroy();
    }
    // What a server killed between writing a body and writing its sidecar leaves: a blob under
    // its final name that no object points at.
    const orphan = `${dir}/blobs/${crypto.randomUUID()}`;
    await Deno.writeTextFile(orphan, "half an upload");
    const before = (await filesUnder(`${dir}/blobs`)).length;
    assert.equal(before, 2);

    await using server = await testServer({ dataDir: dir });
    const s3 = s3Client(server.url);
    const blobs = await filesUnder(`${dir}/blobs`);
    assert.equal(blobs.length, 1, "the orphan blob is still there");
    assert.ok(!blobs.includes(orphan));
    const out = await s3.send(new GetObjectCommand({ Bucket: "crash", Key: "kept" }));
    assert.equal(await out.Body!.transformToString(), "kept bytes");
    s3.destroy();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

async function truncatedPut(url: string, path: string): Promise<void> {
  const { hostname, port } = new URL(url);
  await new Promise<void>((resolve) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(
        `PUT ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Length: 100000\r\n\r\n`,
      );
      socket.write("only a few bytes", () => setTimeout(() => socket.destroy(), 100));
    });
    socket.on("close", () => resolve());
    socket.on("error", () => resolve());
  });
}

for (const mode of ["memory", "disk"] as const) {
  Deno.test(`a body cut short by the client is never stored (${mode})`, async () => {
    const dir = mode === "disk" ? await Deno.makeTempDir({ prefix: "s3-data-" }) : undefined;
    try {
      await using server = await testServer({ dataDir: dir });
      const s3 = s3Client(server.url);
      await s3.send(new CreateBucketCommand({ Bucket: "cut", ACL: "public-read-write" }));
      await truncatedPut(server.url, "/cut/partial");
      // Let the server notice the closed connection.
      await new Promise((r) => setTimeout(r, 200));
      const head = await s3Failure(
        s3.send(new HeadObjectCommand({ Bucket: "cut", Key: "partial" })),
      );
      assert.equal(head.status, 404);
      if (dir) {
        const files = (await filesUnder(dir)).map((f) => f.slice(dir.length + 1));
        assert.deepEqual(files.filter((f) => !f.startsWith("buckets/")), []);
      }
      s3.destroy();
    } finally {
      if (dir) await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("a 32 MiB object streams in and out of --data storage intact", async () => {
  const dir = await Deno.makeTempDir({ prefix: "s3-data-" });
  try {
    await using server = await testServer({ dataDir: dir });
    const s3 = s3Client(server.url);
    await s3.send(new CreateBucketCommand({ Bucket: "large" }));
    const size = 32 * 1024 * 1024;
    const chunk = new Uint8Array(1024 * 1024).map((_, i) => (i * 7) % 256);
    const expected = createHash("md5");
    for (let i = 0; i < 32; i++) expected.update(chunk);
    const md5 = expected.digest("hex");
    const { Readable } = await import("node:stream");
    let sent = 0;
    const body = new Readable({
      read() {
        this.push(sent++ < 32 ? chunk : null);
      },
    });
    const put = await s3.send(
      new PutObjectCommand({ Bucket: "large", Key: "big", Body: body, ContentLength: size }),
    );
    assert.equal(put.ETag, `"${md5}"`);
    const got = await s3.send(new GetObjectCommand({ Bucket: "large", Key: "big" }));
    const received = createHash("md5");
    let length = 0;
    for await (const piece of got.Body as AsyncIterable<Uint8Array>) {
      received.update(piece);
      length += piece.length;
    }
    assert.equal(length, size);
    assert.equal(received.digest("hex"), md5);
    s3.destroy();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

for (const mode of ["memory", "disk"] as const) {
  Deno.test(`a GET in progress keeps its bytes when the object is deleted meanwhile (${mode})`, async () => {
    const dir = mode === "disk" ? await Deno.makeTempDir({ prefix: "s3-data-" }) : undefined;
    try {
      await using server = await testServer({ dataDir: dir });
      const s3 = s3Client(server.url);
      await s3.send(new CreateBucketCommand({ Bucket: "race" }));
      const body = new Uint8Array(8 * 1024 * 1024).map((_, i) => (i * 31) % 256);
      // Two parts, so the second blob is opened only after the delete below.
      const { UploadId } = await s3.send(
        new CreateMultipartUploadCommand({ Bucket: "race", Key: "k" }),
      );
      const parts = [];
      for (
        const [n, piece] of [[1, body.subarray(0, 5 * 1024 * 1024)], [
          2,
          body.subarray(5 * 1024 * 1024),
        ]] as const
      ) {
        const { ETag } = await s3.send(
          new UploadPartCommand({ Bucket: "race", Key: "k", UploadId, PartNumber: n, Body: piece }),
        );
        parts.push({ PartNumber: n, ETag });
      }
      await s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: "race",
          Key: "k",
          UploadId,
          MultipartUpload: { Parts: parts },
        }),
      );
      const got = await s3.send(new GetObjectCommand({ Bucket: "race", Key: "k" }));
      const stream = got.Body as AsyncIterable<Uint8Array>;
      const iterator = stream[Symbol.asyncIterator]();
      const first = await iterator.next();
      const pieces: Uint8Array[] = [first.value];
      await s3.send(new DeleteObjectCommand({ Bucket: "race", Key: "k" }));
      await s3.send(new PutObjectCommand({ Bucket: "race", Key: "k", Body: "replaced" }));
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
        pieces.push(next.value);
      }
      const received = new Uint8Array(pieces.reduce((n, p) => n + p.length, 0));
      let offset = 0;
      for (const piece of pieces) {
        received.set(piece, offset);
        offset += piece.length;
      }
      assert.equal(received.length, body.length);
      assert.ok(received.every((b, i) => b === body[i]), "the bytes changed under the reader");
      const now = await s3.send(new GetObjectCommand({ Bucket: "race", Key: "k" }));
      assert.equal(await now.Body?.transformToString(), "replaced");
      if (dir) {
        await new Promise((r) => setTimeout(r, 50));
        const blobs = (await filesUnder(`${dir}/blobs`)).length;
        assert.equal(blobs, 1, "the old blob is freed once its reader is done");
      }
      s3.destroy();
    } finally {
      if (dir) await Deno.remove(dir, { recursive: true });
    }
  });
}

class Sha256 {
  #hash;
  constructor(key?: string | ArrayBuffer | ArrayBufferView) {
    const bytes = (data: string | ArrayBuffer | ArrayBufferView) =>
      typeof data === "string"
        ? data
        : data instanceof ArrayBuffer
        ? new Uint8Array(data)
        : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    this.#hash = key === undefined ? createHash("sha256") : createHmac("sha256", bytes(key));
    this.update = (data) => void this.#hash.update(bytes(data));
  }
  update: (data: string | ArrayBuffer | ArrayBufferView) => void;
  digest() {
    return Promise.resolve(new Uint8Array(this.#hash.digest()));
  }
}

Deno.test("a signed body that does not match its x-amz-content-sha256 is never stored", async () => {
  const dir = await Deno.makeTempDir({ prefix: "s3-data-" });
  try {
    await using server = await testServer({ dataDir: dir });
    const s3 = s3Client(server.url);
    await s3.send(new CreateBucketCommand({ Bucket: "signed" }));
    const body = "the bytes actually sent";
    const signer = new SignatureV4({
      credentials: DEMO_USERS[0],
      region: "us-east-1",
      service: "s3",
      sha256: Sha256,
      uriEscapePath: false,
    });
    const host = `127.0.0.1:${server.port}`;
    const signed = await signer.sign({
      method: "PUT",
      protocol: "http:",
      hostname: "127.0.0.1",
      port: server.port,
      path: "/signed/k",
      query: {},
      headers: {
        host,
        "content-length": String(body.length),
        "x-amz-content-sha256": createHash("sha256").update("other bytes").digest("hex"),
      },
    });
    const response = await fetch(`${server.url}/signed/k`, {
      method: "PUT",
      headers: signed.headers,
      body,
    });
    assert.equal(response.status, 400);
    assert.match(await response.text(), /<Code>XAmzContentSHA256Mismatch<\/Code>/);
    const head = await s3Failure(s3.send(new HeadObjectCommand({ Bucket: "signed", Key: "k" })));
    assert.equal(head.status, 404);
    const files = (await filesUnder(dir)).map((f) => f.slice(dir.length + 1));
    assert.deepEqual(files.filter((f) => !f.startsWith("buckets/")), []);
    s3.destroy();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("--data keeps object tags across a restart", async () => {
  const dir = await Deno.makeTempDir({ prefix: "s3-tags-" });
  try {
    {
      await using server = await testServer({ dataDir: dir });
      const s3 = s3Client(server.url);
      await s3.send(new CreateBucketCommand({ Bucket: "tags" }));
      await s3.send(new PutObjectCommand({ Bucket: "tags", Key: "k", Body: "x", Tagging: "a=1" }));
      await s3.send(
        new PutObjectTaggingCommand({
          Bucket: "tags",
          Key: "k",
          Tagging: { TagSet: [{ Key: "z", Value: "26" }, { Key: "b", Value: "2" }] },
        }),
      );
      s3.destroy();
    }
    await using server = await testServer({ dataDir: dir });
    const s3 = s3Client(server.url);
    const tags = await s3.send(new GetObjectTaggingCommand({ Bucket: "tags", Key: "k" }));
    assert.deepEqual(tags.TagSet, [{ Key: "b", Value: "2" }, { Key: "z", Value: "26" }]);
    const head = await s3.send(new HeadObjectCommand({ Bucket: "tags", Key: "k" }));
    assert.equal(head.$metadata.httpStatusCode, 200);
    s3.destroy();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
