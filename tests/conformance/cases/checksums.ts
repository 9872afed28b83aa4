/**
 * Conformance cases: `x-amz-checksum-*` (issue 26). Every algorithm on PutObject, right and
 * wrong, the stored checksum read back with `x-amz-checksum-mode: ENABLED`, multipart uploads
 * with a composite and a full-object checksum, and GetObjectAttributes. The body is "123456789",
 * whose checksums AWS answers (recorded in OpenStack Swift's s3api tests) are written here.
 *
 * Ceph RGW 16 predates these headers and ignores them: it stores a body whatever checksum comes
 * with it and returns none. The embedded server answers as AWS S3 documents; each case where RGW
 * differs is allowlisted with that reason (`CHECKSUMS_PREDATE` in allowlist.ts).
 *
 * @module
 */

import type { Case, SetupStep } from "../runner.ts";
import { bucket, put } from "./_common.ts";

const BODY = "123456789";

/** AWS's answers for "123456789", and a value of the right length that is not it. */
export const CHECKSUM_VALUES = {
  crc32: ["y/Q5Jg==", "z/Q5Jg=="],
  crc32c: ["4waSgw==", "5waSgw=="],
  crc64nvme: ["rosUhgp5mIg=", "sosUhgp5mIg="],
  sha1: ["98O8HYCOBHMq32eZZczDTKeuNEE=", "+8O8HYCOBHMq32eZZczDTKeuNEE="],
  sha256: [
    "FeKw08M4keuw8e9gnsQZQgwg4yDOlMZfvIwzEkSOsiU=",
    "GeKw08M4keuw8e9gnsQZQgwg4yDOlMZfvIwzEkSOsiU=",
  ],
} as const;

type Name = keyof typeof CHECKSUM_VALUES;

function putWith(name: Name, value: string, key = "k"): SetupStep {
  return put(key, BODY, { headers: { [`x-amz-checksum-${name}`]: value } });
}

function perAlgorithm(name: Name): Case[] {
  const [right, wrong] = CHECKSUM_VALUES[name];
  return [
    {
      name: `PutObject with the right x-amz-checksum-${name} is stored`,
      setup: [bucket()],
      request: putWith(name, right),
      expect: { status: 200 },
      compare: ["header:etag", `header:x-amz-checksum-${name}`],
    },
    {
      name: `PutObject with a wrong x-amz-checksum-${name} is refused and stores nothing`,
      setup: [bucket()],
      request: putWith(name, wrong),
      expect: { status: 200 },
    },
    {
      name: `HeadObject with x-amz-checksum-mode returns the stored ${name}`,
      setup: [bucket(), putWith(name, right)],
      request: {
        method: "HEAD",
        bucket: "{b}",
        key: "k",
        headers: { "x-amz-checksum-mode": "ENABLED" },
      },
      expect: { status: 200 },
      compare: ["header:etag", `header:x-amz-checksum-${name}`, "header:x-amz-checksum-type"],
    },
  ];
}

function multipart(algorithm: string, type: string): SetupStep[] {
  return [
    bucket(),
    {
      method: "POST",
      bucket: "{b}",
      key: "mp.bin",
      query: { uploads: "" },
      headers: { "x-amz-checksum-algorithm": algorithm, "x-amz-checksum-type": type },
      capture: { upload: "InitiateMultipartUploadResult.UploadId" },
    },
    {
      method: "PUT",
      bucket: "{b}",
      key: "mp.bin",
      query: { partNumber: "1", uploadId: "{upload}" },
      body: BODY,
      headers: { [`x-amz-checksum-${algorithm.toLowerCase()}`]: "y/Q5Jg==" },
      capture: { etag1: "header:etag" },
    },
  ];
}

function completeWith(part: string): Case["request"] {
  return {
    method: "POST",
    bucket: "{b}",
    key: "mp.bin",
    query: { uploadId: "{upload}" },
    body: "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{etag1}</ETag>" +
      `${part}</Part></CompleteMultipartUpload>`,
  };
}

export const CHECKSUMS: Case[] = [
  ...(Object.keys(CHECKSUM_VALUES) as Name[]).flatMap(perAlgorithm),
  {
    name: "PutObject with two checksum headers is refused",
    setup: [bucket()],
    request: put("k", BODY, {
      headers: { "x-amz-checksum-crc32": "y/Q5Jg==", "x-amz-checksum-crc32c": "4waSgw==" },
    }),
    expect: { status: 200 },
  },
  {
    name: "CompleteMultipartUpload of a composite CRC32 upload answers its checksum",
    setup: multipart("CRC32", "COMPOSITE"),
    request: completeWith("<ChecksumCRC32>y/Q5Jg==</ChecksumCRC32>"),
    expect: { status: 200 },
    compare: ["xml:CompleteMultipartUploadResult.ChecksumCRC32"],
  },
  {
    name: "CompleteMultipartUpload of a full-object CRC32 upload answers its checksum",
    setup: multipart("CRC32", "FULL_OBJECT"),
    request: completeWith(""),
    expect: { status: 200 },
    compare: ["xml:CompleteMultipartUploadResult.ChecksumCRC32"],
  },
  {
    name: "CompleteMultipartUpload listing a wrong part checksum is refused",
    setup: multipart("CRC32", "COMPOSITE"),
    request: completeWith("<ChecksumCRC32>z/Q5Jg==</ChecksumCRC32>"),
    expect: { status: 200 },
  },
  {
    name: "GetObjectAttributes answers the checksum and size",
    setup: [bucket(), putWith("sha256", CHECKSUM_VALUES.sha256[0])],
    request: {
      method: "GET",
      bucket: "{b}",
      key: "k",
      query: { attributes: "" },
      headers: { "x-amz-object-attributes": "Checksum,ObjectSize" },
    },
    expect: { status: 200 },
    compare: ["body"],
  },
];
