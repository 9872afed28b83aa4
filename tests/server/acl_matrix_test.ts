/**
 * The ACL matrix: the bucket owner grants the other demo user one permission at a time, on the
 * bucket and then on an object, and the other user tries every operation. The expected outcomes
 * were read from Ceph RGW; the same matrix runs on the embedded server and (when there is one)
 * on RGW, so both must keep agreeing.
 */

import assert from "node:assert/strict";
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetBucketAclCommand,
  GetObjectAclCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsCommand,
  type Permission,
  PutBucketAclCommand,
  PutObjectAclCommand,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { rgwTest } from "../support/engines.ts";
import { OTHER_USER, s3Client, testServer } from "../support/server.ts";

type Outcome = "ok" | number;

function policy(permission: Permission) {
  return {
    Owner: { ID: "demo" },
    Grants: [
      {
        Grantee: { Type: "CanonicalUser" as const, ID: "demo" },
        Permission: "FULL_CONTROL" as const,
      },
      { Grantee: { Type: "CanonicalUser" as const, ID: "other" }, Permission: permission },
    ],
  };
}

async function outcome(call: () => Promise<unknown>): Promise<Outcome> {
  try {
    await call();
    return "ok";
  } catch (error) {
    return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? -1;
  }
}

const BUCKET_EXPECTED: Record<string, Record<string, Outcome>> = {
  READ: {
    list: "ok",
    put: 403,
    getAcl: 403,
    putAcl: 403,
    head: "ok",
    get: 403,
    delete: 403,
    uploads: "ok",
  },
  WRITE: {
    list: 403,
    put: "ok",
    getAcl: 403,
    putAcl: 403,
    head: 403,
    get: 403,
    delete: "ok",
    uploads: 403,
  },
  READ_ACP: {
    list: 403,
    put: 403,
    getAcl: "ok",
    putAcl: 403,
    head: 403,
    get: 403,
    delete: 403,
    uploads: 403,
  },
  WRITE_ACP: {
    list: 403,
    put: 403,
    getAcl: 403,
    putAcl: "ok",
    head: 403,
    get: 403,
    delete: 403,
    uploads: 403,
  },
  FULL_CONTROL: {
    list: "ok",
    put: "ok",
    getAcl: "ok",
    putAcl: "ok",
    head: "ok",
    get: 403,
    delete: "ok",
    uploads: "ok",
  },
};

const OBJECT_EXPECTED: Record<string, Record<string, Outcome>> = {
  READ: { get: "ok", head: "ok", getAcl: 403, putAcl: 403, copy: 403 },
  READ_ACP: { get: 403, head: 403, getAcl: "ok", putAcl: 403, copy: 403 },
  WRITE_ACP: { get: 403, head: 403, getAcl: 403, putAcl: "ok", copy: 403 },
};

async function runMatrix(owner: S3Client, other: S3Client, bucket: string) {
  const bucketSeen: Record<string, Record<string, Outcome>> = {};
  const objectSeen: Record<string, Record<string, Outcome>> = {};
  await owner.send(new CreateBucketCommand({ Bucket: bucket }));
  try {
    await owner.send(new PutObjectCommand({ Bucket: bucket, Key: "k", Body: "hello" }));
    for (const permission of Object.keys(BUCKET_EXPECTED) as Permission[]) {
      await owner.send(
        new PutBucketAclCommand({ Bucket: bucket, AccessControlPolicy: policy(permission) }),
      );
      bucketSeen[permission] = {
        list: await outcome(() => other.send(new ListObjectsCommand({ Bucket: bucket }))),
        put: await outcome(() =>
          other.send(new PutObjectCommand({ Bucket: bucket, Key: `o-${permission}`, Body: "x" }))
        ),
        getAcl: await outcome(() => other.send(new GetBucketAclCommand({ Bucket: bucket }))),
        putAcl: await outcome(() =>
          other.send(
            new PutBucketAclCommand({ Bucket: bucket, AccessControlPolicy: policy(permission) }),
          )
        ),
        head: await outcome(() => other.send(new HeadBucketCommand({ Bucket: bucket }))),
        get: await outcome(() => other.send(new GetObjectCommand({ Bucket: bucket, Key: "k" }))),
        delete: await outcome(() =>
          other.send(new DeleteObjectCommand({ Bucket: bucket, Key: "zzz" }))
        ),
        uploads: await outcome(() =>
          other.send(new ListMultipartUploadsCommand({ Bucket: bucket }))
        ),
      };
    }
    await owner.send(new PutBucketAclCommand({ Bucket: bucket, ACL: "private" }));
    for (const permission of Object.keys(OBJECT_EXPECTED) as Permission[]) {
      await owner.send(
        new PutObjectAclCommand({
          Bucket: bucket,
          Key: "k",
          AccessControlPolicy: policy(permission),
        }),
      );
      objectSeen[permission] = {
        get: await outcome(() => other.send(new GetObjectCommand({ Bucket: bucket, Key: "k" }))),
        head: await outcome(() => other.send(new HeadObjectCommand({ Bucket: bucket, Key: "k" }))),
        getAcl: await outcome(() =>
          other.send(new GetObjectAclCommand({ Bucket: bucket, Key: "k" }))
        ),
        putAcl: await outcome(() =>
          other.send(
            new PutObjectAclCommand({
              Bucket: bucket,
              Key: "k",
              AccessControlPolicy: policy(permission),
            }),
          )
        ),
        copy: await outcome(() =>
          other.send(
            new CopyObjectCommand({ Bucket: bucket, Key: "copy", CopySource: `${bucket}/k` }),
          )
        ),
      };
    }
  } finally {
    await owner.send(new PutBucketAclCommand({ Bucket: bucket, ACL: "private" })).catch(() => {});
    const listed = await owner.send(new ListObjectsCommand({ Bucket: bucket })).catch(() =>
      undefined
    );
    for (const item of listed?.Contents ?? []) {
      await owner.send(new DeleteObjectCommand({ Bucket: bucket, Key: item.Key })).catch(() => {});
    }
    await owner.send(new DeleteBucketCommand({ Bucket: bucket })).catch(() => {});
  }
  return { bucketSeen, objectSeen };
}

Deno.test("the ACL matrix of the embedded server is RGW's", async () => {
  await using server = await testServer();
  const owner = s3Client(server.url);
  const other = s3Client(server.url, OTHER_USER);
  const { bucketSeen, objectSeen } = await runMatrix(owner, other, "acl-matrix");
  assert.deepEqual(bucketSeen, BUCKET_EXPECTED);
  assert.deepEqual(objectSeen, OBJECT_EXPECTED);
  owner.destroy();
  other.destroy();
});

rgwTest(
  "the ACL matrix of Ceph RGW is still the one the embedded server follows",
  async (_t, endpoint) => {
    const owner = s3Client(endpoint);
    const other = s3Client(endpoint, OTHER_USER);
    const bucket = `acl-matrix-${crypto.randomUUID().slice(0, 8)}`;
    const { bucketSeen, objectSeen } = await runMatrix(owner, other, bucket);
    assert.deepEqual(bucketSeen, BUCKET_EXPECTED);
    assert.deepEqual(objectSeen, OBJECT_EXPECTED);
    owner.destroy();
    other.destroy();
  },
);
