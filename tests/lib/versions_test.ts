/**
 * lib/versions.ts and the `versionId` options of lib/objects.ts, on the embedded server and on
 * Ceph RGW: enable and suspend versioning, read and delete older versions, list versions and
 * delete markers page by page, and emptyBucket() removing every version and marker (also on a
 * server that has no ListObjectVersions).
 */

import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import http from "node:http";
import {
  connect,
  type Connection,
  createBucket,
  deleteBucket,
  deleteObject,
  emptyBucket,
  getBytes,
  getStream,
  getText,
  getVersioning,
  headObject,
  listVersions,
  putObject,
  setVersioning,
} from "../../lib/mod.ts";
import { DEMO_USERS } from "../../server/demo_users.ts";
import { rgwTest } from "../support/engines.ts";
import { testServer } from "../support/server.ts";

const noEnv = { get: (_: string) => undefined };

function connectTo(endpoint: string): Promise<Connection> {
  const demo = DEMO_USERS[0];
  return connect({
    endpoint,
    accessKeyId: demo.accessKeyId,
    secretAccessKey: demo.secretAccessKey,
    env: noEnv,
  });
}

async function collect<T>(iterator: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterator) out.push(item);
  return out;
}

/** The versioning story, run the same on any engine. */
async function versionStory(s3: Connection) {
  const bucket = await createBucket(s3, { prefix: "lib-versions" });
  try {
    assert.equal(await getVersioning(s3, bucket), "Unversioned");
    await putObject(s3, bucket, "notes.txt", "before versioning");
    await setVersioning(s3, bucket, true);
    assert.equal(await getVersioning(s3, bucket), "Enabled");
    const v1 = (await putObject(s3, bucket, "notes.txt", "first", { metadata: { n: "1" } }))
      .versionId!;
    const v2 = (await putObject(s3, bucket, "notes.txt", "second")).versionId!;
    assert.ok(v1 && v2 && v1 !== v2 && v1 !== "null");
    assert.equal(await getText(s3, bucket, "notes.txt"), "second");
    assert.equal(await getText(s3, bucket, "notes.txt", { versionId: v1 }), "first");
    assert.equal(
      await getText(s3, bucket, "notes.txt", { versionId: "null" }),
      "before versioning",
    );
    assert.deepEqual(
      await getBytes(s3, bucket, "notes.txt", { versionId: v1 }),
      new TextEncoder().encode("first"),
    );
    const stream = await getStream(s3, bucket, "notes.txt", { versionId: v2 });
    assert.equal(await new Response(stream).text(), "second");
    const head = await headObject(s3, bucket, "notes.txt", { versionId: v1 });
    assert.equal(head.versionId, v1);
    assert.deepEqual(head.metadata, { n: "1" });
    assert.equal(head.size, 5);

    const marker = await deleteObject(s3, bucket, "notes.txt");
    assert.equal(marker.deleteMarker, true);
    assert.ok(marker.versionId);
    const gone = await getText(s3, bucket, "notes.txt").catch((e) => e);
    assert.equal(gone.code, "NoSuchKey");
    assert.match(gone.message, /notes\.txt/);
    const missing = await getText(s3, bucket, "notes.txt", { versionId: marker.versionId })
      .catch((e) => e);
    assert.equal(missing.status, 404);
    assert.match(missing.message, /version ".+" of ".+\/notes\.txt"/);

    await putObject(s3, bucket, "other.txt", "other");
    const all = await collect(listVersions(s3, bucket));
    assert.deepEqual(
      all.map((v) => [v.key, v.versionId, v.isLatest, v.deleteMarker]),
      [
        ["notes.txt", marker.versionId, true, true],
        ["notes.txt", v2, false, false],
        ["notes.txt", v1, false, false],
        ["notes.txt", "null", false, false],
        ["other.txt", all[4].versionId, true, false],
      ],
    );
    assert.equal(all[2].size, 5);
    // Page by page, with both markers: the same entries.
    assert.deepEqual(await collect(listVersions(s3, bucket, { pageSize: 1 })), all);
    assert.deepEqual(
      (await collect(listVersions(s3, bucket, { prefix: "other" }))).map((v) => v.key),
      ["other.txt"],
    );

    // The marker removed by id: the object is back.
    assert.deepEqual(await deleteObject(s3, bucket, "notes.txt", { versionId: marker.versionId }), {
      versionId: marker.versionId,
      deleteMarker: true,
    });
    assert.equal(await getText(s3, bucket, "notes.txt"), "second");
    await setVersioning(s3, bucket, false);
    assert.equal(await getVersioning(s3, bucket), "Suspended");
    // Suspended: the delete replaces the null version ("before versioning") with a null marker.
    await deleteObject(s3, bucket, "notes.txt");
    const refused = await deleteBucket(s3, bucket).catch((e) => e);
    assert.equal(refused.code, "BucketNotEmpty");
    assert.equal(await emptyBucket(s3, bucket), 4); // the null marker, v2, v1 and other.txt
    assert.deepEqual(await collect(listVersions(s3, bucket)), []);
  } finally {
    await emptyBucket(s3, bucket).catch(() => {});
    await deleteBucket(s3, bucket);
  }
}

