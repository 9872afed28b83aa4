/**
 * A TCP proxy for fault tests: sits in front of a server to delay what clients send, watch it,
 * or cut every connection at once.
 *
 * @example
 * ```ts ignore
 * import { startProxy } from "./proxy.ts";
 * const proxy = startProxy(server.port, { delayMs: 5 });
 * // ... point a client at proxy.port, then proxy.dropAll() ...
 * await proxy.close();
 * ```
 *
 * @module
 */

import { writeAll } from "./raw_http.ts";

/** A TCP proxy in front of a server, to delay traffic or cut connections. */
export interface Proxy {
  /** The port it listens on (127.0.0.1). */
  port: number;
  /** Bytes forwarded from clients to the server so far. */
  readonly bytesUp: number;
  /** Closes every open connection (clients see a reset), new ones still pass. */
  dropAll(): void;
  /** Stops the proxy. */
  close(): Promise<void>;
}

/**
 * Starts a TCP proxy on 127.0.0.1 in front of `127.0.0.1:targetPort`.
 *
 * @param targetPort The server's port.
 * @param options `delayMs` delays each chunk a client sends; `onUp` sees the running byte count;
 *   `onUpData` sees each chunk a client sends; `dropAnswerTo` sees the request line of each
 *   request a client starts (`POST /b/k?uploadId=... HTTP/1.1`) and, when it returns true, the
 *   server's answer to that request is not passed on: the connection is cut as it arrives (an
 *   answer lost after the server acted).
 * @returns The proxy.
 */
export function startProxy(
  targetPort: number,
  options: {
    delayMs?: number;
    onUp?: (total: number) => void;
    onUpData?: (chunk: Uint8Array) => void;
    dropAnswerTo?: (requestLine: string) => boolean;
  } = {},
): Proxy {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const open = new Set<Deno.Conn>();
  const tasks = new Set<Promise<void>>();
  let bytesUp = 0;
  const closeQuietly = (c: Deno.Conn) => {
    try {
      c.close();
    } catch {
      // already closed
    }
    open.delete(c);
  };
  const pump = async (
    from: Deno.Conn,
    to: Deno.Conn,
    up: boolean,
    cut: { next: boolean } = { next: false },
  ) => {
    const buffer = new Uint8Array(64 * 1024);
    try {
      while (true) {
        const n = await from.read(buffer);
        if (n === null) break;
        if (up && options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
        const chunk = buffer.slice(0, n);
        if (up) options.onUpData?.(chunk);
        if (up && options.dropAnswerTo) {
          const line = /^[A-Z]+ \S+ HTTP\/1\.[01]/.exec(
            new TextDecoder("latin1").decode(chunk.subarray(0, 2048)),
          );
          if (line && options.dropAnswerTo(line[0])) cut.next = true;
        }
        if (!up && cut.next) break;
        await writeAll(to, chunk);
        if (up) {
          bytesUp += n;
          options.onUp?.(bytesUp);
        }
      }
    } catch {
      // a side closed
    } finally {
      closeQuietly(from);
      closeQuietly(to);
    }
  };
  const accepting = (async () => {
    try {
      for await (const client of listener) {
        open.add(client);
        const task = (async () => {
          let server: Deno.Conn;
          try {
            server = await Deno.connect({ hostname: "127.0.0.1", port: targetPort });
          } catch {
            closeQuietly(client);
            return;
          }
          open.add(server);
          const cut = { next: false };
          await Promise.all([pump(client, server, true, cut), pump(server, client, false, cut)]);
        })();
        tasks.add(task);
        task.finally(() => tasks.delete(task));
      }
    } catch {
      // listener closed
    }
  })();
  return {
    port: (listener.addr as Deno.NetAddr).port,
    get bytesUp() {
      return bytesUp;
    },
    dropAll() {
      for (const c of [...open]) closeQuietly(c);
    },
    async close() {
      listener.close();
      for (const c of [...open]) closeQuietly(c);
      await accepting;
      await Promise.allSettled([...tasks]);
    },
  };
}
