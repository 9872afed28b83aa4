/**
 * Bad input about DreamObjects clusters: bucket names valid on US-East 1 but not on US-East 5
 * (a dot, the reserved `b2-` prefix, 5 characters) refused in one line naming the rule, before any
 * request, by the lib and by `deno task cp`; unknown `--cluster` and `--emulate` values refused in
 * one line by the tour, cp and the server command. Nothing is left on the server.
 *
 * (The tour takes no bucket name: it generates one valid on both clusters, tested in
 * tests/lib/clusters_test.ts.)
 */

import assert from "node:assert/strict";
import { connect, createBucket, listBuckets, putObject } from "../../lib/mod.ts";
import { DEMO_USERS, startServer } from "../../server/mod.ts";
import { type CommandResult, runDeno, taskArgs } from "../support/commands.ts";
import { assertGoodMessage } from "../support/messages.ts";

const DEMO = DEMO_USERS[0];
const NO_ENV = { get: (_: string) => undefined };
const KEYS = ["--access-key", DEMO.accessKeyId, "--secret-key", DEMO.secretAccessKey];

/** Valid on US-East 1, refused on US-East 5, and the words of the rule each breaks. */
const EAST1_ONLY: [string, string, RegExp][] = [
  ["a dot", "my.photos", /must not contain "\." on DreamObjects US-East 5/],
  ["the reserved b2- prefix", "b2-photos", /must not start with "b2-" on DreamObjects US-East 5/],
  ["5 characters", "abcde", /must be 6 to 63 characters on DreamObjects US-East 5, got 5/],
];

/** The error lines a command printed on stderr (deno's own task lines left out). */
function errorLines(result: CommandResult): string[] {
  return result.stderr.split("\n").map((l) => l.trimEnd()).filter((l) =>
    l !== "" && !l.startsWith("Task ") && !l.startsWith("Download ") && !/^Warning/.test(l)
  );
}

function assertOneLine(result: CommandResult, what: string, code: number): string {
  assert.equal(
    result.code,
    code,
    `${what}: exit ${result.code}\n${result.stdout}\n${result.stderr}`,
  );
  const lines = errorLines(result);
  assert.equal(lines.length, 1, `${what}: expected one line on stderr:\n${result.stderr}`);
  assert.doesNotMatch(result.stderr, /^\s+at /m, `${what}: stack trace`);
  assert.ok(!(result.stdout + result.stderr).includes(DEMO.secretAccessKey), `${what}: secret`);
  assertGoodMessage(lines[0], what);
  return lines[0];
}

Deno.test("a name valid on US-East 1 but not on US-East 5 is refused by the lib, naming the rule", async (t) => {
  await using server = await startServer({ port: 0, quiet: true, emulate: "us-east-5" });
  const opts = {
    endpoint: server.url,
    accessKeyId: DEMO.accessKeyId,
    secretAccessKey: DEMO.secretAccessKey,
    maxAttempts: 1,
    env: NO_ENV,
  };
  await using east5 = await connect({ ...opts, cluster: "us-east-5" });
  await using east1 = await connect({ ...opts, cluster: "us-east-1" });
  for (const [why, name, rule] of EAST1_ONLY) {
    await t.step(`${why} (${name})`, async () => {
      for (
        const call of [() => createBucket(east5, { name }), () => putObject(east5, name, "k", "x")]
      ) {
        const error = await call().then(() => undefined, (e) => e as Error);
        assert.ok(error instanceof RangeError, `expected a RangeError, got ${error}`);
        assert.match(error.message, rule);
        assertGoodMessage(error.message, `${why} through the lib`);
      }
      assert.equal(east5.trace.entries.length, 0, "a refused name must send nothing");
      // The same name passes US-East 1's check and reaches the server, which refuses it (the
      // server here is the US-East 5 stand-in) with its own 400 InvalidBucketName.
      const server400 = await createBucket(east1, { name }).then(() => undefined, (e) => e);
      assert.equal(server400?.code, "InvalidBucketName", String(server400));
      assertGoodMessage(server400.message, `${why} from the server`);
    });
  }
  await using check = await connect({ ...opts, cluster: "us-east-5" });
  assert.deepEqual(await listBuckets(check), [], "nothing was created");
});

Deno.test("deno task cp refuses a name US-East 5 does not allow, in one line naming the rule", async (t) => {
  await using server = await startServer({ port: 0, quiet: true, emulate: "us-east-5" });
  const work = await Deno.makeTempDir({ prefix: "cluster-names-" });
  try {
    const file = `${work}/hello.txt`;
    await Deno.writeTextFile(file, "hello");
    for (const [why, name, rule] of EAST1_ONLY) {
      await t.step(`${why} (${name})`, async () => {
        const result = await runDeno([
          ...taskArgs("cp"),
          "--endpoint",
          server.url,
          "--cluster",
          "us-east-5",
          ...KEYS,
          file,
          `s3://${name}/hello.txt`,
        ], { env: { HOME: work }, timeoutMs: 60_000 });
        const line = assertOneLine(result, `cp to s3://${name}/`, 1);
        assert.match(line, rule);
      });
    }
    await t.step("an unknown --cluster", async () => {
      const result = await runDeno([
        ...taskArgs("cp"),
        "--cluster",
        "us-west-1",
        ...KEYS,
        file,
        "s3://my-photos/hello.txt",
      ], { env: { HOME: work }, timeoutMs: 60_000 });
      assert.match(
        assertOneLine(result, "cp --cluster us-west-1", 2),
        /us-east-1 or us-east-5/,
      );
    });
  } finally {
    await Deno.remove(work, { recursive: true });
  }
  assert.deepEqual(
    await (async () => {
      await using s3 = await connect({
        endpoint: server.url,
        accessKeyId: DEMO.accessKeyId,
        secretAccessKey: DEMO.secretAccessKey,
        env: NO_ENV,
      });
      return await listBuckets(s3);
    })(),
    [],
  );
});

Deno.test("deno task tour and deno task server refuse an unknown --cluster or --emulate in one line", async (t) => {
  const cases: [string, string[], number, RegExp][] = [
    ["tour --cluster us-west-1", [...taskArgs("tour"), "--cluster", "us-west-1"], 2, /us-east-5/],
    ["tour --emulate us-west-1", [...taskArgs("tour"), "--emulate", "us-west-1"], 2, /rgw or/],
    ["server --emulate us-west-1", [...taskArgs("server"), "--emulate", "us-west-1"], 2, /"rgw"/],
  ];
  for (const [what, args, code, pattern] of cases) {
    await t.step(what, async () => {
      const result = await runDeno(args, { timeoutMs: 60_000 });
      assert.match(assertOneLine(result, what, code), pattern);
    });
  }
});
