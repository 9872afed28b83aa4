/**
 * SigV4 in the `Authorization` header: `AWS4-HMAC-SHA256 Credential=..., SignedHeaders=...,
 * Signature=...`. Verifies the signature over the request as received; the payload itself is
 * checked later, as it streams (see `payload.ts` and `chunked.ts`).
 *
 * @module
 */

import { S3Error } from "../errors.ts";
import type { ServerUser } from "../types.ts";
import {
  canonicalQuery,
  canonicalRequest,
  parseQuery,
  splitTarget,
  stringToSignV4,
} from "../../core/sigv4.ts";
import {
  checkSkew,
  type Credential,
  findUser,
  formatAmzDate,
  parseAmzDate,
  parseCredential,
  parseHttpDate,
} from "./credential.ts";
import { requireSignedHeaders } from "./signed_headers.ts";
import { EMPTY_SHA256, sha256Hex, signaturesEqual, signingKey, signV4 } from "../../core/crypto.ts";

/** The prefix of a SigV4 `Authorization` header. */
export const V4_ALGORITHM = "AWS4-HMAC-SHA256";

/** What a verified SigV4 request leaves for checking its body. */
export interface V4Verified {
  /** The signer. */
  user: ServerUser;
  /** The derived signing key (chunk signatures use it). */
  signingKey: Uint8Array;
  /** The request signature: the seed of chunk signature chains. */
  signature: string;
  /** The signed request time, `YYYYMMDDTHHMMSSZ`. */
  amzDate: string;
  /** The credential scope. */
  scope: string;
  /** The payload hash or marker the client signed (`x-amz-content-sha256`). */
  payloadHash: string;
}

/** The fields of a SigV4 `Authorization` header. */
export interface V4Header {
  /** The credential. */
  credential: Credential;
  /** Lower-case signed header names in the order given. */
  signedHeaders: string[];
  /** The hex signature. */
  signature: string;
}

function malformed(why: string): S3Error {
  // RGW answers 400 InvalidArgument for every unreadable SigV4 Authorization header.
  return new S3Error("InvalidArgument", why, { extra: { ArgumentName: "Authorization" } });
}

/**
 * Parses a SigV4 `Authorization` header.
 *
 * @param value The header value.
 * @returns The credential, signed headers and signature.
 * @throws {S3Error} `InvalidArgument` (400, as RGW) when a part is missing or unreadable.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseV4Header } from "./sigv4.ts";
 *
 * const h = parseV4Header(
 *   "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/s3/aws4_request, " +
 *     `SignedHeaders=host;x-amz-date, Signature=${"ab".repeat(32)}`,
 * );
 * assert.deepEqual(h.signedHeaders, ["host", "x-amz-date"]);
 * ```
 */
