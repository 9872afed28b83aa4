/**
 * The "signing" chapter, run as a user runs it (`deno task tour signing`) on the embedded server,
 * on a US-East 5 stand-in and on Ceph RGW, and its notebook executed in Jupyter: each shows the
 * hand-made signature equal to the SDK's (for the PUT and the presigned link), V2 accepted or
 * refused as the service does, the three refusals in order, an unsigned header added to a
 * presigned PUT refused (run as a copy on RGW 16, which has the unsigned-header hole), no secret
 * key, signatures only in the comparison, and nothing left on the server (checked through a
 * second connection).
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
  outputsOf,
} from "../support/notebook_exec.ts";
import { assertTourOutput, bucketNames, bucketsLeft, runTour } from "../support/tour_run.ts";

const DEMO = DEMO_USERS[0];
const SECRETS = DEMO_USERS.map((u) => u.secretAccessKey);
const CHAPTER = chapterNamed("signing");

/**
 * The story, in order; `v2` is what the service answers to Signature V2, `unsigned` what it
 * answers to a presigned PUT sent with an unsigned `x-amz-copy-source`.
 */
function milestones(v2: RegExp, unsigned = UNSIGNED_REFUSED) {
  return [
    { what: "the PUT signed by hand = the SDK's", pattern: /equal: the signature made by hand/ },
    { what: "the body hash signed", pattern: /the body's SHA-256 is the x-amz-content-sha256/ },
    { what: "the presigned URL by hand = its own", pattern: /equal: the signature made by hand/ },
    { what: "Signature V2's answer", pattern: v2 },
    { what: "a changed header refused", pattern: /→ 403 Forbidden SignatureDoesNotMatch/ },
    { what: "a longer expiry refused", pattern: /→ 403 Forbidden SignatureDoesNotMatch/ },
    { what: "an older presigned date refused", pattern: /→ 403 Forbidden AccessDenied/ },
    { what: "a clock 20 minutes off refused", pattern: /→ 403 Forbidden RequestTimeTooSkewed/ },
    { what: "an unsigned header on a presigned PUT", pattern: unsigned },
    { what: "the bucket deleted", pattern: /→ 204 No Content[^\n]*DeleteBucket/ },
  ];
}
const V2_ACCEPTED = /→ 200 OK[^\n]*GetObject signed with V2/;
const V2_REFUSED = /→ 400 Bad Request InvalidRequest[^\n]*GetObject signed with V2/;
const UNSIGNED_REFUSED = /→ 403 Forbidden AccessDenied[^\n]*PUT link \+ unsigned x-amz-copy-source/;
// RGW 16.2.15 has the CVE-2026-54330 class hole: it runs the copy (docs/security.md).
const UNSIGNED_RUN_ON_RGW = /→ 200 OK[^\n]*PUT link \+ unsigned x-amz-copy-source/;

/** No secret key anywhere; a signature only shortened on the comparison's lines, never `Signature=…`. */
function assertSignaturesOnlyCompared(output: string, label: string) {
  for (const secret of SECRETS) assert.ok(!output.includes(secret), `${label} shows a secret key`);
  const raw = /(X-Amz-Signature=|Signature=)(?!REDACTED)[^&\s,]+/.exec(output);
  assert.equal(raw, null, `${label} shows a raw signature: ${raw?.[0]}`);
  // The comparison shows 8 of the 64 hex digits: enough to see them equal, never one to reuse.
  const compared = [
    ...output.matchAll(/^(?:by hand|sent by the SDK): +([0-9a-f]{8})… \(64 hex digits\)$/gm),
  ];
  assert.equal(compared.length, 4, `${label} compares two signatures twice`);
  assert.doesNotMatch(
    output,
    /^(?:by hand|sent by the SDK): +[0-9a-f]{9}/m,
    `${label}: unredacted`,
  );
}

Deno.test("deno task tour signing runs every step on the embedded server", async () => {
  const { code, output } = await runTour(["signing"]);
  assert.equal(code, 0, output);
  CHAPTER.steps.forEach((step, i) =>
    assert.ok(output.includes(`━━ ${i + 1}/${CHAPTER.steps.length} ${step.title}`), step.id)
  );
  assertTourOutput(output, "the signing chapter", milestones(V2_ACCEPTED));
  assert.match(output, /^kSigning = HMAC-SHA256\(kService, "aws4_request"\) = [0-9a-f]{8}… /m);
  assertSignaturesOnlyCompared(output, "the signing chapter");
  assert.match(output, /Tour complete\.\n$/);
});

Deno.test("the signing chapter on a US-East 5 stand-in: V2 refused in one line, nothing left", async () => {
  await using server = await startServer({ port: 0, quiet: true, emulate: "us-east-5" });
  const { code, output } = await runTour([
    "signing",
    "--endpoint",
    server.url,
    "--cluster",
    "us-east-5",
    "--access-key",
    DEMO.accessKeyId,
    "--secret-key",
    DEMO.secretAccessKey,
  ]);
  assert.equal(code, 0, output);
  assertTourOutput(output, "the signing chapter on us-east-5", milestones(V2_REFUSED));
  assert.match(output, /^GetObject signed with V2 → 400 InvalidRequest \(The V2 signature/m);
  assert.match(output, /\/us-east-005\/s3\/aws4_request/);
  assertSignaturesOnlyCompared(output, "the signing chapter on us-east-5");
  assert.deepEqual(await bucketNames(server.url), [], "buckets left behind");
});

Deno.test("the signing chapter with --emulate us-east-5 exits 0", async () => {
  const { code, output } = await runTour(["signing", "--emulate", "us-east-5"]);
  assert.equal(code, 0, output);
  assertTourOutput(output, "--emulate us-east-5", milestones(V2_REFUSED));
});

Deno.test("the signing chapter with --keep leaves its bucket and the note, and says so", async () => {
  await using server = await startServer({ port: 0, quiet: true });
  const { code, output } = await runTour([
    "signing",
    "--keep",
    "--endpoint",
    server.url,
    "--access-key",
    DEMO.accessKeyId,
    "--secret-key",
    DEMO.secretAccessKey,
  ]);
  assert.equal(code, 0, output);
  const kept = /Kept bucket "([^"]+)" at /.exec(output)?.[1];
  assert.ok(kept, output);
  assert.deepEqual(await bucketNames(server.url), [kept]);
});

