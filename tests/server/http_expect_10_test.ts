/**
 * RFC 9110 §10.1.1: "A server that receives a 100-continue expectation in an HTTP/1.0 request
 * MUST ignore that expectation." HTTP/1.0 has no 1xx answers, so an HTTP/1.0 client (or a proxy
 * speaking 1.0 to the server) would read `100 Continue` as the final answer and the real one as
 * junk after it.
 *
 * @module
 */

import assert from "node:assert/strict";
import { DEMO_USERS } from "../../server/demo_users.ts";
import { serialize, toWire } from "../support/raw_http.ts";
import { signV4 } from "../support/signing.ts";
import { testServer } from "../support/server.ts";

const decoder = new TextDecoder();

/** Sends bytes and reads until the server closes, at most 10 s. */
async function exchange(port: number, bytes: Uint8Array): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const timer = setTimeout(() => conn.close(), 10_000);
  try {
    await conn.write(bytes);
    let text = "";
    const buffer = new Uint8Array(65536);
    for (;;) {
      const n = await conn.read(buffer).catch(() => null);
      if (n === null) return text;
      text += decoder.decode(buffer.subarray(0, n));
    }
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch { /* closed by the timer */ }
  }
}

Deno.test("an HTTP/1.0 request's Expect: 100-continue is ignored: no 100 Continue is sent", async () => {
  await using server = await testServer();
  const host = `127.0.0.1:${server.port}`;
  const sign = async (method: string, path: string, body: string) =>
    serialize(toWire(
      await signV4(
        { method, host, path, body: new TextEncoder().encode(body) },
        DEMO_USERS[0],
        new Date(),
      ),
    ));
  const bucket = decoder.decode(await sign("PUT", "/expect-ten", ""))
    .replace("\r\n\r\n", "\r\nconnection: close\r\n\r\n");
  assert.match(await exchange(server.port, new TextEncoder().encode(bucket)), /^HTTP\/1\.1 200/);
  const put = decoder.decode(await sign("PUT", "/expect-ten/k", "hello"))
    .replace(" HTTP/1.1\r\n", " HTTP/1.0\r\n")
    .replace("\r\n\r\n", "\r\nexpect: 100-continue\r\n\r\n");
  const answer = await exchange(server.port, new TextEncoder().encode(put));
  assert.doesNotMatch(answer, /100 Continue/, "an HTTP/1.0 client was sent 100 Continue");
  assert.match(answer, /^HTTP\/1\.1 200 /);
});
