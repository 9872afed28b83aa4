/**
 * The checksums S3 takes with an upload (`x-amz-checksum-*`): CRC32 (`node:zlib`), CRC32C and
 * CRC64NVME (table-driven here), SHA-1 and SHA-256 (`node:crypto`), each incremental. Values are
 * base64 of the big-endian digest, as S3 sends them. Also how a multipart object's checksum is
 * made from its parts' (full-object: the CRCs combined; composite: a checksum of the checksums,
 * then `-N`).
 *
 * A leaf module: it imports nothing of the project, so the library and the server share it.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { crc32 } from "node:zlib";

/** A checksum algorithm S3 takes (`x-amz-checksum-algorithm`). */
export type ChecksumAlgorithm = "CRC32" | "CRC32C" | "CRC64NVME" | "SHA1" | "SHA256";

/** The algorithms S3 names, in the order S3 lists them. */
export const CHECKSUM_ALGORITHMS: readonly ChecksumAlgorithm[] = [
  "CRC32",
  "CRC32C",
  "CRC64NVME",
  "SHA1",
  "SHA256",
];

/** How a multipart object's checksum is made: from the whole object, or from its parts' sums. */
export type ChecksumType = "FULL_OBJECT" | "COMPOSITE";

/** An incremental checksum. */
export interface Checksum {
  /** Adds bytes. */
  update(data: Uint8Array): void;
  /** The base64 digest of everything added. */
  digest(): string;
}

/** Digest length in bytes of each algorithm. */
export const DIGEST_BYTES: Readonly<Record<ChecksumAlgorithm, number>> = {
  CRC32: 4,
  CRC32C: 4,
  CRC64NVME: 8,
  SHA1: 20,
  SHA256: 32,
};

/**
 * Reads an algorithm name as S3 spells it, in any case.
 *
 * @param name E.g. `crc32c` or `SHA256`.
 * @returns The algorithm, or `undefined` for a name S3 does not know.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { checksumAlgorithm } from "./checksum.ts";
 * assert.equal(checksumAlgorithm("crc64nvme"), "CRC64NVME");
 * assert.equal(checksumAlgorithm("md5"), undefined);
 * ```
 */
export function checksumAlgorithm(name: string): ChecksumAlgorithm | undefined {
  const upper = name.trim().toUpperCase();
  return CHECKSUM_ALGORITHMS.find((a) => a === upper);
}

/**
 * The request and response header that carries an algorithm's value.
 *
 * @param algorithm The algorithm.
 * @returns E.g. `x-amz-checksum-crc32`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { checksumHeader } from "./checksum.ts";
 * assert.equal(checksumHeader("SHA256"), "x-amz-checksum-sha256");
 * ```
 */
export function checksumHeader(algorithm: ChecksumAlgorithm): string {
  return `x-amz-checksum-${algorithm.toLowerCase()}`;
}

/**
 * The algorithm an `x-amz-checksum-*` header name stands for.
 *
 * @param header A header name, any case.
 * @returns The algorithm, or `undefined` when the name is not one of S3's checksum headers.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { algorithmOfHeader } from "./checksum.ts";
 * assert.equal(algorithmOfHeader("X-Amz-Checksum-CRC32C"), "CRC32C");
 * assert.equal(algorithmOfHeader("x-amz-checksum-mode"), undefined);
 * ```
 */
export function algorithmOfHeader(header: string): ChecksumAlgorithm | undefined {
  const name = header.trim().toLowerCase();
  return CHECKSUM_ALGORITHMS.find((a) => checksumHeader(a) === name);
}

/**
 * The field name of an algorithm in S3's XML and the SDK's shapes.
 *
 * @param algorithm The algorithm.
 * @returns E.g. `ChecksumCRC32C`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { checksumField } from "./checksum.ts";
 * assert.equal(checksumField("CRC64NVME"), "ChecksumCRC64NVME");
 * ```
 */
export function checksumField(algorithm: ChecksumAlgorithm): `Checksum${ChecksumAlgorithm}` {
  return `Checksum${algorithm}`;
}

/** A reflected CRC: its width and polynomial (bit-reversed), with init and xorout all ones. */
interface CrcSpec {
  width: 32 | 64;
  /** The reflected polynomial. */
  poly: bigint;
}

/** The checksums that are CRCs (they combine, part by part, into a full-object sum). */
export type CrcAlgorithm = "CRC32" | "CRC32C" | "CRC64NVME";

