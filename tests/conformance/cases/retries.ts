/**
 * Conformance cases: retries of requests that already succeeded. A CompleteMultipartUpload sent
 * again (an SDK retrying after its answer was lost), with the same parts, other parts, another
 * key or after an abort; and a part uploaded twice at once where the first request finishes last
 * (`overlapWith`: the first request's body is sent in two halves around the second).
 *
 * @module
 */

import type { Case, SetupStep } from "../runner.ts";
import { bucket, complete, completeBody, createUpload, FIVE_MIB, uploadPart } from "./_common.ts";

function completeAgain(parts: Array<[number, string]>, key = "mp.bin"): Case["request"] {
  return {
    method: "POST",
    bucket: "{b}",
    key,
    query: { uploadId: "{upload}" },
    body: completeBody(parts),
  };
}

/** An upload of one part, completed: the state a retried completion meets. */
const COMPLETED: SetupStep[] = [
  bucket(),
  createUpload(),
  uploadPart(1, "only part"),
  complete([[1, "{etag1}"]]),
];

/** An upload of two parts (5 MiB and a tail), completed. */
const COMPLETED_TWO: SetupStep[] = [
  bucket(),
  createUpload(),
  uploadPart(1, FIVE_MIB),
  uploadPart(2, "tail"),
  complete([[1, "{etag1}"], [2, "{etag2}"]]),
];

/**
 * Part 1 uploaded twice at once: `first` starts, `second` is sent and answered, then `first`
 * finishes (its ETag is the one the client got last).
 */
function racedPart(first: string, second: string): SetupStep {
  return {
    method: "PUT",
    bucket: "{b}",
    key: "mp.bin",
    query: { partNumber: "1", uploadId: "{upload}" },
    body: first,
    capture: { late: "header:etag" },
    overlapWith: {
      method: "PUT",
      bucket: "{b}",
      key: "mp.bin",
      query: { partNumber: "1", uploadId: "{upload}" },
      body: second,
      capture: { early: "header:etag" },
    },
  };
}

const RACED: SetupStep[] = [
  bucket(),
  createUpload(),
  racedPart("first request, finishing last", "second request, finishing first"),
];

