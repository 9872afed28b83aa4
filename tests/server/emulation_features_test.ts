/**
 * `--emulate us-east-5` answers each feature beyond the tour as DREAMOBJECTS.md records it for
 * Backblaze B2's S3 API: object tagging refused in B2's words, lifecycle and bucket policy
 * answered in B2's own words, checksums and conditional writes accepted, SSE-B2 kept and echoed,
 * object lock not emulated. Each is checked against the same request on the default `rgw`
 * behaviour, which must stay as it was.
 */

import assert from "node:assert/strict";
import {
  CreateBucketCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketPolicyCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { TAGGING_REFUSED } from "../../server/emulation.ts";
import { DEMO_USERS } from "../../server/demo_users.ts";
import { s3Client, testServer } from "../support/server.ts";

/** A rejected SDK call's status, code and message. */
async function refused(call: Promise<unknown>) {
  try {
    await call;
  } catch (error) {
    const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { status: e.$metadata?.httpStatusCode, code: e.name, message: e.message };
  }
  throw new Error("Expected the S3 call to fail, but it succeeded");
}

async function withBucket(
  emulate: "rgw" | "us-east-5",
  fn: (client: S3Client, bucket: string, url: string) => Promise<void>,
) {
  await using server = await testServer({ emulate });
  const client = s3Client(server.url);
  try {
    await client.send(new CreateBucketCommand({ Bucket: "feature-bucket" }));
    await client.send(new PutObjectCommand({ Bucket: "feature-bucket", Key: "k", Body: "sky" }));
    await fn(client, "feature-bucket", server.url);
  } finally {
    client.destroy();
  }
}

Deno.test("us-east-5 refuses object tagging in B2's words; rgw takes it", async (t) => {
  for (const emulate of ["rgw", "us-east-5"] as const) {
    await t.step(emulate, async () => {
      await withBucket(emulate, async (client, bucket) => {
        const upload = () =>
          client.send(
            new PutObjectCommand({ Bucket: bucket, Key: "tagged", Body: "x", Tagging: "a=1" }),
          );
        const tagging = () =>
          client.send(
            new PutObjectTaggingCommand({
              Bucket: bucket,
              Key: "k",
              Tagging: { TagSet: [{ Key: "a", Value: "1" }] },
            }),
          );
        if (emulate === "rgw") {
          assert.equal((await upload()).$metadata.httpStatusCode, 200);
          assert.equal((await tagging()).$metadata.httpStatusCode, 200);
          return;
        }
        const expected = { status: 400, code: "InvalidArgument", message: TAGGING_REFUSED };
        assert.deepEqual(await refused(upload()), expected);
        assert.deepEqual(await refused(tagging()), expected);
        // Nothing was stored by the refused upload, and the object has no tags.
        assert.equal(
          (await refused(client.send(new HeadObjectCommand({ Bucket: bucket, Key: "tagged" }))))
            .status,
          404,
        );
        const tags = await client.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: "k" }));
        assert.deepEqual(tags.TagSet ?? [], []);
      });
    });
  }
});

Deno.test("us-east-5 answers lifecycle and bucket policy in B2's own words", async () => {
  await withBucket("us-east-5", async (client, bucket) => {
    assert.deepEqual(
      await refused(client.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }))),
      { status: 501, code: "NotImplemented", message: "This API call is not supported." },
    );
    assert.deepEqual(
      await refused(client.send(new GetBucketPolicyCommand({ Bucket: bucket }))),
      {
        status: 501,
        code: "NotImplemented",
        message: "Backblaze B2 does not support this API call",
      },
    );
    assert.deepEqual(
      await refused(client.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: "{}" }))),
      {
        status: 501,
        code: "NotImplemented",
        message: "Backblaze B2 does not support this API call",
      },
    );
  });
  await withBucket("rgw", async (client, bucket) => {
    const policy = await refused(client.send(new GetBucketPolicyCommand({ Bucket: bucket })));
    assert.equal(policy.status, 501);
    assert.notEqual(policy.message, "Backblaze B2 does not support this API call");
  });
});

Deno.test("us-east-5 takes checksums (as reported in 2026) and conditional writes (our choice)", async () => {
  await withBucket("us-east-5", async (_client, bucket, url) => {
    const user = DEMO_USERS[0];
    const sdk = new S3Client({
      endpoint: url,
      region: "us-east-005",
      forcePathStyle: true,
      credentials: { accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey },
      requestChecksumCalculation: "WHEN_SUPPORTED",
      maxAttempts: 1,
    });
    try {
      const put = await sdk.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: "sum",
          Body: "123456789",
          ChecksumAlgorithm: "CRC32",
        }),
      );
      assert.equal(put.ChecksumCRC32, "y/Q5Jg==");
      const head = await sdk.send(
        new HeadObjectCommand({ Bucket: bucket, Key: "sum", ChecksumMode: "ENABLED" }),
      );
      assert.equal(head.ChecksumCRC32, "y/Q5Jg==");
      const again = await refused(
        sdk.send(new PutObjectCommand({ Bucket: bucket, Key: "sum", Body: "x", IfNoneMatch: "*" })),
      );
      assert.equal(again.status, 412);
    } finally {
      sdk.destroy();
    }
  });
});

Deno.test("us-east-5 keeps and echoes SSE-B2 (AES256), refuses other SSE; rgw ignores the header", async () => {
  await withBucket("us-east-5", async (client, bucket) => {
    const put = await client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: "sealed",
        Body: "x",
        ServerSideEncryption: "AES256",
      }),
    );
    assert.equal(put.ServerSideEncryption, "AES256");
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: "sealed" }));
    assert.equal(head.ServerSideEncryption, "AES256");
    const kms = await refused(
      client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: "kms",
          Body: "x",
          ServerSideEncryption: "aws:kms",
        }),
      ),
    );
    assert.equal(kms.status, 400);
    assert.equal(kms.code, "InvalidArgument");
  });
  await withBucket("rgw", async (client, bucket) => {
    await client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: "sealed",
        Body: "x",
        ServerSideEncryption: "AES256",
      }),
    );
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: "sealed" }));
    assert.equal(head.ServerSideEncryption, undefined);
  });
});

Deno.test("us-east-5 refuses Object Lock headers (not emulated) instead of storing an unlocked object", async () => {
  await withBucket("us-east-5", async (client, bucket) => {
    const locked = await refused(
      client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: "locked",
          Body: "x",
          ObjectLockMode: "GOVERNANCE",
          ObjectLockRetainUntilDate: new Date(Date.now() + 86_400_000),
        }),
      ),
    );
    assert.equal(locked.status, 501);
    assert.equal(locked.code, "NotImplemented");
    assert.equal(
      (await refused(client.send(new HeadObjectCommand({ Bucket: bucket, Key: "locked" })))).status,
      404,
    );
  });
});
