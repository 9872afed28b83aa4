import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  GetObjectCommand,
  ListMultipartUploadsCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { SplitHttpHandler } from "../../lib/_http.ts";
import { choosePartSize, uploadFileInParts } from "../../lib/_transfer.ts";
import { connect } from "../../lib/connect.ts";
import { createBucket } from "../../lib/buckets.ts";
import { DEMO_USERS } from "../../server/demo_users.ts";
import { md5Hex, randomBytes } from "../support/bytes.ts";

const MiB = 1024 * 1024;

/** The embedded server, a bucket, a scratch directory; clients with and without the split handler. */
async function setup() {
  const s3 = await connect({ trace: false });
  const bucket = await createBucket(s3, { prefix: "transfer" });
  const dir = await Deno.makeTempDir();
  return {
    s3,
    bucket,
    dir,
    async [Symbol.asyncDispose]() {
      await s3.close(); // in memory: the bucket goes with the server
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** A client for the embedded server, with the split handler or the SDK's default (Node). */
function sdkClient(url: string, split: boolean): S3Client {
  return new S3Client({
    endpoint: url,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: {
      accessKeyId: DEMO_USERS[0].accessKeyId,
      secretAccessKey: DEMO_USERS[0].secretAccessKey,
    },
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    ...(split ? { requestHandler: new SplitHttpHandler() } : {}),
  });
}

async function openUploads(client: S3Client, bucket: string): Promise<number> {
  const out = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
  return out.Uploads?.length ?? 0;
}

Deno.test("choosePartSize() keeps 5 MiB at least and fits any file in 10,000 parts", () => {
  assert.equal(choosePartSize(100, 1), 5 * MiB);
  assert.equal(choosePartSize(1024 * MiB, 8 * MiB), 8 * MiB, "the size asked for");
  const huge = 200 * 1024 * MiB; // 200 GiB
  const part = choosePartSize(huge);
  assert.ok(Math.ceil(huge / part) <= 10_000);
  assert.equal(part % MiB, 0);
});

Deno.test("choosePartSize() defaults to 8 MiB, growing above 512 MiB to 64 parts, up to 16 MiB", () => {
  assert.equal(choosePartSize(20 * MiB), 8 * MiB);
  assert.equal(choosePartSize(512 * MiB), 8 * MiB);
  assert.equal(choosePartSize(512 * MiB + 1), 9 * MiB);
  assert.equal(choosePartSize(1024 * MiB), 16 * MiB);
  assert.equal(choosePartSize(4096 * MiB), 16 * MiB);
  const huge = 200 * 1024 * MiB; // the 10,000-part limit still wins
  assert.equal(choosePartSize(huge), Math.ceil(huge / 10_000 / MiB) * MiB);
});

Deno.test("uploadFileInParts() stores the file byte for byte, parts in order", async (t) => {
  await using env = await setup();
  const { s3, bucket, dir } = env;
  for (
    const [name, size, concurrency] of [
      ["an exact number of parts", 10 * MiB, 2],
      ["a short last part", 12 * MiB + 1, 3],
      ["one part", 3 * MiB, 4],
    ] as const
  ) {
    await t.step(name, async () => {
      const data = randomBytes(size);
      await Deno.writeFile(`${dir}/f.bin`, data);
      const seen: number[] = [];
      const out = await uploadFileInParts(
        s3.client,
        { Bucket: bucket, Key: name, ContentType: "application/x-test" },
        `${dir}/f.bin`,
        size,
        { partSize: 5 * MiB, concurrency, onProgress: (p) => seen.push(p.loaded) },
      );
      assert.match(out.ETag!, new RegExp(`-${Math.ceil(size / (5 * MiB))}"$`));
      assert.equal(seen.at(-1), size);
      const got = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: name }));
      assert.equal(got.ContentType, "application/x-test");
      assert.equal(md5Hex(await got.Body!.transformToByteArray()), md5Hex(data));
      assert.equal(await openUploads(s3.client, bucket), 0);
    });
  }
});

