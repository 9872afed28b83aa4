import assert from "node:assert/strict";
import {
  bucketExists,
  connect,
  createBucket,
  deleteBucket,
  emptyBucket,
  listBuckets,
  putObject,
  S3RequestError,
  uniqueBucketName,
} from "../../lib/mod.ts";
import { validateBucketName } from "../../lib/validate.ts";
import { CreateMultipartUploadCommand, ListMultipartUploadsCommand } from "@aws-sdk/client-s3";
import { DEMO_USERS } from "../../server/demo_users.ts";
import { rgwTest } from "../support/engines.ts";

const noEnv = { get: (_: string) => undefined };

Deno.test("validateBucketName() accepts names S3 accepts", () => {
  for (const name of ["abc", "my-photos", "a.b.c", "x".repeat(63), "1bucket9"]) {
    assert.equal(validateBucketName(name), name);
  }
});

Deno.test("validateBucketName() refuses bad names with the broken rule", async (t) => {
  const cases: [string, RegExp][] = [
    ["ab", /a name must be 3 to 63 characters, got 2/],
    ["x".repeat(64), /a name must be 3 to 63 characters, got 64/],
    ["My-Photos", /got "M"; use lower case/],
    ["my_photos", /got "_"/],
    ["-photos", /start and end with a letter or digit/],
    ["photos.", /start and end with a letter or digit/],
    ["my..photos", /must not contain "\.\."/],
    ["192.168.1.10", /must not look like an IP address/],
    ["xn--photos", /must not start with "xn--"/],
    ["photos-s3alias", /must not end with "-s3alias"/],
  ];
  for (const [name, why] of cases) {
    await t.step(`"${name.length > 20 ? name.slice(0, 10) + "…" : name}"`, () => {
      assert.throws(() => validateBucketName(name), (error: Error) => {
        assert.ok(error instanceof RangeError);
        assert.ok(error.message.startsWith(`Invalid bucket name "${name}": `), error.message);
        assert.match(error.message, why);
        return true;
      });
    });
  }
  assert.throws(() => validateBucketName(42 as unknown as string), TypeError);
});

Deno.test("uniqueBucketName() makes readable, valid, different names", () => {
  const a = uniqueBucketName("photos");
  const b = uniqueBucketName("photos");
  assert.match(a, /^photos-\d{8}-[a-z0-9]{6}$/);
  assert.notEqual(a, b);
  assert.throws(() => uniqueBucketName("Bad_Prefix"), RangeError);
});

Deno.test("createBucket(), listBuckets(), bucketExists() and deleteBucket() on the embedded server", async () => {
  await using s3 = await connect({ env: noEnv });
  const bucket = await createBucket(s3, { prefix: "life" });
  assert.match(bucket, /^life-\d{8}-/);
  assert.ok(s3.createdBuckets.has(bucket));
  const listed = await listBuckets(s3);
  assert.deepEqual(listed.map((b) => b.name), [bucket]);
  assert.ok(listed[0].created instanceof Date);
  assert.equal(await bucketExists(s3, bucket), true);
  await deleteBucket(s3, bucket);
  assert.ok(!s3.createdBuckets.has(bucket));
  assert.equal(await bucketExists(s3, bucket), false);
  assert.deepEqual(await listBuckets(s3), []);
});

Deno.test("createBucket() with an invalid name fails before sending anything", async () => {
  await using s3 = await connect({ env: noEnv });
  await assert.rejects(createBucket(s3, { name: "Bad_Name" }), RangeError);
  assert.equal(s3.trace.entries.length, 0);
});

Deno.test("createBucket() refuses an empty name and an unknown ACL without sending anything", async () => {
  await using s3 = await connect({ env: noEnv });
  await assert.rejects(createBucket(s3, { name: "" }), {
    name: "RangeError",
    message: /a name must be 3 to 63 characters, got 0/,
  });
  await assert.rejects(
    createBucket(s3, { name: "acl-typo", acl: "public_read" as "private" }),
    { name: "RangeError", message: /^Invalid canned ACL "public_read"/ },
  );
  assert.equal(s3.trace.entries.length, 0);
});

