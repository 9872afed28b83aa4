/**
 * The "big-files" chapter, run as a user runs it (`deno task tour big-files`) on the embedded
 * server, on a US-East 5 stand-in and on Ceph RGW, and its notebook executed in Jupyter: the
 * multipart upload by hand (three parts listed, an ETag ending in -3), the SDK's Upload in parts, the
 * abandoned upload found with its 5 MiB and aborted, nothing left on the server (checked through
 * a second connection) and no local file left next to the notebook.
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
  ROOT,
  runTour,
} from "../support/tour_run.ts";

const DEMO = DEMO_USERS[0];
const SECRETS = DEMO_USERS.map((u) => u.secretAccessKey);
const CHAPTER = chapterNamed("big-files");
const LOCAL_FILE = `${ROOT}notebooks/big-file.bin`;

const MILESTONES = [
  { what: "the upload started", pattern: /→ 200 OK[^\n]*CreateMultipartUpload/ },
  { what: "three parts sent", pattern: /(→ 200 OK[^\n]*UploadPart\n[\s\S]*?){3}/ },
  { what: "three parts listed", pattern: /→ 200 OK[^\n]*ListParts/ },
  { what: "the upload completed as 3 parts", pattern: /-3"[\s\S]*?CompleteMultipartUpload/ },
  {
    what: "the SDK's Upload in 3 parts",
    pattern: /'"[0-9a-f]+-3"',\s+ContentLength: 12582912\s*\}[\s\S]*?CompleteMultipartUpload/,
  },
  { what: "a part left behind", pattern: /abandoned\.bin[\s\S]*?→ 200 OK[^\n]*UploadPart/ },
  { what: "the leftover found with its 5 MiB", pattern: /abandoned\.bin +\S+ +\S+ +1 +5242880/ },
  { what: "none left", pattern: /^\(none\)$/m },
  { what: "the leftover aborted", pattern: /→ 204 No Content[^\n]*AbortMultipartUpload/ },
  { what: "the bucket deleted", pattern: /→ 204 No Content[^\n]*DeleteBucket/ },
];

async function assertNoLocalFile(label: string) {
  const left = await Deno.stat(LOCAL_FILE).then(() => true, () => false);
  assert.equal(left, false, `${label} left notebooks/big-file.bin behind`);
}

Deno.test("deno task tour big-files runs every step on the embedded server", async () => {
  const { code, output } = await runTour(["big-files"]);
  assert.equal(code, 0, output);
  CHAPTER.steps.forEach((step, i) =>
    assert.ok(output.includes(`━━ ${i + 1}/${CHAPTER.steps.length} ${step.title}`), step.id)
  );
  assertTourOutput(output, "the big-files chapter", MILESTONES);
  assertNoSecrets(output, SECRETS, "the big-files chapter");
  await assertNoLocalFile("the big-files chapter");
});

Deno.test("the big-files chapter on a US-East 5 stand-in leaves no bucket, upload or file", async () => {
  await using server = await startServer({ port: 0, quiet: true, emulate: "us-east-5" });
  const { code, output } = await runTour([
    "big-files",
    "--endpoint",
    server.url,
    "--cluster",
    "us-east-5",
    ...demoKeyFlags(),
  ]);
  assert.equal(code, 0, output);
  assertTourOutput(output, "the big-files chapter on us-east-5", MILESTONES);
  assert.deepEqual(await bucketNames(server.url), [], "buckets left behind");
  await assertNoLocalFile("the big-files chapter on us-east-5");
});

Deno.test("the big-files chapter with --keep keeps the bucket but not the local file", async () => {
  await using server = await startServer({ port: 0, quiet: true });
  const { code, output } = await runTour([
    "big-files",
    "--keep",
    "--endpoint",
    server.url,
    ...demoKeyFlags(),
  ]);
  assert.equal(code, 0, output);
  assert.match(output, /Cleaned up: deleted the local file "big-file\.bin"/);
  const kept = /Kept bucket "([^"]+)" at /.exec(output)?.[1];
  assert.ok(kept, output);
  assert.deepEqual(await bucketNames(server.url), [kept]);
  await assertNoLocalFile("the big-files chapter with --keep");
});

rgwTest(
  "deno task tour big-files runs on Ceph RGW and leaves nothing behind",
  async (_t, endpoint) => {
    const before = new Set(await bucketNames(endpoint));
    const { code, output } = await runTour([
      "big-files",
      "--endpoint",
      endpoint,
      ...demoKeyFlags(),
    ]);
    assert.equal(code, 0, output);
    assert.ok(output.includes(new URL(endpoint).host), "the chapter did not go to RGW");
    assertTourOutput(output, "the big-files chapter on RGW", MILESTONES);
    assertNoSecrets(output, SECRETS, "the big-files chapter on RGW");
    const left = await bucketsLeft(endpoint, "big-files-", before);
    assert.deepEqual(left, [], `left on RGW: ${left}`);
    await assertNoLocalFile("the big-files chapter on RGW");
  },
);

const NOTEBOOK = `notebooks/${CHAPTER.notebook}`;

jupyterTest(
  "the big-files notebook executes on the embedded server",
  { rgw: false },
  async () => {
    const notebook = await executeNotebook(NOTEBOOK, {}, "the embedded server");
    assertNoErrors(notebook, NOTEBOOK);
    assertSdkTraced(notebook, CHAPTER, "the embedded server");
    assertTourOutput(notebookText(notebook), NOTEBOOK, MILESTONES);
    await assertNoLocalFile(NOTEBOOK);
  },
);

jupyterTest("the big-files notebook executes on Ceph RGW", { rgw: true }, async (_t, rgw) => {
  const before = new Set(await bucketNames(rgw));
  const notebook = await executeNotebook(NOTEBOOK, {
    AWS_ENDPOINT_URL: rgw,
    AWS_ACCESS_KEY_ID: DEMO.accessKeyId,
    AWS_SECRET_ACCESS_KEY: DEMO.secretAccessKey,
  }, "RGW");
  assertNoErrors(notebook, `${NOTEBOOK} on RGW`);
  assertSdkTraced(notebook, CHAPTER, "RGW");
  const left = await bucketsLeft(rgw, "big-files-", before);
  assert.deepEqual(left, [], `the notebook left buckets on RGW: ${left}`);
  await assertNoLocalFile(`${NOTEBOOK} on RGW`);
});
