import assert from "node:assert/strict";
import { type IncomingMessage, request as httpRequest } from "node:http";
import { Readable } from "node:stream";
import {
  connect,
  type Connection,
  createBucket,
  deleteBucket,
  deleteObject,
  emptyBucket,
  getIfChanged,
  getRange,
  getStream,
  headObject,
  listBuckets,
  presignGet,
  probe,
  putObject,
  setVersioning,
  Traffic,
  TrafficView,
} from "../../lib/mod.ts";
import { formatBytes } from "../../lib/display.ts";
import { redactAuthorization, REDACTED, redactSecrets, redactUrl } from "../../lib/redact.ts";
import { DEMO_USERS } from "../../server/demo_users.ts";
import { rgwTest } from "../support/engines.ts";

const noEnv = { get: (_: string) => undefined };
const DEMO_KEYS = {
  accessKeyId: DEMO_USERS[0].accessKeyId,
  secretAccessKey: DEMO_USERS[0].secretAccessKey,
};
const RAW_SIGNATURE = /(Signature=)([0-9a-f]{64}|[A-Za-z0-9%+/]{27,}=*)/;

Deno.test("redactUrl() hides SigV4, SigV2 and session-token values, and keeps the rest", () => {
  assert.equal(
    redactUrl("http://h/b/k?X-Amz-Credential=AK%2F1&X-Amz-Signature=abcdef0123&X-Amz-Expires=60"),
    `http://h/b/k?X-Amz-Credential=AK%2F1&X-Amz-Signature=${REDACTED}&X-Amz-Expires=60`,
  );
  assert.equal(
    redactUrl("http://h/b/k?AWSAccessKeyId=AK&Expires=1&Signature=abc%2Bdef%3D"),
    `http://h/b/k?AWSAccessKeyId=AK&Expires=1&Signature=${REDACTED}`,
  );
  assert.equal(
    redactUrl("http://h/b?x-amz-security-token=tok123&y=1"),
    `http://h/b?x-amz-security-token=${REDACTED}&y=1`,
  );
  assert.equal(redactUrl("http://h/b/k"), "http://h/b/k");
});

Deno.test("redactAuthorization() hides SigV4 and SigV2 signatures, keeping key id and scope", () => {
  const v4 = "AWS4-HMAC-SHA256 Credential=DEMOACCESSKEY/20261125/us-east-1/s3/aws4_request, " +
    "SignedHeaders=host;x-amz-date, Signature=" + "a".repeat(64);
  assert.equal(
    redactAuthorization(v4),
    v4.replace("a".repeat(64), REDACTED),
  );
  assert.equal(
    redactAuthorization("AWS DEMOACCESSKEY:c2lnbmF0dXJl"),
    `AWS DEMOACCESSKEY:${REDACTED}`,
  );
});

Deno.test("redactSecrets() replaces every occurrence of each secret", () => {
  assert.equal(
    redactSecrets("a hunter22 b hunter22", ["hunter22", "x"]),
    `a ${REDACTED} b ${REDACTED}`,
  );
});

