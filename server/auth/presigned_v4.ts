/**
 * SigV4 presigned URLs: the signature and its scope travel in the query string (`X-Amz-Algorithm`,
 * `X-Amz-Credential`, `X-Amz-Date`, `X-Amz-Expires`, `X-Amz-SignedHeaders`, `X-Amz-Signature`);
 * the payload is `UNSIGNED-PAYLOAD`.
 *
 * @module
 */

import { S3Error } from "../errors.ts";
import { canonicalQuery, parseQuery, splitTarget } from "../../core/sigv4.ts";
import { findUser, parseAmzDate, parseCredential } from "./credential.ts";
import { requireSignedHeaders } from "./signed_headers.ts";
import { V4_ALGORITHM, type V4Verified, verifyV4Signature } from "./sigv4.ts";
import type { VerifyV4Options } from "./sigv4.ts";

/** Longest presigned URL lifetime S3 accepts: 7 days, in seconds. */
export const MAX_PRESIGN_SECONDS = 604_800;

/** The payload hash a presigned request signs. */
export const UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";

// RGW answers 403 AccessDenied for every missing or invalid presigned parameter (AWS itself
// answers 400 AuthorizationQueryParametersError); an unreadable credential is 400 InvalidArgument
// as in the Authorization header.
function queryError(why: string, argument: string): S3Error {
  return new S3Error("AccessDenied", why, { extra: { ArgumentName: argument } });
}

/**
 * True when a query string carries SigV4 presigned parameters.
 *
 * @param pairs Decoded query pairs.
 * @returns Whether `X-Amz-Algorithm`, `X-Amz-Credential` or `X-Amz-Signature` is present.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { isPresignedV4 } from "./presigned_v4.ts";
 *
 * assert.equal(isPresignedV4([["X-Amz-Signature", "abc"]]), true);
 * assert.equal(isPresignedV4([["acl", ""]]), false);
 * ```
 */
export function isPresignedV4(pairs: Array<[string, string]>): boolean {
  return pairs.some(([name]) =>
    name === "X-Amz-Algorithm" || name === "X-Amz-Credential" || name === "X-Amz-Signature"
  );
}

/**
 * Verifies a SigV4 presigned request: parameters, lifetime (1..604800 s), expiry and signature.
 *
 * @param request Method, raw URL and headers as received.
 * @param options Users, server time and accepted skew. A URL dated later than now plus the skew
 * is refused, as AWS and MinIO refuse it (RGW 16 accepts it, and a URL dated ten years ahead
 * then stays valid for ten years).
 * @returns The signer and the signature details.
 * @throws {S3Error} As RGW: `AccessDenied` (403) for missing or invalid parameters (including
 * `X-Amz-Expires` outside 1..604800) and for an expired URL ("Request has expired"),
 * `InvalidArgument` (400) for an unreadable credential, `InvalidAccessKeyId` (403) and
 * `SignatureDoesNotMatch` (403); `AccessDenied` "Request is not valid yet" for a URL dated in the
 * future, and when `host` or an `x-amz-*` header sent is not signed.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { verifyPresignedV4 } from "./presigned_v4.ts";
 * import { S3Error } from "../errors.ts";
 *
 * // AWS's published presigned URL example (S3 API reference, "Authenticating Requests: Using
 * // Query Parameters"), valid for 86400 s from 2013-05-24T00:00:00Z.
 * const users = [{
 *   id: "example",
 *   displayName: "example",
 *   accessKeyId: "AKIAIOSFODNN7EXAMPLE",
 *   secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
 * }];
 * const request = {
 *   method: "GET",
 *   url: "/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256" +
 *     "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request" +
 *     "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host" +
 *     "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404",
 *   headers: new Headers({ host: "examplebucket.s3.amazonaws.com" }),
 * };
 * const v = verifyPresignedV4(request, {
 *   users,
 *   now: new Date("2013-05-24T01:00:00Z"),
 *   maxSkewMs: 900_000,
 * });
 * assert.equal(v.user.id, "example");
 * assert.throws(
 *   () => verifyPresignedV4(request, { users, now: new Date("2013-05-26T00:00:00Z"), maxSkewMs: 900_000 }),
 *   (e) => e instanceof S3Error && e.code === "AccessDenied", // expired
 * );
 * ```
 */