Deno.test("versions: set, read, list and delete versions through the lib (embedded)", async () => {
  await using s3 = await connect({ env: noEnv });
  await versionStory(s3);
});

rgwTest("versions: set, read, list and delete versions through the lib (RGW)", async (_t, url) => {
  await using s3 = await connectTo(url);
  await versionStory(s3);
});

Deno.test("emptyBucket() removes 2,500 versions and markers, one DeleteObjects per page", async () => {
  await using server = await testServer({ versioningOnCreate: true });
  await using s3 = await connectTo(server.url);
  const bucket = await createBucket(s3, { prefix: "lib-empty" });
  for (let i = 0; i < 500; i++) {
    await Promise.all([
      putObject(s3, bucket, `k${i % 50}`, `a${i}`),
      putObject(s3, bucket, `k${i % 50}`, `b${i}`),
      putObject(s3, bucket, `k${i % 50}`, `c${i}`),
      putObject(s3, bucket, `k${i % 50}`, `d${i}`),
    ]);
    await deleteObject(s3, bucket, `k${i % 50}`);
  }
  assert.equal(await emptyBucket(s3, bucket), 2500);
  // The trace keeps the last 1000 exchanges: all of emptyBucket's; the PUTs made no POST.
  const deletes = s3.trace.entries.filter((e) => e.method === "POST").length;
  assert.equal(deletes, 3, "1000 + 1000 + 500");
  await deleteBucket(s3, bucket);
});

Deno.test("emptyBucket() still works on a server without ListObjectVersions", async () => {
  await using server = await testServer();
  // A front that answers ?versions as a server without versioning does, and passes the rest on
  // untouched (Host included, so signatures still match).
  const front = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, (request) => {
    const url = new URL(request.url);
    if (url.searchParams.has("versions")) {
      return new Response(
        "<Error><Code>NotImplemented</Code><Message>not here</Message></Error>",
        { status: 501, headers: { "content-type": "application/xml" } },
      );
    }
    return forward(request, server.port);
  });
  try {
    await using s3 = await connectTo(`http://127.0.0.1:${front.addr.port}`);
    const bucket = await createBucket(s3, { prefix: "lib-plain" });
    for (let i = 0; i < 5; i++) await putObject(s3, bucket, `k${i}`, "x");
    assert.equal(await emptyBucket(s3, bucket), 5);
    await deleteBucket(s3, bucket);
  } finally {
    await front.shutdown();
  }
});

/** Passes a request on to 127.0.0.1:port as received. */
async function forward(request: Request, port: number): Promise<Response> {
  const url = new URL(request.url);
  const body = new Uint8Array(await request.arrayBuffer());
  return await new Promise((resolve, reject) => {
    const req = http.request({
      host: "127.0.0.1",
      port,
      method: request.method,
      path: url.pathname + url.search,
      headers: Object.fromEntries(request.headers),
      agent: false,
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        const headers = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          if (typeof value === "string") headers.set(name, value);
        }
        const status = res.statusCode ?? 502;
        const noBody = request.method === "HEAD" || status === 204 || status === 304;
        resolve(new Response(noBody ? null : Buffer.concat(chunks), { status, headers }));
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

Deno.test("versions functions follow the connected cluster's bucket-name rules", async () => {
  await using east5 = await connect({ emulate: "us-east-5", env: { get: () => undefined } });
  const dots = /^RangeError: Invalid bucket name "my\.photos": .*"\." on DreamObjects US-East 5/;
  await assert.rejects(() => Array.fromAsync(listVersions(east5, "my.photos")), dots);
  await assert.rejects(() => setVersioning(east5, "my.photos", true), dots);
  await assert.rejects(() => getVersioning(east5, "my.photos"), dots);
});
