/**
 * SigV4 in the Authorization header: requests signed by `@smithy/signature-v4` and the AWS SDK
 * are accepted, and every tampering is refused with the code RGW answers.
 */

import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { SignatureV4 } from "@smithy/signature-v4";
import { authenticate, type AuthRequest } from "../lib/server/auth/mod.ts";
import { S3Error } from "../lib/server/errors.ts";
import { DEMO_USERS } from "../lib/server/types.ts";

const NOW = new Date("2026-11-25T10:00:00Z");
const ENDPOINT = "http://127.0.0.1:9000";

function bytes(data: string | ArrayBuffer | ArrayBufferView): string | Uint8Array {
  if (typeof data === "string") return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

class Sha256 {
  #hash;
  constructor(key?: string | ArrayBuffer | ArrayBufferView) {
    this.#hash = key === undefined ? createHash("sha256") : createHmac("sha256", bytes(key));
  }
  update(data: string | ArrayBuffer | ArrayBufferView) {
    this.#hash.update(bytes(data));
  }
  digest() {
    return Promise.resolve(new Uint8Array(this.#hash.digest()));
  }
}

function signer(accessKeyId = "DEMOACCESSKEY", secretAccessKey = "DEMOSECRETKEY") {
  return new SignatureV4({
    credentials: { accessKeyId, secretAccessKey },
    region: "us-east-1",
    service: "s3",
    sha256: Sha256,
    uriEscapePath: false,
  });
}

interface Signed {
  method: string;
  url: string;
  headers: Headers;
}

async function sign(
  options: {
    method?: string;
    path?: string;
    query?: Record<string, string>;
    headers?: Record<string, string>;
    body?: string;
    payloadHash?: string;
    date?: Date;
    accessKeyId?: string;
    secret?: string;
  } = {},
): Promise<Signed> {
  const body = options.body;
  const signed = await signer(options.accessKeyId, options.secret).sign({
    method: options.method ?? "GET",
    protocol: "http:",
    hostname: "127.0.0.1",
    port: 9000,
    path: options.path ?? "/a1-bucket/key.txt",
    query: options.query ?? {},
    headers: {
      host: "127.0.0.1:9000",
      "x-amz-content-sha256": options.payloadHash ??
        createHash("sha256").update(body ?? "").digest("hex"),
      ...options.headers,
    },
    body,
  }, { signingDate: options.date ?? NOW });
  const query = Object.entries(signed.query ?? {})
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`).join("&");
  return {
    method: signed.method,
    url: `${ENDPOINT}${signed.path}${query ? `?${query}` : ""}`,
    headers: new Headers(signed.headers as Record<string, string>),
  };
}

function request(signed: Signed, body?: string): AuthRequest {
  return {
    ...signed,
    address: { bucket: "a1-bucket", key: "key.txt", virtualHost: false },
    body: body === undefined ? null : new Blob([body]).stream(),
  };
}

const options = { users: DEMO_USERS, now: () => NOW };

async function refused(promise: Promise<unknown>, code: string): Promise<S3Error> {
  const error = await promise.then(
    () => assert.fail(`Expected ${code}, the request was accepted`),
    (e) => e,
  );
  assert.ok(error instanceof S3Error, `Expected an S3Error, got ${error}`);
  assert.equal(error.code, code, error.message);
  return error;
}

Deno.test("authenticate() accepts a GET signed by @smithy/signature-v4 as its user", async () => {
  const auth = await authenticate(request(await sign()), options);
  assert.equal(auth.principal.kind, "user");
  assert.equal(auth.principal.kind === "user" && auth.principal.user.id, "demo");
});

Deno.test("authenticate() refuses a wrong secret with SignatureDoesNotMatch that teaches", async () => {
  const error = await refused(
    authenticate(request(await sign({ secret: "WRONGSECRET" })), options),
    "SignatureDoesNotMatch",
  );
  assert.equal(error.status, 403);
  const extra = error.fields.extra ?? {};
  assert.match(extra.CanonicalRequest, /^GET\n\/a1-bucket\/key\.txt\n\nhost:127\.0\.0\.1:9000\n/);
  assert.match(extra.StringToSign, /^AWS4-HMAC-SHA256\n20261125T100000Z\n20261125\/us-east-1\/s3/);
  assert.ok(!JSON.stringify(error.fields).includes("DEMOSECRETKEY"));
});

Deno.test("authenticate() refuses an unknown access key with InvalidAccessKeyId", async () => {
  const error = await refused(
    authenticate(request(await sign({ accessKeyId: "NOSUCHKEY" })), options),
    "InvalidAccessKeyId",
  );
  assert.equal(error.status, 403);
});

Deno.test("authenticate() refuses a request signed 20 minutes off with RequestTimeTooSkewed", async (t) => {
  for (const minutes of [-20, 20]) {
    await t.step(`${minutes} minutes`, async () => {
      const date = new Date(NOW.getTime() + minutes * 60_000);
      await refused(authenticate(request(await sign({ date })), options), "RequestTimeTooSkewed");
    });
  }
  await t.step("14 minutes is accepted", async () => {
    const date = new Date(NOW.getTime() - 14 * 60_000);
    assert.equal(
      (await authenticate(request(await sign({ date })), options)).principal.kind,
      "user",
    );
  });
});

Deno.test("authenticate() refuses a tampered method, path, query or signed header", async (t) => {
  const base = await sign({ headers: { range: "bytes=0-9" } });
  const cases: Record<string, Signed> = {
    method: { ...base, method: "DELETE" },
    path: { ...base, url: base.url.replace("key.txt", "other.txt") },
    query: { ...base, url: `${base.url}?acl` },
    header: { ...base, headers: new Headers([...base.headers, ["range", "bytes=0-99"]]) },
  };
  cases.header.headers.set("range", "bytes=0-99");
  for (const [name, tampered] of Object.entries(cases)) {
    await t.step(name, async () => {
      await refused(authenticate(request(tampered), options), "SignatureDoesNotMatch");
    });
  }
});

Deno.test("authenticate() verifies a signed payload while it streams", async (t) => {
  await t.step("the right body streams through", async () => {
    const signed = await sign({ method: "PUT", body: "hello" });
    const auth = await authenticate(request(signed, "hello"), options);
    assert.equal(await new Response(auth.body).text(), "hello");
  });
  await t.step("a changed body errors the stream with XAmzContentSHA256Mismatch", async () => {
    const signed = await sign({ method: "PUT", body: "hello" });
    const auth = await authenticate(request(signed, "HELLO"), options);
    await refused(new Response(auth.body).text(), "XAmzContentSHA256Mismatch");
  });
  await t.step("UNSIGNED-PAYLOAD passes any body", async () => {
    const signed = await sign({ method: "PUT", payloadHash: "UNSIGNED-PAYLOAD" });
    const auth = await authenticate(request(signed, "anything"), options);
    assert.equal(await new Response(auth.body).text(), "anything");
  });
});

Deno.test("authenticate() signs the raw path, keeping '..' segments a URL parser drops", async () => {
  const signed = await sign({ path: "/a1-bucket/a/../b%20c" });
  assert.ok(signed.url.includes("/a/../b%20c"));
  assert.equal((await authenticate(request(signed), options)).principal.kind, "user");
});

Deno.test("authenticate() treats a request without credentials as anonymous", async () => {
  const auth = await authenticate(
    {
      method: "GET",
      url: `${ENDPOINT}/a1-bucket`,
      headers: new Headers(),
      address: { virtualHost: false },
      body: null,
    },
    options,
  );
  assert.deepEqual(auth.principal, { kind: "anonymous" });
});
