import assert from "node:assert/strict";
import { S3Error } from "../../server/errors.ts";
import { errorXml } from "../../server/xml.ts";

Deno.test("S3Error takes its status and message from the table", () => {
  const err = new S3Error("NoSuchBucket", undefined, { bucketName: "demo" });
  assert.equal(err.status, 404);
  assert.equal(err.message, "The specified bucket does not exist");
});

Deno.test("errorXml() escapes values and names the bucket", () => {
  const xml = errorXml(new S3Error("NoSuchKey", "a<b", { key: "k&1" }), "/b/k&1", "req1");
  assert.match(xml, /<Code>NoSuchKey<\/Code><Message>a&lt;b<\/Message><Key>k&amp;1<\/Key>/);
  assert.match(xml, /<Resource>\/b\/k&amp;1<\/Resource><RequestId>req1<\/RequestId>/);
});
