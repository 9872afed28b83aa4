import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import {
  connect,
  deleteBucket,
  deleteObject,
  emptyBucket,
  listBuckets,
  listObjects,
  putObject,
} from "../../lib/mod.ts";
import { startServer } from "../../server/mod.ts";
import { DEMO_USERS } from "../../server/demo_users.ts";
import { parseTourArgs } from "../../tour/main.ts";
import { chapterNamed, CHAPTERS } from "../../tour/chapters.ts";
import { PROMPT, tourCommand, tourWaitingAt } from "../support/tour_pty.ts";

const STEPS = chapterNamed("getting-started").steps;
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const DEMO = DEMO_USERS[0];
const RAW_SIGNATURE = /(Signature=)([0-9a-f]{64}|[A-Za-z0-9%+/]{27,}=*)/;
const noEnv = { get: (_: string) => undefined };

async function runTour(args: string[], viaTask = false) {
  const [, ...rest] = viaTask ? [Deno.execPath(), "task", "--quiet", "tour"] : await tourCommand();
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [...rest, ...args],
    cwd: ROOT,
    // Wide, so that a line the test reads is never folded (tests/tour/terminal_test.ts checks 80).
    env: { NO_COLOR: "1", COLUMNS: "1000" },
    clearEnv: false,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(120_000),
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code, stdout: decode(stdout), stderr: decode(stderr) };
}

/** The lines the tour must print, in this order. */
const MILESTONES: [string, RegExp][] = [
  ["the public link refused", /^Anonymous GET → 403 Forbidden AccessDenied/m],
  ["the presigned link working", /^Anonymous GET → 200 OK \(image\/png, \d+ bytes\)/m],
  ["the public link working after public-read", /^Anonymous GET → 200 OK \(image\/png/m],
  [
    "the non-empty bucket refused",
    /^BucketNotEmpty: The bucket you tried to delete is not empty$/m,
  ],
  ["NoSuchBucket at the end", /^Anonymous GET → 404 Not Found NoSuchBucket/m],
];

function assertMilestones(output: string) {
  let at = 0;
  for (const [what, pattern] of MILESTONES) {
    const match = pattern.exec(output.slice(at));
    assert.ok(match, `The tour did not print ${what} after offset ${at}:\n${output}`);
    at += match.index + match[0].length;
  }
}

function assertNoSecrets(output: string) {
  for (const user of DEMO_USERS) {
    assert.ok(!output.includes(user.secretAccessKey), "a secret leaked");
  }
  assert.equal(RAW_SIGNATURE.exec(output), null, "a raw signature leaked");
}

Deno.test("parseTourArgs() maps the seed's flags and the new ones to connect options", () => {
  const args = parseTourArgs([
    "--access-key",
    "AK",
    "--secret-key",
    "SK",
    "--use-s3",
    "--region",
    "eu-west-1",
    "--step",
    "--keep",
  ]);
  assert.deepEqual(args.connect, {
    aws: true,
    region: "eu-west-1",
    accessKeyId: "AK",
    secretAccessKey: "SK",
  });
  assert.equal(args.step, true);
  assert.equal(args.keep, true);
  assert.deepEqual(parseTourArgs(["--dreamobjects"]).connect, { dreamobjects: true });
  assert.deepEqual(parseTourArgs(["--endpoint", "http://x:1", "--path-style"]).connect, {
    endpoint: "http://x:1",
    pathStyle: true,
  });
  assert.throws(() => parseTourArgs(["--endpoint"]), { name: "UsageError", message: /--endpoint/ });
});

Deno.test("deno task tour runs every step on the embedded server and prints the milestones in order", async () => {
  const started = performance.now();
  const { code, stdout, stderr } = await runTour([], true);
  const seconds = (performance.now() - started) / 1000;
  const output = stdout + stderr;
  assert.equal(code, 0, output);
  STEPS.forEach((step, i) =>
    assert.ok(output.includes(`━━ ${i + 1}/${STEPS.length} ${step.title}`), step.id)
  );
  assert.match(
    output,
    /Connected to the embedded S3 server .* at http:\/\/127\.0\.0\.1:\d+ as DEMOACCESSKEY/,
  );
  assert.match(output, /^\[image\/png 192×120, [\d.]+ kB\] cloud\.png$/m);
  assert.match(output, /AllUsers +READ/);
  assertMilestones(output);
  // On an RGW-like target every step tells its own story: none shows a step without a request.
  assert.doesNotMatch(output, /\(no requests\)/);
  assert.match(output, /Tour complete\.\n$/);
  assert.ok(!output.includes("\x1b["), "NO_COLOR must turn colours off");
  assertNoSecrets(output);
  console.log(`headless tour with server start-up: ${seconds.toFixed(2)} s`);
});

Deno.test("the tour on another endpoint leaves no bucket behind", async () => {
  await using server = await startServer({ port: 0, quiet: true });
  const { code, stdout, stderr } = await runTour([
    "--endpoint",
    server.url,
    "--access-key",
    DEMO.accessKeyId,
    "--secret-key",
    DEMO.secretAccessKey,
    "--path-style",
  ]);
  assert.equal(code, 0, stdout + stderr);
  assert.ok(stdout.includes(`Connected to the S3 endpoint at ${server.url}`));
  assertMilestones(stdout);
  assertNoSecrets(stdout + stderr);
  await using s3 = await connect({ endpoint: server.url, ...keys(), env: noEnv });
  assert.deepEqual(await listBuckets(s3), []);
});

function keys() {
  return { accessKeyId: DEMO.accessKeyId, secretAccessKey: DEMO.secretAccessKey };
}

Deno.test("--keep skips the deleting steps and leaves the bucket and the picture", async () => {
  await using server = await startServer({ port: 0, quiet: true });
  const { code, stdout } = await runTour([
    "--endpoint",
    server.url,
    "--access-key",
    DEMO.accessKeyId,
    "--secret-key",
    DEMO.secretAccessKey,
    "--keep",
  ]);
  assert.equal(code, 0, stdout);
  assert.ok(!stdout.includes("Delete the object") && !stdout.includes("NoSuchBucket"));
  const kept = /Kept bucket "([^"]+)" at /.exec(stdout)?.[1];
  assert.ok(kept, stdout);
  await using s3 = await connect({ endpoint: server.url, ...keys(), env: noEnv });
  assert.deepEqual((await listBuckets(s3)).map((b) => b.name), [kept]);
  const objects = [];
  for await (const o of listObjects(s3, kept)) objects.push(o.key);
  assert.deepEqual(objects, ["cloud.png"]);
  await emptyBucket(s3, kept);
  await deleteBucket(s3, kept);
});

