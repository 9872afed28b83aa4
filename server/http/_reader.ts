/**
 * Buffered reads from one connection: a request head up to a limit, lines (chunked framing) and
 * body bytes, leaving whatever follows (a pipelined request) in the buffer.
 *
 * @module
 */

import { HttpError } from "./_errors.ts";

const INITIAL = 16 * 1024;
/** Bytes a body chunk is read into at most: big enough for fast uploads, small enough for RSS. */
const BODY_READ = 256 * 1024;

/** How long the reader waits for bytes. */
export interface ReadLimit {
  /** Each read must bring a byte within this many seconds (inactivity). */
  inactivity?: number;
  /** All reads until the limit changes must end by this time (`performance.now()`, in ms). */
  deadline?: number;
  /** What the request was doing, for the error: `"head"`, `"body"`. */
  what: string;
}

/** Reads from a connection through a growing buffer. */
export class ConnReader {
  #conn: Deno.Conn;
  #buf = new Uint8Array(INITIAL);
  #start = 0;
  #end = 0;
  #limit: ReadLimit | undefined;
  #stuck = false;
  #deadline = Infinity;
  #expire: (() => void) | undefined;
  #expiry: Promise<"expired"> | undefined;

  /** @param conn The connection to read from. */
  constructor(conn: Deno.Conn) {
    this.#conn = conn;
  }

  /** Bytes read from the connection and not yet taken. */
  get buffered(): number {
    return this.#end - this.#start;
  }

  /** Whether a read gave up on time and is still pending: the connection can only be closed. */
  get stuck(): boolean {
    return this.#stuck;
  }

  /**
   * When the read in progress gives up (`performance.now()` time, ms); `Infinity` when none is
   * in progress or it has no limit. The listener's sweeper calls {@linkcode ConnReader.expire}
   * once it has passed: one timer for every connection, not one per read.
   */
  get deadline(): number {
    return this.#deadline;
  }

  /** Gives up the read in progress (its time has passed): it fails with a 408. */
  expire(): void {
    this.#expiry ??= Promise.resolve("expired");
    this.#expire?.();
  }

  /**
   * Sets how long reads may wait from now on; `undefined` waits forever.
   *
   * @param limit Inactivity in seconds and/or a deadline, and what is being read.
   */
  limit(limit: ReadLimit | undefined): void {
    this.#limit = limit;
  }

