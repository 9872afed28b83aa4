/**
 * Real clients on `--emulate us-east-5` (the DreamObjects US-East 5 stand-in): boto3 and the
 * AWS CLI v2 sign with V4 and run the US-East 5 story (create, upload, private until the BUCKET
 * is made public-read, presigned link, the object's ACL is the bucket's, cleanup); boto 2, the
 * seed's client, signs with V2 and is refused at its first request with `400 InvalidRequest`,
 * quickly, not a hang or a 500.
 *
 * A client that is not installed is skipped with a message; in CI (`CI=true`) it fails the run.
 */

import assert from "node:assert/strict";
import { ListBucketsCommand } from "@aws-sdk/client-s3";
import { DEMO_USERS, type RunningServer, startServer } from "../../server/mod.ts";
import { V2_REFUSED } from "../../server/emulation.ts";
import { type CommandEngine, engineCommand, engineTest } from "../support/engines.ts";
import { s3Client } from "../support/server.ts";

const DEMO = DEMO_USERS[0];
const REGION = "us-east-005";

/** Runs a client with only the given environment; its output, bounded in time. */
async function run(
  engine: CommandEngine,
  args: string[],
  env: Record<string, string>,
  ms = 90_000,
) {
  const started = performance.now();
  const out = await engineCommand(engine, {
    args,
    env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", LANG: "C.UTF-8", ...env },
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(ms),
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return {
    code: out.code,
    stdout: decode(out.stdout),
    stderr: decode(out.stderr),
    ms: performance.now() - started,
  };
}

/** Registers a client's test (ignored visibly when missing, failed in CI) on a fresh stand-in. */
function clientTest(
  name: string,
  engine: CommandEngine,
  fn: (server: RunningServer) => Promise<void>,
) {
  engineTest(engine, `${name} on --emulate us-east-5`, async () => {
    await using server = await startServer({ port: 0, quiet: true, emulate: "us-east-5" });
    await fn(server);
    // Whatever the client did, it left no bucket behind.
    const client = s3Client(server.url);
    try {
      const { Buckets } = await client.send(new ListBucketsCommand({}));
      assert.deepEqual(Buckets ?? [], [], "the client left a bucket behind");
    } finally {
      client.destroy();
    }
  });
}

/** Parses `STEP name status code` lines into a map. */
function steps(stdout: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of stdout.split("\n")) {
    const m = /^STEP (\S+) (.*)$/.exec(line.trim());
    if (m) out.set(m[1], m[2]);
  }
  return out;
}

const credentials = {
  S3_ACCESS_KEY_ID: DEMO.accessKeyId,
  S3_SECRET_ACCESS_KEY: DEMO.secretAccessKey,
};

const BOTO3 = `
import os, secrets, urllib.request, urllib.error
import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
s3 = boto3.session.Session(
    aws_access_key_id=os.environ["S3_ACCESS_KEY_ID"],
    aws_secret_access_key=os.environ["S3_SECRET_ACCESS_KEY"],
    region_name="${REGION}",
).client("s3", endpoint_url=os.environ["S3_ENDPOINT"], config=Config(
    signature_version="s3v4", s3={"addressing_style": "path"},
    retries={"max_attempts": 1, "mode": "standard"}))
bucket = "emu-boto3-" + secrets.token_hex(4)
url = f"{os.environ['S3_ENDPOINT']}/{bucket}/hello.txt"
def step(name, fn):
    try:
        out = fn()
        print("STEP", name, out["ResponseMetadata"]["HTTPStatusCode"], "-", flush=True)
        return out
    except ClientError as e:
        print("STEP", name, e.response["ResponseMetadata"]["HTTPStatusCode"],
              e.response["Error"]["Code"], flush=True)
def anonymous(name, target):
    try:
        with urllib.request.urlopen(target, timeout=30) as r:
            print("STEP", name, r.status, "-", flush=True)
    except urllib.error.HTTPError as e:
        print("STEP", name, e.code, "-", flush=True)
try:
    step("create_bucket", lambda: s3.create_bucket(Bucket=bucket))
    step("put_object", lambda: s3.put_object(Bucket=bucket, Key="hello.txt", Body=b"hi"))
    anonymous("anonymous_get_private", url)
    anonymous("presigned_get", s3.generate_presigned_url(
        "get_object", Params={"Bucket": bucket, "Key": "hello.txt"}, ExpiresIn=300))
    step("put_object_acl_public", lambda: s3.put_object_acl(
        Bucket=bucket, Key="hello.txt", ACL="public-read"))
    step("put_bucket_acl_public", lambda: s3.put_bucket_acl(Bucket=bucket, ACL="public-read"))
    anonymous("anonymous_get_public", url)
    acl = step("get_object_acl", lambda: s3.get_object_acl(Bucket=bucket, Key="hello.txt"))
    everyone = any(g["Grantee"].get("URI", "").endswith("AllUsers") for g in acl["Grants"])
    print("STEP object_acl_is_public", "yes" if everyone else "no", flush=True)
    deleted = step("delete_object", lambda: s3.delete_object(Bucket=bucket, Key="hello.txt"))
    print("STEP delete_left_marker", "yes" if deleted.get("DeleteMarker") else "no", flush=True)
    step("delete_bucket_with_versions", lambda: s3.delete_bucket(Bucket=bucket))
    listing = s3.list_object_versions(Bucket=bucket)
    entries = listing.get("Versions", []) + listing.get("DeleteMarkers", [])
    print("STEP versions_left", len(listing.get("Versions", [])),
          len(listing.get("DeleteMarkers", [])), flush=True)
    for v in entries:
        s3.delete_object(Bucket=bucket, Key=v["Key"], VersionId=v["VersionId"])
    step("delete_bucket", lambda: s3.delete_bucket(Bucket=bucket))
finally:
    try:
        listing = s3.list_object_versions(Bucket=bucket)
        for v in listing.get("Versions", []) + listing.get("DeleteMarkers", []):
            s3.delete_object(Bucket=bucket, Key=v["Key"], VersionId=v["VersionId"])
        s3.delete_bucket(Bucket=bucket)
    except ClientError:
        pass
`;

clientTest(
  "boto3 (V4) runs the US-East 5 story",
  "boto3",
  async (server) => {
    const out = await run("boto3", ["-c", BOTO3], { ...credentials, S3_ENDPOINT: server.url });
    assert.equal(out.code, 0, out.stderr);
    assert.deepEqual(Object.fromEntries(steps(out.stdout)), {
      create_bucket: "200 -",
      put_object: "200 -",
      anonymous_get_private: "403 -",
      presigned_get: "200 -",
      put_object_acl_public: "400 AccessControlListNotSupported",
      put_bucket_acl_public: "200 -",
      anonymous_get_public: "200 -",
      get_object_acl: "200 -",
      object_acl_is_public: "yes",
      delete_object: "204 -",
      // Deletes keep versions there: a marker, and the bucket goes only once every version has.
      delete_left_marker: "yes",
      delete_bucket_with_versions: "409 BucketNotEmpty",
      versions_left: "1 1",
      delete_bucket: "204 -",
    });
  },
);

clientTest(
  "aws cli v2 (V4) runs the US-East 5 story",
  "aws",
  async (server) => {
    const home = await Deno.makeTempDir({ prefix: "emulation-awscli-" });
    try {
      await Deno.writeTextFile(`${home}/hello.txt`, "hi");
      await Deno.writeTextFile(`${home}/config`, "[default]\ns3 =\n  addressing_style = path\n");
      const env = {
        HOME: home,
        AWS_CONFIG_FILE: `${home}/config`,
        AWS_SHARED_CREDENTIALS_FILE: `${home}/credentials`,
        AWS_ACCESS_KEY_ID: DEMO.accessKeyId,
        AWS_SECRET_ACCESS_KEY: DEMO.secretAccessKey,
        AWS_DEFAULT_REGION: REGION,
        AWS_MAX_ATTEMPTS: "1",
        AWS_PAGER: "",
        AWS_EC2_METADATA_DISABLED: "true",
      };
      const aws = (...args: string[]) => run("aws", ["--endpoint-url", server.url, ...args], env);
      const bucket = `emu-awscli-${crypto.randomUUID().slice(0, 8)}`;
      const url = `${server.url}/${bucket}/hello.txt`;
      const ok = async (...args: string[]) => {
        const out = await aws(...args);
        assert.equal(out.code, 0, `aws ${args.join(" ")}: ${out.stderr}`);
        return out.stdout;
      };
      try {
        await ok("s3", "mb", `s3://${bucket}`);
        await ok("s3", "cp", `${home}/hello.txt`, `s3://${bucket}/hello.txt`);
        let anonymous = await fetch(url);
        await anonymous.body?.cancel();
        assert.equal(anonymous.status, 403);
        const presigned = (await ok("s3", "presign", `s3://${bucket}/hello.txt`)).trim();
        const signed = await fetch(presigned);
        assert.deepEqual([signed.status, await signed.text()], [200, "hi"]);
        const refused = await aws(
          "s3api",
          "put-object-acl",
          "--bucket",
          bucket,
          "--key",
          "hello.txt",
          "--acl",
          "public-read",
        );
        assert.notEqual(refused.code, 0);
        assert.match(refused.stderr, /AccessControlListNotSupported/);
        await ok("s3api", "put-bucket-acl", "--bucket", bucket, "--acl", "public-read");
        anonymous = await fetch(url);
        assert.deepEqual([anonymous.status, await anonymous.text()], [200, "hi"]);
        const location = JSON.parse(await ok("s3api", "get-bucket-location", "--bucket", bucket));
        assert.equal(location.LocationConstraint, REGION);
        // Deletes keep versions there: `s3 rm` leaves a marker over the version.
        await ok("s3", "rm", `s3://${bucket}/hello.txt`);
        const versions = JSON.parse(await ok("s3api", "list-object-versions", "--bucket", bucket));
        assert.deepEqual(
          [versions.Versions?.length, versions.DeleteMarkers?.length],
          [1, 1],
          "the delete left the version and a marker",
        );
        const refusedRb = await aws("s3", "rb", `s3://${bucket}`);
        assert.notEqual(refusedRb.code, 0);
        assert.match(refusedRb.stderr, /BucketNotEmpty/);
      } finally {
        const listed = await aws("s3api", "list-object-versions", "--bucket", bucket);
        const left = listed.code === 0 && listed.stdout.trim() ? JSON.parse(listed.stdout) : {};
        for (const v of [...(left.Versions ?? []), ...(left.DeleteMarkers ?? [])]) {
          await aws(
            "s3api",
            "delete-object",
            "--bucket",
            bucket,
            "--key",
            v.Key,
            "--version-id",
            v.VersionId,
          );
        }
        await aws("s3", "rb", `s3://${bucket}`);
      }
    } finally {
      await Deno.remove(home, { recursive: true });
    }
  },
);

const BOTO2_SEED = `
import os, urllib.parse, boto
from boto.s3.connection import OrdinaryCallingFormat
from boto.exception import S3ResponseError
address = urllib.parse.urlsplit(os.environ["S3_ENDPOINT"])
conn = boto.connect_s3(
    aws_access_key_id=os.environ["S3_ACCESS_KEY_ID"],
    aws_secret_access_key=os.environ["S3_SECRET_ACCESS_KEY"],
    host=address.hostname, port=address.port, is_secure=False,
    calling_format=OrdinaryCallingFormat())
# demo.py's first request lists the buckets, then it creates one.
for name, call in [("list_buckets", conn.get_all_buckets),
                   ("create_bucket", lambda: conn.create_bucket("emu-boto2-seed"))]:
    try:
        call()
        print("STEP", name, "200 -", flush=True)
    except S3ResponseError as e:
        print("STEP", name, e.status, e.error_code, flush=True)
        print("MESSAGE", e.message, flush=True)
`;

clientTest(
  "boto 2 (V2, the seed's client) is refused at its first request",
  "boto2",
  async (server) => {
    const out = await run("boto2", ["-c", BOTO2_SEED], { ...credentials, S3_ENDPOINT: server.url });
    assert.equal(out.code, 0, out.stderr);
    assert.deepEqual(Object.fromEntries(steps(out.stdout)), {
      list_buckets: "400 InvalidRequest",
      create_bucket: "400 InvalidRequest",
    });
    assert.ok(out.stdout.includes(`MESSAGE ${V2_REFUSED}`), out.stdout);
    // Refused at once: boto 2 does not retry a 400 (a 500 would be retried, a hang would time out).
    assert.ok(out.ms < 30_000, `boto 2 took ${out.ms.toFixed(0)} ms`);
    console.log(
      `boto 2 refused in ${out.ms.toFixed(0)} ms (two requests, Python start-up included)`,
    );
  },
);
