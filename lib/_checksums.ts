/**
 * Checksums for uploads and downloads (`x-amz-checksum-*`), computed here with the shared
 * `core/checksum.ts` and sent as values, so the same bytes go out whatever the SDK's own
 * checksum setting (`requestChecksumCalculation`, which this library keeps at `WHEN_REQUIRED`
 * for services that predate checksums).
 *
 * @module
 */

import { open } from "node:fs/promises";
import {
  type ChecksumAlgorithm,
  checksumAlgorithm,
  checksumField,
  checksumOf,
  createChecksum,
} from "../core/checksum.ts";

export type { ChecksumAlgorithm };

/**
 * Checks an algorithm name given to an upload.
 *
 * @param algorithm The name.
 * @returns The algorithm, as S3 spells it.
 * @throws {RangeError} For a name S3 does not know.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { validateChecksum } from "./_checksums.ts";
 * assert.equal(validateChecksum("crc32c"), "CRC32C");
 * assert.throws(() => validateChecksum("md5"), RangeError);
 * ```
 */
export function validateChecksum(algorithm: string): ChecksumAlgorithm {
  const found = checksumAlgorithm(algorithm);
  if (found === undefined) {
    throw new RangeError(
      `Cannot use checksum "${algorithm}": use CRC32, CRC32C, CRC64NVME, SHA1 or SHA256`,
    );
  }
  return found;
}

/**
 * The SDK input field that carries a checksum value, with the value of some bytes.
 *
 * @param algorithm The algorithm.
 * @param bytes The bytes.
 * @returns E.g. `{ ChecksumCRC32: "y/Q5Jg==" }`, to spread into a command's input.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { checksumInput } from "./_checksums.ts";
 * assert.deepEqual(checksumInput("CRC32", new TextEncoder().encode("123456789")), {
 *   ChecksumCRC32: "y/Q5Jg==",
 * });
 * ```
 */
export function checksumInput(
  algorithm: ChecksumAlgorithm,
  bytes: Uint8Array,
): Record<string, string> {
  return { [checksumField(algorithm)]: checksumOf(algorithm, bytes) };
}

/**
 * The checksum of a file, read once in 1 MiB pieces.
 *
 * @param algorithm The algorithm.
 * @param path The file.
 * @returns The base64 value.
 */
export async function fileChecksum(
  algorithm: ChecksumAlgorithm,
  path: string | URL,
): Promise<string> {
  const sum = createChecksum(algorithm);
  const file = await open(path, "r");
  try {
    const buffer = new Uint8Array(1024 * 1024);
    for (;;) {
      const { bytesRead } = await file.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      sum.update(buffer.subarray(0, bytesRead));
    }
  } finally {
    await file.close();
  }
  return sum.digest();
}

/**
 * The checksum an answer carries (`ChecksumCRC32`... fields of an SDK output), if any.
 *
 * @param output An SDK output (PutObject, GetObject, HeadObject, CompleteMultipartUpload).
 * @returns The algorithm and value, or `undefined`.
 */
export function checksumOfOutput(
  output: object,
): { algorithm: ChecksumAlgorithm; value: string } | undefined {
  for (const [name, value] of Object.entries(output)) {
    const algorithm = name.startsWith("Checksum") && name !== "ChecksumType"
      ? checksumAlgorithm(name.slice("Checksum".length))
      : undefined;
    if (algorithm !== undefined && typeof value === "string") return { algorithm, value };
  }
  return undefined;
}
