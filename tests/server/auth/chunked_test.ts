/**
 * aws-chunked uploads (`STREAMING-AWS4-HMAC-SHA256-PAYLOAD`, `STREAMING-UNSIGNED-PAYLOAD-TRAILER`):
 * decoded as they stream, every chunk signature checked, tampering refused, memory bounded, and
 * (through the embedded server) a refused body is never stored.
 */

import assert from "node:assert/strict";
import { authenticate, type AuthRequest } from "../../../server/auth/mod.ts";
import { canonicalRequest, stringToSignV4 } from "../../../core/sigv4.ts";
import { chunkStringToSign, decodeAwsChunked } from "../../../server/auth/chunked.ts";
import { createChecksum } from "../../../core/checksum.ts";
import { formatAmzDate } from "../../../server/auth/credential.ts";
import { sha256Hex, signingKey, signV4 } from "../../../core/crypto.ts";
import { S3Error } from "../../../server/errors.ts";
import { DEMO_USERS, startServer } from "../../../server/mod.ts";
import { rgwTest } from "../../support/engines.ts";
import { s3Client } from "../../support/server.ts";
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand } from "@aws-sdk/client-s3";

const SIGNED = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
const UNSIGNED_TRAILER = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
const text = new TextEncoder();

/** Deterministic payload bytes, generated on demand. */
function payloadPiece(offset: number, size: number): Uint8Array {
  const piece = new Uint8Array(size);
  for (let i = 0; i < size; i++) piece[i] = (offset + i) % 251;
  return piece;
}

interface Upload {
  /** Request headers including Authorization. */
  headers: Headers;
  /** The encoded body, produced lazily, one chunk per pull. */
  body: () => ReadableStream<Uint8Array>;
}

interface UploadOptions {
  mode?: string;
  size: number;
  chunkSize?: number;
  host?: string;
  path?: string;
  now?: Date;
  /** Changes a chunk before it is sent (after signing). */
  tamper?: (index: number, frame: { header: string; data: Uint8Array }) => void;
  /** Overrides the trailing checksum value. */
  trailerValue?: string;
  /** Stops after this many chunks (no final chunk). */
  truncateAfter?: number;
  /** Overrides x-amz-decoded-content-length. */
  declaredLength?: number;
}

/** Encodes and signs an aws-chunked upload the way the AWS SDKs do, chunk by chunk. */
function chunkedUpload(options: UploadOptions): Upload {
  const mode = options.mode ?? SIGNED;
  const signed = mode === SIGNED;
  const chunkSize = options.chunkSize ?? 65536;
  const now = options.now ?? new Date();
  const amzDate = formatAmzDate(now);
  const scope = `${amzDate.slice(0, 8)}/us-east-1/s3/aws4_request`;
  const headers = new Headers({
    host: options.host ?? "127.0.0.1:9000",
    "x-amz-date": amzDate,
    "x-amz-content-sha256": mode,
    "content-encoding": "aws-chunked",
    "x-amz-decoded-content-length": String(options.declaredLength ?? options.size),
  });
  if (!signed) headers.set("x-amz-trailer", "x-amz-checksum-crc32");
  const signedHeaders = [...headers.keys()].sort();
  const path = options.path ?? "/a1-bucket/chunked.bin";
  const key = signingKey("DEMOSECRETKEY", amzDate.slice(0, 8), "us-east-1", "s3");
  const canonical = canonicalRequest({
    method: "PUT",
    path,
    query: "",
    headers,
    signedHeaders,
    payloadHash: mode,
  });
  const seed = signV4(key, stringToSignV4(amzDate, scope, sha256Hex(canonical)));
  headers.set(
    "authorization",
    `AWS4-HMAC-SHA256 Credential=DEMOACCESSKEY/${scope}, SignedHeaders=${
      signedHeaders.join(";")
    }, Signature=${seed}`,
  );
  const signing = { signingKey: key, amzDate, scope, seedSignature: seed };
  const body = () => {
    let offset = 0;
    let index = 0;
    let previous = seed;
    let finished = false;
    const crc = createChecksum("CRC32");
    return new ReadableStream<Uint8Array>({
      pull(controller) {
        if (finished) return controller.close();
        if (options.truncateAfter !== undefined && index >= options.truncateAfter) {
          return controller.close();
        }
        const size = Math.min(chunkSize, options.size - offset);
        const data = payloadPiece(offset, size);
        crc.update(data);
        let header = size.toString(16);
        if (signed) {
          previous = signV4(key, chunkStringToSign(signing, previous, sha256Hex(data)));
          header += `;chunk-signature=${previous}`;
        }
        const frame = { header, data };
        options.tamper?.(index, frame);
        offset += size;
        index++;
        controller.enqueue(text.encode(`${frame.header}\r\n`));
        if (size > 0) {
          controller.enqueue(frame.data);
          controller.enqueue(text.encode("\r\n"));
          return;
        }
        finished = true;
        controller.enqueue(
          text.encode(
            signed
              ? "\r\n"
              : `x-amz-checksum-crc32:${options.trailerValue ?? crc.digest()}\r\n\r\n`,
          ),
        );
      },
    });
  };
  return { headers, body };
}

