/**
 * Signature Version 2, the scheme boto 2 and s3cmd use: `Authorization: AWS AKID:signature` or
 * the query parameters `AWSAccessKeyId`, `Expires` and `Signature`. The signature is base64
 * HMAC-SHA1 over method, Content-MD5, Content-Type, date (or `Expires`), the `x-amz-*` headers
 * and the canonicalized resource.
 *
 * @module
 */

import { signaturesEqual, signV2 } from "../../core/crypto.ts";
import { parseQuery, splitTarget } from "../../core/sigv4.ts";
import { stringToSignV2, type V2Request } from "../../core/sigv2.ts";
import { S3Error } from "../errors.ts";
import type { ServerUser } from "../types.ts";
import { checkSkew, findUser, parseHttpDate } from "./credential.ts";

/** Options of the SigV2 verifiers. */
export interface VerifyV2Options {
  /** Users and their key pairs. */
  users: readonly ServerUser[];
  /** The server's time. */
  now: Date;
  /** Largest accepted clock difference (header authentication). */
  maxSkewMs: number;
}

function checkSignature(user: ServerUser, toSign: string, provided: string): void {
  if (!signaturesEqual(signV2(user.secretAccessKey, toSign), provided)) {
    throw new S3Error(
      "SignatureDoesNotMatch",
      "The request signature we calculated does not match the signature you provided: check " +
        "the secret key and compare the StringToSign below with the client's",
      { extra: { AWSAccessKeyId: user.accessKeyId, StringToSign: toSign } },
    );
  }
}

/**
 * Verifies `Authorization: AWS AKID:signature`.
 *
 * @param request The request.
 * @param options Users, server time and accepted skew.
 * @returns The signer.
 * @throws {S3Error} As RGW: `InvalidArgument` (400) for an unreadable header,
 * `InvalidAccessKeyId` (403), `AccessDenied` (403) without a readable date,
 * `RequestTimeTooSkewed` (403), `SignatureDoesNotMatch` (403).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { verifyHeaderV2 } from "./sigv2.ts";
 * import { S3Error } from "../errors.ts";
 *
 * // AWS's SigV2 example (GET /photos/puppy.jpg from bucket johnsmith, S3 Developer Guide).
 * const users = [{
 *   id: "example",
 *   displayName: "example",
 *   accessKeyId: "AKIAIOSFODNN7EXAMPLE",
 *   secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
 * }];
 * const request = {
 *   method: "GET",
 *   url: "/photos/puppy.jpg",
 *   headers: new Headers({
 *     host: "johnsmith.s3.amazonaws.com",
 *     date: "Tue, 27 Mar 2007 19:36:42 +0000",
 *     authorization: "AWS AKIAIOSFODNN7EXAMPLE:bWq2s1WEIj+Ydj0vQ697zp+IXMU=",
 *   }),
 *   address: { bucket: "johnsmith", key: "photos/puppy.jpg", virtualHost: true },
 * };
 * const now = new Date("2007-03-27T19:40:00Z");
 * assert.equal(verifyHeaderV2(request, { users, now, maxSkewMs: 900_000 }).id, "example");
 * request.headers.set("authorization", "AWS AKIAIOSFODNN7EXAMPLE:bWq2s1WEIj+Ydj0vQ697zp+IXMV=");
 * assert.throws(
 *   () => verifyHeaderV2(request, { users, now, maxSkewMs: 900_000 }),
 *   (e) => e instanceof S3Error && e.code === "SignatureDoesNotMatch",
 * );
 * ```
 */
export function verifyHeaderV2(request: V2Request, options: VerifyV2Options): ServerUser {
  const value = request.headers.get("authorization") ?? "";
  const m = /^AWS ([^:\s]+):(\S+)$/.exec(value.trim());
  if (m === null) {
    throw new S3Error(
      "InvalidArgument",
      'Cannot read the Authorization header: expected "AWS ACCESSKEY:signature"',
      { extra: { ArgumentName: "Authorization" } },
    );
  }
  const user = findUser(options.users, m[1]);
  const amzDate = request.headers.get("x-amz-date");
  const date = request.headers.get("date");
  const time = parseHttpDate(amzDate ?? date ?? "");
  if (time === undefined) {
    throw new S3Error(
      "AccessDenied",
      "AWS authentication requires a valid Date or x-amz-date header: none was readable",
    );
  }
  checkSkew(time, options.now, options.maxSkewMs);
  // With x-amz-date the date line is empty: the header is signed among the x-amz-* ones.
  checkSignature(user, stringToSignV2(request, amzDate !== null ? "" : date ?? ""), m[2]);
  return user;
}