Deno.test("the trace records each SDK request and probe with operation, status, headers, bytes and time", async () => {
  await using s3 = await connect({ env: noEnv });
  const bucket = await createBucket(s3);
  await putObject(s3, bucket, "hello.txt", "Hello World!", { acl: "public-read" });
  await probe(`${s3.endpoint}/${bucket}/hello.txt`, { trace: s3.trace });
  await deleteBucket(s3, bucket).catch(() => {});
  const [create, put, got, refused] = s3.trace.entries;
  assert.deepEqual(
    s3.trace.entries.map((e) => [e.seq, e.source, e.operation, e.method, e.status, e.code]),
    [
      [1, "sdk", "CreateBucket", "PUT", 200, undefined],
      [2, "sdk", "PutObject", "PUT", 200, undefined],
      [3, "probe", undefined, "GET", 200, undefined],
      [4, "sdk", "DeleteBucket", "DELETE", 409, "BucketNotEmpty"],
    ],
  );
  assert.equal(create.url, `${s3.endpoint}/${bucket}/`);
  assert.equal(put.bytesSent, 12);
  assert.equal(put.requestHeaders["x-amz-acl"], "public-read");
  assert.equal(put.requestHeaders["content-type"], "text/plain; charset=utf-8");
  assert.match(put.responseHeaders.etag, /^"[0-9a-f]{32}"$/);
  assert.match(put.requestHeaders.authorization, /^AWS4-HMAC-SHA256 Credential=DEMOACCESSKEY\//);
  assert.ok(put.requestHeaders.authorization.endsWith(`Signature=${REDACTED}`));
  assert.equal(got.bytesReceived, 12);
  assert.ok(refused.ms >= 0 && refused.ms < 10_000);
});

Deno.test("no secret key or raw signature appears in the trace's text or HTML", async () => {
  const secret = DEMO_USERS[0].secretAccessKey;
  await using s3 = await connect({ env: noEnv });
  const bucket = await createBucket(s3);
  await putObject(s3, bucket, "k", "v");
  await probe(await presignGet(s3, bucket, "k"), { trace: s3.trace });
  // A server echoing a secret (e.g. in an error code) is scrubbed too.
  s3.trace.record({
    source: "probe",
    method: "GET",
    url: `http://x/?note=${secret}`,
    status: 400,
    code: `Bad${secret}`,
    requestHeaders: { authorization: `AWS DEMOACCESSKEY:${"b".repeat(28)}` },
    responseHeaders: {},
    bytesSent: 0,
    bytesReceived: 0,
    ms: 1,
  });
  for (
    const text of [
      s3.trace.view().toText(true),
      s3.trace.view().toHtml(),
      JSON.stringify(s3.trace.entries),
    ]
  ) {
    assert.ok(!text.includes(secret), "the secret key leaked");
    assert.equal(RAW_SIGNATURE.exec(text), null, "a raw signature leaked");
  }
  assert.ok(s3.trace.view().toText().includes(`X-Amz-Signature=${REDACTED}`));
});

Deno.test("trace.show() shows a value above the requests made since the previous show", async () => {
  await using s3 = await connect({ env: noEnv });
  const bucket = await createBucket(s3);
  const first = s3.trace.show(bucket).toText();
  assert.match(
    first,
    new RegExp(`^${bucket}\\n  PUT +${s3.endpoint}/${bucket}/\\n +→ 200 OK .*CreateBucket$`),
  );
  await putObject(s3, bucket, "a.txt", "a");
  const second = s3.trace.show().toText();
  assert.ok(second.includes("PutObject") && !second.includes("CreateBucket"), second);
  assert.equal(s3.trace.show("nothing new").toText(), "nothing new\n  (no requests)");
  const html = s3.trace.show(["<b>"]).toHtml();
  assert.ok(html.includes("&lt;b&gt;") && !html.includes("<b>]"), html);
});

Deno.test("the text trace is coloured only when asked, and HTML escapes every value", () => {
  const trace = new Traffic();
  trace.record({
    source: "probe",
    method: "GET",
    url: "http://h/<script>",
    status: 403,
    code: "AccessDenied",
    requestHeaders: {},
    responseHeaders: { "content-type": "a<b" },
    bytesSent: 0,
    bytesReceived: 1500,
    ms: 2,
  });
  const plain = trace.view().toText(false);
  assert.ok(!plain.includes("\x1b["));
  assert.match(
    plain,
    /GET +http:\/\/h\/<script>\n +→ 403 Forbidden AccessDenied +↑0 B ↓1\.5 kB +2 ms +anonymous/,
  );
  assert.ok(trace.view().toText(true).includes("\x1b[33m403 Forbidden AccessDenied\x1b[39m"));
  const html = trace.view().toHtml();
  assert.ok(html.includes("http://h/&lt;script&gt;") && !html.includes("<script>"));
  assert.ok(html.includes("content-type: a&lt;b"));
});

Deno.test("a disabled trace records nothing; the limit drops the oldest exchanges", async () => {
  await using s3 = await connect({ env: noEnv, trace: false });
  await createBucket(s3);
  assert.equal(s3.trace.entries.length, 0);
  const small = new Traffic(2);
  for (let i = 0; i < 3; i++) {
    small.record({
      source: "probe",
      method: "GET",
      url: `http://h/${i}`,
      status: 200,
      requestHeaders: {},
      responseHeaders: {},
      bytesSent: 0,
      bytesReceived: 0,
      ms: 0,
    });
  }
  assert.deepEqual(small.entries.map((e) => e.url), ["http://h/1", "http://h/2"]);
});

Deno.test("show() lists the first and last three of many exchanges and counts the rest, dropped ones too", () => {
  const trace = new Traffic(50);
  const put = (i: number, status = 200) =>
    trace.record({
      source: "sdk",
      operation: "PutObject",
      method: "PUT",
      url: `http://h/b/log-${i}`,
      status,
      code: status === 200 ? undefined : "SlowDown",
      requestHeaders: {},
      responseHeaders: {},
      bytesSent: 1,
      bytesReceived: 0,
      ms: 1,
    });
  for (let i = 0; i < 12; i++) put(i);
  assert.equal(trace.show().toText().split("\n").length, 24, "12 exchanges are shown whole");
  for (let i = 0; i < 98; i++) put(i, i === 70 ? 503 : 200);
  const text = trace.show("done").toText();
  const lines = text.split("\n");
  assert.equal(lines.length, 1 + 6 + 1 + 6, text);
  assert.equal(
    lines[7],
    "  … 92 more exchanges: 43 × PutObject → 200 OK, 1 × PutObject → 503 Service Unavailable SlowDown, 48 no longer kept",
  );
  assert.match(lines[1], /log-48$/, "the first kept of the new ones");
  assert.match(lines[13], /PutObject$/);
  assert.match(trace.show().toText(), /\(no requests\)/);
});

/**
 * An HTTP proxy in front of a server that answers as Ceph RGW answers listings: the same status,
 * headers and body, but sent chunked, without `content-length`. The client signs for the proxy's
 * host; node:http forwards that `host` header unchanged, so signatures still match.
 */
function startChunkingProxy(target: string): { endpoint: string; close(): Promise<void> } {
  const upstream = new URL(target);
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const url = new URL(req.url);
    const body = req.body ? new Uint8Array(await req.arrayBuffer()) : undefined;
    const answer = await new Promise<IncomingMessage>((resolve, reject) => {
      const out = httpRequest({
        hostname: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: url.pathname + url.search,
        headers: Object.fromEntries(req.headers),
      }, resolve);
      out.on("error", reject);
      out.end(body);
    });
    const headers = new Headers();
    for (const [k, v] of Object.entries(answer.headers)) {
      if (k !== "content-length" && v !== undefined) headers.set(k, String(v));
    }
    const noBody = req.method === "HEAD" || answer.statusCode === 204;
    return new Response(noBody ? null : Readable.toWeb(answer) as ReadableStream<Uint8Array>, {
      status: answer.statusCode,
      headers,
    });
  });
  return { endpoint: `http://127.0.0.1:${server.addr.port}`, close: () => server.shutdown() };
}

