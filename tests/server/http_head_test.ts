/**
 * The listener's head parser as RFC 9112 says, on raw sockets: each head front ends read
 * differently (whitespace that is not OWS, two framings, HTTP/1.0 chunked, an absolute-form
 * target, raw bytes in the target, a field sent twice) is refused with 400 and the connection
 * closed, the handler never called; an absolute-form target is addressed by its own authority.
 */

import assert from "node:assert/strict";
import { type HttpServer, listen } from "../../server/http/listen.ts";
import { DEMO_USERS } from "../../server/demo_users.ts";
import { serialize, toWire, writeAll } from "../support/raw_http.ts";
import { signV4 } from "../support/signing.ts";
import { testServer } from "../support/server.ts";

const decoder = new TextDecoder();

/** A listener that echoes what its handler saw; counts the requests handled. */
function echoServer(): HttpServer & { handled: string[] } {
  const handled: string[] = [];
  const server = listen({ hostname: "127.0.0.1", port: 0 }, async (request) => {
    const body = request.body === null ? "" : await new Response(request.body).text();
    const seen = `${request.method} ${request.url} host=${request.headers.get("host")} [${body}]`;
    handled.push(seen);
    return new Response(seen);
  });
  return Object.assign(server, { handled });
}

/** One byte per character, as the bytes go on the wire. */
function bytes(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

/** Sends `head` on a new connection and reads until the server closes it (or 5 s pass). */
async function exchange(port: number, head: string): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  let text = "";
  const timer = setTimeout(() => conn.close(), 5000);
  try {
    await writeAll(conn, bytes(head));
    const buffer = new Uint8Array(64 * 1024);
    for (let n = await conn.read(buffer); n !== null; n = await conn.read(buffer)) {
      text += decoder.decode(buffer.subarray(0, n));
    }
  } catch {
    // closed by the timer, or reset: the caller sees what arrived
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch {
      // already closed
    }
  }
  return text;
}

const REFUSED: Array<[string, string]> = [
  [
    "an absolute-form target whose authority carries userinfo",
    "GET http://user@x/a HTTP/1.1\r\nhost: x\r\n\r\n",
  ],
  [
    "an absolute-form target with an empty authority",
    "GET http:///a HTTP/1.1\r\nhost: x\r\n\r\n",
  ],
  [
    "a chunked trailer line that is not a field",
    "PUT /a HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nno colon here\r\n\r\n",
  ],
  [
    "Content-Length after a no-break space (0xA0 is not OWS)",
    "PUT /a HTTP/1.1\r\nhost: x\r\ncontent-length:\xa05\r\n\r\nhello",
  ],
  [
    "Transfer-Encoding after a vertical tab (0x0B is not OWS)",
    "PUT /a HTTP/1.1\r\nhost: x\r\ntransfer-encoding:\x0bchunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
  ],
  [
    "Content-Length followed by a tab (OWS, but llhttp refuses it there)",
    "PUT /a HTTP/1.1\r\nhost: x\r\ncontent-length: 5\t\r\n\r\nhello",
  ],
  [
    "an empty chunk extension",
    "PUT /a HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n5;\r\nhello\r\n0\r\n\r\n",
  ],
  ["a method llhttp does not know", "ET /a HTTP/1.1\r\nhost: x\r\n\r\n"],
  [
    "Content-Length followed by a form feed",
    "PUT /a HTTP/1.1\r\nhost: x\r\ncontent-length: 5\x0c\r\n\r\nhello",
  ],
  [
    "HTTP/1.0 with Transfer-Encoding: chunked",
    "PUT /a HTTP/1.0\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
  ],
  [
    "Transfer-Encoding and Content-Length together",
    "PUT /a HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\ncontent-length: 3\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
  ],
  [
    "Content-Length and Transfer-Encoding together, Content-Length first",
    "PUT /a HTTP/1.1\r\nhost: x\r\ncontent-length: 15\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
  ],
  [
    "two Content-Length fields of the same value",
    "PUT /a HTTP/1.1\r\nhost: x\r\ncontent-length: 5\r\ncontent-length: 5\r\n\r\nhello",
  ],
  ["a raw byte 0xE9 in the target", "GET /caf\xe9 HTTP/1.1\r\nhost: x\r\n\r\n"],
  ["a NUL in the target", "GET /a\x00b HTTP/1.1\r\nhost: x\r\n\r\n"],
  ["a CR in the target", "GET /a\rb HTTP/1.1\r\nhost: x\r\n\r\n"],
  ["a control byte 0x01 in the target", "GET /a\x01b HTTP/1.1\r\nhost: x\r\n\r\n"],
  ["a DEL in the target", "GET /a\x7fb HTTP/1.1\r\nhost: x\r\n\r\n"],
  ["a target that is neither origin- nor absolute-form", "GET a/b HTTP/1.1\r\nhost: x\r\n\r\n"],
  [
    "two Authorization headers",
    "GET / HTTP/1.1\r\nhost: x\r\nauthorization: AWS4-HMAC-SHA256 bad\r\nauthorization: AWS4-HMAC-SHA256 good\r\n\r\n",
  ],
  ["two Host headers", "GET / HTTP/1.1\r\nhost: a.localhost\r\nhost: b.localhost\r\n\r\n"],
  ["a folded header line (obs-fold)", "GET / HTTP/1.1\r\nhost: x\r\nx-amz-meta-a: 1\r\n 2\r\n\r\n"],
  ["header lines ending in a bare LF", "GET / HTTP/1.1\nhost: x\n\n"],
  ["a bare CR inside a header value", "GET / HTTP/1.1\r\nhost: x\r\nx-a: 1\rx-b: 2\r\n\r\n"],
  [
    "a chunk size followed by a space",
    "PUT /a HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n5 \r\nhello\r\n0\r\n\r\n",
  ],
  [
    "a chunk size followed by a no-break space",
    "PUT /a HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n5\xa0\r\nhello\r\n0\r\n\r\n",
  ],
  [
    "a chunk line ending in a bare LF",
    "PUT /a HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n",
  ],
];

