/**
 * Signature Version 2, the scheme boto 2 and s3cmd use: `Authorization: AWS AKID:signature` or
 * the query parameters `AWSAccessKeyId`, `Expires` and `Signature`. The signature is base64
 * HMAC-SHA1 over method, Content-MD5, Content-Type, date (or `Expires`), the `x-amz-*` headers
 * and the canonicalized resource.
 *
 * @module
 */

import { S3Error } from "../errors.ts";
import type { Address, ServerUser } from "../types.ts";
import { parseQuery, splitTarget } from "./canonical.ts";
import { checkSkew, findUser, parseHttpDate } from "./credential.ts";
import { signaturesEqual, signV2 } from "../../lib/_crypto.ts";

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
  /** Bucket and key; for virtual-host requests the bucket joins the resource. */
  address: Address;
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
 * import { canonicalResourceV2 } from "./sigv2.ts";
 * const resource = canonicalResourceV2({
 *   method: "GET",
 *   url: "http://b.localhost:9000/k?acl&prefix=x",
 *   headers: new Headers(),
 *   address: { bucket: "b", key: "k", virtualHost: true },
 * });
 * console.log(resource); // "/b/k?acl"
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
 * import { canonicalAmzHeadersV2 } from "./sigv2.ts";
 * console.log(canonicalAmzHeadersV2(new Headers({ "X-Amz-Meta-A": " 1 " }))); // "x-amz-meta-a:1\n"
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
 * import { stringToSignV2 } from "./sigv2.ts";
 * const text = stringToSignV2({
 *   method: "GET",
 *   url: "http://127.0.0.1:9000/b/k",
 *   headers: new Headers(),
 *   address: { bucket: "b", key: "k", virtualHost: false },
 * }, "1700000000");
 * console.log(text); // "GET\n\n\n1700000000\n/b/k"
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
 * ```ts ignore
 * import { verifyHeaderV2 } from "./sigv2.ts";
 * const user = verifyHeaderV2(request, { users, now: new Date(), maxSkewMs: 900_000 });
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
 * import { isQueryV2 } from "./sigv2.ts";
 * console.log(isQueryV2([["AWSAccessKeyId", "A"], ["Signature", "s"]])); // true
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
 * ```ts ignore
 * import { verifyQueryV2 } from "./sigv2.ts";
 * const user = verifyQueryV2(request, { users, now: new Date(), maxSkewMs: 900_000 });
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
