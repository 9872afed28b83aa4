/**
 * Every S3 key, or a refusal that names it: one corpus of awkward keys through every operation of
 * the library (and `deno task cp`), trace on and trace off, on the embedded server and on Ceph
 * RGW. Each outcome is written down as one line; the lines must be the same with the trace on and
 * off and on both servers, an answer is never another object's bytes, a delete is never reported
 * for what is still there, and a refusal is one line naming the key.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { fileURLToPath } from "node:url";
import { connect, type Connection } from "../../lib/connect.ts";
import { createBucket, deleteBucket, emptyBucket } from "../../lib/buckets.ts";
import {
  deleteObject,
  getBytes,
  getFile,
  headObject,
  listObjects,
  putObject,
} from "../../lib/objects.ts";
import { copyObject } from "../../lib/folders.ts";
import { listVersions, setVersioning } from "../../lib/versions.ts";
import { getObjectGrants, setObjectAcl } from "../../lib/acl.ts";
import { presignGet } from "../../lib/links.ts";
import { syncDown, syncUp } from "../../lib/sync.ts";
import { leanClientOf } from "../../lib/_lean.ts";
import { DEMO_USERS } from "../../server/demo_users.ts";
import { s3Client, testServer } from "../support/server.ts";
import { rgwTest } from "../support/engines.ts";

/** The awkward keys, each with a name for the report. */
export const AWKWARD_KEYS: readonly [string, string][] = [
  ["dot", "."],
  ["dotdot", ".."],
  ["dot segments", "a/../b"],
  ["leading dot segment", "./x"],
  ["double slash", "a//b"],
  ["trailing slash", "dir/"],
  ["CR", "p/a\rb"],
  ["LF", "p/a\nb"],
  ["TAB", "p/a\tb"],
  ["percent", "100%.txt"],
  ["plus", "a+b.txt"],
  ["space", "a b.txt"],
  ["question mark", "what?.txt"],
  ["hash", "#1.txt"],
  ["backslash", "..\\..\\evil.txt"],
  ["drive letter", "C:x"],
  ["NFC", "caf\u00e9.txt"],
  ["NFD", "cafe\u0301.txt"],
  ["1024 bytes", "k/" + `${"x".repeat(200)}/`.repeat(5) + "y".repeat(17)],
  ["b (the target of a/../b)", "b"],
  ["x (the target of ./x)", "x"],
];

const KEYS = {
  accessKeyId: DEMO_USERS[0].accessKeyId,
  secretAccessKey: DEMO_USERS[0].secretAccessKey,
};
const decoder = new TextDecoder();
const CP = fileURLToPath(new URL("../../cli/cp.ts", import.meta.url));

/** What each key's object holds: its own name, so another object's bytes show. */
function bodyOf(key: string): string {
  return `object ${JSON.stringify(key)}`;
}

/** One outcome as a line: `ok ...`, `S3 <status> <code>`, or `refused: <message>`. */
async function outcome(
  bucket: string,
  run: () => Promise<string | void>,
): Promise<string> {
  try {
    const detail = await run();
    return detail ? `ok ${detail}` : "ok";
  } catch (error) {
    const e = error as { status?: number; code?: string; message?: string };
    if (typeof e.status === "number" && e.status > 0) return `S3 ${e.status} ${e.code}`;
    const message = String(e.message ?? error).replaceAll(bucket, "BUCKET");
    return `refused: ${message}`;
  }
}

/** Whether bytes read back are the key's own. */
function same(key: string, bytes: Uint8Array): string {
  const text = decoder.decode(bytes);
  return text === bodyOf(key) ? "own bytes" : `OTHER BYTES ${JSON.stringify(text)}`;
}

