/**
 * s3cmd (the Debian package, 2.3) grants by e-mail address: `s3cmd setacl --acl-grant=read:ADDRESS`
 * reads the ACL, adds an `AmazonCustomerByEmail` grantee and writes it back. The user with that
 * address must then hold the grant (listed by id) and may list the bucket; an address nobody has
 * fails the command. On the embedded server and on Ceph RGW (when `RGW_ENDPOINT` is set, through `tests/support/engines.ts`). s3cmd
 * missing is skipped with a message on a developer machine and fails the run in CI (`CI=true`).
 */

import assert from "node:assert/strict";
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  GetBucketAclCommand,
  ListObjectsCommand,
} from "@aws-sdk/client-s3";
import { startServer } from "../../server/mod.ts";
import { DEMO_USERS } from "../../server/demo_users.ts";
import { engineCommand, engineTest, rgwEndpoint } from "../support/engines.ts";
import { OTHER_USER, s3Client, s3Failure } from "../support/server.ts";

const DEMO = DEMO_USERS[0];

async function grantByEmail(endpoint: string) {
  const s3 = s3Client(endpoint);
  const other = s3Client(endpoint, OTHER_USER);
  const bucket = `s3cmd-email-${Date.now().toString(36)}${
    Math.floor(Math.random() * 1296).toString(36)
  }`;
  const home = await Deno.makeTempDir({ prefix: "s3cmd-email-" });
  const host = new URL(endpoint).host;
  await Deno.writeTextFile(
    `${home}/s3cfg`,
    `[default]\nhost_base = ${host}\nhost_bucket = ${host}\nuse_https = False\n` +
      "bucket_location = us-east-1\nsignature_v2 = False\n",
  );
  const s3cmd = async (args: string[]) => {
    const out = await engineCommand("s3cmd", {
      args: ["-c", `${home}/s3cfg`, "--no-ssl", ...args],
      clearEnv: true,
      env: {
        HOME: home,
        AWS_ACCESS_KEY_ID: DEMO.accessKeyId,
        AWS_SECRET_ACCESS_KEY: DEMO.secretAccessKey,
      },
      stdout: "piped",
      stderr: "piped",
    }).output();
    return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
  };
  try {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const before = await s3Failure(other.send(new ListObjectsCommand({ Bucket: bucket })));
    const granted = await s3cmd(["setacl", "--acl-grant=read:other@example.com", `s3://${bucket}`]);
    assert.equal(granted.code, 0, `s3cmd setacl failed: ${granted.stderr}`);
    const acl = await s3.send(new GetBucketAclCommand({ Bucket: bucket }));
    const listed = await other.send(new ListObjectsCommand({ Bucket: bucket }));
    const unknown = await s3cmd([
      "setacl",
      "--acl-grant=read:nobody@example.com",
      `s3://${bucket}`,
    ]);
    return {
      before: before.status,
      grants: acl.Grants?.map((g) => `${g.Grantee?.Type}:${g.Grantee?.ID}:${g.Permission}`).sort(),
      otherLists: listed.$metadata.httpStatusCode,
      unknownFails: unknown.code !== 0 && /UnresolvableGrantByEmailAddress/.test(unknown.stderr),
    };
  } finally {
    await s3.send(new DeleteBucketCommand({ Bucket: bucket })).catch(() => {});
    s3.destroy();
    other.destroy();
    await Deno.remove(home, { recursive: true });
  }
}

const EXPECTED = {
  before: 403,
  grants: ["CanonicalUser:demo:FULL_CONTROL", "CanonicalUser:other:READ"],
  otherLists: 200,
  unknownFails: true,
};

engineTest("s3cmd", "s3cmd --acl-grant by e-mail address grants that user (embedded)", async () => {
  await using server = await startServer({ port: 0, quiet: true });
  assert.deepEqual(await grantByEmail(server.url), EXPECTED);
});

engineTest(["s3cmd", "rgw"], "s3cmd --acl-grant by e-mail address grants that user", async () => {
  assert.deepEqual(await grantByEmail(rgwEndpoint()), EXPECTED);
});
