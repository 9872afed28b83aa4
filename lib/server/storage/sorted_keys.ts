/**
 * A sorted list of keys in S3 order (UTF-8 byte order), with binary-search insert and removal,
 * so that a listing page costs O(page + log n).
 *
 * @module
 */

import type { KeyIndex } from "./types.ts";

/**
 * Compares two strings in UTF-8 byte order (code point order), which is how S3 sorts keys. Plain
 * `<` compares UTF-16 code units and puts U+E000..U+FFFF after astral characters.
 *
 * @param a A key.
 * @param b Another key.
 * @returns A negative number, zero, or a positive number.
 *
 * @example Usage
 * ```ts
 * import { compareKeys } from "./sorted_keys.ts";
 * console.log(["b", "a"].sort(compareKeys)); // ["a", "b"]
 * ```
 */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x !== y) {
      if (x >= 0xd800 && y >= 0xd800) {
        x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
        y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
      }
      return x - y;
    }
  }
  return a.length - b.length;
}

/**
 * A set of keys kept sorted in S3 order.
 *
 * @example Usage
 * ```ts
 * import { SortedKeys } from "./sorted_keys.ts";
 * const keys = new SortedKeys();
 * keys.insert("b");
 * keys.insert("a");
 * console.log(keys.at(0), keys.lowerBound("b")); // "a" 1
 * ```
 */
export class SortedKeys implements KeyIndex {
  #keys: string[] = [];

  /** Number of keys. */
  get length(): number {
    return this.#keys.length;
  }

  /**
   * The key at a position.
   *
   * @param index Position, 0-based.
   * @returns The key.
   */
  at(index: number): string {
    return this.#keys[index];
  }

  /**
   * Position of the first key not less than `key`.
   *
   * @param key The key to look for.
   * @returns A position in 0..length.
   */
  lowerBound(key: string): number {
    let lo = 0;
    let hi = this.#keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareKeys(this.#keys[mid], key) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Position of the first key greater than `key`.
   *
   * @param key The key to look for.
   * @returns A position in 0..length.
   */
  upperBound(key: string): number {
    const i = this.lowerBound(key);
    return this.#keys[i] === key ? i + 1 : i;
  }

  /**
   * Position of the first key at or after `from` that does not start with `prefix` (keys with a
   * common prefix are contiguous).
   *
   * @param prefix The prefix.
   * @param from Where to start.
   * @returns A position in from..length.
   */
  endOfPrefix(prefix: string, from: number): number {
    let lo = from;
    let hi = this.#keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#keys[mid].startsWith(prefix)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Adds a key unless present.
   *
   * @param key The key.
   */
  insert(key: string): void {
    const i = this.lowerBound(key);
    if (this.#keys[i] !== key) this.#keys.splice(i, 0, key);
  }

  /**
   * Removes a key if present.
   *
   * @param key The key.
   */
  delete(key: string): void {
    const i = this.lowerBound(key);
    if (this.#keys[i] === key) this.#keys.splice(i, 1);
  }
}
