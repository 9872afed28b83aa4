/**
 * Checks made before any request is sent: bucket names, object keys, canned ACLs and presigned
 * URL lifetimes. A leaf module: it imports nothing, so every feature module can use it.
 *
 * @module
 */

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
 * Checks a bucket name against S3's naming rules, so a bad name fails before any request.
 *
 * @param name The bucket name.
 * @returns The same name.
 * @throws {TypeError} When `name` is not a string.
 * @throws {RangeError} When the name breaks a rule; the message says which.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { validateBucketName } from "./validate.ts";
 *
 * validateBucketName("my-photos"); // ok
 * assert.throws(() => validateBucketName("My_Photos"), /^RangeError: Invalid bucket name "My_Photos"/);
 * ```
 */
export function validateBucketName(name: string): string {
  if (typeof name !== "string") {
    throw new TypeError(`Invalid bucket name: expected a string, got ${typeof name}`);
  }
  const fail = (why: string) => {
    throw new RangeError(`Invalid bucket name "${name}": ${why}`);
  };
  if (name.length < 3 || name.length > 63) {
    fail(`a name must be 3 to 63 characters, got ${name.length}`);
  }
  const bad = name.match(/[^a-z0-9.-]/);
  if (bad) {
    fail(
      `only lower-case letters, digits, "-" and "." are allowed, got "${bad[0]}"` +
        (/[A-Z]/.test(bad[0]) ? "; use lower case" : ""),
    );
  }
  if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name)) {
    fail("a name must start and end with a letter or digit");
  }
  if (name.includes("..")) fail('a name must not contain ".."');
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) fail("a name must not look like an IP address");
  if (name.startsWith("xn--")) fail('a name must not start with "xn--"');
  if (name.endsWith("-s3alias")) fail('a name must not end with "-s3alias"');
  return name;
}

/**
 * Checks an object key: 1 to 1024 bytes of UTF-8.
 *
 * @param key The key.
 * @returns The same key.
 * @throws {TypeError} When `key` is not a string.
 * @throws {RangeError} When it is empty or too long.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { validateKey } from "./validate.ts";
 *
 * assert.equal(validateKey("photos/cloud.png"), "photos/cloud.png");
 * ```
 */
export function validateKey(key: string): string {
  if (typeof key !== "string") {
    throw new TypeError(`Invalid object key: expected a string, got ${typeof key}`);
  }
  const bytes = new TextEncoder().encode(key).length;
  if (bytes === 0) throw new RangeError("Invalid object key: a key must not be empty");
  if (bytes > 1024) {
    throw new RangeError(`Invalid object key: a key must be at most 1024 bytes, got ${bytes}`);
  }
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
