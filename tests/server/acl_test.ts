/**
 * ACLs on the embedded server: canned ACLs, grants headers and AccessControlPolicy bodies in;
 * grants out; and who may do what (owner, the other demo user, anonymous), as RGW decides.
 */

import assert from "node:assert/strict";
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetBucketAclCommand,
  GetObjectAclCommand,
  GetObjectCommand,
  ListObjectsCommand,
  PutBucketAclCommand,
  PutObjectAclCommand,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { ALL_USERS, AUTHENTICATED_USERS } from "../../server/acl.ts";
import { OTHER_USER, s3Client, s3Failure, testServer } from "../support/server.ts";

interface Actors {
  owner: S3Client;
  other: S3Client;
  url: string;
}

async function withActors(fn: (actors: Actors) => Promise<void>): Promise<void> {
  await using server = await testServer();
  const owner = s3Client(server.url);
  const other = s3Client(server.url, OTHER_USER);
  try {
    await fn({ owner, other, url: server.url });
  } finally {
    owner.destroy();
    other.destroy();
  }
}

async function anonymous(url: string, method = "GET", body?: string): Promise<number> {
  const response = await fetch(url, { method, body });
  await response.body?.cancel();
  return response.status;
}

Deno.test("a private bucket and object refuse the other user and anonymous with 403", async () => {
  await withActors(async ({ owner, other, url }) => {
    await owner.send(new CreateBucketCommand({ Bucket: "private-b" }));
    await owner.send(new PutObjectCommand({ Bucket: "private-b", Key: "k", Body: "secret" }));
    assert.equal(await anonymous(`${url}/private-b/k`), 403);
    assert.equal(await anonymous(`${url}/private-b`), 403);
    assert.equal(await anonymous(`${url}/private-b/k2`, "PUT", "x"), 403);
    // A missing key in a bucket one may not list is AccessDenied, not NoSuchKey (no leak).
    assert.equal(await anonymous(`${url}/private-b/missing`), 403);
    for (
      const call of [
        other.send(new GetObjectCommand({ Bucket: "private-b", Key: "k" })),
        other.send(new ListObjectsCommand({ Bucket: "private-b" })),
        other.send(new PutObjectCommand({ Bucket: "private-b", Key: "o", Body: "x" })),
        other.send(new DeleteObjectCommand({ Bucket: "private-b", Key: "k" })),
        other.send(new GetBucketAclCommand({ Bucket: "private-b" })),
        other.send(new GetObjectAclCommand({ Bucket: "private-b", Key: "k" })),
      ]
    ) {
      assert.deepEqual(await s3Failure(call), { status: 403, code: "AccessDenied" });
    }
  });
});

Deno.test("GetBucketAcl shows the owner's FULL_CONTROL and canned group grants as RGW", async () => {
  await withActors(async ({ owner }) => {
    await owner.send(new CreateBucketCommand({ Bucket: "canned", ACL: "public-read-write" }));
    const acl = await owner.send(new GetBucketAclCommand({ Bucket: "canned" }));
    assert.deepEqual(acl.Owner, { ID: "demo", DisplayName: "Demo User" });
    assert.deepEqual(acl.Grants, [
      { Grantee: { Type: "Group", URI: ALL_USERS }, Permission: "READ" },
      { Grantee: { Type: "Group", URI: ALL_USERS }, Permission: "WRITE" },
      {
        Grantee: { Type: "CanonicalUser", ID: "demo", DisplayName: "Demo User" },
        Permission: "FULL_CONTROL",
      },
    ]);
  });
});

