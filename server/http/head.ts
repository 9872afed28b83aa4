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
/** Controls a field value may not hold: every C0 byte but HTAB, and DEL (RFC 9110 §5.5). */
// deno-lint-ignore no-control-regex
const VALUE_CONTROLS = /[\x00-\x08\x0a-\x1f\x7f]/;
/** Bytes quoted as `\xNN` in an error message. */
// deno-lint-ignore no-control-regex
const NOT_VISIBLE = /[\x00-\x1f\x7f-\xff]/g;
/** A request target is visible ASCII only: no space, control, DEL or byte ≥ 0x80. */
const TARGET = /^[\x21-\x7e]+$/;
/**
 * Methods read; others are answered 501 and the connection closed (RFC 9110 §9.1). All are known
 * to llhttp (Node's parser, what front ends commonly are), so a byte stream it would refuse as a
 * request never starts one here; CONNECT, whose message is a tunnel, is left out.
 */
const METHODS = ["GET", "HEAD", "PUT", "POST", "DELETE", "OPTIONS", "PATCH", "TRACE"];
/** Fields that frame the body. */
const FRAMING = ["content-length", "transfer-encoding"];
/** Fields that name one thing: a second copy is ambiguous, so the request is refused. */
const SINGLETONS = ["host", "authorization", "content-length"];

/**
 * Parses a request head.
 *
 * @param bytes The head, up to and including its empty line.
 * @returns The parsed head.
 * @throws {HttpError} 400 for a malformed or ambiguous head, 501 for a method or a transfer
 *   coding it does not know, 505 for an HTTP version other than 1.0 or 1.1.
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
  // Every line ends in CRLF (RFC 9112 §2.2): a bare CR or LF is left inside a line and refused
  // there as a control byte.
  const lines = latin1(bytes).split("\r\n");
  if (lines.length < 3 || lines.pop() !== "" || lines.pop() !== "") {
    throw new HttpError(400, "Cannot parse the request head: its lines must end in CRLF");
  }
  const requestLine = lines.shift() ?? "";
  const parts = requestLine.split(" ");
  if (parts.length !== 3 || !TOKEN.test(parts[0]) || !TARGET.test(parts[1])) {
    throw new HttpError(400, `Cannot parse the request line "${printable(requestLine)}"`);
  }
  const [method, target, version] = parts;
  if (!METHODS.includes(method)) {
    throw new HttpError(501, `Cannot serve the method "${printable(method)}"`);
  }
  if (version !== "HTTP/1.1" && version !== "HTTP/1.0") {
    throw new HttpError(505, `Cannot serve "${printable(version)}": only HTTP/1.1 and 1.0`);
  }
  const headers = new Headers();
  const seen = new Set<string>();
  for (const line of lines) {
    const colon = line.indexOf(":");
    const name = colon > 0 ? line.slice(0, colon) : "";
    // A line starting with whitespace (obs-fold) has no token name either.
    if (!TOKEN.test(name)) {
      throw new HttpError(400, `Cannot parse the header line "${printable(line)}"`);
    }
    const lower = name.toLowerCase();
    if (SINGLETONS.includes(lower) && seen.has(lower)) {
      throw new HttpError(400, `Cannot accept the request: header "${name}" is sent twice`);
    }
    seen.add(lower);
    const raw = line.slice(colon + 1);
    // A tab is OWS, but llhttp refuses one around a length or a coding: a front end may frame
    // the body otherwise.
    if (FRAMING.includes(lower) && raw.includes("\t")) {
      throw new HttpError(400, `Cannot read a body whose "${name}" holds a tab`);
    }
    const value = raw.replace(/^[ \t]+|[ \t]+$/g, ""); // OWS: SP and HTAB
    if (VALUE_CONTROLS.test(value)) {
      throw new HttpError(400, `Cannot accept the value of header "${name}": a control byte`);
    }
    headers.append(name, value);
  }
  const authority = absoluteAuthority(target);
  // An absolute-form target names its own host; the Host header is ignored (RFC 9112 §3.2.2).
  if (authority !== undefined) headers.set("host", authority);
  else if (!target.startsWith("/") && !(target === "*" && method === "OPTIONS")) {
    throw new HttpError(400, `Cannot parse the request target "${printable(target)}"`);
  }
  const connection = (headers.get("connection") ?? "").toLowerCase().split(/[ \t]*,[ \t]*/);
  const keepAlive = version === "HTTP/1.1"
    ? !connection.includes("close")
    : connection.includes("keep-alive");
  return {
    method,
    target,
    version,
    headers,
    body: framing(headers, version),
    expectContinue: version === "HTTP/1.1" &&
      (headers.get("expect") ?? "").toLowerCase() === "100-continue",
    keepAlive,
  };
}

/** The authority of an absolute-form target (`http://host:port/path`), else `undefined`. */
function absoluteAuthority(target: string): string | undefined {
  const scheme = /^https?:\/\//i.exec(target);
  if (scheme === null) return undefined;
  const rest = target.slice(scheme[0].length);
  const end = rest.search(/[/?#]/);
  const authority = end === -1 ? rest : rest.slice(0, end);
  if (!/^[A-Za-z0-9.\-_~%!$&'()*+,;=:[\]]+$/.test(authority)) {
    throw new HttpError(400, `Cannot parse the authority of the target "${printable(target)}"`);
  }
  return authority;
}

function framing(headers: Headers, version: string): BodyFraming {
  const coding = headers.get("transfer-encoding");
  if (coding !== null) {
    // Two framings, or chunked where HTTP/1.0 has none, are how requests are smuggled past a
    // front end that reads the other one: refused (RFC 9112 §6.1 lets a server reject both).
    if (headers.has("content-length")) {
      throw new HttpError(
        400,
        "Cannot read a body framed by both Transfer-Encoding and Content-Length",
      );
    }
    if (version === "HTTP/1.0") {
      throw new HttpError(400, "Cannot read a body sent with Transfer-Encoding in HTTP/1.0");
    }
    if (coding.toLowerCase() !== "chunked") {
      throw new HttpError(
        501,
        `Cannot read a body sent with Transfer-Encoding "${printable(coding)}"`,
      );
    }
    return { kind: "chunked" };
  }
  const length = headers.get("content-length");
  if (length === null) return { kind: "none" };
  if (!DIGITS.test(length) || !Number.isSafeInteger(Number(length))) {
    throw new HttpError(400, `Cannot read a body of Content-Length "${printable(length)}"`);
  }
  const n = Number(length);
  return n === 0 ? { kind: "none" } : { kind: "length", length: n };
}

/** Text to quote in an error: at most 100 characters, controls and bytes ≥ 0x7f as `\xNN`. */
function printable(text: string): string {
  return text.slice(0, 100).replace(
    NOT_VISIBLE,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`,
  );
}
