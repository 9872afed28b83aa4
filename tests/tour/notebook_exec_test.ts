/**
 * The notebook, executed in real Jupyter (`nbconvert --execute` with Deno's kernel) against the
 * embedded server and against Ceph RGW: no error output, the statuses the tour teaches in
 * order, the image shown inline, the HTML traffic tables, no secret printed, no bucket left.
 * Also checks that the committed notebook carries no credentials or raw signatures.
 *
 * Needs the `jupyter` engine (Debian's Jupyter and `deno jupyter --install`, see
 * `tests/support/engines.ts`); without it the execution tests are ignored with a message, except
 * in CI where they fail.
 *
 * @module
 */

import assert from "node:assert/strict";
import { DEMO_USERS } from "../../server/demo_users.ts";
import { engineTest, rgwEndpoint } from "../support/engines.ts";
import {
  executeNotebook,
  joined,
  lostOutputs,
  type Notebook,
  notebookText,
  outputsOf,
  textOf,
} from "../support/notebook_exec.ts";
import {
  assertNoSecrets,
  assertTourOutput,
  bucketNames,
  bucketsLeft,
  ROOT,
  TOUR_MILESTONES,
  US_EAST_5_MILESTONES,
} from "../support/tour_run.ts";
import { startServer } from "../../server/mod.ts";
import { CHAPTERS } from "../../tour/chapters.ts";
import { assertSdkTraced } from "../support/sdk_lessons.ts";
import { connect, listBuckets, listVersions } from "../../lib/mod.ts";

const NOTEBOOK = `${ROOT}notebooks/tour.ipynb`;
const SECRETS = DEMO_USERS.map((user) => user.secretAccessKey);

/** Executes the getting-started notebook (see `tests/support/notebook_exec.ts`). */
function execute(env: Record<string, string>, label: string): Promise<Notebook> {
  return executeNotebook("notebooks/tour.ipynb", env, label);
}

/** Asserts everything an executed notebook must show. */
async function assertExecuted(
  t: Deno.TestContext,
  notebook: Notebook,
  label: string,
  milestones = TOUR_MILESTONES,
) {
  const outputs = outputsOf(notebook);
  const text = outputs.map(textOf).join("\n");
  await t.step("every cell that ends with an expression shows its output", () => {
    const lost = lostOutputs(notebook);
    assert.deepEqual(lost, [], `Cells ${lost.join(", ")} on ${label} have no output`);
  });
  await t.step("no cell has an error output", () => {
    const errors = outputs.filter((o) => o.output_type === "error");
    assert.deepEqual(
      errors.map((e) => `${e.ename}: ${e.evalue}`),
      [],
      `The notebook on ${label} has error outputs`,
    );
  });
  await t.step("it shows the story's milestones in order, 403 to 404 NoSuchBucket", () => {
    assertTourOutput(text, `the notebook on ${label}`, milestones);
  });
  await t.step("it shows the image inline", () => {
    const image = outputs.find((o) => o.data?.["image/png"] || o.data?.["image/svg+xml"]);
    assert.ok(image, `The notebook on ${label} has no image/png or image/svg+xml output`);
  });
  await t.step("it shows the traffic as HTML tables", () => {
    const tables = outputs.filter((o) => /<table[\s>]/i.test(joined(o.data?.["text/html"])));
    assert.ok(tables.length > 0, `The notebook on ${label} has no HTML table output`);
  });
  if (milestones === TOUR_MILESTONES) {
    await t.step("its delete leaves no delete marker: no version note in the traffic", () => {
      assert.doesNotMatch(text, /^ {10}(version|added|removed|delete marker) /m);
    });
  }
  await t.step("each operation the chapter introduces went through an SDK command, traced", () => {
    assertSdkTraced(notebook, CHAPTERS[0], label);
  });
  await t.step("it prints no secret key and no raw signature", () => {
    const everything = outputs.map((o) => JSON.stringify(o)).join("\n");
    assertNoSecrets(everything, SECRETS, `The notebook on ${label}`);
  });
}

