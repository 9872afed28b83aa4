/**
 * Reading what a request asks of an object: its key, its conditions (`If-Match`...), its byte
 * range and its copy source. Shared by the object and multipart handlers.
 *
 * @module
 */

import { decodeComponent } from "../../core/sigv4.ts";
import { requirePermission } from "../acl.ts";
import type { RequestContext } from "../context.ts";
import { S3Error } from "../errors.ts";
import type { ObjectRecord } from "../storage/types.ts";

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
 * Applies `If-Match` and `If-None-Match` to a write (PutObject): `If-Match` needs a current object
 * whose ETag it names (`*`: any object); `If-None-Match` refuses one whose ETag it names (`*`: any
 * object, so the write only creates). A delete marker counts as no object. ETags match quoted or
 * not, and the current version is what counts in a versioned bucket too, as S3 does (Ceph RGW 16
 * compares the header with the unquoted ETag and checks the new version instead; the
 * conformance allowlist says where).
 *
 * @param headers Request headers.
 * @param current The key's current object, or `undefined`.
 * @throws {S3Error} `PreconditionFailed`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkWriteConditions } from "./request.ts";
 * import { S3Error } from "../errors.ts";
 *
 * checkWriteConditions(new Headers({ "if-none-match": "*" }), undefined); // creates: no error
 * assert.throws(() => checkWriteConditions(new Headers({ "if-match": '"abc"' }), undefined), S3Error);
 * ```
 */
export function checkWriteConditions(headers: Headers, current: ObjectRecord | undefined): void {
  const match = headers.get("if-match");
  if (match !== null && (!current || !etagMatches(match, current.etag))) {
    throw new S3Error("PreconditionFailed", undefined, { key: current?.key });
  }
  const noneMatch = headers.get("if-none-match");
  if (noneMatch !== null && current && etagMatches(noneMatch, current.etag)) {
    throw new S3Error("PreconditionFailed", undefined, { key: current.key });
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
 * import assert from "node:assert/strict";
 * import { parseRange } from "./request.ts";
 *
 * assert.deepEqual(parseRange("bytes=-3", 10), { start: 7, end: 9 });
 * assert.deepEqual(parseRange("bytes=2-", 10), { start: 2, end: 9 });
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
 * Reads `x-amz-copy-source` (`/bucket/key`, percent-encoded, optional `?versionId=`).
 *
 * @param header The header value.
 * @returns The source bucket, key and version id (when named).
 * @throws {S3Error} `InvalidArgument` when it names no key.
 */
export function parseCopySource(
  header: string,
): { bucket: string; key: string; versionId?: string } {
  const version = /\?versionId=(.*)$/.exec(header)?.[1];
  const versionId = version ? decodeComponent(version) : undefined;
  const raw = header.replace(/\?versionId=.*$/, "").replace(/^\//, "");
  const decoded = decodeComponent(raw);
  const slash = decoded.indexOf("/");
  if (slash <= 0 || slash === decoded.length - 1) {
    throw new S3Error("InvalidArgument", `Cannot copy from "${header}": name /bucket/key`, {
      extra: { ArgumentName: "x-amz-copy-source", ArgumentValue: header },
    });
  }
  const named = { bucket: decoded.slice(0, slash), key: decoded.slice(slash + 1) };
  return versionId === undefined ? named : { ...named, versionId };
}

/**
 * Finds and checks the source object (or the version of it named) of a copy (CopyObject,
 * UploadPartCopy). A delete marker is `NoSuchKey`, as RGW answers.
 *
 * @param context The request.
 * @returns The source bucket name, the object and the version id the header named.
 */
export function loadCopySource(
  context: RequestContext,
): { bucket: string; object: ObjectRecord; versionId?: string } {
  const source = parseCopySource(context.headers.get("x-amz-copy-source")!);
  const bucket = context.storage.getBucket(source.bucket);
  if (!bucket) throw new S3Error("NoSuchBucket", undefined, { bucketName: source.bucket });
  const found = source.versionId === undefined
    ? context.storage.getObject(source.bucket, source.key)
    : context.storage.getVersion(source.bucket, source.key, source.versionId);
  const object = found?.deleteMarker ? undefined : found;
  if (!object) throw new S3Error("NoSuchKey", undefined, { key: source.key });
  requirePermission(object.acl, context.principal, "READ");
  checkConditions(context.headers, object, "x-amz-copy-source-if-");
  return { bucket: source.bucket, object, versionId: source.versionId };
}
