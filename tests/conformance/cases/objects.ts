/**
 * Conformance cases: Object requests: PUT, GET, HEAD, DELETE, copy, metadata, conditionals, ranges, DeleteObjects.
 *
 * @module
 */

import type { Case } from "../runner.ts";
import { ANON, bucket, createUpload, DATA, deleteXml, OTHER, put } from "./_common.ts";

const OBJECT_HEADERS = [
  "header:etag",
  "header:content-type",
  "header:content-length",
  "header:x-amz-meta-color",
];

export const OBJECTS: Case[] = [
  {
    name: "GetObject returns the body, ETag, type and metadata",
    request: { method: "GET", bucket: DATA, key: "data.txt" },
    expect: { status: 200 },
    compare: ["body", ...OBJECT_HEADERS, "header:accept-ranges"],
  },
  {
    name: "HeadObject returns ETag, type and metadata",
    request: { method: "HEAD", bucket: DATA, key: "data.txt" },
    expect: { status: 200 },
    compare: OBJECT_HEADERS,
  },
  {
    name: "GetObject on a missing key",
    request: { method: "GET", bucket: DATA, key: "no-such-key.txt" },
    expect: { status: 404, code: "NoSuchKey" },
  },
  {
    name: "HeadObject on a missing key",
    request: { method: "HEAD", bucket: DATA, key: "no-such-key.txt" },
    expect: { status: 404 },
  },
  {
    name: "GetObject in a missing bucket",
    request: { method: "GET", bucket: "{b}", key: "x.txt" },
    expect: { status: 404, code: "NoSuchBucket" },
  },
  {
    name: "PutObject answers the MD5 ETag",
    setup: [bucket()],
    request: { method: "PUT", bucket: "{b}", key: "hello.txt", body: "hello" },
    expect: { status: 200 },
    compare: ["header:etag"],
  },
  {
    name: "PutObject with a correct Content-MD5",
    setup: [bucket()],
    request: { method: "PUT", bucket: "{b}", key: "md5.txt", body: "checked", md5: true },
    expect: { status: 200 },
    compare: ["header:etag"],
  },
  {
    name: "PutObject with a wrong Content-MD5 is refused",
    setup: [bucket()],
    request: {
      method: "PUT",
      bucket: "{b}",
      key: "md5.txt",
      body: "checked",
      headers: { "content-md5": "XrY7u+Ae7tCTyyK7j1rNww==" },
    },
    expect: { status: 400, code: "BadDigest" },
  },
  {
    name: "PutObject with a malformed Content-MD5 is refused",
    setup: [bucket()],
    request: {
      method: "PUT",
      bucket: "{b}",
      key: "md5.txt",
      body: "checked",
      headers: { "content-md5": "AAAA" },
    },
    expect: { status: 400, code: "InvalidDigest" },
  },
  {
    name: "PutObject with a wrong Content-MD5 stores nothing",
    setup: [bucket(), {
      method: "PUT",
      bucket: "{b}",
      key: "md5.txt",
      body: "checked",
      headers: { "content-md5": "XrY7u+Ae7tCTyyK7j1rNww==" },
      expectStatus: 400,
    }],
    request: { method: "HEAD", bucket: "{b}", key: "md5.txt" },
    expect: { status: 404 },
  },
  {
    name: "PutObject into a missing bucket",
    request: { method: "PUT", bucket: "{b}", key: "x.txt", body: "x" },
    expect: { status: 404, code: "NoSuchBucket" },
  },
  {
    name: "PutObject with a key over 1024 bytes is refused",
    setup: [bucket()],
    request: { method: "PUT", bucket: "{b}", key: "k".repeat(1025), body: "x" },
    expect: { status: 400, code: "InvalidObjectName" },
  },
  {
    name: "PutObject and GetObject with spaces, plus and non-ASCII in the key",
    setup: [bucket(), put("dir/ä b+c=d.txt", "odd key")],
    request: { method: "GET", bucket: "{b}", key: "dir/ä b+c=d.txt" },
    expect: { status: 200 },
    compare: ["body", "header:etag"],
  },
  {
    name: "PutObject and GetObject with dot segments in the key",
    setup: [bucket(), put("dots/../x.txt", "dot segments stay")],
    request: { method: "GET", bucket: "{b}", key: "dots/../x.txt" },
    expect: { status: 200 },
    compare: ["body", "header:etag"],
  },
  {
    name: "ListObjects shows a key with dot segments as stored",
    setup: [bucket(), put("dots/../x.txt", "dot segments stay"), put("dots/./y.txt")],
    request: { method: "GET", bucket: "{b}", query: { "list-type": "2" } },
    expect: { status: 200 },
    compare: ["xml:ListBucketResult.Contents.Key"],
  },
  {
    name: "User metadata names come back in lower case",
    setup: [bucket(), put("meta.txt", "m", { headers: { "x-amz-meta-Mixed-Case": "Value Kept" } })],
    request: { method: "HEAD", bucket: "{b}", key: "meta.txt" },
    expect: { status: 200 },
    compare: ["header:x-amz-meta-mixed-case"],
  },
  {
    name: "ListObjectsV2 with encoding-type url encodes keys",
    setup: [bucket(), put("a b/ä.txt")],
    request: { method: "GET", bucket: "{b}", query: { "list-type": "2", "encoding-type": "url" } },
    expect: { status: 200 },
    compare: ["xml:ListBucketResult.Contents.Key", "xml:ListBucketResult.EncodingType"],
  },
  {
    name: "ListObjectsV2 with max-keys 0",
    request: { method: "GET", bucket: DATA, query: { "list-type": "2", "max-keys": "0" } },
    expect: { status: 200 },
    compare: ["xml:ListBucketResult.KeyCount", "has:ListBucketResult.Contents"],
  },
  {
    name: "HeadObject with a Range",
    request: { method: "HEAD", bucket: DATA, key: "data.txt", headers: { range: "bytes=0-4" } },
    expect: { status: 206 },
    compare: ["header:content-range", "header:content-length"],
  },
  {
    name: "PATCH on an object is not allowed",
    request: { method: "PATCH", bucket: DATA, key: "data.txt", body: "x" },
    expect: { status: 405, code: "MethodNotAllowed" },
  },
  {
    name: "PutObject of an empty body",
    setup: [bucket(), put("empty.txt", "")],
    request: { method: "GET", bucket: "{b}", key: "empty.txt" },
    expect: { status: 200 },
    compare: ["body", "header:etag", "header:content-length"],
  },
  {
    name: "GetObject without a stored Content-Type",
    setup: [bucket(), put("untyped", "bytes")],
    request: { method: "GET", bucket: "{b}", key: "untyped" },
    expect: { status: 200 },
    compare: ["header:content-type"],
  },
  {
    name: "GetObject with response-content-type overrides the type",
    request: {
      method: "GET",
      bucket: DATA,
      key: "data.txt",
      query: { "response-content-type": "application/x-demo" },
    },
    expect: { status: 200 },
    compare: ["header:content-type"],
  },
  {
    name: "PutObject overwrites an object",
    setup: [bucket(), put("o.txt", "first"), put("o.txt", "second")],
    request: { method: "GET", bucket: "{b}", key: "o.txt" },
    expect: { status: 200 },
    compare: ["body", "header:etag"],
  },
  {
    name: "DeleteObject removes an object",
    setup: [bucket(), put("d.txt")],
    request: { method: "DELETE", bucket: "{b}", key: "d.txt" },
    expect: { status: 204 },
  },
  {
    name: "DeleteObject on a missing key succeeds",
    setup: [bucket()],
    request: { method: "DELETE", bucket: "{b}", key: "never.txt" },
    expect: { status: 204 },
  },
  {
    name: "DeleteObject in a missing bucket",
    request: { method: "DELETE", bucket: "{b}", key: "x.txt" },
    expect: { status: 404, code: "NoSuchBucket" },
  },
  {
    name: "DeleteObjects reports each deleted key",
    setup: [bucket(), put("one.txt"), put("two.txt")],
    request: {
      method: "POST",
      bucket: "{b}",
      query: { delete: "" },
      body: deleteXml(["one.txt", "two.txt", "missing.txt"]),
      md5: true,
    },
    expect: { status: 200 },
    compare: ["xmlset:DeleteResult.Deleted.Key", "has:DeleteResult.Error"],
  },
  {
    name: "DeleteObjects in quiet mode reports nothing",
    setup: [bucket(), put("one.txt")],
    request: {
      method: "POST",
      bucket: "{b}",
      query: { delete: "" },
      body: deleteXml(["one.txt"], true),
      md5: true,
    },
    expect: { status: 200 },
    compare: ["has:DeleteResult.Deleted"],
  },
  {
    name: "DeleteObjects with malformed XML is refused",
    setup: [bucket()],
    request: {
      method: "POST",
      bucket: "{b}",
      query: { delete: "" },
      body: "<Delete><Object>",
      md5: true,
    },
    expect: { status: 400 },
  },
  {
    name: "CopyObject copies the body and answers its ETag",
    setup: [bucket()],
    request: {
      method: "PUT",
      bucket: "{b}",
      key: "copy.txt",
      headers: { "x-amz-copy-source": `/${DATA}/data.txt` },
    },
    expect: { status: 200 },
    compare: ["xml:CopyObjectResult.ETag"],
  },
  {
    name: "CopyObject keeps the metadata by default",
    setup: [bucket(), {
      method: "PUT",
      bucket: "{b}",
      key: "copy.txt",
      headers: { "x-amz-copy-source": `/${DATA}/data.txt` },
    }],
    request: { method: "HEAD", bucket: "{b}", key: "copy.txt" },
    expect: { status: 200 },
    compare: OBJECT_HEADERS,
  },
  {
    name: "CopyObject with REPLACE sets new metadata",
    setup: [bucket(), {
      method: "PUT",
      bucket: "{b}",
      key: "copy.txt",
      headers: {
        "x-amz-copy-source": `/${DATA}/data.txt`,
        "x-amz-metadata-directive": "REPLACE",
        "content-type": "application/x-copied",
        "x-amz-meta-color": "red",
      },
    }],
    request: { method: "HEAD", bucket: "{b}", key: "copy.txt" },
    expect: { status: 200 },
    compare: OBJECT_HEADERS,
  },
  {
    name: "CopyObject from a missing key",
    setup: [bucket()],
    request: {
      method: "PUT",
      bucket: "{b}",
      key: "copy.txt",
      headers: { "x-amz-copy-source": `/${DATA}/no-such-key.txt` },
    },
    expect: { status: 404, code: "NoSuchKey" },
  },
  {
    name: "CopyObject by another user from a private object is refused",
    setup: [{ ...bucket(), auth: OTHER }],
    request: {
      method: "PUT",
      bucket: "{b}",
      key: "stolen.txt",
      headers: { "x-amz-copy-source": `/${DATA}/acl/private.txt` },
      auth: OTHER,
    },
    expect: { status: 403, code: "AccessDenied" },
  },
];

