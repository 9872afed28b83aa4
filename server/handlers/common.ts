/**
 * Helpers the request handlers share: bucket lookup with permission checks, bucket-name rules,
 * owners, dates and object response headers.
 *
 * @module
 */

import { aclFromHeaders, cannedAcl, requirePermission } from "../acl.ts";
import type { RequestContext } from "../context.ts";
import { RGW_PROFILE } from "../emulation.ts";
import { S3Error } from "../errors.ts";
import { contentMd5 } from "../integrity.ts";
import type {
  Acl,
  BucketRecord,
  ObjectRecord,
  Permission,
  WriteBlobOptions,
} from "../storage/types.ts";
import { bucketNameProblem as ruleBroken, type BucketNameRules } from "../../core/clusters.ts";
import type { Principal, ServerUser } from "../types.ts";
import type { XmlElement } from "../xml.ts";

export { contentMd5 };

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
 * The ACL that decides who may read or write an object: its own, or its bucket's where objects
 * inherit their bucket's permission (the US-East 5 emulation).
 *
 * @param context The request.
 * @param bucket The object's bucket.
 * @param object The object.
 * @returns The ACL to check.
 */
export function effectiveObjectAcl(
  context: RequestContext,
  bucket: BucketRecord,
  object: ObjectRecord,
): Acl {
  return context.emulation.objectAcls ? object.acl : bucket.acl;
}

/**
 * Tells whether two ACLs grant the same permissions to the same grantees, in any order.
 *
 * @param a One ACL.
 * @param b The other.
 * @returns True when their grants are the same set.
 */
export function sameGrants(a: Acl, b: Acl): boolean {
  const key = (acl: Acl) =>
    acl.grants.map((g) =>
      `${g.grantee.type === "CanonicalUser" ? g.grantee.id : g.grantee.uri} ${g.permission}`
    ).sort().join("\n");
  return key(a) === key(b);
}

/**
 * The ACL a new object (PutObject, CopyObject, CreateMultipartUpload) gets from its request's
 * `x-amz-acl` or `x-amz-grant-*` headers, `private` without them. Where objects inherit their
 * bucket's permission, the headers may only repeat the bucket's ACL.
 *
 * @param context The request.
 * @param bucket The bucket the object goes to.
 * @param owner The new object's owner.
 * @returns The ACL to store.
 * @throws {S3Error} `AccessControlListNotSupported` for an ACL other than the bucket's where
 *   objects have no ACLs of their own.
 */
export function newObjectAcl(context: RequestContext, bucket: BucketRecord, owner: string): Acl {
  const requested = aclFromHeaders(context.headers, owner, context.users, bucket.acl.owner);
  if (!context.emulation.objectAcls && requested && !sameGrants(requested, bucket.acl)) {
    throw objectAclRefused(context);
  }
  return requested ?? cannedAcl("private", owner);
}

/**
 * The error for an object ACL other than its bucket's, where objects inherit their bucket's
 * permission (assumed code: Backblaze documents none; S3 answers this one when ACLs are off).
 *
 * @param context The request.
 * @returns The error.
 */
export function objectAclRefused(context: RequestContext): S3Error {
  return new S3Error(
    "AccessControlListNotSupported",
    `Cannot give an object its own ACL on ${context.emulation.describes}: objects inherit their ` +
      "bucket's permission; set the bucket's ACL instead (PutBucketAcl private or public-read)",
  );
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
  if (permission) {
    requirePermission(effectiveObjectAcl(context, bucket, object), context.principal, permission);
  }
  return object;
}

/**
 * Tells why a bucket name breaks the server's naming rules, if it does: Ceph RGW's by default
 * (3 to 63 lower-case letters, digits, dots and hyphens, no `..`, `.-` or `-.`, not an IP
 * address), or an emulation's.
 *
 * @param name The proposed name.
 * @param rules The rules. @default Ceph RGW's
 * @returns The reason, or `undefined` when the name is valid.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { bucketNameProblem } from "./common.ts";
 *
 * assert.equal(bucketNameProblem("my-bucket"), undefined);
 * assert.match(bucketNameProblem("My_Bucket")!, /^only lower-case letters, .* got "M"; use lower case$/);
 * ```
 */
export function bucketNameProblem(
  name: string,
  rules: BucketNameRules = RGW_PROFILE.bucketNames,
): string | undefined {
  return ruleBroken(name, rules);
}

/**
 * Refuses an anonymous listing where the emulated service allows none, even of a public bucket.
 *
 * @param context The request.
 * @throws {S3Error} `AccessDenied` (assumed code: Backblaze documents only that it is refused).
 */
export function checkAnonymousListing(context: RequestContext): void {
  if (!context.emulation.anonymousListing && context.principal.kind === "anonymous") {
    throw new S3Error(
      "AccessDenied",
      `Cannot list a bucket anonymously on ${context.emulation.describes}: sign the request ` +
        "(public buckets serve their objects, not their listings)",
    );
  }
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
 * The server-side encryption header an upload keeps, where the emulated service offers SSE-B2
 * (`x-amz-server-side-encryption: AES256`, checked by `emulationRefusal()`); it is sent back
 * with the object as S3 does.
 *
 * @param context The request.
 * @returns The header to store, or none.
 */
export function encryptionHeaders(context: RequestContext): Record<string, string> {
  if (!context.emulation.serverSideEncryption) return {};
  return context.headers.has("x-amz-server-side-encryption")
    ? { "x-amz-server-side-encryption": "AES256" }
    : {};
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
