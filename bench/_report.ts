/**
 * Formatting for the benchmark report: sizes, rates and markdown tables.
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
 * import { parseSize } from "./_report.ts";
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
 * import { sizeLabel } from "./_report.ts";
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
 * Formats a number for a table cell, or a dash when missing.
 *
 * @param value The number.
 * @param digits Decimal places.
 * @returns The cell text.
 *
 * @example Usage
 * ```ts
 * import { cell } from "./_report.ts";
 *
 * console.log(cell(12.345, 1), cell(undefined)); // 12.3 –
 * ```
 */
export function cell(value: number | undefined, digits = 0): string {
  return value === undefined || !Number.isFinite(value) ? "–" : value.toFixed(digits);
}

/**
 * Renders a markdown table.
 *
 * @param columns Headings.
 * @param rows Cell texts.
 * @returns The table, one line per row.
 *
 * @example Usage
 * ```ts
 * import { markdownTable } from "./_report.ts";
 *
 * console.log(markdownTable(["a"], [["1"]]).split("\n")[1]); // | --- |
 * ```
 */
export function markdownTable(columns: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(columns), line(columns.map(() => "---")), ...rows.map(line)].join("\n");
}

/**
 * The median of some numbers.
 *
 * @param values The numbers (not empty).
 * @returns Their median.
 *
 * @example Usage
 * ```ts
 * import { median } from "./_report.ts";
 *
 * console.log(median([3, 1, 2])); // 2
 * ```
 */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
