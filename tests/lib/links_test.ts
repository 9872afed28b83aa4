import assert from "node:assert/strict";
import {
  connect,
  createBucket,
  presignGet,
  presignPut,
  probe,
  publicUrl,
  putObject,
  setObjectAcl,
} from "../../lib/mod.ts";
import { MAX_EXPIRY_SECONDS, validateExpiry } from "../../lib/validate.ts";
import { getText } from "../../lib/objects.ts";
import { DEMO_USERS } from "../../server/demo_users.ts";
import { rgwTest } from "../support/engines.ts";

const noEnv = { get: (_: string) => undefined };

Deno.test("publicUrl() writes path-style and virtual-host-style URLs", async () => {
  await using s3 = await connect({ env: noEnv });
  const port = new URL(s3.endpoint).port;
  assert.equal(
    publicUrl(s3, "photos", "dir/my cloud.png"),
    `http://127.0.0.1:${port}/photos/dir/my%20cloud.png`,
  );
  assert.equal(
    publicUrl(s3, "photos", "dir/my cloud.png", { style: "virtual" }),
    `http://photos.localhost:${port}/dir/my%20cloud.png`,
  );
  await using aws = await connect({
    aws: true,
    region: "us-west-2",
    accessKeyId: "AKIAEXAMPLE",
    secretAccessKey: "example-secret",
    env: noEnv,
  });
  assert.equal(
    publicUrl(aws, "photos", "a.png"),
    "https://photos.s3.us-west-2.amazonaws.com/a.png",
  );
  assert.equal(
    publicUrl(aws, "photos", "a.png", { style: "path" }),
    "https://s3.us-west-2.amazonaws.com/photos/a.png",
  );
  assert.throws(() => publicUrl(s3, "Bad_Bucket", "a"), RangeError);
});

Deno.test("both URL styles reach the object once it is public", async () => {
  await using s3 = await connect({ env: noEnv });
  const bucket = await createBucket(s3);
  await putObject(s3, bucket, "hello.txt", "Hello World!");
  for (const style of ["path", "virtual"] as const) {
    const url = publicUrl(s3, bucket, "hello.txt", { style });
    const denied = await probe(url);
    assert.equal(denied.status, 403, `${style}: ${denied}`);
    assert.equal(denied.code, "AccessDenied");
  }
  await setObjectAcl(s3, bucket, "hello.txt", "public-read");
  for (const style of ["path", "virtual"] as const) {
    const url = publicUrl(s3, bucket, "hello.txt", { style });
    const ok = await probe(url, { trace: s3.trace });
    assert.equal(ok.status, 200, `${style}: ${ok}`);
    assert.equal(ok.ok, true);
    assert.equal(ok.code, undefined);
    assert.equal(ok.contentType, "text/plain; charset=utf-8");
    assert.equal(ok.bytes, 12);
  }
  const probes = s3.trace.entries.filter((e) => e.source === "probe");
  assert.deepEqual(probes.map((e) => new URL(e.url).hostname), [
    "127.0.0.1",
    `${bucket}.localhost`,
  ]);
});

Deno.test("validateExpiry() accepts 1 second to 7 days and refuses the rest", async (t) => {
  assert.equal(validateExpiry(1), 1);
  assert.equal(validateExpiry(MAX_EXPIRY_SECONDS), 604800);
  for (const bad of [0, -1, 604801, 1.5, Infinity]) {
    await t.step(`${bad}`, () => {
      assert.throws(() => validateExpiry(bad), {
        name: "RangeError",
        message: `Invalid expiry: a presigned URL lives 1 to 604800 seconds (7 days), got ${bad}`,
      });
    });
  }
  assert.throws(() => validateExpiry(NaN), TypeError);
  assert.throws(() => validateExpiry("60" as unknown as number), TypeError);
});

