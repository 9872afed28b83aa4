/**
 * The listener's time and connection limits, on raw sockets over loopback: 500 slow heads each
 * closed by the head timeout while normal requests are served; a body that stops sending fails
 * the upload (its stream errors, nothing is stored); an idle keep-alive connection is closed; past
 * `maxConnections` new connections wait. Timeouts are set to seconds here; defaults are nginx's.
 */

import assert from "node:assert/strict";
import { listen } from "../../server/http/listen.ts";
import { DEMO_USERS } from "../../server/demo_users.ts";
import { serialize, toWire, writeAll } from "../support/raw_http.ts";
import { signV4 } from "../support/signing.ts";
import { testServer } from "../support/server.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // already closed (by a timer or the server)
  }
}

/** Reads until the server closes the connection; `null` if it is still open after `ms`. */
async function untilClosed(conn: Deno.Conn, ms: number): Promise<string | null> {
  let text = "";
  let open = true;
  const timer = setTimeout(() => {
    if (open) closeQuietly(conn);
  }, ms);
  const buffer = new Uint8Array(16 * 1024);
  try {
    for (let n = await conn.read(buffer); n !== null; n = await conn.read(buffer)) {
      text += decoder.decode(buffer.subarray(0, n));
    }
    open = false;
    return text;
  } catch (error) {
    if (error instanceof Deno.errors.ConnectionReset) return text;
    return null; // closed by the timer: the server kept it open
  } finally {
    clearTimeout(timer);
  }
}

async function signed(port: number, method: string, path: string, body?: Uint8Array) {
  return serialize(toWire(
    await signV4(
      { method, host: `127.0.0.1:${port}`, path, query: {}, headers: {}, body },
      DEMO_USERS[0],
      new Date(),
    ),
  ));
}

/** One request on its own connection: the status line. */
async function statusLine(port: number, request: Uint8Array): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await writeAll(conn, request);
    const buffer = new Uint8Array(4096);
    const n = await conn.read(buffer);
    return decoder.decode(buffer.subarray(0, n ?? 0)).split("\r\n")[0];
  } finally {
    closeQuietly(conn);
  }
}

Deno.test("500 slow heads are each closed by the head timeout while normal requests are served", async () => {
  await using server = await testServer({ headTimeout: 3 });
  const port = server.port;
  const started = performance.now();
  const slow = await Promise.all(
    Array.from({ length: 500 }, () => Deno.connect({ hostname: "127.0.0.1", port })),
  );
  let sending = true;
  // Each sends a header byte every second (slowloris): never a whole head.
  const dripping = slow.map(async (conn, i) => {
    try {
      await writeAll(conn, encoder.encode(`GET /slow/${i} HTTP/1.1\r\nhost: x\r\nx-drip: `));
      while (sending) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        await writeAll(conn, encoder.encode("a"));
      }
    } catch {
      // the server closed it
    }
  });
  try {
    // Meanwhile normal requests are answered at once.
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      assert.match(await statusLine(port, await signed(port, "GET", "/")), /^HTTP\/1\.1 200 /);
      assert.ok(performance.now() - t0 < 2000, `request ${i} took ${performance.now() - t0} ms`);
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    const ends = await Promise.all(slow.map((conn) => untilClosed(conn, 20_000)));
    const open = ends.filter((text) => text === null).length;
    assert.equal(open, 0, `${open} of 500 slow connections still open after 20 s`);
    const answered = ends.filter((text) => text?.startsWith("HTTP/1.1 408 ")).length;
    assert.ok(answered > 450, `only ${answered} of 500 were answered 408`);
    const seconds = (performance.now() - started) / 1000;
    assert.ok(seconds >= 3, `closed after ${seconds} s, before the head timeout`);
    console.log(`500 slow heads closed ${seconds.toFixed(1)} s after they started (timeout 3 s)`);
  } finally {
    sending = false;
    await Promise.all(dripping);
    for (const conn of slow) closeQuietly(conn);
  }
});

Deno.test("an upload whose body stops sending fails after the body timeout and stores nothing", async () => {
  await using server = await testServer({ bodyTimeout: 1 });
  const port = server.port;
  assert.match(await statusLine(port, await signed(port, "PUT", "/stall")), /^HTTP\/1\.1 200 /);
  const body = encoder.encode("0123456789");
  const request = await signV4(
    {
      method: "PUT",
      host: `127.0.0.1:${port}`,
      path: "/stall/k",
      query: {},
      headers: { "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
      body,
    },
    DEMO_USERS[0],
    new Date(),
  );
  const wire = serialize(toWire(request));
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await writeAll(conn, wire.subarray(0, wire.length - 5)); // the head and half the body
    const t0 = performance.now();
    const answer = await untilClosed(conn, 15_000);
    assert.notEqual(answer, null, "the server kept the stalled upload open");
    assert.match(answer!, /^HTTP\/1\.1 400 [^]*<Code>IncompleteBody<\/Code>/);
    assert.match(answer!, /connection: close/);
    assert.ok(performance.now() - t0 >= 900, "answered before the body timeout");
  } finally {
    closeQuietly(conn);
  }
  assert.match(await statusLine(port, await signed(port, "HEAD", "/stall/k")), / 404 /);
});

