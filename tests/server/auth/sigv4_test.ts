/**
 * SigV4 in the Authorization header: requests signed by `@smithy/signature-v4` and the AWS SDK
 * are accepted, and every tampering is refused with the code RGW answers.
 */

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { SignatureV4 } from "@smithy/signature-v4";
import { authenticate, type AuthRequest } from "../../../server/auth/mod.ts";
import { S3Error } from "../../../server/errors.ts";
import { DEMO_USERS } from "../../../server/demo_users.ts";
import { Sha256, signV4By } from "../../support/signing.ts";

const NOW = new Date("2026-11-25T10:00:00Z");
const ENDPOINT = "http://127.0.0.1:9000";

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

Deno.test("authenticate() answers unreadable SigV4 credentials as RGW does", async (t) => {
  const base = await sign();
  const edit = (name: string, value: string | null): Signed => {
    const headers = new Headers(base.headers);
    if (value === null) headers.delete(name);
    else headers.set(name, value);
    return { ...base, headers };
  };
  const authorization = base.headers.get("authorization")!;
  const cases: Array<[string, Signed, string, number]> = [
    [
      "no SignedHeaders",
      edit("authorization", authorization.replace(/SignedHeaders=[^,]*, /, "")),
      "InvalidArgument",
      400,
    ],
    [
      "a credential without region",
      edit("authorization", authorization.replace("/us-east-1/", "/")),
      "InvalidArgument",
      400,
    ],
    [
      "a credential not ending in aws4_request",
      edit("authorization", authorization.replace("aws4_request", "aws5_request")),
      "InvalidArgument",
      400,
    ],
    [
      "a signature that is not hex",
      edit("authorization", authorization.replace(/Signature=\w+/, "Signature=xyz")),
      "InvalidArgument",
      400,
    ],
    ["another scheme", edit("authorization", "Bearer token"), "InvalidArgument", 400],
    ["no date at all", edit("x-amz-date", null), "AccessDenied", 403],
    [
      "a credential dated another day",
      edit("authorization", authorization.replace(/(Credential=\w+\/)\d{8}/, "$120261124")),
      "SignatureDoesNotMatch",
      403,
    ],
    [
      "a presigned query as well",
      { ...base, url: `${base.url}?X-Amz-Signature=abc&X-Amz-Credential=x` },
      "AccessDenied",
      403,
    ],
  ];
  for (const [name, signed, code, status] of cases) {
    await t.step(`${name}: ${status} ${code}`, async () => {
      const error = await refused(authenticate(request(signed), options), code);
      assert.equal(error.status, status);
    });
  }
});

Deno.test("authenticate() accepts SigV4 scoped to any region and dated by the Date header", async (t) => {
  await t.step("another region (RGW verifies with the scope as sent)", async () => {
    const signed = await new SignatureV4({
      credentials: { accessKeyId: "DEMOACCESSKEY", secretAccessKey: "DEMOSECRETKEY" },
      region: "eu-central-1",
      service: "s3",
      sha256: Sha256,
      uriEscapePath: false,
    }).sign({
      method: "GET",
      protocol: "http:",
      hostname: "127.0.0.1",
      port: 9000,
      path: "/a1-bucket/key.txt",
      query: {},
      headers: { host: "127.0.0.1:9000", "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
    }, { signingDate: NOW });
    const auth = await authenticate(
      request({
        method: "GET",
        url: `${ENDPOINT}/a1-bucket/key.txt`,
        headers: new Headers(signed.headers),
      }),
      options,
    );
    assert.equal(auth.principal.kind, "user");
  });
  await t.step("Date header instead of X-Amz-Date", async () => {
    const { canonicalRequest, stringToSignV4 } = await import("../../../core/sigv4.ts");
    const { sha256Hex, signingKey, signV4 } = await import("../../../core/crypto.ts");
    const headers = new Headers({
      host: "127.0.0.1:9000",
      date: NOW.toUTCString(),
      "x-amz-content-sha256": "UNSIGNED-PAYLOAD",
    });
    const signedHeaders = ["date", "host", "x-amz-content-sha256"];
    const scope = "20261125/us-east-1/s3/aws4_request";
    const canonical = canonicalRequest({
      method: "GET",
      path: "/a1-bucket/key.txt",
      query: "",
      headers,
      signedHeaders,
      payloadHash: "UNSIGNED-PAYLOAD",
    });
    const signature = signV4(
      signingKey("DEMOSECRETKEY", "20261125", "us-east-1", "s3"),
      stringToSignV4("20261125T100000Z", scope, sha256Hex(canonical)),
    );
    headers.set(
      "authorization",
      `AWS4-HMAC-SHA256 Credential=DEMOACCESSKEY/${scope}, SignedHeaders=${
        signedHeaders.join(";")
      }, Signature=${signature}`,
    );
    const auth = await authenticate(
      request({ method: "GET", url: `${ENDPOINT}/a1-bucket/key.txt`, headers }),
      options,
    );
    assert.equal(auth.principal.kind, "user");
  });
});

Deno.test("authenticate() refuses an aws-chunked payload mode without a body or of an unknown kind", async (t) => {
  await t.step("STREAMING-AWS4-HMAC-SHA256-PAYLOAD without a body: IncompleteBody", async () => {
    const signed = await sign({ method: "PUT", payloadHash: "STREAMING-AWS4-HMAC-SHA256-PAYLOAD" });
    await refused(authenticate(request(signed), options), "IncompleteBody");
  });
  await t.step("SigV4a streaming: NotImplemented", async () => {
    const signed = await sign({
      method: "PUT",
      payloadHash: "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD",
    });
    const error = await refused(authenticate(request(signed, "x"), options), "NotImplemented");
    assert.equal(error.status, 501);
  });
});

Deno.test("authenticate() refuses a credential dated another day even when the signature matches it", async (t) => {
  const signedOn = (scopeDate: Date): AuthRequest => {
    const signed = signV4By(
      { method: "GET", host: "127.0.0.1:9000", path: "/a1-bucket/key.txt" },
      DEMO_USERS[0],
      { date: NOW, scopeDate },
    );
    const url = `${ENDPOINT}/a1-bucket/key.txt`;
    return request({ method: "GET", url, headers: new Headers(signed.headers) });
  };
  await t.step(
    "scope and signing key of the day before x-amz-date: SignatureDoesNotMatch",
    async () => {
      // Only the rule that the credential's day is the request's day can refuse this one.
      const error = await refused(
        authenticate(signedOn(new Date(NOW.getTime() - 86_400_000)), options),
        "SignatureDoesNotMatch",
      );
      assert.match(error.message, /credential date "20261124" is not the day of the request time/);
    },
  );
  await t.step("the same hand-made signature scoped to the request's day is accepted", async () => {
    const auth = await authenticate(signedOn(NOW), options);
    assert.equal(auth.principal.kind, "user");
  });
});
