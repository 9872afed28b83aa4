/**
 * The "versions" chapter, run as a user runs it (`deno task tour versions`) on the embedded
 * server, on a US-East 5 stand-in (versioning always on) and on Ceph RGW, and its notebook
 * executed in Jupyter: the overwrite undone, the delete marker undone, every version deleted,
 * no secret printed, and nothing left on the server (checked through a second connection).
 *
 * @module
 */

import assert from "node:assert/strict";
import { DEMO_USERS } from "../../server/demo_users.ts";
import { startServer } from "../../server/mod.ts";
import { chapterNamed } from "../../tour/chapters.ts";
import { rgwTest } from "../support/engines.ts";
import { assertSdkCells, assertSdkTraced } from "../support/sdk_lessons.ts";
import {
  assertNoErrors,
  executeNotebook,
  jupyterTest,
  notebookText,
  outputsOf,
} from "../support/notebook_exec.ts";
import {
  assertNoSecrets,
  assertTourOutput,
  bucketNames,
  bucketsLeft,
  demoKeyFlags,
  runTour,
} from "../support/tour_run.ts";

const DEMO = DEMO_USERS[0];
const SECRETS = DEMO_USERS.map((u) => u.secretAccessKey);
const CHAPTER = chapterNamed("versions");

/** The story, in order. `before` is the new bucket's versioning state. */
function milestones(before: "Unversioned" | "Enabled") {
  return [
    { what: `a new bucket ${before}`, pattern: new RegExp(`^${before}$`, "m") },
    { what: "asked with GetBucketVersioning", pattern: /→ 200 OK[^\n]*GetBucketVersioning/ },
    { what: "versioning Enabled", pattern: /^Enabled$/m },
    { what: "three PUTs", pattern: /(→ 200 OK[^\n]*PutObject\n[\s\S]*?){3}/ },
    {
      what: "two versions of notes.txt listed, and notes.txt.bak under the same prefix",
      pattern: /notes\.txt\b[^\n]*true[\s\S]*?notes\.txt\b[^\n]*false[\s\S]*?notes\.txt\.bak\b/,
    },
    { what: "the listing sent", pattern: /→ 200 OK[^\n]*ListObjectVersions/ },
    { what: "the old version read", pattern: /^version 1: the good one$/m },
    {
      what: "the old version read by its id",
      pattern: /\?x-id=GetObject&versionId=\S+\s+→ 200 OK/,
    },
    { what: "restored by CopyObject", pattern: /now: "version 1: the good one"/ },
    { what: "the copy on the server", pattern: /→ 200 OK[^\n]*CopyObject/ },
    { what: "a delete marker made", pattern: /DeleteMarker: true/ },
    { what: "gone: NoSuchKey, 404", pattern: /error: "NoSuchKey",\s+status: 404/ },
    { what: "a plain GET refused", pattern: /→ 404 Not Found NoSuchKey[^\n]*GetObject/ },
    { what: "the marker listed on top", pattern: /^ +notes\.txt +\S+ +true +true +0\b/m },
    { what: "the delete undone", pattern: /^version 1: the good one$/m },
    {
      what: "notes.txt deleted for good, notes.txt.bak kept",
      pattern: /deleted: 3,\s+errors: 0,\s+left: \[\s*"notes\.txt\.bak"\s*\]/,
    },
    { what: "one DeleteObjects", pattern: /→ 200 OK[^\n]*DeleteObjects/ },
    { what: "the bucket deleted", pattern: /→ 204 No Content[^\n]*DeleteBucket/ },
  ];
}

