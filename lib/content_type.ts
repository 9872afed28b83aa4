/**
 * Content types from file names, so an uploaded file is served with the right `Content-Type`.
 *
 * @module
 */

const TYPES: Record<string, string> = {
  avif: "image/avif",
  bin: "application/octet-stream",
  css: "text/css; charset=utf-8",
  csv: "text/csv; charset=utf-8",
  gif: "image/gif",
  gz: "application/gzip",
  htm: "text/html; charset=utf-8",
  html: "text/html; charset=utf-8",
  ico: "image/vnd.microsoft.icon",
  jpeg: "image/jpeg",
  jpg: "image/jpeg",
  js: "text/javascript; charset=utf-8",
  json: "application/json",
  md: "text/markdown; charset=utf-8",
  mjs: "text/javascript; charset=utf-8",
  mp3: "audio/mpeg",
  mp4: "video/mp4",
  pdf: "application/pdf",
  png: "image/png",
  svg: "image/svg+xml",
  tar: "application/x-tar",
  ts: "text/typescript; charset=utf-8",
  txt: "text/plain; charset=utf-8",
  wasm: "application/wasm",
  webm: "video/webm",
  webp: "image/webp",
  xml: "application/xml",
  zip: "application/zip",
};

/**
 * Guesses a file's content type from its extension.
 *
 * @param name A file name, path or object key.
 * @returns The content type, `application/octet-stream` when the extension is unknown.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { contentTypeFor } from "./content_type.ts";
 *
 * assert.equal(contentTypeFor("photos/cloud.PNG"), "image/png");
 * ```
 */
export function contentTypeFor(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? "";
  const dot = base.lastIndexOf(".");
  if (dot <= 0) return "application/octet-stream";
  return TYPES[base.slice(dot + 1).toLowerCase()] ?? "application/octet-stream";
}
