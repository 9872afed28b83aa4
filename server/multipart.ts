/**
 * Multipart upload rules: part numbers, the completion list (ascending, existing parts with
 * matching ETags, every part but the last at least 5 MiB) and the ETag of the result
 * (`md5-of-md5s-N`).
 *
 * @module
 */

import { createHash } from "node:crypto";
import { checkListedChecksums } from "./checksums.ts";
import { S3Error } from "./errors.ts";
import type { PartRecord, UploadRecord } from "./storage/types.ts";
import { asArray, parseXml } from "./xml.ts";

/** Smallest size of every part but the last: 5 MiB. */
export const MIN_PART_SIZE = 5 * 1024 * 1024;
/** Highest part number. */
export const MAX_PART_NUMBER = 10_000;

/**
 * Reads the `partNumber` query parameter.
 *
 * @param value The parameter.
 * @returns The part number.
 * @throws {S3Error} `InvalidArgument` outside 1..10000.
 */
export function partNumber(value: string | null): number {
  const n = Number(value);
  if (value === null || !/^\d+$/.test(value) || n < 1 || n > MAX_PART_NUMBER) {
    throw new S3Error(
      "InvalidArgument",
      `Cannot use part number "${value}": it must be an integer from 1 to ${MAX_PART_NUMBER}`,
      { extra: { ArgumentName: "partNumber", ArgumentValue: String(value) } },
    );
  }
  return n;
}

/**
 * Computes a multipart object's ETag: the MD5 of the parts' binary MD5s, a dash, the count.
 *
 * @param parts The parts, in order.
 * @returns The ETag without quotes.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { createHash } from "node:crypto";
 * import { multipartEtag } from "./multipart.ts";
 *
 * const md5 = (text: string) => createHash("md5").update(text).digest("hex");
 * const part = (number: number, text: string) => ({
 *   number,
 *   etag: md5(text),
 *   size: text.length,
 *   lastModified: "2026-01-01T00:00:00.000Z",
 *   segment: { ref: `p${number}`, size: text.length },
 * });
 * const both = createHash("md5")
 *   .update(Buffer.from(md5("hello") + md5("world"), "hex"))
 *   .digest("hex");
 * assert.equal(multipartEtag([part(1, "hello"), part(2, "world")]), `${both}-2`);
 * ```
 */
export function multipartEtag(parts: readonly PartRecord[]): string {
  const hash = createHash("md5");
  for (const part of parts) hash.update(part.etag, "hex");
  return `${hash.digest("hex")}-${parts.length}`;
}

/**
 * The ETag an object completed from a `CompleteMultipartUpload` body would have, computed from
 * the ETags the body lists (not from stored parts): how a retried completion, whose upload is
 * gone, is recognised.
 *
 * @param text The XML body.
 * @returns The multipart ETag without quotes, or `undefined` when a listed ETag is not an MD5.
 * @throws {S3Error} `MalformedXML`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { listedEtag } from "./multipart.ts";
 *
 * const etag = listedEtag(
 *   "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber>" +
 *     '<ETag>"5d41402abc4b2a76b9719d911017c592"</ETag></Part></CompleteMultipartUpload>',
 * );
 * // The MD5 of the one binary MD5, then "-1".
 * assert.equal(etag, "62109206880d38a4010a98e11243924a-1");
 * ```
 */
export function listedEtag(text: string): string | undefined {
  const root = parseXml(text).CompleteMultipartUpload as Record<string, unknown> | undefined;
  if (!root || typeof root !== "object") throw new S3Error("MalformedXML");
  const listed = asArray(root.Part as Record<string, unknown> | Record<string, unknown>[]);
  if (listed.length === 0) throw new S3Error("MalformedXML");
  const etags = listed.map((item) => String(item.ETag ?? "").replace(/^"(.*)"$/, "$1"));
  if (!etags.every((etag) => /^[0-9a-f]{32}$/i.test(etag))) return undefined;
  const hash = createHash("md5");
  for (const etag of etags) hash.update(etag, "hex");
  return `${hash.digest("hex")}-${etags.length}`;
}

/**
 * Reads a `CompleteMultipartUpload` body and checks it against the upload.
 *
 * @param text The XML body.
 * @param upload The upload.
 * @returns The chosen parts, in order.
 * @throws {S3Error} `MalformedXML`, `InvalidPartOrder`, `InvalidPart` or `EntityTooSmall`; for
 *   an upload with a checksum, the errors of {@linkcode checkListedChecksums}.
 */
export function completionParts(text: string, upload: UploadRecord): PartRecord[] {
  const root = parseXml(text).CompleteMultipartUpload as Record<string, unknown> | undefined;
  if (!root || typeof root !== "object") throw new S3Error("MalformedXML");
  const listed = asArray(root.Part as Record<string, unknown> | Record<string, unknown>[]);
  if (listed.length === 0) throw new S3Error("MalformedXML");
  const parts: PartRecord[] = [];
  let previous = 0;
  for (const item of listed) {
    const number = Number(item.PartNumber);
    if (!Number.isInteger(number)) throw new S3Error("MalformedXML");
    if (number <= previous) throw new S3Error("InvalidPartOrder");
    previous = number;
    const part = upload.parts[number];
    const etag = String(item.ETag ?? "").replace(/^"(.*)"$/, "$1");
    if (!part || part.etag !== etag) throw new S3Error("InvalidPart");
    parts.push(part);
  }
  checkListedChecksums(upload, listed, parts);
  for (const part of parts.slice(0, -1)) {
    if (part.size < MIN_PART_SIZE) {
      throw new S3Error("EntityTooSmall", undefined, {
        extra: {
          ProposedSize: String(part.size),
          MinSizeAllowed: String(MIN_PART_SIZE),
          PartNumber: String(part.number),
        },
      });
    }
  }
  return parts;
}
