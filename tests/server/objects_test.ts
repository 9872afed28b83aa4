/**
 * The embedded server's bucket and object operations, driven with the AWS SDK v3 (SigV4) and raw
 * fetch.
 */

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketLocationCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { DEMO_USERS } from "../../server/demo_users.ts";
import { OTHER_USER, s3Client, s3Failure, testServer } from "../support/server.ts";

function md5Base64(data: string | Uint8Array): string {
  return createHash("md5").update(data).digest("base64");
}

async function withBucket(
  fn: (s3: S3Client, url: string, bucket: string) => Promise<void>,
): Promise<void> {
  await using server = await testServer();
  const s3 = s3Client(server.url);
  await s3.send(new CreateBucketCommand({ Bucket: "demo-bucket" }));
  try {
    await fn(s3, server.url, "demo-bucket");
  } finally {
    s3.destroy();
  }
}

Deno.test("startServer() listens on a free port of 127.0.0.1 and close() stops it", async () => {
  const server = await testServer();
  assert.equal(server.hostname, "127.0.0.1");
  assert.ok(server.port > 0);
  assert.equal(server.url, `http://127.0.0.1:${server.port}`);
  assert.equal(server.users[0].accessKeyId, "DEMOACCESSKEY");
  const response = await fetch(server.url);
  assert.equal(response.status, 200);
  assert.ok(response.headers.get("x-amz-request-id"));
  await response.body?.cancel();
  await server.close();
  await assert.rejects(fetch(server.url));
});

Deno.test("buckets are created, listed per owner, headed and deleted", async () => {
  await using server = await testServer();
  const s3 = s3Client(server.url);
  const other = s3Client(server.url, OTHER_USER);
  await s3.send(new CreateBucketCommand({ Bucket: "b-one" }));
  await s3.send(new CreateBucketCommand({ Bucket: "a-two" }));
  await other.send(new CreateBucketCommand({ Bucket: "other-bucket" }));
  const listed = await s3.send(new ListBucketsCommand({}));
  assert.deepEqual(listed.Buckets?.map((b) => b.Name), ["a-two", "b-one"]);
  assert.equal(listed.Owner?.ID, "demo");
  assert.equal(listed.Owner?.DisplayName, "Demo User");
  assert.ok(listed.Buckets?.[0].CreationDate instanceof Date);
  await s3.send(new HeadBucketCommand({ Bucket: "b-one" }));
  assert.equal((await s3Failure(s3.send(new HeadBucketCommand({ Bucket: "nope" })))).status, 404);
  await s3.send(new DeleteBucketCommand({ Bucket: "b-one" }));
  const after = await s3.send(new ListBucketsCommand({}));
  assert.deepEqual(after.Buckets?.map((b) => b.Name), ["a-two"]);
  s3.destroy();
  other.destroy();
});

Deno.test("CreateBucket answers 200 to the owner again and BucketAlreadyExists to others", async () => {
  await using server = await testServer();
  const s3 = s3Client(server.url);
  const other = s3Client(server.url, OTHER_USER);
  await s3.send(new CreateBucketCommand({ Bucket: "taken" }));
  const again = await s3.send(new CreateBucketCommand({ Bucket: "taken" }));
  assert.equal(again.$metadata.httpStatusCode, 200);
  assert.deepEqual(await s3Failure(other.send(new CreateBucketCommand({ Bucket: "taken" }))), {
    status: 409,
    code: "BucketAlreadyExists",
  });
  s3.destroy();
  other.destroy();
});

Deno.test("CreateBucket refuses names that break S3's rules with InvalidBucketName", async (t) => {
  await using server = await testServer();
  const s3 = s3Client(server.url);
  for (const name of ["ab", "Upper", "under_score", "192.168.1.1", "a..b", "-start", "end-"]) {
    await t.step(`"${name}" is refused`, async () => {
      assert.deepEqual(await s3Failure(s3.send(new CreateBucketCommand({ Bucket: name }))), {
        status: 400,
        code: "InvalidBucketName",
      });
    });
  }
  s3.destroy();
});