const CRC_SPECS: Readonly<Record<CrcAlgorithm, CrcSpec>> = {
  CRC32: { width: 32, poly: 0xedb88320n },
  CRC32C: { width: 32, poly: 0x82f63b78n },
  CRC64NVME: { width: 64, poly: 0x9a6c9329ac4bc9b5n },
};

/**
 * Tells whether an algorithm is a CRC (the ones a full-object multipart checksum exists for).
 *
 * @param algorithm The algorithm.
 * @returns True for CRC32, CRC32C and CRC64NVME.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { isCrc } from "./checksum.ts";
 * assert.equal(isCrc("CRC32C"), true);
 * assert.equal(isCrc("SHA1"), false);
 * ```
 */
export function isCrc(algorithm: ChecksumAlgorithm): algorithm is CrcAlgorithm {
  return Object.hasOwn(CRC_SPECS, algorithm);
}

/**
 * CRC32C's tables for slicing by 8 (8 bytes a step): `table[k * 256 + n]` is the CRC of byte
 * `n` followed by `k` zero bytes. Measured here (64 MiB in 1 MiB pieces, a quiet machine): 0.39
 * GiB/s a byte at a time, 1.0 GiB/s sliced.
 */
const CRC32C_TABLES = (() => {
  const table = new Uint32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  for (let k = 1; k < 8; k++) {
    for (let n = 0; n < 256; n++) {
      const prev = table[(k - 1) * 256 + n];
      table[k * 256 + n] = (prev >>> 8) ^ table[prev & 0xff];
    }
  }
  return table;
})();

/** CRC32C over `data`, continuing from `crc` (the running, not yet inverted, value). */
function crc32cUpdate(crc: number, data: Uint8Array): number {
  const t = CRC32C_TABLES;
  let c = crc;
  let i = 0;
  const end8 = data.length - (data.length % 8);
  for (; i < end8; i += 8) {
    const lo = c ^ (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24));
    c = t[1792 + (lo & 0xff)] ^ t[1536 + ((lo >>> 8) & 0xff)] ^ t[1280 + ((lo >>> 16) & 0xff)] ^
      t[1024 + (lo >>> 24)] ^ t[768 + data[i + 4]] ^ t[512 + data[i + 5]] ^ t[256 + data[i + 6]] ^
      t[data[i + 7]];
  }
  for (; i < data.length; i++) c = t[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return c >>> 0;
}

/**
 * CRC64NVME's tables for slicing by 8, each entry as two halves (high and low 32 bits) so the
 * loop stays on small integers. Measured as CRC32C's: 0.38 GiB/s a byte at a time, 0.7 GiB/s
 * sliced.
 */
const CRC64_TABLES = (() => {
  const hi = new Uint32Array(8 * 256);
  const lo = new Uint32Array(8 * 256);
  const poly = CRC_SPECS.CRC64NVME.poly;
  const full: bigint[] = [];
  for (let n = 0; n < 256; n++) {
    let c = BigInt(n);
    for (let k = 0; k < 8; k++) c = c & 1n ? poly ^ (c >> 1n) : c >> 1n;
    full.push(c);
  }
  for (let k = 1; k < 8; k++) {
    for (let n = 0; n < 256; n++) {
      const prev = full[(k - 1) * 256 + n];
      full.push((prev >> 8n) ^ full[Number(prev & 0xffn)]);
    }
  }
  for (const [i, value] of full.entries()) {
    hi[i] = Number(value >> 32n);
    lo[i] = Number(value & 0xffffffffn);
  }
  return { hi, lo };
})();

