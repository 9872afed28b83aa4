/**
 * The embedded server's HTTP/1.1 listener. `Deno.serve` answers `Expect: 100-continue` with
 * `100 Continue` before the handler runs, so a refused upload still has its body sent; Ceph RGW
 * answers the refusal first (measured with raw requests on RGW 16). This listener lets the handler
 * decide: the body is a stream read off the socket only when asked for (see `body.ts`). A request
 * answered before its body was read whole closes the connection after the answer, where RGW 16
 * keeps it and reads the body as the next request.
 *
 * @module
 */

import { ConnectionDropped, HttpError } from "./_errors.ts";
import { ConnReader } from "./_reader.ts";
import { RequestBody, type Writer } from "./body.ts";
import { parseHead } from "./head.ts";
import { writeResponse } from "./respond.ts";

/** The longest request head accepted (request line and headers). */
const MAX_HEAD = 64 * 1024;

/** A request as the listener hands it to the handler. */
export interface IncomingRequest {
  /** The method, as sent. */
  readonly method: string;
  /** The request target exactly as sent (`/bucket/key?acl`), never normalised. */
  readonly url: string;
  /** The header fields. */
  readonly headers: Headers;
  /** The body, read off the connection on demand; `null` when there is none. */
  readonly body: ReadableStream<Uint8Array> | null;
  /** Read the body without sending `100 Continue` first (see `RequestBody.skipContinue`). */
  skipContinue(): void;
}

/** Answers one request. */
export type RequestHandler = (request: IncomingRequest) => Promise<Response>;

/** Where to listen, and the time and connection limits (nginx's defaults). */
export interface ListenOptions {
  /** The address to bind. */
  hostname: string;
  /** The port; 0 picks a free one. */
  port: number;
  /**
   * Seconds to read a whole request head, from the connection's start or the head's first
   * byte; then 408 and close (nginx `client_header_timeout`). @default 60
   */
  headTimeout?: number;
  /**
   * Seconds a request body may send nothing; then the body's stream errors, the request is
   * answered (400 from the S3 handler) and the connection closed (nginx `client_body_timeout`).
   * @default 60
   */
  bodyTimeout?: number;
  /** Seconds a keep-alive connection may wait for its next request (nginx `keepalive_timeout`). @default 75 */
  idleTimeout?: number;
  /**
   * Seconds a response may wait for the client to take more of it (a write that makes no
   * progress); then the connection is closed (nginx `send_timeout`). @default 60
   */
  sendTimeout?: number;
  /** Open connections at most; past it, new ones wait in the kernel's queue. @default 1024 */
  maxConnections?: number;
  /** Where to report trouble with the listener itself (out of file descriptors). @default console.error */
  log?: (line: string) => void;
}

/** The limits of {@linkcode ListenOptions}, filled in. */
interface Limits {
  headTimeout: number;
  bodyTimeout: number;
  idleTimeout: number;
  sendTimeout: number;
}

/** The first and the longest pause of accepting after an error such as `EMFILE`. */
const ACCEPT_BACKOFF_MS = [50, 1000];

/** A listening HTTP server. */
export interface HttpServer {
  /** The address bound. */
  readonly addr: Deno.NetAddr;
  /** Stops accepting, closes idle connections, waits for requests in flight. */
  shutdown(): Promise<void>;
}

interface Connection {
  conn: Deno.Conn;
  reader: ConnReader;
  /** Inside a handler or writing its response (not to be cut by shutdown). */
  busy: boolean;
  /** When the write in progress gives up (`performance.now()` time, ms); `Infinity` when none. */
  writeDeadline: number;
}

/** How often the time limits of all connections are checked, in ms (the limits' precision). */
const SWEEP_MS = 250;

/**
 * Listens for HTTP/1.1 requests and answers each with `handler`.
 *
 * @param options Address and port.
 * @param handler Answers a request; it should not throw (a throw is answered 500, except a
 *   `ConnectionDropped`, which closes the connection with no answer).
 * @returns The running server.
 * @throws {Deno.errors.AddrInUse} When the port is taken.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { listen } from "./listen.ts";
 *
 * const server = listen({ hostname: "127.0.0.1", port: 0 }, async (request) => {
 *   const body = request.body === null ? "" : await new Response(request.body).text();
 *   return new Response(`${request.method} ${request.url} ${body}`);
 * });
 * const response = await fetch(`http://127.0.0.1:${server.addr.port}/a%2Fb?x`, {
 *   method: "PUT",
 *   body: "hi",
 * });
 * assert.equal(await response.text(), "PUT /a%2Fb?x hi");
 * await server.shutdown();
 * ```
 */
