/**
 * Rendering for terminals and notebooks: values that print as readable text (coloured on a
 * TTY, plain under `NO_COLOR`) and render as HTML in Deno's Jupyter kernel.
 *
 * @module
 */

/** The symbol Deno's Jupyter kernel calls to get a value's rich representation. */
export const JUPYTER_DISPLAY: unique symbol = Symbol.for("Jupyter.display") as never;

/** The symbol `Deno.inspect` and `console.log` call to render a value. */
const DENO_INSPECT = Symbol.for("Deno.customInspect");

/**
 * A value with a text form (terminal) and an HTML form (Jupyter). `console.log` prints the
 * text, a notebook cell ending with it shows the HTML.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { View } from "./display.ts";
 *
 * class Hello extends View {
 *   toText() {
 *     return "hello";
 *   }
 *   toHtml() {
 *     return "<b>hello</b>";
 *   }
 * }
 * assert.equal(String(new Hello()), "hello");
 * ```
 */
export abstract class View {
  /**
   * The value as text for a terminal.
   *
   * @param color Whether ANSI colours may be used.
   * @returns Text, possibly several lines.
   */
  abstract toText(color?: boolean): string;

  /**
   * The value as an HTML fragment for a notebook.
   *
   * @returns HTML, with every value escaped.
   */
  abstract toHtml(): string;

  /**
   * The value as plain text.
   *
   * @returns The uncoloured text form.
   */
  toString(): string {
    return this.toText(false);
  }

  /**
   * The MIME bundle Deno's Jupyter kernel displays.
   *
   * @returns HTML and plain-text forms.
   */
  [JUPYTER_DISPLAY](): Record<string, string> {
    return { "text/html": this.toHtml(), "text/plain": this.toText(false) };
  }

  /**
   * The form `console.log` prints.
   *
   * @returns The text form, coloured when the terminal allows it.
   */
  [DENO_INSPECT](): string {
    return this.toText(useColor());
  }
}

/**
 * Whether output to stdout may be coloured: stdout is a terminal and `NO_COLOR` is not set.
 *
 * @returns `true` when ANSI colours are welcome.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { useColor } from "./display.ts";
 *
 * assert.equal(typeof useColor(), "boolean");
 * ```
 */
export function useColor(): boolean {
  try {
    return !Deno.noColor && Deno.stdout.isTerminal();
  } catch {
    return false;
  }
}

const CODES: Record<Style, readonly [number, number]> = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  blue: [34, 39],
  magenta: [35, 39],
  cyan: [36, 39],
};

/** A colour or emphasis {@linkcode paint} knows. */
export type Style = "bold" | "dim" | "red" | "green" | "yellow" | "blue" | "magenta" | "cyan";

/**
 * Wraps text in an ANSI style when `color` is true.
 *
 * @param text The text.
 * @param style The style, e.g. `"green"` or `"dim"`.
 * @param color Whether to colour at all.
 * @returns The text, styled or unchanged.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { paint } from "./display.ts";
 *
 * assert.equal(paint("ok", "green", false), "ok");
 * assert.equal(paint("ok", "green", true), "\x1b[32mok\x1b[39m");
 * ```
 */
export function paint(text: string, style: Style, color: boolean): string {
  if (!color) return text;
  const [on, off] = CODES[style];
  return `\x1b[${on}m${text}\x1b[${off}m`;
}

const HTML_ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/**
 * Escapes text for HTML element content and attribute values.
 *
 * @param text The raw text.
 * @returns The text with `&`, `<`, `>`, `"` and `'` escaped.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { escapeHtml } from "./display.ts";
 *
 * assert.equal(escapeHtml("<b>"), "&lt;b&gt;");
 * ```
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c]);
}

/**
 * Formats a byte count for people: `0 B`, `512 B`, `1.4 kB`, `12.0 MB`.
 *
 * @param bytes The count.
 * @returns The count with a decimal unit.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatBytes } from "./display.ts";
 *
 * assert.equal(formatBytes(1400), "1.4 kB");
 * ```
 */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ["kB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = "B";
  for (const next of units) {
    if (value < 1000) break;
    value /= 1000;
    unit = next;
  }
  return `${value.toFixed(1)} ${unit}`;
}

/**
 * A table of rows under named columns, rendered aligned in a terminal and as `<table>` in a
 * notebook.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Table } from "./display.ts";
 *
 * const table = new Table(["grantee", "permission"], [["Demo User", "FULL_CONTROL"]]);
 * assert.equal(table.toText(false).split("\n")[0].trim(), "grantee    permission");
 * ```
 */
export class Table extends View {
  /** Column headings. */
  readonly columns: readonly string[];
  /** Cell texts, one array per row. */
  readonly rows: readonly (readonly string[])[];

  /**
   * Builds a table.
   *
   * @param columns Column headings.
   * @param rows Cell texts, one array per row, in column order.
   */
  constructor(columns: readonly string[], rows: readonly (readonly string[])[]) {
    super();
    this.columns = columns;
    this.rows = rows;
  }

