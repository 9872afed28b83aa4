/**
 * The embedded server refuses bad credentials with the same status and code as Ceph RGW: the
 * same raw requests go to both engines and every answer is asserted.
 */

import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { SignatureV4 } from "@smithy/signature-v4";
import { startServer } from "../../../server/mod.ts";
import { rgwTest } from "../../support/engines.ts";
import { s3Client } from "../../support/server.ts";
import { Sha256 } from "../../support/signing.ts";

const BUCKET = "a1-authcmp";

interface Raw {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

interface SignOptions {
  accessKeyId?: string;
  secret?: string;
  region?: string;
  date?: Date;
  method?: string;
  key?: string;
  body?: string;
  payloadHash?: string;
}

async function signV4(endpoint: string, o: SignOptions = {}): Promise<Raw> {
  const url = new URL(endpoint);
  const path = `/${BUCKET}${o.key ? `/${o.key}` : ""}`;
  const signer = new SignatureV4({
    credentials: {
      accessKeyId: o.accessKeyId ?? "DEMOACCESSKEY",
      secretAccessKey: o.secret ?? "DEMOSECRETKEY",
    },
    region: o.region ?? "us-east-1",
    service: "s3",
    sha256: Sha256,
    uriEscapePath: false,
  });
  const signed = await signer.sign({
    method: o.method ?? "GET",
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path,
    query: {},
    headers: {
      host: url.host,
      "x-amz-content-sha256": o.payloadHash ??
        createHash("sha256").update(o.body ?? "").digest("hex"),
    },
    body: o.body,
  }, { signingDate: o.date ?? new Date() });
  return {
    method: signed.method,
    url: `${endpoint}${path}`,
    headers: signed.headers as Record<string, string>,
    body: o.body,
  };
}

function signV2(
  endpoint: string,
  o: { secret?: string; accessKeyId?: string; date?: Date; noDate?: boolean } = {},
): Raw {
  const date = (o.date ?? new Date()).toUTCString();
  const signature = createHmac("sha1", o.secret ?? "DEMOSECRETKEY")
    .update(`GET\n\n\n${o.noDate ? "" : date}\n/${BUCKET}/k.txt`).digest("base64");
  return {
    method: "GET",
    url: `${endpoint}/${BUCKET}/k.txt`,
    headers: {
      ...(o.noDate ? {} : { date }),
      authorization: `AWS ${o.accessKeyId ?? "DEMOACCESSKEY"}:${signature}`,
    },
  };
}

function queryV2(endpoint: string, expires: string, signedExpires = expires): Raw {
  const signature = createHmac("sha1", "DEMOSECRETKEY")
    .update(`GET\n\n\n${signedExpires}\n/${BUCKET}/k.txt`).digest("base64");
  return {
    method: "GET",
    url: `${endpoint}/${BUCKET}/k.txt?AWSAccessKeyId=DEMOACCESSKEY&Expires=${expires}&Signature=${
      encodeURIComponent(signature)
    }`,
    headers: {},
  };
}

function presign(endpoint: string, expiresIn = 60, signingDate = new Date()): Promise<string> {
  return getSignedUrl(
    s3Client(endpoint),
    new GetObjectCommand({ Bucket: BUCKET, Key: "k.txt" }),
    { expiresIn, signingDate },
  );
}

function withHeader(raw: Raw, name: string, edit: (value: string) => string | undefined): Raw {
  const headers = { ...raw.headers };
  const value = edit(headers[name] ?? "");
  if (value === undefined) delete headers[name];
  else headers[name] = value;
  return { ...raw, headers };
}

const minutes = (n: number) => new Date(Date.now() + n * 60_000);
const now = () => Math.floor(Date.now() / 1000);

/** Where the embedded server answers otherwise than RGW 16, on purpose (README "Security"). */
interface Stricter {
  /** The embedded server's status. */
  status: number;
  /** Its S3 error code. */
  code: string;
  /** Why it departs from RGW. */
  reason: string;
}

/**
 * Each case: the request, the status and code RGW answers it with, and what the embedded server
 * answers instead where RGW 16 is unsafe.
 */
const CASES: Array<
  [string, (endpoint: string) => Promise<Raw>, number, string | null, Stricter?]
> = [
  ["SigV4 as the owner", (e) => signV4(e, { key: "k.txt" }), 200, null],
  [
    "SigV4 scoped to another region (RGW ignores the region)",
    (e) => signV4(e, { key: "k.txt", region: "eu-west-1" }),
    200,
    null,
  ],
  [
    "SigV4 with an unknown key",
    (e) => signV4(e, { accessKeyId: "NOSUCHKEY" }),
    403,
    "InvalidAccessKeyId",
  ],
  [
    "SigV4 with a wrong secret",
    (e) => signV4(e, { secret: "WRONGSECRET" }),
    403,
    "SignatureDoesNotMatch",
  ],
  [
    "SigV4 signed 20 minutes ago",
    (e) => signV4(e, { date: minutes(-20) }),
    403,
    "RequestTimeTooSkewed",
  ],
  [
    "SigV4 signed 20 minutes ahead",
    (e) => signV4(e, { date: minutes(20) }),
    403,
    "RequestTimeTooSkewed",
  ],
  [
    "SigV4 without X-Amz-Date",
    async (e) => withHeader(await signV4(e), "x-amz-date", () => undefined),
    403,
    "AccessDenied",
  ],
  [
    "SigV4 header without SignedHeaders",
    async (e) =>
      withHeader(await signV4(e), "authorization", (v) => v.replace(/SignedHeaders=[^,]*, /, "")),
    400,
    "InvalidArgument",
  ],
  [
    "SigV4 credential without its region",
    async (e) => withHeader(await signV4(e), "authorization", (v) => v.replace("/us-east-1/", "/")),
    400,
    "InvalidArgument",
  ],
  [
    "SigV4 credential dated another day",
    async (e) =>
      withHeader(
        await signV4(e),
        "authorization",
        (v) => v.replace(/(Credential=\w+\/)\d{8}/, "$120200101"),
      ),
    403,
    "SignatureDoesNotMatch",
  ],
  [
    "an Authorization scheme S3 does not know",
    (e) =>
      Promise.resolve({
        method: "GET",
        url: `${e}/${BUCKET}`,
        headers: { authorization: "Bearer abc" },
      }),
    400,
    "InvalidArgument",
  ],
  [
    "SigV4 PUT whose body is not the one signed",
    async (e) => ({
      ...(await signV4(e, {
        method: "PUT",
        key: "mismatch.txt",
        payloadHash: createHash("sha256").update("world").digest("hex"),
      })),
      body: "hello",
    }),
    400,
    "XAmzContentSHA256Mismatch",
  ],
  [
    "presigned GET",
    async (e) => ({ method: "GET", url: await presign(e), headers: {} }),
    200,
    null,
  ],
  [
    "presigned GET an hour after it expired",
    async (e) => ({ method: "GET", url: await presign(e, 60, minutes(-61)), headers: {} }),
    403,
    "AccessDenied",
  ],
  [
    "presigned GET with X-Amz-Expires=0",
    async (e) => ({
      method: "GET",
      url: (await presign(e)).replace("X-Amz-Expires=60", "X-Amz-Expires=0"),
      headers: {},
    }),
    403,
    "AccessDenied",
  ],
  [
    "presigned GET with X-Amz-Expires=604801",
    async (e) => ({
      method: "GET",
      url: (await presign(e)).replace("X-Amz-Expires=60", "X-Amz-Expires=604801"),
      headers: {},
    }),
    403,
    "AccessDenied",
  ],
  [
    "presigned GET with another key",
    async (e) => ({
      method: "GET",
      url: (await presign(e)).replace("/k.txt", "/x.txt"),
      headers: {},
    }),
    403,
    "SignatureDoesNotMatch",
  ],
  [
    "presigned GET sent as DELETE",
    async (e) => ({ method: "DELETE", url: await presign(e), headers: {} }),
    403,
    "SignatureDoesNotMatch",
  ],
  [
    "presigned GET without X-Amz-Algorithm",
    async (e) => ({
      method: "GET",
      url: (await presign(e)).replace(/X-Amz-Algorithm=[^&]*&/, ""),
      headers: {},
    }),
    403,
    "AccessDenied",
  ],
  [
    "presigned GET for an unknown key id",
    async (e) => ({
      method: "GET",
      url: (await presign(e)).replace("DEMOACCESSKEY", "NOSUCHKEY"),
      headers: {},
    }),
    403,
    "InvalidAccessKeyId",
  ],
  [
    "presigned GET signed an hour ahead (RGW only checks the end)",
    async (e) => ({ method: "GET", url: await presign(e, 60, minutes(60)), headers: {} }),
    200,
    null,
    {
      status: 403,
      code: "AccessDenied",
      reason: "AWS and MinIO refuse a presigned URL dated past the clock skew: Request is not " +
        "valid yet (else a URL dated ten years ahead stays valid ten years)",
    },
  ],
  [
    "presigned query and an Authorization header together",
    async (e) => ({
      method: "GET",
      url: await presign(e),
      headers: { authorization: "AWS DEMOACCESSKEY:abc" },
    }),
    403,
    "AccessDenied",
  ],
  ["SigV2 as the owner", (e) => Promise.resolve(signV2(e)), 200, null],
  [
    "SigV2 with a wrong secret",
    (e) => Promise.resolve(signV2(e, { secret: "WRONG" })),
    403,
    "SignatureDoesNotMatch",
  ],
  [
    "SigV2 with an unknown key",
    (e) => Promise.resolve(signV2(e, { accessKeyId: "NOSUCH" })),
    403,
    "InvalidAccessKeyId",
  ],
  [
    "SigV2 dated 20 minutes ago",
    (e) => Promise.resolve(signV2(e, { date: minutes(-20) })),
    403,
    "RequestTimeTooSkewed",
  ],
  [
    "SigV2 without a date",
    (e) => Promise.resolve(signV2(e, { noDate: true })),
    403,
    "AccessDenied",
  ],
  [
    "SigV2 header without a signature",
    (e) =>
      Promise.resolve({
        ...signV2(e),
        headers: { ...signV2(e).headers, authorization: "AWS DEMOACCESSKEY" },
      }),
    400,
    "InvalidArgument",
  ],
  ["SigV2 query string", (e) => Promise.resolve(queryV2(e, String(now() + 60))), 200, null],
  [
    "SigV2 query string expired",
    (e) => Promise.resolve(queryV2(e, String(now() - 60))),
    403,
    "AccessDenied",
  ],
  [
    "SigV2 query string with Expires moved",
    (e) => Promise.resolve(queryV2(e, String(now() + 3600), String(now() + 60))),
    403,
    "SignatureDoesNotMatch",
  ],
  [
    "SigV2 query string with an unreadable Expires",
    (e) => Promise.resolve(queryV2(e, "soon")),
    403,
    "AccessDenied",
  ],
];

async function prepare(endpoint: string) {
  const client = s3Client(endpoint);
  await client.send(new CreateBucketCommand({ Bucket: BUCKET })).catch((e) => {
    if (e.name !== "BucketAlreadyOwnedByYou") throw e;
  });
  await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: "k.txt", Body: "hello" }));
}

