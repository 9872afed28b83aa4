/**
 * Real third-party S3 clients (aws-cli v2, boto3, boto 2, rclone, s3cmd with Signature V4 and V2)
 * run the same scenario against the embedded server and against Ceph RGW: create a bucket, upload,
 * private until made public-read, presigned URLs that work until tampered with or expired, a
 * non-empty bucket that cannot be deleted, cleanup, and refused bad credentials.
 *
 * The drivers live in `tests/clients/`; each prints one `STEP` line per step and this file asserts
 * every one. Each client is an engine of `tests/support/engines.ts`: not installed, its tests are
 * ignored with a message on a developer machine and fail in CI (`CI=true`).
 */

import assert from "node:assert/strict";
import { DEMO_USERS, startServer } from "../../server/mod.ts";
import { engineTest, rgwEndpoint } from "../support/engines.ts";
import { type Client, CLIENTS, type DriverRun, expectedSteps, runDriver } from "./_scenario.ts";

const DEMO = DEMO_USERS[0];

/** Runs a client's driver and asserts every step, each as its own `t.step`. */
async function assertScenario(t: Deno.TestContext, client: Client, endpoint: string) {
  const run = await runDriver(client, endpoint, DEMO);
  console.log(`${client.name}: ${run.steps.length} steps in ${run.ms} ms`);
  for (const expected of expectedSteps(client)) {
    await t.step(`${client.name} ${expected.says}`, () => {
      const got = run.steps.find((s) => s.name === expected.name);
      assert.ok(got, `Step "${expected.name}" did not run: ${describe(run)}`);
      assert.deepEqual(
        { status: got.status, code: got.code, detail: got.detail },
        { status: expected.status, code: expected.code, detail: expected.detail },
        `Step "${expected.name}" gave a different outcome`,
      );
    });
  }
  await t.step(`${client.name} runs every step in order and exits cleanly`, () => {
    assert.deepEqual(
      run.steps.map((s) => s.name),
      expectedSteps(client).map((s) => s.name),
      `The driver printed other steps: ${describe(run)}`,
    );
    assert.equal(run.code, 0, `The driver failed: ${describe(run)}`);
  });
}

function describe(run: DriverRun): string {
  const lines = run.steps.map((s) => `${s.name} ${s.status} ${s.code ?? "-"} ${s.detail ?? ""}`);
  return `exit ${run.code}; steps:\n${lines.join("\n")}\nstderr:\n${run.stderr}`;
}

for (const client of CLIENTS) {
  const name = `${client.name} runs the public-read scenario`;
  engineTest(client.engine, `${name} on the embedded server`, async (t) => {
    await using server = await startServer({ port: 0, quiet: true });
    await assertScenario(t, client, server.url);
  });
  engineTest([client.engine, "rgw"], `${name} on Ceph RGW`, async (t) => {
    await assertScenario(t, client, rgwEndpoint());
  });
}