Deno.test("the committed notebook carries no credentials or raw signatures", async () => {
  const raw = await Deno.readTextFile(NOTEBOOK).catch(() => {
    throw new Error(`Cannot read "notebooks/tour.ipynb": the notebook does not exist yet`);
  });
  const notebook: Notebook = JSON.parse(raw);
  assert.ok(notebook.cells.length > 0, "The committed notebook has no cells");
  assertNoSecrets(raw, SECRETS, "The committed notebook");
  const patterns: Array<[string, RegExp]> = [
    ["an AWS access key id", /\b(AKIA|ASIA)[A-Z0-9]{16}\b/],
    ["a 40-character secret key", /(secret[^\n]{0,40}?)["'=:\s][A-Za-z0-9/+]{40}\b/i],
    ["a SigV4 Authorization header", /AWS4-HMAC-SHA256 Credential=[^"\s]+Signature=[0-9a-f]{64}/],
    ["a SigV2 Authorization header", /\bAWS [A-Z0-9]{10,}:[A-Za-z0-9+/]{27}=/],
    ["a session token", /X-Amz-Security-Token=[A-Za-z0-9%]{20,}/],
  ];
  for (const [what, pattern] of patterns) {
    const found = pattern.exec(raw);
    assert.equal(found, null, `The committed notebook contains ${what}: "${found?.[0]}"`);
  }
});

engineTest(
  "jupyter",
  "the notebook executes in Jupyter on the embedded server",
  async (t) => {
    const notebook = await execute({}, "the embedded server");
    await assertExecuted(t, notebook, "the embedded server");
  },
);

engineTest(["jupyter", "rgw"], "the notebook executes in Jupyter on Ceph RGW", async (t) => {
  const endpoint = rgwEndpoint();
  const before = new Set(await bucketNames(endpoint));
  const demo = DEMO_USERS[0];
  const notebook = await execute({
    // How the notebook picks its endpoint and keys: the standard AWS variables.
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: demo.accessKeyId,
    AWS_SECRET_ACCESS_KEY: demo.secretAccessKey,
  }, "RGW");
  await t.step("its traffic went to RGW", () => {
    const host = new URL(endpoint).host;
    const text = outputsOf(notebook).map((o) => JSON.stringify(o)).join("\n");
    assert.ok(text.includes(host), `The notebook's outputs never mention "${host}"`);
  });
  await assertExecuted(t, notebook, "RGW");
  await t.step("it leaves no bucket behind", async () => {
    // RGW is shared with other test runs: only the notebook's own "demo-" buckets are its.
    const left = await bucketsLeft(endpoint, "demo-", before);
    assert.deepEqual(left, [], `The notebook left buckets on RGW: ${left.join(", ")}`);
  });
});

engineTest(
  "jupyter",
  "the notebook executes in Jupyter on the US-East 5 stand-in (DREAMOBJECTS_CLUSTER=us-east-5)",
  async (t) => {
    await using server = await startServer({ port: 0, quiet: true, emulate: "us-east-5" });
    const demo = DEMO_USERS[0];
    const notebook = await execute({
      AWS_ENDPOINT_URL: server.url,
      DREAMOBJECTS_CLUSTER: "us-east-5",
      AWS_ACCESS_KEY_ID: demo.accessKeyId,
      AWS_SECRET_ACCESS_KEY: demo.secretAccessKey,
    }, "the US-East 5 stand-in");
    await assertExecuted(t, notebook, "the US-East 5 stand-in", US_EAST_5_MILESTONES);
    await t.step("it sets no object ACL and reads the bucket's grants", () => {
      const text = notebookText(notebook);
      assert.doesNotMatch(text, /PutObjectAcl|GetObjectAcl/);
      assert.match(text, /GetBucketAcl/);
    });
    await t.step(
      "its HTML trace names the delete marker added, then the marker and version removed",
      () => {
        const html = outputsOf(notebook).map((o) => joined(o.data?.["text/html"])).join("\n");
        const added = /<small>added delete marker (\S+)<\/small>/.exec(html)?.[1];
        assert.ok(added, "The notebook's traffic tables never name the delete marker");
        assert.ok(html.includes(`<small>removed delete marker ${added}</small>`));
        assert.match(html, /<small>removed version \S+<\/small>/);
      },
    );
    await t.step("it leaves no bucket and no version behind (a second connection)", async () => {
      assert.deepEqual(await bucketNames(server.url), []);
      const text = notebookText(notebook);
      const bucket = /demo-\d{8}-[a-z0-9]{6}/.exec(text)?.[0];
      assert.ok(bucket, "The notebook's outputs never name its bucket");
      await using s3 = await connect({
        endpoint: server.url,
        cluster: "us-east-5",
        accessKeyId: demo.accessKeyId,
        secretAccessKey: demo.secretAccessKey,
        env: { get: () => undefined },
      });
      assert.deepEqual(await listBuckets(s3), []);
      await assert.rejects(() => Array.fromAsync(listVersions(s3, bucket)), /NoSuchBucket/);
    });
  },
);
