/**
 * Addressing on the embedded server: path style from the raw URL (dot segments kept),
 * virtual-host style from the Host header, and the routing table's choices.
 */

import assert from "node:assert/strict";
import { request } from "node:http";
import { CreateBucketCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { parseTarget } from "../../server/addressing.ts";
import { splitTarget } from "../../core/sigv4.ts";
import { route } from "../../server/router.ts";
import { ROUTES } from "../../server/routes.ts";
import { S3Error } from "../../server/errors.ts";
import { s3Client, testServer } from "../support/server.ts";

Deno.test("splitTarget() keeps dot segments and the query as sent", () => {
  assert.deepEqual(splitTarget("http://h:1/b/../k/./x?acl&a=b"), {
    path: "/b/../k/./x",
    query: "acl&a=b",
  });
  assert.deepEqual(splitTarget("http://h:1"), { path: "/", query: "" });
  assert.deepEqual(splitTarget("http://h:1?x"), { path: "/", query: "x" });
});

Deno.test("parseTarget() reads path style and virtual-host style addresses", () => {
  assert.deepEqual(parseTarget("http://h/bkt/a%20b/c", "127.0.0.1:9000", "localhost").address, {
    bucket: "bkt",
    key: "a b/c",
    virtualHost: false,
  });
  assert.deepEqual(parseTarget("http://h/bkt/", "127.0.0.1:9000", "localhost").address, {
    bucket: "bkt",
    key: undefined,
    virtualHost: false,
  });
  assert.deepEqual(parseTarget("http://h/", "127.0.0.1:9000", "localhost").address, {
    virtualHost: false,
  });
  assert.deepEqual(parseTarget("http://h/../k", "photos.localhost:9000", "localhost").address, {
    bucket: "photos",
    key: "../k",
    virtualHost: true,
  });
  assert.deepEqual(parseTarget("http://h/", "Photos.LOCALHOST:9000", "localhost").address, {
    bucket: "photos",
    key: undefined,
    virtualHost: true,
  });
  assert.throws(() => parseTarget("http://h/b/%zz", null, "localhost"), S3Error);
});

Deno.test("route() prefers a subresource route, else 501 for known features, else 405", () => {
  const q = (s: string) => new URLSearchParams(s);
  assert.equal(route(ROUTES, "GET", "bucket", q("acl")).operation, "GetBucketAcl");
  assert.equal(route(ROUTES, "GET", "bucket", q("list-type=2")).operation, "ListObjects");
  assert.equal(
    route(ROUTES, "PUT", "object", q("partNumber=1&uploadId=x")).operation,
    "UploadPart",
  );
  assert.equal(route(ROUTES, "POST", "bucket", q("delete")).operation, "DeleteObjects");
  assert.throws(
    () => route(ROUTES, "PUT", "bucket", q("accelerate")),
    (e: S3Error) => e.code === "NotImplemented",
  );
  assert.equal(route(ROUTES, "GET", "object", q("tagging")).operation, "GetObjectTagging");
  assert.throws(
    () => route(ROUTES, "GET", "object", q("retention")),
    (e: S3Error) => e.code === "NotImplemented",
  );
  assert.throws(
    () => route(ROUTES, "POST", "service", q("")),
    (e: S3Error) => e.code === "MethodNotAllowed",
  );
});

function virtualHostGet(port: number, host: string, path: string) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, headers: { host } }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d) => body += d);
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

Deno.test("virtual-host requests (Host: bucket.localhost:PORT) reach the bucket", async () => {
  await using server = await testServer();
  const s3 = s3Client(server.url);
  await s3.send(new CreateBucketCommand({ Bucket: "vhost", ACL: "public-read" }));
  await s3.send(
    new PutObjectCommand({
      Bucket: "vhost",
      Key: "dir/obj.txt",
      Body: "by host",
      ACL: "public-read",
    }),
  );
  const object = await virtualHostGet(
    server.port,
    `vhost.localhost:${server.port}`,
    "/dir/obj.txt",
  );
  assert.deepEqual(object, { status: 200, body: "by host" });
  const listing = await virtualHostGet(server.port, `vhost.localhost:${server.port}`, "/");
  assert.equal(listing.status, 200);
  assert.match(listing.body, /<Name>vhost<\/Name>/);
  assert.match(listing.body, /<Key>dir\/obj.txt<\/Key>/);
  const missing = await virtualHostGet(server.port, `nope.localhost:${server.port}`, "/x");
  assert.equal(missing.status, 404);
  assert.match(missing.body, /<Code>NoSuchBucket<\/Code>/);
  s3.destroy();
});

Deno.test("a custom dnsName decides which hosts are virtual-host style", async () => {
  await using server = await testServer({ dnsName: "s3.test" });
  const s3 = s3Client(server.url);
  await s3.send(new CreateBucketCommand({ Bucket: "named", ACL: "public-read" }));
  const listing = await virtualHostGet(server.port, `named.s3.test:${server.port}`, "/");
  assert.equal(listing.status, 200);
  assert.match(listing.body, /<Name>named<\/Name>/);
  s3.destroy();
});
