/**
 * Versioning in the embedded server, on both storages: `--data` keeps every version and delete
 * marker across a restart (bytes, metadata, order), a crash mid-write leaves no torn version,
 * `versioningOnCreate` starts buckets versioned, concurrent writes to one key all become
 * versions, and a key with thousands of versions pages through ListObjectVersions completely.
 * What RGW answers is compared in `tests/conformance/cases/versioning.ts`.
 */

import assert from "node:assert/strict";
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  type ListObjectVersionsCommandOutput,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { s3Client, s3Failure, testServer } from "../support/server.ts";
import { rgwTest } from "../support/engines.ts";
import { DEMO_USERS } from "../../server/demo_users.ts";

/** Every version and marker of a bucket, in listing order, with what identifies it. */
async function allVersions(s3: S3Client, bucket: string, pageSize = 1000) {
  const out: string[] = [];
  let keyMarker: string | undefined;
  let versionIdMarker: string | undefined;
  for (;;) {
    const page: ListObjectVersionsCommandOutput = await s3.send(
      new ListObjectVersionsCommand({
        Bucket: bucket,
        KeyMarker: keyMarker,
        VersionIdMarker: versionIdMarker,
        MaxKeys: pageSize,
      }),
    );
    // The SDK splits versions from markers: each list keeps the listing's order.
    const entries = [
      ...(page.Versions ?? []).map((v) =>
        `V ${v.Key} ${v.VersionId} ${v.IsLatest} ${v.ETag} ${v.Size} ${v.LastModified?.getTime()}`
      ),
      ...(page.DeleteMarkers ?? []).map((m) =>
        `D ${m.Key} ${m.VersionId} ${m.IsLatest} ${m.LastModified?.getTime()}`
      ),
    ];
    out.push(...entries);
    if (!page.IsTruncated) return out;
    keyMarker = page.NextKeyMarker;
    versionIdMarker = page.NextVersionIdMarker;
  }
}

async function enable(s3: S3Client, bucket: string, status: "Enabled" | "Suspended" = "Enabled") {
  await s3.send(
    new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: status } }),
  );
}

async function put(s3: S3Client, bucket: string, key: string, body: string, note?: string) {
  const out = await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: body,
      ContentType: "text/plain",
      Metadata: note ? { note } : undefined,
    }),
  );
  return out.VersionId;
}

async function read(s3: S3Client, bucket: string, key: string, versionId?: string) {
  const out = await s3.send(
    new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }),
  );
  return { body: await out.Body!.transformToString(), note: out.Metadata?.note, id: out.VersionId };
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) out.push(...await filesUnder(path));
    else out.push(path);
  }
  return out;
}

