/**
 * The embedded server's HTTP/1.1 listener (`server/http/`), on raw sockets: `Expect:
 * 100-continue` answered as RGW does, keep-alive across many requests, pipelining, chunked
 * request bodies, heads split into single bytes, malformed heads, and shutdown with idle
 * connections open.
 */

import assert from "node:assert/strict";
import { type HttpServer, listen } from "../../server/http/listen.ts";
import { DEMO_USERS } from "../../server/demo_users.ts";
import { serialize, toWire, writeAll } from "../support/raw_http.ts";
import { signV4 } from "../support/signing.ts";
import { testServer } from "../support/server.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Reads from a connection until `done(text)` says the text is complete, or 5 s pass. */
async function readUntil(conn: Deno.Conn, done: (text: string) => boolean): Promise<string> {
  let text = "";
  const buffer = new Uint8Array(64 * 1024);
  const timer = setTimeout(() => conn.close(), 5000);
  try {
    while (!done(text)) {
      const n = await conn.read(buffer);
      if (n === null) break;
      text += decoder.decode(buffer.subarray(0, n));
    }
  } catch {
    // closed by the timer: the caller sees what arrived
  } finally {
    clearTimeout(timer);
  }
  return text;
}

/** Whether `text` holds `count` complete responses framed by Content-Length. */
function responses(count: number): (text: string) => boolean {
  return (text) => {
    let rest = text;
    for (let i = 0; i < count; i++) {
      const end = rest.indexOf("\r\n\r\n");
      if (end === -1) return false;
      const length = Number(/content-length: (\d+)/i.exec(rest.slice(0, end))?.[1] ?? 0);
      if (rest.length < end + 4 + length) return false;
      rest = rest.slice(end + 4 + length);
    }
    return true;
  };
}

/** A listener that echoes method, target and body. */
function echoServer(): HttpServer {
  return listen({ hostname: "127.0.0.1", port: 0 }, async (request) => {
    const body = request.body === null ? "" : await new Response(request.body).text();
    return new Response(`${request.method} ${request.url} [${body}]`);
  });
}

/** Runs `use` on a connection to a fresh echo server, then closes both. */
async function onEchoConnection(use: (conn: Deno.Conn) => Promise<void>): Promise<void> {
  const server = echoServer();
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
  try {
    await use(conn);
  } finally {
    conn.close();
    await server.shutdown();
  }
}

Deno.test("listen() keeps one connection for 200 requests with 1 KiB heads", async () => {
  await onEchoConnection(async (conn) => {
    for (let i = 0; i < 200; i++) {
      await writeAll(
        conn,
        encoder.encode(`GET /n/${i} HTTP/1.1\r\nhost: x\r\nx-pad: ${"p".repeat(1024)}\r\n\r\n`),
      );
      const text = await readUntil(conn, responses(1));
      assert.match(text, new RegExp(`GET /n/${i} \\[\\]$`), `request ${i}: ${text.slice(0, 80)}`);
    }
  });
});

Deno.test("listen() answers pipelined requests in order, chunked bodies decoded", async () => {
  await onEchoConnection(async (conn) => {
    await writeAll(
      conn,
      encoder.encode(
        "PUT /a HTTP/1.1\r\nhost: x\r\ncontent-length: 3\r\n\r\none" +
          "PUT /b HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n" +
          "3;ext=1\r\ntwo\r\n6\r\n parts\r\n0\r\ntrailer: x\r\n\r\n" +
          "GET /c?x=%2F HTTP/1.1\r\nhost: x\r\n\r\n",
      ),
    );
    const text = await readUntil(conn, responses(3));
    const bodies = text.split(/HTTP\/1\.1 200 OK\r\n[^]*?\r\n\r\n/).filter(Boolean);
    assert.deepEqual(bodies, ["PUT /a [one]", "PUT /b [two parts]", "GET /c?x=%2F []"]);
  });
});

Deno.test("listen() reads a head sent one byte at a time", async () => {
  await onEchoConnection(async (conn) => {
    for (
      const byte of encoder.encode("PUT /slow HTTP/1.1\r\nhost: x\r\ncontent-length: 2\r\n\r\nok")
    ) {
      await writeAll(conn, new Uint8Array([byte]));
    }
    assert.match(await readUntil(conn, responses(1)), /PUT \/slow \[ok\]$/);
  });
});

Deno.test("listen() refuses malformed heads with 4xx and closes", async (t) => {
  const cases: Array<[string, string, number]> = [
    ["a request line without a version", "GET /\r\nhost: x\r\n\r\n", 400],
    ["a header line without a colon", "GET / HTTP/1.1\r\nhost x\r\n\r\n", 400],
    ["an unknown transfer coding", "PUT / HTTP/1.1\r\ntransfer-encoding: gzip\r\n\r\n", 501],
    [
      "two different lengths",
      "PUT / HTTP/1.1\r\ncontent-length: 1\r\ncontent-length: 2\r\n\r\n",
      400,
    ],
    ["HTTP/2.0", "GET / HTTP/2.0\r\nhost: x\r\n\r\n", 505],
  ];
  const server = echoServer();
  try {
    for (const [name, head, status] of cases) {
      await t.step(`${name} → ${status}`, async () => {
        const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
        try {
          await writeAll(conn, encoder.encode(head));
          const text = await readUntil(conn, () => false); // until the server closes
          assert.match(text, new RegExp(`^HTTP/1\\.1 ${status} `));
          assert.match(text, /connection: close/);
        } finally {
          conn.close();
        }
      });
    }
  } finally {
    await server.shutdown();
  }
});

