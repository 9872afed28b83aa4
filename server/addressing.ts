/**
 * Works out which bucket and key a request names, from the raw request URL (path style) or the
 * Host header (virtual-host style: `bucket.localhost:PORT`).
 *
 * @module
 */

import { splitTarget } from "../core/sigv4.ts";
import { S3Error } from "./errors.ts";
import type { Address } from "./types.ts";

/** A request's target: its address, raw path and query. */
export interface Target {
  /** Bucket and key. */
  address: Address;
  /** The path exactly as sent (still percent-encoded), used as the error `Resource`. */
  rawPath: string;
  /** The query parameters. */
  query: URLSearchParams;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new S3Error("InvalidArgument", `Cannot decode "${text}": malformed percent-encoding`);
  }
}

/**
 * Resolves a request's bucket and key.
 *
 * @param url The request URL as received.
 * @param host The Host header, if any.
 * @param dnsName The server's DNS name: `bucket.<dnsName>` hosts are virtual-host style.
 * @returns The target.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseTarget } from "./addressing.ts";
 *
 * assert.deepEqual(parseTarget("http://x/photos/a/b.jpg", "127.0.0.1:9000", "localhost").address, {
 *   bucket: "photos",
 *   key: "a/b.jpg",
 *   virtualHost: false,
 * });
 * assert.equal(parseTarget("/a/b", "photos.localhost:9000", "localhost").address.bucket, "photos");
 * ```
 */
export function parseTarget(url: string, host: string | null, dnsName: string): Target {
  const { path, query } = splitTarget(url);
  const params = new URLSearchParams(query);
  // The host read here names the bucket, so it must be the one the SigV4 signature covers (the
  // Host header, see auth/signed_headers.ts): unsigned_headers_test.ts sends an absolute-form
  // target naming another bucket than the signed Host.
  const hostname = (host ?? "").replace(/:\d+$/, "").toLowerCase();
  const suffix = "." + dnsName.toLowerCase();
  let address: Address;
  if (hostname.endsWith(suffix) && hostname.length > suffix.length) {
    const bucket = hostname.slice(0, -suffix.length);
    const key = path.slice(1);
    address = { bucket, key: key === "" ? undefined : decode(key), virtualHost: true };
  } else {
    const rest = path.slice(1);
    const slash = rest.indexOf("/");
    if (rest === "") address = { virtualHost: false };
    else if (slash < 0) address = { bucket: decode(rest), virtualHost: false };
    else {
      const key = rest.slice(slash + 1);
      address = {
        bucket: decode(rest.slice(0, slash)),
        key: key === "" ? undefined : decode(key),
        virtualHost: false,
      };
    }
  }
  return { address, rawPath: path, query: params };
}
