/**
 * A request body as a stream read straight off the connection, framed by Content-Length or
 * chunked coding. `100 Continue` is sent only when the handler starts reading: a request refused
 * from its head alone (a bad signature, a missing permission) is answered before the client sends
 * its body. The connection is then closed (RFC 9110 §10.1.1): a client may send the body anyway,
 * and reading it as the next request would run a request hidden inside another. Ceph RGW 16 keeps
 * the connection and does just that; behind a proxy that reuses connections it is smuggling.
 *
 * @module
 */

import { HttpError } from "./_errors.ts";
import type { ConnReader } from "./_reader.ts";
import type { BodyFraming } from "./head.ts";

const CONTINUE = new TextEncoder().encode("HTTP/1.1 100 Continue\r\n\r\n");
/** A body left unread is read and dropped up to this size; beyond it the connection is closed. */
const DRAIN_LIMIT = 1024 * 1024;
const LINE_LIMIT = 4096;
const TOKEN = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]+";
const CHUNK_LINE = new RegExp(
  `^[0-9a-fA-F]{1,12}(;${TOKEN}(=(${TOKEN}|"[^"\\\\\\x00-\\x1f\\x7f]*"))?)*$`,
);
// deno-lint-ignore no-control-regex
const TRAILER_FIELD = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+:[^\x00-\x08\x0a-\x1f\x7f]*$/;

/** Where a response goes: a connection, or one whose writes give up after a time. */
export interface Writer {
  /** Writes some of `bytes`, returning how many. */
  write(bytes: Uint8Array): Promise<number>;
}

/** Writes all of `bytes` to `conn`. */
export async function writeAll(conn: Writer, bytes: Uint8Array): Promise<void> {
  for (let done = 0; done < bytes.length;) done += await conn.write(bytes.subarray(done));
}

/** One request's body, read on demand. */
export class RequestBody {
  /** The body for the handler; `null` when the request has none. */
  readonly stream: ReadableStream<Uint8Array> | null;
  #reader: ConnReader;
  #conn: Writer;
  #framing: BodyFraming;
  #expectContinue: boolean;
  #started = false;
  #done: boolean;
  #broken = false;
  #remaining: number;
  #chunkLeft = 0;
  #inChunk = false;
  #sendContinue: boolean;
  #reading: Promise<unknown> = Promise.resolve();

  /**
   * @param reader The connection's reader, positioned just after the head.
   * @param conn The connection (to send `100 Continue` on).
   * @param framing How the body is framed.
   * @param expectContinue Whether the client waits for `100 Continue`.
   */
  constructor(
    reader: ConnReader,
    conn: Writer,
    framing: BodyFraming,
    expectContinue: boolean,
  ) {
    this.#reader = reader;
    this.#conn = conn;
    this.#framing = framing;
    this.#expectContinue = expectContinue;
    this.#sendContinue = expectContinue;
    this.#remaining = framing.kind === "length" ? framing.length : 0;
    this.#done = framing.kind === "none";
    // highWaterMark 0: nothing is read (and no 100 Continue sent) until the handler asks.
    this.stream = this.#done ? null : new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        try {
          const chunk = await this.#next();
          if (chunk === null) controller.close();
          else controller.enqueue(chunk);
        } catch (error) {
          this.#broken = true;
          controller.error(error);
        }
      },
    }, { highWaterMark: 0 });
  }

  /** Reads one after the other: a pull still in flight when the handler gives up finishes first. */
  #next(): Promise<Uint8Array | null> {
    const next = this.#reading.then(() => this.#read());
    this.#reading = next.catch(() => {});
    return next;
  }

  async #read(): Promise<Uint8Array | null> {
    if (!this.#started) {
      this.#started = true;
      if (this.#sendContinue) await writeAll(this.#conn, CONTINUE);
    }
    if (this.#done) return null;
    if (this.#framing.kind === "length") {
      const chunk = await this.#reader.readUpTo(this.#remaining);
      if (chunk === null) throw new HttpError(400, "Cannot read the body: the connection ended");
      this.#remaining -= chunk.length;
      if (this.#remaining === 0) this.#done = true;
      return chunk;
    }
    if (this.#chunkLeft === 0) {
      if (this.#inChunk && await this.#reader.readLine(LINE_LIMIT) !== "") {
        throw new HttpError(400, "Cannot read the chunked body: a chunk is longer than its size");
      }
      const line = await this.#reader.readLine(LINE_LIMIT);
      // Hex digits, then `;name[=value]` extensions: no whitespace anywhere, as llhttp reads it.
      if (!CHUNK_LINE.test(line)) {
        throw new HttpError(400, "Cannot read the chunked body: a malformed chunk size line");
      }
      this.#chunkLeft = parseInt(line, 16);
      this.#inChunk = this.#chunkLeft > 0;
      if (this.#chunkLeft === 0) {
        // Trailer fields are ignored, but must be fields.
        for (let field = await this.#reader.readLine(LINE_LIMIT); field !== "";) {
          if (!TRAILER_FIELD.test(field)) {
            throw new HttpError(400, "Cannot read the chunked body: a malformed trailer field");
          }
          field = await this.#reader.readLine(LINE_LIMIT);
        }
        this.#done = true;
        return null;
      }
    }
    const chunk = await this.#reader.readUpTo(this.#chunkLeft);
    if (chunk === null) throw new HttpError(400, "Cannot read the body: the connection ended");
    this.#chunkLeft -= chunk.length;
    return chunk;
  }

  /**
   * Reads the body without sending `100 Continue` first: a client that asked for it sends its
   * body after its own wait (curl: 1 s), as with RGW's DeleteObjects.
   */
  skipContinue(): void {
    this.#sendContinue = false;
  }

  /**
   * Whether the connection can carry another request without reading more than a little of
   * this body (asked before the response goes out).
   *
   * @returns `false` when the body is broken, was refused before `100 Continue` (the client may
   *   send it anyway), or its unread rest is over the drain limit.
   */
  reusable(): boolean {
    if (this.#broken) return false;
    if (this.#done) return true;
    if (this.#expectContinue && !this.#started) return false;
    return this.#framing.kind !== "length" || this.#remaining <= DRAIN_LIMIT;
  }

  /**
   * Gets the connection ready for its next request before the response is sent: a small unread
   * rest is read and dropped, so the next request starts where this body ends.
   *
   * @returns Whether the connection can carry another request.
   */
  async settle(): Promise<boolean> {
    if (!this.reusable()) return false;
    if (this.#done) return true;
    this.#started = true;
    this.#sendContinue = false; // none now: the client sends its body anyway, or closes
    let drained = 0;
    try {
      for (let chunk = await this.#next(); chunk !== null; chunk = await this.#next()) {
        drained += chunk.length;
        if (drained > DRAIN_LIMIT) return false;
      }
    } catch {
      return false;
    }
    return true;
  }
}
