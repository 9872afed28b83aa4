/**
 * `--emulate us-east-5`: the embedded server follows DreamObjects US-East 5's documented rules
 * (Backblaze B2's S3-compatible API): Signature V4 only, bucket-level permissions only, its bucket
 * naming rules, no anonymous listing, region us-east-005. Each rule is checked against the same
 * request on the default `rgw` behaviour, which must stay as it was.
 */

import assert from "node:assert/strict";
import {
  CreateBucketCommand,
  GetBucketAclCommand,
  GetBucketLocationCommand,
  GetObjectAclCommand,
  GetObjectCommand,
  PutBucketAclCommand,
  PutObjectAclCommand,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import type { RunningServer } from "../../server/mod.ts";
import { V2_REFUSED } from "../../server/emulation.ts";
import { OTHER_USER, s3Client, s3Failure, testServer } from "../support/server.ts";
import { presignV2, type RawRequest, signV2 } from "../support/signing.ts";
import { queryString } from "../support/raw_http.ts";
import { DEMO_USERS } from "../../server/demo_users.ts";

const DEMO = DEMO_USERS[0];
const ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers";

/** Sends a raw request (signed or not) and returns status, error code and message. */
async function send(server: RunningServer, request: RawRequest) {
  const query = request.query ? `?${queryString(request.query)}` : "";
  const response = await fetch(`${server.url}${request.path}${query}`, {
    method: request.method,
    headers: request.headers,
  });
  const text = await response.text();
  return {
    status: response.status,
    code: /<Code>([^<]*)<\/Code>/.exec(text)?.[1],
    message: /<Message>([^<]*)<\/Message>/.exec(text)?.[1],
    text,
  };
}

/** An emulated server with the demo user's bucket holding one object. */
async function withBucket(
  emulate: "rgw" | "us-east-5",
  fn: (server: RunningServer, client: S3Client, bucket: string) => Promise<void>,
) {
  await using server = await testServer({ emulate });
  const client = s3Client(server.url);
  try {
    const bucket = "emulated-bucket";
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: "cloud.txt", Body: "sky" }));
    await fn(server, client, bucket);
  } finally {
    client.destroy();
  }
}

function grantsOf(out: { Grants?: { Grantee?: { URI?: string }; Permission?: string }[] }) {
  return (out.Grants ?? []).map((g) => `${g.Grantee?.URI ?? "owner"} ${g.Permission}`).sort();
}

Deno.test("us-east-5 refuses a V2-signed request with 400 InvalidRequest, as Backblaze B2 does; rgw accepts it", async () => {
  for (const emulate of ["rgw", "us-east-5"] as const) {
    await withBucket(emulate, async (server, _client, bucket) => {
      const signed = signV2(
        { method: "GET", host: "", path: `/${bucket}/cloud.txt` },
        DEMO,
        new Date(),
      );
      const got = await send(server, signed);
      if (emulate === "rgw") {
        assert.equal(got.status, 200, got.text);
        assert.equal(got.text, "sky");
      } else {
        assert.deepEqual([got.status, got.code, got.message], [400, "InvalidRequest", V2_REFUSED]);
      }
    });
  }
});

Deno.test("us-east-5 refuses a V2-presigned URL with 400 InvalidRequest; rgw serves it", async () => {
  for (const emulate of ["rgw", "us-east-5"] as const) {
    await withBucket(emulate, async (server, _client, bucket) => {
      const expires = new Date(Date.now() + 300_000);
      const url = presignV2(
        { method: "GET", host: "", path: `/${bucket}/cloud.txt` },
        DEMO,
        expires,
      );
      const got = await send(server, url);
      assert.deepEqual(
        [got.status, got.code],
        emulate === "rgw" ? [200, undefined] : [400, "InvalidRequest"],
        got.text,
      );
    });
  }
});

Deno.test("us-east-5 takes V4 and reports region us-east-005", async () => {
  await withBucket("us-east-5", async (_server, client, bucket) => {
    const out = await client.send(new GetBucketLocationCommand({ Bucket: bucket }));
    assert.equal(out.LocationConstraint, "us-east-005");
  });
});

Deno.test("us-east-5 refuses bucket names US-East 1 accepts with 400 InvalidBucketName naming the rule", async (t) => {
  for (
    const [why, name, rule] of [
      ["with a dot", "my.photos", /"\."/],
      ["starting with b2-", "b2-photos", /"b2-"/],
      ["of 5 characters", "abcde", /6 to 63/],
    ] as const
  ) {
    await t.step(`a name ${why} (${name})`, async () => {
      await using east5 = await testServer({ emulate: "us-east-5" });
      await using rgw = await testServer();
      const [client5, clientRgw] = [s3Client(east5.url), s3Client(rgw.url)];
      try {
        const refused = await client5.send(new CreateBucketCommand({ Bucket: name }))
          .catch((e) => e);
        assert.equal(refused.$metadata?.httpStatusCode, 400);
        assert.equal(refused.name, "InvalidBucketName");
        assert.match(refused.message, rule);
        await clientRgw.send(new CreateBucketCommand({ Bucket: name }));
      } finally {
        client5.destroy();
        clientRgw.destroy();
      }
    });
  }
  await t.step("six characters with digits are accepted (Backblaze allows digits)", async () => {
    await using east5 = await testServer({ emulate: "us-east-5" });
    const client = s3Client(east5.url);
    try {
      const out = await client.send(new CreateBucketCommand({ Bucket: "demo42" }));
      assert.equal(out.$metadata.httpStatusCode, 200);
    } finally {
      client.destroy();
    }
  });
});