  /**
   * One read off the connection, given up after the limit: the error is a 408, the read stays
   * pending (Deno cannot cancel it) until the connection is closed.
   */
  async #read(into: Uint8Array): Promise<number | null> {
    if (this.#stuck) throw new HttpError(408, "Cannot read the request: it timed out");
    const limit = this.#limit;
    if (limit === undefined) return await this.#conn.read(into);
    const now = performance.now();
    let deadline = limit.deadline ?? Infinity;
    if (limit.inactivity !== undefined) {
      deadline = Math.min(deadline, now + limit.inactivity * 1000);
    }
    const timedOut = () => new HttpError(408, `Cannot read the ${limit.what}: it timed out`);
    if (deadline <= now) throw timedOut();
    // One promise for the connection's life, settled by expire(): nothing to clear per read.
    this.#expiry ??= new Promise((resolve) => this.#expire = () => resolve("expired"));
    this.#deadline = deadline;
    const read = this.#conn.read(into);
    try {
      const n = await Promise.race([read, this.#expiry]);
      if (n !== "expired") return n;
      this.#stuck = true;
      read.catch(() => {}); // ends when the connection is closed
      throw timedOut();
    } finally {
      this.#deadline = Infinity;
    }
  }

  /** Reads more bytes, growing the buffer up to `max`; `false` at end of stream. */
  async #fill(max: number): Promise<boolean> {
    if (this.#start > 0 && this.#end === this.#buf.length) {
      this.#buf.copyWithin(0, this.#start, this.#end);
      this.#end -= this.#start;
      this.#start = 0;
    }
    if (this.#end === this.#buf.length) {
      if (this.#buf.length >= max) return true;
      const grown = new Uint8Array(Math.min(max, this.#buf.length * 2));
      grown.set(this.#buf.subarray(0, this.#end));
      this.#buf = grown;
    }
    const n = await this.#read(this.#buf.subarray(this.#end));
    if (n === null) return false;
    this.#end += n;
    return true;
  }

  /**
   * Reads up to and including the empty line that ends a request head.
   *
   * @param max The longest head accepted, in bytes.
   * @param started Called once the head's first byte is in (to start its own time limit).
   * @returns The head's bytes, or `null` when the connection ends (or its wait times out)
   *   before a request starts.
   * @throws {HttpError} 431 for a head over `max`; 400 for a connection cut inside a head; 408
   *   when the time limit passes inside a head.
   */
  async readHead(max: number, started?: () => void): Promise<Uint8Array | null> {
    // Blank lines before a request line are allowed (RFC 9112 §2.2).
    let scanned = this.#start;
    for (;;) {
      while (
        this.#start < this.#end && (this.#buf[this.#start] === 13 || this.#buf[this.#start] === 10)
      ) this.#start++;
      scanned = Math.max(scanned, this.#start);
      for (let i = scanned; i < this.#end; i++) {
        if (this.#buf[i] !== 10) continue;
        const empty = (i >= 1 && this.#buf[i - 1] === 10) ||
          (i >= 2 && this.#buf[i - 1] === 13 && this.#buf[i - 2] === 10);
        if (empty && i > this.#start) {
          const head = this.#buf.slice(this.#start, i + 1);
          this.#start = i + 1;
          return head;
        }
      }
      if (this.#end - this.#start >= max) {
        throw new HttpError(431, `Cannot read a request head over ${max} bytes`);
      }
      // Filling may move the buffered bytes to the front: keep the scan position relative.
      const seen = this.#end - this.#start;
      const atStart = seen === 0;
      if (!atStart && started) {
        started();
        started = undefined;
      }
      let more: boolean;
      try {
        more = await this.#fill(this.#start + max);
      } catch (error) {
        if (atStart && error instanceof HttpError) return null; // an idle connection timed out
        throw error;
      }
      if (!more) {
        if (atStart) return null;
        throw new HttpError(400, "Cannot read the request: the connection ended inside its head");
      }
      scanned = this.#start + seen;
    }
  }

  /**
   * Reads one line (without its CRLF), for chunked framing.
   *
   * @param max The longest line accepted.
   * @returns The line as text.
   * @throws {HttpError} 400 for a line over `max`, one ending in a bare LF, or a connection cut
   *   inside it.
   */
  async readLine(max: number): Promise<string> {
    let scanned = this.#start;
    for (;;) {
      const at = this.#buf.subarray(scanned, this.#end).indexOf(10);
      if (at !== -1) {
        const end = scanned + at;
        const line = latin1(this.#buf.subarray(this.#start, end));
        this.#start = end + 1;
        if (!line.endsWith("\r")) {
          throw new HttpError(400, "Cannot read the chunked body: a line ends without CRLF");
        }
        return line.slice(0, -1);
      }
      if (this.#end - this.#start > max) {
        throw new HttpError(400, "Cannot read the chunked body: a framing line is too long");
      }
      const seen = this.#end - this.#start;
      if (!await this.#fill(this.#start + max + 2)) {
        throw new HttpError(400, "Cannot read the chunked body: the connection ended inside it");
      }
      scanned = this.#start + seen;
    }
  }

  /**
   * Reads up to `max` bytes of body into a buffer of their own.
   *
   * @param max The most bytes wanted (at least 1).
   * @returns The bytes, or `null` at end of stream.
   */
  async readUpTo(max: number): Promise<Uint8Array | null> {
    if (this.buffered > 0) {
      const n = Math.min(max, this.buffered);
      const out = this.#buf.slice(this.#start, this.#start + n);
      this.#start += n;
      return out;
    }
    const out = new Uint8Array(Math.min(max, BODY_READ));
    const n = await this.#read(out);
    if (n === null) return null;
    return n === out.length ? out : out.subarray(0, n);
  }
}

/**
 * Bytes as text, one character per byte, as HTTP/1.1 header fields are read.
 *
 * @param bytes The bytes.
 * @returns The text.
 */
export function latin1(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 8192) {
    text += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return text;
}