Deno.test("anonymous CreateBucket is AccessDenied, anonymous ListBuckets is empty", async () => {
  await using server = await testServer();
  const put = await fetch(`${server.url}/anon-bucket`, { method: "PUT" });
  assert.equal(put.status, 403);
  assert.match(await put.text(), /<Code>AccessDenied<\/Code>/);
  const list = await fetch(server.url);
  const xml = await list.text();
  assert.match(xml, /<ID>anonymous<\/ID>/);
  assert.match(xml, /<Buckets><\/Buckets>/);
});

Deno.test("DeleteBucket on a non-empty bucket is 409 BucketNotEmpty", async () => {
  await withBucket(async (s3, _url, bucket) => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "k", Body: "x" }));
    assert.deepEqual(await s3Failure(s3.send(new DeleteBucketCommand({ Bucket: bucket }))), {
      status: 409,
      code: "BucketNotEmpty",
    });
  });
});

Deno.test("GetBucketLocation, GetBucketVersioning and ListObjectVersions answer", async () => {
  await withBucket(async (s3, _url, bucket) => {
    const location = await s3.send(new GetBucketLocationCommand({ Bucket: bucket }));
    assert.equal(location.LocationConstraint, undefined);
    const versioning = await s3.send(new GetBucketVersioningCommand({ Bucket: bucket }));
    assert.equal(versioning.Status, undefined);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "v", Body: "1" }));
    const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket }));
    assert.equal(versions.Versions?.length, 1);
    assert.equal(versions.Versions?.[0].Key, "v");
    assert.equal(versions.Versions?.[0].VersionId, "null");
    assert.equal(versions.Versions?.[0].IsLatest, true);
  });
});

Deno.test("GetBucketLocation reports a configured region", async () => {
  await using server = await testServer({ region: "eu-west-2" });
  const s3 = s3Client(server.url);
  await s3.send(new CreateBucketCommand({ Bucket: "regional" }));
  const location = await s3.send(new GetBucketLocationCommand({ Bucket: "regional" }));
  assert.equal(location.LocationConstraint, "eu-west-2");
  s3.destroy();
});

Deno.test("PutObject and GetObject keep bytes, type, metadata and an ETag of the MD5", async () => {
  await withBucket(async (s3, _url, bucket) => {
    const body = "hello, object";
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: "dir/hello.txt",
        Body: body,
        ContentType: "text/plain",
        Metadata: { colour: "blue" },
        ContentMD5: md5Base64(body),
      }),
    );
    const md5 = createHash("md5").update(body).digest("hex");
    assert.equal(put.ETag, `"${md5}"`);
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "dir/hello.txt" }));
    assert.equal(await got.Body?.transformToString(), body);
    assert.equal(got.ContentType, "text/plain");
    assert.equal(got.ContentLength, body.length);
    assert.equal(got.ETag, `"${md5}"`);
    assert.deepEqual(got.Metadata, { colour: "blue" });
    assert.ok(got.LastModified instanceof Date);
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "dir/hello.txt" }));
    assert.equal(head.ContentLength, body.length);
    assert.equal(head.ETag, `"${md5}"`);
    // A second read sees the same bytes (stored chunks are not consumed by a read).
    const again = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "dir/hello.txt" }));
    assert.equal(await again.Body?.transformToString(), body);
  });
});

Deno.test("objects stored without a Content-Type are binary/octet-stream", async () => {
  await using server = await testServer();
  const s3 = s3Client(server.url);
  await s3.send(new CreateBucketCommand({ Bucket: "open", ACL: "public-read-write" }));
  const put = await fetch(`${server.url}/open/raw`, { method: "PUT", body: new Uint8Array([1]) });
  assert.equal(put.status, 200);
  await put.body?.cancel();
  const head = await s3.send(new HeadObjectCommand({ Bucket: "open", Key: "raw" }));
  assert.equal(head.ContentType, "binary/octet-stream");
  s3.destroy();
});

