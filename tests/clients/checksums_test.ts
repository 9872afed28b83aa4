/**
 * Real clients and checksums on the embedded server: boto3 and the AWS CLI v2 upload with their
 * default settings (Debian 12's botocore 1.29 and aws-cli 2.9.19 predate the January 2025 change
 * and send no x-amz-checksum-* by default, which this test records), then with each algorithm
 * they can compute (CRC32, CRC32C with awscrt, SHA1, SHA256; CRC64NVME came later), on a single
 * PUT and on a multipart upload; the checksums they read back (`ChecksumMode=ENABLED`, which
 * botocore also validates on GET) equal values computed here independently. On
 * `--emulate us-east-5`, boto3's `Tagging=` and `put_object_tagging` get B2's refusal and a
 * checksum upload succeeds.
 *
 * A client that is not installed is skipped with a message; in CI (`CI=true`) it fails the run.
 */

import assert from "node:assert/strict";
import { DEMO_USERS, type RunningServer, startServer } from "../../server/mod.ts";
import { TAGGING_REFUSED } from "../../server/emulation.ts";
import { type CommandEngine, engineCommand, engineTest } from "../support/engines.ts";
import { randomBytes } from "../support/bytes.ts";
import { type Algorithm, expectedChecksum, expectedComposite } from "../support/checksums.ts";

const DEMO = DEMO_USERS[0];
const MIB = 1024 * 1024;
/** What Debian 12's clients can compute (CRC64NVME arrived with the 2025 SDKs). */
const CLIENT_ALGORITHMS: Algorithm[] = ["CRC32", "CRC32C", "SHA1", "SHA256"];

