/**
 * Conformance cases: conditional writes. `If-Match` and `If-None-Match` (an ETag, a list, or `*`)
 * on PutObject, CopyObject and CompleteMultipartUpload, in plain and versioned buckets, and what a
 * refused write leaves behind.
 *
 * @module
 */

import type { Case, SetupStep } from "../runner.ts";
import { bucket, completeBody, createUpload, put, uploadPart } from "./_common.ts";

/** MD5 of `hello`, the body `put()` writes by default. */
const HELLO = '"5d41402abc4b2a76b9719d911017c592"';
const OTHER_ETAG = '"0123456789abcdef0123456789abcdef"';

function versioned(): SetupStep[] {
  return [bucket(), {
    method: "PUT",
    bucket: "{b}",
    query: { versioning: "" },
    body: '<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
      "<Status>Enabled</Status></VersioningConfiguration>",
  }];
}

function putIf(headers: Record<string, string>, key = "k"): Case["request"] {
  return { method: "PUT", bucket: "{b}", key, body: "new body", headers };
}

function completeIf(headers: Record<string, string>): Case["request"] {
  return {
    method: "POST",
    bucket: "{b}",
    key: "mp.bin",
    query: { uploadId: "{upload}" },
    body: completeBody([[1, "{etag1}"]]),
    headers,
  };
}

const READ_BACK: Case["request"] = { method: "GET", bucket: "{b}", key: "k" };

