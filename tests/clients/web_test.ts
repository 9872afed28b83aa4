/**
 * Real clients against CORS and POST Object, on the embedded server and on Ceph RGW: a CORS rule
 * set with `aws s3api put-bucket-cors` (AWS CLI v2) and read back with boto3; a form made by
 * boto3's `generate_presigned_post` uploaded with `curl -F`, then read back with the AWS SDK.
 * A missing client is skipped with a message on a developer machine and fails the run in CI.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
} from "@aws-sdk/client-s3";
import { startServer } from "../../server/mod.ts";
import { DEMO_USERS } from "../../server/demo_users.ts";
import { engineCommand, engineTest, rgwEndpoint } from "../support/engines.ts";
import { s3Client } from "../support/server.ts";

const DEMO = DEMO_USERS[0];
const decoder = new TextDecoder();

function clientEnv(home: string): Record<string, string> {
  return {
    HOME: home,
    PATH: "/usr/bin:/bin",
    AWS_ACCESS_KEY_ID: DEMO.accessKeyId,
    AWS_SECRET_ACCESS_KEY: DEMO.secretAccessKey,
    AWS_DEFAULT_REGION: "us-east-1",
    AWS_CONFIG_FILE: `${home}/config`,
    AWS_SHARED_CREDENTIALS_FILE: `${home}/credentials`,
  };
}

/** Runs Python with boto3; the script gets ENDPOINT and BUCKET in its environment. */
async function boto3(home: string, endpoint: string, bucket: string, script: string) {
  const out = await engineCommand("boto3", {
    args: ["-c", script],
    clearEnv: true,
    env: { ...clientEnv(home), ENDPOINT: endpoint, BUCKET: bucket },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, `boto3 failed: ${decoder.decode(out.stderr)}`);
  return decoder.decode(out.stdout);
}

const BOTO3_CLIENT = `
import boto3, json, os
from botocore.config import Config
s3 = boto3.client("s3", endpoint_url=os.environ["ENDPOINT"],
                  config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}))
`;

async function withBucket(endpoint: string, fn: (bucket: string, home: string) => Promise<void>) {
  const s3 = s3Client(endpoint);
  const bucket = `web-clients-${Date.now().toString(36)}${
    Math.floor(Math.random() * 1296).toString(36)
  }`;
  const home = await Deno.makeTempDir({ prefix: "web-clients-" });
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  try {
    await fn(bucket, home);
  } finally {
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: "from-curl.txt" })).catch(
      () => {},
    );
    await s3.send(new DeleteBucketCommand({ Bucket: bucket })).catch(() => {});
    s3.destroy();
    await Deno.remove(home, { recursive: true });
  }
}

async function corsWithAwsCli(endpoint: string) {
  await withBucket(endpoint, async (bucket, home) => {
    const config = {
      CORSRules: [{
        ID: "web-app",
        AllowedOrigins: ["http://localhost:5173", "http://*.app.test"],
        AllowedMethods: ["PUT", "POST", "GET"],
        AllowedHeaders: ["*"],
        ExposeHeaders: ["ETag"],
        MaxAgeSeconds: 600,
      }],
    };
    const put = await engineCommand("aws", {
      args: [
        "--endpoint-url",
        endpoint,
        "s3api",
        "put-bucket-cors",
        "--bucket",
        bucket,
        "--cors-configuration",
        JSON.stringify(config),
      ],
      clearEnv: true,
      env: clientEnv(home),
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(put.code, 0, `aws s3api put-bucket-cors failed: ${decoder.decode(put.stderr)}`);
    const read = JSON.parse(
      await boto3(
        home,
        endpoint,
        bucket,
        BOTO3_CLIENT +
          `print(json.dumps(s3.get_bucket_cors(Bucket=os.environ["BUCKET"])["CORSRules"]))`,
      ),
    );
    assert.deepEqual(read, [{
      ID: "web-app",
      AllowedMethods: ["GET", "PUT", "POST"],
      AllowedOrigins: ["http://*.app.test", "http://localhost:5173"],
      AllowedHeaders: ["*"],
      ExposeHeaders: ["ETag"],
      MaxAgeSeconds: 600,
    }]);
    const preflight = await fetch(`${endpoint}/${bucket}/photo.png`, {
      method: "OPTIONS",
      headers: { origin: "http://shop.app.test", "access-control-request-method": "PUT" },
    });
    await preflight.body?.cancel();
    assert.equal(preflight.status, 200);
  });
}

async function presignedPostWithCurl(endpoint: string) {
  await withBucket(endpoint, async (bucket, home) => {
    const post = JSON.parse(
      await boto3(
        home,
        endpoint,
        bucket,
        BOTO3_CLIENT + `print(json.dumps(s3.generate_presigned_post(os.environ["BUCKET"],
  "from-curl.txt", Fields={"Content-Type": "text/plain"},
  Conditions=[{"Content-Type": "text/plain"}, ["content-length-range", 1, 1024]], ExpiresIn=600)))`,
      ),
    ) as { url: string; fields: Record<string, string> };
    await Deno.writeTextFile(`${home}/upload.txt`, "uploaded by curl -F");
    const form = Object.entries(post.fields).flatMap(([name, value]) => ["-F", `${name}=${value}`]);
    const curl = await new Deno.Command("curl", {
      args: [
        "-sS",
        "--max-time",
        "30",
        "-o",
        "/dev/null",
        "-w",
        "%{http_code}",
        ...form,
        "-F",
        `file=@${home}/upload.txt`,
        post.url,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(decoder.decode(curl.stdout), "204", decoder.decode(curl.stderr));
    const s3 = s3Client(endpoint);
    try {
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "from-curl.txt" }));
      assert.equal(await got.Body?.transformToString(), "uploaded by curl -F");
      assert.equal(got.ContentType, "text/plain");
    } finally {
      s3.destroy();
    }
  });
}

engineTest(["aws", "boto3"], "a CORS rule set with aws s3api reads back in boto3", async () => {
  await using server = await startServer({ port: 0, quiet: true });
  await corsWithAwsCli(server.url);
});

engineTest(
  ["aws", "boto3", "rgw"],
  "a CORS rule set with aws s3api reads back in boto3 on Ceph RGW",
  () => corsWithAwsCli(rgwEndpoint()),
);

engineTest("boto3", "a boto3 presigned POST uploads with curl -F", async () => {
  await using server = await startServer({ port: 0, quiet: true });
  await presignedPostWithCurl(server.url);
});

engineTest(
  ["boto3", "rgw"],
  "a boto3 presigned POST uploads with curl -F on Ceph RGW",
  () => presignedPostWithCurl(rgwEndpoint()),
);