Deno.test("a Content-MD5 that does not match is BadDigest and nothing is stored", async () => {
  await withBucket(async (s3, _url, bucket) => {
    const failure = await s3Failure(
      s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: "bad",
          Body: "hello",
          ContentMD5: md5Base64("other"),
        }),
      ),
    );
    assert.deepEqual(failure, { status: 400, code: "BadDigest" });
    const missing = await s3Failure(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "bad" })));
    assert.equal(missing.status, 404);
    const invalid = await s3Failure(
      s3.send(new PutObjectCommand({ Bucket: bucket, Key: "bad", Body: "x", ContentMD5: "abc" })),
    );
    assert.deepEqual(invalid, { status: 400, code: "InvalidDigest" });
  });
});

Deno.test("GetObject serves a single Range with 206, and 416 InvalidRange past the end", async () => {
  await withBucket(async (s3, _url, bucket) => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "digits", Body: "0123456789" }));
    const cases: [string, string, string][] = [
      ["bytes=2-4", "234", "bytes 2-4/10"],
      ["bytes=7-", "789", "bytes 7-9/10"],
      ["bytes=-3", "789", "bytes 7-9/10"],
      ["bytes=8-100", "89", "bytes 8-9/10"],
    ];
    for (const [range, text, contentRange] of cases) {
      const got = await s3.send(
        new GetObjectCommand({ Bucket: bucket, Key: "digits", Range: range }),
      );
      assert.equal(got.$metadata.httpStatusCode, 206);
      assert.equal(await got.Body?.transformToString(), text);
      assert.equal(got.ContentRange, contentRange);
    }
    const failure = await s3Failure(
      s3.send(new GetObjectCommand({ Bucket: bucket, Key: "digits", Range: "bytes=10-20" })),
    );
    assert.deepEqual(failure, { status: 416, code: "InvalidRange" });
  });
});

Deno.test("conditional GETs answer 304 and 412 as the validators say", async () => {
  await withBucket(async (s3, _url, bucket) => {
    const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "c", Body: "x" }));
    const etag = put.ETag!;
    const notModified = await s3Failure(
      s3.send(new GetObjectCommand({ Bucket: bucket, Key: "c", IfNoneMatch: etag })),
    );
    assert.equal(notModified.status, 304);
    const failed = await s3Failure(
      s3.send(new GetObjectCommand({ Bucket: bucket, Key: "c", IfMatch: '"0000"' })),
    );
    assert.deepEqual(failed, { status: 412, code: "PreconditionFailed" });
    const matched = await s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: "c", IfMatch: etag }),
    );
    assert.equal(await matched.Body?.transformToString(), "x");
    const future = new Date(Date.now() + 3_600_000);
    const notSince = await s3Failure(
      s3.send(new GetObjectCommand({ Bucket: bucket, Key: "c", IfModifiedSince: future })),
    );
    assert.equal(notSince.status, 304);
    const past = new Date(Date.now() - 3_600_000);
    const unmodified = await s3Failure(
      s3.send(new GetObjectCommand({ Bucket: bucket, Key: "c", IfUnmodifiedSince: past })),
    );
    assert.equal(unmodified.status, 412);
  });
});

Deno.test("response-content-type overrides the stored type on GET", async () => {
  await withBucket(async (s3, _url, bucket) => {
    await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: "t", Body: "x", ContentType: "a/b" }),
    );
    const got = await s3.send(
      new GetObjectCommand({
        Bucket: bucket,
        Key: "t",
        ResponseContentType: "text/csv",
        ResponseContentDisposition: "attachment",
      }),
    );
    assert.equal(got.ContentType, "text/csv");
    assert.equal(got.ContentDisposition, "attachment");
    await got.Body?.transformToString();
  });
});