/** CRC64NVME over `data`, continuing from the running value's two halves. */
function crc64Update(state: { hi: number; lo: number }, data: Uint8Array): void {
  const { hi: th, lo: tl } = CRC64_TABLES;
  let h = state.hi;
  let l = state.lo;
  let i = 0;
  const end8 = data.length - (data.length % 8);
  for (; i < end8; i += 8) {
    const a = l ^ (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24));
    const b = h ^ (data[i + 4] | (data[i + 5] << 8) | (data[i + 6] << 16) | (data[i + 7] << 24));
    const i0 = 1792 + (a & 0xff);
    const i1 = 1536 + ((a >>> 8) & 0xff);
    const i2 = 1280 + ((a >>> 16) & 0xff);
    const i3 = 1024 + (a >>> 24);
    const i4 = 768 + (b & 0xff);
    const i5 = 512 + ((b >>> 8) & 0xff);
    const i6 = 256 + ((b >>> 16) & 0xff);
    const i7 = b >>> 24;
    l = tl[i0] ^ tl[i1] ^ tl[i2] ^ tl[i3] ^ tl[i4] ^ tl[i5] ^ tl[i6] ^ tl[i7];
    h = th[i0] ^ th[i1] ^ th[i2] ^ th[i3] ^ th[i4] ^ th[i5] ^ th[i6] ^ th[i7];
  }
  for (; i < data.length; i++) {
    const index = (l ^ data[i]) & 0xff;
    l = ((l >>> 8) | (h << 24)) ^ tl[index];
    h = (h >>> 8) ^ th[index];
  }
  state.hi = h >>> 0;
  state.lo = l >>> 0;
}

function toBase64(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text);
}

function fromBase64(value: string): Uint8Array {
  return Uint8Array.from(atob(value), (c) => c.charCodeAt(0));
}

function crcBytes(value: bigint, width: 32 | 64): Uint8Array {
  const bytes = new Uint8Array(width / 8);
  const view = new DataView(bytes.buffer);
  if (width === 32) view.setUint32(0, Number(value));
  else view.setBigUint64(0, value);
  return bytes;
}

function crcValue(base64: string): bigint {
  const bytes = fromBase64(base64);
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}

/**
 * Creates an incremental checksum.
 *
 * @param algorithm The algorithm.
 * @returns The checksum; `digest()` gives its base64 value.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { createChecksum } from "./checksum.ts";
 * const sum = createChecksum("CRC32");
 * sum.update(new TextEncoder().encode("hello"));
 * assert.equal(sum.digest(), "NhCmhg==");
 * ```
 */
export function createChecksum(algorithm: ChecksumAlgorithm): Checksum {
  switch (algorithm) {
    case "CRC32": {
      let value = 0;
      return {
        update: (data) => {
          value = crc32(data, value);
        },
        digest: () => toBase64(crcBytes(BigInt(value >>> 0), 32)),
      };
    }
    case "CRC32C": {
      let value = 0xffffffff;
      return {
        update: (data) => {
          value = crc32cUpdate(value, data);
        },
        digest: () => toBase64(crcBytes(BigInt(~value >>> 0), 32)),
      };
    }
    case "CRC64NVME": {
      const state = { hi: 0xffffffff, lo: 0xffffffff };
      return {
        update: (data) => crc64Update(state, data),
        digest: () => {
          const value = (BigInt(~state.hi >>> 0) << 32n) | BigInt(~state.lo >>> 0);
          return toBase64(crcBytes(value, 64));
        },
      };
    }
    case "SHA1":
    case "SHA256": {
      const hash = createHash(algorithm === "SHA1" ? "sha1" : "sha256");
      return { update: (data) => void hash.update(data), digest: () => hash.digest("base64") };
    }
  }
}

/**
 * The checksum of some bytes at once.
 *
 * @param algorithm The algorithm.
 * @param data The bytes.
 * @returns The base64 value.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { checksumOf } from "./checksum.ts";
 * assert.equal(checksumOf("CRC64NVME", new TextEncoder().encode("123456789")), "rosUhgp5mIg=");
 * ```
 */
export function checksumOf(algorithm: ChecksumAlgorithm, data: Uint8Array): string {
  const sum = createChecksum(algorithm);
  sum.update(data);
  return sum.digest();
}

/**
 * Tells whether a value is base64 of exactly an algorithm's digest length (what S3 checks before
 * it compares: "Value for x-amz-checksum-crc32 header is invalid.").
 *
 * @param algorithm The algorithm.
 * @param value The base64 value.
 * @returns True when it decodes to the right number of bytes.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { isChecksumValue } from "./checksum.ts";
 * assert.equal(isChecksumValue("CRC32", "NhCmhg=="), true);
 * assert.equal(isChecksumValue("CRC32", "short==="), false);
 * ```
 */
