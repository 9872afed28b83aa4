/**
 * S3's key order: keys sort by their UTF-8 bytes. The server's listings, its sorted key index
 * and the library's sync (which walks a folder in listing order) all compare with this one
 * function.
 *
 * @module
 */

/**
 * Compares two strings by their UTF-8 bytes (code point order), as S3 sorts keys. JavaScript's
 * `<` compares UTF-16 code units, which puts U+E000–U+FFFF after astral characters (emoji);
 * UTF-8 puts them before.
 *
 * @param a One string.
 * @param b The other.
 * @returns Negative, zero or positive.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { compareUtf8 } from "./utf8.ts";
 *
 * assert.ok(compareUtf8("a-b", "a/b") < 0);
 * assert.ok(compareUtf8("\uFFFD", "😀") < 0); // "\uFFFD" > "😀" in UTF-16 order
 * assert.deepEqual(["b", "😀", "\uFFFD", "a"].sort(compareUtf8), ["a", "b", "\uFFFD", "😀"]);
 * ```
 */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // A surrogate (0xD800–0xDFFF) encodes a code point above U+FFFF: larger than any BMP one.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}
