/**
 * Request authentication for the embedded server: decides who sent a request before it is
 * dispatched, and hands back the body to read (decoded and verified while it streams).
 *
 * CONTRACT (shared by the auth and server modules; keep the shapes stable):
 * - `authenticate()` throws an {@linkcode S3Error} when the request must be refused
 *   (`InvalidAccessKeyId`, `SignatureDoesNotMatch`, `AccessDenied` for expired presigns,
 *   `RequestTimeTooSkewed`, `AuthorizationHeaderMalformed`, ...).
 * - The returned `body` must be read instead of the raw one: for `aws-chunked` uploads it is the
 *   decoded payload; for signed payloads it verifies the SHA-256 as it streams. When verification
 *   fails the stream errors with an `S3Error` (`XAmzContentSHA256Mismatch`,
 *   `SignatureDoesNotMatch`, `IncompleteBody`) instead of closing, so storage discards what it
 *   wrote.
 *
 * @module
 */

import { S3Error } from "../errors.ts";
import type { Address, Principal, ServerUser } from "../types.ts";

/** A request as the server received it. */
export interface AuthRequest {
  /** HTTP method, upper case. */
  method: string;
  /**
   * The request URL exactly as received (`Request.url` from `Deno.serve`). Read its path from the
   * string: `new URL()` would remove `..` and `.` segments that are legal in object keys.
   */
  url: string;
  /** Request headers. */
  headers: Headers;
  /** The bucket and key the request names (SigV2 signs them in its canonical resource). */
  address: Address;
  /** The raw request body. */
  body: ReadableStream<Uint8Array> | null;
}

/** How requests are checked. */
export interface AuthOptions {
  /** Users and their key pairs. */
  users: readonly ServerUser[];
  /** The clock, injected for tests. @default () => new Date() */
  now?: () => Date;
  /** Largest accepted difference between request time and server time. @default 900_000 */
  maxSkewMs?: number;
}

/** The outcome of a successful authentication. */
export interface Authenticated {
  /** Who sent the request. */
  principal: Principal;
  /** The body to read: decoded and verified as it streams. `null` when there is none. */
  body: ReadableStream<Uint8Array> | null;
  /** Length of the decoded body when known (`x-amz-decoded-content-length` or Content-Length). */
  contentLength?: number;
}

/**
 * Decides who sent a request. (Placeholder: accepts anonymous requests only, until the signature
 * verifiers land.)
 *
 * @param request The request as received.
 * @param options Users and clock.
 * @returns The principal and the body to read.
 * @throws {S3Error} When the request carries credentials that cannot be accepted.
 */
export function authenticate(request: AuthRequest, options: AuthOptions): Promise<Authenticated> {
  void options;
  const signed = request.headers.has("authorization") ||
    /[?&](X-Amz-Signature|Signature)=/.test(request.url);
  if (signed) {
    return Promise.reject(new S3Error("NotImplemented", "Signed requests are not supported yet"));
  }
  const length = request.headers.get("content-length");
  return Promise.resolve({
    principal: { kind: "anonymous" },
    body: request.body,
    contentLength: length === null ? undefined : Number(length),
  });
}
