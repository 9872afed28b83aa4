/**
 * Conformance cases: Multipart uploads: create, parts, list, complete, abort, and their error paths.
 *
 * @module
 */

import type { Case } from "../runner.ts";
import { bucket, complete, completeBody, createUpload, FIVE_MIB, uploadPart } from "./_common.ts";

export const MULTIPART: Case[] = [
  {
    name: "CreateMultipartUpload names bucket and key",
    setup: [bucket()],
    request: { method: "POST", bucket: "{b}", key: "mp.bin", query: { uploads: "" } },
    expect: { status: 200 },
    compare: [
      "xml:InitiateMultipartUploadResult.Key",
      "has:InitiateMultipartUploadResult.UploadId",
    ],
  },
  {
    name: "CreateMultipartUpload in a missing bucket",
    request: { method: "POST", bucket: "{b}", key: "mp.bin", query: { uploads: "" } },
    expect: { status: 404, code: "NoSuchBucket" },
  },
  {
    name: "UploadPart answers the part's MD5 ETag",
    setup: [bucket(), createUpload()],
    request: {
      method: "PUT",
      bucket: "{b}",
      key: "mp.bin",
      query: { partNumber: "1", uploadId: "{upload}" },
      body: "part one",
    },
    expect: { status: 200 },
    compare: ["header:etag"],
  },
  {
    name: "UploadPart with an unknown upload id",
    setup: [bucket()],
    request: {
      method: "PUT",
      bucket: "{b}",
      key: "mp.bin",
      query: { partNumber: "1", uploadId: "2~no-such-upload" },
      body: "x",
    },
    expect: { status: 404, code: "NoSuchUpload" },
  },
  {
    name: "ListParts lists the uploaded parts",
    setup: [bucket(), createUpload(), uploadPart(1, "part one"), uploadPart(2, "part two!")],
    request: { method: "GET", bucket: "{b}", key: "mp.bin", query: { uploadId: "{upload}" } },
    expect: { status: 200 },
    compare: [
      "xml:ListPartsResult.Part.PartNumber",
      "xml:ListPartsResult.Part.Size",
      "xml:ListPartsResult.Part.ETag",
      "xml:ListPartsResult.Key",
    ],
  },
  {
    name: "ListMultipartUploads lists open uploads",
    setup: [bucket(), createUpload("a.bin"), createUpload("b.bin", "upload2")],
    request: { method: "GET", bucket: "{b}", query: { uploads: "" } },
    expect: { status: 200 },
    compare: ["xml:ListMultipartUploadsResult.Upload.Key"],
  },
  {
    name: "CompleteMultipartUpload of one part answers a multipart ETag",
    setup: [bucket(), createUpload(), uploadPart(1, "only part")],
    request: {
      method: "POST",
      bucket: "{b}",
      key: "mp.bin",
      query: { uploadId: "{upload}" },
      body: completeBody([[1, "{etag1}"]]),
    },
    expect: { status: 200 },
    compare: ["xml:CompleteMultipartUploadResult.ETag", "xml:CompleteMultipartUploadResult.Key"],
  },
  {
    name: "CompleteMultipartUpload of a 5 MiB part and a small part",
    setup: [bucket(), createUpload(), uploadPart(1, FIVE_MIB), uploadPart(2, "tail")],
    request: {
      method: "POST",
      bucket: "{b}",
      key: "mp.bin",
      query: { uploadId: "{upload}" },
      body: completeBody([[1, "{etag1}"], [2, "{etag2}"]]),
    },
    expect: { status: 200 },
    compare: ["xml:CompleteMultipartUploadResult.ETag"],
  },
  {
    name: "GetObject of a completed multipart object",
    setup: [
      bucket(),
      createUpload(),
      uploadPart(1, FIVE_MIB),
      uploadPart(2, "tail"),
      complete([[1, "{etag1}"], [2, "{etag2}"]]),
    ],
    request: { method: "GET", bucket: "{b}", key: "mp.bin", headers: { range: "bytes=5242878-" } },
    expect: { status: 206 },
    compare: ["body", "header:etag", "header:content-range"],
  },
  {
    name: "CompleteMultipartUpload with a small first part is refused",
    setup: [bucket(), createUpload(), uploadPart(1, "small"), uploadPart(2, "tail")],
    request: {
      method: "POST",
      bucket: "{b}",
      key: "mp.bin",
      query: { uploadId: "{upload}" },
      body: completeBody([[1, "{etag1}"], [2, "{etag2}"]]),
    },
    expect: { status: 400, code: "EntityTooSmall" },
  },
  {
    name: "CompleteMultipartUpload with a wrong part ETag is refused",
    setup: [bucket(), createUpload(), uploadPart(1, "only part")],
    request: {
      method: "POST",
      bucket: "{b}",
      key: "mp.bin",
      query: { uploadId: "{upload}" },
      body: completeBody([[1, '"00000000000000000000000000000000"']]),
    },
    expect: { status: 400, code: "InvalidPart" },
  },
  {
    name: "CompleteMultipartUpload with parts listed out of order",
    setup: [bucket(), createUpload(), uploadPart(1, FIVE_MIB), uploadPart(2, "tail")],
    request: {
      method: "POST",
      bucket: "{b}",
      key: "mp.bin",
      query: { uploadId: "{upload}" },
      body: completeBody([[2, "{etag2}"], [1, "{etag1}"]]),
    },
    expect: { status: 200 },
  },
  {
    name: "CompleteMultipartUpload with malformed XML is refused",
    setup: [bucket(), createUpload(), uploadPart(1, "only part")],
    request: {
      method: "POST",
      bucket: "{b}",
      key: "mp.bin",
      query: { uploadId: "{upload}" },
      body: "<CompleteMultipartUpload><Part>",
    },
    expect: { status: 400, code: "MalformedXML" },
  },
  {
    name: "CompleteMultipartUpload with an unknown upload id",
    setup: [bucket()],
    request: {
      method: "POST",
      bucket: "{b}",
      key: "mp.bin",
      query: { uploadId: "2~no-such-upload" },
      body: completeBody([[1, '"00000000000000000000000000000000"']]),
    },
    expect: { status: 500, code: "InternalError" },
  },
  {
    name: "AbortMultipartUpload ends an upload",
    setup: [bucket(), createUpload(), uploadPart(1, "part")],
    request: { method: "DELETE", bucket: "{b}", key: "mp.bin", query: { uploadId: "{upload}" } },
    expect: { status: 204 },
  },
  {
    name: "ListParts after an abort",
    setup: [bucket(), createUpload(), {
      method: "DELETE",
      bucket: "{b}",
      key: "mp.bin",
      query: { uploadId: "{upload}" },
    }],
    request: { method: "GET", bucket: "{b}", key: "mp.bin", query: { uploadId: "{upload}" } },
    expect: { status: 404, code: "NoSuchKey" },
  },
];
