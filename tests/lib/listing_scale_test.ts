import assert from "node:assert/strict";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { connect } from "../../lib/connect.ts";
import { createBucket } from "../../lib/buckets.ts";
import { listObjects } from "../../lib/objects.ts";

const COUNT = 10_000;

/** Keys in a scrambled order, some non-ASCII, so the server has to sort them itself. */
function makeKeys(): string[] {
  const words = ["alpha", "beta", "été", "zulu", "日本", "emoji-😀", "priv-\uE000", "a b", "A"];
  const keys = Array.from(
    { length: COUNT },
    (_, i) => `${words[i % words.length]}/${(i * 7919) % COUNT}-${i}`,
  );
  // A deterministic shuffle (the upload order must not be the listing order).
  for (let i = keys.length - 1; i > 0; i--) {
    const j = (i * 2654435761) % (i + 1);
    [keys[i], keys[j]] = [keys[j], keys[i]];
  }
  return keys;
}

/** S3 lists keys in UTF-8 byte order. */
function utf8Order(a: string, b: string): number {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return x[i] - y[i];
  }
  return x.length - y.length;
}

Deno.test({
  name: "listObjects() pages through 10,000 objects in key order, each exactly once",
  fn: async (t) => {
    await using s3 = await connect();
    assert.equal(s3.target, "embedded");
    const bucket = await createBucket(s3, { prefix: "listing" });
    try {
      const keys = makeKeys();
      s3.trace.enabled = false;
      let next = 0;
      const body = new Uint8Array(0);
      await Promise.all(Array.from({ length: 16 }, async () => {
        while (next < keys.length) {
          const Key = keys[next++];
          await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key, Body: body }));
        }
      }));
      s3.trace.enabled = true;
      const expected = [...keys].sort(utf8Order);

      for (const pageSize of [1000, 333]) {
        await t.step(`all of them, ${pageSize} per page`, async () => {
          s3.trace.clear();
          const listed: string[] = [];
          for await (const object of listObjects(s3, bucket, { pageSize })) {
            listed.push(object.key);
            assert.equal(object.size, 0);
          }
          assert.equal(listed.length, COUNT);
          assert.equal(new Set(listed).size, COUNT, "no key is listed twice");
          assert.deepEqual(listed, expected, "keys come in UTF-8 byte order");
          const pages = s3.trace.entries.filter((e) => e.operation === "ListObjectsV2");
          assert.equal(pages.length, Math.ceil(COUNT / pageSize), "one request per page");
          assert.ok(pages.every((p) => p.status === 200));
        });
      }

      await t.step("a prefix, across page boundaries", async () => {
        const prefix = "été/";
        const listed: string[] = [];
        for await (const object of listObjects(s3, bucket, { prefix, pageSize: 100 })) {
          listed.push(object.key);
        }
        assert.deepEqual(listed, expected.filter((k) => k.startsWith(prefix)));
        assert.ok(listed.length > 1000);
      });
    } finally {
      // The embedded server is in memory: closing the connection (await using) drops the
      // bucket with it, which 10,000 single deletes would take far longer to do.
      s3.createdBuckets.delete(bucket);
    }
  },
});
