/**
 * Requests exactly as the AWS SDK for JavaScript v3 signs them (captured by a request handler
 * that sends nothing) pass the verifier; changed after signing, they are refused.
 */

import assert from "node:assert/strict";
import { Readable } from "node:stream";
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { authenticate, type AuthRequest } from "../../../server/auth/mod.ts";
import { S3Error } from "../../../server/errors.ts";
import { DEMO_USERS } from "../../../server/demo_users.ts";
import type { Address } from "../../../server/types.ts";

interface SdkRequest {
  method: string;
  protocol: string;
  hostname: string;
  port?: number;
  path: string;
  query?: Record<string, string | string[] | null>;
  headers: Record<string, string>;
  body?: unknown;
}

class Captured extends Error {
  constructor(readonly request: SdkRequest) {
    super("Captured: the request was not sent");
  }
}

function sdkClient(
  options: { pathStyle?: boolean; checksums?: "WHEN_SUPPORTED" | "WHEN_REQUIRED" } = {},
) {
  return new S3Client({
    endpoint: "http://localhost:9000",
    region: "us-east-1",
    forcePathStyle: options.pathStyle ?? true,
    credentials: { accessKeyId: "DEMOACCESSKEY", secretAccessKey: "DEMOSECRETKEY" },
    requestChecksumCalculation: options.checksums ?? "WHEN_REQUIRED",
    maxAttempts: 1,
    requestHandler: {
      handle: (request: SdkRequest) => Promise.reject(new Captured(request)),
    } as never,
  });
}

const encode = (text: string) =>
  encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );

/** Sends a command through the SDK's signing pipeline and returns the request it would send. */
async function capture(send: () => Promise<unknown>): Promise<SdkRequest> {
  const error = await send().then(
    () => assert.fail("The capturing handler should have stopped the request"),
    (e) => e,
  );
  assert.ok(error instanceof Captured, `Expected a captured request, got ${error}`);
  return error.request;
}

async function toAuthRequest(request: SdkRequest, address: Address): Promise<AuthRequest> {
  const query = Object.entries(request.query ?? {}).flatMap(([name, value]) =>
    value === null ? [encode(name)] : [value].flat().map((v) => `${encode(name)}=${encode(v)}`)
  ).join("&");
  const port = request.port ? `:${request.port}` : "";
  const url = `${request.protocol}//${request.hostname}${port}${request.path}${
    query ? `?${query}` : ""
  }`;
  let body: ReadableStream<Uint8Array> | null = null;
  if (request.body instanceof Uint8Array || typeof request.body === "string") {
    body = new Blob([request.body as BlobPart]).stream();
  } else if (request.body instanceof Readable) {
    const parts: Uint8Array[] = [];
    for await (const part of request.body) {
      parts.push(typeof part === "string" ? new TextEncoder().encode(part) : part);
    }
    body = new Blob(parts as BlobPart[]).stream();
  }
  return { method: request.method, url, headers: new Headers(request.headers), address, body };
}

const options = { users: DEMO_USERS };
const KEY = "dir/a b+c~é!'()*.txt";

async function refused(promise: Promise<unknown>, code: string): Promise<S3Error> {
  const error = await promise.then(
    () => assert.fail(`Expected ${code}, the request was accepted`),
    (e) => e,
  );
  assert.ok(error instanceof S3Error, `Expected an S3Error, got ${error}`);
  assert.equal(error.code, code, error.message);
  return error;
}

Deno.test("authenticate() accepts what the AWS SDK signs: reads, listings and deletes", async (t) => {
  const client = sdkClient();
  const cases: Array<[string, () => Promise<unknown>, Address]> = [
    [
      "GetObject with Range and an awkward key",
      () =>
        client.send(new GetObjectCommand({ Bucket: "a1-bucket", Key: KEY, Range: "bytes=0-9" })),
      { bucket: "a1-bucket", key: KEY, virtualHost: false },
    ],
    [
      "ListObjectsV2 with prefix, delimiter and a token",
      () =>
        client.send(
          new ListObjectsV2Command({
            Bucket: "a1-bucket",
            Prefix: "a b/",
            Delimiter: "/",
            ContinuationToken: "x+y/z==",
            MaxKeys: 5,
          }),
        ),
      { bucket: "a1-bucket", virtualHost: false },
    ],
    [
      "DeleteObjects (POST ?delete with a signed XML body)",
      () =>
        client.send(
          new DeleteObjectsCommand({
            Bucket: "a1-bucket",
            Delete: { Objects: [{ Key: KEY }, { Key: "b" }] },
          }),
        ),
      { bucket: "a1-bucket", virtualHost: false },
    ],
  ];
  for (const [name, command, address] of cases) {
    await t.step(name, async () => {
      const request = await capture(command);
      const auth = await authenticate(await toAuthRequest(request, address), options);
      assert.equal(auth.principal.kind === "user" && auth.principal.user.id, "demo");
      if (auth.body) await new Response(auth.body).arrayBuffer();
    });
  }
  await t.step("virtual-host GetObject", async () => {
    const client = sdkClient({ pathStyle: false });
    const request = await capture(() =>
      client.send(new GetObjectCommand({ Bucket: "a1-bucket", Key: KEY }))
    );
    assert.equal(request.hostname, "a1-bucket.localhost");
    const auth = await authenticate(
      await toAuthRequest(request, { bucket: "a1-bucket", key: KEY, virtualHost: true }),
      options,
    );
    assert.equal(auth.principal.kind, "user");
  });
});

