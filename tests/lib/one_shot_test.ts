import assert from "node:assert/strict";
import { connect, createBucket, getObjectGrants, headObject } from "../../lib/mod.ts";
import { putFileOneShot } from "../../lib/one_shot.ts";
import { DEMO_USERS } from "../../server/mod.ts";

const MiB = 1024 * 1024;

Deno.test("putFileOneShot() sends what it is given: metadata, ACL, and parts above a lower threshold", async (t) => {
  await using s3 = await connect(); // the embedded server
  const bucket = await createBucket(s3);
  const { accessKeyId, secretAccessKey } = DEMO_USERS[0];
  const options = { endpoint: s3.endpoint, accessKeyId, secretAccessKey };
  const path = await Deno.makeTempFile();
  try {
    await t.step("metadata and a canned ACL are stored", async () => {
      await Deno.writeTextFile(path, "Hello World!");
      await putFileOneShot(options, bucket, "meta.txt", path, {
        metadata: { colour: "blue" },
        acl: "public-read",
      });
      assert.deepEqual((await headObject(s3, bucket, "meta.txt")).metadata, { colour: "blue" });
      const { grants } = await getObjectGrants(s3, bucket, "meta.txt");
      assert.ok(grants.some((g) => g.grantee.startsWith("Everyone") && g.permission === "READ"));
    });
    await t.step("multipartThreshold below the default sends parts", async () => {
      await Deno.writeFile(path, new Uint8Array(6 * MiB));
      const sent = await putFileOneShot(options, bucket, "parts.bin", path, {
        multipartThreshold: 5 * MiB,
        partSize: 5 * MiB,
      });
      assert.equal(sent, 6 * MiB);
      assert.match((await headObject(s3, bucket, "parts.bin")).etag ?? "", /-2"?$/);
    });
  } finally {
    await Deno.remove(path);
  }
});
