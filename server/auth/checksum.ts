/**
 * Incremental checksums for the trailing `x-amz-checksum-*` header of aws-chunked uploads: CRC32
 * (`node:zlib`), CRC32C (table-driven here), SHA-1 and SHA-256 (`node:crypto`). Values are
 * base64 of the big-endian digest, as S3 sends them.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { crc32 } from "node:zlib";

/** An incremental checksum. */
export interface Checksum {
  /** Adds bytes. */
  update(data: Uint8Array): void;
  /** The base64 digest of everything added. */
  digest(): string;
}

const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crcBase64(value: number): string {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, value >>> 0);
  return btoa(String.fromCharCode(...bytes));
}

/**
 * Creates the incremental checksum a trailing header names.
 *
 * @param header The trailing header name, e.g. `x-amz-checksum-crc32`.
 * @returns The checksum, or `undefined` for an algorithm this server cannot compute (CRC64NVME).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { createChecksum } from "./checksum.ts";
 *
 * const sum = createChecksum("x-amz-checksum-crc32")!;
 * sum.update(new TextEncoder().encode("hello"));
 * assert.equal(sum.digest(), "NhCmhg==");
 * assert.equal(createChecksum("x-amz-checksum-nope"), undefined);
 * ```
 */
export function createChecksum(header: string): Checksum | undefined {
  switch (header.toLowerCase()) {
    case "x-amz-checksum-crc32": {
      let value = 0;
      return {
        update: (data) => {
          value = crc32(data, value);
        },
        digest: () => crcBase64(value),
      };
    }
    case "x-amz-checksum-crc32c": {
      let value = 0xffffffff;
      return {
        update: (data) => {
          for (let i = 0; i < data.length; i++) {
            value = CRC32C_TABLE[(value ^ data[i]) & 0xff] ^ (value >>> 8);
          }
        },
        digest: () => crcBase64(~value),
      };
    }
    case "x-amz-checksum-sha1":
    case "x-amz-checksum-sha256": {
      const hash = createHash(header.toLowerCase().endsWith("sha1") ? "sha1" : "sha256");
      return { update: (data) => void hash.update(data), digest: () => hash.digest("base64") };
    }
    default:
      return undefined;
  }
}
