/**
 * XML text both ways: escaping for what the server writes and the library's DeleteObjects body
 * sends, decoding for what the library reads from a response. One implementation, so a key with
 * `&`, `<` or a control character (`\r`) is written and read the same on both sides.
 *
 * @module
 */

const NAMED: Record<string, string> = {
  "<": "&lt;",
  ">": "&gt;",
  "&": "&amp;",
  '"': "&quot;",
  "'": "&apos;",
};

/**
 * Escapes text for XML content or attribute values: the five special characters by name, and
 * control characters other than tab and newline as character references, as Ceph RGW writes
 * them (a raw `\r` would reach the reader as `\n`: XML normalises line ends).
 *
 * @param text The text.
 * @returns The escaped text.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { escapeXml } from "./xml.ts";
 *
 * assert.equal(escapeXml(`a<b & "c"`), "a&lt;b &amp; &quot;c&quot;");
 * assert.equal(escapeXml("a\rb\tc\nd"), "a&#x0d;b\tc\nd");
 * ```
 */
export function escapeXml(text: string): string {
  return text.replace(
    // deno-lint-ignore no-control-regex
    /[<>&"'\x00-\x08\x0B-\x1F]/g,
    (c) => NAMED[c] ?? `&#x${c.charCodeAt(0).toString(16).padStart(2, "0")};`,
  );
}

const ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
};

/**
 * Decodes XML text: the five named entities and numeric character references (Go clients and
 * RGW write `&#34;` and `&#x0d;`). An unknown entity is left as it is.
 *
 * @param text Text between tags.
 * @returns The decoded text.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { escapeXml, xmlText } from "./xml.ts";
 *
 * assert.equal(xmlText("a &amp; b &#233; &#x41;&quot;"), 'a & b é A"');
 * assert.equal(xmlText(escapeXml("p/a\rb&<")), "p/a\rb&<");
 * ```
 */
export function xmlText(text: string): string {
  if (!text.includes("&")) return text;
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === "#") {
      const code = name[1] === "x" || name[1] === "X"
        ? parseInt(name.slice(2), 16)
        : parseInt(name.slice(1), 10);
      return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[name] ?? whole;
  });
}
