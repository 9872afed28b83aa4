/**
 * A seeded pseudo-random number generator (mulberry32): small, fast, and repeatable from its seed,
 * for what must happen the same way run after run (the server's fault switch, the tests' fuzzing).
 * Not for anything secret.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { prng } from "./prng.ts";
 *
 * const a = prng(7), b = prng(7);
 * assert.equal(a(), b());
 * assert.ok(a() >= 0 && a() < 1);
 * ```
 *
 * @module
 */

/**
 * A PRNG returning numbers in [0, 1), the same sequence for the same seed.
 *
 * @param seed Any integer (taken modulo 2^32).
 * @returns The generator.
 */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
