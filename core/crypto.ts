/**
 * The hash and HMAC primitives behind AWS signatures (SigV4 and SigV2), on `node:crypto`: one
 * implementation for the library's signers and the embedded server's checks (a leaf: it imports
 * nothing of the project but its Web Crypto twin, `web_crypto.ts`, for code that must start fast).
 *
 * @module
 */

import { createHash, createHmac, timingSafeEqual } from "node:crypto";

import type { SigningPrimitives } from "./web_crypto.ts";

export { EMPTY_SHA256 } from "./web_crypto.ts";

/**
 * Hex SHA-256 of a text (UTF-8) or bytes.
 *
 * @param data What to hash.
 * @returns The lower-case hex digest.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { EMPTY_SHA256, sha256Hex } from "./crypto.ts";
 *
 * assert.equal(sha256Hex(""), EMPTY_SHA256);
 * assert.equal(sha256Hex(new Uint8Array([104, 105])), sha256Hex("hi"));
 * ```
 */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/**
 * HMAC-SHA256 of a text (UTF-8) under a key.
 *
 * @param key The HMAC key.
 * @param data The text to authenticate.
 * @returns The raw MAC.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { hmacSha256 } from "./crypto.ts";
 *
 * // RFC 4231's test case 2.
 * assert.equal(
 *   Buffer.from(hmacSha256("Jefe", "what do ya want for nothing?")).toString("hex"),
 *   "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
 * );
 * ```
 */
export function hmacSha256(key: string | Uint8Array, data: string): Uint8Array {
  return createHmac("sha256", key).update(data, "utf8").digest();
}

/**
 * Derives the SigV4 signing key: `HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region),
 * service), "aws4_request")`.
 *
 * @param secret The secret access key.
 * @param date The scope date, `YYYYMMDD`.
 * @param region The scope region, e.g. `us-east-1`.
 * @param service The scope service, e.g. `s3`.
 * @returns The signing key.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { signingKey } from "./crypto.ts";
 *
 * // AWS's published example (IAM, "Examples of how to derive a signing key").
 * const key = signingKey("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20150830", "us-east-1", "iam");
 * assert.equal(
 *   Buffer.from(key).toString("hex"),
 *   "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9",
 * );
 * ```
 */
export function signingKey(
  secret: string,
  date: string,
  region: string,
  service: string,
): Uint8Array {
  const kDate = hmacSha256(`AWS4${secret}`, date);
  const kRegion = hmacSha256(kDate, region);
  const kService = hmacSha256(kRegion, service);
  return hmacSha256(kService, "aws4_request");
}

/**
 * Signs a SigV4 string to sign with a derived key.
 *
 * @param key The signing key from {@linkcode signingKey}.
 * @param stringToSign The string to sign.
 * @returns The lower-case hex signature.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { signingKey, signV4 } from "./crypto.ts";
 *
 * const key = signingKey("secret", "20150830", "us-east-1", "s3");
 * const signature = signV4(key, "AWS4-HMAC-SHA256\n...");
 * assert.match(signature, /^[0-9a-f]{64}$/);
 * assert.notEqual(signV4(key, "AWS4-HMAC-SHA256\n..!"), signature);
 * ```
 */
export function signV4(key: Uint8Array, stringToSign: string): string {
  return createHmac("sha256", key).update(stringToSign, "utf8").digest("hex");
}

/**
 * Signs a SigV2 string to sign: base64 HMAC-SHA1 under the secret.
 *
 * @param secret The secret access key.
 * @param stringToSign The string to sign.
 * @returns The base64 signature.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { signV2 } from "./crypto.ts";
 *
 * // AWS's SigV2 example (GET /photos/puppy.jpg, S3 Developer Guide).
 * assert.equal(
 *   signV2(
 *     "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
 *     "GET\n\n\nTue, 27 Mar 2007 19:36:42 +0000\n/johnsmith/photos/puppy.jpg",
 *   ),
 *   "bWq2s1WEIj+Ydj0vQ697zp+IXMU=",
 * );
 * ```
 */
export function signV2(secret: string, stringToSign: string): string {
  return createHmac("sha1", secret).update(stringToSign, "utf8").digest("base64");
}

/**
 * Compares two signatures in constant time (for equal lengths), so timing does not reveal how
 * many leading characters of a guess were right.
 *
 * @param expected The signature the server computed.
 * @param provided The signature the client sent.
 * @returns True when they are equal.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { signaturesEqual } from "./crypto.ts";
 *
 * assert.equal(signaturesEqual("abc", "abc"), true);
 * assert.equal(signaturesEqual("abc", "abd"), false);
 * assert.equal(signaturesEqual("abc", "ab"), false);
 * ```
 */
export function signaturesEqual(expected: string, provided: string): boolean {
  const a = new TextEncoder().encode(expected);
  const b = new TextEncoder().encode(provided);
  if (a.length !== b.length) {
    // Still spend the comparison time, then refuse.
    timingSafeEqual(a, a);
    return false;
  }
  return timingSafeEqual(a, b);
}

/**
 * The SigV4 primitives on `node:crypto`, synchronous: for signers in processes that have loaded
 * Node's modules anyway (a connection, the server). `web_crypto.ts`'s `WEB_SIGNING` gives the
 * same results.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { EMPTY_SHA256, NODE_SIGNING } from "./crypto.ts";
 *
 * assert.equal(NODE_SIGNING.sha256Hex(""), EMPTY_SHA256);
 * ```
 */
export const NODE_SIGNING: SigningPrimitives = { sha256Hex, signingKey, signV4 };
