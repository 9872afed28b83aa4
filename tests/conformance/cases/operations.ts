/**
 * Conformance cases: operations added for issue 16. UploadPartCopy (whole sources, ranges, bad
 * ranges, %-encoded source keys), GetObject and HeadObject of one part (`partNumber`,
 * `x-amz-mp-parts-count`), GetObjectAttributes and CreateBucket with a `LocationConstraint`.
 *
 * RGW 16 implements neither `partNumber` on GetObject/HeadObject (it answers the whole object,
 * 200, without `x-amz-mp-parts-count`, whatever the number) nor GetObjectAttributes (it answers
 * `GET ?attributes` with the object itself): these cases pin that answer, which the embedded
 * server gives too.
 *
 * @module
 */

import type { Case, SetupStep } from "../runner.ts";
import { bucket, complete, createUpload, FIVE_MIB, put, uploadPart } from "./_common.ts";

const SOURCE_BODY = "0123456789abcdefghijklmnopqrstuvwxyz";

function copyPart(
  n: number,
  source: string,
  range?: string,
  name = `etag${n}`,
): SetupStep {
  return {
    method: "PUT",
    bucket: "{b}",
    key: "mp.bin",
    query: { partNumber: String(n), uploadId: "{upload}" },
    headers: {
      "x-amz-copy-source": source,
      ...(range ? { "x-amz-copy-source-range": range } : {}),
    },
    capture: { [name]: "CopyPartResult.ETag" },
  };
}

function copyPartRequest(source: string, range?: string): Case["request"] {
  const { capture: _capture, ...request } = copyPart(1, source, range);
  return request;
}

const WITH_SOURCE: SetupStep[] = [bucket(), put("src.txt", SOURCE_BODY), createUpload()];

/** `mp.bin` made of a 5 MiB part and a 4-byte tail. */
const TWO_PARTS: SetupStep[] = [
  bucket(),
  createUpload(),
  uploadPart(1, FIVE_MIB),
  uploadPart(2, "tail"),
  complete([[1, "{etag1}"], [2, "{etag2}"]]),
];

const PART_HEADERS = [
  "header:x-amz-mp-parts-count",
  "header:content-length",
  "header:content-range",
  "header:etag",
];

function createIn(location: string): Case["request"] {
  return {
    method: "PUT",
    bucket: "{b}",
    body: '<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
      `<LocationConstraint>${location}</LocationConstraint></CreateBucketConfiguration>`,
  };
}