Deno.test("createBucket() explains a name another user owns", async () => {
  await using s3 = await connect({ env: noEnv });
  const bucket = await createBucket(s3, { prefix: "taken" });
  const other = DEMO_USERS[1];
  await using them = await connect({
    endpoint: s3.endpoint,
    accessKeyId: other.accessKeyId,
    secretAccessKey: other.secretAccessKey,
    env: noEnv,
  });
  const error = await createBucket(them, { name: bucket }).catch((e) => e);
  assert.ok(error instanceof S3RequestError, String(error));
  assert.equal(error.status, 409);
  assert.equal(error.code, "BucketAlreadyExists");
  assert.equal(error.bucket, bucket);
  assert.match(error.message, /is taken by another account; bucket names are global/);
  assert.equal(them.createdBuckets.size, 0);
});

Deno.test("deleteBucket() on a non-empty bucket explains BucketNotEmpty", async () => {
  await using s3 = await connect({ env: noEnv });
  const bucket = await createBucket(s3);
  await putObject(s3, bucket, "a.txt", "a");
  const error = await deleteBucket(s3, bucket).catch((e) => e);
  assert.ok(error instanceof S3RequestError);
  assert.equal(error.status, 409);
  assert.equal(error.code, "BucketNotEmpty");
  assert.ok(error.requestId, "the error should carry the request id");
  assert.equal(
    error.message,
    `Cannot delete bucket "${bucket}": 409 Conflict BucketNotEmpty: bucket "${bucket}" still ` +
      "holds objects; delete them first (deleteObject() or emptyBucket()), then delete the bucket",
  );
  assert.ok(s3.createdBuckets.has(bucket), "a bucket that was not deleted stays tracked");
});

Deno.test("deleteBucket() on a missing bucket explains NoSuchBucket", async () => {
  await using s3 = await connect({ env: noEnv });
  const error = await deleteBucket(s3, "no-such-bucket-here").catch((e) => e);
  assert.ok(error instanceof S3RequestError);
  assert.equal(error.code, "NoSuchBucket");
  assert.match(error.message, /bucket "no-such-bucket-here" does not exist; check the name/);
});

Deno.test("emptyBucket() deletes every object and aborts unfinished multipart uploads", async () => {
  await using s3 = await connect({ env: noEnv });
  const bucket = await createBucket(s3);
  for (let i = 0; i < 12; i++) await putObject(s3, bucket, `k/${i}.txt`, `${i}`);
  await s3.client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: "half.bin" }));
  assert.equal(await emptyBucket(s3, bucket), 12);
  const uploads = await s3.client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
  assert.equal(uploads.Uploads?.length ?? 0, 0);
  await deleteBucket(s3, bucket);
});

Deno.test("emptyBucket() deletes 2,500 objects in one DeleteObjects request per 1000 keys", async () => {
  await using s3 = await connect({ env: noEnv, trace: false });
  const bucket = await createBucket(s3);
  const keys = Array.from({ length: 2500 }, (_, i) => `many/${String(i).padStart(4, "0")}`);
  for (let i = 0; i < keys.length; i += 50) {
    await Promise.all(keys.slice(i, i + 50).map((key) => putObject(s3, bucket, key, "x")));
  }
  s3.trace.enabled = true;
  assert.equal(await emptyBucket(s3, bucket), 2500);
  const ops = s3.trace.entries.map((e) => e.operation);
  assert.equal(ops.filter((op) => op === "DeleteObjects").length, 3);
  assert.equal(ops.filter((op) => op === "DeleteObject").length, 0);
  await deleteBucket(s3, bucket);
});

rgwTest("bucket helpers behave the same on Ceph RGW", async (_t, endpoint) => {
  const demo = DEMO_USERS[0];
  await using s3 = await connect({
    endpoint,
    accessKeyId: demo.accessKeyId,
    secretAccessKey: demo.secretAccessKey,
    env: noEnv,
  });
  const bucket = await createBucket(s3, { prefix: "b-lib" });
  try {
    assert.equal(await bucketExists(s3, bucket), true);
    await putObject(s3, bucket, "a.txt", "a");
    const error = await deleteBucket(s3, bucket).catch((e) => e);
    assert.equal(error?.code, "BucketNotEmpty");
    assert.equal(await emptyBucket(s3, bucket), 1);
  } finally {
    await deleteBucket(s3, bucket);
  }
  assert.equal(await bucketExists(s3, bucket), false);
});
