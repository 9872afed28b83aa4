/**
 * Cluster facts in the lib: each DreamObjects cluster's naming rules, names generated to be valid
 * on both, a connection's rules applied before any request, and errors that read the facts.
 */

import assert from "node:assert/strict";
import {
  bucketNameProblem,
  connect,
  createBucket,
  deleteBucket,
  deleteObject,
  emptyBucket,
  listBuckets,
  putObject,
  RGW,
  S3RequestError,
  setObjectAcl,
  uniqueBucketName,
  US_EAST_1,
  US_EAST_5,
} from "../../lib/mod.ts";
import { validateBucketName } from "../../lib/validate.ts";
import { startServer } from "../../server/mod.ts";
import { DEMO_USERS } from "../../server/demo_users.ts";
import { assertGoodMessage } from "../support/messages.ts";

const noEnv = { get: (_: string) => undefined };
const DEMO = DEMO_USERS[0];

Deno.test("validateBucketName() follows each cluster's rules and names the rule it broke", async (t) => {
  const cases: [string, string, RegExp][] = [
    ["a dot", "my.photos", /must not contain "\." on DreamObjects US-East 5; use "-" instead/],
    ["the b2- prefix", "b2-photos", /must not start with "b2-" on DreamObjects US-East 5/],
    ["5 characters", "abcde", /must be 6 to 63 characters on DreamObjects US-East 5, got 5/],
  ];
  for (const [why, name, rule] of cases) {
    await t.step(`valid on US-East 1, not on US-East 5: ${why} (${name})`, () => {
      assert.equal(validateBucketName(name, US_EAST_1.bucketNames), name);
      assert.equal(validateBucketName(name), name, "S3's general rules accept it too");
      assert.throws(() => validateBucketName(name, US_EAST_5.bucketNames), {
        name: "RangeError",
        message: rule,
      });
      assertGoodMessage(bucketNameProblem(name, US_EAST_5.bucketNames)!.replace(/^a/, "A"), why);
    });
  }
  await t.step("US-East 1 refuses a dot next to a hyphen and an IP address", () => {
    assert.throws(() => validateBucketName("my.-photos", US_EAST_1.bucketNames), /next to "-"/);
    assert.throws(() => validateBucketName("10.0.0.1", US_EAST_1.bucketNames), /IP address/);
  });
  await t.step(
    "US-East 5 allows digits (Backblaze's rules; DreamHost's article lists a-z, -)",
    () => {
      assert.equal(validateBucketName("bucket-74358734", US_EAST_5.bucketNames), "bucket-74358734");
    },
  );
});

Deno.test("uniqueBucketName() makes names valid on both DreamObjects clusters", () => {
  for (let i = 0; i < 200; i++) {
    const name = uniqueBucketName("demo");
    assert.equal(bucketNameProblem(name, US_EAST_1.bucketNames), undefined, name);
    assert.equal(bucketNameProblem(name, US_EAST_5.bucketNames), undefined, name);
  }
  assert.throws(() => uniqueBucketName("my.photos"), /US-East 5/);
  assert.match(uniqueBucketName("my.photos", RGW.bucketNames), /^my\.photos-\d{8}-[a-z0-9]{6}$/);
});

Deno.test("connect({ emulate: 'us-east-5' }) starts the stand-in and the lib follows its rules", async () => {
  await using s3 = await connect({ emulate: "us-east-5", env: noEnv });
  assert.equal(s3.target, "embedded");
  assert.equal(s3.cluster, US_EAST_5);
  assert.equal(s3.region, "us-east-005");
  assert.match(s3.toText(), /emulating DreamObjects US-East 5\) at http:\/\/127\.0\.0\.1:\d+/);
  const before = s3.trace.entries.length;
  for (const name of ["my.photos", "b2-photos", "abcde"]) {
    await assert.rejects(createBucket(s3, { name }), (error: Error) => {
      assert.ok(error instanceof RangeError, error.message);
      assert.match(error.message, /DreamObjects US-East 5/);
      assertGoodMessage(error.message, name);
      return true;
    });
    await assert.rejects(putObject(s3, name, "k", "x"), RangeError);
  }
  assert.equal(s3.trace.entries.length, before, "a refused name must send nothing");
  const bucket = await createBucket(s3);
  assert.deepEqual((await listBuckets(s3)).map((b) => b.name), [bucket]);
  // An object ACL is refused there, and the lib says what to do instead.
  await putObject(s3, bucket, "cloud.txt", "sky");
  const refused = await setObjectAcl(s3, bucket, "cloud.txt", "public-read").catch((e) => e);
  assert.ok(refused instanceof S3RequestError, String(refused));
  assert.equal(refused.code, "AccessControlListNotSupported");
  assert.match(refused.message, /inherit their bucket's permission; set the bucket's ACL/);
  assertGoodMessage(refused.message, "setObjectAcl() on US-East 5");
  // Deletes keep versions there: the delete leaves a marker, so the bucket is not empty yet.
  const deleted = await deleteObject(s3, bucket, "cloud.txt");
  assert.equal(deleted.deleteMarker, true);
  const refusedDelete = await deleteBucket(s3, bucket).catch((e) => e);
  assert.equal(refusedDelete.code, "BucketNotEmpty");
  await emptyBucket(s3, bucket);
  await deleteBucket(s3, bucket);
});