Deno.test("a chunked answer (no content-length) is counted as read: listings, DeleteObjects, streamed GETs", async (t) => {
  await using direct = await connect({ env: noEnv });
  const proxy = startChunkingProxy(direct.endpoint);
  try {
    await using s3 = await connect({ endpoint: proxy.endpoint, ...DEMO_KEYS, env: noEnv });
    const bucket = await createBucket(s3, { prefix: "chunked" });
    await putObject(s3, bucket, "a.txt", "x".repeat(3000));
    await t.step("ListBuckets (fetch handler): the bytes of the listing", async () => {
      await listBuckets(s3);
      await listBuckets(direct);
      const chunked = s3.trace.entries.at(-1)!;
      const sized = direct.trace.entries.at(-1)!;
      assert.equal(chunked.responseHeaders["content-length"], undefined);
      assert.equal(chunked.operation, "ListBuckets");
      // The same listing as the direct connection's, which came with a content-length.
      assert.equal(chunked.bytesReceived, Number(sized.responseHeaders["content-length"]));
      assert.ok(chunked.bytesReceived > 100 && chunked.chunked === undefined);
      assert.match(
        s3.trace.view(s3.trace.entries.length - 1).toText(),
        new RegExp(`↓${formatBytes(chunked.bytesReceived).replace(".", "\\.")} `),
      );
    });
    await t.step("DeleteObjects (Node handler, POST): the bytes of its XML answer", async () => {
      const { DeleteObjectsCommand } = await import("@aws-sdk/client-s3");
      await s3.client.send(
        new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [{ Key: "gone" }] } }),
      );
      const e = s3.trace.entries.at(-1)!;
      assert.equal(e.operation, "DeleteObjects");
      assert.ok(e.bytesReceived > 50, `DeleteObjects counted ${e.bytesReceived} bytes`);
    });
    await t.step("a streamed GET shows 'chunked' until read, then its size", async () => {
      const stream = await getStream(s3, bucket, "a.txt");
      const e = s3.trace.entries.at(-1)!;
      assert.equal(e.chunked, true);
      assert.match(s3.trace.view(e.seq - 1).toText(), /↑0 B ↓chunked +[\d.]+ ms +GetObject/);
      assert.match(s3.trace.view(e.seq - 1).toHtml(), /<td>0 B<\/td><td>chunked<\/td>/);
      assert.equal(await new Response(stream).text(), "x".repeat(3000));
      assert.equal(e.chunked, false);
      assert.equal(e.bytesReceived, 3000);
      assert.match(s3.trace.view(e.seq - 1).toText(), /↓3\.0 kB /);
      assert.match(s3.trace.view(e.seq - 1).toHtml(), /<td>3\.0 kB<\/td>/);
    });
    await deleteObject(s3, bucket, "a.txt");
    await deleteBucket(s3, bucket);
  } finally {
    await proxy.close();
  }
});

