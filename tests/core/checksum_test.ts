/**
 * core/checksum.ts against values computed independently here: Node's `zlib.crc32`, a bitwise
 * CRC32C and CRC64NVME written from their polynomials (no table, BigInt), `node:crypto` for SHA,
 * the published check values ("123456789"), and the AWS SDK's own checksum code.
 */

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { crc32 } from "node:zlib";
import {
  CHECKSUM_ALGORITHMS,
  type ChecksumAlgorithm,
  checksumOf,
  combineCrc,
  compositeChecksum,
  createChecksum,
  fullObjectChecksum,
  isChecksumValue,
} from "../../core/checksum.ts";
import { randomBytes } from "../support/bytes.ts";

/** A reflected CRC computed bit by bit from its polynomial: the textbook definition. */
function bitwiseCrc(data: Uint8Array, width: number, reflectedPoly: bigint): bigint {
  const mask = (1n << BigInt(width)) - 1n;
  let crc = mask;
  for (const byte of data) {
    crc ^= BigInt(byte);
    for (let k = 0; k < 8; k++) crc = crc & 1n ? (crc >> 1n) ^ reflectedPoly : crc >> 1n;
  }
  return crc ^ mask;
}

/** Reverses the bits of a polynomial written the normal (MSB-first) way. */
function reflect(poly: bigint, width: number): bigint {
  let out = 0n;
  for (let i = 0; i < width; i++) if (poly & (1n << BigInt(i))) out |= 1n << BigInt(width - 1 - i);
  return out;
}

function bigEndianBase64(value: bigint, bytes: number): string {
  const out = new Uint8Array(bytes);
  for (let i = bytes - 1; i >= 0; i--) {
    out[i] = Number(value & 0xffn);
    value >>= 8n;
  }
  return btoa(String.fromCharCode(...out));
}

/** Each algorithm computed without core/checksum.ts. */
function independent(algorithm: ChecksumAlgorithm, data: Uint8Array): string {
  switch (algorithm) {
    case "CRC32":
      return bigEndianBase64(BigInt(crc32(data)), 4);
    case "CRC32C": // Castagnoli, normal form 0x1EDC6F41
      return bigEndianBase64(bitwiseCrc(data, 32, reflect(0x1edc6f41n, 32)), 4);
    case "CRC64NVME": // NVM Express, normal form 0xAD93D23594C93659
      return bigEndianBase64(bitwiseCrc(data, 64, reflect(0xad93d23594c93659n, 64)), 8);
    case "SHA1":
      return createHash("sha1").update(data).digest("base64");
    case "SHA256":
      return createHash("sha256").update(data).digest("base64");
  }
}

const CHECK = new TextEncoder().encode("123456789");

Deno.test('createChecksum() gives the published check values of "123456789"', () => {
  // CRC catalogue check values: CRC-32 cbf43926, CRC-32C e3069283, CRC-64/NVME ae8b14860a799888.
  assert.equal(checksumOf("CRC32", CHECK), bigEndianBase64(0xcbf43926n, 4));
  assert.equal(checksumOf("CRC32C", CHECK), bigEndianBase64(0xe3069283n, 4));
  assert.equal(checksumOf("CRC64NVME", CHECK), bigEndianBase64(0xae8b14860a799888n, 8));
  // The values AWS answered for the same body (recorded in OpenStack Swift's s3api tests).
  assert.equal(checksumOf("CRC32", CHECK), "y/Q5Jg==");
  assert.equal(checksumOf("CRC32C", CHECK), "4waSgw==");
  assert.equal(checksumOf("CRC64NVME", CHECK), "rosUhgp5mIg=");
  assert.equal(checksumOf("SHA1", CHECK), "98O8HYCOBHMq32eZZczDTKeuNEE=");
  assert.equal(checksumOf("SHA256", CHECK), "FeKw08M4keuw8e9gnsQZQgwg4yDOlMZfvIwzEkSOsiU=");
});

