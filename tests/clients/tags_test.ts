/**
 * rclone (the Debian package, 1.60) copies objects that carry metadata and tags: a server-side
 * copy between buckets (`rclone copyto -M`, a CopyObject) must keep the source's user metadata,
 * content type and tags, and an upload with `--metadata-set` must store that metadata; on the
 * embedded server as on Ceph RGW (when `RGW_ENDPOINT` is set, through `tests/support/engines.ts`). rclone missing is skipped with a
 * message on a developer machine and fails the run in CI (`CI=true`).
 */

import assert from "node:assert/strict";
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  PutObjectCommand,
} from "@aws-sdk/client-s3";
import { startServer } from "../../server/mod.ts";
import { engineCommand, engineTest, rgwEndpoint } from "../support/engines.ts";
import { s3Client } from "../support/server.ts";
import { DEMO_USERS } from "../../server/demo_users.ts";

const DEMO = DEMO_USERS[0];

async function rclone(endpoint: string, home: string, args: string[]) {
  const out = await engineCommand("rclone", {
    args: ["--retries", "1", "--low-level-retries", "1", ...args],
    clearEnv: true,
    env: {
      HOME: home,
      XDG_CONFIG_HOME: home,
      XDG_CACHE_HOME: home,
      RCLONE_CONFIG: `${home}/rclone.conf`,
      RCLONE_CONFIG_S3_TYPE: "s3",
      RCLONE_CONFIG_S3_PROVIDER: "Ceph",
      RCLONE_CONFIG_S3_ENV_AUTH: "false",
      RCLONE_CONFIG_S3_ACCESS_KEY_ID: DEMO.accessKeyId,
      RCLONE_CONFIG_S3_SECRET_ACCESS_KEY: DEMO.secretAccessKey,
      RCLONE_CONFIG_S3_ENDPOINT: endpoint,
      RCLONE_CONFIG_S3_REGION: "us-east-1",
      RCLONE_CONFIG_S3_FORCE_PATH_STYLE: "true",
    },
    stdout: "piped",
    stderr: "piped",
  }).output();
  // rclone's errors name the remote and the object, never the secret (no -vv here).
  assert.equal(out.code, 0, `rclone ${args[0]} failed: ${new TextDecoder().decode(out.stderr)}`);
}

/** What rclone's copies left, read back with the AWS SDK. */
async function copyWithRclone(endpoint: string) {
  const s3 = s3Client(endpoint);
  const stamp = `${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;
  const [source, target] = [`rclone-tags-src-${stamp}`, `rclone-tags-dst-${stamp}`];
  const home = await Deno.makeTempDir({ prefix: "rclone-tags-" });
  try {
    await Deno.writeTextFile(`${home}/rclone.conf`, "");
    await Deno.writeTextFile(`${home}/local.txt`, "uploaded by rclone");
    await s3.send(new CreateBucketCommand({ Bucket: source }));
    await s3.send(new CreateBucketCommand({ Bucket: target }));
    await s3.send(
      new PutObjectCommand({
        Bucket: source,
        Key: "tagged.txt",
        Body: "tagged body",
        ContentType: "text/plain",
        Metadata: { color: "blue" },
        Tagging: "project=course&stage=two",
      }),
    );
    await rclone(endpoint, home, [
      "copyto",
      "-M",
      `s3:${source}/tagged.txt`,
      `s3:${target}/copy.txt`,
    ]);
    await rclone(endpoint, home, [
      "copyto",
      "-M",
      "--metadata-set",
      "color=green",
      `${home}/local.txt`,
      `s3:${target}/up.txt`,
    ]);
    const copied = await s3.send(new HeadObjectCommand({ Bucket: target, Key: "copy.txt" }));
    const tags = await s3.send(new GetObjectTaggingCommand({ Bucket: target, Key: "copy.txt" }));
    const uploaded = await s3.send(new HeadObjectCommand({ Bucket: target, Key: "up.txt" }));
    return {
      copied: {
        contentType: copied.ContentType,
        color: copied.Metadata?.color,
        tagCount: copied.TagCount,
        tags: tags.TagSet?.map((t) => `${t.Key}=${t.Value}`),
        size: copied.ContentLength,
      },
      uploaded: { color: uploaded.Metadata?.color, size: uploaded.ContentLength },
    };
  } finally {
    for (
      const [bucket, key] of [[source, "tagged.txt"], [target, "copy.txt"], [target, "up.txt"]]
    ) {
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })).catch(() => {});
    }
    for (const bucket of [source, target]) {
      await s3.send(new DeleteBucketCommand({ Bucket: bucket })).catch(() => {});
    }
    s3.destroy();
    await Deno.remove(home, { recursive: true });
  }
}

const EXPECTED = {
  copied: {
    contentType: "text/plain",
    color: "blue",
    tagCount: 2,
    tags: ["project=course", "stage=two"],
    size: 11,
  },
  uploaded: { color: "green", size: 18 },
};

engineTest("rclone", "rclone copies objects with their metadata and tags (embedded)", async () => {
  await using server = await startServer({ port: 0, quiet: true });
  assert.deepEqual(await copyWithRclone(server.url), EXPECTED);
});

engineTest(["rclone", "rgw"], "rclone copies objects with their metadata and tags", async () => {
  assert.deepEqual(await copyWithRclone(rgwEndpoint()), EXPECTED);
});