Deno.test("public-read on an object lets anonymous and the other user GET it", async () => {
  await withActors(async ({ owner, other, url }) => {
    await owner.send(new CreateBucketCommand({ Bucket: "pub-obj" }));
    await owner.send(new PutObjectCommand({ Bucket: "pub-obj", Key: "k", Body: "hi" }));
    assert.equal(await anonymous(`${url}/pub-obj/k`), 403);
    await owner.send(new PutObjectAclCommand({ Bucket: "pub-obj", Key: "k", ACL: "public-read" }));
    assert.equal(await anonymous(`${url}/pub-obj/k`), 200);
    const got = await other.send(new GetObjectCommand({ Bucket: "pub-obj", Key: "k" }));
    assert.equal(await got.Body?.transformToString(), "hi");
    // Reading the object does not open the bucket listing.
    assert.equal(await anonymous(`${url}/pub-obj`), 403);
    const acl = await owner.send(new GetObjectAclCommand({ Bucket: "pub-obj", Key: "k" }));
    assert.deepEqual(acl.Grants?.map((g) => [g.Grantee?.URI ?? g.Grantee?.ID, g.Permission]), [
      [ALL_USERS, "READ"],
      ["demo", "FULL_CONTROL"],
    ]);
    await owner.send(
      new PutObjectCommand({ Bucket: "pub-obj", Key: "p", Body: "x", ACL: "public-read" }),
    );
    assert.equal(await anonymous(`${url}/pub-obj/p`), 200);
  });
});

Deno.test("public-read-write lets anonymous list and write; the bucket owner owns what it writes", async () => {
  await withActors(async ({ owner, other, url }) => {
    await owner.send(new CreateBucketCommand({ Bucket: "open-b", ACL: "public-read-write" }));
    assert.equal(await anonymous(`${url}/open-b`), 200);
    assert.equal(await anonymous(`${url}/open-b/anon`, "PUT", "from anonymous"), 200);
    await other.send(new PutObjectCommand({ Bucket: "open-b", Key: "theirs", Body: "x" }));
    const listed = await owner.send(new ListObjectsCommand({ Bucket: "open-b" }));
    assert.deepEqual(listed.Contents?.map((c) => [c.Key, c.Owner?.ID]), [
      ["anon", "demo"],
      ["theirs", "other"],
    ]);
    const got = await owner.send(new GetObjectCommand({ Bucket: "open-b", Key: "anon" }));
    assert.equal(await got.Body?.transformToString(), "from anonymous");
    // The other user's private object is theirs: the bucket owner may not read it, only delete it.
    assert.deepEqual(
      await s3Failure(owner.send(new GetObjectCommand({ Bucket: "open-b", Key: "theirs" }))),
      { status: 403, code: "AccessDenied" },
    );
    await owner.send(new DeleteObjectCommand({ Bucket: "open-b", Key: "theirs" }));
  });
});

Deno.test("authenticated-read lets signed users list but not anonymous", async () => {
  await withActors(async ({ owner, other, url }) => {
    await owner.send(new CreateBucketCommand({ Bucket: "auth-b" }));
    await owner.send(new PutBucketAclCommand({ Bucket: "auth-b", ACL: "authenticated-read" }));
    const listed = await other.send(new ListObjectsCommand({ Bucket: "auth-b" }));
    assert.equal(listed.$metadata.httpStatusCode, 200);
    assert.equal(await anonymous(`${url}/auth-b`), 403);
    const acl = await owner.send(new GetBucketAclCommand({ Bucket: "auth-b" }));
    assert.equal(acl.Grants?.[0].Grantee?.URI, AUTHENTICATED_USERS);
  });
});