export const MORE_OBJECTS: Case[] = [
  {
    name: "PutObject without Content-Length (chunked transfer) is refused",
    setup: [bucket()],
    request: {
      method: "PUT",
      bucket: "{b}",
      key: "chunked.txt",
      body: "sent in chunks",
      headers: { "transfer-encoding": "chunked" },
      auth: { scheme: "v4-unsigned-payload" },
    },
    expect: { status: 411, code: "MissingContentLength" },
  },
  {
    name: "CopyObject onto itself without new metadata is refused",
    setup: [bucket(), put("self.txt")],
    request: {
      method: "PUT",
      bucket: "{b}",
      key: "self.txt",
      headers: { "x-amz-copy-source": "/{b}/self.txt" },
    },
    expect: { status: 400, code: "InvalidRequest" },
  },
  {
    name: "CopyObject from a URL-encoded source key",
    setup: [bucket(), put("src dir/ä b.txt", "encoded source"), {
      method: "PUT",
      bucket: "{b}",
      key: "copy.txt",
      headers: { "x-amz-copy-source": "/{b}/src%20dir/%C3%A4%20b.txt" },
    }],
    request: { method: "GET", bucket: "{b}", key: "copy.txt" },
    expect: { status: 200 },
    compare: ["body", "header:etag"],
  },
  {
    name: "ListMultipartUploads with a prefix",
    setup: [bucket(), createUpload("a/one.bin"), createUpload("b/two.bin", "upload2")],
    request: { method: "GET", bucket: "{b}", query: { uploads: "", prefix: "b/" } },
    expect: { status: 200 },
    compare: ["xml:ListMultipartUploadsResult.Upload.Key"],
  },
  {
    name: "A malformed SigV4 Authorization header is refused",
    request: {
      method: "GET",
      bucket: DATA,
      key: "data.txt",
      headers: { authorization: "AWS4-HMAC-SHA256 garbage", "x-amz-date": "20200101T000000Z" },
      auth: ANON,
    },
    expect: { status: 400, code: "InvalidArgument" },
  },
  {
    name: "SigV4 signed for another region",
    request: { method: "GET", bucket: DATA, key: "data.txt", auth: { region: "eu-west-1" } },
    expect: { status: 200 },
  },
];

