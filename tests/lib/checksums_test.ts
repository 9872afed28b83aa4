/**
 * The library's checksum options (putObject, putFile single and multipart, syncUp, getBytes'
 * verifyChecksum) and conditional putObject (ifMatch, ifNoneMatch), on the embedded server;
 * checksums compared with values computed independently (tests/support/checksums.ts).
 */

import assert from "node:assert/strict";
import { HeadObjectCommand } from "@aws-sdk/client-s3";
import {
  connect,
  createBucket,
  getBytes,
  getFile,
  putFile,
  putObject,
  S3RequestError,
  syncDown,
  syncUp,
} from "../../lib/mod.ts";
import { randomBytes } from "../support/bytes.ts";
import { ALGORITHMS, expectedChecksum, expectedComposite } from "../support/checksums.ts";

const noEnv = { get: (_: string) => undefined };
const MiB = 1024 * 1024;

Deno.test("putObject({ checksum }) sends each algorithm; the server's answer and a verified read agree", async (t) => {
  await using s3 = await connect({ env: noEnv });
  const bucket = await createBucket(s3);
  const body = randomBytes(10_000);
  for (const algorithm of ALGORITHMS) {
    await t.step(algorithm, async () => {
      const stored = await putObject(s3, bucket, algorithm, body, { checksum: algorithm });
      assert.equal(stored.checksum, `${algorithm}:${expectedChecksum(algorithm, body)}`);
      assert.deepEqual(await getBytes(s3, bucket, algorithm, { verifyChecksum: true }), body);
    });
  }
  await assert.rejects(
    putObject(s3, bucket, "k", "x", { checksum: "MD5" as never }),
    /Cannot use checksum "MD5": use CRC32, CRC32C, CRC64NVME, SHA1 or SHA256/,
  );
});

Deno.test('putObject({ ifNoneMatch: "*" }) creates only; ifMatch updates only what was read', async () => {
  await using s3 = await connect({ env: noEnv });
  const bucket = await createBucket(s3);
  const first = await putObject(s3, bucket, "lock", "mine", { ifNoneMatch: "*" });
  const taken = await putObject(s3, bucket, "lock", "yours", { ifNoneMatch: "*" }).catch((e) => e);
  assert.ok(taken instanceof S3RequestError);
  assert.equal(taken.status, 412);
  assert.match(
    taken.message,
    /^Cannot upload "[^"]+\/lock": 412 Precondition Failed PreconditionFailed: .*ifNoneMatch "\*" an object of that key exists already/,
  );
  assert.ok(!taken.message.includes("\n"), "one line");
  const second = await putObject(s3, bucket, "lock", "v2", { ifMatch: first.etag });
  const stale = await putObject(s3, bucket, "lock", "v3", { ifMatch: first.etag }).catch((e) => e);
  assert.equal(stale.status, 412);
  assert.match(stale.message, /ifMatch its ETag changed since you read it/);
  await putObject(s3, bucket, "lock", "v3", { ifMatch: second.etag });
  assert.equal(new TextDecoder().decode(await getBytes(s3, bucket, "lock")), "v3");
});

