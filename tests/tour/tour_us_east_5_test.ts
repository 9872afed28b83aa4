/**
 * The tour on DreamObjects US-East 5's stand-in (`--emulate us-east-5`, and a separate
 * `--emulate us-east-5` server reached with `--endpoint URL --cluster us-east-5`): the same steps
 * tell the US-East 5 story, where objects inherit their bucket's permission, so PutBucketAcl (not
 * PutObjectAcl) makes the link answer 200 and the grants shown are the bucket's; and deletes keep
 * versions, so the object delete adds a delete marker (shown in the trace), the version listing
 * shows the marker over the version still stored, and both are removed by version id before the
 * bucket goes. What is left is checked through a second connection: no bucket, no version — also
 * after Ctrl-C and after a failed step; with `--keep`, the bucket and its one version, no marker.
 * On `--emulate rgw` the story stays the seed's (PutObjectAcl, a delete that leaves nothing).
 */

import assert from "node:assert/strict";
import {
  connect,
  type Connection,
  deleteBucket,
  deleteObject,
  emptyBucket,
  listBuckets,
  listVersions,
  putObject,
} from "../../lib/mod.ts";
import { DEMO_USERS, startServer } from "../../server/mod.ts";
import { parseTourArgs } from "../../tour/main.ts";
import { tourWaitingAt } from "../support/tour_pty.ts";
import {
  assertNoSecrets,
  assertTourOutput,
  bucketNames,
  runTour,
  TOUR_MILESTONES,
  trafficOf,
  US_EAST_5_MILESTONES,
} from "../support/tour_run.ts";

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
  // The probe's result is printed above the traffic of its step, the delete's among it.
  ["the presigned link then NoSuchKey", /^probe: 404 Not Found NoSuchKey$/],
  ["the object delete", /^204 No Content DeleteObject$/],
  ["the versions listed", /^200 OK ListObjectVersions$/],
  ["the delete marker removed", /^204 No Content DeleteObject$/],
  ["the version removed", /^204 No Content DeleteObject$/],
  ["NoSuchBucket at the end", /^probe: 404 Not Found NoSuchBucket$/],
  ["the empty bucket deleted", /^204 No Content DeleteBucket$/],
];

const KEYS = ["--access-key", DEMO.accessKeyId, "--secret-key", DEMO.secretAccessKey];

/** A second connection to a us-east-5 server, as the demo user: what the tour left is seen here. */
function secondConnection(url: string): Promise<Connection> {
  return connect({
    endpoint: url,
    cluster: "us-east-5",
    accessKeyId: DEMO.accessKeyId,
    secretAccessKey: DEMO.secretAccessKey,
    env: { get: () => undefined },
  });
}

/** Asserts, through a second connection, that no bucket is left and `bucket` has no version. */
async function assertNothingLeft(url: string, bucket: string) {
  await using s3 = await secondConnection(url);
  assert.deepEqual(await listBuckets(s3), []);
  await assert.rejects(
    () => Array.fromAsync(listVersions(s3, bucket)),
    /404 Not Found NoSuchBucket/,
    `The versions of "${bucket}" should be gone with it`,
  );
}

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
  assert.match(run.output, /AllUsers +READ/);
  assertTourOutput(run.output, "--emulate us-east-5", US_EAST_5_MILESTONES);
  assert.match(run.output, /it only added a delete marker over the picture/);
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
  assertTourOutput(run.output, "a us-east-5 server", US_EAST_5_MILESTONES);
  const bucket = /demo-\d{8}-[a-z0-9]{6}/.exec(run.output)?.[0];
  assert.ok(bucket, run.output);
  // The marker and the version the trace named are the ones removed by version id.
  const marker = /added delete marker (\S+)/.exec(run.output)?.[1];
  assert.ok(marker && run.output.includes(`removed delete marker ${marker}`), run.output);
  // Checked through a second connection: a signed ListBuckets, and the bucket's versions.
  assert.deepEqual(await bucketNames(server.url), []);
  await assertNothingLeft(server.url, bucket);
});

