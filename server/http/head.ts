/**
 * Parses an HTTP/1.1 request head (request line and header fields) and works out how its body is
 * framed, refusing what RFC 9112 says a server must refuse (ambiguous lengths, unknown transfer
 * codings, malformed fields).
 *
 * @module
 */

import { HttpError } from "./_errors.ts";
import { latin1 } from "./_reader.ts";

/** How a request's body is framed. */
export type BodyFraming =
  | { kind: "none" }
  | { kind: "length"; length: number }
  | { kind: "chunked" };

/** A parsed request head. */
export interface RequestHead {
  /** The method, as sent. */
  method: string;
  /** The request target exactly as sent (`/bucket/key?acl`, or absolute-form). */
  target: string;
  /** `HTTP/1.1` or `HTTP/1.0`. */
  version: string;
  /** The header fields (values one character per byte, as received). */
  headers: Headers;
  /** How the body is framed. */
  body: BodyFraming;
  /** Whether the client asked for `100 Continue` before sending its body. */
  expectContinue: boolean;
  /** Whether the connection may carry another request after this one. */
  keepAlive: boolean;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const DIGITS = /^\d+$/;

/**
 * Parses a request head.
 *
 * @param bytes The head, up to and including its empty line.
 * @returns The parsed head.
 * @throws {HttpError} 400 for a malformed head, 501 for a transfer coding other than `chunked`,
 *   505 for an HTTP version other than 1.0 or 1.1.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseHead } from "./head.ts";
 *
 * const head = parseHead(new TextEncoder().encode(
 *   "PUT /b/k HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n",
 * ));
 * assert.deepEqual(head.body, { kind: "length", length: 5 });
 * assert.equal(head.expectContinue, true);
 * ```
 */
export function parseHead(bytes: Uint8Array): RequestHead {
  const lines = latin1(bytes).split("\n").map((l) => l.endsWith("\r") ? l.slice(0, -1) : l);
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  const requestLine = lines.shift() ?? "";
  const parts = requestLine.split(" ");
  if (parts.length !== 3 || !TOKEN.test(parts[0]) || parts[1] === "") {
    throw new HttpError(400, `Cannot parse the request line "${requestLine.slice(0, 100)}"`);
  }
  const [method, target, version] = parts;
  if (version !== "HTTP/1.1" && version !== "HTTP/1.0") {
    throw new HttpError(505, `Cannot serve "${version.slice(0, 20)}": only HTTP/1.1 and 1.0`);
  }
  const headers = new Headers();
  for (const line of lines) {
    const colon = line.indexOf(":");
    const name = colon > 0 ? line.slice(0, colon) : "";
    if (!TOKEN.test(name)) {
      throw new HttpError(400, `Cannot parse the header line "${line.slice(0, 100)}"`);
    }
    try {
      headers.append(name, line.slice(colon + 1).trim());
    } catch {
      throw new HttpError(400, `Cannot accept the value of header "${name}"`);
    }
  }
  const connection = (headers.get("connection") ?? "").toLowerCase().split(/\s*,\s*/);
  const keepAlive = version === "HTTP/1.1"
    ? !connection.includes("close")
    : connection.includes("keep-alive");
  // A message framed by both Transfer-Encoding and Content-Length may be a smuggling attempt:
  // answer it, then close (RFC 9112 §6.3).
  const ambiguous = headers.has("transfer-encoding") && headers.has("content-length");
  return {
    method,
    target,
    version,
    headers,
    body: framing(headers),
    expectContinue: version === "HTTP/1.1" &&
      (headers.get("expect") ?? "").toLowerCase() === "100-continue",
    keepAlive: keepAlive && !ambiguous,
  };
}

function framing(headers: Headers): BodyFraming {
  const coding = headers.get("transfer-encoding");
  if (coding !== null) {
    const codings = coding.toLowerCase().split(/\s*,\s*/);
    if (codings[codings.length - 1] !== "chunked" || codings.length > 1) {
      throw new HttpError(501, `Cannot read a body sent with Transfer-Encoding "${coding}"`);
    }
    headers.delete("content-length");
    return { kind: "chunked" };
  }
  const length = headers.get("content-length");
  if (length === null) return { kind: "none" };
  // Repeated fields arrive joined by ", "; they must all agree.
  const values = new Set(length.split(/\s*,\s*/));
  const [only] = values;
  if (values.size !== 1 || !DIGITS.test(only) || !Number.isSafeInteger(Number(only))) {
    throw new HttpError(400, `Cannot read a body of Content-Length "${length.slice(0, 40)}"`);
  }
  const n = Number(only);
  return n === 0 ? { kind: "none" } : { kind: "length", length: n };
}