export const RETRIES: Case[] = [
  {
    name: "CompleteMultipartUpload sent again after it succeeded",
    setup: COMPLETED,
    request: completeAgain([[1, "{etag1}"]]),
    expect: { status: 200 },
    compare: ["xml:CompleteMultipartUploadResult.Key", "xml:CompleteMultipartUploadResult.Bucket"],
  },
  {
    name: "CompleteMultipartUpload of two parts sent again after it succeeded",
    setup: COMPLETED_TWO,
    request: completeAgain([[1, "{etag1}"], [2, "{etag2}"]]),
    expect: { status: 200 },
    compare: ["xml:CompleteMultipartUploadResult.Key"],
  },
  {
    name: "CompleteMultipartUpload retried leaves the object as completed",
    setup: [...COMPLETED, complete([[1, "{etag1}"]])],
    request: { method: "GET", bucket: "{b}", key: "mp.bin" },
    expect: { status: 200 },
    compare: ["body", "header:etag"],
  },
  {
    name: "CompleteMultipartUpload sent again with a wrong part ETag",
    setup: COMPLETED,
    request: completeAgain([[1, '"00000000000000000000000000000000"']]),
    expect: { status: 500, code: "InternalError" },
  },
  {
    name: "CompleteMultipartUpload sent again on another key",
    setup: COMPLETED,
    request: completeAgain([[1, "{etag1}"]], "other.bin"),
    expect: { status: 500, code: "InternalError" },
  },
  {
    name: "CompleteMultipartUpload sent again after the object was overwritten",
    setup: [...COMPLETED, { method: "PUT", bucket: "{b}", key: "mp.bin", body: "overwritten" }],
    request: completeAgain([[1, "{etag1}"]]),
    expect: { status: 500, code: "InternalError" },
  },
  {
    name: "CompleteMultipartUpload sent again after the object was deleted",
    setup: [...COMPLETED, { method: "DELETE", bucket: "{b}", key: "mp.bin" }],
    request: completeAgain([[1, "{etag1}"]]),
    expect: { status: 500, code: "InternalError" },
  },
  {
    name: "CompleteMultipartUpload after an abort",
    setup: [bucket(), createUpload(), uploadPart(1, "only part"), {
      method: "DELETE",
      bucket: "{b}",
      key: "mp.bin",
      query: { uploadId: "{upload}" },
    }],
    request: completeAgain([[1, "{etag1}"]]),
    expect: { status: 500, code: "InternalError" },
  },
  {
    name: "ListParts of an upload that completed",
    setup: COMPLETED,
    request: { method: "GET", bucket: "{b}", key: "mp.bin", query: { uploadId: "{upload}" } },
    expect: { status: 404, code: "NoSuchKey" },
  },
  {
    name: "AbortMultipartUpload of an upload that completed",
    setup: COMPLETED,
    request: { method: "DELETE", bucket: "{b}", key: "mp.bin", query: { uploadId: "{upload}" } },
    expect: { status: 404, code: "NoSuchUpload" },
  },
  {
    name: "UploadPart to an upload that completed",
    setup: COMPLETED,
    request: {
      method: "PUT",
      bucket: "{b}",
      key: "mp.bin",
      query: { partNumber: "2", uploadId: "{upload}" },
      body: "late part",
    },
    expect: { status: 404, code: "NoSuchUpload" },
  },
  {
    name: "A part uploaded twice at once lists the ETag answered last",
    setup: RACED,
    request: { method: "GET", bucket: "{b}", key: "mp.bin", query: { uploadId: "{upload}" } },
    expect: { status: 200 },
    compare: ["xml:ListPartsResult.Part.ETag", "xml:ListPartsResult.Part.Size"],
  },
  {
    name: "A part uploaded twice at once completes with the ETag answered last",
    setup: RACED,
    request: completeAgain([[1, "{late}"]]),
    expect: { status: 200 },
  },
  {
    name: "A part uploaded twice at once refuses the ETag answered first",
    setup: RACED,
    request: completeAgain([[1, "{early}"]]),
    expect: { status: 400, code: "InvalidPart" },
  },
  {
    name: "A part uploaded twice at once reads back the body answered last",
    setup: [...RACED, complete([[1, "{late}"]])],
    request: { method: "GET", bucket: "{b}", key: "mp.bin" },
    expect: { status: 200 },
    compare: ["body", "header:etag"],
  },
  {
    name: "CompleteMultipartUpload sent again in a versioned bucket",
    setup: [
      bucket(),
      {
        method: "PUT",
        bucket: "{b}",
        query: { versioning: "" },
        body: '<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
          "<Status>Enabled</Status></VersioningConfiguration>",
      },
      createUpload(),
      uploadPart(1, "only part"),
      complete([[1, "{etag1}"]]),
    ],
    request: completeAgain([[1, "{etag1}"]]),
    expect: { status: 200 },
    compare: ["xml:CompleteMultipartUploadResult.Key"],
  },
  {
    name: "CompleteMultipartUpload sent again leaves one version in a versioned bucket",
    setup: [
      bucket(),
      {
        method: "PUT",
        bucket: "{b}",
        query: { versioning: "" },
        body: '<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
          "<Status>Enabled</Status></VersioningConfiguration>",
      },
      createUpload(),
      uploadPart(1, "only part"),
      complete([[1, "{etag1}"]]),
      complete([[1, "{etag1}"]]),
    ],
    request: { method: "GET", bucket: "{b}", query: { versions: "" } },
    expect: { status: 200 },
    compare: ["xml:ListVersionsResult.Version.Key", "xml:ListVersionsResult.Version.ETag"],
  },
];