async function run(engine: CommandEngine, args: string[], env: Record<string, string>) {
  const out = await engineCommand(engine, {
    args,
    env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", LANG: "C.UTF-8", ...env },
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(180_000),
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

/** `STEP name rest` lines as a map. */
function steps(stdout: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of stdout.split("\n")) {
    const m = /^STEP (\S+) (.*)$/.exec(line.trim());
    if (m) out.set(m[1], m[2]);
  }
  return out;
}

/** A temporary folder with a small file and a 9 MiB one (multipart at boto3's 8 MiB). */
async function files(fn: (dir: string, small: Uint8Array, big: Uint8Array) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "checksum-clients-" });
  try {
    const small = randomBytes(100_000);
    const big = randomBytes(9 * MIB);
    await Deno.writeFile(`${dir}/small.bin`, small);
    await Deno.writeFile(`${dir}/big.bin`, big);
    await Deno.writeFile(`${dir}/part1.bin`, big.subarray(0, 8 * MIB));
    await Deno.writeFile(`${dir}/part2.bin`, big.subarray(8 * MIB));
    await fn(dir, small, big);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const BOTO3 = `
import os, sys, boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError
def client():
    return boto3.session.Session(
        aws_access_key_id=os.environ["S3_ACCESS_KEY_ID"],
        aws_secret_access_key=os.environ["S3_SECRET_ACCESS_KEY"],
        region_name=os.environ["S3_REGION"],
    ).client("s3", endpoint_url=os.environ["S3_ENDPOINT"], config=Config(
        signature_version="s3v4", s3={"addressing_style": "path"},
        retries={"max_attempts": 1, "mode": "standard"}))
s3 = client()
d = os.environ["FILES"]
bucket = os.environ["BUCKET"]
small = open(d + "/small.bin", "rb").read()
eight = TransferConfig(multipart_threshold=8 * 1024 * 1024, multipart_chunksize=8 * 1024 * 1024)
def sums(key):
    head = s3.head_object(Bucket=bucket, Key=key, ChecksumMode="ENABLED")
    found = [k + "=" + head[k] for k in sorted(head) if k.startswith("Checksum") and k != "ChecksumType"]
    return " ".join(found) or "none"
def step(name, fn):
    try:
        fn()
        print("STEP", name, "200", flush=True)
    except ClientError as e:
        print("STEP", name, e.response["ResponseMetadata"]["HTTPStatusCode"],
              e.response["Error"]["Code"], e.response["Error"]["Message"], flush=True)
s3.create_bucket(Bucket=bucket)
try:
    if os.environ.get("TAGGING"):
        # A client of their own: after an answer refused from its head, botocore 1.29's next
        # request on the same connection waits out its read timeout (seen on NoSuchBucket too).
        refused = client()
        step("put_tagged", lambda: refused.put_object(
            Bucket=bucket, Key="t", Body=b"x", Tagging="a=1"))
        s3.put_object(Bucket=bucket, Key="t", Body=b"x")
        step("put_object_tagging", lambda: client().put_object_tagging(
            Bucket=bucket, Key="t", Tagging={"TagSet": [{"Key": "a", "Value": "1"}]}))
    s3.put_object(Bucket=bucket, Key="default", Body=small)
    print("STEP default_put", sums("default"), flush=True)
    s3.upload_file(d + "/big.bin", bucket, "default-big", Config=eight)
    print("STEP default_multipart", sums("default-big"), flush=True)
    for alg in os.environ["ALGORITHMS"].split(","):
        s3.put_object(Bucket=bucket, Key="one-" + alg, Body=small, ChecksumAlgorithm=alg)
        got = s3.get_object(Bucket=bucket, Key="one-" + alg, ChecksumMode="ENABLED")
        assert got["Body"].read() == small
        print("STEP put_" + alg, sums("one-" + alg), flush=True)
        s3.upload_file(d + "/big.bin", bucket, "big-" + alg, Config=eight,
                       ExtraArgs={"ChecksumAlgorithm": alg})
        print("STEP multipart_" + alg, sums("big-" + alg), flush=True)
finally:
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
        for v in page.get("Versions", []) + page.get("DeleteMarkers", []):
            s3.delete_object(Bucket=bucket, Key=v["Key"], VersionId=v["VersionId"])
    s3.delete_bucket(Bucket=bucket)
`;

function boto3Env(server: RunningServer, dir: string, region: string, extra = {}) {
  return {
    S3_ACCESS_KEY_ID: DEMO.accessKeyId,
    S3_SECRET_ACCESS_KEY: DEMO.secretAccessKey,
    S3_ENDPOINT: server.url,
    S3_REGION: region,
    FILES: dir,
    BUCKET: `sums-boto3-${crypto.randomUUID().slice(0, 8)}`,
    ALGORITHMS: CLIENT_ALGORITHMS.join(","),
    ...extra,
  };
}

/** What a client read back after uploading with `algorithm`, single PUT and multipart. */
function expectedSteps(small: Uint8Array, big: Uint8Array, partSize: number) {
  const parts = [big.subarray(0, partSize), big.subarray(partSize)];
  const out: Record<string, string> = {};
  for (const a of CLIENT_ALGORITHMS) {
    out[`put_${a}`] = `Checksum${a}=${expectedChecksum(a, small)}`;
    out[`multipart_${a}`] = `Checksum${a}=${expectedComposite(a, parts)}`;
  }
  return out;
}

engineTest(
  "boto3",
  "boto3 uploads with its default settings and with each checksum, read back",
  async () => {
    await using server = await startServer({ port: 0, quiet: true });
    await files(async (dir, small, big) => {
      const out = await run("boto3", ["-c", BOTO3], boto3Env(server, dir, "us-east-1"));
      assert.equal(out.code, 0, out.stderr);
      const got = Object.fromEntries(steps(out.stdout));
      // Debian 12's botocore 1.29 sends no checksum by default: nothing to store, nothing returned.
      assert.equal(got.default_put, "none");
      assert.equal(got.default_multipart, "none");
      delete got.default_put;
      delete got.default_multipart;
      assert.deepEqual(got, expectedSteps(small, big, 8 * MIB));
    });
  },
);

engineTest(
  "boto3",
  "boto3 on --emulate us-east-5: tagging refused in B2's words, checksums taken",
  async () => {
    await using server = await startServer({ port: 0, quiet: true, emulate: "us-east-5" });
    await files(async (dir, small, big) => {
      const env = boto3Env(server, dir, "us-east-005", {
        TAGGING: "1",
        ALGORITHMS: "CRC32,SHA256",
      });
      const out = await run("boto3", ["-c", BOTO3], env);
      assert.equal(out.code, 0, out.stderr);
      const got = Object.fromEntries(steps(out.stdout));
      assert.equal(got.put_tagged, `400 InvalidArgument ${TAGGING_REFUSED}`);
      assert.equal(got.put_object_tagging, `400 InvalidArgument ${TAGGING_REFUSED}`);
      const want = expectedSteps(small, big, 8 * MIB);
      for (const a of ["CRC32", "SHA256"]) {
        assert.equal(got[`put_${a}`], want[`put_${a}`]);
        assert.equal(got[`multipart_${a}`], want[`multipart_${a}`]);
      }
    });
  },
);

engineTest(
  "aws",
  "aws cli v2 uploads with its default settings and with each checksum, read back",
  async () => {
    await using server = await startServer({ port: 0, quiet: true });
    await files(async (dir, small, big) => {
      await Deno.writeTextFile(`${dir}/config`, "[default]\ns3 =\n  addressing_style = path\n");
      const env = {
        HOME: dir,
        AWS_CONFIG_FILE: `${dir}/config`,
        AWS_SHARED_CREDENTIALS_FILE: `${dir}/credentials`,
        AWS_ACCESS_KEY_ID: DEMO.accessKeyId,
        AWS_SECRET_ACCESS_KEY: DEMO.secretAccessKey,
        AWS_DEFAULT_REGION: "us-east-1",
        AWS_MAX_ATTEMPTS: "1",
        AWS_PAGER: "",
        AWS_EC2_METADATA_DISABLED: "true",
      };
      const bucket = `sums-awscli-${crypto.randomUUID().slice(0, 8)}`;
      const aws = async (...args: string[]) => {
        const out = await run("aws", ["--endpoint-url", server.url, ...args], env);
        assert.equal(out.code, 0, `aws ${args.join(" ")}: ${out.stderr}`);
        return out.stdout;
      };
      const sums = async (key: string) => {
        const head = JSON.parse(
          await aws(
            "s3api",
            "head-object",
            "--bucket",
            bucket,
            "--key",
            key,
            "--checksum-mode",
            "ENABLED",
          ),
        ) as Record<string, string>;
        return Object.keys(head).filter((k) => /^Checksum(?!Type)/.test(k)).map((k) =>
          `${k}=${head[k]}`
        )
          .join(" ") || "none";
      };
      await aws("s3", "mb", `s3://${bucket}`);
      try {
        // aws-cli 2.9.19 (Debian 12) sends no checksum by default either.
        await aws("s3", "cp", `${dir}/small.bin`, `s3://${bucket}/default`);
        assert.equal(await sums("default"), "none");
        await aws("s3", "cp", `${dir}/big.bin`, `s3://${bucket}/default-big`);
        assert.equal(await sums("default-big"), "none");
        const want = expectedSteps(small, big, 8 * MIB);
        for (const a of CLIENT_ALGORITHMS) {
          await aws(
            "s3api",
            "put-object",
            "--bucket",
            bucket,
            "--key",
            `one-${a}`,
            "--body",
            `${dir}/small.bin`,
            "--checksum-algorithm",
            a,
          );
          assert.equal(await sums(`one-${a}`), want[`put_${a}`]);
          // aws-cli 2.9's `s3 cp` has no --checksum-algorithm: the multipart upload by s3api.
          const key = `big-${a}`;
          const s3api = async (...args: string[]) => JSON.parse(await aws("s3api", ...args));
          const { UploadId } = await s3api(
            "create-multipart-upload",
            "--bucket",
            bucket,
            "--key",
            key,
            "--checksum-algorithm",
            a,
          );
          const parts = [];
          for (const [n, file] of [[1, "part1.bin"], [2, "part2.bin"]] as const) {
            const part = await s3api(
              "upload-part",
              "--bucket",
              bucket,
              "--key",
              key,
              "--upload-id",
              UploadId,
              "--part-number",
              String(n),
              "--body",
              `${dir}/${file}`,
              "--checksum-algorithm",
              a,
            );
            parts.push({ PartNumber: n, ETag: part.ETag, [`Checksum${a}`]: part[`Checksum${a}`] });
          }
          await s3api(
            "complete-multipart-upload",
            "--bucket",
            bucket,
            "--key",
            key,
            "--upload-id",
            UploadId,
            "--multipart-upload",
            JSON.stringify({ Parts: parts }),
          );
          assert.equal(await sums(key), want[`multipart_${a}`]);
        }
      } finally {
        await aws("s3", "rb", "--force", `s3://${bucket}`);
      }
    });
  },
);