Deno.test("createChecksum() equals an independent computation, fed in any chunking", async (t) => {
  const data = randomBytes(70_001);
  for (const algorithm of CHECKSUM_ALGORITHMS) {
    await t.step(algorithm, () => {
      const expected = independent(algorithm, data);
      assert.equal(checksumOf(algorithm, data), expected);
      const sum = createChecksum(algorithm);
      for (let i = 0; i < data.length; i += 4093) sum.update(data.subarray(i, i + 4093));
      assert.equal(sum.digest(), expected);
      assert.equal(
        checksumOf(algorithm, new Uint8Array(0)),
        independent(algorithm, new Uint8Array(0)),
      );
    });
  }
});

Deno.test("createChecksum() equals the AWS SDK's own checksum code", async (t) => {
  // The classes the SDK's flexible-checksums middleware uses (@aws-sdk/checksums, already in the
  // SDK's dependency tree: no new package).
  const crc = await import("@aws-sdk/checksums/crc");
  const sha = await import("@aws-sdk/checksums/sha");
  const data = randomBytes(10_000);
  const sdk: Record<ChecksumAlgorithm, { update(d: Uint8Array): void; digest(): unknown }> = {
    CRC32: new crc.Crc32(),
    CRC32C: new crc.Crc32c(),
    CRC64NVME: new crc.Crc64NvmeJs(),
    SHA1: new sha.Sha1(),
    SHA256: new sha.Sha256(),
  };
  for (const algorithm of CHECKSUM_ALGORITHMS) {
    await t.step(algorithm, async () => {
      sdk[algorithm].update(data);
      const digest = (await sdk[algorithm].digest()) as Uint8Array;
      assert.equal(checksumOf(algorithm, data), btoa(String.fromCharCode(...digest)));
    });
  }
});

Deno.test("combineCrc() and fullObjectChecksum() equal the CRC of the joined bytes", async (t) => {
  const parts = [
    randomBytes(100_003),
    randomBytes(1),
    randomBytes(0),
    randomBytes(777),
  ];
  const whole = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    whole.set(part, offset);
    offset += part.length;
  }
  for (const algorithm of ["CRC32", "CRC32C", "CRC64NVME"] as const) {
    await t.step(algorithm, () => {
      const sums = parts.map((p) => ({ checksum: independent(algorithm, p), size: p.length }));
      assert.equal(fullObjectChecksum(algorithm, sums), independent(algorithm, whole));
      assert.equal(
        combineCrc(algorithm, sums[0].checksum, sums[3].checksum, parts[3].length),
        independent(algorithm, new Uint8Array([...parts[0], ...parts[3]])),
      );
    });
  }
  assert.throws(() => combineCrc("SHA1", "", "", 0), TypeError);
});

Deno.test("compositeChecksum() is the checksum of the parts' binary checksums, then -N", () => {
  const parts = [randomBytes(100), randomBytes(200), randomBytes(300)];
  for (const algorithm of CHECKSUM_ALGORITHMS) {
    const sums = parts.map((p) => independent(algorithm, p));
    const joined = new Uint8Array(
      sums.flatMap((s) => [...Uint8Array.from(atob(s), (c) => c.charCodeAt(0))]),
    );
    assert.equal(compositeChecksum(algorithm, sums), `${independent(algorithm, joined)}-3`);
  }
});

Deno.test("isChecksumValue() takes base64 of the digest's length only", () => {
  assert.equal(isChecksumValue("CRC32", "y/Q5Jg=="), true);
  // The refusals AWS answers "Value for x-amz-checksum-crc32 header is invalid." to.
  for (const bad of ["short===", "shrt", "toolong=", "^^^^^^==", "y^/^Q5^J^g==", "y/Q5Jh=="]) {
    assert.equal(isChecksumValue("CRC32", bad), false, bad);
  }
  assert.equal(isChecksumValue("CRC64NVME", "rosUhgp5mIg="), true);
  assert.equal(isChecksumValue("SHA256", "FeKw08M4keuw8e9gnsQZQgwg4yDOlMZfvIwzEkSOsiU="), true);
  assert.equal(isChecksumValue("SHA1", "FeKw08M4keuw8e9gnsQZQgwg4yDOlMZfvIwzEkSOsiU="), false);
});
