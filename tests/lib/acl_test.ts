import assert from "node:assert/strict";
import {
  CANNED_ACLS,
  connect,
  createBucket,
  getBucketGrants,
  getObjectGrants,
  Grants,
  probe,
  putObject,
  setBucketAcl,
  setObjectAcl,
} from "../../lib/mod.ts";
import { validateCannedAcl } from "../../lib/validate.ts";
import { DEMO_USERS } from "../../server/demo_users.ts";
import { rgwTest } from "../support/engines.ts";

const noEnv = { get: (_: string) => undefined };

Deno.test("validateCannedAcl() refuses an unknown ACL and lists the known ones", () => {
  for (const acl of CANNED_ACLS) assert.equal(validateCannedAcl(acl), acl);
  assert.throws(() => validateCannedAcl("public"), {
    name: "RangeError",
    message: 'Invalid canned ACL "public": use one of "private", "public-read", ' +
      '"public-read-write", "authenticated-read"',
  });
});

Deno.test("setObjectAcl() public-read opens the object; getObjectGrants() shows who may read", async () => {
  await using s3 = await connect({ env: noEnv });
  const bucket = await createBucket(s3);
  await putObject(s3, bucket, "a.txt", "a");
  const before = await getObjectGrants(s3, bucket, "a.txt");
  assert.ok(before instanceof Grants);
  assert.equal(before.owner, DEMO_USERS[0].displayName);
  assert.deepEqual(before.grants, [{ grantee: "Demo User", permission: "FULL_CONTROL" }]);

  await setObjectAcl(s3, bucket, "a.txt", "public-read");
  const after = await getObjectGrants(s3, bucket, "a.txt");
  assert.deepEqual(
    [...after.grants].sort((x, y) => x.grantee.localeCompare(y.grantee)),
    [
      { grantee: "Demo User", permission: "FULL_CONTROL" },
      { grantee: "Everyone (anonymous)", permission: "READ" },
    ],
  );
  assert.match(after.toText(), /grantee\s+permission\n.*Everyone \(anonymous\)\s+READ/s);
  assert.match(after.toHtml(), /<td[^>]*>Everyone \(anonymous\)<\/td><td[^>]*>READ<\/td>/);
  assert.equal((await probe(`${s3.endpoint}/${bucket}/a.txt`)).status, 200);

  await setObjectAcl(s3, bucket, "a.txt", "private");
  assert.equal((await probe(`${s3.endpoint}/${bucket}/a.txt`)).status, 403);
  await assert.rejects(
    setObjectAcl(s3, bucket, "a.txt", "everyone" as "private"),
    RangeError,
  );
});

Deno.test("setBucketAcl() public-read lets anyone list the bucket", async () => {
  await using s3 = await connect({ env: noEnv });
  const bucket = await createBucket(s3);
  assert.equal((await probe(`${s3.endpoint}/${bucket}`)).status, 403);
  await setBucketAcl(s3, bucket, "public-read");
  const grants = await getBucketGrants(s3, bucket);
  assert.ok(
    grants.grants.some((g) => g.grantee === "Everyone (anonymous)" && g.permission === "READ"),
  );
  const listing = await probe(`${s3.endpoint}/${bucket}`);
  assert.equal(listing.status, 200);
  assert.match(listing.contentType ?? "", /xml/);
});

Deno.test("getObjectGrants() on someone else's object is refused with AccessDenied", async () => {
  await using s3 = await connect({ env: noEnv });
  const bucket = await createBucket(s3);
  await putObject(s3, bucket, "mine.txt", "mine");
  const other = DEMO_USERS[1];
  await using them = await connect({
    endpoint: s3.endpoint,
    accessKeyId: other.accessKeyId,
    secretAccessKey: other.secretAccessKey,
    env: noEnv,
  });
  const error = await getObjectGrants(them, bucket, "mine.txt").catch((e) => e);
  assert.equal(error?.name, "S3RequestError");
  assert.equal(error.code, "AccessDenied");
  assert.match(error.message, /^Cannot read the ACL of ".*\/mine.txt": 403 Forbidden AccessDenied/);
});

rgwTest("ACL helpers behave the same on Ceph RGW", async (_t, endpoint) => {
  const demo = DEMO_USERS[0];
  await using s3 = await connect({
    endpoint,
    accessKeyId: demo.accessKeyId,
    secretAccessKey: demo.secretAccessKey,
    env: noEnv,
  });
  const bucket = await createBucket(s3, { prefix: "b-acl" });
  try {
    await putObject(s3, bucket, "a.txt", "a");
    await setObjectAcl(s3, bucket, "a.txt", "public-read");
    const grants = await getObjectGrants(s3, bucket, "a.txt");
    assert.ok(
      grants.grants.some((g) => g.grantee === "Everyone (anonymous)" && g.permission === "READ"),
    );
    assert.equal((await probe(`${endpoint}/${bucket}/a.txt`)).status, 200);
  } finally {
    const { emptyBucket, deleteBucket } = await import("../../lib/mod.ts");
    await emptyBucket(s3, bucket);
    await deleteBucket(s3, bucket);
  }
});
