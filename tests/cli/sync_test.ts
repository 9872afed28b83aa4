/**
 * `deno task sync` as users run it (the task's own permissions): up, a re-sync that sends no PUT,
 * down, --delete, --dry-run, --exclude/--include, the exit codes (0, 1, 2, 130), the progress
 * bar on a terminal, and Ctrl-C leaving no partial object.
 */

import assert from "node:assert/strict";
import { ListMultipartUploadsCommand } from "@aws-sdk/client-s3";
import { connect, createBucket, deleteBucket, emptyBucket, listObjects } from "../../lib/mod.ts";
import { getText } from "../../lib/objects.ts";
import { DEMO_USERS } from "../../server/demo_users.ts";
import { rgwTest } from "../support/engines.ts";
import { REPO_ROOT, runDeno, spawnDeno, taskArgs } from "../support/commands.ts";
import { startProxy } from "../support/proxy.ts";
import { s3Client, testServer } from "../support/server.ts";
import { assertGoodMessage } from "../support/messages.ts";

const DEMO = DEMO_USERS[0];
const MiB = 1024 * 1024;
const decoder = new TextDecoder();

function flags(url: string): string[] {
  return [
    "--endpoint",
    url,
    "--access-key",
    DEMO.accessKeyId,
    "--secret-key",
    DEMO.secretAccessKey,
  ];
}

function keys(url: string) {
  return { endpoint: url, accessKeyId: DEMO.accessKeyId, secretAccessKey: DEMO.secretAccessKey };
}