export function listen(options: ListenOptions, handler: RequestHandler): HttpServer {
  const limits: Limits = {
    headTimeout: seconds("headTimeout", options.headTimeout, 60),
    bodyTimeout: seconds("bodyTimeout", options.bodyTimeout, 60),
    idleTimeout: seconds("idleTimeout", options.idleTimeout, 75),
    sendTimeout: seconds("sendTimeout", options.sendTimeout, 60),
  };
  const maxConnections = options.maxConnections ?? 1024;
  if (!Number.isInteger(maxConnections) || maxConnections < 1) {
    throw new RangeError(
      `Cannot listen with maxConnections "${maxConnections}": use a whole number from 1`,
    );
  }
  const log = options.log ?? ((line: string) => console.error(line));
  const listener = Deno.listen({ hostname: options.hostname, port: options.port });
  const connections = new Set<Connection>();
  const running = new Set<Promise<void>>();
  let closing = false;
  let slotFreed: (() => void) | undefined;
  let stopAccepting: (() => void) | undefined;
  const stopped = new Promise<void>((resolve) => stopAccepting = resolve);

  // One timer checks every connection's limits: a timer per read and write cost a quarter of
  // the CPU of a small request (15 µs of 57, measured on loopback).
  const sweeper = setInterval(() => {
    const now = performance.now();
    for (const connection of connections) {
      if (connection.reader.deadline <= now) connection.reader.expire();
      if (connection.writeDeadline <= now) closeQuietly(connection.conn);
    }
  }, SWEEP_MS);
  Deno.unrefTimer(sweeper);

  const accepting = (async () => {
    let backoff = 0;
    for (;;) {
      if (connections.size >= maxConnections) {
        // At the cap: accept nothing until a connection ends (new ones wait in the backlog).
        await Promise.race([new Promise<void>((resolve) => slotFreed = resolve), stopped]);
        if (closing) return;
        continue;
      }
      let conn: Deno.Conn;
      try {
        conn = await listener.accept();
      } catch (error) {
        if (closing) return;
        // Out of file descriptors (EMFILE, ENFILE) the queued connection stays queued, so
        // accepting again at once fails again at once: pause, longer each time, and say so once.
        if (backoff === 0) {
          log(
            `Cannot accept a connection: ${(error as Error).message}; pausing new connections ` +
              `while ${connections.size} are open (raise the limit with ulimit -n, or lower ` +
              "--max-connections)",
          );
        }
        backoff = Math.min(ACCEPT_BACKOFF_MS[1], Math.max(ACCEPT_BACKOFF_MS[0], backoff * 2));
        await Promise.race([new Promise((resolve) => setTimeout(resolve, backoff)), stopped]);
        continue;
      }
      if (backoff !== 0) log(`Accepting connections again (${connections.size} open)`);
      backoff = 0;
      try {
        (conn as Deno.TcpConn).setNoDelay(true);
      } catch {
        // not a TCP connection
      }
      const connection: Connection = {
        conn,
        reader: new ConnReader(conn),
        busy: false,
        writeDeadline: Infinity,
      };
      connections.add(connection);
      const done = serveConnection(connection, handler, limits, () => closing)
        .finally(() => {
          connections.delete(connection);
          running.delete(done);
          slotFreed?.();
        });
      running.add(done);
    }
  })();

  let shuttingDown: Promise<void> | undefined;
  return {
    addr: listener.addr as Deno.NetAddr,
    shutdown: () =>
      shuttingDown ??= (async () => {
        closing = true;
        stopAccepting?.();
        listener.close();
        await accepting;
        for (const connection of connections) {
          if (!connection.busy) closeQuietly(connection.conn);
        }
        // The sweeper runs until the last answer is out: a stuck one ends by its send timeout.
        await Promise.all([...running]);
        clearInterval(sweeper);
      })(),
  };
}

/**
 * Writes to a connection, which the sweeper closes when one write makes no progress for
 * `seconds`: a client that stops reading its answer must not hold the connection (and the
 * object's stream) forever.
 */