export const OPERATIONS: Case[] = [
  {
    name: "UploadPartCopy copies a whole source object",
    setup: WITH_SOURCE,
    request: copyPartRequest("/{b}/src.txt"),
    expect: { status: 200 },
    compare: ["has:CopyPartResult.ETag", "has:CopyPartResult.LastModified"],
  },
  {
    name: "UploadPartCopy with a range lists the range's size",
    setup: [...WITH_SOURCE, copyPart(1, "/{b}/src.txt", "bytes=10-19")],
    request: { method: "GET", bucket: "{b}", key: "mp.bin", query: { uploadId: "{upload}" } },
    expect: { status: 200 },
    compare: ["xml:ListPartsResult.Part.Size", "xml:ListPartsResult.Part.ETag"],
  },
  {
    name: "UploadPartCopy of ranges completes into their bytes",
    setup: [
      ...WITH_SOURCE,
      put("big.bin", FIVE_MIB),
      copyPart(1, "/{b}/big.bin"),
      copyPart(2, "/{b}/src.txt", "bytes=30-35"),
      complete([[1, "{etag1}"], [2, "{etag2}"]]),
    ],
    request: {
      method: "GET",
      bucket: "{b}",
      key: "mp.bin",
      headers: { range: "bytes=5242870-" },
    },
    expect: { status: 206 },
    compare: ["body", "header:content-range"],
  },
  {
    name: "UploadPartCopy with a range past the end",
    setup: WITH_SOURCE,
    request: copyPartRequest("/{b}/src.txt", "bytes=10-99"),
    expect: { status: 416, code: "InvalidRange" },
  },
  {
    name: "UploadPartCopy with a range that is not bytes=a-b",
    setup: WITH_SOURCE,
    request: copyPartRequest("/{b}/src.txt", "bytes=10-"),
    expect: { status: 416, code: "InvalidRange" },
  },
  {
    name: "UploadPartCopy with a range that ends before it starts",
    setup: WITH_SOURCE,
    request: copyPartRequest("/{b}/src.txt", "bytes=9-3"),
    expect: { status: 416, code: "InvalidRange" },
  },
  {
    name: "UploadPartCopy from a missing source key",
    setup: WITH_SOURCE,
    request: copyPartRequest("/{b}/missing.txt"),
    expect: { status: 404, code: "NoSuchKey" },
  },
  {
    name: "UploadPartCopy from a missing source bucket",
    setup: WITH_SOURCE,
    request: copyPartRequest("/{b}-nope/src.txt"),
    expect: { status: 404, code: "NoSuchBucket" },
  },
  {
    name: "UploadPartCopy with a failing x-amz-copy-source-if-match",
    setup: WITH_SOURCE,
    request: {
      ...copyPartRequest("/{b}/src.txt"),
      headers: {
        "x-amz-copy-source": "/{b}/src.txt",
        "x-amz-copy-source-if-match": '"0123456789abcdef0123456789abcdef"',
      },
    },
    expect: { status: 200 },
  },
  {
    name: "UploadPartCopy from a source the requester may not read",
    setup: [...WITH_SOURCE, createUpload("mp.bin", "upload")],
    request: { ...copyPartRequest(`/{run}-data/acl/private.txt`), auth: { as: "other" } },
    expect: { status: 403, code: "AccessDenied" },
  },
  {
    name: "UploadPartCopy from a %-encoded source key",
    rgwSkip: "RGW 16 aborts (radosgw crashes) on an UploadPartCopy whose x-amz-copy-source " +
      "names a %-encoded key: the case runs on the embedded server only",
    setup: [bucket(), put("src dir/ä b.txt", SOURCE_BODY), createUpload()],
    request: copyPartRequest("/{b}/src%20dir/%C3%A4%20b.txt", "bytes=0-9"),
    expect: { status: 200 },
    compare: ["xml:CopyPartResult.ETag"],
  },
  {
    name: "UploadPartCopy from a %-encoded source key reads back its bytes",
    rgwSkip: "RGW 16 aborts (radosgw crashes) on an UploadPartCopy whose x-amz-copy-source " +
      "names a %-encoded key: the case runs on the embedded server only",
    setup: [
      bucket(),
      put("src dir/ä b.txt", SOURCE_BODY),
      createUpload(),
      copyPart(1, "/{b}/src%20dir/%C3%A4%20b.txt", "bytes=0-9"),
      complete([[1, "{etag1}"]]),
    ],
    request: { method: "GET", bucket: "{b}", key: "mp.bin" },
    expect: { status: 200 },
    compare: ["body"],
  },

  {
    name: "GetObject with partNumber 2 answers the whole object, as RGW 16 does",
    setup: TWO_PARTS,
    request: { method: "GET", bucket: "{b}", key: "mp.bin", query: { partNumber: "2" } },
    expect: { status: 200 },
    compare: PART_HEADERS,
  },
  {
    name: "HeadObject with partNumber 2 answers the whole object, as RGW 16 does",
    setup: TWO_PARTS,
    request: { method: "HEAD", bucket: "{b}", key: "mp.bin", query: { partNumber: "2" } },
    expect: { status: 200 },
    compare: PART_HEADERS,
  },
  {
    name: "HeadObject with a partNumber past the last part",
    setup: TWO_PARTS,
    request: { method: "HEAD", bucket: "{b}", key: "mp.bin", query: { partNumber: "3" } },
    expect: { status: 200 },
  },
  {
    name: "GetObject with a partNumber past the last part",
    setup: TWO_PARTS,
    request: { method: "GET", bucket: "{b}", key: "mp.bin", query: { partNumber: "3" } },
    expect: { status: 200 },
  },

  {
    name: "GetObject with partNumber 2 of a simple object",
    setup: [bucket(), put("k", SOURCE_BODY)],
    request: { method: "GET", bucket: "{b}", key: "k", query: { partNumber: "2" } },
    expect: { status: 200 },
  },
  {
    name: "GetObject with partNumber 0",
    setup: TWO_PARTS,
    request: { method: "GET", bucket: "{b}", key: "mp.bin", query: { partNumber: "0" } },
    expect: { status: 200 },
  },
  {
    name: "GetObject with a partNumber that is not a number",
    setup: TWO_PARTS,
    request: { method: "GET", bucket: "{b}", key: "mp.bin", query: { partNumber: "two" } },
    expect: { status: 200 },
  },
  {
    name: "GetObject with partNumber and a Range",
    setup: TWO_PARTS,
    request: {
      method: "GET",
      bucket: "{b}",
      key: "mp.bin",
      query: { partNumber: "2" },
      headers: { range: "bytes=0-1" },
    },
    expect: { status: 206 },
  },

  {
    name: "GetObjectAttributes of an object",
    setup: [bucket(), put("k", SOURCE_BODY)],
    request: {
      method: "GET",
      bucket: "{b}",
      key: "k",
      query: { attributes: "" },
      headers: { "x-amz-object-attributes": "ETag,ObjectSize,StorageClass" },
    },
    expect: { status: 200 },
    compare: ["body", "header:content-length", "header:etag"],
  },
  {
    name: "GetObjectAttributes of a missing object",
    setup: [bucket()],
    request: {
      method: "GET",
      bucket: "{b}",
      key: "k",
      query: { attributes: "" },
      headers: { "x-amz-object-attributes": "ETag" },
    },
    expect: { status: 404, code: "NoSuchKey" },
  },
  {
    name: "CreateBucket in the zonegroup's name (default)",
    request: createIn("default"),
    expect: { status: 200 },
  },
  {
    name: "CreateBucket in us-east-1",
    request: createIn("us-east-1"),
    expect: { status: 400, code: "InvalidLocationConstraint" },
  },
  {
    name: "CreateBucket in an unknown location",
    request: createIn("eu-west-9"),
    expect: { status: 400, code: "InvalidLocationConstraint" },
  },
  {
    name: "CreateBucket with an empty LocationConstraint",
    request: createIn(""),
    expect: { status: 200 },
  },
  {
    name: "GetBucketLocation of a bucket created in default",
    setup: [{ ...createIn("default"), method: "PUT" } as SetupStep],
    request: { method: "GET", bucket: "{b}", query: { location: "" } },
    expect: { status: 200 },
    compare: ["xml:LocationConstraint"],
  },
  {
    name: "GetBucketLocation of a bucket created without a LocationConstraint",
    setup: [bucket()],
    request: { method: "GET", bucket: "{b}", query: { location: "" } },
    expect: { status: 200 },
    compare: ["xml:LocationConstraint"],
  },
];
