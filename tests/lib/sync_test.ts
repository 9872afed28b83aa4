/**
 * syncUp() and syncDown() against real servers (the embedded one, and Ceph RGW when
 * RGW_ENDPOINT is set), checked file by file: names with spaces, unicode and `%`, folders whose
 * names sort around `/`, delete, dry run, filters, a re-sync that sends nothing, multipart ETags,
 * files that change during a sync, one failure among many, an abort and a killed server.
 */

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { ListMultipartUploadsCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import {
  connect,
  type Connection,
  createBucket,
  deleteBucket,
  emptyBucket,
  getBytes,
  listObjects,
  putFile,
  putObject,
  syncDown,
  type SyncEvent,
  syncUp,
} from "../../lib/mod.ts";
import { DEMO_USERS } from "../../server/demo_users.ts";
import { rgwTest } from "../support/engines.ts";
import { s3Client, testServer } from "../support/server.ts";
import { spawnServer } from "../support/server_process.ts";
import { randomBytes } from "../support/bytes.ts";

const MiB = 1024 * 1024;
const DEMO = DEMO_USERS[0];

/** A tree covering the awkward names: spaces, unicode, `%`, `+`, and sort order around `/`. */
const TREE: Record<string, string> = {
  "a.txt": "alpha",
  "a-b.txt": "sorts before a/ (0x2D < 0x2F)",
  "a/b.txt": "in a folder",
  "a/c/deep name.txt": "two levels, a space",
  "with space.txt": "space",
  "unicode é ü 日本.txt": "unicode",
  "percent %20 and %.txt": "percent",
  "plus+sign.txt": "plus",
  "emoji 😀.txt": "astral: after U+FFFD in UTF-8",
  "\uFFFD.txt": "U+FFFD: before emoji in UTF-8, after in UTF-16",
  "empty.txt": "",
  "logs/skip.tmp": "excluded by *.tmp",
};

async function writeTree(dir: string, tree: Record<string, string | Uint8Array>) {
  for (const [key, body] of Object.entries(tree)) {
    const path = `${dir}/${key}`;
    await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
    if (typeof body === "string") await Deno.writeTextFile(path, body);
    else await Deno.writeFile(path, body);
  }
}

async function readTree(dir: string, base = ""): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for await (const e of Deno.readDir(`${dir}/${base}`)) {
    const key = base + e.name;
    if (e.isDirectory) Object.assign(out, await readTree(dir, `${key}/`));
    else out[key] = await Deno.readTextFile(`${dir}/${key}`);
  }
  return out;
}

async function remoteTree(s3: Connection, bucket: string, prefix: string) {
  const out: Record<string, string> = {};
  for await (const o of listObjects(s3, bucket, { prefix })) {
    out[o.key.slice(prefix.length)] = new TextDecoder().decode(await getBytes(s3, bucket, o.key));
  }
  return out;
}

function without(tree: Record<string, string>, ...keys: string[]) {
  const out = { ...tree };
  for (const k of keys) delete out[k];
  return out;
}

function puts(s3: Connection, from: number): number {
  return s3.trace.entries.slice(from).filter((e) => e.method === "PUT" || e.method === "POST")
    .length;
}

