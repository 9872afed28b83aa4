/**
 * Helpers the request handlers share: bucket lookup with permission checks, bucket-name rules,
 * owners, dates and object response headers.
 *
 * @module
 */

import { requirePermission } from "../acl.ts";
import type { RequestContext } from "../context.ts";
import { S3Error } from "../errors.ts";
import type { BucketRecord, ObjectRecord, Permission, WriteBlobOptions } from "../storage/types.ts";
import type { Principal, ServerUser } from "../types.ts";
import type { XmlElement } from "../xml.ts";

/** Canonical id given to what anonymous requests create (in public-read-write buckets). */
export const ANONYMOUS_ID = "anonymous";

/** Standard headers stored with an object and sent back on GET/HEAD. */
export const STORED_HEADERS = [
  "content-type",
  "content-encoding",
  "content-disposition",
  "content-language",
  "cache-control",
  "expires",
] as const;

/** The default content type of objects stored without one. */
export const DEFAULT_CONTENT_TYPE = "binary/octet-stream";

/** Largest object a single PUT may create: 5 GiB. */
export const MAX_PUT_SIZE = 5 * 1024 ** 3;

/**
 * The canonical id of whoever sent a request.
 *
 * @param principal Who sent it.
 * @returns The user's id, or `anonymous`.
 */
export function principalId(principal: Principal): string {
  return principal.kind === "user" ? principal.user.id : ANONYMOUS_ID;
}

/**
 * Who owns an object a request creates: the requester, or for anonymous writes (into a
 * public-read-write bucket) the bucket's owner, as RGW does.
 *
 * @param context The request.
 * @param bucketOwner The bucket owner's id.
 * @returns The owner's canonical id.
 */
export function objectOwner(context: RequestContext, bucketOwner: string): string {
  return context.principal.kind === "user" ? context.principal.user.id : bucketOwner;
}

/**
 * An `<Owner>` element for a user id.
 *
 * @param id Canonical id.
 * @param users Known users, for the display name.
 * @returns The element content.
 */
export function ownerXml(id: string, users: readonly ServerUser[]): XmlElement {
  return { ID: id, DisplayName: users.find((u) => u.id === id)?.displayName ?? "" };
}

/**
 * The bucket a request names, checked to exist and, when asked, that the principal holds a
 * permission on it.
 *
 * @param context The request.
 * @param permission Permission needed on the bucket's ACL.
 * @returns The bucket.
 * @throws {S3Error} `NoSuchBucket` or `AccessDenied`.
 */
export function loadBucket(context: RequestContext, permission?: Permission): BucketRecord {
  const name = context.address.bucket!;
  const bucket = context.storage.getBucket(name);
  if (!bucket) throw new S3Error("NoSuchBucket", undefined, { bucketName: name });
  if (permission) requirePermission(bucket.acl, context.principal, permission);
  return bucket;
}

/**
 * The `versionId` a request names, or `undefined` (an empty `versionId=` counts as none, as RGW
 * reads it).
 *
 * @param context The request.
 * @returns The version id.
 */
export function requestedVersion(context: RequestContext): string | undefined {
  return context.query.get("versionId") || undefined;
}

/**
 * The headers that tell which version an answer is about: `x-amz-version-id` for a version that
 * has an id, or when the request named one (RGW then answers `null` too).
 *
 * @param object The version.
 * @param asked The version id the request named, if any.
 * @returns The headers to add.
 */
export function versionHeaders(object: ObjectRecord, asked?: string): Record<string, string> {
  const id = object.versionId ?? "null";
  return id !== "null" || asked !== undefined ? { "x-amz-version-id": id } : {};
}

/**
 * The object (or the version of it named by `versionId`) a request names, checked to exist. A
 * delete marker, current or named, is answered `NoSuchKey`, as RGW 16 does.
 *
 * @param context The request.
 * @param permission Permission needed on the object's ACL.
 * @returns The object.
 * @throws {S3Error} `NoSuchKey` or `AccessDenied`.
 */