function request(upload: Upload): AuthRequest {
  return {
    method: "PUT",
    url: "http://127.0.0.1:9000/a1-bucket/chunked.bin",
    headers: upload.headers,
    address: { bucket: "a1-bucket", key: "chunked.bin", virtualHost: false },
    body: upload.body(),
  };
}

const options = { users: DEMO_USERS };

async function digestOf(
  stream: ReadableStream<Uint8Array> | null,
): Promise<{ length: number; sha: string }> {
  const { createHash } = await import("node:crypto");
  const hash = createHash("sha256");
  let length = 0;
  for await (const chunk of stream!) {
    hash.update(chunk);
    length += chunk.length;
  }
  return { length, sha: hash.digest("hex") };
}

async function streamRefused(
  stream: ReadableStream<Uint8Array> | null,
  code: string,
): Promise<S3Error> {
  const error = await digestOf(stream).then(
    () => assert.fail(`Expected the body to fail with ${code}, it was read to the end`),
    (e) => e,
  );
  assert.ok(error instanceof S3Error, `Expected an S3Error, got ${error}`);
  assert.equal(error.code, code, error.message);
  return error;
}

Deno.test("authenticate() decodes a signed aws-chunked upload of several chunks", async (t) => {
  for (const [size, chunkSize] of [[200_000, 65536], [65536, 65536], [0, 8192], [10, 3]]) {
    await t.step(`${size} bytes in chunks of ${chunkSize}`, async () => {
      const auth = await authenticate(request(chunkedUpload({ size, chunkSize })), options);
      assert.equal(auth.contentLength, size);
      assert.deepEqual(await digestOf(auth.body), {
        length: size,
        sha: sha256Hex(payloadPiece(0, size)),
      });
    });
  }
});

