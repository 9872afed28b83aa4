/**
 * Checksums on objects and multipart uploads, as AWS S3 documents them: what
 * CreateMultipartUpload may ask for (`x-amz-checksum-algorithm`, `x-amz-checksum-type`), what
 * each part must carry, the object's checksum made at completion (full-object: the parts' CRCs
 * combined; composite: a checksum of the parts' checksums, `-N`) and the headers that return it.
 * Messages are AWS's own (its answers recorded in OpenStack Swift's s3api tests and the AWS docs).
 *
 * @module
 */

import {
  CHECKSUM_ALGORITHMS,
  type ChecksumAlgorithm,
  checksumAlgorithm,
  checksumField,
  checksumHeader,
  type ChecksumType,
  compositeChecksum,
  fullObjectChecksum,
  isChecksumValue,
  isCrc,
} from "../core/checksum.ts";
import { S3Error } from "./errors.ts";
import type { BodyChecksum } from "./integrity.ts";
import { checksumMismatch } from "./integrity.ts";
import type { PartRecord, StoredChecksum, UploadRecord } from "./storage/types.ts";

function invalidRequest(message: string): S3Error {
  return new S3Error("InvalidRequest", message);
}

/**
 * Reads CreateMultipartUpload's checksum headers: the algorithm and how the object's checksum
 * is made (default: `COMPOSITE`, `FULL_OBJECT` for CRC64NVME, the only type it has).
 *
 * @param headers The request headers.
 * @returns The upload's checksum, or `undefined` when none is asked for.
 * @throws {S3Error} `InvalidRequest` for an unknown algorithm or type, a type without an
 *   algorithm, or a pair S3 does not make (FULL_OBJECT with SHA, COMPOSITE with CRC64NVME).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { uploadChecksum } from "./checksums.ts";
 * assert.deepEqual(
 *   uploadChecksum(new Headers({ "x-amz-checksum-algorithm": "crc64nvme" })),
 *   { algorithm: "CRC64NVME", type: "FULL_OBJECT" },
 * );
 * ```
 */
export function uploadChecksum(
  headers: Headers,
): { algorithm: ChecksumAlgorithm; type: ChecksumType } | undefined {
  const name = headers.get("x-amz-checksum-algorithm");
  const typeName = headers.get("x-amz-checksum-type");
  let type: ChecksumType | undefined;
  if (typeName !== null) {
    const upper = typeName.trim().toUpperCase();
    if (upper !== "COMPOSITE" && upper !== "FULL_OBJECT") {
      throw invalidRequest("Value for x-amz-checksum-type header is invalid.");
    }
    type = upper;
  }
  if (name === null) {
    if (type === undefined) return undefined;
    throw invalidRequest(
      "The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.",
    );
  }
  const algorithm = checksumAlgorithm(name);
  if (algorithm === undefined) {
    throw invalidRequest(
      "Checksum algorithm provided is unsupported. Please try again with any of the valid " +
        `types: [${CHECKSUM_ALGORITHMS.join(", ")}]`,
    );
  }
  type ??= algorithm === "CRC64NVME" ? "FULL_OBJECT" : "COMPOSITE";
  if (
    (type === "FULL_OBJECT" && !isCrc(algorithm)) ||
    (type === "COMPOSITE" && algorithm === "CRC64NVME")
  ) {
    throw invalidRequest(
      `The ${type} checksum type cannot be used with the ${algorithm.toLowerCase()} checksum ` +
        "algorithm.",
    );
  }
  return { algorithm, type };
}

/**
 * Checks, before its body is read, that a part carries the checksum its upload asked for.
 *
 * @param upload The upload.
 * @param declared The checksum the part's request declares.
 * @throws {S3Error} `InvalidRequest` "Checksum Type mismatch occurred…" as S3 answers.
 */
export function checkPartChecksum(upload: UploadRecord, declared: BodyChecksum | undefined): void {
  const wanted = upload.checksum?.algorithm;
  if (wanted === undefined || declared?.algorithm === wanted) return;
  throw invalidRequest(
    `Checksum Type mismatch occurred, expected checksum Type: ${wanted.toLowerCase()}, actual ` +
      `checksum Type: ${declared?.algorithm.toLowerCase() ?? "null"}`,
  );
}

/**
 * Checks the part checksums a CompleteMultipartUpload body lists against the stored ones.
 *
 * @param upload The upload.
 * @param listed The `<Part>` elements, in order.
 * @param parts The stored parts they name, in the same order.
 * @throws {S3Error} `InvalidArgument` for a malformed value, `InvalidPart` for one that differs,
 *   `InvalidRequest` when a composite upload's part has none.
 */
