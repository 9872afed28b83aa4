/**
 * The tour on DreamObjects US-East 5's stand-in (`--emulate us-east-5`, and a separate
 * `--emulate us-east-5` server reached with `--endpoint URL --cluster us-east-5`): the same steps
 * tell the US-East 5 story, where objects inherit their bucket's permission, so PutBucketAcl (not
 * PutObjectAcl) makes the link answer 200 and the grants shown are the bucket's. On `--emulate
 * rgw` the story stays the seed's (PutObjectAcl).
 *
 * (Delete markers and ListObjectVersions wait for the versioning work: not asserted here.)
 */

import assert from "node:assert/strict";
import { DEMO_USERS, startServer } from "../../server/mod.ts";
import { parseTourArgs } from "../../tour/main.ts";
import { assertNoSecrets, bucketNames, runTour, trafficOf } from "../support/tour_run.ts";

const DEMO = DEMO_USERS[0];
const SECRETS = DEMO_USERS.map((user) => user.secretAccessKey);

/** The US-East 5 story's milestones, in order, read from the traffic lines. */
const US_EAST_5_STORY: [string, RegExp][] = [
  ["the public link refused while the bucket is private", /^probe: 403 Forbidden AccessDenied$/],
  ["the presigned link working", /^probe: 200 OK$/],
  ["PutBucketAcl making the bucket public", /^200 OK PutBucketAcl$/],
  // A probe prints its result before its traffic line: the next anonymous GET is the plain link.
  ["the public link working after the bucket's public-read", /^200 OK anonymous$/],
  ["the bucket's grants read", /^200 OK GetBucketAcl$/],
  ["the non-empty bucket refused", /^409 Conflict BucketNotEmpty DeleteBucket$/],
  ["NoSuchBucket at the end", /^probe: 404 Not Found NoSuchBucket$/],
];

function assertStory(lines: string[], story: [string, RegExp][], output: string) {
  let at = 0;
  for (const [what, pattern] of story) {
    const found = lines.findIndex((line, i) => i >= at && pattern.test(line));
    assert.ok(
      found >= 0,
      `The tour did not show ${what} after line ${at}:\n${lines.join("\n")}\n${output}`,
    );
    at = found + 1;
  }
}

Deno.test("parseTourArgs() reads --emulate and --cluster", () => {
  assert.deepEqual(parseTourArgs(["--emulate", "us-east-5"]).connect, { emulate: "us-east-5" });
  assert.deepEqual(parseTourArgs(["--dreamobjects", "--cluster", "us-east-1"]).connect, {
    dreamobjects: true,
    cluster: "us-east-1",
  });
});

Deno.test("deno task tour --emulate us-east-5 tells the US-East 5 story and exits 0", async () => {
  const run = await runTour(["--emulate", "us-east-5"]);
  assert.equal(run.code, 0, run.output);
  assert.match(run.output, /emulating DreamObjects US-East 5\) at http:\/\/127\.0\.0\.1:\d+/);
  assert.match(run.output, /region us-east-005/);
  const lines = trafficOf(run.output);
  assertStory(lines, US_EAST_5_STORY, run.output);
  assert.ok(
    !lines.some((l) => /PutObjectAcl|GetObjectAcl/.test(l)),
    `No object ACL request belongs in the US-East 5 story:\n${lines.join("\n")}`,
  );
  assert.match(run.output, /Everyone \(anonymous\) +READ/);
  assert.match(run.output, /Tour complete\.\n/);
  assertNoSecrets(run.output, SECRETS, "The tour on --emulate us-east-5");
});

Deno.test("the tour on a separate us-east-5 server (--endpoint, --cluster) leaves no bucket behind", async () => {
  await using server = await startServer({ port: 0, quiet: true, emulate: "us-east-5" });
  const run = await runTour([
    "--endpoint",
    server.url,
    "--cluster",
    "us-east-5",
    "--access-key",
    DEMO.accessKeyId,
    "--secret-key",
    DEMO.secretAccessKey,
  ]);
  assert.equal(run.code, 0, run.output);
  assert.match(run.output, /Connected to the S3 endpoint \(DreamObjects US-East 5\)/);
  assertStory(trafficOf(run.output), US_EAST_5_STORY, run.output);
  // Checked through a second connection: a signed ListBuckets as the demo user.
  assert.deepEqual(await bucketNames(server.url), []);
});

Deno.test("deno task tour --emulate rgw keeps the seed's story: PutObjectAcl makes the object public", async () => {
  const run = await runTour(["--emulate", "rgw"]);
  assert.equal(run.code, 0, run.output);
  const lines = trafficOf(run.output);
  assert.ok(lines.includes("200 OK PutObjectAcl"), lines.join("\n"));
  assert.ok(lines.includes("200 OK GetObjectAcl"), lines.join("\n"));
  assert.ok(!lines.some((l) => /PutBucketAcl/.test(l)), lines.join("\n"));
});
