/**
 * Conformance cases: ACL corners. Grants by e-mail address (`emailAddress=` in `x-amz-grant-*`
 * headers, `AmazonCustomerByEmail` grantees in XML; an unknown address is
 * `UnresolvableGrantByEmailAddress`), group grants as listed, re-creating a bucket one owns with
 * another ACL, and `x-amz-grant-*` headers on CreateBucket, PutObject and the ACL calls.
 *
 * @module
 */

import type { Case, SetupStep } from "../runner.ts";
import { bucket, OTHER, put } from "./_common.ts";

const XSI = 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"';

function policy(grants: string[]): string {
  return '<AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
    "<Owner><ID>demo</ID></Owner><AccessControlList>" +
    `<Grant><Grantee ${XSI} xsi:type="CanonicalUser"><ID>demo</ID></Grantee>` +
    "<Permission>FULL_CONTROL</Permission></Grant>" + grants.join("") +
    "</AccessControlList></AccessControlPolicy>";
}

function byEmail(email: string, permission: string): string {
  return `<Grant><Grantee ${XSI} xsi:type="AmazonCustomerByEmail"><EmailAddress>${email}` +
    `</EmailAddress></Grantee><Permission>${permission}</Permission></Grant>`;
}

function group(uri: string, permission: string): string {
  return `<Grant><Grantee ${XSI} xsi:type="Group"><URI>${uri}</URI></Grantee>` +
    `<Permission>${permission}</Permission></Grant>`;
}

const ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers";
const AUTH_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";

const GET_BUCKET_ACL: Case["request"] = { method: "GET", bucket: "{b}", query: { acl: "" } };
const GET_OBJECT_ACL: Case["request"] = {
  method: "GET",
  bucket: "{b}",
  key: "k",
  query: { acl: "" },
};

const GRANT_FIELDS = [
  "grants",
  "xml:AccessControlPolicy.AccessControlList.Grant.Grantee.ID",
  "xml:AccessControlPolicy.AccessControlList.Grant.Grantee.DisplayName",
  "xml:AccessControlPolicy.AccessControlList.Grant.Grantee.URI",
  "xml:AccessControlPolicy.AccessControlList.Grant.Grantee.EmailAddress",
  "xml:AccessControlPolicy.AccessControlList.Grant.Permission",
];

function putBucketAcl(headers: Record<string, string>, body?: string): SetupStep {
  return { method: "PUT", bucket: "{b}", query: { acl: "" }, headers, body };
}

