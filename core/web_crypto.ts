/**
 * The SigV4 primitives of `crypto.ts` (SHA-256, the signing key, the signature) on Web Crypto,
 * asynchronous: for code that must start fast. Loading `node:crypto` starts Deno's Node
 * compatibility layer, about 20 ms of every process's start-up (bench/README.md); Web Crypto is
 * built in, but each call is an asynchronous operation (about 0.1 ms for a request's two, against
 * microseconds for `node:crypto`'s). So a signer takes either set, {@linkcode WEB_SIGNING} or
 * `crypto.ts`'s `NODE_SIGNING`: `deno task cp` signs with Web Crypto, a connection (which has
 * loaded Node's modules with the SDK) and the server with `node:crypto`. Both give the same bytes
 * (`tests/core/web_crypto_test.ts`).
 *
 * @module
 */

/** SHA-256 of the empty string, the payload hash of a request without a body. */
export const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

const encoder = new TextEncoder();

function bytesOf(data: string | Uint8Array): Uint8Array<ArrayBuffer> {
  return (typeof data === "string" ? encoder.encode(data) : data) as Uint8Array<ArrayBuffer>;
}

function hex(bytes: ArrayBuffer | Uint8Array): string {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Hex SHA-256 of a text (UTF-8) or bytes.
 *
 * @param data What to hash.
 * @returns The lower-case hex digest.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { EMPTY_SHA256, sha256HexAsync } from "./web_crypto.ts";
 *
 * assert.equal(await sha256HexAsync(""), EMPTY_SHA256);
 * assert.equal(await sha256HexAsync(new Uint8Array([104, 105])), await sha256HexAsync("hi"));
 * ```
 */
export async function sha256HexAsync(data: string | Uint8Array): Promise<string> {
  return hex(await crypto.subtle.digest("SHA-256", bytesOf(data)));
}

/**
 * HMAC-SHA256 of a text (UTF-8) under a key.
 *
 * @param key The HMAC key, not empty (Web Crypto refuses an empty key; SigV4's never is).
 * @param data The text to authenticate.
 * @returns The raw MAC.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { hmacSha256Async } from "./web_crypto.ts";
 *
 * // RFC 4231's test case 2.
 * const mac = await hmacSha256Async("Jefe", "what do ya want for nothing?");
 * assert.equal(
 *   Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join(""),
 *   "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
 * );
 * ```
 */
export async function hmacSha256Async(
  key: string | Uint8Array,
  data: string,
): Promise<Uint8Array> {
  const cryptoKey = await crypto.subtle.importKey(
    "raw",
    bytesOf(key),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return new Uint8Array(await crypto.subtle.sign("HMAC", cryptoKey, encoder.encode(data)));
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
 * import { signingKeyAsync } from "./web_crypto.ts";
 *
 * // AWS's published example (IAM, "Examples of how to derive a signing key").
 * const key = await signingKeyAsync(
 *   "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
 *   "20150830",
 *   "us-east-1",
 *   "iam",
 * );
 * assert.equal(
 *   Array.from(key, (b) => b.toString(16).padStart(2, "0")).join(""),
 *   "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9",
 * );
 * ```
 */
export async function signingKeyAsync(
  secret: string,
  date: string,
  region: string,
  service: string,
): Promise<Uint8Array> {
  const kDate = await hmacSha256Async(`AWS4${secret}`, date);
  const kRegion = await hmacSha256Async(kDate, region);
  const kService = await hmacSha256Async(kRegion, service);
  return await hmacSha256Async(kService, "aws4_request");
}

/**
 * A SigV4 signature: the hex HMAC-SHA256 of the string to sign under the signing key.
 *
 * @param key The signing key, from {@linkcode signingKeyAsync}.
 * @param stringToSign The string to sign.
 * @returns The lower-case hex signature.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { signingKeyAsync, signV4Async } from "./web_crypto.ts";
 *
 * // AWS's published example (IAM, "Create a signature for AWS Signature Version 4").
 * const key = await signingKeyAsync(
 *   "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
 *   "20150830",
 *   "us-east-1",
 *   "iam",
 * );
 * const toSign = "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/iam/aws4_request\n" +
 *   "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59";
 * assert.equal(
 *   await signV4Async(key, toSign),
 *   "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
 * );
 * ```
 */
export async function signV4Async(key: Uint8Array, stringToSign: string): Promise<string> {
  const mac = await hmacSha256Async(key, stringToSign);
  return hex(mac);
}

/**
 * The primitives a SigV4 signer needs, synchronous (`node:crypto`) or not (Web Crypto): the same
 * results either way.
 */
export interface SigningPrimitives {
  /** Hex SHA-256 of a text (UTF-8) or bytes. */
  sha256Hex(data: string | Uint8Array): string | Promise<string>;
  /** The SigV4 signing key of a secret for a date, region and service. */
  signingKey(
    secret: string,
    date: string,
    region: string,
    service: string,
  ): Uint8Array | Promise<Uint8Array>;
  /** The hex SigV4 signature of a string to sign. */
  signV4(key: Uint8Array, stringToSign: string): string | Promise<string>;
}

/**
 * The primitives on Web Crypto: nothing to load, an asynchronous operation per call.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { EMPTY_SHA256, WEB_SIGNING } from "./web_crypto.ts";
 *
 * assert.equal(await WEB_SIGNING.sha256Hex(""), EMPTY_SHA256);
 * ```
 */
export const WEB_SIGNING: SigningPrimitives = {
  sha256Hex: sha256HexAsync,
  signingKey: signingKeyAsync,
  signV4: signV4Async,
};
