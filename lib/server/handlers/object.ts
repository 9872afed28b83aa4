/**
 * Object-level requests: PutObject (and CopyObject), GetObject, HeadObject, DeleteObject.
 *
 * @module
 */

import { decodeComponent } from "../auth/canonical.ts";
import { aclFromHeaders, cannedAcl, requirePermission } from "../acl.ts";
import type { RequestContext } from "../context.ts";
import { S3Error } from "../errors.ts";
import type { ObjectRecord } from "../storage/types.ts";
import { xmlDocument, xmlResponse } from "../xml.ts";
import {
  httpDate,
  loadBucket,
  loadObject,
  objectHeadersFrom,
  objectOwner,
  uploadLimits,
  xmlDate,
} from "./common.ts";

/** Longest key S3 accepts, in UTF-8 bytes. */
const MAX_KEY_BYTES = 1024;

/**
 * Throws `KeyTooLongError` for keys over 1024 UTF-8 bytes.
 *
 * @param key The key.
 */
export function checkKey(key: string): void {
  if (new TextEncoder().encode(key).length > MAX_KEY_BYTES) {
    throw new S3Error("KeyTooLongError", undefined, { key });
  }
}

/**
 * Tells whether an `If-Match`/`If-None-Match` header names an ETag.
 *
 * @param header The header value: `*` or a list of (possibly weak) quoted ETags.
 * @param etag The ETag without quotes.
 * @returns True on a match.
 */
