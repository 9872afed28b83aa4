/**
 * Signature V4 for S3 requests in a few lines, on Web Crypto by default (`core/web_crypto.ts`): no
 * Node module is loaded, so `deno task cp` of a small file starts faster (bench/README.md); a
 * connection, which has loaded Node's modules, passes `node:crypto`'s primitives (faster per
 * request). The canonical request is `core/sigv4.ts`'s, as the server's verifier rebuilds it.
 * Internal to `_lean.ts`.
 *
 * Why not `@smithy/signature-v4`: loading it costs about 125 ms at start-up (its dependencies).
 *
 * @module
 */

import {
  EMPTY_SHA256,
  sha256HexAsync,
  type SigningPrimitives,
  WEB_SIGNING,
} from "../core/web_crypto.ts";
import { canonicalQuery, stringToSignV4, uriEncode } from "../core/sigv4.ts";

export { EMPTY_SHA256, sha256HexAsync, uriEncode };

/** The keys that sign. */
export interface SigningKeys {
  /** Access key id. */
  accessKeyId: string;
  /** Secret access key. */
  secretAccessKey: string;
  /** Session token of temporary credentials. */
  sessionToken?: string;
}

/** A request to sign. */
export interface RequestToSign {
  /** HTTP method, upper case. */
  method: string;
  /** The full URL (its query is signed as given, keys and values decoded then re-encoded). */
  url: URL;
  /** Headers to send and sign, lower-case names (`host` is added from the URL). */
  headers: Record<string, string>;
  /** The payload's SHA-256 in hex (or `UNSIGNED-PAYLOAD`). */
  payloadHash: string;
}

/**
 * The path of an S3 URL for a bucket and key: each segment encoded, `/` kept.
 *
 * @param parts Path segments before the key (the bucket, with path-style addressing).
 * @param key The object key, or `undefined` for the bucket itself.
 * @returns The path, starting with `/`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { s3Path } from "./_sigv4.ts";
 *
 * assert.equal(s3Path(["b1"], "a dir/100%.txt"), "/b1/a%20dir/100%25.txt");
 * assert.equal(s3Path([], undefined), "/");
 * ```
 */
export function s3Path(parts: string[], key: string | undefined): string {
  const segments = [...parts.map(uriEncode)];
  if (key !== undefined) segments.push(key.split("/").map(uriEncode).join("/"));
  return `/${segments.join("/")}`;
}

/**
 * Signs requests with one set of keys for one region: adds `x-amz-date`,
 * `x-amz-content-sha256`, `x-amz-security-token` (if any) and `authorization` to the headers.
 * The signing key is derived once per day.
 *
 * @example AWS's published example (GET Object with a range, S3 documentation)
 * ```ts
 * import assert from "node:assert/strict";
 * import { EMPTY_SHA256, SigV4Signer } from "./_sigv4.ts";
 *
 * const signer = new SigV4Signer({
 *   accessKeyId: "AKIAIOSFODNN7EXAMPLE",
 *   secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
 * }, "us-east-1");
 * const headers: Record<string, string> = { range: "bytes=0-9" };
 * await signer.sign({
 *   method: "GET",
 *   url: new URL("https://examplebucket.s3.amazonaws.com/test.txt"),
 *   headers,
 *   payloadHash: EMPTY_SHA256,
 * }, new Date("2013-05-24T00:00:00Z"));
 * assert.match(headers.authorization, /Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41$/);
 * ```
 */
export class SigV4Signer {
  #keys: SigningKeys;
  #region: string;
  #crypto: SigningPrimitives;
  #day = "";
  #key: Promise<Uint8Array> = Promise.resolve(new Uint8Array());

  /**
   * Builds a signer.
   *
   * @param keys The keys.
   * @param region The signing region, e.g. `us-east-1` or `us-east-005`.
   * @param crypto The primitives: Web Crypto's (nothing to load), or `node:crypto`'s
   *   (`core/crypto.ts`'s `NODE_SIGNING`: faster per request where Node's modules are loaded).
   */
  constructor(keys: SigningKeys, region: string, crypto: SigningPrimitives = WEB_SIGNING) {
    this.#keys = keys;
    this.#region = region;
    this.#crypto = crypto;
  }

  #signingKey(day: string): Promise<Uint8Array> {
    if (day !== this.#day) {
      this.#key = Promise.resolve(
        this.#crypto.signingKey(this.#keys.secretAccessKey, day, this.#region, "s3"),
      );
      this.#day = day;
    }
    return this.#key;
  }

  /**
   * Signs a request in place (its `headers` gain the signature's headers).
   *
   * @param request Method, URL, headers and payload hash.
   * @param now The signing time.
   */
  async sign(request: RequestToSign, now: Date = new Date()): Promise<void> {
    const stamp = now.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
    const day = stamp.slice(0, 8);
    const headers = request.headers;
    headers["x-amz-date"] = stamp;
    headers["x-amz-content-sha256"] = request.payloadHash;
    if (this.#keys.sessionToken) headers["x-amz-security-token"] = this.#keys.sessionToken;
    const signed: [string, string][] = [["host", request.url.host]];
    for (const [name, value] of Object.entries(headers)) {
      if (name !== "authorization") signed.push([name, value.trim().replace(/\s+/g, " ")]);
    }
    signed.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const query = canonicalQuery([...request.url.searchParams]);
    const names = signed.map(([n]) => n).join(";");
    const canonical = [
      request.method,
      request.url.pathname,
      query,
      signed.map(([n, v]) => `${n}:${v}\n`).join(""),
      names,
      request.payloadHash,
    ].join("\n");
    const scope = `${day}/${this.#region}/s3/aws4_request`;
    const toSign = stringToSignV4(stamp, scope, await this.#crypto.sha256Hex(canonical));
    const signature = await this.#crypto.signV4(await this.#signingKey(day), toSign);
    headers.authorization = `AWS4-HMAC-SHA256 Credential=${this.#keys.accessKeyId}/${scope}, ` +
      `SignedHeaders=${names}, Signature=${signature}`;
  }
}
