/**
 * The pieces SigV4 header and presigned authentication share: the credential scope, the request
 * time and the user lookup.
 *
 * @module
 */

import { S3Error } from "../errors.ts";
import type { ServerUser } from "../types.ts";

/** A parsed SigV4 credential: `AKID/date/region/service/aws4_request`. */
export interface Credential {
  /** The access key id. */
  accessKeyId: string;
  /** Scope date, `YYYYMMDD`. */
  date: string;
  /** Scope region. */
  region: string;
  /** Scope service. */
  service: string;
  /** The scope string as signed: `date/region/service/aws4_request`. */
  scope: string;
}

/**
 * Parses a SigV4 credential. Like RGW, any region is accepted (the signature covers it); a
 * credential without five parts or without the `aws4_request` terminator is refused. The service
 * is checked once the signature is verified ({@linkcode checkService}).
 *
 * @param text The credential, e.g. `AKIDEXAMPLE/20150830/us-east-1/s3/aws4_request`.
 * @param malformed What to throw when it cannot be parsed.
 * @returns The credential.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseCredential } from "./credential.ts";
 * import { S3Error } from "../errors.ts";
 *
 * const c = parseCredential("AKID/20150830/us-east-1/s3/aws4_request", () =>
 *   new S3Error("InvalidArgument"));
 * assert.equal(c.region, "us-east-1");
 * assert.throws(
 *   () => parseCredential("AKID/20150830/us-east-1", () => new S3Error("InvalidArgument")),
 *   S3Error,
 * );
 * ```
 */
export function parseCredential(text: string, malformed: (why: string) => S3Error): Credential {
  const parts = text.split("/");
  if (parts.length !== 5 || parts.some((part) => part === "")) {
    throw malformed(
      `Cannot read the credential "${text}": expected "ACCESSKEY/YYYYMMDD/region/service/aws4_request"`,
    );
  }
  const [accessKeyId, date, region, service, terminator] = parts;
  if (terminator !== "aws4_request") {
    throw malformed(
      `Cannot read the credential "${text}": it must end with "aws4_request", got "${terminator}"`,
    );
  }
  if (!/^\d{8}$/.test(date)) {
    throw malformed(`Cannot read the credential "${text}": its date must be YYYYMMDD`);
  }
  return { accessKeyId, date, region, service, scope: `${date}/${region}/${service}/aws4_request` };
}

/**
 * Finds the user owning an access key id.
 *
 * @param users The server's users.
 * @param accessKeyId The key id the request names.
 * @returns The user.
 * @throws {S3Error} `InvalidAccessKeyId` (403) when no user has that key.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { findUser } from "./credential.ts";
 * import { DEMO_USERS } from "../demo_users.ts";
 * import { S3Error } from "../errors.ts";
 *
 * assert.equal(findUser(DEMO_USERS, "DEMOACCESSKEY").id, "demo");
 * assert.throws(() => findUser(DEMO_USERS, "NOBODY"), S3Error); // InvalidAccessKeyId
 * ```
 */
export function findUser(users: readonly ServerUser[], accessKeyId: string): ServerUser {
  const user = users.find((candidate) => candidate.accessKeyId === accessKeyId);
  if (user === undefined) {
    throw new S3Error(
      "InvalidAccessKeyId",
      `The access key id "${accessKeyId}" does not exist on this server: check the credentials`,
      { extra: { AWSAccessKeyId: accessKeyId } },
    );
  }
  return user;
}

/**
 * Parses a SigV4 basic ISO 8601 time, `YYYYMMDDTHHMMSSZ`.
 *
 * @param text The time text.
 * @returns The time, or `undefined` when the text is not in that form.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseAmzDate } from "./credential.ts";
 *
 * assert.equal(parseAmzDate("20150830T123600Z")?.toISOString(), "2015-08-30T12:36:00.000Z");
 * assert.equal(parseAmzDate("2015-08-30"), undefined);
 * ```
 */
