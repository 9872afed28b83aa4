/**
 * Which headers of an exchange the trace keeps, and how they are picked from a request or a
 * response: shared by the two recorders (the SDK's middleware in `_recorder.ts`, the lean
 * client's own in `_lean.ts`), so both paths record the same fields. A leaf. Internal.
 *
 * @module
 */

/** S3's checksum headers, one per algorithm (`x-amz-checksum-crc32`...). */
const CHECKSUM_HEADERS = ["crc32", "crc32c", "crc64nvme", "sha1", "sha256"].map((name) =>
  `x-amz-checksum-${name}`
);

/** The request headers the trace keeps. */
export const REQUEST_HEADERS: readonly string[] = [
  "host",
  "content-type",
  "content-length",
  "content-md5",
  "range",
  "x-amz-acl",
  "x-amz-content-sha256",
  "x-amz-date",
  "x-amz-security-token",
  "amz-sdk-request",
  "authorization",
  // Data integrity: conditions on a write, checksums sent, and asking for the stored one.
  "if-match",
  "if-none-match",
  "x-amz-checksum-mode",
  "x-amz-sdk-checksum-algorithm",
  ...CHECKSUM_HEADERS,
];
/** The response headers the trace keeps. */
export const RESPONSE_HEADERS: readonly string[] = [
  "content-type",
  "content-length",
  "etag",
  "location",
  "x-amz-request-id",
  // Versioned buckets: the version a write made or a read served, and whether it is a marker.
  "x-amz-version-id",
  "x-amz-delete-marker",
  // The checksum a service keeps with an object, when it answers one.
  ...CHECKSUM_HEADERS,
  "x-amz-checksum-type",
];

/** A by-name getter over a plain header object whose names may be in any case. */
function lowerCaseLookup(
  headers: Record<string, string | string[] | undefined>,
): (name: string) => string | undefined {
  const byName = new Map<string, string | string[] | undefined>();
  for (const [k, v] of Object.entries(headers)) byName.set(k.toLowerCase(), v);
  return (name) => {
    const v = byName.get(name);
    return Array.isArray(v) ? v.join(", ") : v;
  };
}

/**
 * The named headers of a header object (any case) or a `Headers`, lower-case names.
 *
 * @param headers The headers.
 * @param names The names to keep, lower case.
 * @returns The headers found.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { pickHeaders } from "./_exchange_fields.ts";
 *
 * assert.deepEqual(pickHeaders({ ETag: '"x"', Other: "y" }, ["etag"]), { etag: '"x"' });
 * ```
 */
export function pickHeaders(
  headers: Record<string, string | string[] | undefined> | Headers | undefined,
  names: readonly string[],
): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  const get = headers instanceof Headers
    ? (n: string) => headers.get(n) ?? undefined
    : lowerCaseLookup(headers);
  for (const name of names) {
    const value = get(name);
    if (value !== undefined) out[name] = value;
  }
  return out;
}
