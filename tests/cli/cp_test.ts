import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { connect } from "../../lib/connect.ts";
import { createBucket, deleteBucket, emptyBucket } from "../../lib/buckets.ts";
import { headObject, putObject } from "../../lib/objects.ts";
import { DEMO_USERS } from "../../server/demo_users.ts";
import { testServer } from "../support/server.ts";
import { randomBytes } from "../support/bytes.ts";

const CP = fileURLToPath(new URL("../../cli/cp.ts", import.meta.url));
const PERMISSIONS = ["--allow-net", "--allow-read", "--allow-write", "--allow-env", "--allow-sys"];
const KEYS = {
  AWS_ACCESS_KEY_ID: DEMO_USERS[0].accessKeyId,
  AWS_SECRET_ACCESS_KEY: DEMO_USERS[0].secretAccessKey,
};

/** Runs `cli/cp.ts` as `deno task cp` does, with the demo keys in its environment. */
async function cp(args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...PERMISSIONS, CP, ...args],
    env: KEYS,
    stdin: "null",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: out.code,
    stdout: decoder.decode(out.stdout),
    stderr: decoder.decode(out.stderr),
  };
}

/** An embedded server with one bucket and a scratch directory, cleaned up afterwards. */
async function setup() {
  const server = await testServer();
  const s3 = await connect({
    endpoint: server.url,
    accessKeyId: KEYS.AWS_ACCESS_KEY_ID,
    secretAccessKey: KEYS.AWS_SECRET_ACCESS_KEY,
    trace: false,
  });
  const bucket = await createBucket(s3, { prefix: "cp" });
  const dir = await Deno.makeTempDir();
  return {
    server,
    s3,
    bucket,
    dir,
    async [Symbol.asyncDispose]() {
      await emptyBucket(s3, bucket);
      await deleteBucket(s3, bucket);
      await s3.close();
      await server.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

Deno.test("deno task cp uploads a file and downloads it back byte for byte", async (t) => {
  await using env = await setup();
  const { server, s3, bucket, dir } = env;
  for (
    const [name, size, extra] of [
      ["single PUT", 3_000_000, []],
      ["multipart", 12 * 1024 * 1024, ["--part-size", "5"]],
    ] as const
  ) {
    await t.step(`${name}: ${size} bytes`, async () => {
      const data = randomBytes(size);
      const file = `${dir}/photo-${size}.jpg`;
      await Deno.writeFile(file, data);
      const up = await cp(["--endpoint", server.url, ...extra, file, `s3://${bucket}/in/`]);
      assert.equal(up.code, 0, up.stderr);
      const key = `in/photo-${size}.jpg`;
      assert.match(up.stdout, new RegExp(`^upload: .* to s3://${bucket}/${key} \\(`));
      const info = await headObject(s3, bucket, key);
      assert.equal(info.size, size);
      assert.equal(info.contentType, "image/jpeg", "the type comes from the extension");
      const target = `${dir}/back`;
      await Deno.mkdir(target, { recursive: true });
      // With and without --debug: the same path and requests (debug changes what is logged only).
      for (const how of [[], ["--debug"]]) {
        const down = await cp([
          "--endpoint",
          server.url,
          ...how,
          `s3://${bucket}/${key}`,
          `${target}/`,
        ]);
        assert.equal(down.code, 0, down.stderr);
        assert.match(down.stdout, /^download: /);
        assert.deepEqual(await Deno.readFile(`${target}/photo-${size}.jpg`), data);
        await Deno.remove(`${target}/photo-${size}.jpg`);
      }
    });
  }
});

Deno.test("deno task cp loads the AWS SDK only for a multipart upload or when the lean path cannot apply", async () => {
  // The module graph as Deno resolves it: which npm packages are imported statically from cp.
  const out = await new Deno.Command(Deno.execPath(), { args: ["info", "--json", CP] }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const graph = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    modules: {
      specifier: string;
      dependencies?: { code?: { specifier: string }; isDynamic?: boolean }[];
    }[];
  };
  const modules = new Map(graph.modules.map((m) => [m.specifier, m]));
  const reached = (followDynamic: boolean) => {
    const seen = new Set<string>();
    const npm = new Set<string>();
    const visit = (specifier: string) => {
      if (seen.has(specifier)) return;
      seen.add(specifier);
      for (const dep of modules.get(specifier)?.dependencies ?? []) {
        const target = dep.code?.specifier;
        if (!target || (dep.isDynamic && !followDynamic)) continue;
        if (target.startsWith("npm:")) {
          npm.add(target.replace(/^npm:\/?/, "").replace(/@[^@/]*$/, ""));
        } else visit(target);
      }
    };
    visit(new URL(`file://${CP}`).href);
    return npm;
  };
  assert.ok(reached(true).has("@aws-sdk/client-s3"), "multipart uploads still reach the SDK");
  assert.deepEqual([...reached(false)], [], "nothing from npm is loaded at start-up");
});

Deno.test("deno task cp draws a progress bar on a terminal and none into a pipe", async () => {
  await using env = await setup();
  const { server, bucket, dir } = env;
  const file = `${dir}/big.bin`;
  await Deno.writeFile(file, randomBytes(20 * 1024 * 1024));
  const piped = await cp(["--endpoint", server.url, file, `s3://${bucket}/piped.bin`]);
  assert.equal(piped.code, 0, piped.stderr);
  assert.equal(piped.stderr, "", "no progress when stderr is not a terminal");
  // `script` runs the command on a pseudo-terminal, as an interactive shell would.
  const command = [
    Deno.execPath(),
    "run",
    ...PERMISSIONS,
    CP,
    "--endpoint",
    server.url,
    file,
    `s3://${bucket}/tty.bin`,
  ].map((a) => `'${a}'`).join(" ");
  const tty = await new Deno.Command("script", {
    args: ["-qec", command, "/dev/null"],
    env: { ...KEYS, COLUMNS: "100" },
    stdin: "null",
  }).output();
  const text = new TextDecoder().decode(tty.stdout);
  assert.equal(tty.code, 0, text);
  const redraws = text.split("\r").filter((l) => l.startsWith("big.bin ["));
  assert.ok(redraws.length >= 2, `expected redraws of the bar, got ${JSON.stringify(text)}`);
  assert.ok(redraws.at(-1)!.includes("100%  21.0 MB / 21.0 MB"), redraws.at(-1));
  assert.match(text, /upload: .* to s3:\/\/.*\/tty\.bin/);
});

Deno.test("deno task cp explains mistakes (exit 2) and refusals (exit 1) in one line", async (t) => {
  await using env = await setup();
  const { server, s3, bucket, dir } = env;
  await putObject(s3, bucket, "a.txt", "hello");
  await Deno.writeTextFile(`${dir}/small.txt`, "hello");
  await Deno.writeFile(`${dir}/big.bin`, randomBytes(6 * 1024 * 1024));
  const cases: [string, string[], number, RegExp][] = [
    ["no service", ["a.txt", `s3://${bucket}/a.txt`], 2, /^No S3 service given: pass --endpoint/],
    ["two local paths", ["--endpoint", server.url, "a", "b"], 2, /one of them must be an s3:/],
    [
      "two S3 URLs",
      ["--endpoint", server.url, `s3://${bucket}/a`, `s3://${bucket}/b`],
      2,
      /^Cannot copy from S3 to S3/,
    ],
    ["no bucket", ["--endpoint", server.url, "a", "s3:///k"], 2, /names no bucket/],
    [
      "unknown flag",
      ["--endpoint", server.url, "--fast", "a", "b"],
      2,
      /^Unknown option "--fast"; see/,
    ],
    [
      "bad part size",
      ["--endpoint", server.url, "--part-size", "2", "a", `s3://${bucket}/`],
      2,
      /^Invalid --part-size "2"/,
    ],
    [
      "missing object",
      ["--endpoint", server.url, `s3://${bucket}/nope`, `${dir}/x`],
      1,
      /^Cannot download .*404 Not Found NoSuchKey/,
    ],
    [
      "missing bucket (small upload: the SDK's streaming warning stays out)",
      ["--endpoint", server.url, `${dir}/small.txt`, "s3://missing-bucket-cp-test/"],
      1,
      /^Cannot upload .*404 Not Found NoSuchBucket/,
    ],
    [
      "missing bucket (multipart upload)",
      [
        "--endpoint",
        server.url,
        "--part-size",
        "5",
        `${dir}/big.bin`,
        "s3://missing-bucket-cp-test/",
      ],
      1,
      /^Cannot upload .*NoSuchBucket/,
    ],
    [
      "missing file",
      ["--endpoint", server.url, `${dir}/none.bin`, `s3://${bucket}/`],
      1,
      /^Cannot upload .*does not exist/,
    ],
  ];
  for (const [name, args, code, message] of cases) {
    await t.step(name, async () => {
      const out = await cp(args);
      assert.equal(out.code, code, out.stderr);
      const lines = out.stderr.trim().split("\n");
      assert.equal(lines.length, 1, `one line: ${out.stderr}`);
      assert.match(lines[0], message);
      assert.ok(!/\.$/.test(lines[0]), "no final period");
    });
  }
  await t.step(
    "--debug adds the stack (and the AWS SDK's warnings, prefixed, where it sends)",
    async () => {
      // A small upload goes without the SDK, debug or not (the same requests either way).
      const small = await cp([
        "--debug",
        "--endpoint",
        server.url,
        `${dir}/small.txt`,
        "s3://missing-bucket-cp-test/",
      ]);
      assert.equal(small.code, 1, small.stderr);
      assert.match(small.stderr, /^Cannot upload .*NoSuchBucket/m);
      assert.match(small.stderr, /^\s+at /m, "the stack trace");
      assert.doesNotMatch(small.stderr, /^AWS SDK:/m);
      const big = await cp([
        "--debug",
        "--endpoint",
        server.url,
        "--part-size",
        "5",
        `${dir}/big.bin`,
        "s3://missing-bucket-cp-test/",
      ]);
      assert.equal(big.code, 1, big.stderr);
      assert.match(big.stderr, /^Cannot upload .*NoSuchBucket/m);
      assert.match(big.stderr, /^\s+at /m, "the stack trace");
    },
  );
  await t.step("a failed download leaves no file", async () => {
    await assert.rejects(Deno.stat(`${dir}/x`), Deno.errors.NotFound);
  });
  await t.step("--help", async () => {
    const out = await cp(["--help"]);
    assert.equal(out.code, 0);
    assert.match(out.stdout, /^Usage: deno task cp \[options\] SRC DEST/);
  });
});