/** The round trip every server must pass, checked file by file. */
async function roundTrip(t: Deno.TestContext, s3: Connection) {
  const bucket = await createBucket(s3, { prefix: "sync" });
  const dir = await Deno.makeTempDir({ prefix: "sync-up-" });
  const back = await Deno.makeTempDir({ prefix: "sync-down-" });
  try {
    await writeTree(dir, TREE);
    const prefix = "backups/my files";
    const events: SyncEvent[] = [];
    await t.step("syncUp copies every file but the excluded, key for key", async () => {
      const summary = await syncUp(s3, dir, bucket, prefix, {
        exclude: ["*.tmp"],
        onFile: (e) => events.push(e),
      });
      assert.deepEqual(summary.failed, []);
      assert.equal(summary.copied, Object.keys(TREE).length - 1);
      assert.equal(events.length, summary.copied);
      assert.deepEqual(
        await remoteTree(s3, bucket, `${prefix}/`),
        without(TREE, "logs/skip.tmp"),
      );
    });
    await t.step("a re-sync with nothing changed sends no PUT", async () => {
      const before = s3.trace.entries.length;
      const summary = await syncUp(s3, dir, bucket, prefix, { exclude: ["*.tmp"] });
      assert.equal(summary.copied, 0);
      assert.equal(summary.skipped, Object.keys(TREE).length - 1);
      assert.equal(puts(s3, before), 0, "a PUT was sent although nothing changed");
      const ops = s3.trace.entries.slice(before).map((e) => e.operation);
      assert.deepEqual([...new Set(ops)], ["ListObjectsV2"]);
    });
    await t.step("a changed file (same size) and a new one travel, nothing else", async () => {
      await Deno.writeTextFile(`${dir}/a.txt`, "ALPHA");
      await Deno.writeTextFile(`${dir}/a/new %2F.txt`, "new");
      const before = s3.trace.entries.length;
      const summary = await syncUp(s3, dir, bucket, prefix, { exclude: ["*.tmp"] });
      assert.equal(summary.copied, 2);
      assert.equal(puts(s3, before), 2);
      assert.equal(
        new TextDecoder().decode(await getBytes(s3, bucket, `${prefix}/a.txt`)),
        "ALPHA",
      );
    });
    await t.step("a dry run with delete reports and changes nothing", async () => {
      await Deno.remove(`${dir}/with space.txt`);
      const before = s3.trace.entries.length;
      const events: SyncEvent[] = [];
      const summary = await syncUp(s3, dir, bucket, prefix, {
        exclude: ["*.tmp"],
        delete: true,
        dryRun: true,
        onFile: (e) => events.push(e),
      });
      assert.equal(summary.dryRun, true);
      assert.equal(summary.deleted, 1);
      assert.deepEqual(events.map((e) => [e.action, e.key]), [["delete", "with space.txt"]]);
      const ops = s3.trace.entries.slice(before).map((e) => e.operation);
      assert.deepEqual([...new Set(ops)], ["ListObjectsV2"]);
      assert.ok((await remoteTree(s3, bucket, `${prefix}/`))["with space.txt"]);
    });
    await t.step("delete removes what the folder lost, leaving excluded keys alone", async () => {
      await putObject(s3, bucket, `${prefix}/kept.tmp`, "excluded: never deleted");
      const summary = await syncUp(s3, dir, bucket, prefix, { exclude: ["*.tmp"], delete: true });
      assert.equal(summary.deleted, 1);
      const remote = await remoteTree(s3, bucket, `${prefix}/`);
      assert.equal(remote["with space.txt"], undefined);
      assert.equal(remote["kept.tmp"], "excluded: never deleted");
    });
    await t.step("syncDown restores the prefix file for file", async () => {
      const summary = await syncDown(s3, bucket, prefix, back, { exclude: ["*.tmp"] });
      assert.deepEqual(summary.failed, []);
      assert.deepEqual(await readTree(back), without(await readTree(dir), "logs/skip.tmp"));
      const again = await syncDown(s3, bucket, prefix, back, { exclude: ["*.tmp"] });
      assert.equal(again.copied, 0);
    });
    await t.step(
      "syncDown with include and delete: only matching keys, extra files removed",
      async () => {
        await Deno.writeTextFile(`${back}/local only.txt`, "not in the bucket");
        await Deno.writeTextFile(`${back}/a/b.txt`, "changed locally");
        const summary = await syncDown(s3, bucket, prefix, back, {
          include: ["*.txt"],
          exclude: ["a/c/**"],
          delete: true,
        });
        assert.deepEqual(summary.failed, []);
        assert.equal(summary.deleted, 1);
        assert.equal(summary.copied, 1);
        assert.equal(await Deno.readTextFile(`${back}/a/b.txt`), "in a folder");
        await assert.rejects(Deno.stat(`${back}/local only.txt`), Deno.errors.NotFound);
      },
    );
  } finally {
    await emptyBucket(s3, bucket);
    await deleteBucket(s3, bucket);
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(back, { recursive: true });
  }
}

Deno.test("syncUp() and syncDown() round-trip a tree of awkward names on the embedded server", async (t) => {
  await using s3 = await connect();
  await roundTrip(t, s3);
});

rgwTest("syncUp() and syncDown() round-trip a tree of awkward names", async (t, endpoint) => {
  await using s3 = await connect({
    endpoint,
    accessKeyId: DEMO.accessKeyId,
    secretAccessKey: DEMO.secretAccessKey,
  });
  await roundTrip(t, s3);
});

