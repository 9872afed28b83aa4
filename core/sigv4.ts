/**
 * SigV4 canonical request and string to sign, built from a request exactly as sent: what the
 * embedded server's verifier rebuilds and what the signing chapter shows step by step.
 *
 * Why not `@smithy/signature-v4` here (evaluated, version 5.7): it is a signer, not a verifier.
 * Given a rebuilt request it decides itself what to sign: it drops `user-agent`, `expect`,
 * `date`... unless each is forced through `signableHeaders`, always adds its own `x-amz-date`
 * (a client that signed the `Date` header instead cannot be reproduced), takes the payload hash
 * from the body when the header is absent, and wants a decoded query map. Its path handling does
 * fit S3 (`uriEscapePath: false` keeps the path as sent, `..` included), but a verifier must
 * reproduce the client's canonical request byte for byte from `SignedHeaders`, and needs the
 * canonical request and string to sign as text anyway for `SignatureDoesNotMatch`. So the
 * canonicaliser is this small module of strings (it hashes nothing: callers hash with
 * `crypto.ts` or `web_crypto.ts`); the tests check it against AWS's
 * published vectors and against requests signed by `@smithy/signature-v4` and the AWS SDK.
 *
 * @module
 */

/**
 * Encodes as SigV4 wants: RFC 3986 unreserved characters kept, everything else `%XX`.
 *
 * @param text The text.
 * @returns The encoded text.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { uriEncode } from "./sigv4.ts";
 *
 * assert.equal(uriEncode("a b*(c)!'"), "a%20b%2A%28c%29%21%27");
 * ```
 */
export function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** The path and query string of a request URL, both as sent (still percent-encoded). */
export interface RawTarget {
  /** The path, e.g. `/bucket/a%20b`; `/` when empty. */
  path: string;
  /** The query string without `?`, `""` when absent. */
  query: string;
}

/**
 * Splits a request URL into its raw path and query without normalising anything (`new URL()`
 * would drop `..` and `.` segments, which are legal in S3 keys).
 *
 * @param url An absolute URL (`http://host/path?query`) or an origin-form target (`/path?query`).
 * @returns The raw path and query.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { splitTarget } from "./sigv4.ts";
 *
 * assert.deepEqual(splitTarget("http://h:1/b/../k?acl"), { path: "/b/../k", query: "acl" });
 * assert.deepEqual(splitTarget("/b/a%20b"), { path: "/b/a%20b", query: "" });
 * ```
 */
export function splitTarget(url: string): RawTarget {
  let rest = url;
  const scheme = rest.indexOf("://");
  if (scheme !== -1 && !rest.startsWith("/")) {
    const slash = rest.indexOf("/", scheme + 3);
    const question = rest.indexOf("?", scheme + 3);
    const start = slash === -1 ? question : question === -1 ? slash : Math.min(slash, question);
    rest = start === -1 ? "" : rest.slice(start);
  }
  const hash = rest.indexOf("#");
  if (hash !== -1) rest = rest.slice(0, hash);
  const q = rest.indexOf("?");
  const path = q === -1 ? rest : rest.slice(0, q);
  const query = q === -1 ? "" : rest.slice(q + 1);
  return { path: path === "" ? "/" : path.startsWith("/") ? path : `/${path}`, query };
}

/** Percent-decodes, leaving malformed escapes as they are. */
export function decodeComponent(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Parses a raw query string into decoded name/value pairs, in order (`acl` gives `["acl", ""]`).
 *
 * @param query The query string without `?`.
 * @returns The pairs.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseQuery } from "./sigv4.ts";
 *
 * assert.deepEqual(parseQuery("uploads&prefix=a%2Fb"), [["uploads", ""], ["prefix", "a/b"]]);
 * ```
 */
export function parseQuery(query: string): Array<[string, string]> {
  if (query === "") return [];
  return query.split("&").filter((part) => part !== "").map((part) => {
    const eq = part.indexOf("=");
    const name = eq === -1 ? part : part.slice(0, eq);
    const value = eq === -1 ? "" : part.slice(eq + 1);
    return [decodeComponent(name), decodeComponent(value)];
  });
}

/**
 * The SigV4 canonical query string: every pair encoded, sorted by name then value.
 *
 * @param pairs Decoded pairs from {@linkcode parseQuery}.
 * @param omit A parameter to leave out (`X-Amz-Signature` for presigned URLs).
 * @returns The canonical query string.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { canonicalQuery } from "./sigv4.ts";
 *
 * assert.equal(canonicalQuery([["b", "2"], ["a", ""]]), "a=&b=2");
 * assert.equal(canonicalQuery([["prefix", "a b"], ["X-Amz-Signature", "s"]], "X-Amz-Signature"), "prefix=a%20b");
 * ```
 */