/** Every single-key operation on every key; returns one line per (key, operation). */
async function singleKeyOps(s3: Connection, bucket: string, dir: string): Promise<string[]> {
  const lines: string[] = [];
  const note = (name: string, op: string, line: string) => lines.push(`${name} ${op}: ${line}`);
  // The targets first, so that a request that lands on them is seen.
  for (const [, key] of AWKWARD_KEYS.slice(-2)) await putObject(s3, bucket, key, bodyOf(key));
  for (const [name, key] of AWKWARD_KEYS.slice(0, -2)) {
    const o = (op: string, run: () => Promise<string | void>) =>
      outcome(bucket, run).then((line) => note(name, op, line));
    await o("put", async () => void await putObject(s3, bucket, key, bodyOf(key)));
    if (!lines.at(-1)!.endsWith(": ok")) continue; // refused: nothing else to try
    await o("head", async () => `${(await headObject(s3, bucket, key)).size} B`);
    await o("get", async () => same(key, await getBytes(s3, bucket, key)));
    const file = join(dir, "download");
    await o("getFile", async () => {
      await getFile(s3, bucket, key, file);
      return same(key, await Deno.readFile(file));
    });
    await o("list", async () => {
      const keys = [];
      for await (const o of listObjects(s3, bucket, { prefix: key })) keys.push(o.key);
      return keys.includes(key) ? "listed" : `NOT LISTED among ${JSON.stringify(keys)}`;
    });
    await o("versions", async () => {
      const found = [];
      for await (const v of listVersions(s3, bucket, { prefix: key })) {
        if (v.key === key && !v.deleteMarker) found.push(v.key);
      }
      return `${found.length} version(s)`;
    });
    await o("acl", async () => {
      await setObjectAcl(s3, bucket, key, "public-read");
      return `${(await getObjectGrants(s3, bucket, key)).grants.length} grants`;
    });
    await o("presign", async () => {
      const response = await fetch(await presignGet(s3, bucket, key));
      const bytes = new Uint8Array(await response.arrayBuffer());
      return `${response.status} ${response.ok ? same(key, bytes) : ""}`.trim();
    });
    await o("copy", async () => {
      await copyObject(s3, bucket, key, `copies/${key}`);
      return same(key, await getBytes(s3, bucket, `copies/${key}`));
    });
    await o("delete", async () => {
      await deleteObject(s3, bucket, key);
      const after = await headObject(s3, bucket, key).then(() => "STILL THERE", (e) => e.code);
      return `then head: ${after}`;
    });
  }
  // The targets still hold their own bytes.
  for (const [name, key] of AWKWARD_KEYS.slice(-2)) {
    note(
      name,
      "after all",
      await outcome(bucket, async () => same(key, await getBytes(s3, bucket, key))),
    );
  }
  return lines;
}

/** Keys a local file can have on this system (no empty, "." or ".." segment, no trailing "/"). */
function fileNameable(key: string): boolean {
  return key.split("/").every((p) => p !== "" && p !== "." && p !== "..");
}

/** syncUp of files named like the keys, then syncUp with delete after removing them. */
async function syncUpOps(s3: Connection, bucket: string, dir: string): Promise<string[]> {
  const lines: string[] = [];
  const local = join(dir, "up");
  const keys = AWKWARD_KEYS.map(([, k]) => k).filter(fileNameable);
  for (const key of keys) {
    await Deno.mkdir(join(local, key, ".."), { recursive: true });
    await Deno.writeTextFile(join(local, key), bodyOf(key));
  }
  const up = await syncUp(s3, local, bucket, "sync");
  lines.push(`syncUp: copied ${up.copied}, failed ${up.failed.length}`);
  const listed = new Set<string>();
  for await (const o of listObjects(s3, bucket, { prefix: "sync/" })) listed.add(o.key);
  const failed = new Map(up.failed.map((f) => [f.key, f.error.message]));
  for (const [name, key] of AWKWARD_KEYS) {
    if (!fileNameable(key)) continue;
    const line = listed.has(`sync/${key}`)
      ? same(key, await getBytes(s3, bucket, `sync/${key}`))
      : failed.has(key)
      ? `failed: ${failed.get(key)!.replaceAll(bucket, "BUCKET").replaceAll(local, "DIR")}`
      : "NOT UPLOADED";
    lines.push(`${name} syncUp: ${line}`);
  }
  await Deno.remove(local, { recursive: true });
  await Deno.mkdir(local);
  const gone = await syncUp(s3, local, bucket, "sync", { delete: true });
  const left = [];
  for await (const o of listObjects(s3, bucket, { prefix: "sync/" })) left.push(o.key);
  lines.push(
    `syncUp delete: reported ${gone.deleted} deleted, ${gone.failed.length} failed; ` +
      `left ${JSON.stringify(left)}`,
  );
  assert.deepEqual(
    left.length,
    gone.failed.length,
    `reported deleted but still there: ${JSON.stringify(left)}`,
  );
  return lines;
}

