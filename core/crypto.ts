/**
 * The hash and HMAC primitives behind AWS signatures (SigV4 and SigV2), on `node:crypto`: one
 * implementation for the library's signers and the embedded server's checks (a leaf: it imports
 * nothing of the project).
 *
 * @module
 */

import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/** SHA-256 of the empty string, the payload hash of a request without a body. */
export const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/**
 * Hex SHA-256 of a text (UTF-8) or bytes.
 *
 * @param data What to hash.
 * @returns The lower-case hex digest.
 *
 * @example Usage
 * ```ts
 * import { sha256Hex } from "./crypto.ts";
 * console.log(sha256Hex("")); // "e3b0c442..."
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
 * import { hmacSha256 } from "./crypto.ts";
 * console.log(hmacSha256("key", "data").length); // 32
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
 * import { signingKey } from "./crypto.ts";
 * const key = signingKey("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20150830", "us-east-1", "iam");
 * console.log(key.length); // 32
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
 * import { signingKey, signV4 } from "./crypto.ts";
 * const key = signingKey("secret", "20150830", "us-east-1", "s3");
 * console.log(signV4(key, "AWS4-HMAC-SHA256\n...").length); // 64
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
 * import { signV2 } from "./crypto.ts";
 * console.log(signV2("secret", "GET\n\n\n\n/").length); // 28
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
 * import { signaturesEqual } from "./crypto.ts";
 * console.log(signaturesEqual("abc", "abd")); // false
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
