/**
 * Conformance cases: Presigned URLs and signatures (V2, V4, chunked): accepted and refused.
 *
 * @module
 */

import type { Case } from "../runner.ts";
import { bucket, DATA, put } from "./_common.ts";

export const PRESIGNED: Case[] = [
  {
    name: "Presigned GET works without credentials",
    request: { method: "GET", bucket: DATA, key: "acl/private.txt", auth: { scheme: "presign" } },
    expect: { status: 200 },
    compare: ["body"],
  },
  {
    name: "Presigned GET that has expired is refused",
    request: {
      method: "GET",
      bucket: DATA,
      key: "acl/private.txt",
      auth: { scheme: "presign", expiresIn: 60, signedSecondsAgo: 3600 },
    },
    expect: { status: 403, code: "AccessDenied" },
  },
  {
    name: "Presigned GET with the key changed is refused",
    request: {
      method: "GET",
      bucket: DATA,
      key: "acl/private.txt",
      auth: { scheme: "presign", tamper: "key" },
    },
    expect: { status: 403, code: "SignatureDoesNotMatch" },
  },
  {
    name: "Presigned GET with the expiry changed is refused",
    request: {
      method: "GET",
      bucket: DATA,
      key: "acl/private.txt",
      auth: { scheme: "presign", tamper: "expires" },
    },
    expect: { status: 403, code: "SignatureDoesNotMatch" },
  },
  {
    name: "Presigned GET used for a DELETE is refused",
    setup: [bucket(), put("keep.txt")],
    request: {
      method: "DELETE",
      bucket: "{b}",
      key: "keep.txt",
      auth: { scheme: "presign", tamper: "method" },
    },
    expect: { status: 403, code: "SignatureDoesNotMatch" },
  },
  {
    name: "Presigned URL with an expiry over 7 days is refused",
    request: {
      method: "GET",
      bucket: DATA,
      key: "acl/private.txt",
      auth: { scheme: "presign", expiresIn: 604800, tamper: "expires" },
    },
    expect: { status: 403, code: "AccessDenied" },
  },
  {
    name: "Presigned GET with an unknown access key is refused",
    request: {
      method: "GET",
      bucket: DATA,
      key: "acl/private.txt",
      auth: { scheme: "presign", unknownKey: true },
    },
    expect: { status: 403, code: "InvalidAccessKeyId" },
  },
  {
    name: "Presigned GET by a user without access is refused",
    request: {
      method: "GET",
      bucket: DATA,
      key: "acl/private.txt",
      auth: { scheme: "presign", as: "other" },
    },
    expect: { status: 403, code: "AccessDenied" },
  },
  {
    name: "Presigned PUT stores an object",
    setup: [bucket()],
    request: {
      method: "PUT",
      bucket: "{b}",
      key: "uploaded.txt",
      body: "via presigned PUT",
      auth: { scheme: "presign" },
    },
    expect: { status: 200 },
    compare: ["header:etag"],
  },
];

export const SIGNATURES: Case[] = [
  {
    name: "Signature V2 header auth reads an object",
    request: { method: "GET", bucket: DATA, key: "data.txt", auth: { scheme: "v2" } },
    expect: { status: 200 },
    compare: ["body", "header:etag"],
  },
  {
    name: "Signature V2 header auth stores an object with type and MD5",
    setup: [bucket()],
    request: {
      method: "PUT",
      bucket: "{b}",
      key: "v2.txt",
      body: "signed with v2",
      md5: true,
      headers: { "content-type": "text/plain", "x-amz-meta-color": "green" },
      auth: { scheme: "v2" },
    },
    expect: { status: 200 },
    compare: ["header:etag"],
  },
  {
    name: "Signature V2 header auth lists buckets",
    request: { method: "GET", auth: { scheme: "v2" } },
    expect: { status: 200 },
    compare: ["xml:ListAllMyBucketsResult.Owner.ID"],
  },
  {
    name: "Signature V2 header auth reads a bucket ACL",
    request: { method: "GET", bucket: DATA, query: { acl: "" }, auth: { scheme: "v2" } },
    expect: { status: 200 },
    compare: ["grants"],
  },
  {
    name: "Signature V2 header auth with a wrong secret is refused",
    request: {
      method: "GET",
      bucket: DATA,
      key: "data.txt",
      auth: { scheme: "v2", wrongSecret: true },
    },
    expect: { status: 403, code: "SignatureDoesNotMatch" },
  },
  {
    name: "Signature V2 header auth with an unknown key is refused",
    request: {
      method: "GET",
      bucket: DATA,
      key: "data.txt",
      auth: { scheme: "v2", unknownKey: true },
    },
    expect: { status: 403, code: "InvalidAccessKeyId" },
  },
  {
    name: "Signature V2 header auth dated 20 minutes ago is refused as skewed",
    request: {
      method: "GET",
      bucket: DATA,
      key: "data.txt",
      auth: { scheme: "v2", signedSecondsAgo: 1200 },
    },
    expect: { status: 403, code: "RequestTimeTooSkewed" },
  },
  {
    name: "Signature V2 query auth reads an object",
    request: { method: "GET", bucket: DATA, key: "acl/private.txt", auth: { scheme: "v2-query" } },
    expect: { status: 200 },
    compare: ["body"],
  },
  {
    name: "Signature V2 query auth that has expired is refused",
    request: {
      method: "GET",
      bucket: DATA,
      key: "acl/private.txt",
      auth: { scheme: "v2-query", expiresIn: 60, signedSecondsAgo: 3600 },
    },
    expect: { status: 403, code: "AccessDenied" },
  },
  {
    name: "Signature V2 query auth with the key changed is refused",
    request: {
      method: "GET",
      bucket: DATA,
      key: "acl/private.txt",
      auth: { scheme: "v2-query", tamper: "key" },
    },
    expect: { status: 403, code: "SignatureDoesNotMatch" },
  },
  {
    name: "Signature V2 query auth with the expiry changed is refused",
    request: {
      method: "GET",
      bucket: DATA,
      key: "acl/private.txt",
      auth: { scheme: "v2-query", tamper: "expires" },
    },
    expect: { status: 403, code: "SignatureDoesNotMatch" },
  },
  {
    name: "SigV4 with UNSIGNED-PAYLOAD stores an object",
    setup: [bucket()],
    request: {
      method: "PUT",
      bucket: "{b}",
      key: "unsigned.txt",
      body: "unsigned payload",
      auth: { scheme: "v4-unsigned-payload" },
    },
    expect: { status: 200 },
    compare: ["header:etag"],
  },
  {
    name: "SigV4 with a payload hash that does not match the body is refused",
    setup: [bucket()],
    request: {
      method: "PUT",
      bucket: "{b}",
      key: "mismatch.txt",
      body: "these bytes",
      auth: { tamper: "payload-hash" },
    },
    expect: { status: 400, code: "XAmzContentSHA256Mismatch" },
  },
  {
    name: "SigV4 with a payload hash that does not match stores nothing",
    setup: [bucket(), {
      method: "PUT",
      bucket: "{b}",
      key: "mismatch.txt",
      body: "these bytes",
      auth: { tamper: "payload-hash" },
      expectStatus: 400,
    }],
    request: { method: "HEAD", bucket: "{b}", key: "mismatch.txt" },
    expect: { status: 404 },
  },
  {
    name: "SigV4 with a wrong secret on a PUT is refused and stores nothing",
    setup: [bucket()],
    request: {
      method: "PUT",
      bucket: "{b}",
      key: "nope.txt",
      body: "x",
      auth: { wrongSecret: true },
    },
    expect: { status: 403, code: "SignatureDoesNotMatch" },
  },
];