/**
 * True when a query string carries SigV2 query authentication.
 *
 * @param pairs Decoded query pairs.
 * @returns Whether `AWSAccessKeyId` and `Signature` are present.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { isQueryV2 } from "./sigv2.ts";
 *
 * assert.equal(isQueryV2([["AWSAccessKeyId", "A"], ["Signature", "s"]]), true);
 * assert.equal(isQueryV2([["AWSAccessKeyId", "A"]]), false);
 * ```
 */
export function isQueryV2(pairs: Array<[string, string]>): boolean {
  return pairs.some(([n]) => n === "AWSAccessKeyId") && pairs.some(([n]) => n === "Signature");
}

/**
 * Verifies SigV2 query authentication (`AWSAccessKeyId`, `Expires`, `Signature`).
 *
 * @param request The request.
 * @param options Users and server time.
 * @returns The signer.
 * @throws {S3Error} As RGW: `AccessDenied` (403) for a missing or unreadable `Expires` and for an
 * expired URL, `InvalidAccessKeyId` (403), `SignatureDoesNotMatch` (403).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { signV2 } from "../../core/crypto.ts";
 * import { stringToSignV2 } from "../../core/sigv2.ts";
 * import { verifyQueryV2 } from "./sigv2.ts";
 * import { S3Error } from "../errors.ts";
 *
 * const user = {
 *   id: "example",
 *   displayName: "example",
 *   accessKeyId: "AKIAIOSFODNN7EXAMPLE",
 *   secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
 * };
 * const address = { bucket: "johnsmith", key: "photos/puppy.jpg", virtualHost: true };
 * const headers = new Headers({ host: "johnsmith.s3.amazonaws.com" });
 * const unsigned = { method: "GET", url: "/photos/puppy.jpg", headers, address };
 * const signature = signV2(user.secretAccessKey, stringToSignV2(unsigned, "1175139620"));
 * const url = "/photos/puppy.jpg?AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Expires=1175139620" +
 *   `&Signature=${encodeURIComponent(signature)}`;
 * const options = { users: [user], now: new Date("2007-03-28T00:00:00Z"), maxSkewMs: 900_000 };
 * assert.equal(verifyQueryV2({ ...unsigned, url }, options).id, "example");
 * assert.throws(
 *   () => verifyQueryV2({ ...unsigned, url }, { ...options, now: new Date("2007-03-30T00:00:00Z") }),
 *   (e) => e instanceof S3Error && e.code === "AccessDenied", // expired
 * );
 * ```
 */
export function verifyQueryV2(request: V2Request, options: VerifyV2Options): ServerUser {
  const pairs = parseQuery(splitTarget(request.url).query);
  const get = (name: string) => pairs.find(([n]) => n === name)?.[1];
  const expires = get("Expires") ?? "";
  if (!/^\d+$/.test(expires)) {
    throw new S3Error(
      "AccessDenied",
      `Cannot verify the signed URL: Expires must be a Unix time in seconds, got "${expires}"`,
      { extra: { ArgumentName: "Expires" } },
    );
  }
  const user = findUser(options.users, get("AWSAccessKeyId") ?? "");
  const expiresAt = Number(expires) * 1000;
  if (options.now.getTime() > expiresAt) {
    throw new S3Error(
      "AccessDenied",
      `Request has expired: the signed URL was valid until "${
        new Date(expiresAt).toISOString()
      }"; sign a new one`,
      {
        extra: {
          Expires: new Date(expiresAt).toISOString(),
          ServerTime: options.now.toISOString(),
        },
      },
    );
  }
  checkSignature(user, stringToSignV2(request, expires), get("Signature") ?? "");
  return user;
}
