/**
 * Conformance cases: ListBuckets and bucket-level requests: create (names, ACLs, regions), delete, head.
 *
 * @module
 */

import type { Case } from "../runner.ts";
import { ANON, bucket, createUpload, DATA, OTHER, put, RUN_LENGTH } from "./_common.ts";

export const SERVICE: Case[] = [
  {
    name: "ListBuckets names the owner",
    request: { method: "GET" },
    expect: { status: 200 },
    compare: [
      "xml:ListAllMyBucketsResult.Owner.ID",
      "xml:ListAllMyBucketsResult.Owner.DisplayName",
    ],
  },
  {
    name: "ListBuckets anonymously lists nothing",
    request: { method: "GET", auth: ANON },
    expect: { status: 200 },
    compare: ["xml:ListAllMyBucketsResult.Owner.ID", "has:ListAllMyBucketsResult.Buckets.Bucket"],
  },
  {
    name: "ListBuckets with an unknown access key is refused",
    request: { method: "GET", auth: { unknownKey: true } },
    expect: { status: 403, code: "InvalidAccessKeyId" },
  },
  {
    name: "ListBuckets with a wrong secret is refused",
    request: { method: "GET", auth: { wrongSecret: true } },
    expect: { status: 403, code: "SignatureDoesNotMatch" },
  },
  {
    name: "ListBuckets signed 20 minutes ago is refused as skewed",
    request: { method: "GET", auth: { signedSecondsAgo: 1200 } },
    expect: { status: 403, code: "RequestTimeTooSkewed" },
  },
  {
    name: "ListBuckets signed 20 minutes ahead is refused as skewed",
    request: { method: "GET", auth: { signedSecondsAgo: -1200 } },
    expect: { status: 403, code: "RequestTimeTooSkewed" },
  },
];

export const BUCKETS: Case[] = [
  {
    name: "CreateBucket creates a bucket",
    request: { method: "PUT", bucket: "{b}" },
    expect: { status: 200 },
  },
  {
    name: "CreateBucket on the owner's own bucket succeeds again (as in us-east-1)",
    setup: [bucket()],
    request: { method: "PUT", bucket: "{b}" },
    expect: { status: 200 },
  },
  {
    name: "CreateBucket on another user's bucket is refused",
    setup: [{ ...bucket(), auth: OTHER }],
    request: { method: "PUT", bucket: "{b}" },
    expect: { status: 409, code: "BucketAlreadyExists" },
  },
  {
    name: "CreateBucket with a 2-character name is refused",
    request: { method: "PUT", bucket: "ab" },
    expect: { status: 400, code: "InvalidBucketName" },
  },
  {
    name: "CreateBucket with an underscore and capitals is refused",
    request: { method: "PUT", bucket: "{b}_Bad" },
    expect: { status: 400, code: "InvalidBucketName" },
  },
  {
    name: "CreateBucket with a leading dash is refused",
    request: { method: "PUT", bucket: "-{b}" },
    expect: { status: 400, code: "InvalidBucketName" },
  },
  {
    name: "CreateBucket with an IP address name is refused",
    request: { method: "PUT", bucket: "192.168.5.4" },
    expect: { status: 400, code: "InvalidBucketName" },
  },
  {
    name: "CreateBucket anonymously is refused",
    request: { method: "PUT", bucket: "{b}", auth: ANON },
    expect: { status: 403, code: "AccessDenied" },
  },
  {
    name: "CreateBucket with x-amz-acl public-read grants AllUsers READ",
    setup: [bucket("public-read")],
    request: { method: "GET", bucket: "{b}", query: { acl: "" } },
    expect: { status: 200 },
    compare: ["grants", "xml:AccessControlPolicy.Owner.ID"],
  },
  {
    name: "CreateBucket with an unknown canned ACL is refused",
    request: { method: "PUT", bucket: "{b}", headers: { "x-amz-acl": "bogus-acl" } },
    expect: { status: 400, code: "InvalidArgument" },
  },
  {
    name: "CreateBucket with dots in the name",
    request: { method: "PUT", bucket: "{b}.with.dots" },
    expect: { status: 200 },
  },
  {
    name: "CreateBucket with a 63-character name",
    request: { method: "PUT", bucket: `{run}-${"x".repeat(63 - RUN_LENGTH - 1)}` },
    expect: { status: 200 },
  },
  {
    name: "CreateBucket with a 64-character name is refused",
    request: { method: "PUT", bucket: `{run}-${"x".repeat(64 - RUN_LENGTH - 1)}` },
    expect: { status: 400, code: "InvalidBucketName" },
  },
  {
    name: "DeleteBucket with an open multipart upload",
    setup: [bucket(), createUpload()],
    request: { method: "DELETE", bucket: "{b}" },
    expect: { status: 204 },
  },
  {
    name: "HeadBucket on an existing bucket",
    request: { method: "HEAD", bucket: DATA },
    expect: { status: 200 },
  },
  {
    name: "HeadBucket on a missing bucket",
    request: { method: "HEAD", bucket: "{b}" },
    expect: { status: 404 },
  },
  {
    name: "DeleteBucket on an empty bucket",
    setup: [bucket()],
    request: { method: "DELETE", bucket: "{b}" },
    expect: { status: 204 },
  },
  {
    name: "DeleteBucket on a non-empty bucket is refused",
    setup: [bucket(), put("left.txt")],
    request: { method: "DELETE", bucket: "{b}" },
    expect: { status: 409, code: "BucketNotEmpty" },
    compare: ["xml:Error.BucketName"],
  },
  {
    name: "DeleteBucket on a missing bucket",
    request: { method: "DELETE", bucket: "{b}" },
    expect: { status: 404, code: "NoSuchBucket" },
    compare: ["xml:Error.BucketName"],
  },
  {
    name: "DeleteBucket by another user on a private bucket is refused",
    setup: [bucket()],
    request: { method: "DELETE", bucket: "{b}", auth: OTHER },
    expect: { status: 403, code: "AccessDenied" },
  },
  {
    name: "DeleteBucket by another user on a public-read-write bucket",
    setup: [bucket("public-read-write")],
    request: { method: "DELETE", bucket: "{b}", auth: OTHER },
    expect: { status: 204 },
  },
  {
    name: "DeleteBucket after its objects are gone",
    setup: [bucket(), put("gone.txt"), { method: "DELETE", bucket: "{b}", key: "gone.txt" }],
    request: { method: "DELETE", bucket: "{b}" },
    expect: { status: 204 },
  },
  {
    name: "GetBucketLocation answers the default location",
    request: { method: "GET", bucket: DATA, query: { location: "" } },
    expect: { status: 200 },
    compare: ["has:LocationConstraint"],
  },
  {
    name: "GetBucketLocation on a missing bucket",
    request: { method: "GET", bucket: "{b}", query: { location: "" } },
    expect: { status: 404, code: "NoSuchBucket" },
  },
];
