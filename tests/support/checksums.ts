/**
 * S3's checksums computed for tests without the project's own code (`core/checksum.ts`): CRC32
 * from `node:zlib`, CRC32C and CRC64NVME from tables made bit by bit from their polynomials, SHA
 * from `node:crypto`. Base64 of the big-endian digest, as S3 sends them.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { crc32 } from "node:zlib";

/** The algorithms, as S3 names them. */
export type Algorithm = "CRC32" | "CRC32C" | "CRC64NVME" | "SHA1" | "SHA256";

/** Every algorithm, in S3's order. */
export const ALGORITHMS: readonly Algorithm[] = ["CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"];

/** A reflected CRC, table-driven, the table made bit by bit from the polynomial (BigInt). */
function tableCrc(width: number, reflectedPoly: bigint): (data: Uint8Array) => bigint {
  const table: bigint[] = [];
  for (let n = 0n; n < 256n; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1n ? (c >> 1n) ^ reflectedPoly : c >> 1n;
    table.push(c);
  }
  const mask = (1n << BigInt(width)) - 1n;
  return (data) => {
    let crc = mask;
    for (const byte of data) crc = table[Number((crc ^ BigInt(byte)) & 0xffn)] ^ (crc >> 8n);
    return crc ^ mask;
  };
}

// Castagnoli 0x1EDC6F41 and NVM Express 0xAD93D23594C93659, bit-reversed.
const crc32c = tableCrc(32, 0x82f63b78n);
const crc64nvme = tableCrc(64, 0x9a6c9329ac4bc9b5n);

function b64(value: bigint, bytes: number): string {
  const out = new Uint8Array(bytes);
  for (let i = bytes - 1; i >= 0; i--, value >>= 8n) out[i] = Number(value & 0xffn);
  return btoa(String.fromCharCode(...out));
}

function compute(algorithm: Algorithm, data: Uint8Array): string {
  switch (algorithm) {
    case "CRC32":
      return b64(BigInt(crc32(data)), 4);
    case "CRC32C":
      return b64(crc32c(data), 4);
    case "CRC64NVME":
      return b64(crc64nvme(data), 8);
    case "SHA1":
      return createHash("sha1").update(data).digest("base64");
    case "SHA256":
      return createHash("sha256").update(data).digest("base64");
  }
}

const computed = new WeakMap<Uint8Array, Map<Algorithm, string>>();

/**
 * The checksum of some bytes, computed independently of the server (remembered per buffer: the
 * CRCs here are slow, about 2 s per 5 MiB).
 *
 * @param algorithm The algorithm.
 * @param data The bytes.
 * @returns The base64 value.
 */
export function expectedChecksum(algorithm: Algorithm, data: Uint8Array): string {
  const known = computed.get(data) ?? new Map<Algorithm, string>();
  computed.set(data, known);
  if (!known.has(algorithm)) known.set(algorithm, compute(algorithm, data));
  return known.get(algorithm)!;
}

/**
 * The composite checksum of a multipart object from its parts, computed independently.
 *
 * @param algorithm The algorithm.
 * @param parts The parts' bytes, in order.
 * @returns `base64-N`.
 */
export function expectedComposite(algorithm: Algorithm, parts: readonly Uint8Array[]): string {
  const joined = parts.flatMap((p) => [
    ...Uint8Array.from(atob(expectedChecksum(algorithm, p)), (c) => c.charCodeAt(0)),
  ]);
  return `${compute(algorithm, new Uint8Array(joined))}-${parts.length}`;
}