Deno.test("an endpoint named as a cluster takes that cluster's rules and region", async () => {
  await using server = await startServer({ port: 0, quiet: true, emulate: "us-east-5" });
  await using s3 = await connect({
    endpoint: server.url,
    cluster: "us-east-5",
    accessKeyId: DEMO.accessKeyId,
    secretAccessKey: DEMO.secretAccessKey,
    env: noEnv,
  });
  assert.equal(s3.target, "endpoint");
  assert.equal(s3.region, "us-east-005");
  assert.match(s3.toText(), /the S3 endpoint \(DreamObjects US-East 5\)/);
  await assert.rejects(createBucket(s3, { name: "my.photos" }), RangeError);
});

Deno.test("DREAMOBJECTS_CLUSTER names the cluster of DreamObjects or an endpoint, never the target", async () => {
  const keys = { accessKeyId: "AKIAEXAMPLE", secretAccessKey: "example-secret" };
  const env = new Map([["DREAMOBJECTS_CLUSTER", "us-east-1"]]);
  await using dream = await connect({ dreamobjects: true, ...keys, env });
  assert.equal(dream.endpoint, "https://objects-us-east-1.dream.io");
  await using server = await startServer({ port: 0, quiet: true, emulate: "us-east-5" });
  const east5 = new Map([["DREAMOBJECTS_CLUSTER", "us-east-5"], ["AWS_ENDPOINT_URL", server.url]]);
  await using endpoint = await connect({ ...keys, env: east5 });
  assert.equal(endpoint.target, "endpoint");
  assert.equal(endpoint.cluster, US_EAST_5);
  await using embedded = await connect({ env });
  assert.equal(
    embedded.target,
    "embedded",
    "the variable alone must not leave the embedded server",
  );
  assert.equal(embedded.cluster, RGW);
  await assert.rejects(
    connect({ dreamobjects: true, ...keys, env: new Map([["DREAMOBJECTS_CLUSTER", "west"]]) }),
    /DREAMOBJECTS_CLUSTER/,
  );
});

Deno.test("an unknown access key on one cluster says the keys may belong to the other", async () => {
  await using s3 = await connect({
    emulate: "us-east-5",
    accessKeyId: "KEYFROMUSEAST1",
    secretAccessKey: "not-a-secret-here",
    maxAttempts: 1,
    env: noEnv,
  });
  const error = await listBuckets(s3).catch((e) => e);
  assert.ok(error instanceof S3RequestError, String(error));
  assert.equal(error.code, "InvalidAccessKeyId");
  assert.match(error.message, /other DreamObjects cluster/);
  assert.match(error.message, /--cluster us-east-1/);
  assertGoodMessage(error.message, "InvalidAccessKeyId on US-East 5");
  // On Ceph RGW (no sibling cluster) the message stays the plain one.
  await using rgw = await connect({
    accessKeyId: "NOSUCHKEY",
    secretAccessKey: "not-a-secret-here",
    maxAttempts: 1,
    env: noEnv,
  });
  const plain = await listBuckets(rgw).catch((e) => e);
  assert.equal(plain.code, "InvalidAccessKeyId");
  assert.doesNotMatch(plain.message, /cluster/);
});

Deno.test("connect() refuses an unknown emulation and an emulation with another target", async () => {
  await assert.rejects(connect({ emulate: "us-west-1" as never, env: noEnv }), {
    name: "TypeError",
    message: /^Cannot emulate "us-west-1": use "rgw" or "us-east-5"/,
  });
  await assert.rejects(
    connect({ emulate: "us-east-5", dreamobjects: true, env: noEnv }),
    /choose one of/,
  );
});