rgwTest(
  "ListBuckets on Ceph RGW (chunked, no content-length) shows a non-zero ↓ size",
  async (_t, endpoint) => {
    await using s3 = await connect({ endpoint, ...DEMO_KEYS, env: noEnv });
    const bucket = await createBucket(s3, { prefix: "trace-size" });
    try {
      await listBuckets(s3);
    } finally {
      await deleteBucket(s3, bucket);
    }
    const listing = s3.trace.entries.find((e) => e.operation === "ListBuckets")!;
    assert.equal(listing.responseHeaders["content-length"], undefined, "RGW now sends a length");
    assert.ok(listing.bytesReceived > 100, `ListBuckets counted ${listing.bytesReceived} bytes`);
    const view = new TrafficView([listing]);
    assert.match(view.toText(), /→ 200 OK +↑0 B ↓[1-9][\d.]* (B|kB) .*ListBuckets$/);
    assert.match(view.toHtml(), /<td>0 B<\/td><td>[1-9][\d.]* (B|kB)<\/td>/);
  },
);

/** Writes, deletes (a marker) and removes by version id, then checks what the trace shows. */
async function assertVersionNotes(s3: Connection) {
  const bucket = await createBucket(s3, { prefix: "trace-versions" });
  try {
    await putObject(s3, bucket, "plain.txt", "unversioned");
    await setVersioning(s3, bucket, true);
    const put = await putObject(s3, bucket, "cloud.txt", "v1");
    const marker = await deleteObject(s3, bucket, "cloud.txt");
    await deleteObject(s3, bucket, "cloud.txt", { versionId: marker.versionId });
    await deleteObject(s3, bucket, "cloud.txt", { versionId: put.versionId });
    assert.ok(put.versionId && marker.versionId && marker.deleteMarker);
    const [, unversioned, , written, deleted] = s3.trace.entries;
    assert.equal(unversioned.responseHeaders["x-amz-version-id"], undefined);
    assert.equal(written.responseHeaders["x-amz-version-id"], put.versionId);
    assert.deepEqual(
      [deleted.responseHeaders["x-amz-version-id"], deleted.responseHeaders["x-amz-delete-marker"]],
      [marker.versionId, "true"],
    );
    const text = s3.trace.view().toText();
    // Each note is a third line under the exchange it belongs to; the unversioned PUT has none.
    const notes = [...text.matchAll(/ (\w+)\n {10}(\S.*)$/gm)].map((m) => `${m[1]}: ${m[2]}`);
    // PutBucketVersioning is an operation that requires a checksum: the SDK sends a CRC32 even
    // under WHEN_REQUIRED, and the trace says so on its own line.
    assert.match(notes[0], /^PutBucketVersioning: sent CRC32 [A-Za-z0-9+/]{6}==$/);
    assert.deepEqual(notes.slice(1), [
      `PutObject: version ${put.versionId}`,
      `DeleteObject: added delete marker ${marker.versionId}`,
      `DeleteObject: removed delete marker ${marker.versionId}`,
      `DeleteObject: removed version ${put.versionId}`,
    ], text);
    const html = s3.trace.view().toHtml();
    assert.ok(html.includes(`<small>version ${put.versionId}</small>`), html);
    assert.ok(html.includes(`<small>added delete marker ${marker.versionId}</small>`), html);
    assert.equal(html.match(/<small>/g)?.length, 5, html);
  } finally {
    await emptyBucket(s3, bucket);
    await deleteBucket(s3, bucket);
  }
}

Deno.test("the trace shows version ids and delete markers in text and HTML", async () => {
  await using s3 = await connect({ env: noEnv });
  await assertVersionNotes(s3);
});

