/**
 * Downloads stay inside their folder under POSIX and Windows file-name rules alike: the check
 * `syncDown()` and `deno task cp` share (`lib/key_paths.ts`), with `node:path`'s `win32` rules on any
 * system, and `syncDown()`'s `fileNames: "windows"` end to end on the embedded server.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join, posix, win32 } from "node:path";
import { connect } from "../../lib/connect.ts";
import { createBucket, deleteBucket, emptyBucket } from "../../lib/buckets.ts";
import { putObject } from "../../lib/objects.ts";
import { syncDown } from "../../lib/sync.ts";
import { localPathFor } from "../../lib/key_paths.ts";
import { fileInFolder } from "../../cli/cp.ts";

/** Keys that stay inside the folder under POSIX rules but not under Windows'. */
const WINDOWS_ESCAPES: readonly [string, RegExp][] = [
  ["..\\..\\evil.txt", /leave the folder/],
  ["a\\..\\..\\evil.txt", /leave the folder/],
  ["C:x", /character Windows refuses/],
  ["C:\\Windows\\evil.txt", /character Windows refuses/],
  ["CON", /reserved device name/],
  ["aux.txt", /reserved device name/],
  ["dir/nul.tar.gz", /reserved device name/],
  ["com1", /reserved device name/],
  ["a\rb", /character Windows refuses/],
  ["what?.txt", /character Windows refuses/],
  ["trailing.", /ends with a dot or a space/],
];

Deno.test("a key that leaves the folder or names a device is refused under Windows' rules", () => {
  for (const [key, why] of WINDOWS_ESCAPES) {
    const found = localPathFor("C:\\Users\\me\\down", key, win32);
    assert.ok(
      "problem" in found,
      `${JSON.stringify(key)} under win32 gave ${JSON.stringify(found)}`,
    );
    assert.match(found.problem, why, key);
    assert.throws(
      () => fileInFolder("C:\\Users\\me\\down", { bucket: "b", key: `p/${key}` }, win32),
      (e: Error) => e.message.includes(JSON.stringify(`s3://b/p/${key}`)) && why.test(e.message),
      key,
    );
  }
  // Under POSIX rules a backslash, a colon or a device name is an ordinary file name.
  for (const key of ["..\\..\\evil.txt", "C:x", "CON", "aux.txt"]) {
    assert.deepEqual(localPathFor("/home/me/down", key, posix), { path: `/home/me/down/${key}` });
  }
  for (const key of ["..", "a/../../b", "./x", "a//b", "dir/", "a\0b"]) {
    assert.ok("problem" in localPathFor("/home/me/down", key, posix), key);
  }
});

Deno.test("syncDown() with Windows file names fails each such key by name, the others arrive", async () => {
  await using s3 = await connect({ trace: false });
  const bucket = await createBucket(s3);
  const dir = await Deno.makeTempDir();
  try {
    for (const [key] of WINDOWS_ESCAPES) await putObject(s3, bucket, `p/${key}`, "no");
    await putObject(s3, bucket, "p/ok.txt", "ok");
    const summary = await syncDown(s3, bucket, "p", join(dir, "down"), { fileNames: "windows" });
    assert.equal(summary.copied, 1);
    assert.deepEqual(
      summary.failed.map((f) => f.key).sort(),
      WINDOWS_ESCAPES.map(([k]) => k).sort(),
    );
    for (const failure of summary.failed) {
      assert.match(failure.error.message, /^Cannot download ".*" into ".*": .+$/);
      assert.ok(failure.error.message.includes(JSON.stringify(`${bucket}/p/${failure.key}`)));
    }
    const files = [];
    for await (const entry of Deno.readDir(join(dir, "down"))) files.push(entry.name);
    assert.deepEqual(files, ["ok.txt"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
    await emptyBucket(s3, bucket);
    await deleteBucket(s3, bucket);
  }
});