Deno.test("--help lists the chapters and the options for all, keys from the environment; an unknown flag fails in one line", async () => {
  const help = await runTour(["--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Usage: deno task tour \[CHAPTER\] \[options\]/);
  for (
    const flag of [
      "--access-key",
      "--secret-key",
      "--use-s3",
      "--dreamobjects",
      "--endpoint",
      "--step",
      "--keep",
    ]
  ) {
    assert.ok(help.stdout.includes(flag), flag);
  }
  for (const chapter of CHAPTERS) {
    assert.match(
      help.stdout,
      new RegExp(`^  ${chapter.name} +${chapter.title.replace(/[()]/g, ".")}$`, "m"),
    );
  }
  const examples = help.stdout.slice(help.stdout.indexOf("Examples:"));
  assert.ok(
    !examples.includes("--secret-key"),
    "an example puts the secret key on the command line",
  );
  assert.match(examples, /AWS_ACCESS_KEY_ID=… AWS_SECRET_ACCESS_KEY=… deno task tour/);
  assert.match(help.stdout, /--keep +Skip the deleting steps[^]*embedded server keeps nothing/);
  const bad = await runTour(["--bogus"]);
  assert.equal(bad.code, 2);
  assert.equal(bad.stdout, "");
  assert.equal(bad.stderr, 'Unknown option "--bogus"; see "deno task tour --help"\n');
});

Deno.test("a wrong secret key stops the tour with one clear line and exit 1", async () => {
  await using server = await startServer({ port: 0, quiet: true });
  const { code, stdout, stderr } = await runTour([
    "--endpoint",
    server.url,
    "--access-key",
    DEMO.accessKeyId,
    "--secret-key",
    "not-the-secret",
  ]);
  assert.equal(code, 1);
  assert.match(
    stderr,
    /^The tour stopped: Cannot send ListBuckets: 403 Forbidden SignatureDoesNotMatch: .*secret key/m,
  );
  assert.ok(!/^\s+at /m.test(stderr), "no stack trace without --debug");
  assert.ok(!(stdout + stderr).includes("not-the-secret"));
});

Deno.test("--step waits for Enter; Ctrl-C mid-tour cleans up and exits 130", async () => {
  await using server = await startServer({ port: 0, quiet: true });
  // Run every step up to the upload, then press Ctrl-C at the upload's prompt.
  const tour = await tourWaitingAt(server.url, "upload");
  assert.match(tour.output, /demo-\d{8}-[a-z0-9]{6}/, "the bucket should exist by now");
  assert.doesNotMatch(tour.output, /→ [^\n]*PutObject/, "the upload must still be waiting");
  await tour.type("\x03");
  const code = await tour.finish();
  assert.equal(code, 130, tour.output);
  assert.match(tour.output, /Interrupted: cleaning up/);
  assert.match(tour.output, /Cleaned up: deleted bucket "demo-[^"]+" and 0 object\(s\)/);
  await using s3 = await connect({ endpoint: server.url, ...keys(), env: noEnv });
  assert.deepEqual(await listBuckets(s3), []);
});

Deno.test("a step that fails mid-tour still deletes the bucket and its objects", async () => {
  await using server = await startServer({ port: 0, quiet: true });
  const tour = await tourWaitingAt(server.url, "download");
  // Someone else deletes the picture before the tour reads it back.
  await using s3 = await connect({ endpoint: server.url, ...keys(), env: noEnv });
  const [bucket] = (await listBuckets(s3)).map((b) => b.name);
  await deleteObject(s3, bucket, "cloud.png");
  await putObject(s3, bucket, "other.txt", "x");
  await tour.type("\n");
  const code = await tour.finish();
  assert.equal(code, 1, tour.output);
  assert.match(
    tour.output,
    /The tour stopped: Cannot send GetObject ".*\/cloud\.png": 404 Not Found NoSuchKey/,
  );
  assert.match(
    tour.output,
    new RegExp(`Cleaned up: deleted bucket "${bucket}" and 1 object\\(s\\)`),
  );
  assert.deepEqual(await listBuckets(s3), []);
});

Deno.test("--step without a terminal does not wait", async () => {
  await using server = await startServer({ port: 0, quiet: true });
  const { code, stdout } = await runTour([
    "--endpoint",
    server.url,
    "--access-key",
    DEMO.accessKeyId,
    "--secret-key",
    DEMO.secretAccessKey,
    "--step",
  ]);
  assert.equal(code, 0);
  assert.match(stdout, /stdin is not a terminal, so not waiting/);
  assert.ok(!stdout.includes(PROMPT));
});
