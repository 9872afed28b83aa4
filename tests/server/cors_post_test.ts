/**
 * The embedded server's CORS and POST Object beyond what the conformance table compares with
 * RGW: rules kept across a restart with `dataDir`, the `corsOrigins` default rule and a bucket's
 * own rules over it, bad input refused with nothing stored while the server keeps serving, the
 * form's file streamed (never held whole), and the US-East 5 stand-in (POST 501, CORS served).
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  CreateBucketCommand,
  GetBucketCorsCommand,
  ListObjectsV2Command,
  PutBucketCorsCommand,
} from "@aws-sdk/client-s3";
import { DEMO_USERS } from "../../server/demo_users.ts";
import { readForm } from "../../server/form.ts";
import { buildPostForm, type PostFormSpec } from "../support/post_form.ts";
import { s3Client, s3Failure, testServer } from "../support/server.ts";

const RULE = {
  AllowedOrigins: ["http://app.test"],
  AllowedMethods: ["PUT", "GET"],
  AllowedHeaders: ["*"],
  ExposeHeaders: ["ETag"],
  MaxAgeSeconds: 60,
};

function preflight(url: string, origin: string, method = "PUT"): Promise<Response> {
  return fetch(url, {
    method: "OPTIONS",
    headers: { origin, "access-control-request-method": method },
  });
}

async function postForm(url: string, bucket: string, spec: Omit<PostFormSpec, "bucket">) {
  const form = buildPostForm({ bucket, ...spec }, DEMO_USERS[0], new Date());
  const response = await fetch(`${url}/${bucket}`, {
    method: "POST",
    headers: { "content-type": form.contentType },
    body: form.body,
  });
  return { status: response.status, text: await response.text() };
}

Deno.test("CORS rules survive a restart of a server with dataDir", async () => {
  const dataDir = await Deno.makeTempDir();
  try {
    {
      await using server = await testServer({ dataDir });
      const s3 = s3Client(server.url);
      await s3.send(new CreateBucketCommand({ Bucket: "kept" }));
      await s3.send(
        new PutBucketCorsCommand({ Bucket: "kept", CORSConfiguration: { CORSRules: [RULE] } }),
      );
      s3.destroy();
    }
    await using server = await testServer({ dataDir });
    const s3 = s3Client(server.url);
    const { CORSRules } = await s3.send(new GetBucketCorsCommand({ Bucket: "kept" }));
    assert.deepEqual(CORSRules?.[0].AllowedOrigins, ["http://app.test"]);
    assert.deepEqual(CORSRules?.[0].AllowedMethods, ["GET", "PUT"]);
    const allowed = await preflight(`${server.url}/kept/k`, "http://app.test");
    assert.equal(allowed.status, 200);
    await allowed.body?.cancel();
    s3.destroy();
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("corsOrigins is a default rule; a bucket's own rules replace it", async () => {
  await using server = await testServer({ corsOrigins: ["http://localhost:5173"] });
  const s3 = s3Client(server.url);
  await s3.send(new CreateBucketCommand({ Bucket: "web" }));
  const open = await preflight(`${server.url}/web/k`, "http://localhost:5173", "POST");
  assert.equal(open.status, 200);
  assert.equal(open.headers.get("access-control-allow-origin"), "http://localhost:5173");
  await open.body?.cancel();
  // GetBucketCors still says the bucket has none of its own.
  const none = await s3Failure(s3.send(new GetBucketCorsCommand({ Bucket: "web" })));
  assert.deepEqual(none, { status: 404, code: "NoSuchCORSConfiguration" });
  await s3.send(
    new PutBucketCorsCommand({ Bucket: "web", CORSConfiguration: { CORSRules: [RULE] } }),
  );
  const replaced = await preflight(`${server.url}/web/k`, "http://localhost:5173", "POST");
  assert.equal(replaced.status, 403);
  await replaced.body?.cancel();
  s3.destroy();
});

Deno.test("bad CORS and form input is refused in S3 errors, nothing is stored, serving goes on", async (t) => {
  await using server = await testServer();
  const s3 = s3Client(server.url);
  await s3.send(new CreateBucketCommand({ Bucket: "bad" }));
  const sendCors = async (body: string) => {
    const { signV4 } = await import("../support/signing.ts");
    const host = new URL(server.url).host;
    const signed = await signV4(
      {
        method: "PUT",
        host,
        path: "/bad",
        query: { cors: "" },
        body: new TextEncoder().encode(body),
      },
      DEMO_USERS[0],
      new Date(),
    );
    const response = await fetch(`${server.url}/bad?cors`, {
      method: "PUT",
      headers: signed.headers,
      body,
    });
    return { status: response.status, text: await response.text() };
  };
  await t.step("malformed CORS XML is MalformedXML", async () => {
    const answer = await sendCors("<CORSConfiguration><CORSRule>");
    assert.equal(answer.status, 400);
    assert.match(answer.text, /<Code>MalformedXML<\/Code>/);
  });
  await t.step("101 CORS rules is InvalidRequest naming the limit", async () => {
    const rule =
      "<CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule>";
    const answer = await sendCors(`<CORSConfiguration>${rule.repeat(101)}</CORSConfiguration>`);
    assert.equal(answer.status, 400);
    assert.match(answer.text, /<Code>InvalidRequest<\/Code><Message>[^<]*limit of 100 rules/);
  });
  await t.step("no CORS configuration was stored", async () => {
    const none = await s3Failure(s3.send(new GetBucketCorsCommand({ Bucket: "bad" })));
    assert.equal(none.code, "NoSuchCORSConfiguration");
  });
  await t.step("a form without a file is InvalidArgument", async () => {
    const answer = await postForm(server.url, "bad", { key: "a", file: null });
    assert.equal(answer.status, 400);
    assert.match(answer.text, /POST requires exactly one file upload/);
  });
  await t.step("a form field of 10 MB is InvalidArgument", async () => {
    const big = "x".repeat(10 * 1024 * 1024);
    const answer = await postForm(server.url, "bad", {
      key: "b",
      unsigned: { "x-ignore-big": big },
    });
    assert.equal(answer.status, 400);
    assert.match(answer.text, /field &quot;x-ignore-big&quot; is over 65536 bytes/);
  });
  await t.step("fields adding up to over 1 MiB are InvalidArgument", async () => {
    const fields = Object.fromEntries(
      Array.from({ length: 20 }, (_, i) => [`x-ignore-${i}`, "y".repeat(60 * 1024)]),
    );
    const answer = await postForm(server.url, "bad", { key: "d", unsigned: fields });
    assert.equal(answer.status, 400);
    assert.match(answer.text, /fields before the file are over 1048576 bytes/);
  });
  await t.step("a policy that is not base64 JSON is InvalidArgument", async () => {
    for (
      const [policyText, message] of [["%%%", "Could not decode policy"], [
        btoa("{x"),
        "Malformed JSON",
      ]]
    ) {
      const answer = await postForm(server.url, "bad", { key: "c", policyText });
      assert.equal(answer.status, 400);
      assert.match(answer.text, new RegExp(`<Message>${message}</Message>`));
    }
  });
  await t.step("nothing was stored and the server still serves", async () => {
    const listing = await s3.send(new ListObjectsV2Command({ Bucket: "bad" }));
    assert.equal(listing.KeyCount, 0);
    const ok = await postForm(server.url, "bad", { key: "good.txt", file: "fine" });
    assert.equal(ok.status, 204);
  });
  s3.destroy();
});

Deno.test("readForm() hands the file over as it arrives, before the body ends", async () => {
  const boundary = "b0undary";
  const head = new TextEncoder().encode(
    `--${boundary}\r\nContent-Disposition: form-data; name="key"\r\n\r\nbig.bin\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n\r\n`,
  );
  const chunk = new Uint8Array(1024 * 1024).fill(0x61);
  let sent = 0;
  let release!: () => void;
  const consumed = new Promise<void>((resolve) => release = resolve);
  // The body's end is only sent once the reader has seen 8 MiB of file: a reader that held the
  // file whole would wait forever (and the test time out).
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (sent === 0) controller.enqueue(head);
      if (sent < 16) {
        controller.enqueue(chunk);
        sent++;
        return;
      }
      await consumed;
      controller.enqueue(new TextEncoder().encode(`\r\n--${boundary}--\r\n`));
      controller.close();
    },
  });
  const form = await readForm(body, boundary);
  assert.deepEqual(form.fields, [["key", "big.bin"]]);
  let received = 0;
  for await (const part of form.file!.stream) {
    received += part.length;
    if (received >= 8 * 1024 * 1024) release();
  }
  assert.equal(received, 16 * 1024 * 1024);
});

Deno.test("on the US-East 5 stand-in a form upload is 501 NotImplemented and CORS is served", async () => {
  await using server = await testServer({ emulate: "us-east-5" });
  const s3 = new (await import("@aws-sdk/client-s3")).S3Client({
    endpoint: server.url,
    region: "us-east-005",
    forcePathStyle: true,
    credentials: DEMO_USERS[0],
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
  await s3.send(new CreateBucketCommand({ Bucket: "east5-web" }));
  await s3.send(
    new PutBucketCorsCommand({ Bucket: "east5-web", CORSConfiguration: { CORSRules: [RULE] } }),
  );
  const allowed = await preflight(`${server.url}/east5-web/k`, "http://app.test");
  assert.equal(allowed.status, 200);
  await allowed.body?.cancel();
  const answer = await postForm(server.url, "east5-web", { key: "a", region: "us-east-005" });
  assert.equal(answer.status, 501);
  assert.match(answer.text, /<Code>NotImplemented<\/Code>.*use a presigned PUT/s);
  s3.destroy();
});