export function etagMatches(header: string, etag: string): boolean {
  return header.split(",").some((item) => {
    const tag = item.trim().replace(/^W\//, "").replace(/^"(.*)"$/, "$1");
    return tag === "*" || tag === etag;
  });
}

function parseHttpDate(value: string | null, name: string): number | undefined {
  if (value === null) return undefined;
  const time = Date.parse(value);
  if (Number.isNaN(time)) {
    // RGW refuses a date it cannot read (AWS would ignore the header).
    throw new S3Error("InvalidArgument", `Cannot read "${name}": "${value}" is not an HTTP date`, {
      extra: { ArgumentName: name, ArgumentValue: value },
    });
  }
  return time;
}

/**
 * Applies `If-Match`, `If-Unmodified-Since`, `If-None-Match` and `If-Modified-Since` in the
 * order RFC 9110 gives.
 *
 * @param headers Request headers (or copy-source condition headers, renamed).
 * @param object The object.
 * @param prefix Header name prefix: `if-` or `x-amz-copy-source-if-`.
 * @throws {S3Error} `PreconditionFailed`, or `NotModified` (`PreconditionFailed` for copies).
 */
export function checkConditions(headers: Headers, object: ObjectRecord, prefix = "if-"): void {
  const modified = Math.floor(Date.parse(object.lastModified) / 1000) * 1000;
  const match = headers.get(`${prefix}match`);
  if (match !== null && !etagMatches(match, object.etag)) throw new S3Error("PreconditionFailed");
  const unmodifiedSince = parseHttpDate(
    headers.get(`${prefix}unmodified-since`),
    `${prefix}unmodified-since`,
  );
  if (match === null && unmodifiedSince !== undefined && modified > unmodifiedSince) {
    throw new S3Error("PreconditionFailed");
  }
  const notModified = prefix === "if-" ? "NotModified" : "PreconditionFailed";
  const noneMatch = headers.get(`${prefix}none-match`);
  if (noneMatch !== null && etagMatches(noneMatch, object.etag)) throw new S3Error(notModified);
  const modifiedSince = parseHttpDate(
    headers.get(`${prefix}modified-since`),
    `${prefix}modified-since`,
  );
  if (noneMatch === null && modifiedSince !== undefined && modified <= modifiedSince) {
    throw new S3Error(notModified);
  }
}

/**
 * Reads a `Range: bytes=...` header against an object's size. As RGW does, only the first range
 * of a list is served, and a range that ends before it starts is unsatisfiable.
 *
 * @param header The header value, or `null`.
 * @param size The object's size.
 * @returns The inclusive range, or `undefined` to send the whole object (no header, or a syntax
 *   S3 ignores).
 * @throws {S3Error} `InvalidRange` when the range cannot be satisfied.
 *
 * @example Usage
 * ```ts
 * import { parseRange } from "./object.ts";
 * parseRange("bytes=-3", 10); // { start: 7, end: 9 }
 * ```
 */
export function parseRange(
  header: string | null,
  size: number,
): { start: number; end: number } | undefined {
  if (header === null) return undefined;
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*(?:,.*)?$/.exec(header);
  if (!m || (m[1] === "" && m[2] === "")) return undefined;
  if (m[1] === "") {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) throw new S3Error("InvalidRange");
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  if (m[2] !== "" && Number(m[2]) < start) throw new S3Error("InvalidRange");
  if (start >= size) throw new S3Error("InvalidRange");
  const last = m[2] === "" ? size - 1 : Number(m[2]);
  return { start, end: Math.min(last, size - 1) };
}

/**
 * PutObject (`PUT /bucket/key`): streams the body to storage, checking length and Content-MD5;
 * with `x-amz-copy-source` it is CopyObject.
 *
 * @param context The request.
 * @returns 200 with the ETag.
 */
export async function putObject(context: RequestContext): Promise<Response> {
  if (context.headers.has("x-amz-copy-source")) return await copyObject(context);
  const bucket = loadBucket(context, "WRITE");
  const key = context.address.key!;
  checkKey(key);
  const owner = objectOwner(context, bucket.acl.owner);
  const acl = aclFromHeaders(context.headers, owner, context.users, bucket.acl.owner) ??
    cannedAcl("private", owner);
  const limits = uploadLimits(context);
  const { headers, metadata } = objectHeadersFrom(context.headers);
  const written = await context.storage.writeBlob(context.body, limits);
  const record: ObjectRecord = {
    key,
    size: written.segment.size,
    etag: written.md5,
    lastModified: new Date().toISOString(),
    headers,
    metadata,
    acl,
    segments: [written.segment],
  };
  await context.storage.putObject(bucket.name, record);
  return new Response(null, { status: 200, headers: { etag: `"${record.etag}"` } });
}

/**
 * Reads `x-amz-copy-source` (`/bucket/key`, percent-encoded, optional `?versionId=`).
 *
 * @param header The header value.
 * @returns The source bucket and key.
 * @throws {S3Error} `InvalidArgument` when it names no key.
 */
export function parseCopySource(header: string): { bucket: string; key: string } {
  const raw = header.replace(/\?versionId=.*$/, "").replace(/^\//, "");
  const decoded = decodeComponent(raw);
  const slash = decoded.indexOf("/");
  if (slash <= 0 || slash === decoded.length - 1) {
    throw new S3Error("InvalidArgument", `Cannot copy from "${header}": name /bucket/key`, {
      extra: { ArgumentName: "x-amz-copy-source", ArgumentValue: header },
    });
  }
  return { bucket: decoded.slice(0, slash), key: decoded.slice(slash + 1) };
}

/**
 * Finds and checks the source object of a copy (CopyObject, UploadPartCopy).
 *
 * @param context The request.
 * @returns The source bucket name and object.
 */
export function loadCopySource(context: RequestContext): { bucket: string; object: ObjectRecord } {
  const source = parseCopySource(context.headers.get("x-amz-copy-source")!);
  const bucket = context.storage.getBucket(source.bucket);
  if (!bucket) throw new S3Error("NoSuchBucket", undefined, { bucketName: source.bucket });
  const object = context.storage.getObject(source.bucket, source.key);
  if (!object) throw new S3Error("NoSuchKey", undefined, { key: source.key });
  requirePermission(object.acl, context.principal, "READ");
  checkConditions(context.headers, object, "x-amz-copy-source-if-");
  return { bucket: source.bucket, object };
}

async function copyObject(context: RequestContext): Promise<Response> {
  const bucket = loadBucket(context, "WRITE");
  const key = context.address.key!;
  checkKey(key);
  const source = loadCopySource(context);
  const directive = (context.headers.get("x-amz-metadata-directive") ?? "COPY").toUpperCase();
  if (directive !== "COPY" && directive !== "REPLACE") {
    throw new S3Error(
      "InvalidArgument",
      `Cannot use metadata directive "${directive}": use COPY or REPLACE`,
      {
        extra: { ArgumentName: "x-amz-metadata-directive", ArgumentValue: directive },
      },
    );
  }
  const owner = objectOwner(context, bucket.acl.owner);
  const requestedAcl = aclFromHeaders(context.headers, owner, context.users, bucket.acl.owner);
  if (
    source.bucket === bucket.name && source.object.key === key && directive === "COPY" &&
    requestedAcl === undefined
  ) {
    throw new S3Error(
      "InvalidRequest",
      "This copy request is illegal because it is trying to copy an object to itself without " +
        "changing the object's metadata, storage class, website redirect location or " +
        "encryption attributes.",
    );
  }
  await context.body?.cancel().catch(() => {});
  const { headers, metadata } = directive === "REPLACE"
    ? objectHeadersFrom(context.headers)
    : { headers: source.object.headers, metadata: source.object.metadata };
  const stream = await context.storage.readSegments(
    source.object.segments,
    0,
    source.object.size - 1,
  );
  const written = await context.storage.writeBlob(stream);
  const record: ObjectRecord = {
    key,
    size: written.segment.size,
    etag: written.md5,
    lastModified: new Date().toISOString(),
    headers,
    metadata,
    acl: requestedAcl ?? cannedAcl("private", owner),
    segments: [written.segment],
  };
  await context.storage.putObject(bucket.name, record);
  return xmlResponse(xmlDocument("CopyObjectResult", {
    LastModified: xmlDate(record.lastModified),
    ETag: `"${record.etag}"`,
  }));
}

const RESPONSE_OVERRIDES: Record<string, string> = {
  "response-content-type": "content-type",
  "response-content-language": "content-language",
  "response-expires": "expires",
  "response-cache-control": "cache-control",
  "response-content-disposition": "content-disposition",
  "response-content-encoding": "content-encoding",
};

function objectResponseHeaders(context: RequestContext, object: ObjectRecord): Headers {
  const headers = new Headers({
    etag: `"${object.etag}"`,
    "last-modified": httpDate(object.lastModified),
    "accept-ranges": "bytes",
  });
  for (const [name, value] of Object.entries(object.headers)) headers.set(name, value);
  for (const [name, value] of Object.entries(object.metadata)) {
    headers.set(`x-amz-meta-${name}`, value);
  }
  for (const [param, header] of Object.entries(RESPONSE_OVERRIDES)) {
    const value = context.query.get(param);
    if (value !== null) headers.set(header, value);
  }
  return headers;
}

/**
 * GetObject and HeadObject (`GET`/`HEAD /bucket/key`): conditional headers, a single `Range`
 * (206, or 416 `InvalidRange`) and `response-*` overrides.
 *
 * @param context The request.
 * @returns The object (streamed) or its headers.
 */
export async function getObject(context: RequestContext): Promise<Response> {
  const object = loadObject(context, "READ");
  try {
    checkConditions(context.headers, object);
  } catch (error) {
    if (error instanceof S3Error && error.code === "NotModified") {
      return new Response(null, {
        status: 304,
        headers: { etag: `"${object.etag}"`, "last-modified": httpDate(object.lastModified) },
      });
    }
    throw error;
  }
  const headers = objectResponseHeaders(context, object);
  const range = parseRange(context.headers.get("range"), object.size);
  const start = range?.start ?? 0;
  const end = range?.end ?? object.size - 1;
  headers.set("content-length", String(end - start + 1));
  if (range) headers.set("content-range", `bytes ${start}-${end}/${object.size}`);
  const status = range ? 206 : 200;
  if (context.method === "HEAD") return new Response(null, { status, headers });
  const body = await context.storage.readSegments(object.segments, start, end);
  return new Response(body, { status, headers });
}

/**
 * DeleteObject (`DELETE /bucket/key`): 204 whether or not the key existed.
 *
 * @param context The request.
 * @returns 204.
 */
export async function deleteObject(context: RequestContext): Promise<Response> {
  const bucket = loadBucket(context, "WRITE");
  await context.storage.deleteObject(bucket.name, context.address.key!);
  return new Response(null, { status: 204 });
}
