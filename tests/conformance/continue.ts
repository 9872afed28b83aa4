/**
 * Sends a request with `Expect: 100-continue` the way careful clients do (curl, botocore): the
 * head first, the body only after `100 Continue`; a final answer instead means the body is never
 * sent. Then a second request goes on the same connection, to see whether the server kept it
 * usable. What happened is reported in two pseudo-headers a case can compare:
 * `x-test-interim` (`100 Continue`, or `none` when the final answer came first) and
 * `x-test-next-request` (the second request's status, or `connection closed`).
 *
 * @module
 */

import { serialize, toWire } from "../support/raw_http.ts";
import type { RawRequest } from "../support/signing.ts";
import type { RawResponse } from "./http.ts";

const decoder = new TextDecoder();
/** How long a client waits for `100 Continue` before sending its body anyway (curl: 1 s). */
const CONTINUE_WAIT_MS = 3000;

interface Head {
  status: number;
  headers: Record<string, string>;
}

/** Reads responses off one connection. */
class Reader {
  #conn: Deno.Conn;
  #buffer = new Uint8Array();

  constructor(conn: Deno.Conn) {
    this.#conn = conn;
  }

  async #fill(timeoutMs: number): Promise<"data" | "eof" | "timeout"> {
    const chunk = new Uint8Array(64 * 1024);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), timeoutMs);
    });
    const read = this.#conn.read(chunk).then((n) => n, () => null);
    const outcome = await Promise.race([read, timeout]);
    clearTimeout(timer);
    if (outcome === "timeout") {
      this.#pending = read;
      this.#pendingChunk = chunk;
      return "timeout";
    }
    return this.#take(outcome, chunk);
  }

  #pending?: Promise<number | null>;
  #pendingChunk?: Uint8Array;

  #take(n: number | null, chunk: Uint8Array): "data" | "eof" {
    if (n === null) return "eof";
    const joined = new Uint8Array(this.#buffer.length + n);
    joined.set(this.#buffer);
    joined.set(chunk.subarray(0, n), this.#buffer.length);
    this.#buffer = joined;
    return "data";
  }

  async #more(timeoutMs: number): Promise<"data" | "eof" | "timeout"> {
    if (this.#pending) {
      const pending = this.#pending;
      const chunk = this.#pendingChunk!;
      this.#pending = undefined;
      return this.#take(await pending, chunk);
    }
    return await this.#fill(timeoutMs);
  }

  /** The next response head, or `timeout` / `closed`. */
  async head(timeoutMs: number): Promise<Head | "timeout" | "closed"> {
    for (;;) {
      const text = decoder.decode(this.#buffer);
      const end = text.indexOf("\r\n\r\n");
      if (end !== -1) {
        const lines = text.slice(0, end).split("\r\n");
        this.#buffer = this.#buffer.slice(new TextEncoder().encode(text.slice(0, end + 4)).length);
        const headers: Record<string, string> = {};
        for (const line of lines.slice(1)) {
          const colon = line.indexOf(":");
          headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
        }
        return { status: Number(lines[0].split(" ")[1]), headers };
      }
      const got = await this.#more(timeoutMs);
      if (got !== "data") return got === "eof" ? "closed" : "timeout";
    }
  }

  /** A body of `length` bytes. */
  async body(length: number): Promise<Uint8Array> {
    while (this.#buffer.length < length) {
      if (await this.#more(30_000) !== "data") throw new Error("Connection ended inside a body");
    }
    const out = this.#buffer.slice(0, length);
    this.#buffer = this.#buffer.slice(length);
    return out;
  }

  /** A chunked body. */
  async chunked(): Promise<Uint8Array> {
    const parts: number[] = [];
    for (;;) {
      const line = await this.#line();
      const size = parseInt(line, 16);
      if (size === 0) {
        while (await this.#line() !== "");
        return new Uint8Array(parts);
      }
      parts.push(...await this.body(size));
      await this.body(2);
    }
  }

  async #line(): Promise<string> {
    for (;;) {
      const at = this.#buffer.indexOf(10);
      if (at !== -1) {
        const line = decoder.decode(this.#buffer.subarray(0, at)).replace(/\r$/, "");
        this.#buffer = this.#buffer.slice(at + 1);
        return line;
      }
      if (await this.#more(30_000) !== "data") throw new Error("Connection ended inside a body");
    }
  }
}

async function finalResponse(
  reader: Reader,
  head: Head,
  method: string,
): Promise<RawResponse> {
  const bodyless = method === "HEAD" || head.status === 204 || head.status === 304;
  const body = bodyless
    ? new Uint8Array()
    : head.headers["transfer-encoding"]?.toLowerCase() === "chunked"
    ? await reader.chunked()
    : await reader.body(Number(head.headers["content-length"] ?? 0));
  return { status: head.status, headers: head.headers, body };
}

/**
 * Sends `request` with `Expect: 100-continue`, then `next` on the same connection.
 *
 * @param port The engine's port on 127.0.0.1.
 * @param request The request (signed; `expect` is added here, unsigned, as SDKs send it).
 * @param next A second request for the same connection.
 * @returns The first request's final response, with the two pseudo-headers.
 */
export async function sendExpectingContinue(
  port: number,
  request: RawRequest,
  next: RawRequest,
): Promise<RawResponse> {
  const body = request.body ?? new Uint8Array();
  const wire = toWire({ ...request, body: new Uint8Array() });
  if (!wire.headers.some(([name]) => name.toLowerCase() === "content-length")) {
    wire.headers.push(["content-length", String(body.length)]);
  }
  wire.headers.push(["expect", "100-continue"]);
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    const reader = new Reader(conn);
    await conn.write(serialize(wire));
    let interim = "none";
    let first = await reader.head(CONTINUE_WAIT_MS);
    if (first === "timeout") {
      interim = `nothing in ${CONTINUE_WAIT_MS} ms`;
      await conn.write(body);
      first = await reader.head(30_000);
    } else if (first !== "closed" && first.status === 100) {
      interim = "100 Continue";
      await conn.write(body);
      first = await reader.head(30_000);
    }
    // A late `100 Continue` (sent once the body has arrived anyway) is not the answer.
    while (first !== "timeout" && first !== "closed" && first.status === 100) {
      first = await reader.head(30_000);
    }
    if (first === "timeout" || first === "closed") {
      throw new Error(`Cannot read the answer to ${request.method} ${request.path}: ${first}`);
    }
    const response = await finalResponse(reader, first, request.method);
    let following = "connection closed";
    try {
      await conn.write(serialize(toWire(next)));
      const head = await reader.head(10_000);
      if (head === "timeout") following = "no answer";
      else if (head !== "closed") {
        await finalResponse(reader, head, next.method);
        following = String(head.status);
      }
    } catch {
      // the server closed the connection
    }
    response.headers["x-test-interim"] = interim;
    response.headers["x-test-next-request"] = following;
    return response;
  } finally {
    try {
      conn.close();
    } catch {
      // already closed
    }
  }
}