Deno.test("--keep on us-east-5 leaves the bucket with its one version and no delete marker", async () => {
  await using server = await startServer({ port: 0, quiet: true, emulate: "us-east-5" });
  const run = await runTour([
    "--endpoint",
    server.url,
    "--cluster",
    "us-east-5",
    ...KEYS,
    "--keep",
  ]);
  assert.equal(run.code, 0, run.output);
  assert.ok(!/What the delete left|Remove every version|DeleteObject/.test(run.output), run.output);
  const kept = /Kept bucket "([^"]+)" at /.exec(run.output)?.[1];
  assert.ok(kept, run.output);
  await using s3 = await secondConnection(server.url);
  assert.deepEqual((await listBuckets(s3)).map((b) => b.name), [kept]);
  const versions = await Array.fromAsync(listVersions(s3, kept));
  assert.deepEqual(
    versions.map((v) => [v.key, v.isLatest, v.deleteMarker]),
    [["cloud.png", true, false]],
  );
  await emptyBucket(s3, kept);
  await deleteBucket(s3, kept);
});

Deno.test("Ctrl-C on us-east-5 after the delete marker removes every version and the bucket", async () => {
  await using server = await startServer({ port: 0, quiet: true, emulate: "us-east-5" });
  // The object is deleted (a marker over its version); Ctrl-C before listing and removing them.
  const tour = await tourWaitingAt(server.url, "versions-left", ["--cluster", "us-east-5"]);
  assert.match(tour.output, /added delete marker \S+/);
  const bucket = /demo-\d{8}-[a-z0-9]{6}/.exec(tour.output)?.[0];
  assert.ok(bucket, tour.output);
  {
    await using s3 = await secondConnection(server.url);
    const left = await Array.fromAsync(listVersions(s3, bucket));
    assert.deepEqual(left.map((v) => v.deleteMarker), [true, false], "a marker over a version");
  }
  await tour.type("\x03");
  const code = await tour.finish();
  assert.equal(code, 130, tour.output);
  assert.match(tour.output, /Interrupted: cleaning up/);
  assert.match(
    tour.output,
    new RegExp(
      `Cleaned up: deleted bucket "${bucket}" and 2 object version\\(s\\) and delete marker\\(s\\)`,
    ),
  );
  await assertNothingLeft(server.url, bucket);
});

Deno.test("a step that fails on us-east-5 still removes every version, marker and the bucket", async () => {
  await using server = await startServer({ port: 0, quiet: true, emulate: "us-east-5" });
  const tour = await tourWaitingAt(server.url, "download", ["--cluster", "us-east-5"]);
  // Someone else deletes the picture (a marker over it) and adds a file before the tour reads it.
  await using s3 = await secondConnection(server.url);
  const [bucket] = (await listBuckets(s3)).map((b) => b.name);
  assert.equal((await deleteObject(s3, bucket, "cloud.png")).deleteMarker, true);
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
    new RegExp(
      `Cleaned up: deleted bucket "${bucket}" and 3 object version\\(s\\) and delete marker\\(s\\)`,
    ),
  );
  await assertNothingLeft(server.url, bucket);
});

Deno.test("deno task tour --emulate rgw keeps the seed's story: PutObjectAcl makes the object public", async () => {
  const run = await runTour(["--emulate", "rgw"]);
  assert.equal(run.code, 0, run.output);
  const lines = trafficOf(run.output);
  assert.ok(lines.includes("200 OK PutObjectAcl"), lines.join("\n"));
  assert.ok(lines.includes("200 OK GetObjectAcl"), lines.join("\n"));
  assert.ok(!lines.some((l) => /PutBucketAcl/.test(l)), lines.join("\n"));
  // Its delete leaves nothing: no marker in the trace, an empty version listing, nothing removed.
  assertTourOutput(run.output, "--emulate rgw", TOUR_MILESTONES);
  assert.doesNotMatch(run.output, /^ {10}(version|added|removed|delete marker) /m);
});