Deno.test("authenticate() refuses an SDK request changed after signing", async (t) => {
  const client = sdkClient();
  const request = await capture(() =>
    client.send(new GetObjectCommand({ Bucket: "a1-bucket", Key: KEY, Range: "bytes=0-9" }))
  );
  const address = { bucket: "a1-bucket", key: KEY, virtualHost: false };
  await t.step("Range widened", async () => {
    const changed = { ...request, headers: { ...request.headers, range: "bytes=0-999" } };
    await refused(
      authenticate(await toAuthRequest(changed, address), options),
      "SignatureDoesNotMatch",
    );
  });
  await t.step("another key", async () => {
    const changed = { ...request, path: request.path.replace("dir/", "other/") };
    await refused(
      authenticate(await toAuthRequest(changed, address), options),
      "SignatureDoesNotMatch",
    );
  });
  await t.step("another user's key id", async () => {
    const changed = {
      ...request,
      headers: {
        ...request.headers,
        authorization: request.headers.authorization.replace("DEMOACCESSKEY", "OTHERACCESSKEY"),
      },
    };
    await refused(
      authenticate(await toAuthRequest(changed, address), options),
      "SignatureDoesNotMatch",
    );
  });
});

Deno.test("authenticate() verifies the SHA-256 of an SDK PutObject body as it streams", async (t) => {
  const client = sdkClient();
  const request = await capture(() =>
    client.send(
      new PutObjectCommand({
        Bucket: "a1-bucket",
        Key: KEY,
        Body: new TextEncoder().encode("hello, world"),
        ContentType: "text/plain",
      }),
    )
  );
  assert.match(request.headers["x-amz-content-sha256"], /^[0-9a-f]{64}$/);
  const address = { bucket: "a1-bucket", key: KEY, virtualHost: false };
  await t.step("the body as signed streams through", async () => {
    const auth = await authenticate(await toAuthRequest(request, address), options);
    assert.equal(await new Response(auth.body).text(), "hello, world");
    assert.equal(auth.contentLength, 12);
  });
  await t.step(
    "another body of the same length errors with XAmzContentSHA256Mismatch",
    async () => {
      const auth = await authenticate(
        await toAuthRequest({ ...request, body: "HELLO, WORLD" }, address),
        options,
      );
      await refused(new Response(auth.body).text(), "XAmzContentSHA256Mismatch");
    },
  );
});

Deno.test("authenticate() decodes an SDK streaming upload (STREAMING-UNSIGNED-PAYLOAD-TRAILER)", async (t) => {
  const data = new Uint8Array(300_000).map((_, i) => i % 253);
  const put = () =>
    capture(() =>
      sdkClient({ checksums: "WHEN_SUPPORTED" }).send(
        new PutObjectCommand({
          Bucket: "a1-bucket",
          Key: "stream.bin",
          Body: Readable.from([data]),
          ContentLength: data.length,
        }),
      )
    );
  const address = { bucket: "a1-bucket", key: "stream.bin", virtualHost: false };
  await t.step("the SDK sends an aws-chunked body with a CRC32 trailer", async () => {
    const request = await put();
    assert.equal(request.headers["x-amz-content-sha256"], "STREAMING-UNSIGNED-PAYLOAD-TRAILER");
    assert.equal(request.headers["x-amz-trailer"], "x-amz-checksum-crc32");
    const auth = await authenticate(await toAuthRequest(request, address), options);
    assert.equal(auth.contentLength, data.length);
    assert.deepEqual(new Uint8Array(await new Response(auth.body).arrayBuffer()), data);
  });
  await t.step("a byte changed in transit: BadDigest", async () => {
    const request = await toAuthRequest(await put(), address);
    const bytes = new Uint8Array(await new Response(request.body).arrayBuffer());
    bytes[100_000] ^= 1;
    const auth = await authenticate({ ...request, body: new Blob([bytes]).stream() }, options);
    await refused(new Response(auth.body).arrayBuffer(), "BadDigest");
  });
});