async function runCases(t: Deno.TestContext, endpoint: string, engine: "embedded" | "rgw") {
  await prepare(endpoint);
  for (const [name, build, rgwStatus, rgwCode, stricter] of CASES) {
    const [status, code] = engine === "embedded" && stricter
      ? [stricter.status, stricter.code]
      : [rgwStatus, rgwCode];
    await t.step(`${name}: ${status} ${code ?? ""}`.trim(), async () => {
      const raw = await build(endpoint);
      const response = await fetch(raw.url, {
        method: raw.method,
        headers: raw.headers,
        body: raw.body,
      });
      const text = await response.text();
      const got = /<Code>([^<]*)<\/Code>/.exec(text)?.[1] ?? null;
      assert.deepEqual({ status: response.status, code: response.status < 300 ? null : got }, {
        status,
        code,
      }, text);
    });
  }
}

Deno.test("the embedded server answers bad credentials with RGW's statuses and codes", async (t) => {
  await using server = await startServer({ port: 0, quiet: true });
  await runCases(t, server.url, "embedded");
  await t.step("SignatureDoesNotMatch carries what was signed, never the secret", async () => {
    const raw = await signV4(server.url, { key: "k.txt", secret: "WRONGSECRET" });
    const text = await (await fetch(raw.url, { headers: raw.headers })).text();
    const field = (name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(text)?.[1];
    assert.match(field("CanonicalRequest") ?? "", /^GET\n\/a1-authcmp\/k\.txt\n\nhost:/);
    assert.match(
      field("StringToSign") ?? "",
      /^AWS4-HMAC-SHA256\n\d{8}T\d{6}Z\n\d{8}\/us-east-1\/s3\//,
    );
    assert.equal(field("AWSAccessKeyId"), "DEMOACCESSKEY");
    assert.ok(!text.includes("DEMOSECRETKEY") && !text.includes("WRONGSECRET"), text);
  });
});

rgwTest(
  "Ceph RGW answers bad credentials with the statuses and codes the embedded server copies",
  async (t, endpoint) => {
    await runCases(t, endpoint, "rgw");
  },
);