export function canonicalQuery(pairs: Array<[string, string]>, omit?: string): string {
  const encoded = pairs
    .filter(([name]) => name !== omit)
    .map(([name, value]) => [uriEncode(name), uriEncode(value)]);
  encoded.sort(([an, av], [bn, bv]) => an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0);
  return encoded.map(([name, value]) => `${name}=${value}`).join("&");
}

/**
 * The SigV4 canonical headers block: one `name:value\n` line per signed header, value trimmed and
 * inner runs of spaces collapsed.
 *
 * @param headers The request headers.
 * @param signedHeaders Lower-case names from `SignedHeaders`, in their (sorted) order.
 * @returns The block, each line ending in `\n`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { canonicalHeaders } from "./sigv4.ts";
 *
 * const headers = new Headers({ host: "h", "x-amz-meta-a": "  one   two ", "x-amz-date": "d" });
 * assert.equal(canonicalHeaders(headers, ["host", "x-amz-meta-a"]), "host:h\nx-amz-meta-a:one two\n");
 * ```
 */
export function canonicalHeaders(headers: Headers, signedHeaders: readonly string[]): string {
  return signedHeaders.map((name) => {
    const value = (headers.get(name) ?? "").replace(/[ \t]+/g, " ").trim();
    return `${name}:${value}\n`;
  }).join("");
}

/** The parts of a SigV4 canonical request. */
export interface CanonicalRequestParts {
  /** HTTP method. */
  method: string;
  /** Raw path as sent. */
  path: string;
  /** Canonical query string. */
  query: string;
  /** Request headers. */
  headers: Headers;
  /** Lower-case signed header names, in order. */
  signedHeaders: readonly string[];
  /** Hex payload hash or a marker like `UNSIGNED-PAYLOAD`. */
  payloadHash: string;
}

/**
 * Builds a SigV4 canonical request. S3 signs the path as sent: it is not encoded again and not
 * normalised.
 *
 * @param parts The request parts.
 * @returns The canonical request text.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { canonicalRequest } from "./sigv4.ts";
 *
 * const text = canonicalRequest({
 *   method: "GET",
 *   path: "/",
 *   query: "",
 *   headers: new Headers({ host: "example.amazonaws.com" }),
 *   signedHeaders: ["host"],
 *   payloadHash: "UNSIGNED-PAYLOAD",
 * });
 * assert.equal(text, "GET\n/\n\nhost:example.amazonaws.com\n\nhost\nUNSIGNED-PAYLOAD");
 * ```
 */
export function canonicalRequest(parts: CanonicalRequestParts): string {
  return [
    parts.method,
    parts.path,
    parts.query,
    canonicalHeaders(parts.headers, parts.signedHeaders),
    parts.signedHeaders.join(";"),
    parts.payloadHash,
  ].join("\n");
}

/**
 * Builds a SigV4 string to sign.
 *
 * @param amzDate The request time, `YYYYMMDDTHHMMSSZ`.
 * @param scope The credential scope, `date/region/service/aws4_request`.
 * @param canonicalHash The canonical request's SHA-256, hex (the string's last line, as AWS's
 *   "HashedCanonicalRequest").
 * @returns The string to sign.
 * @throws {TypeError} When `canonicalHash` is not 64 lower-case hex digits (the canonical request
 *   itself, say).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { sha256Hex } from "./crypto.ts";
 * import { stringToSignV4 } from "./sigv4.ts";
 *
 * const canonical = "GET\n/\n\nhost:h\n\nhost\nUNSIGNED-PAYLOAD";
 * const hash = sha256Hex(canonical);
 * assert.equal(
 *   stringToSignV4("20150830T123600Z", "20150830/us-east-1/s3/aws4_request", hash),
 *   `AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/s3/aws4_request\n${hash}`,
 * );
 * assert.throws(() => stringToSignV4("20150830T123600Z", "s", canonical), TypeError);
 * ```
 */
export function stringToSignV4(amzDate: string, scope: string, canonicalHash: string): string {
  if (!/^[0-9a-f]{64}$/.test(canonicalHash)) {
    throw new TypeError(
      "stringToSignV4() takes the canonical request's SHA-256 in hex, not the request",
    );
  }
  return `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${canonicalHash}`;
}
