/**
 * Conformance cases: listing corners. Keys and prefixes holding a newline, a carriage return, a
 * tab or other control characters, listed by ListObjects (v1 and v2), ListObjectVersions and
 * ListMultipartUploads, with and without `encoding-type=url`, as delimiters and in common
 * prefixes. `match:` fields compare the raw XML text, which a parser would normalise.
 *
 * @module
 */

import type { Case, SetupStep } from "../runner.ts";
import { bucket, createUpload, put } from "./_common.ts";

const KEYS = ["plain", "line\nbreak", "carriage\rreturn", "tab\there", "bell\u0007x", "dir\nb"];

const WITH_KEYS: SetupStep[] = [bucket(), ...KEYS.map((key) => put(key, "x"))];

const RAW_KEYS = "match:<Key>[^<]*</Key>";
const KEY_ORDER = "xml:ListBucketResult.Contents.Key";
const RAW_PREFIXES = "match:<Prefix>[^<]*</Prefix>";
const RAW_ALL = ["match:<(Key|Prefix|Delimiter|Marker|StartAfter|NextMarker)>[^<]*</\\1>"];

function list(query: Record<string, string>): Case["request"] {
  return { method: "GET", bucket: "{b}", query };
}

export const LISTING_CORNERS: Case[] = [
  {
    name: "ListObjects lists keys with control characters as raw text",
    setup: WITH_KEYS,
    request: list({}),
    expect: { status: 200 },
    compare: [RAW_KEYS, KEY_ORDER],
  },
  {
    name: "ListObjects with encoding-type url encodes control characters",
    setup: WITH_KEYS,
    request: list({ "encoding-type": "url" }),
    expect: { status: 200 },
    compare: [RAW_KEYS, "xml:ListBucketResult.EncodingType"],
  },
  {
    name: "ListObjectsV2 lists keys with control characters as raw text",
    setup: WITH_KEYS,
    request: list({ "list-type": "2" }),
    expect: { status: 200 },
    compare: [RAW_KEYS, KEY_ORDER, "xml:ListBucketResult.KeyCount"],
  },
  {
    name: "ListObjectsV2 with encoding-type url encodes control characters",
    setup: WITH_KEYS,
    request: list({ "list-type": "2", "encoding-type": "url" }),
    expect: { status: 200 },
    compare: [RAW_KEYS],
  },
  {
    name: "ListObjectsV2 with a prefix ending in a newline",
    setup: WITH_KEYS,
    request: list({ "list-type": "2", prefix: "line\n" }),
    expect: { status: 200 },
    compare: [RAW_KEYS, ...RAW_ALL],
  },
  {
    name: "ListObjectsV2 with a prefix ending in a newline, url-encoded",
    setup: WITH_KEYS,
    request: list({ "list-type": "2", prefix: "line\n", "encoding-type": "url" }),
    expect: { status: 200 },
    compare: [RAW_KEYS, ...RAW_ALL],
  },
  {
    name: "ListObjects with a newline as delimiter rolls keys up",
    setup: WITH_KEYS,
    request: list({ delimiter: "\n" }),
    expect: { status: 200 },
    compare: [RAW_KEYS, RAW_PREFIXES, ...RAW_ALL],
  },
  {
    name: "ListObjectsV2 with a newline as delimiter, url-encoded",
    setup: WITH_KEYS,
    request: list({ "list-type": "2", delimiter: "\n", "encoding-type": "url" }),
    expect: { status: 200 },
    compare: [RAW_KEYS, RAW_PREFIXES, ...RAW_ALL],
  },
  {
    name: "ListObjects with a prefix holding a control character",
    setup: WITH_KEYS,
    request: list({ prefix: "bell\u0007" }),
    expect: { status: 200 },
    compare: [RAW_KEYS, ...RAW_ALL],
  },
  {
    name: "ListObjects with a marker holding a newline",
    setup: WITH_KEYS,
    request: list({ marker: "line\nbreak" }),
    expect: { status: 200 },
    compare: [RAW_KEYS, ...RAW_ALL],
  },
  {
    name: "ListObjectsV2 with start-after holding a newline, url-encoded",
    setup: WITH_KEYS,
    request: list({ "list-type": "2", "start-after": "dir\n", "encoding-type": "url" }),
    expect: { status: 200 },
    compare: [RAW_KEYS, ...RAW_ALL],
  },
  {
    name: "ListObjects pages through keys with control characters",
    setup: WITH_KEYS,
    request: list({ "max-keys": "2", marker: "carriage\rreturn" }),
    expect: { status: 200 },
    compare: [RAW_KEYS, ...RAW_ALL, KEY_ORDER, "xml:ListBucketResult.IsTruncated"],
  },
  {
    name: "ListObjectVersions lists keys with control characters",
    setup: WITH_KEYS,
    request: list({ versions: "" }),
    expect: { status: 200 },
    compare: [RAW_KEYS],
  },
  {
    name: "ListObjectVersions with encoding-type url encodes control characters",
    setup: WITH_KEYS,
    request: list({ versions: "", "encoding-type": "url" }),
    expect: { status: 200 },
    compare: [RAW_KEYS],
  },
  {
    name: "ListMultipartUploads lists upload keys with a newline",
    setup: [bucket(), createUpload("up\nload"), createUpload("tab\tup", "upload2")],
    request: list({ uploads: "" }),
    expect: { status: 200 },
    compare: [RAW_KEYS],
  },
  {
    name: "ListMultipartUploads with encoding-type url encodes a newline",
    setup: [bucket(), createUpload("up\nload"), createUpload("tab\tup", "upload2")],
    request: list({ uploads: "", "encoding-type": "url" }),
    expect: { status: 200 },
    compare: [RAW_KEYS],
  },
  {
    name: "GetObject of a key holding a newline",
    setup: WITH_KEYS,
    request: { method: "GET", bucket: "{b}", key: "line\nbreak" },
    expect: { status: 200 },
    compare: ["body"],
  },
  {
    name: "DeleteObjects names a key holding a newline",
    setup: WITH_KEYS,
    request: {
      method: "POST",
      bucket: "{b}",
      query: { delete: "" },
      body: "<Delete><Object><Key>line\nbreak</Key></Object></Delete>",
      md5: true,
    },
    expect: { status: 200 },
    compare: [RAW_KEYS],
  },
];
