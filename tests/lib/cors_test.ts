/**
 * The lib's web helpers on the embedded server and on Ceph RGW: CORS rules set, read and
 * deleted; a presigned POST form uploaded and read back, refused outside its size range or when
 * aimed at another bucket; preflights and form uploads shown in the trace.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  connect,
  type Connection,
  createBucket,
  deleteBucket,
  deleteBucketCors,
  deleteObject,
  emptyBucket,
  getBucketCors,
  getText,
  postForm,
  preflight,
  presignPost,
  publicUrl,
  setBucketCors,
} from "../../lib/mod.ts";
import { DEMO_USERS } from "../../server/demo_users.ts";
import { rgwTest } from "../support/engines.ts";

const noEnv = { get: (_: string) => undefined };
const ORIGIN = "http://app.test";

async function scenario(s3: Connection): Promise<void> {
  const bucket = await createBucket(s3, { prefix: "b-web" });
  try {
    const url = publicUrl(s3, bucket, "photo.png", { style: "path" });
    assert.deepEqual(await getBucketCors(s3, bucket), []);
    const before = await preflight(url, ORIGIN, { trace: s3.trace });
    assert.equal(before.status, 403);
    assert.equal(before.allowed, false);

    await setBucketCors(s3, bucket, [{
      AllowedOrigins: [ORIGIN],
      AllowedMethods: ["PUT", "POST", "GET"],
      AllowedHeaders: ["content-type"],
      ExposeHeaders: ["ETag"],
      MaxAgeSeconds: 600,
    }]);
    const rules = await getBucketCors(s3, bucket);
    assert.deepEqual(rules[0].AllowedMethods, ["GET", "PUT", "POST"]);
    assert.deepEqual(rules[0].ExposeHeaders, ["ETag"]);
    const after = await preflight(url, ORIGIN, { headers: ["Content-Type"], trace: s3.trace });
    assert.equal(after.status, 200);
    assert.ok(after.allowed);
    assert.equal(after.cors["access-control-allow-headers"], "Content-Type");
    assert.equal(after.cors["access-control-max-age"], "600");

    const post = await presignPost(s3, bucket, "form.txt", {
      contentLengthRange: [1, 64],
      contentType: "text/plain",
      fields: { "x-amz-meta-from": "form" },
    });
    const uploaded = await postForm(post, "sent by a form", { origin: ORIGIN, trace: s3.trace });
    assert.equal(uploaded.status, 204);
    assert.equal(uploaded.cors["access-control-allow-origin"], ORIGIN);
    assert.equal(await getText(s3, bucket, "form.txt"), "sent by a form");

    const tooBig = await postForm(post, "x".repeat(65));
    assert.deepEqual([tooBig.status, tooBig.code], [400, "EntityTooLarge"]);

    const operations = s3.trace.entries.map((e) => e.operation);
    assert.ok(operations.includes("Preflight") && operations.includes("PostObject"));
    const text = s3.trace.view().toText();
    assert.match(text, /OPTIONS /);
    assert.doesNotMatch(text, new RegExp(post.fields["X-Amz-Signature"] ?? "no-signature"));

    await deleteBucketCors(s3, bucket);
    assert.deepEqual(await getBucketCors(s3, bucket), []);
    assert.equal((await preflight(url, ORIGIN)).status, 403);
    await deleteObject(s3, bucket, "form.txt");
  } finally {
    await emptyBucket(s3, bucket).catch(() => {});
    await deleteBucket(s3, bucket).catch(() => {});
  }
}

Deno.test("CORS rules and a presigned POST form on the embedded server", async () => {
  await using s3 = await connect({ env: noEnv });
  await scenario(s3);
});

rgwTest("CORS rules and a presigned POST form on Ceph RGW", async (_t, endpoint) => {
  const demo = DEMO_USERS[0];
  await using s3 = await connect({
    endpoint,
    accessKeyId: demo.accessKeyId,
    secretAccessKey: demo.secretAccessKey,
    env: noEnv,
  });
  await scenario(s3);
});

Deno.test("a presigned POST for one bucket cannot upload to another", async () => {
  await using s3 = await connect({ env: noEnv });
  const signed = await createBucket(s3, { prefix: "b-signed" });
  const other = await createBucket(s3, { prefix: "b-other" });
  const post = await presignPost(s3, signed, "k.txt");
  const elsewhere = { ...post, url: post.url.replace(signed, other) };
  const answer = await postForm(elsewhere, "x");
  assert.deepEqual([answer.status, answer.code], [403, "AccessDenied"]);
  assert.equal((await postForm(post, "x")).status, 204);
  await deleteObject(s3, signed, "k.txt");
});

Deno.test("presignPost() refuses a size range that is not one", async () => {
  await using s3 = await connect({ env: noEnv });
  await assert.rejects(
    presignPost(s3, "some-bucket", "k", { contentLengthRange: [10, 1] }),
    RangeError,
  );
});
