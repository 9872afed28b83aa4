/**
 * Test data: random bytes of any size, and their MD5 to compare large contents in one line.
 *
 * @module
 */

import { createHash } from "node:crypto";

/**
 * Random bytes (`crypto.getRandomValues` fills at most 64 KiB at a time).
 *
 * @param size How many.
 * @returns The bytes.
 */
export function randomBytes(size: number): Uint8Array {
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i += 65536) crypto.getRandomValues(data.subarray(i, i + 65536));
  return data;
}

/**
 * The MD5 of bytes, in hex.
 *
 * @param data The bytes.
 * @returns 32 hex digits.
 */
export function md5Hex(data: Uint8Array): string {
  return createHash("md5").update(data).digest("hex");
}