rgwTest(
  "deno task tour signing runs on Ceph RGW and leaves nothing behind",
  async (_t, endpoint) => {
    const before = new Set(await bucketNames(endpoint));
    const { code, output } = await runTour([
      "signing",
      "--endpoint",
      endpoint,
      "--access-key",
      DEMO.accessKeyId,
      "--secret-key",
      DEMO.secretAccessKey,
    ]);
    assert.equal(code, 0, output);
    assert.ok(output.includes(new URL(endpoint).host), "the chapter did not go to RGW");
    assertTourOutput(
      output,
      "the signing chapter on RGW",
      milestones(V2_ACCEPTED, UNSIGNED_RUN_ON_RGW),
    );
    assertSignaturesOnlyCompared(output, "the signing chapter on RGW");
    const left = await bucketsLeft(endpoint, "signing-", before);
    assert.deepEqual(left, [], `left on RGW: ${left}`);
  },
);

const NOTEBOOK = `notebooks/${CHAPTER.notebook}`;

jupyterTest(
  "the signing notebook executes on the embedded server",
  { rgw: false },
  async () => {
    const notebook = await executeNotebook(NOTEBOOK, {}, "the embedded server");
    assertNoErrors(notebook, NOTEBOOK);
    assertSdkTraced(notebook, CHAPTER, "the embedded server");
    const text = notebookText(notebook);
    assertTourOutput(text, NOTEBOOK, milestones(V2_ACCEPTED));
    const everything = outputsOf(notebook).map((o) => JSON.stringify(o)).join("\n");
    for (const secret of SECRETS) assert.ok(!everything.includes(secret), "a secret key");
    assert.doesNotMatch(everything, /Signature=(?!REDACTED)[0-9a-f]{8}/);
  },
);

jupyterTest("the signing notebook executes on Ceph RGW", { rgw: true }, async (_t, rgw) => {
  const before = new Set(await bucketNames(rgw));
  const notebook = await executeNotebook(NOTEBOOK, {
    AWS_ENDPOINT_URL: rgw,
    AWS_ACCESS_KEY_ID: DEMO.accessKeyId,
    AWS_SECRET_ACCESS_KEY: DEMO.secretAccessKey,
  }, "RGW");
  assertNoErrors(notebook, `${NOTEBOOK} on RGW`);
  assertSdkTraced(notebook, CHAPTER, "RGW");
  assertTourOutput(
    notebookText(notebook),
    `${NOTEBOOK} on RGW`,
    milestones(V2_ACCEPTED, UNSIGNED_RUN_ON_RGW),
  );
  const left = await bucketsLeft(rgw, "signing-", before);
  assert.deepEqual(left, [], `the notebook left buckets on RGW: ${left}`);
});
