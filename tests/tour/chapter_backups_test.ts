/**
 * The "backups" chapter, run as a user runs it (`deno task tour backups`) on the embedded server,
 * on `--emulate us-east-5` (versioning always on), on a US-East 5 stand-in and on Ceph RGW, and
 * its notebook executed in Jupyter: a folder backed up, only the changed files sent again (three
 * PUTs), a restore equal file by file, yesterday's version of a file read back by its version id,
 * no secret printed, nothing left on the server (checked through a second connection) and no
 * local file left beside the notebook.
 *
 * @module
 */

import assert from "node:assert/strict";
import { DEMO_USERS } from "../../server/demo_users.ts";
import { startServer } from "../../server/mod.ts";
import { chapterNamed } from "../../tour/chapters.ts";
import { PROMPT, ptyTour } from "../support/chapter_pty.ts";
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
  ROOT,
  runTour,
} from "../support/tour_run.ts";

const DEMO = DEMO_USERS[0];
const SECRETS = DEMO_USERS.map((u) => u.secretAccessKey);
const CHAPTER = chapterNamed("backups");
const FOLDERS = ["backup-source", "backup-restored"];

/** A file of the comparison table (terminal table or inspected object), equal to its restore. */
function same(file: string, bytes: number) {
  return new RegExp(
    `${file.replace(".", "\\.")}[\\s",]+(?:bytes: )?${bytes}[\\s,]+(?:same: )?true`,
  );
}

/** A file of the changes table: whether its size and its MD5 equal its backup's. */
function changed(file: string, sameSize: boolean, sameMd5: boolean) {
  return new RegExp(
    `${file.replace(".", "\\.")}[\\s",]+(?:sameSize: )?${sameSize}[\\s,]+(?:sameMd5: )?${sameMd5}`,
  );
}