export function parseV4Header(value: string): V4Header {
  const rest = value.slice(V4_ALGORITHM.length).trim();
  const fields = new Map<string, string>();
  for (const part of rest.split(",")) {
    const eq = part.indexOf("=");
    if (eq === -1) continue;
    fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  for (const name of ["Credential", "SignedHeaders", "Signature"]) {
    if (!fields.get(name)) {
      throw malformed(
        `Cannot read the Authorization header: its "${name}=" part is missing; expected ` +
          `"AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=..."`,
      );
    }
  }
  const signature = fields.get("Signature")!;
  if (!/^[0-9a-f]{64}$/i.test(signature)) {
    throw malformed(
      "Cannot read the Authorization header: its Signature must be 64 hex characters",
    );
  }
  return {
    credential: parseCredential(fields.get("Credential")!, malformed),
    signedHeaders: fields.get("SignedHeaders")!.split(";").map((name) => name.trim().toLowerCase()),
    signature: signature.toLowerCase(),
  };
}

/** What `verifyV4Signature` needs besides the request. */
export interface V4Check {
  /** The signer. */
  user: ServerUser;
  /** The credential from the header or query. */
  credential: Credential;
  /** The signed request time, `YYYYMMDDTHHMMSSZ`. */
  amzDate: string;
  /** HTTP method. */
  method: string;
  /** Raw path. */
  path: string;
  /** Canonical query string. */
  query: string;
  /** Request headers. */
  headers: Headers;
  /** Signed header names. */
  signedHeaders: string[];
  /** Payload hash or marker. */
  payloadHash: string;
  /** The signature the client sent. */
  provided: string;
}

/**
 * Recomputes a SigV4 signature and compares it in constant time with the one provided.
 *
 * @param check The request parts and the signer.
 * @returns The signing key.
 * @throws {S3Error} `SignatureDoesNotMatch` (403) carrying `StringToSign` and `CanonicalRequest`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { EMPTY_SHA256 } from "../../core/crypto.ts";
 * import { parseV4Header, verifyV4Signature } from "./sigv4.ts";
 * import { S3Error } from "../errors.ts";
 *
 * // AWS's published example (GET Object with a range, S3 API reference).
 * const user = {
 *   id: "example",
 *   displayName: "example",
 *   accessKeyId: "AKIAIOSFODNN7EXAMPLE",
 *   secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
 * };
 * const { credential, signedHeaders, signature } = parseV4Header(
 *   "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, " +
 *     "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, " +
 *     "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
 * );
 * const check = {
 *   user,
 *   credential,
 *   amzDate: "20130524T000000Z",
 *   method: "GET",
 *   path: "/test.txt",
 *   query: "",
 *   headers: new Headers({
 *     host: "examplebucket.s3.amazonaws.com",
 *     range: "bytes=0-9",
 *     "x-amz-content-sha256": EMPTY_SHA256,
 *     "x-amz-date": "20130524T000000Z",
 *   }),
 *   signedHeaders,
 *   payloadHash: EMPTY_SHA256,
 *   provided: signature,
 * };
 * assert.equal(verifyV4Signature(check).length, 32); // the signing key
 * assert.throws(
 *   () => verifyV4Signature({ ...check, path: "/test.txT" }),
 *   (e) => e instanceof S3Error && e.code === "SignatureDoesNotMatch",
 * );
 * ```
 */
export function verifyV4Signature(check: V4Check): Uint8Array {
  const canonical = canonicalRequest(check);
  const toSign = stringToSignV4(check.amzDate, check.credential.scope, sha256Hex(canonical));
  const { date, region, service } = check.credential;
  const key = signingKey(check.user.secretAccessKey, date, region, service);
  const expected = signV4(key, toSign);
  const sameDay = check.amzDate.slice(0, 8) === date;
  if (!sameDay || !signaturesEqual(expected, check.provided)) {
    throw new S3Error(
      "SignatureDoesNotMatch",
      sameDay
        ? "The request signature we calculated does not match the signature you provided: " +
          "check the secret key and compare the CanonicalRequest and StringToSign below with " +
          "the client's"
        : `The credential date "${date}" is not the day of the request time "${check.amzDate}": ` +
          "sign with the scope of the request's own date",
      {
        extra: {
          AWSAccessKeyId: check.credential.accessKeyId,
          StringToSign: toSign,
          CanonicalRequest: canonical,
        },
      },
    );
  }
  return key;
}

/** Options of {@linkcode verifyHeaderV4}. */
export interface VerifyV4Options {
  /** Users and their key pairs. */
  users: readonly ServerUser[];
  /** The server's time. */
  now: Date;
  /** Largest accepted clock difference. */
  maxSkewMs: number;
}

/**
 * Verifies a request signed with SigV4 in its `Authorization` header.
 *
 * @param request Method, raw URL and headers as received.
 * @param options Users, server time and accepted skew.
 * @returns The signer and what the body check needs.
 * @throws {S3Error} `InvalidArgument`, `InvalidAccessKeyId`, `AccessDenied` (no date),
 * `RequestTimeTooSkewed` or `SignatureDoesNotMatch`, as RGW answers them; `AccessDenied` when
 * `host` or an `x-amz-*` header sent is not signed, as AWS answers it (RGW 16 accepts those).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { EMPTY_SHA256 } from "../../core/crypto.ts";
 * import { verifyHeaderV4 } from "./sigv4.ts";
 * import { S3Error } from "../errors.ts";
 *
 * // AWS's published example (GET Object with a range, S3 API reference).
 * const users = [{
 *   id: "example",
 *   displayName: "example",
 *   accessKeyId: "AKIAIOSFODNN7EXAMPLE",
 *   secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
 * }];
 * const request = {
 *   method: "GET",
 *   url: "/test.txt",
 *   headers: new Headers({
 *     host: "examplebucket.s3.amazonaws.com",
 *     range: "bytes=0-9",
 *     "x-amz-content-sha256": EMPTY_SHA256,
 *     "x-amz-date": "20130524T000000Z",
 *     authorization: "AWS4-HMAC-SHA256 " +
 *       "Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, " +
 *       "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, " +
 *       "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
 *   }),
 * };
 * const now = new Date("2013-05-24T00:05:00Z");
 * const v = verifyHeaderV4(request, { users, now, maxSkewMs: 900_000 });
 * assert.equal(v.user.id, "example");
 * assert.equal(v.scope, "20130524/us-east-1/s3/aws4_request");
 * assert.throws(
 *   () => verifyHeaderV4(request, { users, now: new Date("2013-05-24T01:00:00Z"), maxSkewMs: 900_000 }),
 *   (e) => e instanceof S3Error && e.code === "RequestTimeTooSkewed",
 * );
 * ```
 */
export function verifyHeaderV4(
  request: { method: string; url: string; headers: Headers },
  options: VerifyV4Options,
): V4Verified {
  const header = parseV4Header(request.headers.get("authorization") ?? "");
  const user = findUser(options.users, header.credential.accessKeyId);
  const amzDateHeader = request.headers.get("x-amz-date");
  const dateHeader = request.headers.get("date");
  const time = amzDateHeader !== null
    ? parseAmzDate(amzDateHeader)
    : dateHeader !== null
    ? parseHttpDate(dateHeader)
    : undefined;
  if (time === undefined) {
    throw new S3Error(
      "AccessDenied",
      "AWS authentication requires a valid Date or x-amz-date header: none was readable",
    );
  }
  checkSkew(time, options.now, options.maxSkewMs);
  requireSignedHeaders(request.headers, header.signedHeaders);
  // Without x-amz-content-sha256 RGW (and the signers) use the hash of an empty payload.
  const payloadHash = request.headers.get("x-amz-content-sha256")?.trim() ?? EMPTY_SHA256;
  const target = splitTarget(request.url);
  const amzDate = amzDateHeader?.trim() ?? formatAmzDate(time);
  const key = verifyV4Signature({
    user,
    credential: header.credential,
    amzDate,
    method: request.method,
    path: target.path,
    query: canonicalQuery(parseQuery(target.query)),
    headers: request.headers,
    signedHeaders: header.signedHeaders,
    payloadHash,
    provided: header.signature,
  });
  return {
    user,
    signingKey: key,
    signature: header.signature,
    amzDate,
    scope: header.credential.scope,
    payloadHash,
  };
}