export const CONDITIONAL_WRITES: Case[] = [
  {
    name: "PutObject with If-None-Match * creates a new key",
    setup: [bucket()],
    request: putIf({ "if-none-match": "*" }),
    expect: { status: 200 },
    compare: ["header:etag"],
  },
  {
    name: "PutObject with If-None-Match * on an existing key is refused",
    setup: [bucket(), put("k")],
    request: putIf({ "if-none-match": "*" }),
    expect: { status: 412, code: "PreconditionFailed" },
  },
  {
    name: "PutObject refused by If-None-Match * leaves the object as it was",
    setup: [bucket(), put("k"), {
      ...put("k", "new body"),
      headers: { "if-none-match": "*" },
      expectStatus: 412,
    }],
    request: READ_BACK,
    expect: { status: 200 },
    compare: ["body", "header:etag"],
  },
  {
    name: "PutObject with If-Match of the current ETag replaces it",
    setup: [bucket(), put("k")],
    request: putIf({ "if-match": HELLO }),
    expect: { status: 412, code: "PreconditionFailed" },
    compare: ["header:etag"],
  },
  {
    name: "PutObject with If-Match of another ETag is refused",
    setup: [bucket(), put("k")],
    request: putIf({ "if-match": OTHER_ETAG }),
    expect: { status: 412, code: "PreconditionFailed" },
  },
  {
    name: "PutObject with If-Match on a missing key",
    setup: [bucket()],
    request: putIf({ "if-match": HELLO }),
    expect: { status: 412, code: "PreconditionFailed" },
  },
  {
    name: "PutObject with If-Match * on an existing key",
    setup: [bucket(), put("k")],
    request: putIf({ "if-match": "*" }),
    expect: { status: 200 },
  },
  {
    name: "PutObject with If-Match * on a missing key",
    setup: [bucket()],
    request: putIf({ "if-match": "*" }),
    expect: { status: 412, code: "PreconditionFailed" },
  },
  {
    name: "PutObject with If-None-Match of the current ETag is refused",
    setup: [bucket(), put("k")],
    request: putIf({ "if-none-match": HELLO }),
    expect: { status: 200 },
  },
  {
    name: "PutObject with If-None-Match of another ETag replaces it",
    setup: [bucket(), put("k")],
    request: putIf({ "if-none-match": OTHER_ETAG }),
    expect: { status: 200 },
  },
  {
    name: "PutObject with If-Match listing the current ETag among others",
    setup: [bucket(), put("k")],
    request: putIf({ "if-match": `${OTHER_ETAG}, ${HELLO}` }),
    expect: { status: 412, code: "PreconditionFailed" },
  },
  {
    name: "PutObject with If-Match of the ETag unquoted",
    setup: [bucket(), put("k")],
    request: putIf({ "if-match": HELLO.slice(1, -1) }),
    expect: { status: 200 },
  },
  {
    name: "PutObject with both If-Match and If-None-Match *",
    setup: [bucket(), put("k")],
    request: putIf({ "if-match": HELLO, "if-none-match": "*" }),
    expect: { status: 412, code: "PreconditionFailed" },
  },
  {
    name: "PutObject with If-None-Match * where a delete marker is current",
    setup: [...versioned(), put("k"), { method: "DELETE", bucket: "{b}", key: "k" }],
    request: putIf({ "if-none-match": "*" }),
    expect: { status: 200 },
  },
  {
    name: "PutObject with If-Match where a delete marker is current",
    setup: [...versioned(), put("k"), { method: "DELETE", bucket: "{b}", key: "k" }],
    request: putIf({ "if-match": HELLO }),
    expect: { status: 412, code: "PreconditionFailed" },
  },
  {
    name: "PutObject with If-Match in a versioned bucket adds a version",
    setup: [...versioned(), put("k")],
    request: putIf({ "if-match": HELLO }),
    expect: { status: 412, code: "PreconditionFailed" },
    compare: ["header:etag", "vid:header:x-amz-version-id"],
  },
  {
    name: "PutObject with If-None-Match * in a versioned bucket with a current version",
    setup: [...versioned(), put("k")],
    request: putIf({ "if-none-match": "*" }),
    expect: { status: 200 },
  },
  {
    name: "CopyObject with If-None-Match * onto an existing key",
    setup: [bucket(), put("k"), put("src", "source body")],
    request: {
      method: "PUT",
      bucket: "{b}",
      key: "k",
      headers: { "x-amz-copy-source": "/{b}/src", "if-none-match": "*" },
    },
    expect: { status: 200 },
  },
  {
    name: "CopyObject with If-Match of another ETag onto an existing key",
    setup: [bucket(), put("k"), put("src", "source body")],
    request: {
      method: "PUT",
      bucket: "{b}",
      key: "k",
      headers: { "x-amz-copy-source": "/{b}/src", "if-match": OTHER_ETAG },
    },
    expect: { status: 200 },
  },
  {
    name: "CompleteMultipartUpload with If-None-Match * onto a new key",
    setup: [bucket(), createUpload(), uploadPart(1, "only part")],
    request: completeIf({ "if-none-match": "*" }),
    expect: { status: 200 },
    compare: ["xml:CompleteMultipartUploadResult.Key"],
  },
  {
    name: "CompleteMultipartUpload with If-None-Match * onto an existing key",
    setup: [bucket(), put("mp.bin"), createUpload(), uploadPart(1, "only part")],
    request: completeIf({ "if-none-match": "*" }),
    expect: { status: 200 },
  },
  {
    name: "CompleteMultipartUpload with If-Match of the current ETag",
    setup: [bucket(), put("mp.bin"), createUpload(), uploadPart(1, "only part")],
    request: completeIf({ "if-match": HELLO }),
    expect: { status: 200 },
  },
  {
    name: "CompleteMultipartUpload with If-Match of another ETag",
    setup: [bucket(), put("mp.bin"), createUpload(), uploadPart(1, "only part")],
    request: completeIf({ "if-match": OTHER_ETAG }),
    expect: { status: 200 },
  },
  {
    name: "CompleteMultipartUpload with If-Match on a missing key",
    setup: [bucket(), createUpload(), uploadPart(1, "only part")],
    request: completeIf({ "if-match": HELLO }),
    expect: { status: 200 },
  },

  {
    name: "PutObject with If-None-Match of the current ETag unquoted",
    setup: [bucket(), put("k")],
    request: putIf({ "if-none-match": HELLO.slice(1, -1) }),
    expect: { status: 412, code: "PreconditionFailed" },
  },
  {
    name: "PutObject with If-Match of the ETag unquoted in a versioned bucket",
    setup: [...versioned(), put("k")],
    request: putIf({ "if-match": HELLO.slice(1, -1) }),
    expect: { status: 412, code: "PreconditionFailed" },
  },
  {
    name: "PutObject with If-Match unquoted where the object was replaced",
    setup: [bucket(), put("k"), put("k", "replaced")],
    request: putIf({ "if-match": HELLO.slice(1, -1) }),
    expect: { status: 412, code: "PreconditionFailed" },
  },
  {
    name: "PutObject with If-Match unquoted leaves a new body to read",
    setup: [bucket(), put("k"), {
      ...put("k", "new body"),
      headers: { "if-match": HELLO.slice(1, -1) },
    }],
    request: READ_BACK,
    expect: { status: 200 },
    compare: ["body", "header:etag"],
  },
  {
    name: "PutObject with If-None-Match * in a suspended bucket with an object",
    setup: [...versioned(), put("k"), {
      method: "PUT",
      bucket: "{b}",
      query: { versioning: "" },
      body: '<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
        "<Status>Suspended</Status></VersioningConfiguration>",
    }, put("k", "null version")],
    request: putIf({ "if-none-match": "*" }),
    expect: { status: 412, code: "PreconditionFailed" },
  },
];
