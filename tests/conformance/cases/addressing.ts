/**
 * Conformance cases: Virtual-host-style addressing (`bucket.localhost`).
 *
 * @module
 */

import type { Case } from "../runner.ts";
import { ANON, bucket, DATA } from "./_common.ts";
import { LISTING_FIELDS } from "./listing.ts";

export const VHOST: Case[] = [
  {
    name: "Virtual-host GetObject",
    request: { method: "GET", bucket: DATA, key: "data.txt", style: "vhost" },
    expect: { status: 200 },
    compare: ["body", "header:etag", "header:content-type"],
  },
  {
    name: "Virtual-host ListObjectsV2",
    request: {
      method: "GET",
      bucket: DATA,
      query: { "list-type": "2", prefix: "list/", delimiter: "/" },
      style: "vhost",
    },
    expect: { status: 200 },
    compare: [...LISTING_FIELDS, "xml:ListBucketResult.Name"],
  },
  {
    name: "Virtual-host PutObject",
    setup: [bucket()],
    request: { method: "PUT", bucket: "{b}", key: "vh.txt", body: "virtual host", style: "vhost" },
    expect: { status: 200 },
    compare: ["header:etag"],
  },
  {
    name: "Virtual-host HeadBucket",
    request: { method: "HEAD", bucket: DATA, style: "vhost" },
    expect: { status: 200 },
  },
  {
    name: "Virtual-host GetBucketAcl",
    request: { method: "GET", bucket: DATA, query: { acl: "" }, style: "vhost" },
    expect: { status: 200 },
    compare: ["grants"],
  },
  {
    name: "Virtual-host anonymous GetObject on a private object",
    request: { method: "GET", bucket: DATA, key: "acl/private.txt", style: "vhost", auth: ANON },
    expect: { status: 403, code: "AccessDenied" },
  },
  {
    name: "Virtual-host anonymous GetObject on a public-read object",
    request: {
      method: "GET",
      bucket: DATA,
      key: "acl/public-read.txt",
      style: "vhost",
      auth: ANON,
    },
    expect: { status: 200 },
    compare: ["body"],
  },
  {
    name: "Virtual-host GetObject in a missing bucket",
    request: { method: "GET", bucket: "{b}", key: "x.txt", style: "vhost" },
    expect: { status: 404, code: "NoSuchBucket" },
    compare: ["xml:Error.BucketName"],
  },
  {
    name: "Virtual-host Signature V2 GetObject",
    request: {
      method: "GET",
      bucket: DATA,
      key: "data.txt",
      style: "vhost",
      auth: { scheme: "v2" },
    },
    expect: { status: 200 },
    compare: ["body"],
  },
  {
    name: "Virtual-host presigned GET",
    request: {
      method: "GET",
      bucket: DATA,
      key: "acl/private.txt",
      style: "vhost",
      auth: { scheme: "presign" },
    },
    expect: { status: 200 },
    compare: ["body"],
  },
];