Deno.test("authenticate() refuses a changed aws-chunked upload while it streams", async (t) => {
  const flip = (data: Uint8Array) => {
    data[data.length >> 1] ^= 1;
  };
  await t.step("a byte of the second chunk changed: SignatureDoesNotMatch", async () => {
    const upload = chunkedUpload({ size: 200_000, tamper: (i, f) => i === 1 && flip(f.data) });
    await streamRefused(
      (await authenticate(request(upload), options)).body,
      "SignatureDoesNotMatch",
    );
  });
  await t.step("the last chunk's signature changed: SignatureDoesNotMatch", async () => {
    const upload = chunkedUpload({
      size: 200_000,
      tamper: (i, f) => {
        if (i === 4) f.header = f.header.replace(/=(.)/, (_, c) => `=${c === "0" ? "1" : "0"}`);
      },
    });
    await streamRefused(
      (await authenticate(request(upload), options)).body,
      "SignatureDoesNotMatch",
    );
  });
  await t.step("two chunks swapped: SignatureDoesNotMatch", async () => {
    let first: { header: string; data: Uint8Array } | undefined;
    const upload = chunkedUpload({
      size: 131072,
      tamper: (i, f) => {
        if (i === 0) first = { ...f };
        if (i === 1) [f.header, f.data] = [first!.header, first!.data];
      },
    });
    await streamRefused(
      (await authenticate(request(upload), options)).body,
      "SignatureDoesNotMatch",
    );
  });
  await t.step("cut before the final chunk: IncompleteBody", async () => {
    const upload = chunkedUpload({ size: 200_000, truncateAfter: 2 });
    await streamRefused((await authenticate(request(upload), options)).body, "IncompleteBody");
  });
  await t.step("x-amz-decoded-content-length larger than the body: IncompleteBody", async () => {
    const upload = chunkedUpload({ size: 1000, declaredLength: 2000 });
    await streamRefused((await authenticate(request(upload), options)).body, "IncompleteBody");
  });
  await t.step("a chunk size that is not hexadecimal: IncompleteBody", async () => {
    const upload = chunkedUpload({
      size: 1000,
      tamper: (i, f) => i === 0 && (f.header = `zz${f.header}`),
    });
    await streamRefused((await authenticate(request(upload), options)).body, "IncompleteBody");
  });
  await t.step("another user's seed: SignatureDoesNotMatch before any byte", async () => {
    const upload = chunkedUpload({ size: 1000 });
    upload.headers.set(
      "authorization",
      upload.headers.get("authorization")!.replace("DEMOACCESSKEY", "OTHERACCESSKEY"),
    );
    await assert.rejects(
      authenticate(request(upload), options),
      (e) => e instanceof S3Error && e.code === "SignatureDoesNotMatch",
    );
  });
});

Deno.test("authenticate() checks the CRC32 trailer of STREAMING-UNSIGNED-PAYLOAD-TRAILER", async (t) => {
  await t.step("right checksum: the payload streams through", async () => {
    const auth = await authenticate(
      request(chunkedUpload({ mode: UNSIGNED_TRAILER, size: 150_000 })),
      options,
    );
    assert.deepEqual(await digestOf(auth.body), {
      length: 150_000,
      sha: sha256Hex(payloadPiece(0, 150_000)),
    });
  });
  await t.step("wrong checksum: BadDigest", async () => {
    const upload = chunkedUpload({
      mode: UNSIGNED_TRAILER,
      size: 150_000,
      trailerValue: "AAAAAA==",
    });
    await streamRefused((await authenticate(request(upload), options)).body, "BadDigest");
  });
  await t.step("a changed byte: BadDigest", async () => {
    const upload = chunkedUpload({
      mode: UNSIGNED_TRAILER,
      size: 150_000,
      tamper: (i, f) => {
        if (i === 1) f.data[0] ^= 1;
      },
    });
    await streamRefused((await authenticate(request(upload), options)).body, "BadDigest");
  });
});

Deno.test("authenticate() decodes 256 MiB of aws-chunked upload without holding it in memory", async () => {
  const size = 256 * 1024 * 1024;
  const upload = chunkedUpload({ size, chunkSize: 65536 });
  const auth = await authenticate(request(upload), options);
  const before = Deno.memoryUsage().rss;
  let peak = before;
  let length = 0;
  for await (const chunk of auth.body!) {
    length += chunk.length;
    if ((length & 0xffffff) < chunk.length) peak = Math.max(peak, Deno.memoryUsage().rss);
  }
  assert.equal(length, size);
  const grown = (peak - before) / 1024 / 1024;
  console.log(`Decoded 256 MiB; RSS grew by ${grown.toFixed(1)} MiB`);
  // Holding the body would grow RSS by 256 MiB; garbage not yet collected stays well below half.
  assert.ok(grown < 128, `Decoding grew RSS by ${grown.toFixed(1)} MiB`);
});

