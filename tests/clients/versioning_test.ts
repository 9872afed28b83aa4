/**
 * Real clients use versioning on the embedded server: boto3's `bucket.object_versions` (listing
 * page by page, `.head()`, `.delete()` of every version and marker) and aws-cli v2's
 * `s3api list-object-versions` and `get-object --version-id`. A client that is not installed is
 * skipped with a message on a developer machine and fails the run in CI (`CI=true`), through
 * `tests/support/engines.ts`.
 */

import assert from "node:assert/strict";
import { DEMO_USERS, startServer } from "../../server/mod.ts";
import {
  connect,
  createBucket,
  deleteBucket,
  deleteObject,
  listVersions,
  putObject,
  setVersioning,
} from "../../lib/mod.ts";
import { type CommandEngine, engineCommand, engineTest } from "../support/engines.ts";

const DEMO = DEMO_USERS[0];
const HERE = new URL(".", import.meta.url).pathname;

/** Starts a server with a versioned bucket holding three versions of a key and a marker. */
async function versionedBucket() {
  const server = await startServer({ port: 0, quiet: true });
  const s3 = await connect({
    endpoint: server.url,
    accessKeyId: DEMO.accessKeyId,
    secretAccessKey: DEMO.secretAccessKey,
    env: { get: () => undefined },
  });
  const bucket = await createBucket(s3, { prefix: "clients-versions" });
  await setVersioning(s3, bucket, true);
  const ids: string[] = [];
  for (const n of ["one", "two", "three"]) {
    ids.push(
      (await putObject(s3, bucket, "doc.txt", `body ${n}`, { metadata: { note: n } }))
        .versionId!,
    );
  }
  const marker = (await deleteObject(s3, bucket, "doc.txt")).versionId!;
  ids.push((await putObject(s3, bucket, "z.txt", "z")).versionId!);
  return {
    server,
    s3,
    bucket,
    ids,
    marker,
    async [Symbol.asyncDispose]() {
      await s3.close();
      await server.close();
    },
  };
}

function run(engine: CommandEngine, args: string[], env: Record<string, string>) {
  return engineCommand(engine, { args, env, clearEnv: true, stdout: "piped", stderr: "piped" })
    .output();
}

engineTest(
  "boto3",
  "boto3 lists bucket.object_versions page by page and deletes them all (embedded)",
  async () => {
    await using fixture = await versionedBucket();
    const { server, s3, bucket, ids, marker } = fixture;
    const out = await run("boto3", [`${HERE}boto3_versions_driver.py`], {
      S3_ENDPOINT: server.url,
      S3_ACCESS_KEY_ID: DEMO.accessKeyId,
      S3_SECRET_ACCESS_KEY: DEMO.secretAccessKey,
      S3_BUCKET: bucket,
      HOME: "/nonexistent",
    });
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, `boto3 failed: ${stderr}`);
    const result = JSON.parse(new TextDecoder().decode(out.stdout));
    // boto3 yields each page's versions before its markers: compare as a set, then the order
    // of the versions.
    const byId = (a: { id: string }, b: { id: string }) => a.id < b.id ? -1 : 1;
    assert.deepEqual(
      [...result.listed].sort(byId),
      [
        { key: "doc.txt", id: marker, latest: true, marker: true, note: null },
        { key: "doc.txt", id: ids[2], latest: false, marker: false, note: "three" },
        { key: "doc.txt", id: ids[1], latest: false, marker: false, note: "two" },
        { key: "doc.txt", id: ids[0], latest: false, marker: false, note: "one" },
        { key: "z.txt", id: ids[3], latest: true, marker: false, note: null },
      ].sort(byId),
    );
    assert.deepEqual(
      result.listed.filter((v: { marker: boolean }) => !v.marker).map((v: { id: string }) => v.id),
      [ids[2], ids[1], ids[0], ids[3]],
    );
    assert.equal(result.oldest_body, "body one");
    assert.deepEqual(result.left, []);
    const left = [];
    for await (const v of listVersions(s3, bucket)) left.push(v);
    assert.deepEqual(left, [], "the server holds no version or marker any more");
    await deleteBucket(s3, bucket);
  },
);

engineTest(
  "aws",
  "aws s3api list-object-versions and get-object --version-id (embedded)",
  async () => {
    await using fixture = await versionedBucket();
    const { server, bucket, ids, marker } = fixture;
    const home = await Deno.makeTempDir({ prefix: "versions-awscli-" });
    try {
      const env = {
        HOME: home,
        AWS_CONFIG_FILE: `${home}/config`,
        AWS_SHARED_CREDENTIALS_FILE: `${home}/credentials`,
        AWS_ACCESS_KEY_ID: DEMO.accessKeyId,
        AWS_SECRET_ACCESS_KEY: DEMO.secretAccessKey,
        AWS_DEFAULT_REGION: "us-east-1",
        AWS_MAX_ATTEMPTS: "1",
        AWS_PAGER: "",
        AWS_EC2_METADATA_DISABLED: "true",
      };
      const aws = (args: string[]) =>
        run("aws", ["--endpoint-url", server.url, "--output", "json", ...args], env);
      // --page-size 2: the CLI pages with NextKeyMarker and NextVersionIdMarker itself.
      const listed = await aws([
        "s3api",
        "list-object-versions",
        "--bucket",
        bucket,
        "--page-size",
        "2",
      ]);
      assert.equal(listed.code, 0, new TextDecoder().decode(listed.stderr));
      const listing = JSON.parse(new TextDecoder().decode(listed.stdout));
      assert.deepEqual(
        listing.Versions.map((v: { Key: string; VersionId: string; IsLatest: boolean }) => [
          v.Key,
          v.VersionId,
          v.IsLatest,
        ]),
        [
          ["doc.txt", ids[2], false],
          ["doc.txt", ids[1], false],
          ["doc.txt", ids[0], false],
          ["z.txt", ids[3], true],
        ],
      );
      assert.deepEqual(
        listing.DeleteMarkers.map((m: { Key: string; VersionId: string; IsLatest: boolean }) => [
          m.Key,
          m.VersionId,
          m.IsLatest,
        ]),
        [["doc.txt", marker, true]],
      );
      const file = `${home}/old.txt`;
      const got = await aws([
        "s3api",
        "get-object",
        "--bucket",
        bucket,
        "--key",
        "doc.txt",
        "--version-id",
        ids[0],
        file,
      ]);
      assert.equal(got.code, 0, new TextDecoder().decode(got.stderr));
      const head = JSON.parse(new TextDecoder().decode(got.stdout));
      assert.equal(head.VersionId, ids[0]);
      assert.deepEqual(head.Metadata, { note: "one" });
      assert.equal(await Deno.readTextFile(file), "body one");
      // The current version is a delete marker: the CLI reports the 404.
      const current = await aws([
        "s3api",
        "get-object",
        "--bucket",
        bucket,
        "--key",
        "doc.txt",
        `${home}/current.txt`,
      ]);
      assert.notEqual(current.code, 0);
      assert.match(new TextDecoder().decode(current.stderr), /NoSuchKey|404|Not Found/);
    } finally {
      await Deno.remove(home, { recursive: true });
    }
  },
);
