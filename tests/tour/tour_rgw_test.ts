/**
 * The terminal tour, run as a user runs it (`deno task tour`), against Ceph RGW with the demo
 * user's keys, and asserted as on the embedded server: the same milestones in the same order (the
 * object delete leaving no version behind), exit 0, no secret printed, and no bucket left behind.
 *
 * @module
 */

import assert from "node:assert/strict";
import { DEMO_USERS } from "../../server/demo_users.ts";
import { rgwTest } from "../support/engines.ts";
import {
  assertNoSecrets,
  assertTourOutput,
  bucketNames,
  bucketsLeft,
  runTour,
  trafficOf,
} from "../support/tour_run.ts";

// deno-lint-ignore no-control-regex
const stripAnsi = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, "");
const SECRETS = DEMO_USERS.map((user) => user.secretAccessKey);

rgwTest("the tour runs end to end on Ceph RGW as on the embedded server", async (t, endpoint) => {
  const before = new Set(await bucketNames(endpoint));
  const demo = DEMO_USERS[0];

  const onRgw = await runTour([
    "--endpoint",
    endpoint,
    "--access-key",
    demo.accessKeyId,
    "--secret-key",
    demo.secretAccessKey,
    "--path-style",
  ]);
  console.log(`--- tour on RGW (${endpoint}) ---\n${onRgw.output}--- end of tour on RGW ---`);

  await t.step("it exits 0", () => {
    assert.equal(onRgw.code, 0, `The tour on RGW exited ${onRgw.code}:\n${onRgw.output}`);
  });
  await t.step(
    "it prints 403, 200, 200, 409 BucketNotEmpty, nothing left after the delete, 404 NoSuchBucket",
    () => {
      assertTourOutput(onRgw.output, "RGW");
      // RGW's buckets keep no versions unless asked: no delete marker, nothing removed by id.
      assert.doesNotMatch(onRgw.output, /^ {10}(version|added|removed|delete marker) /m);
    },
  );
  await t.step("it names the RGW endpoint, not the embedded server", () => {
    assert.ok(
      onRgw.output.includes(new URL(endpoint).host),
      `The tour output never mentions "${new URL(endpoint).host}": did it use the endpoint?`,
    );
  });
  await t.step("it prints no secret key and no raw signature", () => {
    assertNoSecrets(onRgw.output, SECRETS, "The tour on RGW");
  });
  await t.step("its ListBuckets shows the size of the listing RGW sent chunked, not 0 B", () => {
    const size = /→ 200 OK +↑0 B ↓(\S+ \S+|chunked) .*ListBuckets/.exec(stripAnsi(onRgw.output))
      ?.[1];
    assert.ok(size, `The tour on RGW shows no ListBuckets exchange:\n${onRgw.output}`);
    assert.match(size, /^[1-9][\d.]* (B|kB)$/, `ListBuckets shows ↓${size}`);
  });
  await t.step("it leaves no bucket behind", async () => {
    // RGW is shared with other test runs: only the tour's own "demo-" buckets are its.
    const left = await bucketsLeft(endpoint, "demo-", before);
    assert.deepEqual(left, [], `The tour left buckets on RGW: ${left.join(", ")}`);
  });
  await t.step("its HTTP exchanges and probe results are the embedded server's", async () => {
    const onEmbedded = await runTour([]);
    assert.equal(onEmbedded.code, 0, `The tour exited ${onEmbedded.code}:\n${onEmbedded.output}`);
    assertTourOutput(onEmbedded.output, "the embedded server");
    const rgwTraffic = trafficOf(onRgw.output);
    assert.ok(rgwTraffic.length >= 10, `Only ${rgwTraffic.length} exchanges found on RGW`);
    assert.deepEqual(rgwTraffic, trafficOf(onEmbedded.output));
  });
});