rgwTest(
  "the trace shows Ceph RGW's version ids and delete markers as the embedded server's",
  async (_t, endpoint) => {
    await using s3 = await connect({ endpoint, ...DEMO_KEYS, env: noEnv });
    await assertVersionNotes(s3);
  },
);

Deno.test("the trace's bytes and labels: a HEAD reads 0 bytes, 304, 206 and 204 carry no error label", async (t) => {
  await using s3 = await connect({ env: noEnv });
  const bucket = await createBucket(s3);
  try {
    const stored = await putObject(s3, bucket, "notes.txt", "fifteen bytes!!");
    const rowOf = async (call: () => Promise<unknown>) => {
      const mark = s3.trace.entries.length;
      await call();
      const rows = s3.trace.entries.slice(mark);
      assert.equal(rows.length, 1, JSON.stringify(rows));
      return { row: rows[0], text: s3.trace.view(mark).toText() };
    };
    await t.step("HEAD: 0 bytes received, whatever its Content-Length says", async () => {
      const { row, text } = await rowOf(() => headObject(s3, bucket, "notes.txt"));
      assert.equal(row.responseHeaders["content-length"], "15");
      assert.equal(row.bytesReceived, 0);
      assert.match(text, /→ 200 OK +↑0 B ↓0 B /);
    });
    await t.step("304 Not Modified: no error label", async () => {
      const { row, text } = await rowOf(() => getIfChanged(s3, bucket, "notes.txt", stored.etag!));
      assert.equal(row.status, 304);
      assert.equal(row.code, undefined);
      assert.equal(row.bytesReceived, 0);
      assert.match(text, /→ 304 Not Modified +↑0 B ↓0 B /);
      assert.doesNotMatch(s3.trace.view().toHtml(), /Unknown/);
    });
    await t.step("206 Partial Content: no label, the range's bytes", async () => {
      const { row, text } = await rowOf(() => getRange(s3, bucket, "notes.txt", 0, 6));
      assert.equal(row.status, 206);
      assert.equal(row.code, undefined);
      assert.equal(row.bytesReceived, 7);
      assert.match(text, /→ 206 Partial Content +↑0 B ↓7 B /);
    });
    await t.step("204 No Content: no label, no bytes", async () => {
      const { row, text } = await rowOf(() => deleteObject(s3, bucket, "notes.txt"));
      assert.equal(row.status, 204);
      assert.equal(row.code, undefined);
      assert.match(text, /→ 204 No Content +↑0 B ↓0 B /);
    });
    await t.step("a 404 keeps its label", async () => {
      const { row, text } = await rowOf(() =>
        headObject(s3, bucket, "notes.txt").catch(() => undefined)
      );
      assert.equal(row.status, 404);
      assert.match(text, /→ 404 Not Found \S+/);
    });
  } finally {
    await emptyBucket(s3, bucket);
    await deleteBucket(s3, bucket);
  }
});

Deno.test("the SDK's x-id parameter is shown quieter than the parts S3 reads", () => {
  const view = new TrafficView([{
    seq: 1,
    source: "sdk",
    operation: "GetObject",
    method: "GET",
    url: "http://127.0.0.1:9000/b/k?x-id=GetObject",
    status: 200,
    requestHeaders: {},
    responseHeaders: {},
    bytesSent: 0,
    bytesReceived: 3,
    ms: 1,
  }, {
    seq: 2,
    source: "sdk",
    operation: "PutObjectAcl",
    method: "PUT",
    url: "http://127.0.0.1:9000/b/k?acl&x-id=PutObjectAcl&versionId=v1",
    status: 200,
    requestHeaders: {},
    responseHeaders: {},
    bytesSent: 0,
    bytesReceived: 0,
    ms: 1,
  }]);
  const text = view.toText(true);
  assert.ok(text.includes("/b/k?\x1b[2mx-id=GetObject\x1b[22m"), JSON.stringify(text));
  assert.ok(text.includes("?acl&\x1b[2mx-id=PutObjectAcl\x1b[22m&versionId=v1"), text);
  assert.ok(view.toText(false).includes("/b/k?x-id=GetObject\n"), "plain text keeps the URL");
  const html = view.toHtml();
  assert.match(
    html,
    /\/b\/k\?<span style="opacity:0\.45" title="[^"]*S3 does not read it">x-id=GetObject<\/span>/,
  );
  assert.match(html, /\?acl&amp;<span[^>]*>x-id=PutObjectAcl<\/span>&amp;versionId=v1/);
});
