/**
 * Sizes and statistics for the benchmark: reading `--size 1GiB`, labelling sizes in binary
 * units, and medians.
 *
 * @module
 */

const UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  k: 1e3,
  kb: 1e3,
  kib: 1024,
  m: 1e6,
  mb: 1e6,
  mib: 1024 ** 2,
  g: 1e9,
  gb: 1e9,
  gib: 1024 ** 3,
};

/**
 * Reads a size like `1GiB`, `64MiB`, `4KiB`, `10MB` or `4096`.
 *
 * @param text The size.
 * @returns Bytes.
 * @throws {RangeError} When it is not a size.
 *
 * @example Usage
 * ```ts
 * import { parseSize } from "./_units.ts";
 *
 * console.log(parseSize("4KiB")); // 4096
 * ```
 */
export function parseSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = m ? UNITS[m[2].toLowerCase()] : undefined;
  if (!m || unit === undefined) {
    throw new RangeError(
      `Invalid size "${text}": use a number with B, KiB, MiB, GiB, kB, MB or GB`,
    );
  }
  return Math.round(Number(m[1]) * unit);
}

/**
 * Formats bytes in binary units for labels: `1 GiB`, `64 MiB`, `4 KiB`.
 *
 * @param bytes The size.
 * @returns The label.
 *
 * @example Usage
 * ```ts
 * import { sizeLabel } from "./_units.ts";
 *
 * console.log(sizeLabel(1024 ** 3)); // 1 GiB
 * ```
 */
export function sizeLabel(bytes: number): string {
  for (const [unit, factor] of [["GiB", 1024 ** 3], ["MiB", 1024 ** 2], ["KiB", 1024]] as const) {
    if (bytes >= factor) return `${Number((bytes / factor).toFixed(1))} ${unit}`;
  }
  return `${bytes} B`;
}

/**
 * The median of some numbers.
 *
 * @param values The numbers (not empty).
 * @returns Their median.
 *
 * @example Usage
 * ```ts
 * import { median } from "./_units.ts";
 *
 * console.log(median([3, 1, 2])); // 2
 * ```
 */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