Deno.test("listen() shutdown closes idle keep-alive connections and returns", async () => {
  const server = echoServer();
  const conns = await Promise.all(
    [1, 2, 3].map(() => Deno.connect({ hostname: "127.0.0.1", port: server.addr.port })),
  );
  await writeAll(conns[0], encoder.encode("GET / HTTP/1.1\r\nhost: x\r\n\r\n"));
  await readUntil(conns[0], responses(1));
  await server.shutdown();
  for (const conn of conns) {
    assert.equal(await readUntil(conn, () => false), "", "the server closed it");
    conn.close();
  }
});

async function signedPut(port: number, user = DEMO_USERS[0], path = "/continue/k") {
  const body = encoder.encode("the body");
  const signed = await signV4(
    { method: "PUT", host: `127.0.0.1:${port}`, path, query: {}, headers: {}, body },
    user,
    new Date(),
  );
  const wire = toWire({ ...signed, body: new Uint8Array() });
  wire.headers.push(["content-length", String(body.length)], ["expect", "100-continue"]);
  return { head: serialize(wire), body };
}

async function signedList(port: number): Promise<Uint8Array> {
  return serialize(toWire(
    await signV4(
      { method: "GET", host: `127.0.0.1:${port}`, path: "/", query: {}, headers: {} },
      DEMO_USERS[0],
      new Date(),
    ),
  ));
}

Deno.test("the server answers a refused Expect: 100-continue upload before its body, then closes", async () => {
  await using server = await testServer();
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
  try {
    const create = await signV4(
      {
        method: "PUT",
        host: `127.0.0.1:${server.port}`,
        path: "/continue",
        query: {},
        headers: {},
      },
      DEMO_USERS[0],
      new Date(),
    );
    await writeAll(conn, serialize(toWire(create)));
    assert.match(await readUntil(conn, responses(1)), /^HTTP\/1\.1 200/);

    // The owner's upload gets 100 Continue, then its answer once the body is sent; the
    // connection carries the next request.
    const accepted = await signedPut(server.port);
    await writeAll(conn, accepted.head);
    assert.equal(
      await readUntil(conn, (text) => text.includes("\r\n\r\n")),
      "HTTP/1.1 100 Continue\r\n\r\n",
    );
    await writeAll(conn, accepted.body);
    assert.match(await readUntil(conn, responses(1)), /^HTTP\/1\.1 200[^]*etag: "/);
    await writeAll(conn, await signedList(server.port));
    assert.match(await readUntil(conn, responses(1)), /^HTTP\/1\.1 200[^]*<Name>continue<\/Name>/);

    // Another user may not write: 403 at once, no 100 Continue, the body never sent, and the
    // connection closed (the client might send the body anyway).
    const refused = await signedPut(server.port, DEMO_USERS[1]);
    await writeAll(conn, refused.head);
    const answer = await readUntil(conn, () => false);
    assert.match(answer, /^HTTP\/1\.1 403 Forbidden/);
    assert.doesNotMatch(answer, /100 Continue/);
    assert.match(answer, /connection: close/);
  } finally {
    conn.close();
  }
});

Deno.test("the server answers 400 IncompleteBody to an upload cut short, and stores nothing", async () => {
  await using server = await testServer();
  const create = await signV4(
    { method: "PUT", host: `127.0.0.1:${server.port}`, path: "/short", query: {}, headers: {} },
    DEMO_USERS[0],
    new Date(),
  );
  const first = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
  try {
    await writeAll(first, serialize(toWire(create)));
    assert.match(await readUntil(first, responses(1)), /^HTTP\/1\.1 200/);
  } finally {
    first.close();
  }
  const signed = await signV4(
    {
      method: "PUT",
      host: `127.0.0.1:${server.port}`,
      path: "/short/k",
      query: {},
      headers: { "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
    },
    DEMO_USERS[0],
    new Date(),
  );
  const wire = toWire(signed);
  wire.headers.push(["content-length", "10"]);
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
  try {
    await writeAll(conn, serialize(wire));
    await writeAll(conn, encoder.encode("12345"));
    await conn.closeWrite(); // 5 of the 10 bytes, then nothing more
    const answer = await readUntil(conn, () => false);
    assert.match(answer, /^HTTP\/1\.1 400[^]*<Code>IncompleteBody<\/Code>/);
  } finally {
    conn.close();
  }
  const head = await signV4(
    { method: "HEAD", host: `127.0.0.1:${server.port}`, path: "/short/k", query: {}, headers: {} },
    DEMO_USERS[0],
    new Date(),
  );
  const check = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
  try {
    await writeAll(check, serialize(toWire(head)));
    assert.match(await readUntil(check, (t) => t.includes("\r\n\r\n")), /^HTTP\/1\.1 404/);
  } finally {
    check.close();
  }
});