Deno.test("GetObject on a missing key is 404 NoSuchKey, on a missing bucket NoSuchBucket", async () => {
  await withBucket(async (s3, url, bucket) => {
    assert.deepEqual(
      await s3Failure(s3.send(new GetObjectCommand({ Bucket: bucket, Key: "no" }))),
      {
        status: 404,
        code: "NoSuchKey",
      },
    );
    const response = await fetch(`${url}/no-such-bucket/key`);
    assert.equal(response.status, 404);
    const xml = await response.text();
    assert.match(xml, /<Code>NoSuchBucket<\/Code>/);
    assert.match(xml, /<BucketName>no-such-bucket<\/BucketName>/);
    assert.match(xml, /<Resource>\/no-such-bucket\/key<\/Resource>/);
    assert.match(xml, /<RequestId>[0-9A-F]+<\/RequestId>/);
  });
});

Deno.test("DeleteObject answers 204 whether or not the key exists", async () => {
  await withBucket(async (s3, _url, bucket) => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "d", Body: "x" }));
    const first = await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: "d" }));
    assert.equal(first.$metadata.httpStatusCode, 204);
    const second = await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: "d" }));
    assert.equal(second.$metadata.httpStatusCode, 204);
    assert.equal(
      (await s3Failure(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "d" })))).status,
      404,
    );
  });
});

Deno.test("DeleteObjects deletes many keys and Quiet leaves out the successes", async () => {
  await withBucket(async (s3, _url, bucket) => {
    for (const key of ["a", "b", "c"]) {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
    }
    const loud = await s3.send(
      new DeleteObjectsCommand({
        Bucket: bucket,
        Delete: { Objects: [{ Key: "a" }, { Key: "missing" }] },
      }),
    );
    assert.deepEqual(loud.Deleted?.map((d) => d.Key), ["a", "missing"]);
    const quiet = await s3.send(
      new DeleteObjectsCommand({
        Bucket: bucket,
        Delete: { Objects: [{ Key: "b" }, { Key: "c" }], Quiet: true },
      }),
    );
    assert.equal(quiet.Deleted, undefined);
    const head = await s3Failure(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "c" })));
    assert.equal(head.status, 404);
  });
});

Deno.test("CopyObject copies bytes and metadata, or replaces the metadata", async () => {
  await withBucket(async (s3, _url, bucket) => {
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: "src key+1",
        Body: "copy me",
        ContentType: "text/plain",
        Metadata: { a: "1" },
      }),
    );
    const copied = await s3.send(
      new CopyObjectCommand({
        Bucket: bucket,
        Key: "dst",
        CopySource: `${bucket}/${encodeURIComponent("src key+1")}`,
      }),
    );
    const md5 = createHash("md5").update("copy me").digest("hex");
    assert.equal(copied.CopyObjectResult?.ETag, `"${md5}"`);
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "dst" }));
    assert.equal(await got.Body?.transformToString(), "copy me");
    assert.deepEqual(got.Metadata, { a: "1" });
    assert.equal(got.ContentType, "text/plain");
    await s3.send(
      new CopyObjectCommand({
        Bucket: bucket,
        Key: "dst2",
        CopySource: `${bucket}/dst`,
        MetadataDirective: "REPLACE",
        Metadata: { b: "2" },
        ContentType: "text/x",
      }),
    );
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "dst2" }));
    assert.deepEqual(head.Metadata, { b: "2" });
    assert.equal(head.ContentType, "text/x");
    const self = await s3Failure(
      s3.send(new CopyObjectCommand({ Bucket: bucket, Key: "dst", CopySource: `${bucket}/dst` })),
    );
    assert.deepEqual(self, { status: 400, code: "InvalidRequest" });
    const missing = await s3Failure(
      s3.send(new CopyObjectCommand({ Bucket: bucket, Key: "x", CopySource: `${bucket}/nope` })),
    );
    assert.deepEqual(missing, { status: 404, code: "NoSuchKey" });
  });
});

Deno.test("keys with dots, slashes, spaces and unicode round-trip exactly", async () => {
  await withBucket(async (s3, _url, bucket) => {
    const keys = ["../../etc/passwd", "a/./b", "sp ace+plus", "ünï/çødé", "/leading", "trail/"];
    for (const key of keys) {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      assert.equal(await got.Body?.transformToString(), key);
    }
  });
});