Deno.test("presignGet() makes a link that works anonymously and refuses bad expiries", async () => {
  await using s3 = await connect({ env: noEnv });
  const bucket = await createBucket(s3);
  await putObject(s3, bucket, "secret.txt", "only with a link");
  const before = s3.trace.entries.length;
  const url = await presignGet(s3, bucket, "secret.txt", { expiresIn: 60 });
  assert.equal(s3.trace.entries.length, before, "presigning sends nothing");
  const params = new URL(url).searchParams;
  assert.equal(params.get("X-Amz-Expires"), "60");
  assert.match(params.get("X-Amz-Signature") ?? "", /^[0-9a-f]{64}$/);
  const result = await probe(url, { trace: s3.trace });
  assert.equal(result.status, 200);
  assert.ok(result.url.includes("X-Amz-Signature=REDACTED"), "a probe result is safe to print");
  assert.ok(!String(result).includes(params.get("X-Amz-Signature")!));

  const tampered = url.replace("secret.txt", "other.txt");
  assert.equal((await probe(tampered)).code, "SignatureDoesNotMatch");
  await assert.rejects(presignGet(s3, bucket, "secret.txt", { expiresIn: 0 }), RangeError);
  await assert.rejects(
    presignGet(s3, bucket, "secret.txt", { expiresIn: 8 * 24 * 3600 }),
    RangeError,
  );
});

Deno.test("presignPut() makes a link anyone can upload through", async () => {
  await using s3 = await connect({ env: noEnv });
  const bucket = await createBucket(s3);
  const url = await presignPut(s3, bucket, "dropbox/note.txt", {
    expiresIn: 120,
    contentType: "text/plain",
  });
  const response = await fetch(url, {
    method: "PUT",
    body: "left via a link",
    headers: { "content-type": "text/plain" },
  });
  await response.body?.cancel();
  assert.equal(response.status, 200);
  assert.equal(await getText(s3, bucket, "dropbox/note.txt"), "left via a link");
  await assert.rejects(presignPut(s3, bucket, "x", { expiresIn: -5 }), RangeError);
});

rgwTest("links behave the same on Ceph RGW, both URL styles", async (_t, endpoint) => {
  const demo = DEMO_USERS[0];
  await using s3 = await connect({
    endpoint,
    accessKeyId: demo.accessKeyId,
    secretAccessKey: demo.secretAccessKey,
    env: noEnv,
  });
  const bucket = await createBucket(s3, { prefix: "b-links" });
  try {
    await putObject(s3, bucket, "hello.txt", "Hello World!");
    for (const style of ["path", "virtual"] as const) {
      assert.equal((await probe(publicUrl(s3, bucket, "hello.txt", { style }))).status, 403);
    }
    assert.equal((await probe(await presignGet(s3, bucket, "hello.txt"))).status, 200);
    await setObjectAcl(s3, bucket, "hello.txt", "public-read");
    for (const style of ["path", "virtual"] as const) {
      assert.equal((await probe(publicUrl(s3, bucket, "hello.txt", { style }))).status, 200);
    }
  } finally {
    const { emptyBucket, deleteBucket } = await import("../../lib/mod.ts");
    await emptyBucket(s3, bucket);
    await deleteBucket(s3, bucket);
  }
});

Deno.test("links follow the connected cluster's bucket-name rules", async (t) => {
  await using east5 = await connect({ emulate: "us-east-5", env: noEnv });
  await using rgw = await connect({ env: noEnv });
  const dots = /^RangeError: Invalid bucket name "my\.photos": .*"\." on DreamObjects US-East 5/;
  await t.step("publicUrl() refuses a dotted name on US-East 5, not on RGW", () => {
    assert.throws(() => publicUrl(east5, "my.photos", "a.png"), dots);
    assert.match(publicUrl(rgw, "my.photos", "a.png"), /\/my\.photos\/a\.png$/);
  });
  await t.step("presignGet() and presignPut() refuse it before signing", async () => {
    await assert.rejects(() => presignGet(east5, "my.photos", "a.png"), dots);
    await assert.rejects(() => presignPut(east5, "my.photos", "a.png"), dots);
    await assert.rejects(
      () => presignGet(east5, "b2-photos", "a.png"),
      /must not start with "b2-" on DreamObjects US-East 5/,
    );
    assert.match(await presignGet(rgw, "my.photos", "a.png"), /X-Amz-Signature=/);
  });
  await t.step("a five-character name is fine on RGW, refused on US-East 5", async () => {
    await assert.rejects(
      () => presignPut(east5, "short", "a.png"),
      /6 to 63 characters on DreamObjects US-East 5, got 5/,
    );
    assert.match(await presignPut(rgw, "short", "a.png"), /X-Amz-Signature=/);
  });
});