export function isChecksumValue(algorithm: ChecksumAlgorithm, value: string): boolean {
  const length = DIGEST_BYTES[algorithm];
  const chars = Math.ceil(length / 3) * 4;
  if (value.length !== chars || !/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return false;
  try {
    const bytes = fromBase64(value);
    return bytes.length === length && toBase64(bytes) === value;
  } catch {
    return false;
  }
}

/** Multiplies two polynomials modulo a reflected CRC polynomial (zlib's `multmodp`). */
function multiplyModP(a: bigint, b: bigint, spec: CrcSpec): bigint {
  const top = 1n << BigInt(spec.width - 1);
  let product = 0n;
  for (let m = top; m !== 0n; m >>= 1n) {
    if (a & m) product ^= b;
    b = b & 1n ? (b >> 1n) ^ spec.poly : b >> 1n;
  }
  return product;
}

/** x^(8·length) modulo the polynomial: what shifting a CRC over `length` zero bytes multiplies by. */
function shiftFor(length: number, spec: CrcSpec): bigint {
  let result = 1n << BigInt(spec.width - 1); // x^0
  let power = 1n << BigInt(spec.width - 2); // x^1, squared into x^(2^k) as k grows
  let bits = BigInt(length) * 8n;
  while (bits > 0n) {
    if (bits & 1n) result = multiplyModP(result, power, spec);
    power = multiplyModP(power, power, spec);
    bits >>= 1n;
  }
  return result;
}

/**
 * Combines the CRCs of two runs of bytes into the CRC of the two joined (zlib's
 * `crc32_combine`, for any of S3's CRCs): how a full-object checksum of a multipart object is
 * made from its parts' without reading them again.
 *
 * @param algorithm A CRC algorithm.
 * @param first The base64 CRC of the first run.
 * @param second The base64 CRC of the second run.
 * @param secondLength The length in bytes of the second run.
 * @returns The base64 CRC of both runs, in order.
 * @throws {TypeError} For an algorithm that is not a CRC.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { checksumOf, combineCrc } from "./checksum.ts";
 * const bytes = (s: string) => new TextEncoder().encode(s);
 * const joined = combineCrc("CRC32C", checksumOf("CRC32C", bytes("hello ")), checksumOf("CRC32C", bytes("world")), 5);
 * assert.equal(joined, checksumOf("CRC32C", bytes("hello world")));
 * ```
 */
export function combineCrc(
  algorithm: ChecksumAlgorithm,
  first: string,
  second: string,
  secondLength: number,
): string {
  if (!isCrc(algorithm)) {
    throw new TypeError(`Cannot combine "${algorithm}" checksums: only CRCs combine`);
  }
  const spec = CRC_SPECS[algorithm];
  const shifted = multiplyModP(shiftFor(secondLength, spec), crcValue(first), spec);
  return toBase64(crcBytes(shifted ^ crcValue(second), spec.width));
}

/**
 * The full-object checksum of a multipart object from its parts' CRCs and sizes.
 *
 * @param algorithm A CRC algorithm.
 * @param parts Each part's base64 CRC and size, in order.
 * @returns The base64 CRC of the whole object (no `-N` suffix).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { checksumOf, fullObjectChecksum } from "./checksum.ts";
 * const a = new TextEncoder().encode("abc");
 * const b = new TextEncoder().encode("def");
 * const whole = fullObjectChecksum("CRC32", [
 *   { checksum: checksumOf("CRC32", a), size: 3 },
 *   { checksum: checksumOf("CRC32", b), size: 3 },
 * ]);
 * assert.equal(whole, checksumOf("CRC32", new TextEncoder().encode("abcdef")));
 * ```
 */
export function fullObjectChecksum(
  algorithm: ChecksumAlgorithm,
  parts: readonly { checksum: string; size: number }[],
): string {
  let whole = checksumOf(algorithm, new Uint8Array(0));
  for (const part of parts) whole = combineCrc(algorithm, whole, part.checksum, part.size);
  return whole;
}

/**
 * The composite checksum of a multipart object: the checksum of the parts' binary checksums
 * joined in order, base64, then `-` and the number of parts (as the multipart ETag is the MD5 of
 * the parts' MD5s).
 *
 * @param algorithm The algorithm.
 * @param partChecksums Each part's base64 checksum, in order.
 * @returns E.g. `"3Fu3Bg==-2"`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { compositeChecksum } from "./checksum.ts";
 * assert.match(compositeChecksum("SHA256", ["n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg="]), /-1$/);
 * ```
 */
export function compositeChecksum(
  algorithm: ChecksumAlgorithm,
  partChecksums: readonly string[],
): string {
  const sum = createChecksum(algorithm);
  for (const value of partChecksums) sum.update(fromBase64(value));
  return `${sum.digest()}-${partChecksums.length}`;
}
