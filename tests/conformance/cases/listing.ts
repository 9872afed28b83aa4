/**
 * Conformance cases: ListObjects (v1 and v2): prefixes, delimiters, markers, max-keys, encoding.
 *
 * @module
 */

import type { Case } from "../runner.ts";
import { bucket, DATA } from "./_common.ts";

export const LISTING_FIELDS = [
  "xml:ListBucketResult.Contents.Key",
  "xml:ListBucketResult.CommonPrefixes.Prefix",
  "xml:ListBucketResult.IsTruncated",
];

export const LISTING: Case[] = [
  {
    name: "ListObjects v1 with prefix and delimiter groups common prefixes",
    request: { method: "GET", bucket: DATA, query: { prefix: "list/", delimiter: "/" } },
    expect: { status: 200 },
    compare: [...LISTING_FIELDS, "xml:ListBucketResult.Prefix", "xml:ListBucketResult.Delimiter"],
  },
  {
    name: "ListObjects v1 with max-keys truncates",
    request: { method: "GET", bucket: DATA, query: { prefix: "list/", "max-keys": "2" } },
    expect: { status: 200 },
    compare: [...LISTING_FIELDS, "xml:ListBucketResult.MaxKeys"],
  },
  {
    name: "ListObjects v1 with max-keys and delimiter gives a NextMarker",
    request: {
      method: "GET",
      bucket: DATA,
      query: { prefix: "list/", delimiter: "/", "max-keys": "2" },
    },
    expect: { status: 200 },
    compare: [...LISTING_FIELDS, "xml:ListBucketResult.NextMarker"],
  },
  {
    name: "ListObjects v1 resumes after a marker",
    request: { method: "GET", bucket: DATA, query: { prefix: "list/", marker: "list/b.txt" } },
    expect: { status: 200 },
    compare: [...LISTING_FIELDS, "xml:ListBucketResult.Marker"],
  },
  {
    name: "ListObjects v1 shows size, ETag and owner",
    request: { method: "GET", bucket: DATA, query: { prefix: "data.txt" } },
    expect: { status: 200 },
    compare: [
      "xml:ListBucketResult.Contents.Size",
      "xml:ListBucketResult.Contents.ETag",
      "xml:ListBucketResult.Contents.Owner.ID",
      "xml:ListBucketResult.Contents.StorageClass",
    ],
  },
  {
    name: "ListObjectsV2 with prefix and delimiter counts keys and prefixes",
    request: {
      method: "GET",
      bucket: DATA,
      query: { "list-type": "2", prefix: "list/", delimiter: "/" },
    },
    expect: { status: 200 },
    compare: [...LISTING_FIELDS, "xml:ListBucketResult.KeyCount"],
  },
  {
    name: "ListObjectsV2 with max-keys gives a continuation token",
    request: {
      method: "GET",
      bucket: DATA,
      query: { "list-type": "2", prefix: "list/", "max-keys": "2" },
    },
    expect: { status: 200 },
    compare: [
      ...LISTING_FIELDS,
      "xml:ListBucketResult.KeyCount",
      "has:ListBucketResult.NextContinuationToken",
    ],
  },
  {
    name: "ListObjectsV2 follows its continuation token",
    setup: [{
      method: "GET",
      bucket: DATA,
      query: { "list-type": "2", prefix: "list/", "max-keys": "2" },
      capture: { token: "ListBucketResult.NextContinuationToken" },
    }],
    request: {
      method: "GET",
      bucket: DATA,
      query: {
        "list-type": "2",
        prefix: "list/",
        "max-keys": "2",
        "continuation-token": "{token}",
      },
    },
    expect: { status: 200 },
    compare: [...LISTING_FIELDS, "xml:ListBucketResult.KeyCount"],
  },
  {
    name: "ListObjectsV2 starts after a key",
    request: {
      method: "GET",
      bucket: DATA,
      query: { "list-type": "2", prefix: "list/", "start-after": "list/b.txt" },
    },
    expect: { status: 200 },
    compare: [...LISTING_FIELDS, "xml:ListBucketResult.StartAfter"],
  },
  {
    name: "ListObjectsV2 omits the owner unless fetch-owner is set",
    request: { method: "GET", bucket: DATA, query: { "list-type": "2", prefix: "data.txt" } },
    expect: { status: 200 },
    compare: ["has:ListBucketResult.Contents.Owner", "xml:ListBucketResult.Contents.Size"],
  },
  {
    name: "ListObjectsV2 on an empty bucket",
    setup: [bucket()],
    request: { method: "GET", bucket: "{b}", query: { "list-type": "2" } },
    expect: { status: 200 },
    compare: ["xml:ListBucketResult.KeyCount", "has:ListBucketResult.Contents"],
  },
  {
    name: "ListObjects on a missing bucket",
    request: { method: "GET", bucket: "{b}", query: { "list-type": "2" } },
    expect: { status: 404, code: "NoSuchBucket" },
    compare: ["xml:Error.BucketName"],
  },
  {
    name: "ListObjectVersions on an unversioned bucket lists its objects",
    request: { method: "GET", bucket: DATA, query: { versions: "", prefix: "list/c/" } },
    expect: { status: 200 },
    compare: ["xml:ListVersionsResult.Version.Key"],
  },
];