/** syncDown of every key that could be stored: each lands in its file, or fails by name. */
async function syncDownOps(s3: Connection, bucket: string, dir: string): Promise<string[]> {
  const lines: string[] = [];
  const stored = new Set<string>();
  // Keys the library refuses to send are stored by another client (the plain SDK over
  // node:http, which sends the path as it is): syncDown must still fail them by name.
  const other = s3Client(s3.endpoint);
  try {
    for (const [, key] of AWKWARD_KEYS) {
      const body = bodyOf(key);
      const ok = await putObject(s3, bucket, `down/${key}`, body).then(
        () => true,
        () =>
          other.send(new PutObjectCommand({ Bucket: bucket, Key: `down/${key}`, Body: body }))
            .then(() => true, () => false),
      );
      if (ok) stored.add(key);
    }
  } finally {
    other.destroy();
  }
  const local = join(dir, "down");
  await Deno.mkdir(local);
  const summary = await syncDown(s3, bucket, "down", local);
  const failed = new Map(summary.failed.map((f) => [f.key, f.error.message]));
  for (const [name, key] of AWKWARD_KEYS) {
    if (!stored.has(key)) continue;
    let line: string;
    if (failed.has(key)) {
      line = `failed: ${failed.get(key)!.replaceAll(bucket, "BUCKET").replaceAll(local, "DIR")}`;
    } else {
      const bytes = await Deno.readFile(join(local, key)).catch(() => undefined);
      line = bytes ? same(key, bytes) : "NOT WRITTEN, NOT FAILED";
    }
    lines.push(`${name} syncDown: ${line}`);
  }
  // Nothing outside the folder.
  const outside = [];
  for await (const entry of Deno.readDir(dir)) {
    if (!["down", "download", "up"].includes(entry.name)) outside.push(entry.name);
  }
  lines.push(`syncDown outside the folder: ${JSON.stringify(outside)}`);
  return lines;
}

/** `deno task cp` up and down for each key. */
async function cpOps(endpoint: string, bucket: string, dir: string): Promise<string[]> {
  const lines: string[] = [];
  const run = async (args: string[]) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-all", CP, "--quiet", "--endpoint", endpoint, ...args],
      env: { AWS_ACCESS_KEY_ID: KEYS.accessKeyId, AWS_SECRET_ACCESS_KEY: KEYS.secretAccessKey },
      stdin: "null",
    }).output();
    const err = decoder.decode(out.stderr).trim().replaceAll(bucket, "BUCKET")
      .replaceAll(dir, "DIR");
    return { code: out.code, err };
  };
  const source = join(dir, "cp-source");
  for (const [name, key] of AWKWARD_KEYS) {
    await Deno.writeTextFile(source, bodyOf(key));
    const up = await run([source, `s3://${bucket}/cp/${key}`]);
    let line = up.code === 0 ? "up ok" : `up refused: ${up.err}`;
    if (up.code === 0) {
      const target = join(dir, "cp-target");
      const down = await run([`s3://${bucket}/cp/${key}`, target]);
      line += down.code === 0
        ? `, down ${same(key, await Deno.readFile(target))}`
        : `, down refused: ${down.err}`;
      await Deno.remove(target).catch(() => {});
    }
    lines.push(`${name} cp: ${line}`);
  }
  return lines;
}

/**
 * Runs the whole corpus against one endpoint with the trace on or off; with `sdkOnly`, through a
 * profile's keys, which keep every request on the AWS SDK (no lean client): the other path.
 */
