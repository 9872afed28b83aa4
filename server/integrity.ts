/**
 * What a request says about its body's integrity, and the body checked against it as it
 * streams: an `x-amz-checksum-*` header (or the trailer `x-amz-trailer` announces) and
 * `Content-MD5`. A mismatch errors the stream with `400 BadDigest` at its end, so storage keeps
 * nothing. The rules and messages are AWS S3's (its answers as recorded in OpenStack Swift's
 * s3api tests and the AWS documentation, "Checking object integrity in Amazon S3").
 *
 * @module
 */

import { createHash } from "node:crypto";
import {
  algorithmOfHeader,
  CHECKSUM_ALGORITHMS,
  type ChecksumAlgorithm,
  checksumAlgorithm,
  checksumHeader,
  createChecksum,
  isChecksumValue,
} from "../core/checksum.ts";
import { lazyPipe } from "./auth/lazy_pipe.ts";
import { S3Error } from "./errors.ts";

/** The checksum a request carries for its body. */
export interface BodyChecksum {
  /** The algorithm. */
  algorithm: ChecksumAlgorithm;
  /** The value of its `x-amz-checksum-*` header; absent when it comes as a trailer. */
  declared?: string;
}

/** A checksum and its base64 value. */
export interface ChecksumValue {
  /** The algorithm. */
  algorithm: ChecksumAlgorithm;
  /** Base64 of the digest. */
  value: string;
}

function invalidRequest(message: string): S3Error {
  return new S3Error("InvalidRequest", message);
}

/**
 * The `BadDigest` S3 answers when a body's checksum differs from the one sent.
 *
 * @param algorithm The algorithm.
 * @returns The error.
 */
export function checksumMismatch(algorithm: ChecksumAlgorithm): S3Error {
  return new S3Error(
    "BadDigest",
    `The ${algorithm} you specified did not match the calculated checksum.`,
  );
}

/**
 * Reads the checksum a request declares for its body, checking the headers as S3 does before
 * any byte is read: one `x-amz-checksum-*` header at most (or one announced trailer), a value of
 * the algorithm's length, and an `x-amz-sdk-checksum-algorithm` that names the same algorithm.
 *
 * @param headers The request headers.
 * @returns The checksum, or `undefined` when the request declares none.
 * @throws {S3Error} `InvalidRequest` with S3's message for each of those mistakes.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { bodyChecksum } from "./integrity.ts";
 * const headers = new Headers({ "x-amz-checksum-crc32": "y/Q5Jg==" });
 * assert.deepEqual(bodyChecksum(headers), { algorithm: "CRC32", declared: "y/Q5Jg==" });
 * ```
 */
export function bodyChecksum(headers: Headers): BodyChecksum | undefined {
  const found: BodyChecksum[] = [];
  for (const algorithm of CHECKSUM_ALGORITHMS) {
    const value = headers.get(checksumHeader(algorithm));
    if (value === null) continue;
    const declared = value.trim();
    found.push({ algorithm, declared });
  }
  const trailer = headers.get("x-amz-trailer");
  const trailed = trailer === null ? undefined : algorithmOfHeader(trailer);
  if (found.length > 1) {
    throw invalidRequest(
      "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.",
    );
  }
  if (found.length === 1 && trailed !== undefined) {
    throw invalidRequest("Expecting a single x-amz-checksum- header");
  }
  const checksum = found[0] ?? (trailed === undefined ? undefined : { algorithm: trailed });
  if (checksum?.declared !== undefined && !isChecksumValue(checksum.algorithm, checksum.declared)) {
    throw invalidRequest(`Value for ${checksumHeader(checksum.algorithm)} header is invalid.`);
  }
  const sdk = headers.get("x-amz-sdk-checksum-algorithm");
  if (sdk !== null) {
    if (checksum === undefined) {
      throw invalidRequest(
        "x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or " +
          "x-amz-trailer headers were found.",
      );
    }
    if (checksumAlgorithm(sdk) !== checksum.algorithm) {
      throw invalidRequest("Value for x-amz-sdk-checksum-algorithm header is invalid.");
    }
  }
  return checksum;
}

/** A body being checked, and what was computed once it has been read. */
export interface CheckedBody {
  /** The body to read in place of the one given. */
  body: ReadableStream<Uint8Array> | null;
  /** The body's checksum, once the body has been read whole; `undefined` before, or without one. */
  checksum(): ChecksumValue | undefined;
}

