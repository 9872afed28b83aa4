/**
 * A sorted set of keys in S3 order (UTF-8 byte order), with binary-search lookups, so that a
 * listing page costs O(page + log n).
 *
 * @module
 */

import { compareUtf8 } from "../../core/utf8.ts";
import type { KeyIndex } from "./types.ts";

/** Keys per block before a block is split in two. */
const MAX_BLOCK = 1024;

/** Position in one sorted block of the first key not less than `key` (greater, when strict). */
function positionIn(block: readonly string[], key: string, strict: boolean): number {
  let lo = 0;
  let hi = block.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = compareUtf8(block[mid], key);
    if (c < 0 || (strict && c === 0)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * A set of keys kept sorted in S3 order: blocks of at most 1024 sorted keys, so an insert or a
 * delete moves at most a block's worth of entries (a single sorted array of 200,000 keys takes
 * tens of seconds to fill in random order; blocks take well under one).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { SortedKeys } from "./sorted_keys.ts";
 *
 * const keys = new SortedKeys();
 * keys.insert("b");
 * keys.insert("a");
 * assert.equal(keys.at(0), "a");
 * assert.equal(keys.lowerBound("b"), 1);
 * ```
 */
export class SortedKeys implements KeyIndex {
  #blocks: string[][] = [];
  #starts: number[] | undefined;
  #length = 0;

  /** Number of keys. */
  get length(): number {
    return this.#length;
  }

  /** Index of each block's first key, recomputed after a change. */
  #blockStarts(): number[] {
    if (!this.#starts) {
      let total = 0;
      this.#starts = this.#blocks.map((block) => {
        const start = total;
        total += block.length;
        return start;
      });
    }
    return this.#starts;
  }

  /** The first block whose last key is not less than (or, `strict`, greater than) `key`. */
  #findBlock(key: string, strict: boolean): number {
    let lo = 0;
    let hi = this.#blocks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const block = this.#blocks[mid];
      const c = compareUtf8(block[block.length - 1], key);
      if (c < 0 || (strict && c === 0)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  #bound(key: string, strict: boolean): number {
    const b = this.#findBlock(key, strict);
    if (b === this.#blocks.length) return this.#length;
    return this.#blockStarts()[b] + positionIn(this.#blocks[b], key, strict);
  }

  /**
   * The key at a position.
   *
   * @param index Position, 0-based.
   * @returns The key.
   */
  at(index: number): string {
    const starts = this.#blockStarts();
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (starts[mid] <= index) lo = mid;
      else hi = mid - 1;
    }
    return this.#blocks[lo]?.[index - starts[lo]];
  }

  /**
   * Position of the first key not less than `key`.
   *
   * @param key The key to look for.
   * @returns A position in 0..length.
   */
  lowerBound(key: string): number {
    return this.#bound(key, false);
  }

  /**
   * Position of the first key greater than `key`.
   *
   * @param key The key to look for.
   * @returns A position in 0..length.
   */
  upperBound(key: string): number {
    return this.#bound(key, true);
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
    let hi = this.#length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.at(mid).startsWith(prefix)) lo = mid + 1;
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
    if (this.#blocks.length === 0) {
      this.#blocks.push([key]);
      this.#length = 1;
      this.#starts = undefined;
      return;
    }
    const b = Math.min(this.#findBlock(key, false), this.#blocks.length - 1);
    const block = this.#blocks[b];
    const lo = positionIn(block, key, false);
    if (block[lo] === key) return;
    block.splice(lo, 0, key);
    this.#length++;
    if (block.length > MAX_BLOCK) this.#blocks.splice(b + 1, 0, block.splice(block.length >>> 1));
    this.#starts = undefined;
  }

  /**
   * Removes a key if present.
   *
   * @param key The key.
   */
  delete(key: string): void {
    const b = this.#findBlock(key, false);
    const block = this.#blocks[b];
    if (!block) return;
    const lo = positionIn(block, key, false);
    if (block[lo] !== key) return;
    block.splice(lo, 1);
    if (block.length === 0) this.#blocks.splice(b, 1);
    this.#length--;
    this.#starts = undefined;
  }
}