Deno.test("us-east-5: GetObjectAcl returns the bucket's ACL and objects inherit the bucket's permission", async () => {
  await withBucket("us-east-5", async (server, client, bucket) => {
    const url = `${server.url}/${bucket}/cloud.txt`;
    assert.equal((await fetch(url).then(async (r) => [r.status, await r.text()]))[0], 403);
    const other = s3Client(server.url, OTHER_USER);
    try {
      await client.send(new PutBucketAclCommand({ Bucket: bucket, ACL: "public-read" }));
      const objectAcl = await client.send(
        new GetObjectAclCommand({ Bucket: bucket, Key: "cloud.txt" }),
      );
      const bucketAcl = await client.send(new GetBucketAclCommand({ Bucket: bucket }));
      assert.deepEqual(grantsOf(objectAcl), grantsOf(bucketAcl));
      assert.ok(grantsOf(objectAcl).includes(`${ALL_USERS} READ`), grantsOf(objectAcl).join());
      const anonymous = await fetch(url);
      assert.deepEqual([anonymous.status, await anonymous.text()], [200, "sky"]);
      // Another user reads it too, through the bucket's grant to everyone.
      const theirs = await other.send(new GetObjectCommand({ Bucket: bucket, Key: "cloud.txt" }));
      assert.equal(await theirs.Body?.transformToString(), "sky");
      await client.send(new PutBucketAclCommand({ Bucket: bucket, ACL: "private" }));
      const again = await fetch(url);
      await again.body?.cancel();
      assert.equal(again.status, 403);
    } finally {
      other.destroy();
    }
  });
});

Deno.test("us-east-5: PutObjectAcl succeeds only when it asks for the bucket's own ACL", async () => {
  await withBucket("us-east-5", async (_server, client, bucket) => {
    const put = (ACL: "private" | "public-read") =>
      client.send(new PutObjectAclCommand({ Bucket: bucket, Key: "cloud.txt", ACL }));
    assert.equal((await put("private")).$metadata.httpStatusCode, 200);
    assert.deepEqual(await s3Failure(put("public-read")), {
      status: 400,
      code: "AccessControlListNotSupported",
    });
    await client.send(new PutBucketAclCommand({ Bucket: bucket, ACL: "public-read" }));
    assert.equal((await put("public-read")).$metadata.httpStatusCode, 200);
    assert.deepEqual(await s3Failure(put("private")), {
      status: 400,
      code: "AccessControlListNotSupported",
    });
  });
});

Deno.test("us-east-5: an upload asking for an ACL other than its bucket's is refused; rgw stores it", async () => {
  for (const emulate of ["rgw", "us-east-5"] as const) {
    await withBucket(emulate, async (_server, client, bucket) => {
      const upload = client.send(
        new PutObjectCommand({ Bucket: bucket, Key: "open.txt", Body: "x", ACL: "public-read" }),
      );
      if (emulate === "rgw") {
        assert.equal((await upload).$metadata.httpStatusCode, 200);
      } else {
        assert.deepEqual(await s3Failure(upload), {
          status: 400,
          code: "AccessControlListNotSupported",
        });
      }
    });
  }
});

Deno.test("us-east-5: PutBucketAcl takes only private and public-read, as a canned ACL", async () => {
  await withBucket("us-east-5", async (server, client, bucket) => {
    assert.deepEqual(
      await s3Failure(
        client.send(new PutBucketAclCommand({ Bucket: bucket, ACL: "public-read-write" })),
      ),
      { status: 400, code: "InvalidArgument" },
    );
    assert.deepEqual(
      await s3Failure(
        client.send(new PutBucketAclCommand({ Bucket: bucket, GrantRead: `uri="${ALL_USERS}"` })),
      ),
      { status: 501, code: "NotImplemented" },
    );
    const body = await client.send(new GetBucketAclCommand({ Bucket: bucket }));
    assert.deepEqual(
      await s3Failure(
        client.send(
          new PutBucketAclCommand({
            Bucket: bucket,
            AccessControlPolicy: { Owner: body.Owner, Grants: body.Grants },
          }),
        ),
      ),
      { status: 501, code: "NotImplemented" },
    );
    assert.deepEqual(
      await s3Failure(
        client.send(
          new CreateBucketCommand({ Bucket: "world-writable", ACL: "public-read-write" }),
        ),
      ),
      { status: 400, code: "InvalidArgument" },
    );
    // Nothing was created by the refused CreateBucket.
    const listing = await fetch(`${server.url}/world-writable`);
    await listing.body?.cancel();
    assert.equal(listing.status, 404);
  });
});

Deno.test("us-east-5 refuses an anonymous listing of a public bucket; rgw lists it", async () => {
  for (const emulate of ["rgw", "us-east-5"] as const) {
    await withBucket(emulate, async (server, client, bucket) => {
      await client.send(new PutBucketAclCommand({ Bucket: bucket, ACL: "public-read" }));
      const got = await send(server, { method: "GET", host: "", path: `/${bucket}` });
      if (emulate === "rgw") {
        assert.equal(got.status, 200);
        assert.match(got.text, /<Key>cloud\.txt<\/Key>/);
      } else {
        assert.deepEqual([got.status, got.code], [403, "AccessDenied"]);
        // The objects themselves are served.
        const object = await send(server, {
          method: "GET",
          host: "",
          path: `/${bucket}/cloud.txt`,
        });
        assert.deepEqual([object.status, object.text], [200, "sky"]);
      }
    });
  }
});