export function parseAmzDate(text: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text.trim());
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number);
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/**
 * Formats a time as SigV4 basic ISO 8601, `YYYYMMDDTHHMMSSZ`.
 *
 * @param date The time.
 * @returns The formatted time.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatAmzDate } from "./credential.ts";
 *
 * assert.equal(formatAmzDate(new Date("2015-08-30T12:36:00Z")), "20150830T123600Z");
 * ```
 */
export function formatAmzDate(date: Date): string {
  return date.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

/**
 * Parses an HTTP date (`Date` header, RFC 7231; also accepts ISO basic `x-amz-date` form).
 *
 * @param text The header value.
 * @returns The time, or `undefined` when unreadable.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseHttpDate } from "./credential.ts";
 *
 * assert.equal(parseHttpDate("Sun, 30 Aug 2015 12:36:00 GMT")?.getTime(), 1440938160000);
 * ```
 */
export function parseHttpDate(text: string): Date | undefined {
  const amz = parseAmzDate(text);
  if (amz !== undefined) return amz;
  const time = Date.parse(text);
  return Number.isNaN(time) ? undefined : new Date(time);
}

/**
 * Refuses a request whose time is too far from the server's.
 *
 * @param requestTime When the client says it signed.
 * @param now The server's time.
 * @param maxSkewMs The largest accepted difference.
 * @throws {S3Error} `RequestTimeTooSkewed` (403).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkSkew } from "./credential.ts";
 * import { S3Error } from "../errors.ts";
 *
 * const now = new Date("2015-08-30T12:36:00Z");
 * checkSkew(new Date("2015-08-30T12:40:00Z"), now, 900_000); // 4 minutes: accepted
 * assert.throws(() => checkSkew(new Date("2015-08-30T13:00:00Z"), now, 900_000), S3Error);
 * ```
 */
export function checkSkew(requestTime: Date, now: Date, maxSkewMs: number): void {
  const skew = Math.abs(now.getTime() - requestTime.getTime());
  if (skew > maxSkewMs) {
    throw new S3Error(
      "RequestTimeTooSkewed",
      `The request time "${requestTime.toISOString()}" is ${
        Math.round(skew / 1000)
      } s away from the server time "${now.toISOString()}" (at most ${
        maxSkewMs / 1000
      } s allowed): fix the client clock`,
      {
        extra: {
          RequestTime: requestTime.toISOString(),
          ServerTime: now.toISOString(),
          MaxAllowedSkewMilliseconds: String(maxSkewMs),
        },
      },
    );
  }
}

/**
 * Refuses a SigV4 signature scoped to another service than the server's, as AWS does: a signature
 * for IAM or STS (which Ceph RGW serves on the same endpoint with the same keys, and RGW 16 accepts
 * as S3) is not one for S3.
 *
 * @param scope The verified credential scope, `date/region/service/aws4_request`.
 * @param presigned Whether it came from a presigned URL's `X-Amz-Credential`.
 * @param expected The server's service. @default "s3"
 * @throws {S3Error} `AuthorizationHeaderMalformed` (header) or `AuthorizationQueryParametersError`
 *   (presigned), naming the service.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkService } from "./credential.ts";
 *
 * checkService("20150830/us-east-1/s3/aws4_request", false);
 * assert.throws(
 *   () => checkService("20150830/us-east-1/iam/aws4_request", false),
 *   /incorrect service "iam"/,
 * );
 * ```
 */
export function checkService(scope: string, presigned: boolean, expected = "s3"): void {
  const service = scope.split("/")[2];
  if (service === expected) return;
  const why = `incorrect service "${service}". This endpoint belongs to "${expected}".`;
  throw presigned
    ? new S3Error(
      "AuthorizationQueryParametersError",
      `Error parsing the X-Amz-Credential parameter; ${why}`,
    )
    : new S3Error("AuthorizationHeaderMalformed", `The authorization header is malformed; ${why}`);
}
