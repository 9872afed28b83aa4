/**
 * The "folders" chapter, run as a user runs it (`deno task tour folders`) on the embedded server,
 * on a US-East 5 stand-in (object ACLs skipped in one line) and on Ceph RGW, and its notebook
 * executed in Jupyter: folders from prefix + delimiter, 1,100 keys listed in two requests, user
 * metadata, copy and rename, 206 and 304, the bucket's size, 1,100 keys deleted in two
 * DeleteObjects, no secret printed and nothing left on the server (checked through a second
 * connection).
 *
 * @module
 */

import assert from "node:assert/strict";
import { DEMO_USERS } from "../../server/demo_users.ts";
import { startServer } from "../../server/mod.ts";
import { chapterNamed } from "../../tour/chapters.ts";
import { rgwTest } from "../support/engines.ts";
import { assertSdkTraced } from "../support/sdk_lessons.ts";
import {
  assertNoErrors,
  executeNotebook,
  jupyterTest,
  notebookText,
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
const CHAPTER = chapterNamed("folders");

/** The story, in order; `acl` is what the ACL step prints. */
function milestones(acl: RegExp) {
  return [
    { what: "two folders at the top", pattern: /folders: \[ "docs\/", "photos\/" \]/ },
    {
      what: "two folders in photos/",
      pattern: /folders: \[ "photos\/2025\/", "photos\/2026\/" \]/,
    },
    { what: "1,100 keys in two listings", pattern: /written: 1100, listed: 1100, requests: 2/ },
    { what: "the user metadata read back", pattern: /Metadata: \{ author: "ada" \}/ },
    { what: "the renamed copy", pattern: /archive\/report-2026\.html/ },
    { what: "a ranged GET", pattern: /^Report$[\s\S]*?→ 206 Partial Content/m },
    { what: "a 304", pattern: /status: 304 \}[\s\S]*?→ 304 Not Modified/ },
    { what: "the bucket's size", pattern: /objects: 1106, bytes: 12170, requests: 2/ },
    { what: "the ACL step", pattern: acl },
    {
      what: "1,100 deleted in two requests, none left",
      pattern:
        /folders: \[\], files: \[\], requests: 1 \}[\s\S]*?→ 200 OK[^\n]*DeleteObjects[\s\S]*?→ 200 OK[^\n]*DeleteObjects/,
    },
    { what: "the bucket deleted", pattern: /→ 204 No Content[^\n]*DeleteBucket/ },
  ];
}
const ACL_SET = /madePublic: 2/;
const ACL_SKIPPED = /madePublic: "skipped: no per-object ACLs here/;

Deno.test("deno task tour folders runs every step on the embedded server", async () => {
  const { code, output } = await runTour(["folders"]);
  assert.equal(code, 0, output);
  CHAPTER.steps.forEach((step, i) =>
    assert.ok(output.includes(`━━ ${i + 1}/${CHAPTER.steps.length} ${step.title}`), step.id)
  );
  assertTourOutput(output, "the folders chapter", milestones(ACL_SET));
  const deletes = output.split("\n").filter((l) => /→ 200 OK[^\n]*DeleteObjects/.test(l));
  assert.ok(deletes.length >= 3, "rename + two batches of DeleteObjects");
  assertNoSecrets(output, SECRETS, "the folders chapter");
});

Deno.test("the folders chapter on a US-East 5 stand-in skips object ACLs in one line", async () => {
  await using server = await startServer({ port: 0, quiet: true, emulate: "us-east-5" });
  const { code, output } = await runTour([
    "folders",
    "--endpoint",
    server.url,
    "--cluster",
    "us-east-5",
    ...demoKeyFlags(),
  ]);
  assert.equal(code, 0, output);
  assertTourOutput(output, "the folders chapter on us-east-5", milestones(ACL_SKIPPED));
  assert.doesNotMatch(output, /→ [^\n]*PutObjectAcl/);
  assert.deepEqual(await bucketNames(server.url), [], "buckets left behind");
});

rgwTest(
  "deno task tour folders runs on Ceph RGW and leaves nothing behind",
  async (_t, endpoint) => {
    const before = new Set(await bucketNames(endpoint));
    const { code, output } = await runTour(["folders", "--endpoint", endpoint, ...demoKeyFlags()]);
    assert.equal(code, 0, output);
    assert.ok(output.includes(new URL(endpoint).host), "the chapter did not go to RGW");
    assertTourOutput(output, "the folders chapter on RGW", milestones(ACL_SET));
    assertNoSecrets(output, SECRETS, "the folders chapter on RGW");
    const left = await bucketsLeft(endpoint, "folders-", before);
    assert.deepEqual(left, [], `left on RGW: ${left}`);
  },
);

const NOTEBOOK = `notebooks/${CHAPTER.notebook}`;

jupyterTest(
  "the folders notebook executes on the embedded server",
  { rgw: false },
  async () => {
    const notebook = await executeNotebook(NOTEBOOK, {}, "the embedded server");
    assertNoErrors(notebook, NOTEBOOK);
    assertSdkTraced(notebook, CHAPTER, "the embedded server");
    assertTourOutput(notebookText(notebook), NOTEBOOK, milestones(ACL_SET));
  },
);

jupyterTest("the folders notebook executes on Ceph RGW", { rgw: true }, async (_t, rgw) => {
  const before = new Set(await bucketNames(rgw));
  const notebook = await executeNotebook(NOTEBOOK, {
    AWS_ENDPOINT_URL: rgw,
    AWS_ACCESS_KEY_ID: DEMO.accessKeyId,
    AWS_SECRET_ACCESS_KEY: DEMO.secretAccessKey,
  }, "RGW");
  assertNoErrors(notebook, `${NOTEBOOK} on RGW`);
  assertSdkTraced(notebook, CHAPTER, "RGW");
  const left = await bucketsLeft(rgw, "folders-", before);
  assert.deepEqual(left, [], `the notebook left buckets on RGW: ${left}`);
});