Deno.test("an AccessControlPolicy body grants one user; the owner keeps only ACL rights", async () => {
  await withActors(async ({ owner, other }) => {
    await owner.send(new CreateBucketCommand({ Bucket: "policy-b" }));
    await owner.send(
      new PutBucketAclCommand({
        Bucket: "policy-b",
        AccessControlPolicy: {
          Owner: { ID: "demo" },
          Grants: [{ Grantee: { Type: "CanonicalUser", ID: "other" }, Permission: "READ" }],
        },
      }),
    );
    const listed = await other.send(new ListObjectsCommand({ Bucket: "policy-b" }));
    assert.equal(listed.$metadata.httpStatusCode, 200);
    // As in RGW, replacing the grants removed the owner's own WRITE.
    assert.deepEqual(
      await s3Failure(
        owner.send(new PutObjectCommand({ Bucket: "policy-b", Key: "k", Body: "x" })),
      ),
      { status: 403, code: "AccessDenied" },
    );
    const acl = await owner.send(new GetBucketAclCommand({ Bucket: "policy-b" }));
    assert.deepEqual(acl.Grants, [
      {
        Grantee: { Type: "CanonicalUser", ID: "other", DisplayName: "Other User" },
        Permission: "READ",
      },
    ]);
    await owner.send(new PutBucketAclCommand({ Bucket: "policy-b", ACL: "private" }));
    await owner.send(new PutObjectCommand({ Bucket: "policy-b", Key: "k", Body: "x" }));
  });
});

Deno.test("x-amz-grant-* headers grant to groups and users", async () => {
  await withActors(async ({ owner, url }) => {
    await owner.send(new CreateBucketCommand({ Bucket: "grant-b" }));
    await owner.send(
      new PutBucketAclCommand({
        Bucket: "grant-b",
        GrantRead: `uri="${ALL_USERS}"`,
        GrantFullControl: 'id="demo"',
      }),
    );
    assert.equal(await anonymous(`${url}/grant-b`), 200);
  });
});

Deno.test("bad ACL requests are refused with the codes RGW answers", async (t) => {
  await withActors(async ({ owner, url }) => {
    await owner.send(new CreateBucketCommand({ Bucket: "bad-acl" }));
    await t.step("an unknown canned ACL is InvalidArgument", async () => {
      assert.deepEqual(
        await s3Failure(
          owner.send(new PutBucketAclCommand({ Bucket: "bad-acl", ACL: "bogus" as "private" })),
        ),
        { status: 400, code: "InvalidArgument" },
      );
    });
    await t.step("a grant to an unknown user id is InvalidArgument", async () => {
      assert.deepEqual(
        await s3Failure(owner.send(
          new PutBucketAclCommand({
            Bucket: "bad-acl",
            AccessControlPolicy: {
              Owner: { ID: "demo" },
              Grants: [{ Grantee: { Type: "CanonicalUser", ID: "nobody" }, Permission: "READ" }],
            },
          }),
        )),
        { status: 400, code: "InvalidArgument" },
      );
    });
    await t.step("anonymous PutBucketAcl is AccessDenied", async () => {
      assert.equal(await anonymous(`${url}/bad-acl?acl`, "PUT", "<x/>"), 403);
    });
  });
});

Deno.test("grants by e-mail address name the user who has it; an unknown one is refused", async () => {
  await using server = await testServer();
  const s3 = s3Client(server.url);
  const other = s3Client(server.url, OTHER_USER);
  await s3.send(new CreateBucketCommand({ Bucket: "by-email" }));
  await s3.send(
    new PutBucketAclCommand({ Bucket: "by-email", GrantRead: 'emailAddress="Other@Example.com"' }),
  );
  const acl = await s3.send(new GetBucketAclCommand({ Bucket: "by-email" }));
  assert.deepEqual(
    acl.Grants?.map((g) => [g.Grantee?.Type, g.Grantee?.ID, g.Permission]),
    [["CanonicalUser", "other", "READ"]],
  );
  const listed = await other.send(new ListObjectsCommand({ Bucket: "by-email" }));
  assert.equal(listed.$metadata.httpStatusCode, 200);
  assert.deepEqual(
    await s3Failure(
      s3.send(
        new PutBucketAclCommand({ Bucket: "by-email", GrantRead: 'emailAddress="no@example.com"' }),
      ),
    ),
    { status: 400, code: "UnresolvableGrantByEmailAddress" },
  );
  s3.destroy();
  other.destroy();
});
