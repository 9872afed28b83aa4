/**
 * Real clients retrying a request that already succeeded: boto3's managed upload
 * (`upload_fileobj`, multipart) whose CompleteMultipartUpload answer a proxy drops once, so
 * botocore sends it again. The retry must answer the completed object, on the embedded server as
 * on Ceph RGW (when `RGW_ENDPOINT` is set, through `tests/support/engines.ts`). boto3 missing is skipped with a message on a developer
 * machine and fails the run in CI (`CI=true`).
 */

import assert from "node:assert/strict";
import { DEMO_USERS, startServer } from "../../server/mod.ts";
import { connect, createBucket, deleteBucket, deleteObject } from "../../lib/mod.ts";
import { engineCommand, engineTest, rgwEndpoint } from "../support/engines.ts";
import { startProxy } from "../support/proxy.ts";

const DEMO = DEMO_USERS[0];
const HERE = new URL(".", import.meta.url).pathname;

/** Runs the boto3 upload through a proxy in front of `port` that drops the first completion's answer. */
async function uploadThroughLossyProxy(endpoint: string) {
  const port = Number(new URL(endpoint).port);
  let completions = 0;
  const proxy = startProxy(port, {
    dropAnswerTo: (line) => /^POST \S*[?&]uploadId=/.test(line) && ++completions === 1,
  });
  const s3 = await connect({
    endpoint,
    accessKeyId: DEMO.accessKeyId,
    secretAccessKey: DEMO.secretAccessKey,
    env: { get: () => undefined },
  });
  const bucket = await createBucket(s3, { prefix: "retry-complete" });
  try {
    const out = await engineCommand("boto3", {
      args: [`${HERE}boto3_retry_driver.py`],
      env: {
        S3_ENDPOINT: `http://127.0.0.1:${proxy.port}`,
        S3_ACCESS_KEY_ID: DEMO.accessKeyId,
        S3_SECRET_ACCESS_KEY: DEMO.secretAccessKey,
        S3_BUCKET: bucket,
        S3_KEY: "six-mib.bin",
        HOME: "/nonexistent",
      },
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, `boto3 failed: ${stderr}`);
    return { result: JSON.parse(new TextDecoder().decode(out.stdout)), completions };
  } finally {
    await proxy.close();
    await deleteObject(s3, bucket, "six-mib.bin").catch(() => {});
    await deleteBucket(s3, bucket).catch(() => {});
    await s3.close();
  }
}

function checkRetried(outcome: Awaited<ReturnType<typeof uploadThroughLossyProxy>>) {
  assert.equal(outcome.completions, 2, "botocore sent CompleteMultipartUpload again");
  assert.match(outcome.result.etag, /^"[0-9a-f]{32}-2"$/, "the object is the two-part upload");
  assert.equal(outcome.result.size, 6 * 1024 * 1024);
  assert.equal(outcome.result.body_ok, true);
  assert.equal(outcome.result.open_uploads, 0);
}

engineTest(
  "boto3",
  "boto3 upload_fileobj survives a lost CompleteMultipartUpload answer (embedded)",
  async () => {
    await using server = await startServer({ port: 0, quiet: true });
    checkRetried(await uploadThroughLossyProxy(server.url));
  },
);

engineTest(
  ["boto3", "rgw"],
  "boto3 upload_fileobj survives a lost CompleteMultipartUpload answer",
  async () => {
    checkRetried(await uploadThroughLossyProxy(rgwEndpoint()));
  },
);
