/**
 * The body of a SigV4 request, by payload mode (`x-amz-content-sha256`): passed through, hashed
 * while it streams, or decoded from aws-chunked with its chunk signatures or trailer checked.
 *
 * @module
 */

import { S3Error } from "../errors.ts";
import type { Principal } from "../types.ts";
import { decodeAwsChunked } from "./chunked.ts";
import type { Authenticated, AuthRequest } from "./types.ts";
import { verifySha256 } from "./payload.ts";
import { EMPTY_SHA256 } from "../../core/crypto.ts";
import type { V4Verified } from "./sigv4.ts";

/**
 * Reads a non-negative integer header.
 *
 * @param headers The request headers.
 * @param name The header name.
 * @returns Its value, or `undefined` when absent or not a number.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { headerLength } from "./v4_body.ts";
 *
 * assert.equal(headerLength(new Headers({ "content-length": "12" }), "content-length"), 12);
 * assert.equal(headerLength(new Headers(), "content-length"), undefined);
 * ```
 */
export function headerLength(headers: Headers, name: string): number | undefined {
  const value = headers.get(name);
  if (value === null || !/^\s*\d+\s*$/.test(value)) return undefined;
  return Number(value);
}

/** The aws-chunked payload modes: signed chunks and/or a trailer. */
const STREAMING_MODES: Record<string, { signed: boolean; trailer: boolean }> = {
  "STREAMING-AWS4-HMAC-SHA256-PAYLOAD": { signed: true, trailer: false },
  "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER": { signed: true, trailer: true },
  "STREAMING-UNSIGNED-PAYLOAD-TRAILER": { signed: false, trailer: true },
};

function chunkedBody(
  request: AuthRequest,
  verified: V4Verified,
  principal: Principal,
): Authenticated {
  const mode = STREAMING_MODES[verified.payloadHash];
  if (mode === undefined) {
    throw new S3Error(
      "NotImplemented",
      `The payload mode "${verified.payloadHash}" is not supported: use ` +
        Object.keys(STREAMING_MODES).map((m) => `"${m}"`).join(", "),
    );
  }
  const decodedLength = headerLength(request.headers, "x-amz-decoded-content-length");
  if (request.body === null) {
    throw new S3Error(
      "IncompleteBody",
      `The payload mode "${verified.payloadHash}" announces an aws-chunked body, but the request has none`,
    );
  }
  const body = decodeAwsChunked(request.body, {
    signing: mode.signed
      ? {
        signingKey: verified.signingKey,
        amzDate: verified.amzDate,
        scope: verified.scope,
        seedSignature: verified.signature,
      }
      : undefined,
    trailer: mode.trailer,
    checksumHeader: request.headers.get("x-amz-trailer")?.trim() || undefined,
    decodedLength,
  });
  return { principal, body, contentLength: decodedLength };
}

/**
 * Chooses the body a SigV4 request's payload mode needs: passed through (`UNSIGNED-PAYLOAD`),
 * hashed as it streams (hex SHA-256) or decoded from aws-chunked (`STREAMING-*`).
 *
 * @param request The request as received.
 * @param verified The verified signature and its payload mode.
 * @returns The principal, the body to read and its decoded length.
 * @throws {S3Error} `IncompleteBody`, `NotImplemented` or `XAmzContentSHA256Mismatch` when the
 * payload mode cannot be honoured.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { sha256Hex } from "../../core/crypto.ts";
 * import { v4Body } from "./v4_body.ts";
 *
 * const user = { id: "u", displayName: "u", accessKeyId: "AK", secretAccessKey: "SK" };
 * const verified = {
 *   user,
 *   signingKey: new Uint8Array(32),
 *   signature: "0".repeat(64),
 *   amzDate: "20130524T000000Z",
 *   scope: "20130524/us-east-1/s3/aws4_request",
 *   payloadHash: sha256Hex("hello"), // the client signed this body's hash
 * };
 * const request = (text: string) => ({
 *   method: "PUT",
 *   url: "/b/k",
 *   headers: new Headers({ "content-length": String(text.length) }),
 *   address: { bucket: "b", key: "k", virtualHost: false },
 *   body: new Blob([text]).stream(),
 * });
 * const auth = v4Body(request("hello"), verified);
 * assert.equal(auth.principal.kind, "user");
 * assert.equal(await new Response(auth.body).text(), "hello");
 * // Another body of the same length fails as it is read: XAmzContentSHA256Mismatch.
 * await assert.rejects(new Response(v4Body(request("hellO"), verified).body).text());
 * ```
 */
export function v4Body(request: AuthRequest, verified: V4Verified): Authenticated {
  const principal: Principal = { kind: "user", user: verified.user };
  const contentLength = headerLength(request.headers, "content-length");
  const marker = verified.payloadHash;
  if (marker === "UNSIGNED-PAYLOAD") {
    return { principal, body: request.body, contentLength };
  }
  if (marker.startsWith("STREAMING-")) return chunkedBody(request, verified, principal);
  if (!/^[0-9a-f]{64}$/i.test(marker)) {
    // RGW accepts any value on requests without a body; with a body it cannot match.
    if (request.body === null) return { principal, body: null, contentLength };
    throw new S3Error(
      "XAmzContentSHA256Mismatch",
      `The x-amz-content-sha256 header "${marker}" is neither a hex SHA-256 nor a known ` +
        `payload mode (UNSIGNED-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, ` +
        `STREAMING-UNSIGNED-PAYLOAD-TRAILER)`,
    );
  }
  if (request.body === null) {
    if (marker.toLowerCase() !== EMPTY_SHA256 && (contentLength ?? 0) > 0) {
      throw new S3Error(
        "IncompleteBody",
        `The request has no body, but its Content-Length says ${contentLength} bytes`,
      );
    }
    return { principal, body: null, contentLength };
  }
  return { principal, body: verifySha256(request.body, marker), contentLength };
}