const MILESTONES = [
  { what: "versioning Enabled", pattern: /→ 200 OK[^\n]*GetBucketVersioning/ },
  { what: "one file PUT by hand", pattern: /→ 200 OK[^\n]*PutObject/ },
  {
    what: "the listing has its ETag",
    pattern: /"[0-9a-f]{32}"[\s\S]*?→ 200 OK[^\n]*ListObjectsV2/,
  },
  { what: "syncUp copies the 3 others", pattern: /copied: 3,\s+skipped: 1,\s+took: "\d+ ms"/ },
  { what: "3 PUTs for them", pattern: /(→ 200 OK[^\n]*PutObject\n[\s\S]*?){3}/ },
  { what: "budget.csv: same size, another MD5", pattern: changed("budget.csv", true, false) },
  { what: "notes.txt: grew", pattern: changed("notes.txt", false, false) },
  { what: "photo.bin: unchanged", pattern: changed("photo.bin", true, true) },
  { what: "report.txt: new", pattern: changed("report.txt", false, false) },
  { what: "todo.txt: unchanged", pattern: changed("todo.txt", true, true) },
  {
    what: "the second backup: 3 sent, 2 skipped",
    pattern: /copied: 3,\s+skipped: 2,\s+sent: "budget\.csv, notes\.txt, report\.txt"/,
  },
  { what: "the restore copies 5 files", pattern: /copied: 5,\s+bytes: 200088,\s+took: "\d+ ms"/ },
  { what: "budget.csv restored equal", pattern: same("budget.csv", 19) },
  { what: "notes.txt restored equal", pattern: same("notes.txt", 40) },
  { what: "photo.bin restored equal", pattern: same("photo.bin", 200000) },
  { what: "report.txt restored equal", pattern: same("report.txt", 10) },
  { what: "todo.txt restored equal", pattern: same("todo.txt", 19) },
  { what: "today's notes.txt", pattern: /\S{8,}[\s",]+(?:IsLatest: )?true[\s,]+(?:Size: )?40\b/ },
  {
    what: "yesterday's notes.txt",
    pattern: /\S{8,}[\s",]+(?:IsLatest: )?false[\s,]+(?:Size: )?22\b/,
  },
  { what: "both versions listed", pattern: /→ 200 OK[^\n]*ListObjectVersions/ },
  {
    what: "the older version read by its id",
    pattern: /backup\/notes\.txt\s*\?x-id=GetObject&versionId=\S+\s+→ 200 OK/,
  },
  { what: "the bucket deleted", pattern: /→ 204 No Content[^\n]*DeleteBucket/ },
];

/** The story's checks that only a run's output can show, beyond the milestones. */
function assertStory(output: string, label: string) {
  assertTourOutput(output, label, MILESTONES);
  assert.match(output, /^Monday: call the bank\n(?!Tuesday)/m, `${label}: yesterday restored`);
  assert.doesNotMatch(output, /\bms: \d+\.\d/, `${label}: a duration printed raw`);
  const again = output.slice(
    output.indexOf("skipped: 2"),
    output.indexOf("Restore to a new folder"),
  );
  assert.equal(again.match(/→ 200 OK[^\n]*PutObject/g)?.length, 3, `${label}: 3 PUTs again`);
  assert.equal(again.match(/→ [^\n]*ListObjectsV2/g)?.length, 1, `${label}: one listing`);
  assertNoSecrets(output, SECRETS, label);
}

async function assertNoLocalFiles(label: string) {
  for (const folder of FOLDERS) {
    const left = await Deno.stat(`${ROOT}notebooks/${folder}`).then(() => true, () => false);
    assert.equal(left, false, `${label} left notebooks/${folder} behind`);
  }
}

Deno.test("the backups chapter shows each call as the AWS SDK sends it, then the helper", () => {
  assertSdkCells(CHAPTER);
  const code = CHAPTER.steps.map((step) => step.code).join("\n");
  assert.match(code, /paginateListObjectsV2\(\{ client: s3\.client \}/);
  const helper = (name: string) => code.indexOf(`await ${name}(s3`);
  assert.ok(code.indexOf("new PutObjectCommand(") < helper("syncUp"), "PutObject before syncUp()");
  assert.ok(code.indexOf("paginateListObjectsV2(") < helper("syncUp"), "the listing first");
  assert.doesNotMatch(code, /\.join\(\) ===|trace\.enabled|trace\.entries|slice\(mark\)/);
});

Deno.test("deno task tour backups runs every step on the embedded server", async () => {
  const { code, output } = await runTour(["backups"]);
  assert.equal(code, 0, output);
  CHAPTER.steps.forEach((step, i) =>
    assert.ok(output.includes(`━━ ${i + 1}/${CHAPTER.steps.length} ${step.title}`), step.id)
  );
  assertStory(output, "the backups chapter");
  assert.match(output, /→ 200 OK[^\n]*PutBucketVersioning/);
  await assertNoLocalFiles("the backups chapter");
});

Deno.test("the backups chapter with --emulate us-east-5 exits 0, versioned from the start", async () => {
  const { code, output } = await runTour(["backups", "--emulate", "us-east-5"]);
  assert.equal(code, 0, output);
  assertStory(output, "the backups chapter with --emulate us-east-5");
  assert.doesNotMatch(output, /→ [^\n]*PutBucketVersioning/, "versioning is on already there");
  await assertNoLocalFiles("the backups chapter with --emulate us-east-5");
});

Deno.test("the backups chapter on a US-East 5 stand-in leaves no bucket and no file", async () => {
  await using server = await startServer({ port: 0, quiet: true, emulate: "us-east-5" });
  const { code, output } = await runTour([
    "backups",
    "--endpoint",
    server.url,
    "--cluster",
    "us-east-5",
    ...demoKeyFlags(),
  ]);
  assert.equal(code, 0, output);
  assertStory(output, "the backups chapter on us-east-5");
  assert.deepEqual(await bucketNames(server.url), [], "buckets left behind");
  await assertNoLocalFiles("the backups chapter on us-east-5");
});

Deno.test("the backups chapter with --keep keeps the bucket but deletes its local files", async () => {
  await using server = await startServer({ port: 0, quiet: true });
  const { code, output } = await runTour([
    "backups",
    "--keep",
    "--endpoint",
    server.url,
    ...demoKeyFlags(),
  ]);
  assert.equal(code, 0, output);
  const kept = /Kept bucket "([^"]+)" at /.exec(output)?.[1];
  assert.ok(kept, output);
  assert.deepEqual(await bucketNames(server.url), [kept]);
  // The cleanup step is skipped with --keep: the tour itself deletes the declared files.
  assert.match(output, /Cleaned up: deleted the local file "backup-source"/);
  assert.match(output, /Cleaned up: deleted the local file "backup-restored"/);
  await assertNoLocalFiles("the backups chapter with --keep");
});

Deno.test("Ctrl-C after the restore deletes the bucket, its versions and both local folders", async () => {
  await using server = await startServer({ port: 0, quiet: true });
  const tour = await ptyTour(["backups", "--step", "--endpoint", server.url, ...demoKeyFlags()]);
  const index = CHAPTER.steps.findIndex((s) => s.id === "backups-compare");
  assert.ok(index > 0);
  for (let i = 1; i <= index; i++) {
    await tour.waitFor(PROMPT, i);
    await tour.type("\n");
  }
  await tour.waitFor(PROMPT, index + 1);
  const [bucket] = await bucketNames(server.url);
  assert.ok(bucket, "the chapter should have made its bucket by now");
  for (const folder of FOLDERS) await Deno.stat(`${ROOT}notebooks/${folder}`); // both written
  await tour.type("\x03");
  assert.equal(await tour.finish(), 130, tour.output);
  assert.match(tour.output, /Interrupted: cleaning up/);
  assert.match(
    tour.output,
    new RegExp(`Cleaned up: deleted bucket "${bucket}" and 7 object`),
  );
  assert.deepEqual(await bucketNames(server.url), [], "buckets left after Ctrl-C");
  await assertNoLocalFiles("Ctrl-C in the backups chapter");
});

rgwTest(
  "deno task tour backups runs on Ceph RGW and leaves nothing behind",
  async (_t, endpoint) => {
    const before = new Set(await bucketNames(endpoint));
    const { code, output } = await runTour(["backups", "--endpoint", endpoint, ...demoKeyFlags()]);
    assert.equal(code, 0, output);
    assert.ok(output.includes(new URL(endpoint).host), "the chapter did not go to RGW");
    assertStory(output, "the backups chapter on RGW");
    const left = await bucketsLeft(endpoint, "backups-", before);
    assert.deepEqual(left, [], `left on RGW: ${left}`);
    await assertNoLocalFiles("the backups chapter on RGW");
  },
);

const NOTEBOOK = `notebooks/${CHAPTER.notebook}`;

jupyterTest(
  "the backups notebook executes on the embedded server",
  { rgw: false },
  async () => {
    const notebook = await executeNotebook(NOTEBOOK, {}, "the embedded server");
    assertNoErrors(notebook, NOTEBOOK);
    const text = notebookText(notebook);
    assertTourOutput(text, NOTEBOOK, MILESTONES);
    assertSdkTraced(notebook, CHAPTER, "the embedded server");
    assertNoSecrets(
      outputsOf(notebook).map((o) => JSON.stringify(o)).join("\n"),
      SECRETS,
      NOTEBOOK,
    );
    await assertNoLocalFiles(NOTEBOOK);
  },
);

jupyterTest("the backups notebook executes on Ceph RGW", { rgw: true }, async (_t, rgw) => {
  const before = new Set(await bucketNames(rgw));
  const notebook = await executeNotebook(NOTEBOOK, {
    AWS_ENDPOINT_URL: rgw,
    AWS_ACCESS_KEY_ID: DEMO.accessKeyId,
    AWS_SECRET_ACCESS_KEY: DEMO.secretAccessKey,
  }, "RGW");
  assertNoErrors(notebook, `${NOTEBOOK} on RGW`);
  assertTourOutput(notebookText(notebook), `${NOTEBOOK} on RGW`, MILESTONES);
  assertSdkTraced(notebook, CHAPTER, "RGW");
  const left = await bucketsLeft(rgw, "backups-", before);
  assert.deepEqual(left, [], `the notebook left buckets on RGW: ${left}`);
  await assertNoLocalFiles(`${NOTEBOOK} on RGW`);
});

jupyterTest(
  "the backups notebook executes on the US-East 5 stand-in",
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
    assertTourOutput(text, label, MILESTONES);
    assertSdkTraced(notebook, CHAPTER, "the US-East 5 stand-in");
    assert.doesNotMatch(text, /PutBucketVersioning/, "versioning is on already there");
    assert.deepEqual(await bucketNames(server.url), [], "buckets left behind");
    await assertNoLocalFiles(label);
  },
);