export function checkListedChecksums(
  upload: UploadRecord,
  listed: readonly Record<string, unknown>[],
  parts: readonly PartRecord[],
): void {
  const checksum = upload.checksum;
  if (checksum === undefined) return;
  const field = checksumField(checksum.algorithm);
  for (const [i, item] of listed.entries()) {
    const part = parts[i];
    const value = item[field];
    if (value === undefined || value === "") {
      if (checksum.type === "FULL_OBJECT") continue;
      throw invalidRequest(
        `The upload was created using a ${checksum.algorithm.toLowerCase()} checksum. The ` +
          "complete request must include the checksum for each part. It was missing for part " +
          `${part.number} in the request.`,
      );
    }
    const text = String(value).trim();
    if (!isChecksumValue(checksum.algorithm, text)) {
      throw new S3Error(
        "InvalidArgument",
        "Invalid Base64 or multiple checksums present in request",
        {
          extra: { ArgumentName: "Checksum", ArgumentValue: `${checksum.algorithm}:${text};` },
        },
      );
    }
    if (text !== part.checksum) {
      throw new S3Error(
        "InvalidPart",
        "One or more of the specified parts could not be found.  The part may not have been " +
          "uploaded, or the specified entity tag may not match the part's entity tag.",
        { extra: { UploadId: upload.id, PartNumber: String(part.number), ETag: part.etag } },
      );
    }
  }
}

/**
 * The checksum of a multipart object, made from its parts' at completion, checked against the
 * one the CompleteMultipartUpload request declares (`x-amz-checksum-*`), if any.
 *
 * @param upload The upload.
 * @param parts The parts, in order.
 * @param headers The completion request's headers.
 * @returns The object's checksum, or `undefined` for an upload without one.
 * @throws {S3Error} `BadDigest` when a declared value differs.
 */
export function completedChecksum(
  upload: UploadRecord,
  parts: readonly PartRecord[],
  headers: Headers,
): StoredChecksum | undefined {
  const checksum = upload.checksum;
  if (checksum === undefined) return undefined;
  const sums = parts.map((p) => p.checksum ?? "");
  const value = checksum.type === "COMPOSITE"
    ? compositeChecksum(checksum.algorithm, sums)
    : fullObjectChecksum(
      checksum.algorithm,
      parts.map((p) => ({ checksum: p.checksum!, size: p.size })),
    );
  const declared = headers.get(checksumHeader(checksum.algorithm))?.trim();
  if (declared !== undefined && declared !== value) throw checksumMismatch(checksum.algorithm);
  return { ...checksum, value };
}

/**
 * The response headers that return an object's checksum (PutObject's answer, and GetObject or
 * HeadObject with `x-amz-checksum-mode: ENABLED`).
 *
 * @param checksum The stored checksum.
 * @returns `x-amz-checksum-<algorithm>` and `x-amz-checksum-type`, or nothing without one.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { checksumHeaders } from "./checksums.ts";
 * assert.deepEqual(checksumHeaders({ algorithm: "CRC32", value: "y/Q5Jg==", type: "FULL_OBJECT" }), {
 *   "x-amz-checksum-crc32": "y/Q5Jg==",
 *   "x-amz-checksum-type": "FULL_OBJECT",
 * });
 * ```
 */
export function checksumHeaders(checksum: StoredChecksum | undefined): Record<string, string> {
  if (checksum === undefined) return {};
  return {
    [checksumHeader(checksum.algorithm)]: checksum.value,
    "x-amz-checksum-type": checksum.type,
  };
}

/**
 * The XML elements that carry a checksum (`<ChecksumCRC32>`… then `<ChecksumType>`), as the
 * CompleteMultipartUpload result and GetObjectAttributes put them.
 *
 * @param checksum The stored checksum.
 * @returns The elements, or none.
 */
export function checksumElements(
  checksum: StoredChecksum | undefined,
): Record<string, string> {
  if (checksum === undefined) return {};
  return { [checksumField(checksum.algorithm)]: checksum.value, ChecksumType: checksum.type };
}

/**
 * Tells whether a request asks for checksums back (`x-amz-checksum-mode: ENABLED`).
 *
 * @param headers The request headers.
 * @returns True when it does.
 */
export function checksumModeEnabled(headers: Headers): boolean {
  return headers.get("x-amz-checksum-mode")?.trim().toUpperCase() === "ENABLED";
}
