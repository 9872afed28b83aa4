/**
 * A raw HTTP/1.1 client for tests that need full control of what goes on the wire: the request
 * line, the Host header, the framing and keep-alive, over one TCP connection ({@linkcode RawClient}).
 * {@linkcode toWire} turns a {@linkcode RawRequest} (as the signers in `_signing.ts` return it)
 * into the bytes-level {@linkcode WireRequest}.
 *
 * @example Send a request on a keep-alive connection
 * ```ts ignore
 * import { RawClient } from "./raw_http.ts";
 * const client = new RawClient("127.0.0.1", port);
 * const response = await client.send({ method: "GET", target: "/", headers: [["host", host]] });
 * client.close();
 * ```
 *
 * @module
 */

import { uriEncode } from "../../core/sigv4.ts";
import type { RawRequest } from "./signing.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A response as read off the wire. */
export interface RawResponse {
  /** HTTP status. */
  status: number;
  /** Response headers. */
  headers: Headers;
  /** The whole body. */
  body: Uint8Array;
  /** Whether the server said it closes the connection. */
  closing: boolean;
}

/** A request as it goes on the wire. */
export interface WireRequest {
  /** Method exactly as sent. */
  method: string;
  /** Request target exactly as sent: raw path and query, e.g. `/b/k?acl`. */
  target: string;
  /** Headers in order, names as sent. `content-length` is added from the body unless present. */
  headers: Array<[string, string]>;
  /** The body. */
  body?: Uint8Array;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function indexOfCrlfCrlf(buf: Uint8Array, from = 0): number {
  for (let i = from; i + 3 < buf.length; i++) {
    if (buf[i] === 13 && buf[i + 1] === 10 && buf[i + 2] === 13 && buf[i + 3] === 10) return i;
  }
  return -1;
}

function indexOfCrlf(buf: Uint8Array, from = 0): number {
  for (let i = from; i + 1 < buf.length; i++) {
    if (buf[i] === 13 && buf[i + 1] === 10) return i;
  }
  return -1;
}

/** Serialises a request to bytes. */
export function serialize(request: WireRequest): Uint8Array {
  const body = request.body ?? new Uint8Array();
  const lines = [`${request.method} ${request.target} HTTP/1.1`];
  let hasLength = false;
  for (const [name, value] of request.headers) {
    if (name.toLowerCase() === "content-length") hasLength = true;
    lines.push(`${name}: ${value}`);
  }
  if (!hasLength && (body.length > 0 || ["PUT", "POST"].includes(request.method.toUpperCase()))) {
    lines.push(`content-length: ${body.length}`);
  }
  return concat(encoder.encode(lines.join("\r\n") + "\r\n\r\n"), body);
}

/**
 * One keep-alive HTTP/1.1 connection, requests sent one after the other. Reconnects when the
 * server closed the previous connection.
 */
export class RawClient {
  #hostname: string;
  #port: number;
  #conn?: Deno.TcpConn;
  #buffer: Uint8Array = new Uint8Array();
  /** How many TCP connections this client opened. */
  connections = 0;

  /**
   * @param hostname Server address.
   * @param port Server port.
   */
  constructor(hostname: string, port: number) {
    this.#hostname = hostname;
    this.#port = port;
  }

  async #connect(): Promise<Deno.TcpConn> {
    if (!this.#conn) {
      this.#conn = await Deno.connect({ hostname: this.#hostname, port: this.#port });
      this.#buffer = new Uint8Array();
      this.connections++;
    }
    return this.#conn;
  }

