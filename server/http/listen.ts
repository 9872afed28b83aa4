/**
 * The embedded server's HTTP/1.1 listener. `Deno.serve` answers `Expect: 100-continue` with
 * `100 Continue` before the handler runs, so a refused upload still has its body sent, and then
 * closes the connection; Ceph RGW answers the refusal first and keeps the connection (measured
 * with raw requests on RGW 16). This listener lets the handler decide: the body is a stream read
 * off the socket only when asked for (see `body.ts`).
 *
 * @module
 */

import { ConnectionDropped, HttpError } from "./_errors.ts";
import { ConnReader } from "./_reader.ts";
import { RequestBody } from "./body.ts";
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

/** Where to listen. */
export interface ListenOptions {
  /** The address to bind. */
  hostname: string;
  /** The port; 0 picks a free one. */
  port: number;
}

/** A listening HTTP server. */
export interface HttpServer {
  /** The address bound. */
  readonly addr: Deno.NetAddr;
  /** Stops accepting, closes idle connections, waits for requests in flight. */
  shutdown(): Promise<void>;
}

interface Connection {
  conn: Deno.Conn;
  /** Inside a handler or writing its response (not to be cut by shutdown). */
  busy: boolean;
}

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
  const listener = Deno.listen({ hostname: options.hostname, port: options.port });
  const connections = new Set<Connection>();
  const running = new Set<Promise<void>>();
  let closing = false;

  const accepting = (async () => {
    for (;;) {
      let conn: Deno.Conn;
      try {
        conn = await listener.accept();
      } catch {
        if (closing) return;
        continue; // a connection that failed while being accepted
      }
      try {
        (conn as Deno.TcpConn).setNoDelay(true);
      } catch {
        // not a TCP connection
      }
      const connection: Connection = { conn, busy: false };
      connections.add(connection);
      const done = serveConnection(connection, handler, () => closing)
        .finally(() => {
          connections.delete(connection);
          running.delete(done);
        });
      running.add(done);
    }
  })();

  let stopped: Promise<void> | undefined;
  return {
    addr: listener.addr as Deno.NetAddr,
    shutdown: () =>
      stopped ??= (async () => {
        closing = true;
        listener.close();
        await accepting;
        for (const connection of connections) {
          if (!connection.busy) closeQuietly(connection.conn);
        }
        await Promise.all([...running]);
      })(),
  };
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
  closing: () => boolean,
): Promise<void> {
  const { conn } = connection;
  const reader = new ConnReader(conn);
  try {
    while (!closing()) {
      let request: IncomingRequest;
      let body: RequestBody;
      let head: ReturnType<typeof parseHead>;
      try {
        const bytes = await reader.readHead(MAX_HEAD);
        if (bytes === null) return;
        head = parseHead(bytes);
        body = new RequestBody(reader, conn, head.body, head.expectContinue);
        const reading = body;
        request = {
          method: head.method,
          url: head.target,
          headers: head.headers,
          body: body.stream,
          skipContinue: () => reading.skipContinue(),
        };
      } catch (error) {
        if (error instanceof HttpError) await refuse(conn, error);
        return;
      }
      connection.busy = true;
      let response: Response;
      try {
        response = await handler(request);
      } catch (error) {
        if (error instanceof ConnectionDropped) return; // closed below, nothing answered
        response = new Response(null, { status: 500 });
      }
      // A small unread body (a refused upload) is read and dropped before the answer goes out:
      // a client that gets its answer while still sending may drop the connection's state
      // (Deno's node:http client then never sends its next request). Larger rests close the
      // connection; a body awaiting `100 Continue` was never sent.
      const reusable = head.keepAlive && !closing() && body.reusable() && await body.settle();
      await writeResponse(conn, response, { head: head.method === "HEAD", close: !reusable });
      connection.busy = false;
      if (!reusable) {
        await lingeringClose(conn);
        return;
      }
    }
  } catch {
    // The client went away mid-response, or the connection broke: nothing more to do on it.
  } finally {
    closeQuietly(conn);
  }
}

async function refuse(conn: Deno.Conn, error: HttpError): Promise<void> {
  const text = error.message + "\n";
  try {
    await writeResponse(
      conn,
      new Response(text, { status: error.status, headers: { "content-type": "text/plain" } }),
      { head: false, close: true },
    );
    await lingeringClose(conn);
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