Deno.test("the embedded server stores a signed aws-chunked upload and never stores a refused one", async () => {
  await using server = await startServer({ port: 0, quiet: true });
  const host = new URL(server.url).host;
  const send = async (upload: Upload, path: string) => {
    const response = await fetch(
      `${server.url}${path}`,
      {
        method: "PUT",
        headers: upload.headers,
        body: upload.body(),
        duplex: "half",
      } as RequestInit,
    );
    return { status: response.status, text: await response.text() };
  };
  const client = s3Client(server.url);
  await client.send(new CreateBucketCommand({ Bucket: "a1-chunked" }));

  const good = chunkedUpload({ size: 200_000, host, path: "/a1-chunked/good.bin" });
  assert.equal((await send(good, "/a1-chunked/good.bin")).status, 200);
  const stored = await client.send(new GetObjectCommand({ Bucket: "a1-chunked", Key: "good.bin" }));
  const bytes = await stored.Body!.transformToByteArray();
  assert.equal(sha256Hex(bytes), sha256Hex(payloadPiece(0, 200_000)));

  const bad = chunkedUpload({
    size: 200_000,
    host,
    path: "/a1-chunked/bad.bin",
    tamper: (i, f) => {
      if (i === 2) f.data[0] ^= 1;
    },
  });
  const refused = await send(bad, "/a1-chunked/bad.bin");
  assert.equal(refused.status, 403, refused.text);
  assert.match(refused.text, /<Code>SignatureDoesNotMatch<\/Code>/);
  await assert.rejects(
    client.send(new HeadObjectCommand({ Bucket: "a1-chunked", Key: "bad.bin" })),
    (e: { $metadata?: { httpStatusCode?: number } }) => e.$metadata?.httpStatusCode === 404,
    "The refused upload must not be stored",
  );
});

rgwTest(
  "RGW accepts the test's signed aws-chunked encoding and refuses a changed chunk",
  async (_t, endpoint) => {
    const host = new URL(endpoint).host;
    const send = async (upload: Upload, path: string) => {
      const body = new Uint8Array(await new Response(upload.body()).arrayBuffer());
      const response = await fetch(`${endpoint}${path}`, {
        method: "PUT",
        headers: upload.headers,
        body,
      });
      return { status: response.status, text: await response.text() };
    };
    const bucket = chunkedUpload({ size: 0, host, path: "/a1-chunked-rgw" });
    const created = await fetch(`${endpoint}/a1-chunked-rgw`, {
      method: "PUT",
      headers: bucket.headers,
    });
    await created.body?.cancel();
    const good = await send(
      chunkedUpload({ size: 200_000, host, path: "/a1-chunked-rgw/good.bin" }),
      "/a1-chunked-rgw/good.bin",
    );
    assert.equal(good.status, 200, good.text);
    const bad = await send(
      chunkedUpload({
        size: 200_000,
        host,
        path: "/a1-chunked-rgw/bad.bin",
        tamper: (i, f) => i === 1 && (f.data[0] ^= 1),
      }),
      "/a1-chunked-rgw/bad.bin",
    );
    assert.equal(bad.status, 403, bad.text);
    assert.match(bad.text, /<Code>SignatureDoesNotMatch<\/Code>/);
  },
);

Deno.test("decodeAwsChunked() reads trailers however the final chunk is framed", async (t) => {
  const decode = (raw: string, checksumHeader?: string) =>
    new Response(
      decodeAwsChunked(new Blob([raw]).stream(), { trailer: true, checksumHeader }),
    ).text();
  await t.step("no trailer at all", async () => {
    assert.equal(await decode("5\r\nhello\r\n0\r\n\r\n"), "hello");
  });
  await t.step("trailer right after the final chunk", async () => {
    assert.equal(
      await decode(
        "5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n",
        "x-amz-checksum-crc32",
      ),
      "hello",
    );
  });
  await t.step("an empty line before the trailer, none after it", async () => {
    assert.equal(
      await decode(
        "5\r\nhello\r\n0\r\n\r\nx-amz-checksum-crc32:NhCmhg==\r\n",
        "x-amz-checksum-crc32",
      ),
      "hello",
    );
  });
  await t.step("an announced trailer that never comes: InvalidRequest", async () => {
    await assert.rejects(
      decode("5\r\nhello\r\n0\r\n\r\n", "x-amz-checksum-crc32"),
      (e) => e instanceof S3Error && e.code === "InvalidRequest",
    );
  });
});
