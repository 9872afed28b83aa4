/**
 * XML for the embedded server: a small builder for responses (S3's 2006-03-01 namespace) and a
 * bounded reader for request bodies, parsed with `fast-xml-parser`.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { escapeXml } from "../core/xml.ts";
import { S3Error } from "./errors.ts";

/** S3's XML namespace. */
export const S3_NS = "http://s3.amazonaws.com/doc/2006-03-01/";

/** Largest XML request body read. */
export const MAX_XML_BODY = 1024 * 1024;

/** An element's content: text, nested elements (arrays repeat), or nothing. */
export type XmlValue =
  | string
  | number
  | boolean
  | undefined
  | null
  | XmlElement
  | XmlValue[];

/**
 * Child elements by name; `undefined` and `null` values are left out; `"@"` holds attributes;
 * `""` holds a fragment (children written in place, so differently named siblings can
 * interleave: `{ "": [{ A: 1 }, { B: 2 }, { A: 3 }] }`).
 */
export interface XmlElement {
  [name: string]: XmlValue;
}

function render(name: string, value: XmlValue, out: string[]): void {
  if (value === undefined || value === null) return;
  if (Array.isArray(value)) {
    for (const item of value) render(name, item, out);
    return;
  }
  if (typeof value === "object") {
    if (name === "") {
      for (const [child, inner] of Object.entries(value)) render(child, inner, out);
      return;
    }
    const attributes = value["@"] as Record<string, string> | undefined;
    const attrs = Object.entries(attributes ?? {}).map(([k, v]) => ` ${k}="${escapeXml(v)}"`);
    out.push(`<${name}${attrs.join("")}>`);
    for (const [child, inner] of Object.entries(value)) {
      if (child !== "@") render(child, inner, out);
    }
    out.push(`</${name}>`);
    return;
  }
  out.push(`<${name}>${escapeXml(String(value))}</${name}>`);
}

/**
 * Builds an XML document with one root element in S3's namespace.
 *
 * @param root The root element's name.
 * @param content Its children.
 * @param attributes Extra root attributes (e.g. `xmlns:xsi`).
 * @returns The XML text with its declaration.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { S3_NS, xmlDocument } from "./xml.ts";
 *
 * assert.equal(
 *   xmlDocument("Tagging", { TagSet: { Tag: [{ Key: "a&b", Value: "1" }] } }),
 *   `<?xml version="1.0" encoding="UTF-8"?>\n<Tagging xmlns="${S3_NS}">` +
 *     "<TagSet><Tag><Key>a&amp;b</Key><Value>1</Value></Tag></TagSet></Tagging>",
 * );
 * ```
 */
export function xmlDocument(
  root: string,
  content: XmlElement | string,
  attributes: Record<string, string> = {},
): string {
  const out: string[] = [];
  if (typeof content === "string") out.push(escapeXml(content));
  else for (const [name, value] of Object.entries(content)) render(name, value, out);
  const attrs = Object.entries({ xmlns: S3_NS, ...attributes })
    .map(([k, v]) => ` ${k}="${escapeXml(v)}"`).join("");
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root}${attrs}>${out.join("")}</${root}>`;
}

/**
 * A response carrying an XML document.
 *
 * @param xml The document.
 * @param status The HTTP status.
 * @returns The response.
 */
export function xmlResponse(xml: string, status = 200): Response {
  return new Response(xml, { status, headers: { "content-type": "application/xml" } });
}

/**
 * Reads a request body of at most {@linkcode MAX_XML_BODY} bytes as text.
 *
 * @param body The body stream.
 * @returns The text; empty when there is no body.
 * @throws {S3Error} `EntityTooLarge` beyond the limit.
 */
export async function readSmallBody(body: ReadableStream<Uint8Array> | null): Promise<string> {
  if (!body) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > MAX_XML_BODY) {
      await body.cancel().catch(() => {});
      throw new S3Error("EntityTooLarge");
    }
    chunks.push(chunk);
  }
  return new TextDecoder().decode(Buffer.concat(chunks, size));
}

const PARSER_OPTIONS = {
  ignoreAttributes: false,
  attributeNamePrefix: "@",
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: true,
  // Character references (`&#34;`) are XML too: Go clients (rclone) escape quotes that way.
  htmlEntities: true,
};
const trimmingParser = new XMLParser({ ...PARSER_OPTIONS, trimValues: true });
const exactParser = new XMLParser({ ...PARSER_OPTIONS, trimValues: false });

/**
 * Parses an XML request body.
 *
 * @param text The XML text.
 * @param errorCode The error to throw for text that is not well-formed XML.
 * @param trim False keeps text exactly (object keys may begin or end with spaces).
 * @returns The parsed tree (element names without namespace prefixes; attributes prefixed `@`).
 * @throws {S3Error} `MalformedXML` (or `errorCode`) for malformed text.
 */
export function parseXml(
  text: string,
  errorCode: "MalformedXML" | "MalformedACLError" = "MalformedXML",
  trim = true,
): Record<string, unknown> {
  // XML 1.0 forbids C0 control characters other than tab, newline and carriage return.
  // deno-lint-ignore no-control-regex
  if (text.trim() === "" || /[\x00-\x08\x0B\x0C\x0E-\x1F]/.test(text)) {
    throw new S3Error(errorCode);
  }
  if (XMLValidator.validate(text) !== true) throw new S3Error(errorCode);
  try {
    return (trim ? trimmingParser : exactParser).parse(text) as Record<string, unknown>;
  } catch {
    throw new S3Error(errorCode);
  }
}

/**
 * Treats one-or-many XML children uniformly.
 *
 * @param value A parsed child: absent, one, or an array.
 * @returns An array.
 */
export function asArray<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/**
 * Serialises an error as S3's `<Error>` XML document.
 *
 * @param error The error to send.
 * @param resource The request path, sent as `<Resource>`.
 * @param requestId The request id, sent as `<RequestId>` (and in `x-amz-request-id`).
 * @returns The XML text.
 */
export function errorXml(error: S3Error, resource: string, requestId: string): string {
  const parts = [`<Code>${error.code}</Code>`, `<Message>${escapeXml(error.message)}</Message>`];
  if (error.fields.bucketName !== undefined) {
    parts.push(`<BucketName>${escapeXml(error.fields.bucketName)}</BucketName>`);
  }
  if (error.fields.key !== undefined) parts.push(`<Key>${escapeXml(error.fields.key)}</Key>`);
  for (const [name, value] of Object.entries(error.fields.extra ?? {})) {
    parts.push(`<${name}>${escapeXml(value)}</${name}>`);
  }
  parts.push(`<Resource>${escapeXml(resource)}</Resource>`, `<RequestId>${requestId}</RequestId>`);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error>${parts.join("")}</Error>`;
}