Deno.test("uploadFileInParts() signs each part's SHA-256, the part read and hashed in slices", async () => {
  await using env = await setup();
  const { s3, bucket, dir } = env;
  // 2.5 slices per part and a short last part: the hash must cover every slice, in order.
  const size = 2 * (5 * MiB + MiB / 2) + 3;
  const data = randomBytes(size);
  await Deno.writeFile(`${dir}/f.bin`, data);
  const client = sdkClient(s3.endpoint, true);
  const signed = new Map<number, string>();
  client.middlewareStack.add((next, context) => (args) => {
    const request = args.request as {
      headers: Record<string, string>;
      query: Record<string, string>;
    };
    if (context.commandName === "UploadPartCommand") {
      signed.set(Number(request.query.partNumber), request.headers["x-amz-content-sha256"]);
    }
    return next(args);
  }, { step: "deserialize", name: "seeSigned" }); // after signing, as sent
  try {
    await uploadFileInParts(client, { Bucket: bucket, Key: "signed" }, `${dir}/f.bin`, size, {
      partSize: 5 * MiB + MiB / 2,
      concurrency: 2,
    });
  } finally {
    client.destroy();
  }
  const sha = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
  const part = 5 * MiB + MiB / 2;
  assert.deepEqual([...signed].sort(([a], [b]) => a - b), [
    [1, sha(data.subarray(0, part))],
    [2, sha(data.subarray(part, 2 * part))],
    [3, sha(data.subarray(2 * part))],
  ]);
});

Deno.test("uploadFileInParts() aborts the upload on the server when it fails", async (t) => {
  await using env = await setup();
  const { s3, bucket, dir } = env;
  const size = 11 * MiB;
  await Deno.writeFile(`${dir}/f.bin`, randomBytes(size));
  await t.step("the file is shorter than announced", async () => {
    await assert.rejects(
      uploadFileInParts(s3.client, { Bucket: bucket, Key: "short" }, `${dir}/f.bin`, size + MiB, {
        partSize: 5 * MiB,
      }),
      /The file ended early/,
    );
    assert.equal(await openUploads(s3.client, bucket), 0, "no upload is left open");
  });
  await t.step("the caller aborts", async () => {
    const controller = new AbortController();
    const upload = uploadFileInParts(
      s3.client,
      { Bucket: bucket, Key: "aborted" },
      `${dir}/f.bin`,
      size,
      {
        partSize: 5 * MiB,
        concurrency: 1,
        signal: controller.signal,
        onProgress: () => controller.abort(),
      },
    );
    await assert.rejects(upload, (e: Error) => e.name === "AbortError");
    assert.equal(await openUploads(s3.client, bucket), 0, "no upload is left open");
  });
});

Deno.test("SplitHttpHandler sends GET and HEAD through fetch, the rest through Node's http", async () => {
  await using env = await setup();
  const { s3, bucket } = env;
  const client = sdkClient(s3.endpoint, true);
  const bodies: string[] = [];
  client.middlewareStack.add((next) => async (args) => {
    const result = await next(args);
    // deno-lint-ignore no-explicit-any
    const body = (result.response as any).body;
    bodies.push(body instanceof ReadableStream ? "web" : body?.constructor?.name ?? "none");
    return result;
  }, { step: "deserialize", priority: "high", name: "bodyKind" });
  await client.send(new PutObjectCommand({ Bucket: bucket, Key: "x", Body: "hello" }));
  const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: "x" }));
  assert.equal(await got.Body!.transformToString(), "hello");
  assert.equal(bodies[1], "web", "GET answered through fetch");
  assert.notEqual(bodies[0], "web", "PUT answered through Node's http");
  client.destroy();
});

Deno.test("SplitHttpHandler reports a refused download with Node's error code", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close(); // nothing listens there now
  const client = sdkClient(`http://127.0.0.1:${port}`, true);
  try {
    await assert.rejects(
      client.send(new GetObjectCommand({ Bucket: "b1", Key: "k" })),
      (e: Error & { code?: string }) => e.code === "ECONNREFUSED",
    );
  } finally {
    client.destroy();
  }
});
