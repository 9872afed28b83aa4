/**
 * Conformance cases: object tagging. PutObjectTagging, GetObjectTagging and DeleteObjectTagging
 * (on the current version and on one named by `versionId`), `x-amz-tagging` on PutObject,
 * CopyObject (with `x-amz-tagging-directive`) and CreateMultipartUpload, the
 * `x-amz-tagging-count` header, and the limits (10 tags, key 128 and value 256 characters).
 *
 * RGW 16 ignores `x-amz-tagging-directive` (a copy always keeps the source's tags) and drops
 * `x-amz-tagging` on CreateMultipartUpload; these cases pin those answers, which the embedded
 * server gives too.
 *
 * @module
 */

import type { Case, SetupStep } from "../runner.ts";
import { ANON, bucket, complete, createUpload, DATA, OTHER, put, uploadPart } from "./_common.ts";

function taggingXml(tags: Array<[string, string]>): string {
  return '<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet>' +
    tags.map(([k, v]) => `<Tag><Key>${k}</Key><Value>${v}</Value></Tag>`).join("") +
    "</TagSet></Tagging>";
}

function putTags(tags: Array<[string, string]>, key = "k", extra: Partial<SetupStep> = {}) {
  return {
    method: "PUT",
    bucket: "{b}",
    key,
    query: { tagging: "" },
    body: taggingXml(tags),
    ...extra,
  } satisfies SetupStep;
}

function getTags(key = "k", query: Record<string, string> = {}): Case["request"] {
  return { method: "GET", bucket: "{b}", key, query: { tagging: "", ...query } };
}

const TAGS = ["xml:Tagging.TagSet.Tag.Key", "xml:Tagging.TagSet.Tag.Value"];

function versioned(): SetupStep[] {
  return [bucket(), {
    method: "PUT",
    bucket: "{b}",
    query: { versioning: "" },
    body: '<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
      "<Status>Enabled</Status></VersioningConfiguration>",
  }];
}

function putVersion(key: string, body: string, name: string, headers: Record<string, string> = {}) {
  return put(key, body, { headers, capture: { [name]: "header:x-amz-version-id" } });
}

const TAGGED: SetupStep[] = [
  bucket(),
  put("k", "hello", { headers: { "x-amz-tagging": "a=1&b=two" } }),
];