Deno.test("unsupported S3 features answer 501 NotImplemented, unknown methods 405", async () => {
  await withBucket(async (_s3, url, bucket) => {
    for (
      const sub of ["policy", "lifecycle", "notification", "website", "tagging", "replication"]
    ) {
      const response = await fetch(`${url}/${bucket}?${sub}`);
      assert.equal(response.status, 501, sub);
      assert.match(await response.text(), /<Code>NotImplemented<\/Code>/);
    }
    const accelerate = await fetch(`${url}/${bucket}?accelerate`, { method: "PUT", body: "<x/>" });
    assert.equal(accelerate.status, 501);
    await accelerate.body?.cancel();
    const patch = await fetch(`${url}/${bucket}`, { method: "PATCH" });
    assert.equal(patch.status, 405);
    assert.match(await patch.text(), /<Code>MethodNotAllowed<\/Code>/);
  });
});

Deno.test("a PUT with Expect: 100-continue gets 100 Continue, then stores the body", async () => {
  await using server = await testServer();
  const s3 = s3Client(server.url);
  await s3.send(new CreateBucketCommand({ Bucket: "cont", ACL: "public-read-write" }));
  const { request } = await import("node:http");
  const body = new Uint8Array(100_000).fill(7);
  const result = await new Promise<{ status: number; continued: boolean }>((resolve, reject) => {
    let continued = false;
    const req = request(`${server.url}/cont/obj`, {
      method: "PUT",
      headers: { expect: "100-continue", "content-length": String(body.length) },
    }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode ?? 0, continued }));
    });
    req.on("continue", () => {
      continued = true;
      req.end(body);
    });
    req.on("error", reject);
  });
  assert.deepEqual(result, { status: 200, continued: true });
  const head = await s3.send(new HeadObjectCommand({ Bucket: "cont", Key: "obj" }));
  assert.equal(head.ContentLength, body.length);
  // A trailing slash after the bucket still names the bucket (boto 2 sends PUT /bucket/).
  const listing = await fetch(`${server.url}/cont/`);
  assert.equal(listing.status, 200);
  assert.match(await listing.text(), /<Key>obj<\/Key>/);
  s3.destroy();
});

Deno.test("errors about a bucket name it in <BucketName>, as RGW does", async () => {
  await withBucket(async (_s3, url, bucket) => {
    const xml = await (await fetch(`${url}/${bucket}/private-key`)).text();
    assert.match(xml, /<Code>AccessDenied<\/Code>/);
    assert.match(xml, new RegExp(`<BucketName>${bucket}</BucketName>`));
  });
});

Deno.test("a POST without a form upload is InvalidArgument, as RGW answers", async () => {
  await withBucket(async (_s3, url, bucket) => {
    for (const path of [`/${bucket}`, `/${bucket}/key`]) {
      const response = await fetch(`${url}${path}`, { method: "POST", body: "x" });
      assert.equal(response.status, 400);
      assert.match(await response.text(), /<Code>InvalidArgument<\/Code>/);
    }
    const form = await fetch(`${url}/${bucket}`, {
      method: "POST",
      headers: { "content-type": "multipart/form-data; boundary=x" },
      body: "--x--",
    });
    // A form with no field at all names no key.
    assert.equal(form.status, 400);
    assert.match(await form.text(), /<Message>Key not specified<\/Message>/);
  });
});

Deno.test("GetBucketVersioning and GetBucketLocation are for the owner only", async () => {
  await using server = await testServer();
  const s3 = s3Client(server.url);
  const other = s3Client(server.url, OTHER_USER);
  await s3.send(new CreateBucketCommand({ Bucket: "owned", ACL: "public-read" }));
  for (
    const call of [
      other.send(new GetBucketVersioningCommand({ Bucket: "owned" })),
      other.send(new GetBucketLocationCommand({ Bucket: "owned" })),
    ]
  ) {
    assert.deepEqual(await s3Failure(call), { status: 403, code: "AccessDenied" });
  }
  s3.destroy();
  other.destroy();
});