  /**
   * The table with aligned columns.
   *
   * @param color Whether to colour the heading.
   * @returns One line per row after a heading line.
   */
  toText(color = false): string {
    const widths = this.columns.map((c, i) =>
      Math.max(c.length, ...this.rows.map((r) => (r[i] ?? "").length))
    );
    const line = (cells: readonly string[]) =>
      "  " + cells.map((c, i) => (c ?? "").padEnd(widths[i])).join("  ").trimEnd();
    return [paint(line(this.columns), "bold", color), ...this.rows.map(line)].join("\n");
  }

  /**
   * The table as HTML.
   *
   * @returns A `<table>` element.
   */
  toHtml(): string {
    const head = this.columns.map((c) => `<th style="text-align:left">${escapeHtml(c)}</th>`);
    const body = this.rows.map((r) =>
      `<tr>${r.map((c) => `<td style="text-align:left">${escapeHtml(c)}</td>`).join("")}</tr>`
    );
    return `<table><thead><tr>${head.join("")}</tr></thead><tbody>${body.join("")}</tbody></table>`;
  }
}

/**
 * Several views shown one after the other, e.g. a result above its HTTP traffic.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Stack, Table } from "./display.ts";
 *
 * const both = new Stack([new Table(["a"], [["1"]]), new Table(["b"], [["2"]])]);
 * assert.ok(both.toHtml().startsWith("<div>"));
 * ```
 */
export class Stack extends View {
  /** The parts, in order. */
  readonly parts: readonly View[];

  /**
   * Builds a stack.
   *
   * @param parts The views, top first.
   */
  constructor(parts: readonly View[]) {
    super();
    this.parts = parts;
  }

  /**
   * The parts' texts separated by blank lines.
   *
   * @param color Whether colours may be used.
   * @returns The joined text.
   */
  toText(color = false): string {
    return this.parts.map((p) => p.toText(color)).filter((t) => t !== "").join("\n");
  }

  /**
   * The parts' HTML in one `<div>`.
   *
   * @returns A `<div>` element.
   */
  toHtml(): string {
    return `<div>${this.parts.map((p) => p.toHtml()).join("")}</div>`;
  }

  /**
   * The MIME bundle: the HTML of all parts, plus any image a part carries (for viewers that
   * show images but not HTML).
   *
   * @returns HTML, plain-text and image forms.
   */
  override [JUPYTER_DISPLAY](): Record<string, string> {
    const bundle: Record<string, string> = {};
    for (const part of this.parts) {
      // The base bundle is HTML and text only: no need to render a part twice to learn that.
      if (part[JUPYTER_DISPLAY] === View.prototype[JUPYTER_DISPLAY]) continue;
      for (const [type, data] of Object.entries(part[JUPYTER_DISPLAY]())) {
        if (type.startsWith("image/") && !(type in bundle)) bundle[type] = data;
      }
    }
    return { ...bundle, "text/html": this.toHtml(), "text/plain": this.toText(false) };
  }
}

/**
 * A line of text, shown as is in a terminal and in a `<pre>` in a notebook.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Text } from "./display.ts";
 *
 * assert.equal(new Text("demo-bucket").toHtml(), "<pre>demo-bucket</pre>");
 * ```
 */
export class Text extends View {
  /** The text. */
  readonly text: string;
  /** The terminal style, if any. */
  readonly style?: Style;

  /**
   * Builds a text view.
   *
   * @param text The text.
   * @param style A terminal style for it.
   */
  constructor(text: string, style?: Style) {
    super();
    this.text = text;
    this.style = style;
  }

  /**
   * The text, styled when colours are allowed.
   *
   * @param color Whether colours may be used.
   * @returns The text.
   */
  toText(color = false): string {
    return this.style ? paint(this.text, this.style, color) : this.text;
  }

  /**
   * The text in a `<pre>` element.
   *
   * @returns HTML.
   */
  toHtml(): string {
    return `<pre>${escapeHtml(this.text)}</pre>`;
  }
}

/**
 * Turns any value into a view: views stay as they are, errors show their message, arrays of
 * records become tables, other values are inspected.
 *
 * @param value Anything.
 * @returns A view of it.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { toView } from "./display.ts";
 *
 * assert.equal(toView("hello").toText(), "hello");
 * ```
 */
export function toView(value: unknown): View {
  if (value instanceof View) return value;
  if (typeof value === "string") return new Text(value);
  if (value instanceof Error) return new Text(`${value.name}: ${value.message}`, "red");
  if (Array.isArray(value) && value.length === 0) return new Text("(none)", "dim");
  if (
    Array.isArray(value) && value.length > 0 &&
    value.every((v) => v !== null && typeof v === "object" && !Array.isArray(v))
  ) {
    const columns = [...new Set(value.flatMap((v) => Object.keys(v)))];
    return new Table(
      columns,
      value.map((v) => columns.map((c) => cellText((v as Record<string, unknown>)[c]))),
    );
  }
  return new Text(Deno.inspect(value, { colors: false, depth: 4 }));
}

function cellText(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (value instanceof Date) return value.toISOString();
  return typeof value === "string" ? value : Deno.inspect(value, { colors: false });
}