export const TAGGING: Case[] = [
  {
    name: "PutObjectTagging tags an object",
    setup: [bucket(), put("k")],
    request: putTags([["color", "blue"], ["size", "9"]]),
    expect: { status: 200 },
  },
  {
    name: "GetObjectTagging lists the tags put",
    setup: [bucket(), put("k"), putTags([["size", "9"], ["color", "blue"]])],
    request: getTags(),
    expect: { status: 200 },
    compare: TAGS,
  },
  {
    name: "GetObjectTagging of an untagged object lists an empty TagSet",
    setup: [bucket(), put("k")],
    request: getTags(),
    expect: { status: 200 },
    compare: ["has:Tagging.TagSet", ...TAGS],
  },
  {
    name: "PutObjectTagging replaces every tag",
    setup: [bucket(), put("k"), putTags([["a", "1"], ["b", "2"]]), putTags([["c", "3"]])],
    request: getTags(),
    expect: { status: 200 },
    compare: TAGS,
  },
  {
    name: "DeleteObjectTagging removes the tags",
    setup: [bucket(), put("k"), putTags([["a", "1"]])],
    request: { method: "DELETE", bucket: "{b}", key: "k", query: { tagging: "" } },
    expect: { status: 204 },
  },
  {
    name: "GetObjectTagging after DeleteObjectTagging",
    setup: [bucket(), put("k"), putTags([["a", "1"]]), {
      method: "DELETE",
      bucket: "{b}",
      key: "k",
      query: { tagging: "" },
    }],
    request: getTags(),
    expect: { status: 200 },
    compare: TAGS,
  },
  {
    name: "PutObject with x-amz-tagging stores the tags",
    setup: TAGGED,
    request: getTags(),
    expect: { status: 200 },
    compare: TAGS,
  },
  {
    name: "PutObject with %-encoded x-amz-tagging",
    setup: [bucket(), put("k", "hello", { headers: { "x-amz-tagging": "a%20b=c%26d&e=f%3Dg" } })],
    request: getTags(),
    expect: { status: 200 },
    compare: TAGS,
  },
  {
    name: "PutObject with a tag without a value",
    setup: [bucket(), put("k", "hello", { headers: { "x-amz-tagging": "flag&x=" } })],
    request: getTags(),
    expect: { status: 200 },
    compare: TAGS,
  },
  {
    name: "HeadObject of a tagged object counts its tags",
    setup: TAGGED,
    request: { method: "HEAD", bucket: "{b}", key: "k" },
    expect: { status: 200 },
    compare: ["header:x-amz-tagging-count"],
  },
  {
    name: "GetObject of a tagged object counts its tags",
    setup: [bucket(), put("k"), putTags([["a", "1"], ["b", "2"], ["c", "3"]])],
    request: { method: "GET", bucket: "{b}", key: "k" },
    expect: { status: 200 },
    compare: ["header:x-amz-tagging-count"],
  },
  {
    name: "HeadObject of an untagged object sends no tag count",
    setup: [bucket(), put("k")],
    request: { method: "HEAD", bucket: "{b}", key: "k" },
    expect: { status: 200 },
    compare: ["header:x-amz-tagging-count"],
  },
  {
    name: "CopyObject copies the source's tags by default",
    setup: [...TAGGED, {
      method: "PUT",
      bucket: "{b}",
      key: "copy",
      headers: { "x-amz-copy-source": "/{b}/k" },
    }],
    request: getTags("copy"),
    expect: { status: 200 },
    compare: TAGS,
  },
  {
    name: "CopyObject with x-amz-tagging-directive REPLACE keeps the source tags on RGW 16",
    setup: [...TAGGED, {
      method: "PUT",
      bucket: "{b}",
      key: "copy",
      headers: {
        "x-amz-copy-source": "/{b}/k",
        "x-amz-tagging-directive": "REPLACE",
        "x-amz-tagging": "new=tag",
      },
    }],
    request: getTags("copy"),
    expect: { status: 200 },
    compare: TAGS,
  },
  {
    name: "CopyObject with x-amz-tagging-directive REPLACE and no tags",
    setup: [...TAGGED, {
      method: "PUT",
      bucket: "{b}",
      key: "copy",
      headers: { "x-amz-copy-source": "/{b}/k", "x-amz-tagging-directive": "REPLACE" },
    }],
    request: getTags("copy"),
    expect: { status: 200 },
    compare: TAGS,
  },
  {
    name: "CopyObject with x-amz-tagging but no directive",
    setup: [...TAGGED, {
      method: "PUT",
      bucket: "{b}",
      key: "copy",
      headers: { "x-amz-copy-source": "/{b}/k", "x-amz-tagging": "new=tag" },
    }],
    request: getTags("copy"),
    expect: { status: 200 },
    compare: TAGS,
  },
  {
    name: "CopyObject with an unknown x-amz-tagging-directive is ignored",
    setup: TAGGED,
    request: {
      method: "PUT",
      bucket: "{b}",
      key: "copy",
      headers: { "x-amz-copy-source": "/{b}/k", "x-amz-tagging-directive": "MERGE" },
    },
    expect: { status: 200 },
  },
  {
    name: "CreateMultipartUpload with x-amz-tagging leaves the object untagged on RGW 16",
    setup: [
      bucket(),
      { ...createUpload(), headers: { "x-amz-tagging": "mp=yes&parts=1" } },
      uploadPart(1, "only part"),
      complete([[1, "{etag1}"]]),
    ],
    request: getTags("mp.bin"),
    expect: { status: 200 },
    compare: TAGS,
  },
  {
    name: "PutObjectTagging with 11 tags is refused",
    setup: [bucket(), put("k")],
    request: putTags(Array.from({ length: 11 }, (_, i) => [`k${i}`, `v${i}`])),
    expect: { status: 400, code: "InvalidTag" },
  },
  {
    name: "PutObjectTagging with 10 tags",
    setup: [bucket(), put("k")],
    request: putTags(Array.from({ length: 10 }, (_, i) => [`k${i}`, `v${i}`])),
    expect: { status: 200 },
  },
  {
    name: "PutObjectTagging with a key over 128 characters is refused",
    setup: [bucket(), put("k")],
    request: putTags([["k".repeat(129), "v"]]),
    expect: { status: 400, code: "InvalidTag" },
  },
  {
    name: "PutObjectTagging with a value over 256 characters is refused",
    setup: [bucket(), put("k")],
    request: putTags([["k", "v".repeat(257)]]),
    expect: { status: 400, code: "InvalidTag" },
  },
  {
    name: "PutObjectTagging with a repeated key",
    setup: [bucket(), put("k")],
    request: putTags([["a", "1"], ["a", "2"]]),
    expect: { status: 200 },
  },
  {
    name: "GetObjectTagging after a repeated key was put",
    setup: [bucket(), put("k"), putTags([["a", "1"], ["a", "2"], ["b", "3"]])],
    request: getTags(),
    expect: { status: 200 },
    compare: TAGS,
  },
  {
    name: "PutObject with a repeated key in x-amz-tagging",
    setup: [bucket(), put("k", "hello", { headers: { "x-amz-tagging": "a=1&a=2" } })],
    request: getTags(),
    expect: { status: 200 },
    compare: TAGS,
  },
  {
    name: "PutObject with a tag key over 128 characters in x-amz-tagging",
    setup: [bucket()],
    request: { ...put("k"), headers: { "x-amz-tagging": `${"k".repeat(129)}=v` } },
    expect: { status: 400, code: "InvalidArgument" },
  },
  {
    name: "PutObject with 11 tags in x-amz-tagging is refused",
    setup: [bucket()],
    request: {
      ...put("k"),
      headers: { "x-amz-tagging": Array.from({ length: 11 }, (_, i) => `k${i}=v`).join("&") },
    },
    expect: { status: 400, code: "InvalidArgument" },
  },
  {
    name: "PutObjectTagging with malformed XML is refused",
    setup: [bucket(), put("k")],
    request: { ...putTags([]), body: "<Tagging><TagSet>" },
    expect: { status: 400, code: "MalformedXML" },
  },
  {
    name: "PutObjectTagging of a missing object",
    setup: [bucket()],
    request: putTags([["a", "1"]]),
    expect: { status: 404, code: "NoSuchKey" },
  },
  {
    name: "GetObjectTagging of a missing object",
    setup: [bucket()],
    request: getTags(),
    expect: { status: 404, code: "NoSuchKey" },
  },
  {
    name: "PutObjectTagging by another user on a private object",
    setup: [bucket(), put("k")],
    request: { ...putTags([["a", "1"]]), auth: OTHER },
    expect: { status: 403, code: "AccessDenied" },
  },
  {
    name: "GetObjectTagging anonymously of a public-read object",
    request: {
      method: "GET",
      bucket: DATA,
      key: "acl/public-read.txt",
      query: { tagging: "" },
      auth: ANON,
    },
    expect: { status: 200 },
  },
  {
    name: "PutObjectTagging of an older version tags only that version",
    setup: [
      ...versioned(),
      putVersion("k", "one", "v1"),
      putVersion("k", "two", "v2"),
      putTags([["old", "yes"]], "k", { query: { tagging: "", versionId: "{v1}" } }),
    ],
    request: getTags("k", { versionId: "{v1}" }),
    expect: { status: 200 },
    compare: [...TAGS, "vid:header:x-amz-version-id"],
  },
  {
    name: "GetObjectTagging of the current version after tagging an older one",
    setup: [
      ...versioned(),
      putVersion("k", "one", "v1"),
      putVersion("k", "two", "v2"),
      putTags([["old", "yes"]], "k", { query: { tagging: "", versionId: "{v1}" } }),
    ],
    request: getTags(),
    expect: { status: 200 },
    compare: TAGS,
  },
  {
    name: "PutObjectTagging in a versioned bucket names the version",
    setup: [...versioned(), putVersion("k", "one", "v1")],
    request: putTags([["a", "1"]]),
    expect: { status: 200 },
    compare: ["vid:header:x-amz-version-id"],
  },
  {
    name: "A new version does not keep the tags of the one before",
    setup: [
      ...versioned(),
      putVersion("k", "one", "v1", { "x-amz-tagging": "first=1" }),
      putVersion("k", "two", "v2"),
    ],
    request: getTags(),
    expect: { status: 200 },
    compare: TAGS,
  },
  {
    name: "HeadObject of a tagged older version counts its tags",
    setup: [
      ...versioned(),
      putVersion("k", "one", "v1", { "x-amz-tagging": "a=1&b=2" }),
      putVersion("k", "two", "v2"),
    ],
    request: { method: "HEAD", bucket: "{b}", key: "k", query: { versionId: "{v1}" } },
    expect: { status: 200 },
    compare: ["header:x-amz-tagging-count"],
  },
  {
    name: "DeleteObjectTagging of an older version",
    setup: [
      ...versioned(),
      putVersion("k", "one", "v1", { "x-amz-tagging": "a=1" }),
      putVersion("k", "two", "v2", { "x-amz-tagging": "b=2" }),
      { method: "DELETE", bucket: "{b}", key: "k", query: { tagging: "", versionId: "{v1}" } },
    ],
    request: getTags("k", { versionId: "{v2}" }),
    expect: { status: 200 },
    compare: TAGS,
  },
  {
    name: "GetObjectTagging where a delete marker is current",
    setup: [
      ...versioned(),
      putVersion("k", "one", "v1", { "x-amz-tagging": "a=1" }),
      { method: "DELETE", bucket: "{b}", key: "k" },
    ],
    request: getTags(),
    expect: { status: 404, code: "NoSuchKey" },
  },
  {
    name: "PutObject with If-Match unquoted keeps x-amz-tagging on the new object",
    setup: [
      bucket(),
      put("k"),
      put("k", "tagged", {
        headers: { "if-match": "5d41402abc4b2a76b9719d911017c592", "x-amz-tagging": "c=1" },
      }),
    ],
    request: getTags(),
    expect: { status: 200 },
    compare: TAGS,
  },
];
