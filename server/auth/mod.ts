/**
 * Request authentication for the embedded server: decides who sent a request before it is
 * dispatched, and hands back the body to read (decoded and verified while it streams).
 *
 * CONTRACT (shared by the auth and server modules; keep the shapes stable):
 * - `authenticate()` throws an {@linkcode S3Error} when the request must be refused
 *   (`InvalidAccessKeyId`, `SignatureDoesNotMatch`, `AccessDenied` for expired or future-dated
 *   presigns and for unsigned `host` / `x-amz-*` headers,
 *   `RequestTimeTooSkewed`, `InvalidArgument` for an unreadable Authorization header as RGW, ...).
 * - The returned `body` must be read instead of the raw one: for `aws-chunked` uploads it is the
 *   decoded payload; for signed payloads it verifies the SHA-256 as it streams. When verification
 *   fails the stream errors with an `S3Error` (`XAmzContentSHA256Mismatch`,
 *   `SignatureDoesNotMatch`, `IncompleteBody`) instead of closing, so storage discards what it
 *   wrote.
 *
 * One module per scheme: `sigv4.ts` (Authorization header), `presigned_v4.ts` (query),
 * `sigv2.ts` (header and query), `payload.ts` (signed payload hash), `chunked.ts` (aws-chunked
 * bodies), `v4_body.ts` (which of them a SigV4 request's payload mode needs),
 * `signed_headers.ts` (a SigV4 signature must cover `host` and every `x-amz-*` header sent);
 * `canonical.ts`, `credential.ts` and `signing.ts` hold the shared pieces (checksums:
 * `core/checksum.ts`).
 *
 * @module
 */

import { S3Error } from "../errors.ts";
import { parseQuery, splitTarget } from "../../core/sigv4.ts";
import { isPresignedV4, verifyPresignedV4 } from "./presigned_v4.ts";
import { isQueryV2, verifyHeaderV2, verifyQueryV2 } from "./sigv2.ts";
import { V4_ALGORITHM, verifyHeaderV4 } from "./sigv4.ts";
import { checkService } from "./credential.ts";
import type { Authenticated, AuthOptions, AuthRequest } from "./types.ts";
import { headerLength, v4Body } from "./v4_body.ts";
import type { ServerUser } from "../types.ts";
import { V2_REFUSED } from "../emulation.ts";

export type { Authenticated, AuthOptions, AuthRequest } from "./types.ts";

/** Default largest clock difference: 15 minutes, as S3 and RGW. */
export const DEFAULT_MAX_SKEW_MS = 900_000;

function userBody(request: AuthRequest, user: ServerUser): Authenticated {
  return {
    principal: { kind: "user", user },
    body: request.body,
    contentLength: headerLength(request.headers, "content-length"),
  };
}

/**
 * Decides who sent a request: SigV4 (header or presigned query), SigV2 (header or query), or
 * nobody (anonymous, then ACLs decide).
 *
 * @param request The request as received.
 * @param options Users and clock.
 * @returns The principal and the body to read.
 * @throws {S3Error} When the request carries credentials that cannot be accepted.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { authenticate } from "./mod.ts";
 * import { DEMO_USERS } from "../demo_users.ts";
 *
 * const auth = await authenticate(
 *   { method: "GET", url: "http://127.0.0.1:9000/", headers: new Headers(),
 *     address: { virtualHost: false }, body: null },
 *   { users: DEMO_USERS },
 * );
 * assert.equal(auth.principal.kind, "anonymous");
 * ```
 */
export function authenticate(request: AuthRequest, options: AuthOptions): Promise<Authenticated> {
  try {
    return Promise.resolve(authenticateNow(request, options));
  } catch (error) {
    return Promise.reject(error);
  }
}

function authenticateNow(request: AuthRequest, options: AuthOptions): Authenticated {
  const check = {
    users: options.users,
    now: (options.now ?? (() => new Date()))(),
    maxSkewMs: options.maxSkewMs ?? DEFAULT_MAX_SKEW_MS,
  };
  const authorization = request.headers.get("authorization");
  const pairs = parseQuery(splitTarget(request.url).query);
  const presignedV4 = isPresignedV4(pairs);
  const queryV2 = isQueryV2(pairs);
  if (authorization !== null && (presignedV4 || queryV2)) {
    // RGW answers 403 AccessDenied when a request carries both kinds of credentials.
    throw new S3Error(
      "AccessDenied",
      "Only one auth mechanism allowed: the request has both an Authorization header and a " +
        "signed query string; send one of them",
    );
  }
  if (authorization !== null) {
    if (authorization.startsWith(`${V4_ALGORITHM} `)) {
      const verified = verifyHeaderV4(request, check);
      checkService(verified.scope, false, options.service ?? "s3");
      return v4Body(request, verified);
    }
    if (authorization.startsWith("AWS ")) {
      if (options.signatureV2 === false) throw new S3Error("InvalidRequest", V2_REFUSED);
      return userBody(request, verifyHeaderV2(request, check));
    }
    throw new S3Error(
      "InvalidArgument",
      `Cannot read the Authorization header: unsupported scheme "${
        authorization.split(" ")[0]
      }"; use "${V4_ALGORITHM}" or "AWS"`,
      { extra: { ArgumentName: "Authorization" } },
    );
  }
  if (presignedV4) {
    const verified = verifyPresignedV4(request, check);
    checkService(verified.scope, true, options.service ?? "s3");
    return v4Body(request, verified);
  }
  if (queryV2) {
    if (options.signatureV2 === false) throw new S3Error("InvalidRequest", V2_REFUSED);
    return userBody(request, verifyQueryV2(request, check));
  }
  return {
    principal: { kind: "anonymous" },
    body: request.body,
    contentLength: headerLength(request.headers, "content-length"),
  };
}