async function corpus(
  endpoint: string,
  trace: boolean,
  withCp: boolean,
  sdkOnly = false,
): Promise<string[]> {
  const keys = sdkOnly ? { profile: "keys-test" } : KEYS;
  await using s3 = await connect({ endpoint, ...keys, trace, env: { get: () => undefined } });
  assert.equal(leanClientOf(s3) === undefined, sdkOnly, "the path asked for");
  const bucket = await createBucket(s3, { prefix: "keys" });
  const dir = await Deno.makeTempDir();
  try {
    await setVersioning(s3, bucket, true);
    const lines = [
      ...await singleKeyOps(s3, bucket, dir),
      ...await syncUpOps(s3, bucket, dir),
      ...await syncDownOps(s3, bucket, dir),
      ...(withCp ? await cpOps(endpoint, bucket, dir) : []),
    ];
    if (trace) assert.ok(s3.trace.entries.length > 0, "the trace recorded the requests");
    return lines;
  } finally {
    await Deno.remove(dir, { recursive: true });
    await emptyBucket(s3, bucket).catch(() => {});
    await deleteBucket(s3, bucket).catch(() => {});
  }
}

/** The rules every outcome line follows, whatever the server. */
function checkLines(lines: string[]): void {
  const bad = lines.filter((line) =>
    /OTHER BYTES|STILL THERE|NOT LISTED|NOT UPLOADED|NOT WRITTEN|Signature/.test(line) ||
    (/refused: |failed: /.test(line) && (line.includes("\n") || !/"/.test(line)))
  );
  assert.deepEqual(bad, [], "outcomes that break the rules");
  for (const line of lines) {
    const refusal = line.match(/(?:refused|failed): (.*)$/s)?.[1];
    if (refusal) assert.doesNotMatch(refusal, /\n/, `a refusal is one line: ${line}`);
  }
}

/** Points the AWS SDK at a credentials file with the demo keys as profile "keys-test". */
async function withProfile<T>(run: () => Promise<T>): Promise<T> {
  const file = await Deno.makeTempFile();
  const before = Deno.env.get("AWS_SHARED_CREDENTIALS_FILE");
  await Deno.writeTextFile(
    file,
    `[keys-test]\naws_access_key_id = ${KEYS.accessKeyId}\n` +
      `aws_secret_access_key = ${KEYS.secretAccessKey}\n`,
  );
  Deno.env.set("AWS_SHARED_CREDENTIALS_FILE", file);
  try {
    return await run();
  } finally {
    if (before === undefined) Deno.env.delete("AWS_SHARED_CREDENTIALS_FILE");
    else Deno.env.set("AWS_SHARED_CREDENTIALS_FILE", before);
    await Deno.remove(file);
  }
}

Deno.test("every awkward key works or is refused by name, trace on and off (embedded server)", async () => {
  await using server = await testServer();
  const on = await corpus(server.url, true, true);
  if (Deno.env.get("KEYS_TEST_PRINT")) console.log(on.join("\n"));
  const off = await corpus(server.url, false, false);
  checkLines(on);
  const withoutCp = on.filter((line) => !/ cp: /.test(line));
  assert.deepEqual(off, withoutCp, "trace off = trace on");
  // The same outcomes when every request goes through the AWS SDK (a profile's keys).
  const sdk = await withProfile(() => corpus(server.url, false, false, true));
  assert.deepEqual(sdk, withoutCp, "the SDK's path = the lean path");
});

rgwTest(
  "every awkward key gives the same outcomes on Ceph RGW as on the embedded server",
  async (_t, endpoint) => {
    await using server = await testServer();
    const embedded = await corpus(server.url, true, true);
    const rgwOn = await corpus(endpoint, true, true);
    const rgwOff = await corpus(endpoint, false, false);
    checkLines(rgwOn);
    assert.deepEqual(rgwOff, rgwOn.filter((line) => !/ cp: /.test(line)), "trace off = trace on");
    assert.deepEqual(embedded, rgwOn, "embedded = Ceph RGW");
    const sdk = await withProfile(() => corpus(endpoint, false, false, true));
    assert.deepEqual(sdk, rgwOff, "the SDK's path = the lean path");
  },
);