export const RANGES: Case[] = [
  ...[["0-4", 206], ["15-", 206], ["-5", 206], ["18-100", 206]].map(([range, status]): Case => ({
    name: `GetObject with Range bytes=${range}`,
    request: { method: "GET", bucket: DATA, key: "data.txt", headers: { range: `bytes=${range}` } },
    expect: { status: status as number },
    compare: ["body", "header:content-range", "header:content-length", "header:etag"],
  })),
  {
    name: "GetObject with an unsatisfiable Range",
    request: { method: "GET", bucket: DATA, key: "data.txt", headers: { range: "bytes=50-60" } },
    expect: { status: 416, code: "InvalidRange" },
  },
  {
    name: "GetObject with If-None-Match of the current ETag is not modified",
    setup: [{ method: "HEAD", bucket: DATA, key: "data.txt", capture: { etag: "header:etag" } }],
    request: {
      method: "GET",
      bucket: DATA,
      key: "data.txt",
      headers: { "if-none-match": "{etag}" },
    },
    expect: { status: 304 },
    compare: ["header:etag"],
  },
  {
    name: "GetObject with If-None-Match of another ETag",
    request: {
      method: "GET",
      bucket: DATA,
      key: "data.txt",
      headers: { "if-none-match": '"00000000000000000000000000000000"' },
    },
    expect: { status: 200 },
  },
  {
    name: "GetObject with If-Match of another ETag fails the precondition",
    request: {
      method: "GET",
      bucket: DATA,
      key: "data.txt",
      headers: { "if-match": '"00000000000000000000000000000000"' },
    },
    expect: { status: 412, code: "PreconditionFailed" },
  },
  {
    name: "GetObject with If-Match of the current ETag",
    setup: [{ method: "HEAD", bucket: DATA, key: "data.txt", capture: { etag: "header:etag" } }],
    request: { method: "GET", bucket: DATA, key: "data.txt", headers: { "if-match": "{etag}" } },
    expect: { status: 200 },
    compare: ["body"],
  },
  {
    name: "HeadObject with If-None-Match of the current ETag is not modified",
    setup: [{ method: "HEAD", bucket: DATA, key: "data.txt", capture: { etag: "header:etag" } }],
    request: {
      method: "HEAD",
      bucket: DATA,
      key: "data.txt",
      headers: { "if-none-match": "{etag}" },
    },
    expect: { status: 304 },
  },
  {
    name: "GetObject with If-Unmodified-Since in the past fails the precondition",
    request: {
      method: "GET",
      bucket: DATA,
      key: "data.txt",
      headers: { "if-unmodified-since": "Sat, 01 Jan 2000 00:00:00 GMT" },
    },
    expect: { status: 412, code: "PreconditionFailed" },
  },
  {
    name: "GetObject with If-Modified-Since in the past",
    request: {
      method: "GET",
      bucket: DATA,
      key: "data.txt",
      headers: { "if-modified-since": "Sat, 01 Jan 2000 00:00:00 GMT" },
    },
    expect: { status: 200 },
  },
];
