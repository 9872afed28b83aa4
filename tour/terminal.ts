/**
 * What the terminal tour prints, written for a terminal: a chapter's markdown as plain text
 * (emphasis, code spans and links without their syntax, the sentences meant for the notebook left
 * out), paragraphs wrapped to the terminal's width, tables narrowed to fit it, and any other long
 * line folded under its indentation. Colours stay optional (`NO_COLOR`, see `lib/display.ts`).
 *
 * A chapter's prose may hold sentences for one reader only (`forReader()` in `percent.ts`).
 *
 * @module
 */

import { Stack, Table, type View } from "../lib/mod.ts";
import { paint } from "../lib/display.ts";

/**
 * The terminal's width in columns: `COLUMNS` when set, else the terminal's own, else 80.
 *
 * @returns Columns, at least 40.
 */
export function terminalWidth(): number {
  let columns = Number(Deno.env.get("COLUMNS"));
  if (!Number.isInteger(columns) || columns <= 0) {
    try {
      columns = Deno.stdout.isTerminal() ? Deno.consoleSize().columns : 80;
    } catch {
      columns = 80;
    }
  }
  return Math.max(40, columns);
}

// The colour codes paint() writes (ESC [ … m) take no column.
// deno-lint-ignore no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;

/**
 * How many columns a line takes: characters, not UTF-16 units, and no colour codes.
 *
 * @param line One line.
 * @returns Its width.
 */
export function widthOf(line: string): number {
  return [...line.replace(ANSI, "")].length;
}

/**
 * Markdown as terminal text: `**x**`, `*x*` and `` `x` `` lose their marks (code shown in cyan
 * when colours are on), `[text](target)` becomes its text, headings their words, and each
 * paragraph or list item is wrapped to the width.
 *
 * @param markdown Markdown for the terminal (see `forReader()` in `percent.ts`).
 * @param width Columns.
 * @param color Whether colours may be used.
 * @returns Text lines.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { markdownToText } from "./terminal.ts";
 *
 * assert.equal(
 *   markdownToText("A *delete marker* is `x-amz-delete-marker`;\nsee [the list](a.md).", 40, false),
 *   "A delete marker is x-amz-delete-marker;\nsee the list.",
 * );
 * ```
 */
export function markdownToText(markdown: string, width: number, color: boolean): string {
  const blocks: string[] = [];
  for (const paragraph of markdown.trim().split(/\n\s*\n/)) {
    // A list item starts its own block; the lines after it continue it.
    const items: string[] = [];
    for (const line of paragraph.split("\n")) {
      if (/^(?:[-*] |\d+\. |#{1,6} )/.test(line) || items.length === 0) items.push(line);
      else items[items.length - 1] += ` ${line.trim()}`;
    }
    blocks.push(
      items.map((item) => {
        const heading = /^#{1,6} (.*)$/.exec(item);
        if (heading) return paint(inline(heading[1], false), "bold", color);
        const bullet = /^(?:[-*] |\d+\. )/.exec(item)?.[0] ?? "";
        const indent = " ".repeat(bullet.length);
        const text = inline(item.slice(bullet.length), color);
        const lines = wrap(text, width, bullet, indent).replaceAll(NBSP, " ").split("\n");
        return lines.map((line) => foldLine(line, width, indent)).join("\n");
      }).join("\n"),
    );
  }
  return blocks.join("\n\n");
}

const NBSP = "\u00a0";

/** Inline markdown to text. */
function inline(text: string, color: boolean): string {
  return text
    // A code span is never broken across lines: its spaces are no-break spaces until wrapped.
    .replace(/`([^`]+)`/g, (_, code) => paint(code.replaceAll(" ", NBSP), "cyan", color))
    .replace(/\*\*([^*]+)\*\*/g, "$1")
    .replace(/(^|[\s(])[*_]([^*_\s][^*_]*?)[*_](?=[\s).,;:!?]|$)/g, "$1$2")
    .replace(/\[([^\]]+)\]\((https?:[^)]+)\)/g, "$1 ($2)")
    .replace(/\[([^\]]+)\]\([^)]*\)/g, "$1")
    .replace(/\\([\\`*_[\]])/g, "$1");
}

/**
 * Wraps words to a width: the first line after `first`, the others after `rest`.
 *
 * @param text One paragraph.
 * @param width Columns.
 * @param first Prefix of the first line.
 * @param rest Prefix of the following lines.
 * @returns Lines joined with `\n`.
 */
export function wrap(text: string, width: number, first = "", rest = first): string {
  const lines: string[] = [];
  let line = first;
  let empty = true;
  for (const word of text.split(/ +/).filter(Boolean)) {
    if (!empty && widthOf(line) + 1 + widthOf(word) > width) {
      lines.push(line);
      line = rest;
      empty = true;
    }
    line += (empty ? "" : " ") + word;
    empty = false;
  }
  lines.push(line);
  return lines.map((l) => l.trimEnd()).join("\n");
}

