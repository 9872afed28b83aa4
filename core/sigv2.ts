/**
 * Signature Version 2's string to sign, the scheme boto 2 and s3cmd use: base64 HMAC-SHA1 (see
 * `crypto.ts` `signV2`) over method, Content-MD5, Content-Type, date (or `Expires`), the `x-amz-*`
 * headers and the canonicalized resource. What the embedded server's verifier rebuilds and what
 * the signing chapter shows.
 *
 * @module
 */

import { parseQuery, splitTarget } from "./sigv4.ts";

/**
 * Query parameters that are part of the SigV2 canonicalized resource (sub-resources and
 * response header overrides); every other parameter is left out.
 */
export const V2_SUBRESOURCES: ReadonlySet<string> = new Set([
  "accelerate",
  "acl",
  "cors",
  "delete",
  "encryption",
  "legal-hold",
  "lifecycle",
  "location",
  "logging",
  "notification",
  "object-lock",
  "partNumber",
  "policy",
  "policyStatus",
  "publicAccessBlock",
  "replication",
  "requestPayment",
  "response-cache-control",
  "response-content-disposition",
  "response-content-encoding",
  "response-content-language",
  "response-content-type",
  "response-expires",
  "restore",
  "retention",
  "select",
  "tagging",
  "torrent",
  "uploadId",
  "uploads",
  "versionId",
  "versioning",
  "versions",
  "website",
]);

/** The request parts a SigV2 string to sign covers. */
export interface V2Request {
  /** HTTP method. */
  method: string;
  /** The URL as received. */
  url: string;
  /** Request headers. */
  headers: Headers;
  /**
   * The bucket and key, and whether the bucket was named in the host: a virtual-host bucket
   * joins the resource (the key is in the path already).
   */
  address: { bucket?: string; key?: string; virtualHost: boolean };
}

/**
 * The SigV2 canonicalized resource: `/bucket` (virtual-host requests) + the raw path + the signed
 * sub-resources, sorted, with decoded values (`?acl`, `?partNumber=2&uploadId=x`).
 *
 * @param request The request.
 * @returns The canonicalized resource.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { canonicalResourceV2 } from "./sigv2.ts";
 *
 * const resource = canonicalResourceV2({
 *   method: "GET",
 *   url: "http://b.localhost:9000/k?acl&prefix=x",
 *   headers: new Headers(),
 *   address: { bucket: "b", key: "k", virtualHost: true },
 * });
 * assert.equal(resource, "/b/k?acl"); // prefix is not a sub-resource
 * ```
 */
export function canonicalResourceV2(request: V2Request): string {
  const target = splitTarget(request.url);
  const bucket = request.address.virtualHost && request.address.bucket !== undefined
    ? `/${request.address.bucket}`
    : "";
  const subresources = parseQuery(target.query)
    .filter(([name]) => V2_SUBRESOURCES.has(name))
    .sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)
    .map(([name, value]) => value === "" ? name : `${name}=${value}`);
  return `${bucket}${target.path}${subresources.length > 0 ? `?${subresources.join("&")}` : ""}`;
}

/**
 * The SigV2 canonicalized `x-amz-*` headers: lower-case names, sorted, `name:value\n` each.
 *
 * @param headers The request headers.
 * @returns The header block.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { canonicalAmzHeadersV2 } from "./sigv2.ts";
 *
 * const headers = new Headers({ "X-Amz-Meta-B": " 1 ", "x-amz-date": "d", "Content-Type": "t" });
 * assert.equal(canonicalAmzHeadersV2(headers), "x-amz-date:d\nx-amz-meta-b:1\n");
 * ```
 */
export function canonicalAmzHeadersV2(headers: Headers): string {
  const lines: string[] = [];
  for (const [name, value] of headers) {
    if (name.startsWith("x-amz-")) {
      lines.push(`${name}:${value.replace(/\s*\r?\n\s*/g, " ").trim()}\n`);
    }
  }
  return lines.sort().join("");
}

/**
 * The SigV2 string to sign.
 *
 * @param request The request.
 * @param date The date line: the `Date` header, `""` when `x-amz-date` is sent, or `Expires` for
 * query authentication.
 * @returns The string to sign.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { stringToSignV2 } from "./sigv2.ts";
 *
 * const text = stringToSignV2({
 *   method: "GET",
 *   url: "http://127.0.0.1:9000/b/k",
 *   headers: new Headers(),
 *   address: { bucket: "b", key: "k", virtualHost: false },
 * }, "1700000000");
 * assert.equal(text, "GET\n\n\n1700000000\n/b/k");
 * ```
 */
export function stringToSignV2(request: V2Request, date: string): string {
  return [
    request.method,
    request.headers.get("content-md5") ?? "",
    request.headers.get("content-type") ?? "",
    date,
    canonicalAmzHeadersV2(request.headers) + canonicalResourceV2(request),
  ].join("\n");
}