export function loadObject(context: RequestContext, permission?: Permission): ObjectRecord {
  const bucket = loadBucket(context);
  const key = context.address.key!;
  const versionId = requestedVersion(context);
  const found = versionId === undefined
    ? context.storage.getObject(bucket.name, key)
    : context.storage.getVersion(bucket.name, key, versionId);
  const object = found?.deleteMarker ? undefined : found;
  if (!object) {
    // Like S3, do not reveal whether a key exists to someone who may not list the bucket.
    if (permission) requirePermission(bucket.acl, context.principal, "READ");
    throw new S3Error("NoSuchKey", undefined, { key });
  }
  if (permission) requirePermission(object.acl, context.principal, permission);
  return object;
}

/**
 * Tells why a bucket name breaks S3's naming rules, if it does.
 *
 * @param name The proposed name.
 * @returns The reason, or `undefined` when the name is valid.
 *
 * @example Usage
 * ```ts
 * import { bucketNameProblem } from "./common.ts";
 * bucketNameProblem("My_Bucket"); // "use only lower-case letters, digits, dots and hyphens"
 * ```
 */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) {
    return `a name must be 3 to 63 characters, got ${name.length}`;
  }
  if (!/^[a-z0-9.-]+$/.test(name)) return "use only lower-case letters, digits, dots and hyphens";
  if (!/^[a-z0-9].*[a-z0-9]$/.test(name)) return "start and end with a letter or digit";
  if (/\.\.|\.-|-\./.test(name)) return 'no "..", ".-" or "-." inside';
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return "a name must not look like an IP address";
  return undefined;
}

/**
 * Formats a date as an HTTP date (`Last-Modified`).
 *
 * @param iso An ISO 8601 time.
 * @returns E.g. `Wed, 25 Nov 2026 09:10:33 GMT`.
 */
export function httpDate(iso: string): string {
  return new Date(iso).toUTCString();
}

/**
 * Formats a date for XML listings, with milliseconds as S3 does.
 *
 * @param iso An ISO 8601 time.
 * @returns E.g. `2026-11-25T09:10:33.000Z`.
 */
export function xmlDate(iso: string): string {
  return new Date(iso).toISOString();
}

/**
 * Reads the headers and user metadata a PUT or multipart create stores with an object.
 *
 * @param headers Request headers.
 * @returns Stored headers (a default content type included) and metadata.
 */
export function objectHeadersFrom(
  headers: Headers,
): { headers: Record<string, string>; metadata: Record<string, string> } {
  const stored: Record<string, string> = {};
  for (const name of STORED_HEADERS) {
    const value = headers.get(name);
    if (value !== null) stored[name] = value;
  }
  stored["content-type"] ??= DEFAULT_CONTENT_TYPE;
  const metadata: Record<string, string> = {};
  for (const [name, value] of headers) {
    if (name.startsWith("x-amz-meta-")) metadata[name.slice("x-amz-meta-".length)] = value;
  }
  return { headers: stored, metadata };
}

/**
 * Decodes a `Content-MD5` header.
 *
 * @param headers Request headers.
 * @returns The 16 digest bytes, or `undefined` without the header.
 * @throws {S3Error} `InvalidDigest` when it is not base64 of 16 bytes.
 */
export function contentMd5(headers: Headers): Uint8Array | undefined {
  const value = headers.get("content-md5");
  if (value === null) return undefined;
  let bytes: Uint8Array;
  try {
    bytes = Uint8Array.from(atob(value.trim()), (c) => c.charCodeAt(0));
  } catch {
    throw new S3Error("InvalidDigest");
  }
  if (bytes.length !== 16) throw new S3Error("InvalidDigest");
  return bytes;
}

/**
 * What a body upload (PutObject, UploadPart) must be, from its request: the length it announces
 * (for `aws-chunked` uploads, the decoded length), its Content-MD5 and the 5 GiB limit.
 *
 * @param context The request.
 * @returns The options for `writeBlob()`.
 * @throws {S3Error} `MissingContentLength` without a length, as RGW answers a plain chunked
 *   upload; `EntityTooLarge` above 5 GiB; `InvalidDigest` for a malformed Content-MD5.
 */
export function uploadLimits(context: RequestContext): WriteBlobOptions {
  const expectedLength = context.contentLength;
  if (expectedLength === undefined) throw new S3Error("MissingContentLength");
  if (expectedLength > MAX_PUT_SIZE) throw new S3Error("EntityTooLarge");
  return { expectedLength, expectedMd5: contentMd5(context.headers), maxLength: MAX_PUT_SIZE };
}
