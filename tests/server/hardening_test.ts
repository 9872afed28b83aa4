/**
 * Server hardening: malformed and oversized XML, huge headers, bodies over the limit and many
 * idle connections get clean answers (no crash, no 5xx, memory bounded, the server keeps
 * serving); keys with `..`, `/`, NUL or unicode stay inside the `--data` directory.
 */

import assert from "node:assert/strict";
import {
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
} from "@aws-sdk/client-s3";
import { DEMO_USERS } from "../../server/demo_users.ts";
import { s3Client, testServer } from "../support/server.ts";
import {
  errorCode,
  RawClient,
  type RawResponse,
  serialize,
  toWire,
  type WireRequest,
  writeAll,
} from "../support/raw_http.ts";
import { type Credentials, md5Base64, signV4 } from "../support/signing.ts";

const DEMO: Credentials = DEMO_USERS[0];
const BUCKET = "hardening";
const MiB = 1024 * 1024;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

async function signedRaw(
  port: number,
  method: string,
  path: string,
  query: Record<string, string>,
  body: Uint8Array,
  headers: Record<string, string> = {},
): Promise<WireRequest> {
  return toWire(
    await signV4(
      { method, host: `127.0.0.1:${port}`, path, query, headers, body },
      DEMO,
      new Date(),
    ),
  );
}

/** A fresh connection, one request, closed. */
async function once(port: number, request: WireRequest | Uint8Array): Promise<RawResponse> {
  const client = new RawClient("127.0.0.1", port);
  try {
    return request instanceof Uint8Array
      ? await client.sendBytes(request)
      : await client.send(request);
  } finally {
    client.close();
  }
}

/** The server still answers a normal signed request quickly. */
async function assertAlive(port: number, what: string): Promise<void> {
  const started = performance.now();
  const response = await once(
    port,
    await signedRaw(port, "GET", `/${BUCKET}`, { "list-type": "2" }, new Uint8Array()),
  );
  assert.equal(response.status, 200, `The server stopped serving after ${what}`);
  const ms = performance.now() - started;
  assert.ok(ms < 5000, `The server took ${Math.round(ms)} ms to answer after ${what}`);
}

function nested(depth: number): string {
  return "<Delete>" + "<Object>".repeat(depth) + "</Object>".repeat(depth) + "</Delete>";
}

