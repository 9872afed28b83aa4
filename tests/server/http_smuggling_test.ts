/**
 * No request inside another (RFC 9110 §10.1.1), on raw sockets against the embedded server: a
 * request refused before its body was read whole is answered with `connection: close` and the
 * connection is closed, so body bytes sent after the refusal are never read as a request. Ceph
 * RGW 16 keeps the connection and parses them as the next request: behind a proxy that reuses
 * connections, that is request smuggling.
 */

import assert from "node:assert/strict";
import { DEMO_USERS } from "../../server/demo_users.ts";
import { serialize, toWire, writeAll } from "../support/raw_http.ts";
import { signV4 } from "../support/signing.ts";
import { testServer } from "../support/server.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Everything the server sends until it closes the connection (or 10 s pass). */
async function readToEnd(conn: Deno.Conn): Promise<string> {
  let text = "";
  const buffer = new Uint8Array(64 * 1024);
  const timer = setTimeout(() => conn.close(), 10_000);
  try {
    for (let n = await conn.read(buffer); n !== null; n = await conn.read(buffer)) {
      text += decoder.decode(buffer.subarray(0, n));
    }
  } catch {
    // closed by the timer or reset: the caller sees what arrived
  } finally {
    clearTimeout(timer);
  }
  return text;
}

async function signed(
  port: number,
  method: string,
  path: string,
  body?: Uint8Array,
  user = DEMO_USERS[0],
): Promise<Uint8Array> {
  return serialize(toWire(
    await signV4(
      { method, host: `127.0.0.1:${port}`, path, query: {}, headers: {}, body },
      user,
      new Date(),
    ),
  ));
}

/** A status of a one-off request on its own connection. */
async function statusOf(port: number, request: Uint8Array): Promise<number> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await writeAll(conn, request);
    const buffer = new Uint8Array(4096);
    const n = await conn.read(buffer);
    return Number(decoder.decode(buffer.subarray(0, n ?? 0)).split(" ")[1]);
  } finally {
    conn.close();
  }
}

Deno.test("a PUT refused before 100 Continue is answered with connection: close and its body never runs as a request", async (t) => {
  await using server = await testServer();
  const port = server.port;
  assert.equal(await statusOf(port, await signed(port, "PUT", "/smuggle")), 200);

  const inner = await signed(port, "PUT", "/smuggle/inner", encoder.encode("smuggled"));
  await t.step(
    "another user's upload with Expect: 100-continue, its body a signed PUT",
    async () => {
      const outer = toWire(
        await signV4(
          { method: "PUT", host: `127.0.0.1:${port}`, path: "/smuggle/x", query: {}, headers: {} },
          DEMO_USERS[1],
          new Date(),
        ),
      );
      outer.headers.push(["content-length", String(inner.length)], ["expect", "100-continue"]);
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      try {
        await writeAll(conn, serialize(outer));
        const buffer = new Uint8Array(64 * 1024);
        const n = await conn.read(buffer);
        const answer = decoder.decode(buffer.subarray(0, n ?? 0));
        assert.match(answer, /^HTTP\/1\.1 403 /);
        assert.match(answer, /\r\nconnection: close\r\n/i);
        // A careless client (or an attacker) sends the body anyway.
        await writeAll(conn, inner).catch(() => {});
        const rest = await readToEnd(conn);
        assert.doesNotMatch(rest, /HTTP\/1\.1/, `a second answer came: ${rest.slice(0, 80)}`);
      } finally {
        conn.close();
      }
    },
  );

  await t.step("the same without Expect: the body is read whole first, never run", async () => {
    const outer = toWire(
      await signV4(
        { method: "PUT", host: `127.0.0.1:${port}`, path: "/smuggle/y", query: {}, headers: {} },
        DEMO_USERS[1],
        new Date(),
      ),
    );
    outer.headers.push(["content-length", String(inner.length)]);
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    try {
      await writeAll(conn, serialize(outer));
      await writeAll(conn, inner);
      await conn.closeWrite();
      const answers = (await readToEnd(conn)).match(/HTTP\/1\.1 \d+/g);
      assert.deepEqual(answers, ["HTTP/1.1 403"]);
    } finally {
      conn.close();
    }
  });

  await t.step("the smuggled object was never stored", async () => {
    assert.equal(await statusOf(port, await signed(port, "HEAD", "/smuggle/inner")), 404);
  });
});