Deno.test("--data keeps every version and delete marker across a restart: bytes, metadata, order", async () => {
  const dir = await Deno.makeTempDir({ prefix: "s3-versions-" });
  try {
    let before: string[];
    let beforeWhole: string[];
    const ids: Record<string, string | undefined> = {};
    {
      await using server = await testServer({ dataDir: dir });
      const s3 = s3Client(server.url);
      await s3.send(new CreateBucketCommand({ Bucket: "history" }));
      await put(s3, "history", "doc.txt", "written before versioning", "pre");
      await enable(s3, "history");
      ids.v1 = await put(s3, "history", "doc.txt", "version one", "one");
      ids.v2 = await put(s3, "history", "doc.txt", "version two", "two");
      ids.marker = (await s3.send(new DeleteObjectCommand({ Bucket: "history", Key: "doc.txt" })))
        .VersionId;
      ids.other = await put(s3, "history", "other.txt", "other", "o");
      const created = await s3.send(
        new CreateMultipartUploadCommand({ Bucket: "history", Key: "big.bin" }),
      );
      const part = await s3.send(
        new UploadPartCommand({
          Bucket: "history",
          Key: "big.bin",
          UploadId: created.UploadId,
          PartNumber: 1,
          Body: "multipart body",
        }),
      );
      ids.mp = (await s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: "history",
          Key: "big.bin",
          UploadId: created.UploadId,
          MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
        }),
      )).VersionId;
      await enable(s3, "history", "Suspended");
      await put(s3, "history", "other.txt", "suspended null", "null");
      // One entry per page keeps versions and markers in the server's interleaved order.
      before = await allVersions(s3, "history", 1);
      beforeWhole = await allVersions(s3, "history");
      s3.destroy();
    }
    assert.equal(before.length, 7); // doc.txt: null, v1, v2, marker; other.txt: 2; big.bin: 1
    await using server = await testServer({ dataDir: dir });
    const s3 = s3Client(server.url);
    assert.deepEqual(await allVersions(s3, "history", 1), before, "same versions, same order");
    assert.deepEqual(await allVersions(s3, "history"), beforeWhole, "in one page too");
    assert.deepEqual(before.map((line) => line.slice(0, 1)).join(""), "VDVVVVV");
    const status = await s3.send(new GetBucketVersioningCommand({ Bucket: "history" }));
    assert.equal(status.Status, "Suspended");
    assert.deepEqual(await read(s3, "history", "doc.txt", "null"), {
      body: "written before versioning",
      note: "pre",
      id: "null",
    });
    assert.deepEqual(await read(s3, "history", "doc.txt", ids.v1), {
      body: "version one",
      note: "one",
      id: ids.v1,
    });
    assert.equal((await read(s3, "history", "doc.txt", ids.v2)).body, "version two");
    assert.equal((await read(s3, "history", "big.bin", ids.mp)).body, "multipart body");
    assert.equal((await read(s3, "history", "other.txt")).body, "suspended null");
    assert.equal((await read(s3, "history", "other.txt", ids.other)).body, "other");
    // The marker is still the current version of doc.txt.
    assert.equal((await s3Failure(read(s3, "history", "doc.txt"))).status, 404);
    // New versions go after the reloaded ones.
    await enable(s3, "history");
    const v3 = await put(s3, "history", "doc.txt", "version three");
    assert.deepEqual(await read(s3, "history", "doc.txt"), {
      body: "version three",
      note: undefined,
      id: v3,
    });
    s3.destroy();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a crash mid-write leaves no torn version: a half sidecar and an orphan blob are dropped at start", async () => {
  const dir = await Deno.makeTempDir({ prefix: "s3-versions-crash-" });
  try {
    let before: string[];
    {
      await using server = await testServer({ dataDir: dir });
      const s3 = s3Client(server.url);
      await s3.send(new CreateBucketCommand({ Bucket: "crash" }));
      await enable(s3, "crash");
      await put(s3, "crash", "k", "one");
      await put(s3, "crash", "k", "two");
      before = await allVersions(s3, "crash");
      s3.destroy();
    }
    // What a process killed while writing a third version leaves: its blob, flushed, and its
    // sidecar half-written in tmp/ (the rename that publishes a sidecar never happened).
    await Deno.writeTextFile(`${dir}/blobs/${crypto.randomUUID()}`, "three");
    await Deno.writeTextFile(`${dir}/tmp/${crypto.randomUUID()}.json`, '{"key":"k","versionId":"x');
    await using server = await testServer({ dataDir: dir });
    const s3 = s3Client(server.url);
    assert.deepEqual(await allVersions(s3, "crash"), before);
    assert.equal((await read(s3, "crash", "k")).body, "two");
    assert.equal((await filesUnder(`${dir}/blobs`)).length, 2, "only the two versions' blobs");
    assert.deepEqual(await filesUnder(`${dir}/tmp`), []);
    s3.destroy();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

for (const mode of ["memory", "--data"] as const) {
  Deno.test(`versioningOnCreate starts every bucket versioned; DeleteBucket waits for the last marker (${mode})`, async () => {
    const dir = mode === "--data" ? await Deno.makeTempDir({ prefix: "s3-von-" }) : undefined;
    try {
      await using server = await testServer({ dataDir: dir, versioningOnCreate: true });
      const s3 = s3Client(server.url);
      await s3.send(new CreateBucketCommand({ Bucket: "always" }));
      const status = await s3.send(new GetBucketVersioningCommand({ Bucket: "always" }));
      assert.equal(status.Status, "Enabled");
      const v1 = await put(s3, "always", "k", "x");
      assert.ok(v1 && v1 !== "null");
      const deleted = await s3.send(new DeleteObjectCommand({ Bucket: "always", Key: "k" }));
      assert.equal(deleted.DeleteMarker, true);
      const refused = await s3Failure(s3.send(new DeleteBucketCommand({ Bucket: "always" })));
      assert.deepEqual(refused, { status: 409, code: "BucketNotEmpty" });
      await s3.send(new DeleteObjectCommand({ Bucket: "always", Key: "k", VersionId: v1 }));
      const stillRefused = await s3Failure(s3.send(new DeleteBucketCommand({ Bucket: "always" })));
      assert.equal(stillRefused.code, "BucketNotEmpty", "the marker is left");
      await s3.send(
        new DeleteObjectCommand({ Bucket: "always", Key: "k", VersionId: deleted.VersionId }),
      );
      await s3.send(new DeleteBucketCommand({ Bucket: "always" }));
      s3.destroy();
    } finally {
      if (dir) await Deno.remove(dir, { recursive: true });
    }
  });

  Deno.test(`concurrent PUTs of one key all become versions, newest last written (${mode})`, async () => {
    const dir = mode === "--data" ? await Deno.makeTempDir({ prefix: "s3-conc-" }) : undefined;
    try {
      await using server = await testServer({ dataDir: dir });
      const s3 = s3Client(server.url);
      await s3.send(new CreateBucketCommand({ Bucket: "race" }));
      await enable(s3, "race");
      const ids = await Promise.all(
        Array.from({ length: 20 }, (_, i) => put(s3, "race", "k", `body ${i}`)),
      );
      assert.equal(new Set(ids).size, 20);
      const listed = await allVersions(s3, "race");
      assert.equal(listed.length, 20);
      assert.deepEqual(new Set(listed.map((line) => line.split(" ")[2])), new Set(ids));
      const latest = listed[0].split(" ");
      assert.equal(latest[3], "true");
      assert.equal((await read(s3, "race", "k")).id, latest[2]);
      s3.destroy();
    } finally {
      if (dir) await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("3,000 versions of one key page through ListObjectVersions with both markers, none lost", async () => {
  await using server = await testServer();
  const s3 = s3Client(server.url);
  await s3.send(new CreateBucketCommand({ Bucket: "deep" }));
  await enable(s3, "deep");
  const ids: string[] = [];
  for (let i = 0; i < 3000; i += 100) {
    ids.push(
      ...(await Promise.all(
        Array.from({ length: 100 }, (_, j) => put(s3, "deep", "k", `v${i + j}`)),
      )) as string[],
    );
  }
  const listed = await allVersions(s3, "deep", 700);
  assert.equal(listed.length, 3000);
  assert.equal(new Set(listed.map((line) => line.split(" ")[2])).size, 3000);
  assert.deepEqual(listed.map((line) => line.split(" ")[3]).filter((x) => x === "true"), ["true"]);
  s3.destroy();
});

/**
 * Deleting a key twice, and listing around its delete marker: the answers the embedded server
 * must give as Ceph RGW does (checked against both). A second delete of a key whose newest
 * version already is a marker adds none; ListObjectsV2 hides a key whose newest version is a
 * marker and shows it again once a newer version exists (the newest decides, not the oldest).
 */
async function deleteMarkerRules(s3: S3Client, bucket: string) {
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  try {
    await enable(s3, bucket);
    await put(s3, bucket, "k", "one");
    await put(s3, bucket, "stays", "here");
    const first = await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: "k" }));
    assert.equal(first.DeleteMarker, true);
    const second = await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: "k" }));
    assert.notEqual(second.DeleteMarker, true, "no second marker on a key already deleted");
    const kinds = (await allVersions(s3, bucket)).filter((v) => v.split(" ")[1] === "k")
      .map((v) => `${v[0]} ${v.split(" ")[3]}`).sort();
    assert.deepEqual(kinds, ["D true", "V false"], "one version and one marker, the marker newest");
    const listed = async () =>
      (await s3.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents?.map((o) => o.Key);
    assert.deepEqual(await listed(), ["stays"], "a key whose newest version is a marker is hidden");
    await put(s3, bucket, "k", "two");
    assert.deepEqual(await listed(), ["k", "stays"], "a newer version shows it again");
  } finally {
    for (const v of await allVersions(s3, bucket)) {
      const [, key, versionId] = v.split(" ");
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }));
    }
    await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
  }
}

Deno.test("a second delete adds no marker, and the newest version decides what ListObjectsV2 shows", async () => {
  await using server = await testServer();
  await deleteMarkerRules(s3Client(server.url), "markers");
});

rgwTest(
  "Ceph RGW: a second delete adds no marker, the newest version decides the listing",
  async (_t, endpoint) => {
    const s3 = s3Client(endpoint, DEMO_USERS[0]);
    try {
      await deleteMarkerRules(s3, `markers-${crypto.randomUUID().slice(0, 8)}`);
    } finally {
      s3.destroy();
    }
  },
);
