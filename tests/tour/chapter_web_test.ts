/**
 * The "web" chapter, run as a user runs it (`deno task tour web`) on the embedded server, on the
 * US-East 5 stand-in (the form answered 501, the PUT accepted) and on Ceph RGW, and its notebook
 * executed in Jupyter (where the page runs in Debian's Chromium): the upload refused before the
 * CORS rule, accepted after by PUT and by form, both read back, no secret printed, nothing left.
 *
 * @module
 */

import assert from "node:assert/strict";
import { DEMO_USERS } from "../../server/demo_users.ts";
import { startServer } from "../../server/mod.ts";
import { chapterNamed } from "../../tour/chapters.ts";
import { rgwTest } from "../support/engines.ts";
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

const SECRETS = DEMO_USERS.map((u) => u.secretAccessKey);
const CHAPTER = chapterNamed("web");

/** The story, in order; `form` is what the form upload gets. */
function milestones(form: "stored" | "501") {
  return [
    {
      what: "the page's PUT refused",
      pattern: /PUT with fetch \([^)]*\):\s+TypeError: Failed to fetch/,
    },
    { what: "the preflight refused", pattern: /→ 403 Forbidden AccessDenied[^\n]*Preflight/ },
    { what: "the rule set with the SDK", pattern: /→ 200 OK[^\n]*PutBucketCors/ },
    { what: "the rule read back", pattern: /→ 200 OK[^\n]*GetBucketCors/ },
    {
      what: "the page's PUT accepted",
      pattern: /PUT with fetch \([^)]*\):\s+200,\s+ETag\s+"[0-9a-f]{32}"/,
    },
    { what: "the PUT read back", pattern: /^hello from a web page$/m },
    form === "stored"
      ? { what: "the form accepted", pattern: /POST form \([^)]*\):\s+204/ }
      : { what: "the form answered 501", pattern: /POST form \([^)]*\):\s+501/ },
    form === "stored"
      ? { what: "the form read back", pattern: /^hello from a form$/m }
      : { what: "nothing stored by the form", pattern: /^nothing stored$/m },
    { what: "the bucket deleted", pattern: /→ 204 No Content[^\n]*DeleteBucket/ },
  ];
}

Deno.test("deno task tour web runs every step on the embedded server", async () => {
  const { code, output } = await runTour(["web"]);
  assert.equal(code, 0, output);
  CHAPTER.steps.forEach((step, i) =>
    assert.ok(output.includes(`━━ ${i + 1}/${CHAPTER.steps.length} ${step.title}`), step.id)
  );
  assertTourOutput(output, "the web chapter", milestones("stored"));
  assertNoSecrets(output, SECRETS, "the web chapter");
});

Deno.test("the web chapter on a US-East 5 stand-in: the form is 501, the PUT works", async () => {
  await using server = await startServer({ port: 0, quiet: true, emulate: "us-east-5" });
  const { code, output } = await runTour([
    "web",
    "--endpoint",
    server.url,
    "--cluster",
    "us-east-5",
    ...demoKeyFlags(),
  ]);
  assert.equal(code, 0, output);
  assertTourOutput(output, "the web chapter on us-east-5", milestones("501"));
  assert.match(output, /→ 501 Not Implemented NotImplemented[^\n]*PostObject/);
  assertNoSecrets(output, SECRETS, "the web chapter on us-east-5");
  assert.deepEqual(await bucketNames(server.url), [], "buckets left behind");
});

rgwTest("deno task tour web runs on Ceph RGW and leaves nothing behind", async (_t, endpoint) => {
  const before = new Set(await bucketNames(endpoint));
  const { code, output } = await runTour(["web", "--endpoint", endpoint, ...demoKeyFlags()]);
  assert.equal(code, 0, output);
  assert.ok(output.includes(new URL(endpoint).host), "the chapter did not go to RGW");
  assertTourOutput(output, "the web chapter on RGW", milestones("stored"));
  const left = await bucketsLeft(endpoint, "web-", before);
  assert.deepEqual(left, [], `left on RGW: ${left}`);
});

const NOTEBOOK = `notebooks/${CHAPTER.notebook}`;

jupyterTest("the web notebook executes on the embedded server", { rgw: false }, async () => {
  const notebook = await executeNotebook(NOTEBOOK, {}, "the embedded server");
  assertNoErrors(notebook, NOTEBOOK);
  const text = notebookText(notebook);
  assertTourOutput(text, NOTEBOOK, milestones("stored"));
  assert.match(text, /<iframe src="http:\/\/127\.0\.0\.1:\d+\/"|The page: http/);
  if (text.includes("(Chromium)")) {
    // The browser's own requests are in the trace: the refused preflight, the PUT never sent.
    assert.match(text, /→ 403 Forbidden[^\n]*Preflight/);
    assert.match(text, /→ no response never sent \(net::ERR_FAILED\)[^\n]*PutObject/);
  }
  assertNoSecrets(outputsOf(notebook).map((o) => JSON.stringify(o)).join("\n"), SECRETS, NOTEBOOK);
});
