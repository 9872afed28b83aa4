/**
 * Checks made before any request is sent: bucket names, object keys, canned ACLs and presigned
 * URL lifetimes. A leaf module (it imports only the leaves `clusters.ts` and `key_paths.ts`), so every feature module
 * can use it.
 *
 * @module
 */

import { bucketNameProblem, type BucketNameRules, S3_BUCKET_NAMES } from "./clusters.ts";

import { checkWireKey, quoteKey } from "./key_paths.ts";

/** The canned ACLs a bucket or object can be given. */
export const CANNED_ACLS = [
  "private",
  "public-read",
  "public-read-write",
  "authenticated-read",
] as const;

/** A canned ACL: a named set of grants. */
export type CannedAcl = (typeof CANNED_ACLS)[number];

/**
 * Checks a canned ACL name.
 *
 * @param acl The name.
 * @returns The same name.
 * @throws {RangeError} When it is not one of {@linkcode CANNED_ACLS}.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { validateCannedAcl } from "./validate.ts";
 *
 * assert.equal(validateCannedAcl("public-read"), "public-read");
 * assert.throws(() => validateCannedAcl("public"), RangeError);
 * ```
 */
export function validateCannedAcl(acl: string): CannedAcl {
  if (!(CANNED_ACLS as readonly string[]).includes(acl)) {
    throw new RangeError(
      `Invalid canned ACL "${acl}": use one of ${CANNED_ACLS.map((a) => `"${a}"`).join(", ")}`,
    );
  }
  return acl as CannedAcl;
}

/**
 * Checks a bucket name against a service's naming rules, so a bad name fails before any request.
 * The lib passes the connection's rules (`s3.cluster.bucketNames`): DreamObjects US-East 5 wants
 * 6 to 63 characters and no dots, for one.
 *
 * @param name The bucket name.
 * @param rules The rules to follow. @default S3_BUCKET_NAMES (S3's and Ceph RGW's)
 * @returns The same name.
 * @throws {TypeError} When `name` is not a string.
 * @throws {RangeError} When the name breaks a rule; the message says which.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { validateBucketName } from "./validate.ts";
 * import { US_EAST_5 } from "./clusters.ts";
 *
 * validateBucketName("my-photos"); // ok
 * assert.throws(() => validateBucketName("My_Photos"), /^RangeError: Invalid bucket name "My_Photos"/);
 * assert.throws(
 *   () => validateBucketName("my.photos", US_EAST_5.bucketNames),
 *   /must not contain "\." on DreamObjects US-East 5/,
 * );
 * ```
 */
export function validateBucketName(
  name: string,
  rules: BucketNameRules = S3_BUCKET_NAMES,
): string {
  if (typeof name !== "string") {
    throw new TypeError(`Invalid bucket name: expected a string, got ${typeof name}`);
  }
  const why = bucketNameProblem(name, rules);
  if (why) throw new RangeError(`Invalid bucket name "${name}": ${why}`);
  return name;
}

/**
 * Checks an object key: 1 to 1024 bytes of UTF-8, and no `.` or `..` path segment (which a
 * request URL cannot carry: `fetch` removes it, so the request would name another object).
 *
 * @param key The key.
 * @returns The same key.
 * @throws {TypeError} When `key` is not a string.
 * @throws {RangeError} When it is empty, too long or has a dot segment; the message names it.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { validateKey } from "./validate.ts";
 *
 * assert.equal(validateKey("photos/cloud.png"), "photos/cloud.png");
 * assert.throws(() => validateKey("a/../b"), /^RangeError: Cannot send key "a\/\.\.\/b"/);
 * ```
 */
export function validateKey(key: string): string {
  if (typeof key !== "string") {
    throw new TypeError(`Invalid object key: expected a string, got ${typeof key}`);
  }
  const bytes = new TextEncoder().encode(key).length;
  if (bytes === 0) throw new RangeError("Invalid object key: a key must not be empty");
  if (bytes > 1024) {
    throw new RangeError(
      `Invalid object key ${quoteKey(key)}: a key must be at most 1024 bytes, got ${bytes}`,
    );
  }
  checkWireKey(key);
  return key;
}

/** Longest expiry S3 accepts for a presigned URL: 7 days. */
export const MAX_EXPIRY_SECONDS = 7 * 24 * 3600;

/**
 * Checks a presigned URL's lifetime: a whole number of seconds from 1 to 7 days.
 *
 * @param seconds The lifetime.
 * @returns The same number.
 * @throws {TypeError} When it is not a number.
 * @throws {RangeError} When it is not a whole number from 1 to 604800.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { validateExpiry } from "./validate.ts";
 *
 * assert.equal(validateExpiry(3600), 3600);
 * assert.throws(() => validateExpiry(0), RangeError);
 * ```
 */
export function validateExpiry(seconds: number): number {
  if (typeof seconds !== "number" || Number.isNaN(seconds)) {
    throw new TypeError(`Invalid expiry: expected a number of seconds, got "${seconds}"`);
  }
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_EXPIRY_SECONDS) {
    throw new RangeError(
      `Invalid expiry: a presigned URL lives 1 to ${MAX_EXPIRY_SECONDS} seconds (7 days), ` +
        `got ${seconds}`,
    );
  }
  return seconds;
}