async function multipartEtags(t: Deno.TestContext, s3: Connection) {
  const bucket = await createBucket(s3, { prefix: "sync-mp" });
  const dir = await Deno.makeTempDir({ prefix: "sync-mp-" });
  try {
    await Deno.writeFile(`${dir}/ours.bin`, randomBytes(11 * MiB));
    await Deno.writeFile(`${dir}/theirs.bin`, randomBytes(13 * MiB));
    // "theirs.bin" uploaded by another tool with 6 MiB parts: its ETag has 3 parts.
    await putFile(s3, bucket, "p/theirs.bin", `${dir}/theirs.bin`, {
      multipartThreshold: 5 * MiB,
      partSize: 6 * MiB,
    });
    const options = { multipartThreshold: 5 * MiB, partSize: 5 * MiB };
    const first = await syncUp(s3, dir, bucket, "p", options);
    assert.deepEqual(first.failed, []);
    assert.equal(first.copied, 1, "ours.bin only: theirs.bin's multipart ETag was recomputed");
    const etags = (await Array.fromAsync(listObjects(s3, bucket))).map((o) => o.etag);
    assert.ok(etags.every((e) => /-\d+"$/.test(e ?? "")), `multipart ETags: ${etags}`);
    await t.step("a re-sync recomputes both multipart ETags and sends nothing", async () => {
      const before = s3.trace.entries.length;
      const again = await syncUp(s3, dir, bucket, "p", options);
      assert.equal(again.skipped, 2);
      assert.equal(puts(s3, before), 0);
    });
    await t.step("one changed byte in a multipart file is found", async () => {
      const file = await Deno.open(`${dir}/ours.bin`, { write: true });
      await file.seek(7 * MiB, Deno.SeekMode.Start);
      await file.write(new Uint8Array([1, 2, 3]));
      file.close();
      const again = await syncUp(s3, dir, bucket, "p", options);
      assert.equal(again.copied, 1);
      const back = await Deno.makeTempDir();
      try {
        await syncDown(s3, bucket, "p", back);
        for (const name of ["ours.bin", "theirs.bin"]) {
          assert.deepEqual(
            await Deno.readFile(`${back}/${name}`),
            await Deno.readFile(`${dir}/${name}`),
          );
        }
      } finally {
        await Deno.remove(back, { recursive: true });
      }
    });
  } finally {
    await emptyBucket(s3, bucket);
    await deleteBucket(s3, bucket);
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("syncUp() compares multipart objects by recomputing their ETag", async (t) => {
  await using s3 = await connect();
  await multipartEtags(t, s3);
});

rgwTest("syncUp() compares multipart objects by recomputing their ETag", async (t, endpoint) => {
  await using s3 = await connect({
    endpoint,
    accessKeyId: DEMO.accessKeyId,
    secretAccessKey: DEMO.secretAccessKey,
  });
  await multipartEtags(t, s3);
});

Deno.test("syncUp(): a file that changes while sent fails alone, named; one that vanishes is not copied; the next sync fixes both", async () => {
  await using s3 = await connect();
  const bucket = await createBucket(s3);
  const dir = await Deno.makeTempDir({ prefix: "sync-change-" });
  try {
    const tree: Record<string, string | Uint8Array> = { "big.bin": randomBytes(12 * MiB) };
    for (let i = 0; i < 20; i++) tree[`f${String(i).padStart(2, "0")}.txt`] = `file ${i}`;
    await writeTree(dir, tree);
    let grown = false;
    let removed = false;
    const summary = await syncUp(s3, dir, bucket, "", {
      concurrency: 4,
      multipartThreshold: 5 * MiB,
      partSize: 5 * MiB,
      onProgress: (p) => {
        // While big.bin's parts go out, it grows; a file not yet read vanishes.
        if (!grown && p.bytes > 6 * MiB) {
          grown = true;
          Deno.writeFileSync(`${dir}/big.bin`, new Uint8Array(1024), { append: true });
        }
        if (!removed && p.bytes > 0) {
          removed = true;
          Deno.removeSync(`${dir}/f19.txt`);
        }
      },
    });
    assert.ok(grown && removed);
    const failed = summary.failed.map((f) => f.key).sort();
    assert.deepEqual(failed, ["big.bin"]);
    assert.match(summary.failed[0].error.message, /^Cannot upload ".*big\.bin".*changed while/);
    assert.equal(summary.copied, 19, "the other files went through; f19.txt, gone, is not");
    const keys = (await Array.fromAsync(listObjects(s3, bucket))).map((o) => o.key);
    assert.ok(!keys.includes("f19.txt"));
    const again = await syncUp(s3, dir, bucket, "");
    assert.deepEqual(again.failed, []);
    assert.equal(again.copied, 1, "big.bin, as it is now");
    const md5 = (b: Uint8Array) => createHash("md5").update(b).digest("hex");
    assert.equal(
      md5(await getBytes(s3, bucket, "big.bin")),
      md5(await Deno.readFile(`${dir}/big.bin`)),
    );
  } finally {
    await emptyBucket(s3, bucket);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("syncDown(): a key that would leave the folder fails alone, the others arrive", async () => {
  await using s3 = await connect();
  const bucket = await createBucket(s3);
  const dir = await Deno.makeTempDir({ prefix: "sync-unsafe-" });
  try {
    await putObject(s3, bucket, "p/ok.txt", "ok");
    // The library refuses to send such a key; another client (the plain SDK over node:http) can.
    await s3Client(s3.endpoint).send(
      new PutObjectCommand({ Bucket: bucket, Key: "p/x/../../escape.txt", Body: "escape" }),
    );
    await putObject(s3, bucket, "p/z.txt", "z");
    const summary = await syncDown(s3, bucket, "p", `${dir}/inside`);
    assert.equal(summary.copied, 2);
    assert.deepEqual(summary.failed.map((f) => f.key), ["x/../../escape.txt"]);
    assert.match(summary.failed[0].error.message, /would leave the folder/);
    assert.deepEqual(await readTree(dir), { "inside/ok.txt": "ok", "inside/z.txt": "z" });
  } finally {
    await emptyBucket(s3, bucket);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sync aborted mid-transfer leaves no partial object, upload or file, and resumes", async (t) => {
  await using s3 = await connect();
  const bucket = await createBucket(s3);
  const dir = await Deno.makeTempDir({ prefix: "sync-abort-" });
  const back = await Deno.makeTempDir({ prefix: "sync-abort-back-" });
  try {
    const tree: Record<string, string | Uint8Array> = { "big.bin": randomBytes(24 * MiB) };
    for (let i = 0; i < 30; i++) tree[`small/${i}.txt`] = `small ${i}`;
    await writeTree(dir, tree);
    const options = { multipartThreshold: 5 * MiB, partSize: 5 * MiB, concurrency: 4 };
    await t.step("up", async () => {
      const controller = new AbortController();
      await assert.rejects(
        syncUp(s3, dir, bucket, "p", {
          ...options,
          signal: controller.signal,
          onProgress: (p) => {
            if (p.bytes > 6 * MiB) controller.abort(new DOMException("Stop", "AbortError"));
          },
        }),
        { name: "AbortError" },
      );
      const uploads = await s3.client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
      assert.deepEqual(uploads.Uploads ?? [], [], "a multipart upload was left behind");
      const keys = (await Array.fromAsync(listObjects(s3, bucket))).map((o) => o.key);
      assert.ok(!keys.includes("p/big.bin"), "a partial big.bin is visible");
      const resumed = await syncUp(s3, dir, bucket, "p", options);
      assert.deepEqual(resumed.failed, []);
      assert.equal(resumed.copied + resumed.skipped, 31);
      assert.ok(resumed.copied >= 1);
    });
    await t.step("down", async () => {
      const controller = new AbortController();
      await assert.rejects(
        syncDown(s3, bucket, "p", back, {
          concurrency: 4,
          signal: controller.signal,
          onProgress: (p) => {
            if (p.bytes > 10 * MiB) controller.abort(new DOMException("Stop", "AbortError"));
          },
        }),
        { name: "AbortError" },
      );
      const left = Object.keys(await readTree(back));
      assert.ok(!left.includes("big.bin"), "a partial big.bin was left");
      assert.deepEqual(left.filter((k) => k.includes(".sync-part")), [], "partial downloads left");
      const resumed = await syncDown(s3, bucket, "p", back);
      assert.deepEqual(resumed.failed, []);
      assert.deepEqual(await readTree(back), await readTree(dir));
    });
  } finally {
    await emptyBucket(s3, bucket);
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(back, { recursive: true });
  }
});

Deno.test("sync with the --data server killed midway: files fail by name, no partial object, the next sync completes", async () => {
  const work = await Deno.makeTempDir({ prefix: "sync-kill-" });
  const data = `${work}/data`;
  const dir = `${work}/src`;
  let server = await spawnServer(["--data", data]);
  const keys = (url: string) => ({
    endpoint: url,
    accessKeyId: DEMO.accessKeyId,
    secretAccessKey: DEMO.secretAccessKey,
    maxAttempts: 1,
    env: { get: () => undefined },
  });
  try {
    const tree: Record<string, string | Uint8Array> = { "big.bin": randomBytes(32 * MiB) };
    for (let i = 0; i < 40; i++) tree[`n/${String(i).padStart(2, "0")}.txt`] = `n ${i}`;
    await writeTree(dir, tree);
    let s3: Connection = await connect(keys(server.url));
    const bucket = await createBucket(s3, { prefix: "killed" });
    let killing: Promise<unknown> | undefined;
    const summary = await syncUp(s3, dir, bucket, "", {
      concurrency: 4,
      multipartThreshold: 5 * MiB,
      partSize: 5 * MiB,
      onProgress: (p) => {
        if (!killing && p.bytes > 10 * MiB) killing = server.kill("SIGKILL");
      },
    });
    await killing;
    await s3.close();
    assert.ok(killing, "the server was never killed");
    assert.ok(summary.failed.length > 0, "nothing failed although the server died");
    assert.ok(summary.failed.some((f) => f.key === "big.bin"));
    for (const f of summary.failed) assert.match(f.error.message, /^Cannot upload "/);

    server = await spawnServer(["--data", data]);
    s3 = await connect(keys(server.url));
    try {
      const listed = await Array.fromAsync(listObjects(s3, bucket));
      assert.ok(!listed.some((o) => o.key === "big.bin"), "a partial big.bin is visible");
      const resumed = await syncUp(s3, dir, bucket, "");
      assert.deepEqual(resumed.failed, []);
      assert.equal(resumed.copied, summary.failed.length);
      const back = `${work}/back`;
      await syncDown(s3, bucket, "", back);
      for (const key of Object.keys(tree)) {
        assert.deepEqual(
          await Deno.readFile(`${back}/${key}`),
          await Deno.readFile(`${dir}/${key}`),
          key,
        );
      }
      await emptyBucket(s3, bucket);
      await deleteBucket(s3, bucket);
    } finally {
      await s3.close();
    }
  } finally {
    await server.kill();
    await Deno.remove(work, { recursive: true });
  }
});

Deno.test("syncUp() refuses a missing folder and bad options before any request", async () => {
  await using server = await testServer();
  await using s3 = await connect({
    endpoint: server.url,
    accessKeyId: DEMO.accessKeyId,
    secretAccessKey: DEMO.secretAccessKey,
  });
  await assert.rejects(
    syncUp(s3, "/no/such/folder", "some-bucket", ""),
    (e: Error) => e instanceof Deno.errors.NotFound && /it is not a folder/.test(e.message),
  );
  await assert.rejects(
    syncUp(s3, ".", "some-bucket", "", { concurrency: 0 }),
    /Invalid concurrency 0/,
  );
  await assert.rejects(syncUp(s3, ".", "some-bucket", "", { exclude: ["[abc"] }), SyntaxError);
  assert.equal(s3.trace.entries.length, 0);
});

Deno.test("a same-size change is copied whatever the modification times say (the MD5 decides)", async (t) => {
  await using s3 = await connect({ trace: false });
  const bucket = await createBucket(s3);
  const dir = await Deno.makeTempDir({ prefix: "sync-mtime-" });
  const hourAgo = new Date(Date.now() - 3600_000);
  try {
    await t.step("up: an edit with an OLDER mtime than the object is uploaded", async () => {
      await Deno.writeTextFile(`${dir}/budget.csv`, "a,1\n");
      assert.equal((await syncUp(s3, dir, bucket, "p")).copied, 1);
      await Deno.writeTextFile(`${dir}/budget.csv`, "a,2\n");
      await Deno.utime(`${dir}/budget.csv`, hourAgo, hourAgo);
      const summary = await syncUp(s3, dir, bucket, "p");
      assert.equal(summary.copied, 1, "the same-size edit was not uploaded");
      assert.equal(new TextDecoder().decode(await getBytes(s3, bucket, "p/budget.csv")), "a,2\n");
    });
    await t.step(
      "down: a file with a NEWER mtime than the changed object is replaced",
      async () => {
        const down = `${dir}/down`;
        assert.equal((await syncDown(s3, bucket, "p", down)).copied, 1);
        await putObject(s3, bucket, "p/budget.csv", "a,3\n");
        const later = new Date(Date.now() + 3600_000);
        await Deno.utime(`${down}/budget.csv`, later, later);
        const summary = await syncDown(s3, bucket, "p", down);
        assert.equal(summary.copied, 1, "the same-size change was not downloaded");
        assert.equal(await Deno.readTextFile(`${down}/budget.csv`), "a,3\n");
      },
    );
  } finally {
    await emptyBucket(s3, bucket);
    await Deno.remove(dir, { recursive: true });
  }
});