export const ACL_CORNERS: Case[] = [
  {
    name: "PutBucketAcl with x-amz-grant-read by e-mail address",
    setup: [bucket()],
    request: putBucketAcl({ "x-amz-grant-read": 'emailAddress="other@example.com"' }),
    expect: { status: 200 },
  },
  {
    name: "GetBucketAcl after a grant by e-mail address names the user",
    setup: [bucket(), putBucketAcl({ "x-amz-grant-read": 'emailAddress="other@example.com"' })],
    request: GET_BUCKET_ACL,
    expect: { status: 200 },
    compare: GRANT_FIELDS,
  },
  {
    name: "PutBucketAcl with x-amz-grant-read by an unknown e-mail address",
    setup: [bucket()],
    request: putBucketAcl({ "x-amz-grant-read": 'emailAddress="nobody@example.com"' }),
    expect: { status: 404, code: "NoSuchKey" },
  },
  {
    name: "PutBucketAcl with an AmazonCustomerByEmail grantee",
    setup: [bucket()],
    request: putBucketAcl({}, policy([byEmail("other@example.com", "WRITE")])),
    expect: { status: 200 },
  },
  {
    name: "GetBucketAcl after an AmazonCustomerByEmail grant",
    setup: [bucket(), putBucketAcl({}, policy([byEmail("other@example.com", "WRITE")]))],
    request: GET_BUCKET_ACL,
    expect: { status: 200 },
    compare: GRANT_FIELDS,
  },
  {
    name: "PutBucketAcl with an AmazonCustomerByEmail grantee nobody has",
    setup: [bucket()],
    request: putBucketAcl({}, policy([byEmail("nobody@example.com", "READ")])),
    expect: { status: 400, code: "UnresolvableGrantByEmailAddress" },
  },
  {
    name: "A grant by e-mail address lets that user list the bucket",
    setup: [bucket(), putBucketAcl({ "x-amz-grant-read": 'emailAddress="other@example.com"' })],
    request: { method: "GET", bucket: "{b}", auth: OTHER },
    expect: { status: 200 },
  },
  {
    name: "CreateBucket with x-amz-grant-read by e-mail address",
    setup: [{
      method: "PUT",
      bucket: "{b}",
      headers: { "x-amz-grant-read": 'emailAddress="other@example.com"' },
    }],
    request: GET_BUCKET_ACL,
    expect: { status: 200 },
    compare: GRANT_FIELDS,
  },
  {
    name: "CreateBucket with x-amz-grant-write by an unknown e-mail address",
    request: {
      method: "PUT",
      bucket: "{b}",
      headers: { "x-amz-grant-write": 'emailAddress="nobody@example.com"' },
    },
    expect: { status: 404, code: "NoSuchKey" },
  },
  {
    name: "PutObject with x-amz-grant-read by e-mail address",
    setup: [
      bucket(),
      put("k", "hello", {
        headers: { "x-amz-grant-read": 'emailAddress="other@example.com"' },
      }),
    ],
    request: GET_OBJECT_ACL,
    expect: { status: 200 },
    compare: GRANT_FIELDS,
  },
  {
    name: "PutObject with a grant by e-mail address lets that user read it",
    setup: [
      bucket(),
      put("k", "hello", {
        headers: { "x-amz-grant-read": 'emailAddress="other@example.com"' },
      }),
    ],
    request: { method: "GET", bucket: "{b}", key: "k", auth: OTHER },
    expect: { status: 200 },
    compare: ["body"],
  },
  {
    name: "PutObjectAcl with an AmazonCustomerByEmail grantee",
    setup: [bucket(), put("k"), {
      method: "PUT",
      bucket: "{b}",
      key: "k",
      query: { acl: "" },
      body: policy([byEmail("other@example.com", "READ_ACP")]),
    }],
    request: GET_OBJECT_ACL,
    expect: { status: 200 },
    compare: GRANT_FIELDS,
  },
  {
    name: "PutObjectAcl with x-amz-grant-full-control by an unknown e-mail address",
    setup: [bucket(), put("k")],
    request: {
      method: "PUT",
      bucket: "{b}",
      key: "k",
      query: { acl: "" },
      headers: { "x-amz-grant-full-control": 'emailAddress="nobody@example.com"' },
    },
    expect: { status: 404, code: "NoSuchKey" },
  },
  {
    name: "x-amz-grant-read naming a user, a group and an e-mail address at once",
    setup: [
      bucket(),
      putBucketAcl({
        "x-amz-grant-read": `id="other", uri="${AUTH_USERS}", emailAddress="demo@example.com"`,
      }),
    ],
    request: GET_BUCKET_ACL,
    expect: { status: 200 },
    compare: GRANT_FIELDS,
  },
  {
    name: "x-amz-grant-* headers of every permission on PutBucketAcl",
    setup: [
      bucket(),
      putBucketAcl({
        "x-amz-grant-read": `uri="${ALL_USERS}"`,
        "x-amz-grant-write": 'id="other"',
        "x-amz-grant-read-acp": 'id="other"',
        "x-amz-grant-write-acp": 'emailAddress="other@example.com"',
        "x-amz-grant-full-control": 'id="demo"',
      }),
    ],
    request: GET_BUCKET_ACL,
    expect: { status: 200 },
    compare: GRANT_FIELDS,
  },
  {
    name: "x-amz-grant-read with an unknown user id",
    setup: [bucket()],
    request: putBucketAcl({ "x-amz-grant-read": 'id="nosuchuser"' }),
    expect: { status: 404, code: "NoSuchKey" },
  },
  {
    name: "x-amz-grant-read with an unknown group",
    setup: [bucket()],
    request: putBucketAcl({ "x-amz-grant-read": 'uri="http://acs.amazonaws.com/groups/s3/Nope"' }),
    expect: { status: 400, code: "InvalidArgument" },
  },
  {
    name: "x-amz-acl and x-amz-grant-read together",
    setup: [bucket()],
    request: putBucketAcl({ "x-amz-acl": "public-read", "x-amz-grant-read": 'id="other"' }),
    expect: { status: 400, code: "InvalidRequest" },
  },
  {
    name: "GetBucketAcl lists group grants with their URI and no ID",
    setup: [
      bucket(),
      putBucketAcl({}, policy([group(AUTH_USERS, "READ"), group(ALL_USERS, "READ_ACP")])),
    ],
    request: GET_BUCKET_ACL,
    expect: { status: 200 },
    compare: GRANT_FIELDS,
  },
  {
    name: "GetObjectAcl of a public-read-write object lists both group grants",
    setup: [bucket(), put("k", "hello", { headers: { "x-amz-acl": "public-read-write" } })],
    request: GET_OBJECT_ACL,
    expect: { status: 200 },
    compare: GRANT_FIELDS,
  },
  {
    name: "GetBucketAcl of an authenticated-read bucket",
    setup: [bucket("authenticated-read")],
    request: GET_BUCKET_ACL,
    expect: { status: 200 },
    compare: GRANT_FIELDS,
  },
  {
    name: "CreateBucket again on one's own bucket with another canned ACL is refused",
    setup: [bucket()],
    request: { method: "PUT", bucket: "{b}", headers: { "x-amz-acl": "public-read" } },
    expect: { status: 409, code: "BucketAlreadyExists" },
  },
  {
    name: "GetBucketAcl after re-creating one's own bucket with another canned ACL was refused",
    setup: [bucket(), {
      method: "PUT",
      bucket: "{b}",
      headers: { "x-amz-acl": "public-read" },
      expectStatus: 409,
    }],
    request: GET_BUCKET_ACL,
    expect: { status: 200 },
    compare: GRANT_FIELDS,
  },
  {
    name: "GetBucketAcl after re-creating one's own bucket with x-amz-grant-read",
    setup: [bucket("public-read"), {
      method: "PUT",
      bucket: "{b}",
      headers: { "x-amz-grant-read": 'id="other"' },
      expectStatus: 409,
    }],
    request: GET_BUCKET_ACL,
    expect: { status: 200 },
    compare: GRANT_FIELDS,
  },
  {
    name: "GetBucketAcl after re-creating one's own bucket with no ACL",
    setup: [bucket("public-read"), { method: "PUT", bucket: "{b}", expectStatus: 409 }],
    request: GET_BUCKET_ACL,
    expect: { status: 200 },
    compare: GRANT_FIELDS,
  },
  {
    name: "CreateBucket again on one's own public-read bucket with public-read",
    setup: [bucket("public-read")],
    request: { method: "PUT", bucket: "{b}", headers: { "x-amz-acl": "public-read" } },
    expect: { status: 200 },
  },
  {
    name: "CreateBucket by another user of a bucket with x-amz-acl",
    setup: [bucket()],
    request: { method: "PUT", bucket: "{b}", headers: { "x-amz-acl": "public-read" }, auth: OTHER },
    expect: { status: 409, code: "BucketAlreadyExists" },
  },
  {
    name: "PutObject with x-amz-grant-full-control for the bucket owner by id",
    setup: [bucket("public-read-write"), {
      ...put("k"),
      auth: OTHER,
      headers: { "x-amz-grant-full-control": 'id="demo"' },
    }],
    request: GET_OBJECT_ACL,
    expect: { status: 200 },
    compare: GRANT_FIELDS,
  },
];
