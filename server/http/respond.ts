/**
 * Writes a `Response` as HTTP/1.1: the status line and headers, then the body framed by
 * Content-Length when it is known (or short enough to measure first) and chunked otherwise. A long
 * body that is a byte stream (an object's bytes) is read into one buffer, reused chunk after chunk.
 *
 * @module
 */

import { byobReaderOf, readThrough } from "../../core/byte_streams.ts";
import { writeAll, type Writer } from "./body.ts";

/** A body of unknown length is held up to this size to send it with a Content-Length. */
const MEASURE_LIMIT = 64 * 1024;
/** A long byte-stream body is read into one buffer of this size, reused from chunk to chunk. */
const SEND_BUFFER = 1024 * 1024;

const REASONS: Record<number, string> = {
  100: "Continue",
  200: "OK",
  201: "Created",
  204: "No Content",
  206: "Partial Content",
  301: "Moved Permanently",
  304: "Not Modified",
  307: "Temporary Redirect",
  400: "Bad Request",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  409: "Conflict",
  411: "Length Required",
  412: "Precondition Failed",
  413: "Payload Too Large",
  416: "Range Not Satisfiable",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  501: "Not Implemented",
  503: "Service Unavailable",
  505: "HTTP Version Not Supported",
};

let dateSecond = 0;
let dateText = "";

function httpDate(): string {
  const second = Math.floor(Date.now() / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateText = new Date(second * 1000).toUTCString();
  }
  return dateText;
}

/** Text of one byte per character (as header values are kept) to bytes; UTF-8 past U+00FF. */
function headBytes(text: string): Uint8Array {
  // deno-lint-ignore no-control-regex
  if (/[^\x00-\xff]/.test(text)) return new TextEncoder().encode(text);
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/** How a response is written. */
export interface WriteOptions {
  /** The request was a HEAD: headers only, Content-Length kept as the handler set it. */
  head: boolean;
  /** Say `connection: close` (the connection is closed after this response). */
  close: boolean;
}

/**
 * Writes a response to a connection.
 *
 * @param conn The connection.
 * @param response The response; its body is read to the end (or cancelled when not sent).
 * @param options HEAD or not, closing or not.
 * @returns When the last byte is written.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeResponse } from "./respond.ts";
 *
 * using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const { port } = listener.addr;
 * const client = await Deno.connect({ hostname: "127.0.0.1", port });
 * const conn = await listener.accept();
 * await writeResponse(conn, new Response("hello"), { head: false, close: true });
 * conn.close();
 * const text = await new Response(client.readable).text();
 * assert.match(text, /^HTTP\/1\.1 200 OK\r\n/);
 * assert.match(text, /\r\ncontent-length: 5\r\n/i);
 * assert.ok(text.endsWith("\r\n\r\nhello"));
 * ```
 */
export async function writeResponse(
  conn: Writer,
  response: Response,
  options: WriteOptions,
): Promise<void> {
  const { status, headers } = response;
  const bodyless = options.head || status === 204 || status === 304 || status < 200;
  let body = response.body;
  if (bodyless && body !== null) {
    await body.cancel().catch(() => {});
    body = null;
  }
  let head = `HTTP/1.1 ${status} ${REASONS[status] ?? "Unknown"}\r\n`;
  for (const [name, value] of headers) {
    if (name === "connection" || name === "transfer-encoding") continue;
    head += `${name}: ${value}\r\n`;
  }
  if (!headers.has("date")) head += `date: ${httpDate()}\r\n`;
  if (options.close) head += "connection: close\r\n";

  if (body === null) {
    // A HEAD answer without a length too: some clients (Deno's node:http) otherwise keep waiting
    // for the connection to end, as for a body of unknown length.
    const lengthless = status === 204 || status === 304 || status < 200;
    if (!lengthless && !headers.has("content-length")) head += "content-length: 0\r\n";
    await writeAll(conn, headBytes(head + "\r\n"));
    return;
  }
  const declared = headers.get("content-length");
  const byob = declared !== null && Number(declared) > MEASURE_LIMIT ? byobReaderOf(body) : null;
  if (byob) return await writeByteStream(conn, headBytes(head + "\r\n"), byob);
  const reader = body.getReader();
  try {
    const held: Uint8Array[] = [];
    let total = 0;
    let r = await reader.read();
    if (declared === null || Number(declared) <= MEASURE_LIMIT) {
      // A short body (or one of unknown length, measured) goes in the same write as the head.
      while (!r.done && total <= MEASURE_LIMIT) {
        held.push(r.value);
        total += r.value.length;
        r = await reader.read();
      }
      if (r.done) {
        const length = declared === null ? `content-length: ${total}\r\n` : "";
        const start = headBytes(head + length + "\r\n");
        await writeAll(conn, concat([start, ...held], start.length + total));
        return;
      }
    }
    // A long body streams: as it is with a declared length, else chunked.
    const chunked = declared === null;
    await writeAll(
      conn,
      headBytes(head + (chunked ? "transfer-encoding: chunked\r\n" : "") + "\r\n"),
    );
    const send = (chunk: Uint8Array) => chunked ? writeChunk(conn, chunk) : writeAll(conn, chunk);
    for (const chunk of held) await send(chunk);
    for (; !r.done; r = await reader.read()) await send(r.value);
    if (chunked) await writeAll(conn, headBytes("0\r\n\r\n"));
  } catch (error) {
    await reader.cancel(error).catch(() => {});
    throw error;
  } finally {
    reader.releaseLock();
  }
}

/**
 * Writes the head, then a long body of declared length read into one reused buffer: no new
 * memory per chunk (fresh 64 KiB chunks cost the server twice the CPU per GiB sent).
 */
async function writeByteStream(
  conn: Writer,
  head: Uint8Array,
  reader: ReadableStreamBYOBReader,
): Promise<void> {
  try {
    await writeAll(conn, head);
    await readThrough(reader, SEND_BUFFER, (chunk) => writeAll(conn, chunk));
  } catch (error) {
    await reader.cancel(error).catch(() => {});
    throw error;
  } finally {
    reader.releaseLock();
  }
}

async function writeChunk(conn: Writer, chunk: Uint8Array): Promise<void> {
  if (chunk.length === 0) return;
  await writeAll(conn, headBytes(`${chunk.length.toString(16)}\r\n`));
  await writeAll(conn, chunk);
  await writeAll(conn, headBytes("\r\n"));
}