  async #fill(conn: Deno.TcpConn): Promise<boolean> {
    const chunk = new Uint8Array(64 * 1024);
    const n = await conn.read(chunk);
    if (n === null) return false;
    this.#buffer = concat(this.#buffer, chunk.subarray(0, n));
    return true;
  }

  async #readExact(conn: Deno.TcpConn, length: number): Promise<Uint8Array> {
    if (this.#buffer.length >= length) {
      const out = this.#buffer.slice(0, length);
      this.#buffer = this.#buffer.slice(length);
      return out;
    }
    // The rest is read straight into the result, never past it (a long body in one pass).
    const out = new Uint8Array(length);
    out.set(this.#buffer);
    let have = this.#buffer.length;
    this.#buffer = new Uint8Array();
    while (have < length) {
      const n = await conn.read(out.subarray(have));
      if (n === null) throw new Error("Connection closed inside a response body");
      have += n;
    }
    return out;
  }

  async #readLine(conn: Deno.TcpConn): Promise<string> {
    let at: number;
    while ((at = indexOfCrlf(this.#buffer)) < 0) {
      if (!await this.#fill(conn)) throw new Error("Connection closed inside a chunked body");
    }
    const line = decoder.decode(this.#buffer.subarray(0, at));
    this.#buffer = this.#buffer.slice(at + 2);
    return line;
  }

  /**
   * Sends raw bytes and reads one response.
   *
   * @param bytes The request bytes.
   * @param method The method (a HEAD response has no body).
   * @returns The response.
   */
  async sendBytes(bytes: Uint8Array, method = "GET"): Promise<RawResponse> {
    let lastError: unknown;
    for (let attempt = 0; attempt < 2; attempt++) {
      const fresh = !this.#conn;
      const conn = await this.#connect();
      try {
        await writeAll(conn, bytes);
        return await this.#readResponse(conn, method);
      } catch (error) {
        lastError = error;
        this.close();
        // A stale keep-alive connection fails at once: retry on a fresh one, once.
        if (fresh || !(error instanceof StaleConnection)) throw error;
      }
    }
    throw lastError;
  }

  /**
   * Sends a request and reads its response.
   *
   * @param request The request.
   * @returns The response.
   */
  send(request: WireRequest): Promise<RawResponse> {
    return this.sendBytes(serialize(request), request.method.toUpperCase());
  }

  async #readResponse(conn: Deno.TcpConn, method: string): Promise<RawResponse> {
    let end: number;
    let first = true;
    while ((end = indexOfCrlfCrlf(this.#buffer)) < 0) {
      let more: boolean;
      try {
        more = await this.#fill(conn);
      } catch (error) {
        if (first && this.#buffer.length === 0) throw new StaleConnection(String(error));
        throw error;
      }
      if (!more) {
        if (first && this.#buffer.length === 0) throw new StaleConnection("closed");
        throw new Error("Connection closed inside response headers");
      }
      first = false;
    }
    const head = decoder.decode(this.#buffer.subarray(0, end)).split("\r\n");
    this.#buffer = this.#buffer.slice(end + 4);
    const status = Number(head[0].split(" ")[1]);
    const headers = new Headers();
    for (const line of head.slice(1)) {
      const colon = line.indexOf(":");
      headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
    }
    let body: Uint8Array = new Uint8Array();
    if (status === 100) return await this.#readResponse(conn, method);
    if (method !== "HEAD" && status !== 204 && status !== 304) {
      if ((headers.get("transfer-encoding") ?? "").toLowerCase().includes("chunked")) {
        while (true) {
          const size = parseInt(await this.#readLine(conn), 16);
          if (size === 0) {
            while ((await this.#readLine(conn)) !== "");
            break;
          }
          body = concat(body, await this.#readExact(conn, size));
          await this.#readExact(conn, 2);
        }
      } else if (headers.has("content-length")) {
        body = await this.#readExact(conn, Number(headers.get("content-length")));
      } else {
        while (await this.#fill(conn));
        body = this.#buffer;
        this.#buffer = new Uint8Array();
        this.close();
      }
    }
    const closing = (headers.get("connection") ?? "").toLowerCase() === "close";
    if (closing) this.close();
    return { status, headers, body, closing };
  }

  /** Closes the connection (the next request opens a new one). */
  close(): void {
    try {
      this.#conn?.close();
    } catch {
      // already closed
    }
    this.#conn = undefined;
    this.#buffer = new Uint8Array();
  }
}

class StaleConnection extends Error {}

/**
 * Writes all bytes to a connection.
 *
 * @param conn The connection.
 * @param bytes The bytes.
 */
export async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let at = 0;
  while (at < bytes.length) at += await conn.write(bytes.subarray(at));
}

/** The S3 error code in an XML body, if any. */
export function errorCode(body: Uint8Array): string | undefined {
  return decoder.decode(body).match(/<Code>([^<]*)<\/Code>/)?.[1];
}

export { uriEncode };

/**
 * Builds a query string from pairs, SigV4-encoded, in the given order; an empty value is a bare
 * flag (`acl`) except for the `X-Amz-*` parameters, which keep their `=`.
 *
 * @param query Decoded pairs.
 * @returns The query string, without `?`.
 *
 * @example
 * ```ts ignore
 * queryString({ acl: "", prefix: "a b" }); // "acl&prefix=a%20b"
 * ```
 */
export function queryString(query: Record<string, string>): string {
  return Object.entries(query).map(([k, v]) =>
    v === "" && !k.startsWith("X-Amz-") ? uriEncode(k) : `${uriEncode(k)}=${uriEncode(v)}`
  ).join("&");
}

/**
 * The request as it goes on the wire: the Host header first, then the other headers in order,
 * and the path with the encoded query as the target.
 *
 * @param request A request, e.g. as a signer returned it.
 * @returns The request for {@linkcode RawClient.send} or {@linkcode serialize}.
 *
 * @example
 * ```ts ignore
 * toWire({ method: "GET", host: "127.0.0.1:80", path: "/b", query: { acl: "" } }).target;
 * // "/b?acl"
 * ```
 */
export function toWire(request: RawRequest): WireRequest {
  const qs = queryString(request.query ?? {});
  const headers: Array<[string, string]> = [["host", request.host]];
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    if (name.toLowerCase() !== "host") headers.push([name, value]);
  }
  return {
    method: request.method,
    target: request.path + (qs ? `?${qs}` : ""),
    headers,
    body: request.body,
  };
}