Deno.test("the versions chapter shows each call as the AWS SDK sends it", () => {
  assertSdkCells(CHAPTER);
  const code = CHAPTER.steps.map((step) => step.code).join("\n");
  const restore = CHAPTER.steps.find((step) => step.id === "restore")!.code;
  assert.match(
    restore,
    /CopySource = `\$\{bucket\}\/notes\.txt\?versionId=\$\{first\.VersionId\}`/,
  );
  assert.doesNotMatch(restore, /PutObject|putObject/, "a restore by re-upload");
  assert.match(code, /^s3\.trace\.show\(\{ error: gone\.name/m, "gone is shown");
  assert.match(code, /\.filter\(\(v\) => v\.key === "notes\.txt"\)/, "delete by exact key");
  assert.doesNotMatch(code, /trace\.enabled|trace\.entries|slice\(mark\)/);
});

Deno.test("deno task tour versions runs every step on the embedded server", async () => {
  const { code, output } = await runTour(["versions"]);
  assert.equal(code, 0, output);
  CHAPTER.steps.forEach((step, i) =>
    assert.ok(output.includes(`━━ ${i + 1}/${CHAPTER.steps.length} ${step.title}`), step.id)
  );
  assertTourOutput(output, "the versions chapter", milestones("Unversioned"));
  assert.match(output, /→ 200 OK[^\n]*PutBucketVersioning/);
  assertNoSecrets(output, SECRETS, "the versions chapter");
});

Deno.test("the versions chapter on a US-East 5 stand-in: already versioned, nothing left", async () => {
  await using server = await startServer({ port: 0, quiet: true, emulate: "us-east-5" });
  const { code, output } = await runTour([
    "versions",
    "--endpoint",
    server.url,
    "--cluster",
    "us-east-5",
    ...demoKeyFlags(),
  ]);
  assert.equal(code, 0, output);
  assertTourOutput(output, "the versions chapter on us-east-5", milestones("Enabled"));
  assert.doesNotMatch(output, /→ [^\n]*PutBucketVersioning/, "versioning is on already there");
  assertNoSecrets(output, SECRETS, "the versions chapter on us-east-5");
  assert.deepEqual(await bucketNames(server.url), [], "buckets left behind");
});

Deno.test("the versions chapter with --emulate us-east-5 exits 0", async () => {
  const { code, output } = await runTour(["versions", "--emulate", "us-east-5"]);
  assert.equal(code, 0, output);
  assertTourOutput(output, "--emulate us-east-5", milestones("Enabled"));
});

Deno.test("the versions chapter with --keep leaves its (versioned) bucket, and says so", async () => {
  await using server = await startServer({ port: 0, quiet: true });
  const { code, output } = await runTour([
    "versions",
    "--keep",
    "--endpoint",
    server.url,
    ...demoKeyFlags(),
  ]);
  assert.equal(code, 0, output);
  const kept = /Kept bucket "([^"]+)" at /.exec(output)?.[1];
  assert.ok(kept, output);
  assert.deepEqual(await bucketNames(server.url), [kept]);
});

rgwTest(
  "deno task tour versions runs on Ceph RGW and leaves nothing behind",
  async (_t, endpoint) => {
    const before = new Set(await bucketNames(endpoint));
    const { code, output } = await runTour(["versions", "--endpoint", endpoint, ...demoKeyFlags()]);
    assert.equal(code, 0, output);
    assert.ok(output.includes(new URL(endpoint).host), "the chapter did not go to RGW");
    assertTourOutput(output, "the versions chapter on RGW", milestones("Unversioned"));
    assertNoSecrets(output, SECRETS, "the versions chapter on RGW");
    const left = await bucketsLeft(endpoint, "versions-", before);
    assert.deepEqual(left, [], `left on RGW: ${left}`);
  },
);

const NOTEBOOK = `notebooks/${CHAPTER.notebook}`;

jupyterTest(
  "the versions notebook executes on the embedded server",
  { rgw: false },
  async () => {
    const notebook = await executeNotebook(NOTEBOOK, {}, "the embedded server");
    assertNoErrors(notebook, NOTEBOOK);
    const text = notebookText(notebook);
    assertTourOutput(text, NOTEBOOK, milestones("Unversioned"));
    assertSdkTraced(notebook, CHAPTER, "the embedded server");
    assertNoSecrets(
      outputsOf(notebook).map((o) => JSON.stringify(o)).join("\n"),
      SECRETS,
      NOTEBOOK,
    );
  },
);

jupyterTest("the versions notebook executes on Ceph RGW", { rgw: true }, async (_t, rgw) => {
  const before = new Set(await bucketNames(rgw));
  const notebook = await executeNotebook(NOTEBOOK, {
    AWS_ENDPOINT_URL: rgw,
    AWS_ACCESS_KEY_ID: DEMO.accessKeyId,
    AWS_SECRET_ACCESS_KEY: DEMO.secretAccessKey,
  }, "RGW");
  assertNoErrors(notebook, `${NOTEBOOK} on RGW`);
  const text = notebookText(notebook);
  assertTourOutput(text, `${NOTEBOOK} on RGW`, milestones("Unversioned"));
  assertSdkTraced(notebook, CHAPTER, "RGW");
  const left = await bucketsLeft(rgw, "versions-", before);
  assert.deepEqual(left, [], `the notebook left buckets on RGW: ${left}`);
});

jupyterTest(
  "the versions notebook executes on the US-East 5 stand-in",
  { rgw: false },
  async () => {
    await using server = await startServer({ port: 0, quiet: true, emulate: "us-east-5" });
    const notebook = await executeNotebook(NOTEBOOK, {
      AWS_ENDPOINT_URL: server.url,
      DREAMOBJECTS_CLUSTER: "us-east-5",
      AWS_ACCESS_KEY_ID: DEMO.accessKeyId,
      AWS_SECRET_ACCESS_KEY: DEMO.secretAccessKey,
    }, "the US-East 5 stand-in");
    const label = `${NOTEBOOK} on the US-East 5 stand-in`;
    assertNoErrors(notebook, label);
    const text = notebookText(notebook);
    assertTourOutput(text, label, milestones("Enabled"));
    assertSdkTraced(notebook, CHAPTER, "the US-East 5 stand-in");
    assert.doesNotMatch(text, /PutBucketVersioning/, "versioning is on already there");
    assert.deepEqual(await bucketNames(server.url), [], "buckets left behind");
  },
);
