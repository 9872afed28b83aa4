import assert from "node:assert/strict";
import {
  connect,
  createBucket,
  deleteBucket,
  presignGet,
  probe,
  putObject,
  redactAuthorization,
  REDACTED,
  redactSecrets,
  redactUrl,
  Traffic,
} from "../../lib/mod.ts";
import { DEMO_USERS } from "../../server/demo_users.ts";

const noEnv = { get: (_: string) => undefined };
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