Deno.test("listen() refuses heads RFC 9112 calls malformed or ambiguous with 400 (501 for a method) and closes", async (t) => {
  const server = echoServer();
  try {
    for (const [name, head] of REFUSED) {
      await t.step(name, async () => {
        server.handled.length = 0;
        const text = await exchange(server.addr.port, head);
        const answers = text.match(/HTTP\/1\.1 \d{3}/g) ?? [];
        // A body that failed to frame may reach the handler, but its answer is never a success.
        assert.equal(answers.length, 1, `answered: ${text.slice(0, 200)}`);
        assert.match(answers[0], / (400|501)$/, `answered: ${text.slice(0, 200)}`);
        assert.match(text, /\r\nconnection: close\r\n/);
        assert.ok(
          server.handled.every((seen) => !seen.endsWith("[hello]")),
          `the handler read the body: ${server.handled}`,
        );
      });
    }
  } finally {
    await server.shutdown();
  }
});

Deno.test("listen() addresses an absolute-form target by its own authority, not the Host header", async () => {
  const server = echoServer();
  try {
    const text = await exchange(
      server.addr.port,
      "GET http://b.localhost:9000/k?acl HTTP/1.1\r\nhost: a.localhost\r\nconnection: close\r\n\r\n",
    );
    assert.match(text, /^HTTP\/1\.1 200 /);
    assert.deepEqual(server.handled, [
      "GET http://b.localhost:9000/k?acl host=b.localhost:9000 []",
    ]);
  } finally {
    await server.shutdown();
  }
});

Deno.test("listen() still accepts heads RFC 9112 allows", async (t) => {
  const server = echoServer();
  const cases: Array<[string, string, string]> = [
    [
      "OWS of spaces and tabs around a value",
      "PUT /a HTTP/1.1\r\nhost: x\r\ncontent-length: 5 \r\nx-amz-meta-a: \t1 \t\r\nconnection: close\r\n\r\nhello",
      "PUT /a host=x [hello]",
    ],
    [
      "bytes ≥ 0x80 inside a value (obs-text)",
      "GET /a HTTP/1.1\r\nhost: x\r\nx-amz-meta-n: caf\xe9\r\nconnection: close\r\n\r\n",
      "GET /a host=x []",
    ],
    [
      "chunked with an extension and a trailer",
      "PUT /a HTTP/1.1\r\nhost: x\r\ntransfer-encoding: Chunked\r\nconnection: close\r\n\r\n5;name=v\r\nhello\r\n0\r\nx-t: 1\r\n\r\n",
      "PUT /a host=x [hello]",
    ],
    [
      "HTTP/1.0 with a Content-Length",
      "PUT /a HTTP/1.0\r\nhost: x\r\ncontent-length: 5\r\n\r\nhello",
      "PUT /a host=x [hello]",
    ],
  ];
  try {
    for (const [name, head, seen] of cases) {
      await t.step(name, async () => {
        server.handled.length = 0;
        const text = await exchange(server.addr.port, head);
        assert.match(text, /^HTTP\/1\.1 200 /);
        assert.deepEqual(server.handled, [seen]);
      });
    }
  } finally {
    await server.shutdown();
  }
});

