/**
 * Conformance cases: ACL documents: grants read back, put as XML or headers, malformed ones.
 *
 * @module
 */

import type { Case } from "../runner.ts";
import { ANON, bucket, grantXml, OTHER, put } from "./_common.ts";

/** A policy document granting the owner FULL_CONTROL `count` times. */
function manyGrantsXml(count: number): string {
  const grant = '<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ' +
    'xsi:type="CanonicalUser"><ID>demo</ID></Grantee><Permission>FULL_CONTROL</Permission></Grant>';
  return '<AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
    `<Owner><ID>demo</ID></Owner><AccessControlList>${grant.repeat(count)}</AccessControlList>` +
    "</AccessControlPolicy>";
}

/** `x-amz-grant-full-control` naming the owner `count` times. */
function manyGrantHeaders(count: number): Record<string, string> {
  return { "x-amz-grant-full-control": Array(count).fill('id="demo"').join(", ") };
}

export const ACL_DETAILS: Case[] = [
  {
    name: "PutBucketAcl with a policy document grants another user READ",
    setup: [bucket(), {
      method: "PUT",
      bucket: "{b}",
      query: { acl: "" },
      body: grantXml("READ"),
    }],
    request: { method: "GET", bucket: "{b}", query: { acl: "" } },
    expect: { status: 200 },
    compare: ["grants"],
  },
  {
    name: "ListObjects by a user granted READ on the bucket",
    setup: [bucket(), put("x.txt"), {
      method: "PUT",
      bucket: "{b}",
      query: { acl: "" },
      body: grantXml("READ"),
    }],
    request: { method: "GET", bucket: "{b}", query: { "list-type": "2" }, auth: OTHER },
    expect: { status: 200 },
    compare: ["xml:ListBucketResult.Contents.Key"],
  },
  {
    name: "PutObjectAcl with a policy document lets another user read",
    setup: [bucket(), put("x.txt", "granted"), {
      method: "PUT",
      bucket: "{b}",
      key: "x.txt",
      query: { acl: "" },
      body: grantXml("READ"),
    }],
    request: { method: "GET", bucket: "{b}", key: "x.txt", auth: OTHER },
    expect: { status: 200 },
    compare: ["body"],
  },
  {
    name: "PutObjectAcl granting READ_ACP lets another user read the ACL",
    setup: [bucket(), put("x.txt"), {
      method: "PUT",
      bucket: "{b}",
      key: "x.txt",
      query: { acl: "" },
      body: grantXml("READ_ACP"),
    }],
    request: { method: "GET", bucket: "{b}", key: "x.txt", query: { acl: "" }, auth: OTHER },
    expect: { status: 200 },
    compare: ["grants"],
  },
  {
    name: "PutBucketAcl with malformed XML is refused",
    setup: [bucket()],
    request: { method: "PUT", bucket: "{b}", query: { acl: "" }, body: "<AccessControlPolicy>" },
    expect: { status: 400, code: "InvalidArgument" },
  },
  {
    name: "PutBucketAcl with a policy of 101 grants is refused",
    setup: [bucket()],
    request: { method: "PUT", bucket: "{b}", query: { acl: "" }, body: manyGrantsXml(101) },
    expect: { status: 400, code: "LimitExceeded" },
  },
  {
    name: "PutObjectAcl with 101 x-amz-grant-* grants is refused",
    setup: [bucket(), put("x.txt")],
    request: {
      method: "PUT",
      bucket: "{b}",
      key: "x.txt",
      query: { acl: "" },
      headers: manyGrantHeaders(101),
    },
    expect: { status: 400, code: "LimitExceeded" },
  },
  {
    name: "PutObject with 101 x-amz-grant-* grants",
    setup: [bucket()],
    request: {
      method: "PUT",
      bucket: "{b}",
      key: "x.txt",
      headers: manyGrantHeaders(101),
      body: "x",
    },
    expect: { status: 200 },
  },
  {
    name: "PutObjectAcl with a canned ACL makes an object public",
    setup: [bucket(), put("p.txt", "now public"), {
      method: "PUT",
      bucket: "{b}",
      key: "p.txt",
      query: { acl: "" },
      headers: { "x-amz-acl": "public-read" },
    }],
    request: { method: "GET", bucket: "{b}", key: "p.txt", auth: ANON },
    expect: { status: 200 },
    compare: ["body"],
  },
  {
    name: "PutObject with x-amz-acl public-read is readable anonymously",
    setup: [bucket(), put("p.txt", "public at once", { headers: { "x-amz-acl": "public-read" } })],
    request: { method: "GET", bucket: "{b}", key: "p.txt", auth: ANON },
    expect: { status: 200 },
    compare: ["body"],
  },
  {
    name: "An object written by another user into a public-read-write bucket",
    setup: [bucket("public-read-write"), put("theirs.txt", "theirs", { auth: OTHER })],
    request: { method: "GET", bucket: "{b}", key: "theirs.txt", query: { acl: "" }, auth: OTHER },
    expect: { status: 200 },
    compare: ["grants", "xml:AccessControlPolicy.Owner.ID"],
  },
  {
    name: "A public-read bucket does not make its objects public",
    setup: [bucket("public-read"), put("x.txt")],
    request: { method: "GET", bucket: "{b}", key: "x.txt", auth: ANON },
    expect: { status: 403, code: "AccessDenied" },
  },
  {
    name: "GetObject anonymously in a missing bucket",
    request: { method: "GET", bucket: "{b}", key: "x.txt", auth: ANON },
    expect: { status: 404, code: "NoSuchBucket" },
  },
];