/**
 * Folds a line wider than `width` under its own indentation (plus `extra` spaces), breaking after
 * a space, or before a `&`, `?`, `/` or `,` (URLs), or anywhere as a last resort.
 *
 * @param line One line.
 * @param width Columns.
 * @param indent The continuation lines' prefix; by default the line's indentation and 4 spaces.
 * @returns Lines joined with `\n`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { foldLine } from "./terminal.ts";
 *
 * assert.equal(
 *   foldLine("  GET    http://h/b/k?x-id=GetObject&versionId=abc", 30),
 *   "  GET    http://h/b/k\n      ?x-id=GetObject\n      &versionId=abc",
 * );
 * ```
 */
export function foldLine(line: string, width: number, indent?: string): string {
  if (widthOf(line) <= width) return line;
  const prefix = indent ?? `${/^\s*/.exec(line)![0]}    `;
  const out: string[] = [];
  let rest = line;
  let first = true;
  while (widthOf(rest) > width) {
    const chars = [...rest];
    // Index of the last character that fits, counting only visible ones.
    let visible = 0;
    let fit = 0;
    for (let i = 0; i < chars.length; i++) {
      if (chars[i] === "\x1b") {
        const end = chars.indexOf("m", i);
        i = end < 0 ? i : end;
        continue;
      }
      if (++visible > width) break;
      fit = i + 1;
    }
    const head = chars.slice(0, fit).join("");
    const minimum = (first ? 0 : prefix.length) + 8;
    let cut = -1;
    for (const pattern of [/ (?=[^ ]*$)/, /[&?/,](?=[^&?/,]*$)/]) {
      const at = head.search(pattern);
      if (at > minimum) {
        cut = head[at] === " " ? at : at + (head[at] === "," ? 1 : 0);
        break;
      }
    }
    if (cut < 0) cut = head.length;
    out.push(head.slice(0, cut).trimEnd());
    rest = prefix + chars.join("").slice(cut).trimStart();
    first = false;
  }
  out.push(rest);
  return out.join("\n");
}

/**
 * A table narrowed to a width. Up to 6 rows: one block of `column  value` lines per row, nothing
 * cut. More: the widest columns shortened in their middle (`a441bb…862d`), down to 8 characters,
 * or blocks again when even that does not fit.
 *
 * @param table The table.
 * @param width Columns.
 * @param color Whether colours may be used.
 * @returns Text lines.
 */
export function fitTable(table: Table, width: number, color: boolean): string {
  const text = table.toText(color);
  if (text.split("\n").every((line) => widthOf(line) <= width)) return text;
  const widths = table.columns.map((c, i) =>
    Math.max(widthOf(c), ...table.rows.map((r) => widthOf(r[i] ?? "")))
  );
  const total = () => 2 + widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1);
  while (total() > width) {
    const widest = widths.indexOf(Math.max(...widths));
    if (widths[widest] <= Math.max(8, widthOf(table.columns[widest]))) break;
    widths[widest]--;
  }
  // A few rows read better whole, one block each, than with their ids cut short.
  if (total() <= width && table.rows.length > 6) {
    const cut = (cell: string, i: number) => shorten(cell, widths[i]);
    return new Table(
      table.columns.map(cut),
      table.rows.map((row) => row.map(cut)),
    ).toText(color);
  }
  const label = Math.max(...table.columns.map(widthOf));
  return table.rows.map((row) =>
    row.map((cell, i) =>
      foldLine(
        `  ${paint(table.columns[i].padEnd(label), "bold", color)}  ${cell}`,
        width,
        " ".repeat(label + 4),
      )
    ).join("\n")
  ).join("\n\n");
}

/** A cell cut to `width` characters in its middle. */
function shorten(cell: string, width: number): string {
  const chars = [...cell];
  if (chars.length <= width) return cell;
  const head = Math.ceil((width - 1) / 2);
  return `${chars.slice(0, head).join("")}…${
    chars.slice(chars.length - (width - 1 - head)).join("")
  }`;
}

/**
 * A value's view as terminal text fitted to a width: tables narrowed, other lines folded.
 *
 * @param view The view (a `Stack` is fitted part by part).
 * @param width Columns.
 * @param color Whether colours may be used.
 * @returns Text lines.
 */
export function fitView(view: View, width: number, color: boolean): string {
  if (view instanceof Stack) {
    return view.parts.map((part) => fitView(part, width, color)).filter((t) => t !== "").join(
      "\n",
    );
  }
  if (view instanceof Table) return fitTable(view, width, color);
  return view.toText(color).split("\n").map((line) => {
    // A traffic line ("  GET    http://…") goes on under its URL.
    const url = /^(\s*[A-Z]+\s+)https?:/.exec(line.replace(ANSI, ""));
    return foldLine(line, width, url ? " ".repeat(widthOf(url[1])) : undefined);
  }).join("\n");
}