/**
 * Signatures bind what they sign: `host` and every `x-amz-*` header sent must be signed, and a
 * presigned URL may not be dated past the clock skew. RGW 16.2.15 accepts all of these (the
 * CVE-2026-54330 class); the embedded server refuses them as AWS does (allowlisted, pinned).
 */
export const UNSIGNED_HEADERS: Case[] = [
  {
    name: "Presigned PUT with an unsigned x-amz-copy-source and x-amz-acl is refused",
    setup: [bucket()],
    request: {
      method: "PUT",
      bucket: "{b}",
      key: "upload.txt",
      auth: {
        scheme: "presign",
        unsigned: {
          "x-amz-copy-source": "/{run}-data/acl/private.txt",
          "x-amz-acl": "public-read",
        },
      },
    },
    expect: { status: 200 },
  },
  {
    name: "SigV4 PUT replayed with an unsigned x-amz-acl is refused",
    setup: [bucket()],
    request: {
      method: "PUT",
      bucket: "{b}",
      key: "report.txt",
      body: "quarterly report",
      auth: { unsigned: { "x-amz-acl": "public-read" } },
    },
    expect: { status: 200 },
  },
  {
    name: "SigV4 PUT replayed with an unsigned x-amz-meta-* is refused",
    setup: [bucket()],
    request: {
      method: "PUT",
      bucket: "{b}",
      key: "report.txt",
      body: "quarterly report",
      auth: { unsigned: { "x-amz-meta-owner": "mallory" } },
    },
    expect: { status: 200 },
  },
  {
    name: "SigV4 GET whose SignedHeaders leaves out host is refused",
    request: {
      method: "GET",
      bucket: DATA,
      key: "data.txt",
      auth: { signedHeaders: ["x-amz-content-sha256", "x-amz-date"] },
    },
    expect: { status: 200 },
  },
  {
    name: "SigV4 GET signed for the iam service is refused",
    request: { method: "GET", bucket: DATA, key: "data.txt", auth: { service: "iam" } },
    expect: { status: 200 },
  },
  {
    name: "Presigned GET dated ten years ahead is refused",
    request: {
      method: "GET",
      bucket: DATA,
      key: "acl/private.txt",
      auth: { scheme: "presign", expiresIn: 3600, signedSecondsAgo: -10 * 365 * 86_400 },
    },
    expect: { status: 200 },
  },
  {
    name: "SigV4 GET with x-amz-content-sha256 sent but not in SignedHeaders is accepted",
    request: {
      method: "GET",
      bucket: DATA,
      key: "data.txt",
      auth: { signedHeaders: ["host", "x-amz-date"] },
    },
    expect: { status: 200 },
    compare: ["body"],
  },
  {
    name: "SigV4 PUT with x-amz-acl and x-amz-meta-* signed stores both",
    setup: [
      bucket(),
      put("signed.txt", "signed headers", {
        headers: { "x-amz-acl": "public-read", "x-amz-meta-owner": "demo" },
      }),
    ],
    request: { method: "GET", bucket: "{b}", key: "signed.txt", auth: { as: "anonymous" } },
    expect: { status: 200 },
    compare: ["body", "header:x-amz-meta-owner"],
  },
];
