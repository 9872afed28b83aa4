/**
 * The embedded server's pure rules, checked one by one: ranges, ETag matching, bucket names,
 * canned ACLs and policies, multipart completion lists, XML in and out.
 */

import assert from "node:assert/strict";
import {
  aclFromHeaders,
  aclFromXml,
  aclXml,
  ALL_USERS,
  allows,
  AUTHENTICATED_USERS,
  cannedAcl,
} from "../../server/acl.ts";
import { S3Error } from "../../server/errors.ts";
import { bucketNameProblem } from "../../server/handlers/common.ts";
import { etagMatches, parseCopySource, parseRange } from "../../server/handlers/request.ts";
import { completionParts, MIN_PART_SIZE, multipartEtag } from "../../server/multipart.ts";
import type { PartRecord, UploadRecord } from "../../server/storage/types.ts";
import { DEMO_USERS } from "../../server/demo_users.ts";
import { parseXml, xmlDocument } from "../../server/xml.ts";

const code = (name: string) => (e: unknown) => e instanceof S3Error && e.code === name;
const DEMO = { kind: "user", user: DEMO_USERS[0] } as const;
const OTHER = { kind: "user", user: DEMO_USERS[1] } as const;
const ANONYMOUS = { kind: "anonymous" } as const;

Deno.test("parseRange() reads the first byte range and refuses what RGW refuses", () => {
  assert.deepEqual(parseRange("bytes=0-0", 5), { start: 0, end: 0 });
  assert.deepEqual(parseRange("bytes=3-", 5), { start: 3, end: 4 });
  assert.deepEqual(parseRange("bytes=-10", 5), { start: 0, end: 4 });
  assert.equal(parseRange(null, 5), undefined);
  assert.deepEqual(parseRange("bytes=0-1,3-4", 5), { start: 0, end: 1 });
  assert.equal(parseRange("items=0-1", 5), undefined);
  assert.throws(() => parseRange("bytes=4-2", 5), code("InvalidRange"));
  assert.throws(() => parseRange("bytes=5-", 5), code("InvalidRange"));
  assert.throws(() => parseRange("bytes=-0", 5), code("InvalidRange"));
});

Deno.test("etagMatches() accepts quoted, weak, listed and * ETags", () => {
  assert.ok(etagMatches('"abc"', "abc"));
  assert.ok(etagMatches('W/"abc"', "abc"));
  assert.ok(etagMatches('"x", "abc"', "abc"));
  assert.ok(etagMatches("*", "abc"));
  assert.ok(!etagMatches('"abd"', "abc"));
});

Deno.test("parseCopySource() reads /bucket/key with percent-encoding and a version", () => {
  assert.deepEqual(parseCopySource("/b/a%20b/c?versionId=null"), {
    bucket: "b",
    key: "a b/c",
    versionId: "null",
  });
  assert.deepEqual(parseCopySource("/b/k?versionId=a%2Bb"), {
    bucket: "b",
    key: "k",
    versionId: "a+b",
  });
  assert.deepEqual(parseCopySource("b/k"), { bucket: "b", key: "k" });
  assert.throws(() => parseCopySource("just-bucket"), code("InvalidArgument"));
});

Deno.test("bucketNameProblem() follows S3's naming rules", () => {
  for (const good of ["abc", "a-b.c", "a".repeat(63), "1bucket"]) {
    assert.equal(bucketNameProblem(good), undefined, good);
  }
  for (const bad of ["ab", "a".repeat(64), "ABC", "a_b", ".ab", "ab-", "a..b", "a.-b", "1.2.3.4"]) {
    assert.ok(bucketNameProblem(bad), bad);
  }
});

Deno.test("cannedAcl() expands every canned ACL as RGW lists it", () => {
  const grants = (name: string) =>
    cannedAcl(name, "demo", "other").grants.map((g) =>
      `${
        g.grantee.type === "Group" ? g.grantee.uri.split("/").pop() : g.grantee.id
      }:${g.permission}`
    );
  assert.deepEqual(grants("private"), ["demo:FULL_CONTROL"]);
  assert.deepEqual(grants("public-read"), ["AllUsers:READ", "demo:FULL_CONTROL"]);
  assert.deepEqual(grants("public-read-write"), [
    "AllUsers:READ",
    "AllUsers:WRITE",
    "demo:FULL_CONTROL",
  ]);
  assert.deepEqual(grants("authenticated-read"), ["AuthenticatedUsers:READ", "demo:FULL_CONTROL"]);
  assert.deepEqual(grants("bucket-owner-read"), ["other:READ", "demo:FULL_CONTROL"]);
  assert.throws(() => cannedAcl("nope", "demo"), code("InvalidArgument"));
});