Deno.test("putFile({ checksum }): single PUT, and multipart as full-object CRC or composite SHA", async (t) => {
  await using s3 = await connect({ env: noEnv });
  const bucket = await createBucket(s3);
  const dir = await Deno.makeTempDir();
  try {
    const small = randomBytes(100_000);
    const big = randomBytes(11 * MiB);
    await Deno.writeFile(`${dir}/small.bin`, small);
    await Deno.writeFile(`${dir}/big.bin`, big);
    await t.step("single PUT, CRC64NVME", async () => {
      const out = await putFile(s3, bucket, "small", `${dir}/small.bin`, { checksum: "CRC64NVME" });
      assert.equal(out.checksum, `CRC64NVME:${expectedChecksum("CRC64NVME", small)}`);
    });
    const multipart = { multipartThreshold: 5 * MiB, partSize: 5 * MiB };
    await t.step("multipart, CRC32C: the whole object's CRC", async () => {
      const out = await putFile(s3, bucket, "big-crc", `${dir}/big.bin`, {
        ...multipart,
        checksum: "CRC32C",
      });
      assert.equal(out.multipart, true);
      assert.equal(out.checksum, `CRC32C:${expectedChecksum("CRC32C", big)}`);
      assert.deepEqual(await getBytes(s3, bucket, "big-crc", { verifyChecksum: true }), big);
      await getFile(s3, bucket, "big-crc", `${dir}/copy.bin`, { verifyChecksum: true });
      assert.deepEqual(await Deno.readFile(`${dir}/copy.bin`), big);
    });
    await t.step("multipart, SHA256: composite", async () => {
      const out = await putFile(s3, bucket, "big-sha", `${dir}/big.bin`, {
        ...multipart,
        checksum: "SHA256",
      });
      const parts = [
        big.subarray(0, 5 * MiB),
        big.subarray(5 * MiB, 10 * MiB),
        big.subarray(10 * MiB),
      ];
      assert.equal(out.checksum, `SHA256:${expectedComposite("SHA256", parts)}`);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("syncUp({ checksum }) sends one with every file; syncDown({ verifyChecksum }) checks them", async () => {
  await using s3 = await connect({ env: noEnv });
  const bucket = await createBucket(s3);
  const dir = await Deno.makeTempDir();
  try {
    const a = randomBytes(1000);
    const b = randomBytes(6 * MiB);
    await Deno.writeFile(`${dir}/a.bin`, a);
    await Deno.writeFile(`${dir}/b.bin`, b);
    const summary = await syncUp(s3, dir, bucket, "backup", {
      checksum: "SHA1",
      multipartThreshold: 5 * MiB,
      partSize: 5 * MiB,
    });
    assert.equal(summary.copied, 2);
    const head = (key: string) =>
      s3.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: "ENABLED" }));
    assert.equal((await head("backup/a.bin")).ChecksumSHA1, expectedChecksum("SHA1", a));
    assert.equal(
      (await head("backup/b.bin")).ChecksumSHA1,
      expectedComposite("SHA1", [b.subarray(0, 5 * MiB), b.subarray(5 * MiB)]),
    );
    // And back: a file above 8 MiB arrives in parallel ranges, checked against its full CRC.
    const c = randomBytes(9 * MiB);
    await Deno.writeFile(`${dir}/c.bin`, c);
    await putFile(s3, bucket, "restore/c.bin", `${dir}/c.bin`, {
      checksum: "CRC32",
      multipartThreshold: 5 * MiB,
      partSize: 5 * MiB,
    });
    const down = await syncDown(s3, bucket, "restore", `${dir}/restored`, {
      verifyChecksum: true,
    });
    assert.equal(down.copied, 1);
    assert.deepEqual(down.failed, []);
    assert.deepEqual(await Deno.readFile(`${dir}/restored/c.bin`), c);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("getBytes({ verifyChecksum }) refuses bytes that do not match the checksum sent with them", async () => {
  // A stand-in server that answers every GET with "hello" and the CRC32 of "hellO".
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen() {} },
    () =>
      new Response("hello", {
        headers: { etag: '"5d41402abc4b2a76b9719d911017c592"', "x-amz-checksum-crc32": "AAAAAA==" },
      }),
  );
  try {
    await using s3 = await connect({
      endpoint: `http://127.0.0.1:${server.addr.port}`,
      accessKeyId: "AKIDEXAMPLE",
      secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
      env: noEnv,
    });
    const refused = await getBytes(s3, "some-bucket", "k", { verifyChecksum: true }).catch((e) =>
      e
    );
    assert.ok(refused instanceof Error);
    assert.equal(
      refused.message,
      'Cannot download "some-bucket/k": the bytes received do not match the object\'s CRC32 ' +
        'checksum "AAAAAA==" (got "NhCmhg=="): they changed on the way; download again',
    );
    // Without the option, nothing is checked.
    assert.equal(new TextDecoder().decode(await getBytes(s3, "some-bucket", "k")), "hello");
    const dir = await Deno.makeTempDir();
    try {
      const file = await getFile(s3, "some-bucket", "k", `${dir}/k`, { verifyChecksum: true })
        .catch((e) => e);
      assert.ok(file instanceof Error);
      assert.match(file.message, /the file does not match the object's CRC32 checksum "AAAAAA=="/);
      await assert.rejects(Deno.stat(`${dir}/k`), Deno.errors.NotFound, "the file was removed");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  } finally {
    await server.shutdown();
  }
});