function sync(url: string, ...args: string[]) {
  return runDeno([...taskArgs("sync"), ...flags(url), ...args], { timeoutMs: 60_000 });
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

const TREE: Record<string, string> = {
  "index.html": "<h1>hi</h1>",
  "img/cloud 1.png": "png bytes",
  "notes/é 100%.txt": "unicode and percent",
  "cache/x.tmp": "left out",
};

async function scenario(t: Deno.TestContext, url: string) {
  await using s3 = await connect({
    endpoint: url,
    accessKeyId: DEMO.accessKeyId,
    secretAccessKey: DEMO.secretAccessKey,
  });
  const bucket = await createBucket(s3, { prefix: "sync-cli" });
  const dir = await Deno.makeTempDir({ prefix: "sync-cli-" });
  const back = await Deno.makeTempDir({ prefix: "sync-cli-back-" });
  try {
    for (const [key, body] of Object.entries(TREE)) {
      await Deno.mkdir(`${dir}/${key.slice(0, key.lastIndexOf("/") + 1)}`, { recursive: true });
      await Deno.writeTextFile(`${dir}/${key}`, body);
    }
    const remote = `s3://${bucket}/site`;
    await t.step("up, leaving out --exclude", async () => {
      const out = await sync(url, "--exclude", "*.tmp", dir, remote);
      assert.equal(out.code, 0, out.stderr);
      assert.match(out.stdout, /^sync: 3 copied, 0 the same, 0 deleted, 0 failed/);
      const keys = (await Array.fromAsync(listObjects(s3, bucket))).map((o) => o.key).sort();
      assert.deepEqual(keys, ["site/img/cloud 1.png", "site/index.html", "site/notes/é 100%.txt"]);
      assert.equal(await getText(s3, bucket, "site/notes/é 100%.txt"), "unicode and percent");
    });
    await t.step("a re-sync copies nothing", async () => {
      const out = await sync(url, "--exclude", "*.tmp", dir, remote);
      assert.equal(out.code, 0, out.stderr);
      assert.match(out.stdout, /^sync: 0 copied, 3 the same, 0 deleted, 0 failed/);
    });
    await t.step("--dry-run --delete prints what would go and changes nothing", async () => {
      await Deno.remove(`${dir}/index.html`);
      const out = await sync(url, "--dry-run", "--delete", "--exclude", "*.tmp", dir, remote);
      assert.equal(out.code, 0, out.stderr);
      assert.match(out.stdout, /^\(dry run\) delete: index\.html$/m);
      assert.match(
        out.stdout,
        /^sync \(dry run, nothing changed\): would copy 0, 2 the same, delete 1/m,
      );
      assert.equal(await getText(s3, bucket, "site/index.html"), "<h1>hi</h1>");
    });
    await t.step("--delete deletes it", async () => {
      const out = await sync(url, "--delete", "--exclude", "*.tmp", dir, remote);
      assert.equal(out.code, 0, out.stderr);
      assert.match(out.stdout, /^sync: 0 copied, 2 the same, 1 deleted/);
    });
    await t.step("down, with --include, file for file", async () => {
      const out = await sync(url, "--include", "*.txt", "--include", "img/**", remote, back);
      assert.equal(out.code, 0, out.stderr);
      assert.deepEqual(await readTree(back), {
        "img/cloud 1.png": "png bytes",
        "notes/é 100%.txt": "unicode and percent",
      });
    });
  } finally {
    await emptyBucket(s3, bucket);
    await deleteBucket(s3, bucket);
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(back, { recursive: true });
  }
}

Deno.test("deno task sync: up, re-sync, dry run, delete, down with filters (embedded server)", async (t) => {
  await using server = await testServer();
  await scenario(t, server.url);
});

rgwTest("deno task sync: up, re-sync, dry run, delete, down with filters", async (t, endpoint) => {
  await scenario(t, endpoint);
});

Deno.test("deno task sync: exit 2 for usage mistakes, 1 when files fail, each in one line", async (t) => {
  await using server = await testServer();
  const dir = await Deno.makeTempDir({ prefix: "sync-cli-err-" });
  try {
    const cases: [string, string[], number, RegExp][] = [
      ["no service", [dir, "s3://b/p"], 2, /^No S3 service given/],
      ["two folders", [...flags(server.url), dir, dir], 2, /one of them must be an s3:/],
      [
        "two buckets",
        [...flags(server.url), "s3://a/b", "s3://c/d"],
        2,
        /^Cannot sync from S3 to S3/,
      ],
      [
        "bad concurrency",
        [...flags(server.url), "--concurrency", "0", dir, "s3://b/p"],
        2,
        /^Invalid --concurrency "0"/,
      ],
      [
        "bad glob",
        [...flags(server.url), "--exclude", "[x", dir, "s3://b/p"],
        2,
        /^Invalid pattern "\[x"/,
      ],
      [
        "unknown flag",
        [...flags(server.url), "--fast", dir, "s3://b/p"],
        2,
        /^Unknown option "--fast"/,
      ],
      [
        "missing bucket",
        [...flags(server.url), dir, "s3://no-such-bucket-x/p"],
        1,
        /^Cannot list bucket "no-such-bucket-x".*NoSuchBucket/,
      ],
      [
        "missing folder",
        [...flags(server.url), `${dir}/nope`, "s3://some-bucket/p"],
        1,
        /^Cannot sync ".*nope" to "s3:\/\/some-bucket\/p\/": it is not a folder/,
      ],
    ];
    for (const [name, args, code, message] of cases) {
      await t.step(name, async () => {
        const out = await runDeno([...taskArgs("sync"), ...args]);
        assert.equal(out.code, code, out.stderr);
        const lines = out.stderr.trim().split("\n");
        assert.equal(lines.length, 1, out.stderr);
        assert.match(lines[0], message);
        assertGoodMessage(lines[0], name);
      });
    }
    await t.step("a file that fails is named, the others go, exit 1", async () => {
      await using s3 = await connect(keys(server.url));
      const bucket = await createBucket(s3);
      // The library refuses to send such a key; another client (the plain SDK) can.
      await s3Client(server.url).send(
        new (await import("@aws-sdk/client-s3")).PutObjectCommand({
          Bucket: bucket,
          Key: "p/a/../../x.txt",
          Body: "escape",
        }),
      );
      await s3.client.send(
        new (await import("@aws-sdk/client-s3")).PutObjectCommand({
          Bucket: bucket,
          Key: "p/ok.txt",
          Body: "ok",
        }),
      );
      const out = await sync(server.url, `s3://${bucket}/p`, `${dir}/down`);
      assert.equal(out.code, 1, out.stderr);
      assert.match(
        out.stderr,
        /^Cannot download ".*a\/\.\.\/\.\.\/x\.txt".*would leave the folder/m,
      );
      assert.match(out.stderr, /1 file\(s\) failed \(named above\); run the same command again/);
      assert.match(out.stdout, /^sync: 1 copied, 0 the same, 0 deleted, 1 failed/);
      assert.equal(await Deno.readTextFile(`${dir}/down/ok.txt`), "ok");
    });
    await t.step("--help", async () => {
      const out = await runDeno([...taskArgs("sync"), "--help"]);
      assert.equal(out.code, 0);
      assert.match(out.stdout, /^Usage: deno task sync \[options\] SRC DEST/);
      assert.match(out.stdout, /Exit codes: 0 all synced, 1 some files failed/);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task sync draws one progress bar for the whole set on a terminal", async () => {
  await using server = await testServer();
  await using s3 = await connect(keys(server.url));
  const bucket = await createBucket(s3);
  const dir = await Deno.makeTempDir({ prefix: "sync-cli-tty-" });
  try {
    for (let i = 0; i < 40; i++) {
      await Deno.writeFile(`${dir}/f${i}.bin`, new Uint8Array(256 * 1024).fill(i));
    }
    // A slow link, so the bar is redrawn several times.
    const proxy = startProxy(server.port, { delayMs: 5 });
    try {
      const command = [
        Deno.execPath(),
        ...taskArgs("sync"),
        ...flags(`http://127.0.0.1:${proxy.port}`),
        "--concurrency",
        "2",
        dir,
        `s3://${bucket}/p`,
      ].map((a) => `'${a}'`).join(" ");
      const tty = await new Deno.Command("script", {
        args: ["-qec", command, "/dev/null"],
        env: { COLUMNS: "100", NO_COLOR: "1" },
        cwd: REPO_ROOT,
        stdin: "null",
      }).output();
      const text = decoder.decode(tty.stdout);
      assert.equal(tty.code, 0, text);
      const redraws = text.split("\r").filter((l) => /^\d+\/\d+\+? files, \d+ same/.test(l));
      assert.ok(redraws.length >= 2, `expected redraws of the bar, got ${JSON.stringify(text)}`);
      assert.match(
        redraws.at(-1)!,
        /^40\/40 files, 0 same (\[#+\] {2})?100% {2}10\.5 MB \/ 10\.5 MB/,
      );
      assert.match(text, /sync: 40 copied/);
    } finally {
      await proxy.close();
    }
    const piped = await sync(server.url, dir, `s3://${bucket}/p`);
    assert.equal(piped.stderr, "", "no progress when stderr is not a terminal");
  } finally {
    await emptyBucket(s3, bucket);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task sync: Ctrl-C exits 130, leaves no multipart upload or partial object, and a rerun finishes", async () => {
  await using server = await testServer();
  await using s3 = await connect(keys(server.url));
  const bucket = await createBucket(s3);
  const dir = await Deno.makeTempDir({ prefix: "sync-cli-int-" });
  const proxy = startProxy(server.port, { delayMs: 20 });
  try {
    await Deno.writeFile(`${dir}/big.bin`, new Uint8Array(40 * MiB).fill(7));
    for (let i = 0; i < 20; i++) await Deno.writeTextFile(`${dir}/s${i}.txt`, `s${i}`);
    const child = spawnDeno([
      ...taskArgs("sync"),
      ...flags(`http://127.0.0.1:${proxy.port}`),
      "--quiet",
      dir,
      `s3://${bucket}/p`,
    ]);
    const output = child.output();
    const deadline = Date.now() + 30_000;
    while (proxy.bytesUp < 20 * MiB) {
      assert.ok(Date.now() < deadline, "the sync never got going");
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill("SIGINT");
    const result = await output;
    const stderr = decoder.decode(result.stderr);
    assert.equal(result.code, 130, stderr);
    assert.match(stderr, /^Interrupted: the sync stopped/m);
    const uploads = await s3.client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    assert.deepEqual(uploads.Uploads ?? [], [], "a multipart upload was left on the server");
    const keys = (await Array.fromAsync(listObjects(s3, bucket))).map((o) => o.key);
    assert.ok(!keys.includes("p/big.bin"), "a partial big.bin is visible");
    const rerun = await sync(server.url, dir, `s3://${bucket}/p`);
    assert.equal(rerun.code, 0, rerun.stderr);
    const done = await Array.fromAsync(listObjects(s3, bucket));
    assert.equal(done.length, 21);
    assert.equal(done.find((o) => o.key === "p/big.bin")?.size, 40 * MiB);
  } finally {
    await proxy.close();
    await emptyBucket(s3, bucket);
    await Deno.remove(dir, { recursive: true });
  }
});