/**
 * Wraps a body so that its checksum (and MD5, when given) is computed as it streams; at its end
 * the stream errors with `BadDigest` instead of closing when a declared value differs. A trailer
 * checksum is compared by the aws-chunked decoder before this stream ends; here it is computed,
 * to be stored.
 *
 * @param body The body (already decoded), or `null` for none (checked as empty at once).
 * @param checksum The declared checksum, if any.
 * @param md5 The `Content-MD5` to check, if any.
 * @returns The body to read and its computed checksum.
 * @throws {S3Error} `BadDigest` at once when there is no body and a declared value is not that
 *   of zero bytes.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkBody } from "./integrity.ts";
 * const checked = checkBody(new Blob(["123456789"]).stream(), { algorithm: "CRC32", declared: "y/Q5Jg==" });
 * assert.equal(await new Response(checked.body).text(), "123456789");
 * assert.deepEqual(checked.checksum(), { algorithm: "CRC32", value: "y/Q5Jg==" });
 * ```
 */
export function checkBody(
  body: ReadableStream<Uint8Array> | null,
  checksum: BodyChecksum | undefined,
  md5?: Uint8Array,
): CheckedBody {
  if (checksum === undefined && md5 === undefined) return { body, checksum: () => undefined };
  const sum = checksum && createChecksum(checksum.algorithm);
  const hash = md5 && createHash("md5");
  let result: ChecksumValue | undefined;
  const finish = () => {
    if (hash && !hash.digest().equals(md5!)) throw new S3Error("BadDigest");
    if (!sum) return;
    const value = sum.digest();
    if (checksum!.declared !== undefined && value !== checksum!.declared) {
      throw checksumMismatch(checksum!.algorithm);
    }
    result = { algorithm: checksum!.algorithm, value };
  };
  if (body === null) {
    finish();
    return { body, checksum: () => result };
  }
  // lazyPipe, not pipeThrough: nothing is read (no `100 Continue`) before the handler reads.
  const checked = lazyPipe(body, {
    transform(chunk, controller) {
      sum?.update(chunk);
      hash?.update(chunk);
      controller.enqueue(chunk);
    },
    flush: finish,
  });
  return { body: checked, checksum: () => result };
}

/**
 * Decodes a `Content-MD5` header.
 *
 * @param headers Request headers.
 * @returns The 16 digest bytes, or `undefined` without the header.
 * @throws {S3Error} `InvalidDigest` when it is not base64 of 16 bytes.
 */
export function contentMd5(headers: Headers): Uint8Array | undefined {
  const value = headers.get("content-md5");
  if (value === null) return undefined;
  let bytes: Uint8Array;
  try {
    bytes = Uint8Array.from(atob(value.trim()), (c) => c.charCodeAt(0));
  } catch {
    throw new S3Error("InvalidDigest");
  }
  if (bytes.length !== 16) throw new S3Error("InvalidDigest");
  return bytes;
}

/** Operations whose `x-amz-checksum-*` headers describe the object made, not the request body. */
const OBJECT_CHECKSUM_HEADERS: ReadonlySet<string> = new Set(["CompleteMultipartUpload"]);

/**
 * Operations that check `Content-MD5` themselves: uploads (storage hashes the body for the ETag
 * anyway) and DeleteObjects (after its permission check, as RGW orders them).
 */
const MD5_CHECKED_BY_HANDLER: ReadonlySet<string> = new Set([
  "PutObject",
  "UploadPart",
  "DeleteObjects",
]);

/** The integrity checks of one request: the body to read and what it declared. */
export interface RequestIntegrity extends CheckedBody {
  /** The checksum the request declared for its body (header or trailer). */
  declared?: BodyChecksum;
}

/**
 * Sets up the integrity checks of a request before its handler runs: the checksum headers are
 * read and checked now (a bad one is refused before any byte of the body is read), the body is
 * wrapped to be checked as the handler reads it.
 *
 * @param operation The S3 operation (routing table name).
 * @param headers The request headers.
 * @param body The body authentication handed over.
 * @returns The body to give the handler, and the checksum declared and computed.
 * @throws {S3Error} `InvalidRequest` for malformed checksum headers, `InvalidDigest` for a
 *   malformed Content-MD5.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { requestIntegrity } from "./integrity.ts";
 * const checks = requestIntegrity("PutObjectAcl", new Headers({ "content-md5": "AAAAAAAAAAAAAAAAAAAAAA==" }), new Blob(["x"]).stream());
 * await assert.rejects(new Response(checks.body).text());
 * ```
 */
export function requestIntegrity(
  operation: string,
  headers: Headers,
  body: ReadableStream<Uint8Array> | null,
): RequestIntegrity {
  const declared = OBJECT_CHECKSUM_HEADERS.has(operation) ? undefined : bodyChecksum(headers);
  const md5 = MD5_CHECKED_BY_HANDLER.has(operation) ? undefined : contentMd5(headers);
  return { ...checkBody(body, declared, md5), declared };
}
