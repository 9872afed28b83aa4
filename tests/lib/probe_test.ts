import assert from "node:assert/strict";
import {
  connect,
  createBucket,
  deleteBucket,
  deleteObject,
  probe,
  putObject,
} from "../../lib/mod.ts";

const noEnv = { get: (_: string) => undefined };

Deno.test("probe() reports status, S3 code, content type and size, and records itself in the trace", async () => {
  await using s3 = await connect({ env: noEnv });
  const bucket = await createBucket(s3);
  await putObject(s3, bucket, "private.txt", "secret words");
  try {
    const refused = await probe(`${s3.endpoint}/${bucket}/private.txt`, { trace: s3.trace });
    assert.equal(refused.status, 403);
    assert.equal(refused.ok, false);
    assert.equal(refused.code, "AccessDenied");
    assert.equal(refused.contentType, "application/xml");
    assert.ok(refused.bytes > 0);
    assert.match(
      refused.toText(),
      /^Anonymous GET → 403 Forbidden AccessDenied \(application\/xml, \d+ bytes\)$/,
    );
    assert.match(
      refused.toHtml(),
      /^<p>Anonymous GET → <b style="color:#9a6700">403 Forbidden AccessDenied/,
    );
    const recorded = s3.trace.entries.at(-1)!;
    assert.deepEqual(
      [recorded.source, recorded.method, recorded.status, recorded.code, recorded.bytesReceived],
      ["probe", "GET", 403, "AccessDenied", refused.bytes],
    );
    const head = await probe(`${s3.endpoint}/${bucket}/nothing`, { method: "HEAD" });
    assert.deepEqual([head.method, head.status], ["HEAD", 403]);
  } finally {
    await deleteObject(s3, bucket, "private.txt");
    await deleteBucket(s3, bucket);
  }
});

Deno.test("probe() reports a dead endpoint as status 0 with the reason", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const result = await probe(`http://127.0.0.1:${port}/b/k`);
  assert.equal(result.status, 0);
  assert.equal(result.ok, false);
  assert.match(result.error ?? "", /ECONNREFUSED|refused/i);
  assert.match(result.toText(), /^Anonymous GET → no response: /);
});