function timedWriter(connection: Connection, seconds: number): Writer {
  return {
    async write(bytes) {
      connection.writeDeadline = performance.now() + seconds * 1000;
      try {
        return await connection.conn.write(bytes);
      } finally {
        connection.writeDeadline = Infinity;
      }
    },
  };
}

function seconds(name: string, value: number | undefined, fallback: number): number {
  const n = value ?? fallback;
  if (!(n > 0) || !Number.isFinite(n)) {
    throw new RangeError(`Cannot listen with ${name} "${value}": use a number of seconds over 0`);
  }
  return n;
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // already closed
  }
}

async function serveConnection(
  connection: Connection,
  handler: RequestHandler,
  limits: Limits,
  closing: () => boolean,
): Promise<void> {
  const { conn, reader } = connection;
  const out = timedWriter(connection, limits.sendTimeout);
  const headLimit = () => ({
    deadline: performance.now() + limits.headTimeout * 1000,
    what: "head",
  });
  let first = true;
  try {
    while (!closing()) {
      let request: IncomingRequest;
      let body: RequestBody;
      let head: ReturnType<typeof parseHead>;
      try {
        // A new connection has the head's time to send one; a kept one waits idle until the
        // next head's first byte, which then has the head's time.
        const idle = !first && reader.buffered === 0;
        first = false;
        reader.limit(
          idle
            ? { deadline: performance.now() + limits.idleTimeout * 1000, what: "next request" }
            : headLimit(),
        );
        const bytes = await reader.readHead(
          MAX_HEAD,
          idle ? () => reader.limit(headLimit()) : undefined,
        );
        if (bytes === null) return;
        reader.limit({ inactivity: limits.bodyTimeout, what: "body" });
        head = parseHead(bytes);
        body = new RequestBody(reader, out, head.body, head.expectContinue);
        const reading = body;
        request = {
          method: head.method,
          url: head.target,
          headers: head.headers,
          body: body.stream,
          skipContinue: () => reading.skipContinue(),
        };
      } catch (error) {
        if (error instanceof HttpError) await refuse(conn, out, error, !reader.stuck);
        return;
      }
      connection.busy = true;
      let response: Response;
      try {
        response = await handler(request);
      } catch (error) {
        if (error instanceof ConnectionDropped) return; // closed below, nothing answered
        // A body that broke its framing is the client's fault: its status, not 500.
        response = error instanceof HttpError
          ? plainResponse(error)
          : new Response(null, { status: 500 });
      }
      // A small unread body (a refused upload) is read and dropped before the answer goes out:
      // a client that gets its answer while still sending may drop the connection's state
      // (Deno's node:http client then never sends its next request). Larger rests, and a body
      // refused before `100 Continue` (the client may send it anyway), close the connection:
      // never is a body read as the next request (RFC 9110 §10.1.1).
      const reusable = head.keepAlive && !closing() && body.reusable() && await body.settle();
      await writeResponse(out, response, { head: head.method === "HEAD", close: !reusable });
      connection.busy = false;
      if (!reusable) {
        if (!reader.stuck) await lingeringClose(conn);
        return;
      }
    }
  } catch {
    // The client went away mid-response, or the connection broke: nothing more to do on it.
  } finally {
    closeQuietly(conn);
  }
}

function plainResponse(error: HttpError): Response {
  return new Response(error.message + "\n", {
    status: error.status,
    headers: { "content-type": "text/plain" },
  });
}

async function refuse(
  conn: Deno.Conn,
  out: Writer,
  error: HttpError,
  linger: boolean,
): Promise<void> {
  try {
    await writeResponse(out, plainResponse(error), { head: false, close: true });
    if (linger) await lingeringClose(conn);
  } catch {
    // the client is gone
  }
}

/**
 * Closes after a response while the client may still be sending (a refused upload): stop
 * writing, read and drop for a moment, then close. Closing at once with unread bytes makes the
 * kernel reset the connection, and the client can lose the response it has not read yet.
 */
async function lingeringClose(conn: Deno.Conn): Promise<void> {
  try {
    await (conn as Deno.TcpConn).closeWrite();
  } catch {
    return;
  }
  const sink = new Uint8Array(64 * 1024);
  const timer = setTimeout(() => closeQuietly(conn), 2000);
  try {
    while (await conn.read(sink) !== null);
  } catch {
    // closed by the timer
  } finally {
    clearTimeout(timer);
  }
}