const LAUGHS = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lolololololololololololololololololololololololololololololololololololol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<Delete><Object><Key>&lol9;</Key></Object></Delete>`;

const XXE = `<?xml version="1.0"?>
<!DOCTYPE d [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<Delete><Object><Key>&xxe;</Key></Object></Delete>`;

/**
 * How a hostile XML body must be answered: `malformed` (not well-formed XML) → 4xx from every
 * XML operation, CreateBucket included; `invalid` (well-formed, wrong content) → 4xx from
 * DeleteObjects and the ACL operations; `entity` (DOCTYPE entities) → entities are never
 * expanded or resolved, whatever the status.
 */
type Expect = "malformed" | "invalid" | "entity";

/** Malformed or hostile XML bodies. */
const BAD_XML: Array<[string, string, Expect]> = [
  ["plain text", "this is not xml", "malformed"],
  ["an unclosed root", "<Delete><Object><Key>a</Key></Object>", "malformed"],
  ["mismatched tags", "<Delete><Object><Key>a</Object></Key></Delete>", "malformed"],
  ["two roots", "<Delete></Delete><Delete></Delete>", "malformed"],
  ["a control character", "<Delete><Object><Key>\u0001</Key></Object></Delete>", "malformed"],
  ["a broken entity reference", "<Delete><Object><Key>&nope</Key></Object></Delete>", "malformed"],
  ["an unquoted attribute", "<Delete a=1><Object><Key>a</Key></Object></Delete>", "malformed"],
  ["a stray close tag", "</Delete>", "malformed"],
  ["binary noise", "\u0000\u00ff\u00fe<\u0000>", "malformed"],
  ["100,000 unclosed nested elements", "<Delete>" + "<Object>".repeat(100_000), "malformed"],
  ["100,000 nested elements", nested(100_000), "invalid"],
  ["an empty body", "", "invalid"],
  ["1,001 keys", `<Delete>${"<Object><Key>k</Key></Object>".repeat(1001)}</Delete>`, "invalid"],
  ["a 100,000-character attribute", `<Delete x="${"a".repeat(100_000)}"></Delete>`, "invalid"],
  ["the wrong root element", "<Nothing></Nothing>", "invalid"],
  ["a billion-laughs entity bomb", LAUGHS, "entity"],
  ["an external entity (XXE)", XXE, "entity"],
];

Deno.test("server hardening: malformed and hostile XML bodies get clean 4xx answers", async (t) => {
  await using server = await testServer();
  const sdk = s3Client(server.url);
  try {
    await sdk.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await sdk.send(new PutObjectCommand({ Bucket: BUCKET, Key: "k", Body: "keep me" }));
    const rssBefore = Deno.memoryUsage().rss;
    let worstRss = rssBefore;
    const targets: Array<[string, string, string, Record<string, string>]> = [
      ["DeleteObjects", "POST", `/${BUCKET}`, { delete: "" }],
      ["PutBucketAcl", "PUT", `/${BUCKET}`, { acl: "" }],
      ["PutObjectAcl", "PUT", `/${BUCKET}/k`, { acl: "" }],
      ["CreateBucket", "PUT", "/hardening-new", {}],
    ];
    const upload = await sdk.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: "mp" }));
    targets.push(["CompleteMultipartUpload", "POST", `/${BUCKET}/mp`, {
      uploadId: upload.UploadId!,
    }]);
    for (const [name, body, expect] of BAD_XML) {
      await t.step(`${name} is answered cleanly by every XML operation`, async () => {
        for (const [operation, method, path, query] of targets) {
          if (operation === "CreateBucket" && expect !== "malformed") continue;
          const bytes = encoder.encode(body);
          const request = await signedRaw(server.port, method, path, query, bytes, {
            "content-md5": md5Base64(bytes),
          });
          const started = performance.now();
          const response = await once(server.port, request);
          const ms = performance.now() - started;
          const text = decoder.decode(response.body);
          const what = `${operation} with ${name}`;
          assert.ok(response.status < 500, `${what}: got ${response.status} ${text.slice(0, 200)}`);
          if (expect === "entity") {
            assert.ok(!text.includes("lollol"), `${what}: an entity was expanded`);
            assert.ok(!text.includes("root:"), `${what}: leaked /etc/passwd`);
          } else {
            assert.ok(
              response.status >= 400 && response.status < 500,
              `${what}: expected a 4xx, got ${response.status} ${text.slice(0, 200)}`,
            );
            assert.ok(errorCode(response.body), `${what}: no S3 error code`);
          }
          assert.ok(ms < 5000, `${what} took ${Math.round(ms)} ms`);
          worstRss = Math.max(worstRss, Deno.memoryUsage().rss);
        }
        await assertAlive(server.port, name);
      });
    }
    await t.step(
      "the object survives every hostile DeleteObjects but the entity ones",
      async () => {
        const response = await once(
          server.port,
          await signedRaw(server.port, "GET", `/${BUCKET}/k`, {}, new Uint8Array()),
        );
        assert.equal(response.status, 200);
        assert.equal(decoder.decode(response.body), "keep me");
      },
    );
    await t.step("no hostile CompleteMultipartUpload made an object", async () => {
      const response = await once(
        server.port,
        await signedRaw(server.port, "HEAD", `/${BUCKET}/mp`, {}, new Uint8Array()),
      );
      assert.equal(response.status, 404);
    });
    await t.step("no bucket was created by a malformed CreateBucket", async () => {
      const response = await once(
        server.port,
        await signedRaw(server.port, "HEAD", "/hardening-new", {}, new Uint8Array()),
      );
      assert.equal(response.status, 404);
    });
    await t.step("memory stays bounded (under 200 MiB growth)", () => {
      const growth = (worstRss - rssBefore) / MiB;
      console.log(`XML hardening: peak RSS growth ${growth.toFixed(1)} MiB`);
      assert.ok(growth < 200, `RSS grew by ${growth.toFixed(1)} MiB`);
    });
  } finally {
    sdk.destroy();
  }
});

Deno.test("server hardening: XML bodies over 1 MiB are refused with EntityTooLarge", async () => {
  await using server = await testServer();
  const sdk = s3Client(server.url);
  try {
    await sdk.send(new CreateBucketCommand({ Bucket: BUCKET }));
    const big = encoder.encode(
      `<Delete>${"<Object><Key>k</Key></Object>".repeat(80_000)}</Delete>`,
    );
    assert.ok(big.length > 2 * MiB);
    const request = await signedRaw(server.port, "POST", `/${BUCKET}`, { delete: "" }, big, {
      "content-md5": md5Base64(big),
    });
    const response = await once(server.port, request);
    assert.equal(response.status, 400);
    assert.equal(errorCode(response.body), "EntityTooLarge");
    await assertAlive(server.port, "a 2 MiB XML body");
  } finally {
    sdk.destroy();
  }
});

Deno.test("server hardening: a PUT announcing more than 5 GiB is refused before its body", async () => {
  await using server = await testServer();
  const sdk = s3Client(server.url);
  try {
    await sdk.send(new CreateBucketCommand({ Bucket: BUCKET }));
    const request = await signedRaw(
      server.port,
      "PUT",
      `/${BUCKET}/huge.bin`,
      {},
      new Uint8Array(),
      { "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
    );
    request.headers.push(["content-length", String(5 * 1024 ** 3 + 1)]);
    const bytes = serialize(request);
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
    try {
      await writeAll(conn, bytes);
      // Send a little of the body, then wait for the answer without sending the rest.
      await writeAll(conn, new Uint8Array(64 * 1024));
      const buffer = new Uint8Array(64 * 1024);
      const timeout = setTimeout(() => conn.close(), 5000);
      let text = "";
      try {
        while (!text.includes("</Error>")) {
          const n = await conn.read(buffer);
          if (n === null) break;
          text += decoder.decode(buffer.subarray(0, n));
        }
      } finally {
        clearTimeout(timeout);
      }
      assert.match(text, /^HTTP\/1\.1 400/, `Expected 400 before the body, got: ${text}`);
      assert.match(text, /<Code>EntityTooLarge<\/Code>/);
    } finally {
      try {
        conn.close();
      } catch {
        // closed by the timeout
      }
    }
    const head = await once(
      server.port,
      await signedRaw(server.port, "HEAD", `/${BUCKET}/huge.bin`, {}, new Uint8Array()),
    );
    assert.equal(head.status, 404, "Nothing may be stored");
  } finally {
    sdk.destroy();
  }
});

Deno.test("server hardening: huge headers and request lines are refused cleanly", async (t) => {
  await using server = await testServer();
  const sdk = s3Client(server.url);
  try {
    await sdk.send(new CreateBucketCommand({ Bucket: BUCKET }));
    const base = await signedRaw(server.port, "GET", `/${BUCKET}`, {}, new Uint8Array());
    const cases: Array<[string, WireRequest]> = [
      ["one 64 KiB header", {
        ...base,
        headers: [...base.headers, ["x-amz-meta-big", "a".repeat(64 * 1024)]],
      }],
      ["one 1 MiB header", {
        ...base,
        headers: [...base.headers, ["x-big", "a".repeat(MiB)]],
      }],
      ["10,000 small headers", {
        ...base,
        headers: [
          ...base.headers,
          ...Array.from({ length: 10_000 }, (_, i) => [`x-h${i}`, "v"] as [string, string]),
        ],
      }],
      ["a 1 MiB request target", { ...base, target: `/${BUCKET}/${"k".repeat(MiB)}` }],
      ["a 1 MiB Authorization header", {
        ...base,
        headers: base.headers.map(([n, v]) => [n, n === "authorization" ? v + "a".repeat(MiB) : v]),
      }],
    ];
    const rssBefore = Deno.memoryUsage().rss;
    for (const [name, request] of cases) {
      await t.step(
        `${name} gets a 4xx or a closed connection, and the server keeps serving`,
        async () => {
          let status = 0;
          try {
            status = (await once(server.port, request)).status;
          } catch (error) {
            // Refusing to read an oversized head and closing the connection is a clean outcome.
            assert.match(String(error), /closed|reset|Broken pipe|os error/i);
          }
          assert.ok(status === 0 || (status >= 400 && status < 500), `${name}: got ${status}`);
          await assertAlive(server.port, name);
        },
      );
    }
    const growth = (Deno.memoryUsage().rss - rssBefore) / MiB;
    assert.ok(growth < 200, `RSS grew by ${growth.toFixed(1)} MiB`);
  } finally {
    sdk.destroy();
  }
});

Deno.test("server hardening: 300 idle and half-open connections do not stop the server", async () => {
  await using server = await testServer();
  const sdk = s3Client(server.url);
  const conns: Deno.TcpConn[] = [];
  try {
    await sdk.send(new CreateBucketCommand({ Bucket: BUCKET }));
    const rssBefore = Deno.memoryUsage().rss;
    for (let i = 0; i < 300; i++) {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
      conns.push(conn);
      // A third say nothing, a third send half a request head, a third half a body.
      if (i % 3 === 1) {
        await writeAll(conn, encoder.encode(`GET /${BUCKET} HTTP/1.1\r\nhost: x\r\n`));
      }
      if (i % 3 === 2) {
        await writeAll(
          conn,
          encoder.encode(
            `PUT /${BUCKET}/slow HTTP/1.1\r\nhost: x\r\ncontent-length: 1000\r\n\r\nab`,
          ),
        );
      }
    }
    await assertAlive(server.port, "300 idle connections");
    const growth = (Deno.memoryUsage().rss - rssBefore) / MiB;
    console.log(`Idle connections: RSS growth ${growth.toFixed(1)} MiB for 300 connections`);
    assert.ok(growth < 100, `RSS grew by ${growth.toFixed(1)} MiB`);
  } finally {
    for (const conn of conns) {
      try {
        conn.close();
      } catch {
        // closed by the server
      }
    }
    sdk.destroy();
  }
  // The half-sent anonymous PUT stored nothing.
});

/** Keys that try to leave the data directory or confuse a file system. */
const HOSTILE_KEYS = [
  "../../escape.txt",
  "../../../../../../../../tmp/escape.txt",
  "..",
  ".",
  "a/../../b",
  "/leading-slash",
  "x//y",
  "trailing/",
  "..\\..\\windows.txt",
  "nul\u0000inside",
  "\u0000",
  "unicode/ünïcødé/日本語/🙂.txt",
  "%2e%2e%2fencoded",
  "CON",
  "tmp/../blobs/x",
  "k".repeat(1024),
];

function encodePath(key: string): string {
  return key.split("/").map((s) => s === ".." || s === "." ? s : encodeURIComponent(s)).join("/");
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    out.push(path);
    if (entry.isDirectory) out.push(...await walk(path));
  }
  return out;
}

Deno.test("server hardening: keys with .., /, NUL or unicode stay inside the --data directory", async (t) => {
  const root = await Deno.makeTempDir({ prefix: "hardening-" });
  const dataDir = `${root}/data`;
  const outside = `${root}/outside`;
  await Deno.mkdir(outside);
  try {
    {
      await using server = await testServer({ dataDir });
      const sdk = s3Client(server.url);
      try {
        await sdk.send(new CreateBucketCommand({ Bucket: BUCKET }));
      } finally {
        sdk.destroy();
      }
      for (const key of HOSTILE_KEYS) {
        await t.step(`key ${JSON.stringify(key.slice(0, 40))} round-trips exactly`, async () => {
          const body = encoder.encode(`body of ${key}`);
          const path = `/${BUCKET}/${encodePath(key)}`;
          const put = await once(server.port, await signedRaw(server.port, "PUT", path, {}, body));
          assert.equal(put.status, 200, `PUT ${path}: ${decoder.decode(put.body)}`);
          const get = await once(
            server.port,
            await signedRaw(server.port, "GET", path, {}, new Uint8Array()),
          );
          assert.equal(get.status, 200);
          assert.equal(decoder.decode(get.body), `body of ${key}`);
        });
      }
      await t.step("a key over 1024 bytes is refused with KeyTooLongError", async () => {
        const path = `/${BUCKET}/${"k".repeat(1025)}`;
        const put = await once(
          server.port,
          await signedRaw(server.port, "PUT", path, {}, encoder.encode("x")),
        );
        assert.equal(put.status, 400);
        assert.equal(errorCode(put.body), "KeyTooLongError");
      });
      await t.step("bucket names with .. or / are refused", async () => {
        for (const path of ["/a..b", "/%2e%2e", "/..", "/a%2Fb"]) {
          const put = await once(
            server.port,
            await signedRaw(server.port, "PUT", path, {}, new Uint8Array()),
          );
          assert.ok(put.status >= 400 && put.status < 500, `PUT ${path}: ${put.status}`);
        }
      });
    }
    await t.step("nothing was written outside the data directory", async () => {
      const top = (await walk(root)).filter((p) => !p.startsWith(`${dataDir}/`) && p !== dataDir);
      assert.deepEqual(top, [outside]);
      for (const path of await walk(dataDir)) {
        const name = path.slice(path.lastIndexOf("/") + 1);
        assert.match(
          name,
          /^(buckets|objects|uploads|blobs|tmp|[0-9a-f]+(\.json)?|[0-9a-f-]{36})$/,
          `Unexpected file name in the data directory: ${path}`,
        );
      }
      await assert.rejects(Deno.stat("/tmp/escape.txt"), Deno.errors.NotFound);
    });
    await t.step("after a restart every key reads back the same", async () => {
      await using server = await testServer({ dataDir });
      for (const key of HOSTILE_KEYS) {
        const get = await once(
          server.port,
          await signedRaw(
            server.port,
            "GET",
            `/${BUCKET}/${encodePath(key)}`,
            {},
            new Uint8Array(),
          ),
        );
        assert.equal(get.status, 200, `GET ${JSON.stringify(key)} after restart`);
        assert.equal(decoder.decode(get.body), `body of ${key}`);
      }
    });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("server hardening: malformed aws-chunked framing is refused and stores nothing", async (t) => {
  await using server = await testServer();
  const sdk = s3Client(server.url);
  try {
    await sdk.send(new CreateBucketCommand({ Bucket: BUCKET }));
    const cases: Array<[string, string, number, boolean]> = [
      ["well-formed (control)", "5\r\nhello\r\n0\r\n\r\n", 5, true],
      ["a chunk size of 2^40", "10000000000\r\nhello\r\n0\r\n\r\n", 5, false],
      ["a chunk size that is not hex", "zz\r\nhello\r\n0\r\n\r\n", 5, false],
      ["a negative chunk size", "-5\r\nhello\r\n0\r\n\r\n", 5, false],
      ["more data than the chunk size", "3\r\nhello\r\n0\r\n\r\n", 5, false],
      ["no final chunk", "5\r\nhello\r\n", 5, false],
      [
        "a 10,000-byte chunk header line",
        `5;${"a".repeat(10_000)}\r\nhello\r\n0\r\n\r\n`,
        5,
        false,
      ],
      ["a decoded length that does not match", "5\r\nhello\r\n0\r\n\r\n", 10, false],
      ["no CRLF after the data", "5\r\nhelloX0\r\n\r\n", 5, false],
    ];
    for (const [i, [name, body, decoded, good]] of cases.entries()) {
      await t.step(`${name}: ${good ? "stored" : "refused, nothing stored"}`, async () => {
        const key = `chunked-${i}`;
        const request = await signedRaw(
          server.port,
          "PUT",
          `/${BUCKET}/${key}`,
          {},
          encoder.encode(body),
          {
            "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
            "content-encoding": "aws-chunked",
            "x-amz-decoded-content-length": String(decoded),
          },
        );
        let response: RawResponse | undefined;
        try {
          response = await once(server.port, request);
        } catch (error) {
          assert.ok(!good, `${name}: ${error}`);
        }
        if (good) assert.equal(response?.status, 200, decoder.decode(response?.body));
        else if (response) {
          assert.ok(
            response.status >= 400 && response.status < 500,
            `${name}: got ${response.status} ${decoder.decode(response.body).slice(0, 200)}`,
          );
        }
        const head = await once(
          server.port,
          await signedRaw(server.port, "HEAD", `/${BUCKET}/${key}`, {}, new Uint8Array()),
        );
        assert.equal(head.status, good ? 200 : 404, `${name}: HEAD after the PUT`);
        await assertAlive(server.port, name);
      });
    }
  } finally {
    sdk.destroy();
  }
});
