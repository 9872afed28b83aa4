import assert from "node:assert/strict";
import { connect, listBuckets, S3RequestError } from "../../lib/mod.ts";
import { explain, toS3RequestError } from "../../lib/errors.ts";

const noEnv = { get: (_: string) => undefined };

Deno.test("toS3RequestError() names an unmodelled HEAD 404 from its status", () => {
  const sdkError = Object.assign(new Error("UnknownError"), {
    name: "UnknownError",
    $metadata: { httpStatusCode: 404, requestId: "REQ1" },
  });
  const onKey = toS3RequestError(sdkError, { action: 'read "b/k"', bucket: "b", key: "k" });
  assert.ok(onKey instanceof S3RequestError);
  assert.equal(onKey.code, "NoSuchKey");
  assert.equal(onKey.requestId, "REQ1");
  assert.equal(onKey.cause, sdkError);
  const onBucket = toS3RequestError(sdkError, { action: 'check bucket "b"', bucket: "b" });
  assert.equal((onBucket as S3RequestError).code, "NoSuchBucket");
});

Deno.test("toS3RequestError() keeps a modelled code and passes other errors through", () => {
  const sdkError = Object.assign(new Error("The bucket you tried to delete is not empty"), {
    name: "BucketNotEmpty",
    $metadata: { httpStatusCode: 409 },
  });
  const error = toS3RequestError(sdkError, { action: 'delete bucket "b"', bucket: "b" });
  assert.equal((error as S3RequestError).code, "BucketNotEmpty");
  const plain = new TypeError("bad input");
  assert.equal(toS3RequestError(plain, { action: "x" }), plain);
  const unknownCode = Object.assign(new Error("Something odd happened"), {
    name: "WeirdThing",
    $metadata: { httpStatusCode: 400 },
  });
  assert.equal(
    (toS3RequestError(unknownCode, { action: "do x" }) as Error).message,
    "Cannot do x: 400 Bad Request WeirdThing: Something odd happened",
  );
});

Deno.test("explain() says what failed, the status and code, and what to do", () => {
  assert.equal(
    explain({ action: 'delete bucket "b"', bucket: "b" }, 404, "NoSuchBucket"),
    'Cannot delete bucket "b": 404 Not Found NoSuchBucket: bucket "b" does not exist; check the ' +
      "name or create it with createBucket()",
  );
});

Deno.test("an unreachable endpoint fails with NetworkError and a hint", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  await using s3 = await connect({
    endpoint: `http://127.0.0.1:${port}`,
    accessKeyId: "DEMOACCESSKEY",
    secretAccessKey: "DEMOSECRETKEY",
    maxAttempts: 1,
    env: noEnv,
  });
  const error = await listBuckets(s3).catch((e) => e);
  assert.ok(error instanceof S3RequestError, String(error));
  assert.equal(error.status, 0);
  assert.equal(error.code, "NetworkError");
  assert.equal(
    error.message,
    "Cannot list buckets: nothing listens there (connection refused); check the endpoint and " +
      "that the server runs",
  );
  assert.equal(s3.trace.entries.at(-1)?.status, 0);
});

Deno.test("timeoutMs makes a request to a server that never answers fail as NetworkError", async () => {
  const blackHole = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const held: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of blackHole) held.push(conn);
  })().catch(() => {});
  try {
    await using s3 = await connect({
      endpoint: `http://127.0.0.1:${(blackHole.addr as Deno.NetAddr).port}`,
      accessKeyId: "DEMOACCESSKEY",
      secretAccessKey: "DEMOSECRETKEY",
      maxAttempts: 1,
      timeoutMs: 500,
      env: noEnv,
    });
    const started = performance.now();
    const error = await listBuckets(s3).catch((e) => e);
    const ms = performance.now() - started;
    assert.ok(error instanceof S3RequestError, String(error));
    assert.equal(error.code, "NetworkError");
    assert.match(error.message, /^Cannot list buckets: the (connection|request) timed out; check/);
    assert.ok(ms >= 400 && ms < 5000, `took ${ms} ms`);
  } finally {
    blackHole.close();
    held.forEach((c) => c.close());
    await accepting;
  }
});