Deno.test("a PUT without Content-Length is 411 MissingContentLength, as RGW answers", async () => {
  await using server = await testServer();
  const s3 = s3Client(server.url);
  await s3.send(new CreateBucketCommand({ Bucket: "chunked", ACL: "public-read-write" }));
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode("abc"));
      controller.close();
    },
  });
  const response = await fetch(`${server.url}/chunked/k`, { method: "PUT", body });
  assert.equal(response.status, 411);
  assert.match(await response.text(), /<Code>MissingContentLength<\/Code>/);
  s3.destroy();
});

Deno.test("an unreadable If-Modified-Since is InvalidArgument, as RGW answers", async () => {
  await using server = await testServer();
  const s3 = s3Client(server.url);
  await s3.send(new CreateBucketCommand({ Bucket: "dates", ACL: "public-read" }));
  await s3.send(new PutObjectCommand({ Bucket: "dates", Key: "d", Body: "x", ACL: "public-read" }));
  const response = await fetch(`${server.url}/dates/d`, {
    headers: { "if-modified-since": "garbage" },
  });
  assert.equal(response.status, 400);
  assert.match(await response.text(), /<Code>InvalidArgument<\/Code>/);
  s3.destroy();
});

Deno.test("HEAD / is 200, service subresources list buckets, OPTIONS is refused as RGW", async () => {
  await withBucket(async (_s3, url, bucket) => {
    const head = await fetch(url, { method: "HEAD" });
    assert.equal(head.status, 200);
    const acl = await fetch(`${url}/?acl`);
    assert.equal(acl.status, 200);
    assert.match(await acl.text(), /<ListAllMyBucketsResult/);
    const bare = await fetch(`${url}/${bucket}/k`, { method: "OPTIONS" });
    assert.equal(bare.status, 400);
    assert.match(await bare.text(), /<Code>InvalidArgument<\/Code>/);
    const preflight = await fetch(`${url}/${bucket}/k`, {
      method: "OPTIONS",
      headers: { origin: "http://example.test", "access-control-request-method": "GET" },
    });
    assert.equal(preflight.status, 403);
    assert.match(await preflight.text(), /<Code>AccessDenied<\/Code>/);
    const missing = await fetch(`${url}/no-such-bucket/k`, { method: "OPTIONS" });
    assert.equal(missing.status, 404);
    await missing.body?.cancel();
  });
});

Deno.test("a server bound to all interfaces gives a loopback URL clients can use", async () => {
  // Own users: startServer() refuses the published demo keys on a network address.
  const users = [{
    id: "me",
    displayName: "Me",
    accessKeyId: "MEKEY",
    secretAccessKey: "a-secret-of-length",
  }];
  await using server = await testServer({ hostname: "0.0.0.0", users });
  assert.equal(server.hostname, "0.0.0.0");
  assert.equal(server.url, `http://127.0.0.1:${server.port}`);
  const response = await fetch(server.url);
  assert.equal(response.status, 200);
  await response.body?.cancel();
});

Deno.test("standard headers stored with an object come back on GET", async () => {
  await withBucket(async (s3, _url, bucket) => {
    const expires = new Date("2030-01-01T00:00:00Z");
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: "h",
        Body: "x",
        CacheControl: "max-age=60",
        ContentDisposition: 'attachment; filename="h.txt"',
        ContentEncoding: "identity",
        ContentLanguage: "en",
        Expires: expires,
      }),
    );
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "h" }));
    await got.Body?.transformToString();
    assert.equal(got.CacheControl, "max-age=60");
    assert.equal(got.ContentDisposition, 'attachment; filename="h.txt"');
    assert.equal(got.ContentEncoding, "identity");
    assert.equal(got.ContentLanguage, "en");
    assert.equal(got.Expires?.toISOString(), expires.toISOString());
  });
});

Deno.test("DeleteObjects without WRITE on the bucket is refused whole, as RGW does", async () => {
  await withBucket(async (s3, url, bucket) => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "k", Body: "x" }));
    const other = s3Client(url, OTHER_USER);
    const failure = await s3Failure(
      other.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [{ Key: "k" }] } })),
    );
    assert.deepEqual(failure, { status: 403, code: "AccessDenied" });
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "k" }));
    assert.equal(head.ContentLength, 1);
    other.destroy();
  });
});