Deno.test("the server refuses a signed request sent with a second, bad Authorization header first", async () => {
  await using server = await testServer();
  const signed = toWire(
    await signV4(
      { method: "GET", host: `127.0.0.1:${server.port}`, path: "/", query: {}, headers: {} },
      DEMO_USERS[0],
      new Date(),
    ),
  );
  const at = signed.headers.findIndex(([name]) => name.toLowerCase() === "authorization");
  // Merged into one value, the good fields came last and won: 200 before.
  signed.headers.splice(at, 0, [
    "Authorization",
    "AWS4-HMAC-SHA256 Credential=NOSUCHKEY/20260101/us-east-1/s3/aws4_request, " +
    "SignedHeaders=host, Signature=00",
  ]);
  const text = await exchange(server.port, String.fromCharCode(...serialize(signed)));
  assert.match(text, /^HTTP\/1\.1 400 /);
  assert.doesNotMatch(text, /ListAllMyBucketsResult/);
});

Deno.test("listen() quotes at most 100 characters of a refused head in its answer", async (t) => {
  const server = echoServer();
  const long = "/" + "a".repeat(6000);
  const cases: Array<[string, string]> = [
    ["a request line with a control byte", `GET ${long}\x01 HTTP/1.1\r\nHost: x\r\n\r\n`],
    ["a header line without a colon", `GET / HTTP/1.1\r\nHost: x\r\n${"b".repeat(6000)}\r\n\r\n`],
    ["an unknown version", `GET / HTTP/1.${"9".repeat(6000)}\r\nHost: x\r\n\r\n`],
  ];
  try {
    for (const [what, head] of cases) {
      await t.step(what, async () => {
        const answer = await exchange(server.addr.port, head);
        assert.match(answer, /^HTTP\/1\.1 (400|505) /);
        assert.ok(
          answer.length < 1000,
          `the answer echoed ${answer.length} characters of what it refused`,
        );
      });
    }
  } finally {
    await server.shutdown();
  }
});

Deno.test("listen() drops a small unread body and keeps the connection; past 1 MiB it closes", async (t) => {
  // The handler answers without reading the body, as a refused upload is answered.
  const server = listen(
    { hostname: "127.0.0.1", port: 0 },
    () => Promise.resolve(new Response("no")),
  );
  try {
    const cases = [[512 * 1024, false], [2 * 1024 * 1024, true]] as const;
    for (
      const [[size, closes], chunked] of cases.flatMap((c) => [[c, false], [c, true]] as const)
    ) {
      const framing = chunked ? "chunked" : "Content-Length";
      await t.step(
        `${size} bytes unread, ${framing}: ${closes ? "closed" : "kept alive"}`,
        async () => {
          // A chunked body's size is learnt only while it is drained: one chunk of `size` bytes.
          const head = chunked
            ? `PUT /a HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n${
              size.toString(16)
            }\r\n`
            : `PUT /a HTTP/1.1\r\nhost: x\r\ncontent-length: ${size}\r\n\r\n`;
          const tail = chunked ? bytes("\r\n0\r\n\r\n") : new Uint8Array();
          const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
          const timer = setTimeout(() => conn.close(), 10_000);
          try {
            const wire = new Uint8Array([...bytes(head), ...new Uint8Array(size), ...tail]);
            const writing = writeAll(conn, wire).catch(() => {});
            const buffer = new Uint8Array(4096);
            let text = "";
            while (!text.includes("\r\n\r\n")) {
              const n = await conn.read(buffer);
              if (n === null) break;
              text += decoder.decode(buffer.subarray(0, n));
            }
            await writing;
            assert.match(text, /^HTTP\/1\.1 200 /);
            assert.equal(/\r\nconnection: close\r\n/.test(text), closes, text);
          } finally {
            clearTimeout(timer);
            try {
              conn.close();
            } catch { /* closed by the timer */ }
          }
        },
      );
    }
  } finally {
    await server.shutdown();
  }
});