Deno.test("allows() judges owners, users, groups and anonymous by grants", () => {
  const pub = cannedAcl("public-read", "demo");
  assert.ok(allows(pub, ANONYMOUS, "READ"));
  assert.ok(!allows(pub, ANONYMOUS, "WRITE"));
  assert.ok(allows(pub, DEMO, "WRITE"));
  const auth = cannedAcl("authenticated-read", "demo");
  assert.ok(allows(auth, OTHER, "READ"));
  assert.ok(!allows(auth, ANONYMOUS, "READ"));
  const none = { owner: "demo", grants: [] };
  assert.ok(allows(none, DEMO, "READ_ACP"));
  assert.ok(allows(none, DEMO, "WRITE_ACP"));
  assert.ok(!allows(none, DEMO, "WRITE"));
  assert.ok(!allows(none, OTHER, "READ_ACP"));
});

Deno.test("aclFromHeaders() reads x-amz-acl or x-amz-grant-*, never both", () => {
  const grant = aclFromHeaders(
    new Headers({ "x-amz-grant-read": `uri="${AUTHENTICATED_USERS}", id="other"` }),
    "demo",
    DEMO_USERS,
  );
  assert.deepEqual(grant?.grants.map((g) => g.permission), ["READ", "READ"]);
  assert.equal(aclFromHeaders(new Headers(), "demo", DEMO_USERS), undefined);
  assert.throws(
    () =>
      aclFromHeaders(
        new Headers({ "x-amz-acl": "private", "x-amz-grant-read": 'id="other"' }),
        "demo",
        DEMO_USERS,
      ),
    code("InvalidRequest"),
  );
});

Deno.test("aclXml() and aclFromXml() round-trip an AccessControlPolicy", () => {
  const acl = cannedAcl("public-read", "demo");
  acl.grants.push({ grantee: { type: "CanonicalUser", id: "other" }, permission: "WRITE_ACP" });
  const xml = aclXml(acl, DEMO_USERS);
  assert.match(xml, /xsi:type="Group"><URI>http:\/\/acs.amazonaws.com\/groups\/global\/AllUsers/);
  assert.match(xml, /<DisplayName>Other User<\/DisplayName>/);
  assert.deepEqual(aclFromXml(xml, "demo", DEMO_USERS), acl);
  assert.throws(() => aclFromXml("<nope", "demo", DEMO_USERS), code("MalformedACLError"));
  assert.throws(() => aclFromXml(xml, "other", DEMO_USERS), code("AccessDenied"));
  assert.equal(ALL_USERS.endsWith("AllUsers"), true);
});

function upload(parts: PartRecord[]): UploadRecord {
  return {
    id: "u",
    bucket: "b",
    key: "k",
    initiated: "",
    initiator: "demo",
    headers: {},
    metadata: {},
    acl: cannedAcl("private", "demo"),
    parts: Object.fromEntries(parts.map((p) => [p.number, p])),
  };
}

Deno.test("completionParts() and multipartEtag() apply S3's completion rules", () => {
  const part = (number: number, size: number, etag: string): PartRecord => ({
    number,
    size,
    etag,
    lastModified: "",
    segment: { ref: `r${number}`, size },
  });
  const p1 = part(1, MIN_PART_SIZE, "0123456789abcdef0123456789abcdef");
  const p2 = part(2, 1, "fedcba9876543210fedcba9876543210");
  const list = (items: [number, string][]) =>
    `<CompleteMultipartUpload>${
      items.map(([n, e]) => `<Part><PartNumber>${n}</PartNumber><ETag>"${e}"</ETag></Part>`).join(
        "",
      )
    }</CompleteMultipartUpload>`;
  const both = completionParts(list([[1, p1.etag], [2, p2.etag]]), upload([p1, p2]));
  assert.deepEqual(both.map((p) => p.number), [1, 2]);
  assert.match(multipartEtag(both), /^[0-9a-f]{32}-2$/);
  assert.throws(
    () => completionParts(list([[2, p2.etag], [1, p1.etag]]), upload([p1, p2])),
    code("InvalidPartOrder"),
  );
  assert.throws(() => completionParts(list([[3, p2.etag]]), upload([p1, p2])), code("InvalidPart"));
  const small = part(1, MIN_PART_SIZE - 1, p1.etag);
  assert.throws(
    () => completionParts(list([[1, p1.etag], [2, p2.etag]]), upload([small, p2])),
    code("EntityTooSmall"),
  );
  assert.throws(
    () => completionParts("<CompleteMultipartUpload/>", upload([])),
    code("MalformedXML"),
  );
});

Deno.test("xmlDocument() escapes text, repeats arrays and skips absent values", () => {
  const xml = xmlDocument("Root", { A: "x<y&z", B: [1, 2], C: undefined, D: { E: true } });
  assert.equal(
    xml,
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
      '<Root xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><A>x&lt;y&amp;z</A><B>1</B><B>2</B>' +
      "<D><E>true</E></D></Root>",
  );
  assert.deepEqual(parseXml("<a><b> k </b></a>", "MalformedXML", false), { a: { b: " k " } });
  assert.throws(() => parseXml("<a><b></a>"), code("MalformedXML"));
});

Deno.test("parseXml() decodes character references, as Go clients write quotes", () => {
  assert.deepEqual(parseXml("<P><ETag>&#34;abc&#34;</ETag><K>&#x41;&amp;</K></P>"), {
    P: { ETag: '"abc"', K: "A&" },
  });
});