Deno.test("CreateBucket accepts only this server's region as LocationConstraint", async () => {
  await using server = await testServer({ region: "eu-west-1" });
  const s3 = s3Client(server.url);
  await s3.send(
    new CreateBucketCommand({
      Bucket: "here",
      CreateBucketConfiguration: { LocationConstraint: "eu-west-1" },
    }),
  );
  const failure = await s3Failure(
    s3.send(
      new CreateBucketCommand({
        Bucket: "elsewhere",
        CreateBucketConfiguration: { LocationConstraint: "ap-south-1" },
      }),
    ),
  );
  assert.deepEqual(failure, { status: 400, code: "InvalidLocationConstraint" });
  s3.destroy();
});

Deno.test("startServer() refuses a bad port and users that share a key", async () => {
  await assert.rejects(testServer({ port: 70000 }), RangeError);
  const [demo] = DEMO_USERS;
  await assert.rejects(
    testServer({ users: [demo, { ...demo, id: "twin" }] }),
    (e: Error) => e instanceof TypeError && /repeats user "demo"/.test(e.message),
  );
});

Deno.test("custom users sign in with their own keys and own their buckets", async () => {
  const alice = {
    id: "alice",
    displayName: "Alice",
    accessKeyId: "ALICEKEY",
    secretAccessKey: "ALICESECRET",
  };
  await using server = await testServer({ users: [alice] });
  const s3 = s3Client(server.url, alice);
  await s3.send(new CreateBucketCommand({ Bucket: "alices" }));
  const listed = await s3.send(new ListBucketsCommand({}));
  assert.deepEqual(listed.Owner, { ID: "alice", DisplayName: "Alice" });
  assert.deepEqual(listed.Buckets?.map((b) => b.Name), ["alices"]);
  const demo = s3Client(server.url);
  const refused = await s3Failure(demo.send(new ListBucketsCommand({})));
  assert.deepEqual(refused, { status: 403, code: "InvalidAccessKeyId" });
  s3.destroy();
  demo.destroy();
});

Deno.test("concurrent PutObjects with If-None-Match * create the key exactly once", async () => {
  await withBucket(async (s3, _url, bucket) => {
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        s3.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: "once",
            Body: `writer ${i}`,
            IfNoneMatch: "*",
          }),
        )),
    );
    const won = results.filter((r) => r.status === "fulfilled");
    assert.equal(won.length, 1, "exactly one conditional create succeeds");
    for (const lost of results.filter((r) => r.status === "rejected")) {
      const e = (lost as PromiseRejectedResult).reason as {
        $metadata?: { httpStatusCode?: number };
      };
      assert.equal(e.$metadata?.httpStatusCode, 412);
    }
    const etag = (won[0] as PromiseFulfilledResult<{ ETag?: string }>).value.ETag;
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "once" }));
    assert.equal(head.ETag, etag, "the object is the winner's");
    const replaced = await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: "once", Body: "next", IfMatch: etag }),
    );
    assert.notEqual(replaced.ETag, etag);
    const stale = await s3Failure(
      s3.send(new PutObjectCommand({ Bucket: bucket, Key: "once", Body: "late", IfMatch: etag })),
    );
    assert.equal(stale.status, 412);
  });
});

Deno.test("CreateBucket takes RGW's zone group name, default, and refuses us-east-1 as RGW 16 does", async () => {
  await using server = await testServer();
  const s3 = s3Client(server.url);
  await s3.send(
    new CreateBucketCommand({
      Bucket: "in-default",
      CreateBucketConfiguration: { LocationConstraint: "default" as never },
    }),
  );
  const failure = await s3Failure(
    s3.send(
      new CreateBucketCommand({
        Bucket: "in-us-east-1",
        CreateBucketConfiguration: { LocationConstraint: "us-east-1" as never },
      }),
    ),
  );
  assert.deepEqual(failure, { status: 400, code: "InvalidLocationConstraint" });
  s3.destroy();
});