Deno.test("listen() errors the body stream of a request whose connection stalls or drops", async (t) => {
  const errors: string[] = [];
  const server = listen(
    { hostname: "127.0.0.1", port: 0, bodyTimeout: 1 },
    async (request) => {
      try {
        await new Response(request.body).arrayBuffer();
        errors.push("none");
      } catch (error) {
        errors.push((error as Error).message);
      }
      return new Response("done");
    },
  );
  try {
    for (const [name, end] of [["stalls", "stall"], ["drops", "drop"]] as const) {
      await t.step(`the connection ${name} mid-body`, async () => {
        errors.length = 0;
        const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
        try {
          await writeAll(
            conn,
            encoder.encode("PUT /k HTTP/1.1\r\nhost: x\r\ncontent-length: 10\r\n\r\n01234"),
          );
          if (end === "drop") await conn.closeWrite();
          await untilClosed(conn, 10_000);
        } finally {
          closeQuietly(conn);
        }
        assert.equal(errors.length, 1);
        assert.match(errors[0], end === "stall" ? /timed out/ : /connection ended/);
      });
    }
  } finally {
    await server.shutdown();
  }
});

Deno.test("an idle keep-alive connection is closed after the idle timeout", async () => {
  await using server = await testServer({ idleTimeout: 1 });
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
  try {
    await writeAll(conn, await signed(server.port, "GET", "/"));
    const t0 = performance.now();
    const text = await untilClosed(conn, 10_000);
    assert.notEqual(text, null, "still open after 10 s");
    assert.match(text!, /^HTTP\/1\.1 200 /);
    assert.doesNotMatch(text!, /connection: close/); // kept alive, then closed when idle
    assert.ok(performance.now() - t0 >= 900, "closed before the idle timeout");
  } finally {
    closeQuietly(conn);
  }
});

Deno.test("listen() accepts no more than maxConnections at once; the next waits for one to end", async () => {
  const server = listen(
    { hostname: "127.0.0.1", port: 0, maxConnections: 2 },
    () => Promise.resolve(new Response("ok")),
  );
  const conns = await Promise.all(
    [0, 1, 2].map(() => Deno.connect({ hostname: "127.0.0.1", port: server.addr.port })),
  );
  try {
    const ask = encoder.encode("GET / HTTP/1.1\r\nhost: x\r\n\r\n");
    const buffer = new Uint8Array(1024);
    for (const conn of conns.slice(0, 2)) {
      await writeAll(conn, ask);
      assert.ok((await conn.read(buffer) ?? 0) > 0);
    }
    await writeAll(conns[2], ask);
    const third = conns[2].read(buffer);
    const early = await Promise.race([
      third.then(() => "answered"),
      new Promise((resolve) => setTimeout(() => resolve("waiting"), 1000)),
    ]);
    assert.equal(early, "waiting", "a third connection was served past the cap");
    conns[0].close();
    assert.ok((await third ?? 0) > 0, "the third connection was served once one ended");
  } finally {
    for (const conn of conns) closeQuietly(conn);
    await server.shutdown();
  }
});

Deno.test("listen() closes a connection whose client stops reading its answer, after the send timeout", async () => {
  let served = false;
  const server = listen(
    { hostname: "127.0.0.1", port: 0, sendTimeout: 1 },
    () => {
      served = true;
      return Promise.resolve(new Response(new Uint8Array(64 * 1024 * 1024)));
    },
  );
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
  try {
    await writeAll(conn, encoder.encode("GET /big HTTP/1.1\r\nhost: x\r\n\r\n"));
    // The client reads nothing: 64 MiB cannot fit in the sockets' buffers.
    while (!served) await new Promise((resolve) => setTimeout(resolve, 50));
    const t0 = performance.now();
    // shutdown() waits for the answer in flight: it returns only once the stuck write gave up.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const outcome = await Promise.race([
      server.shutdown().then(() => "closed"),
      new Promise((resolve) => timer = setTimeout(() => resolve("still writing"), 15_000)),
    ]);
    clearTimeout(timer);
    assert.equal(outcome, "closed", "the server still holds the unread answer after 15 s");
    assert.ok(performance.now() - t0 >= 900, "closed before the send timeout");
  } finally {
    closeQuietly(conn);
    await server.shutdown();
  }
});