export function verifyPresignedV4(
  request: { method: string; url: string; headers: Headers },
  options: VerifyV4Options,
): V4Verified {
  const target = splitTarget(request.url);
  const pairs = parseQuery(target.query);
  const param = (name: string): string => {
    const found = pairs.find(([n]) => n === name);
    if (found === undefined || found[1] === "") {
      throw queryError(
        `Cannot verify the presigned URL: the query parameter "${name}" is missing`,
        name,
      );
    }
    return found[1];
  };
  const algorithm = param("X-Amz-Algorithm");
  if (algorithm !== V4_ALGORITHM) {
    throw queryError(
      `Cannot verify the presigned URL: X-Amz-Algorithm must be "${V4_ALGORITHM}", got "${algorithm}"`,
      "X-Amz-Algorithm",
    );
  }
  const credential = parseCredential(
    param("X-Amz-Credential"),
    (why) => new S3Error("InvalidArgument", why, { extra: { ArgumentName: "X-Amz-Credential" } }),
  );
  const amzDate = param("X-Amz-Date");
  const time = parseAmzDate(amzDate);
  if (time === undefined) {
    throw queryError(
      `Cannot verify the presigned URL: X-Amz-Date "${amzDate}" is not YYYYMMDDTHHMMSSZ`,
      "X-Amz-Date",
    );
  }
  const expiresText = param("X-Amz-Expires");
  const expires = /^\d+$/.test(expiresText) ? Number(expiresText) : NaN;
  if (!(expires >= 1 && expires <= MAX_PRESIGN_SECONDS)) {
    throw queryError(
      `Cannot verify the presigned URL: X-Amz-Expires must be 1 to ${MAX_PRESIGN_SECONDS} ` +
        `seconds (7 days), got "${expiresText}"`,
      "X-Amz-Expires",
    );
  }
  const signedHeaders = param("X-Amz-SignedHeaders").split(";").map((h) => h.toLowerCase());
  const signature = param("X-Amz-Signature").toLowerCase();
  const user = findUser(options.users, credential.accessKeyId);
  const now = options.now.getTime();
  if (time.getTime() > now + options.maxSkewMs) {
    throw new S3Error(
      "AccessDenied",
      `Request is not valid yet: the presigned URL is dated "${time.toISOString()}", later than ` +
        `the server time "${options.now.toISOString()}" plus ${options.maxSkewMs / 1000} s; ` +
        "presign it with a correct clock",
      { extra: { "X-Amz-Date": amzDate, ServerTime: options.now.toISOString() } },
    );
  }
  const expiresAt = time.getTime() + expires * 1000;
  if (now > expiresAt) {
    throw new S3Error(
      "AccessDenied",
      `Request has expired: the presigned URL was valid until "${
        new Date(expiresAt).toISOString()
      }"; presign a new one`,
      {
        extra: {
          "X-Amz-Expires": String(expires),
          Expires: new Date(expiresAt).toISOString(),
          ServerTime: options.now.toISOString(),
        },
      },
    );
  }
  requireSignedHeaders(request.headers, signedHeaders);
  const key = verifyV4Signature({
    user,
    credential,
    amzDate,
    method: request.method,
    path: target.path,
    query: canonicalQuery(pairs, "X-Amz-Signature"),
    headers: request.headers,
    signedHeaders,
    payloadHash: UNSIGNED_PAYLOAD,
    provided: signature,
  });
  return {
    user,
    signingKey: key,
    signature,
    amzDate,
    scope: credential.scope,
    payloadHash: UNSIGNED_PAYLOAD,
  };
}
