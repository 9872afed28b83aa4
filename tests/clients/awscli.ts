/**
 * Runs the interop scenario with the AWS CLI v2 (`/usr/bin/aws`: `aws s3` and `aws s3api`,
 * Signature V4, path-style addressing).
 *
 * Usage: `S3_ENDPOINT=... S3_ACCESS_KEY_ID=... S3_SECRET_ACCESS_KEY=... deno run -A awscli.ts`.
 * Prints one `STEP <name> <status> <code> [<detail>]` line per step (see `_driver.ts`).
 *
 * The CLI prints no HTTP status, so each command runs with `--debug` and the status is read from
 * the response line urllib3 logs (`"PUT /bucket HTTP/1.1" 200`); the rest of that log holds
 * signatures and is dropped.
 *
 * @module
 */

import {
  BIG_KEY,
  BODY,
  bucketName,
  httpStep,
  KEY,
  listed,
  objectUrl,
  PART_MIB,
  redact,
  runTool,
  sameFile,
  settings,
  step,
  tamperExpiry,
  tamperKey,
  type ToolOutput,
  writeBigFile,
} from "./_driver.ts";

const { endpoint, accessKeyId, secretAccessKey } = settings();
const home = await Deno.makeTempDir({ prefix: "interop-awscli-" });
const file = `${home}/hello.txt`;
await Deno.writeTextFile(file, BODY);
const big = `${home}/multipart.bin`;
const copy = `${home}/copy.bin`;
await writeBigFile(big);
// `aws s3 cp` splits at the threshold: a multipart upload, and ranged GETs to download.
await Deno.writeTextFile(
  `${home}/config`,
  [
    "[default]",
    "s3 =",
    "  addressing_style = path",
    `  multipart_threshold = ${PART_MIB}MB`,
    `  multipart_chunksize = ${PART_MIB}MB`,
    "",
  ].join("\n"),
);

function env(secret = secretAccessKey, keyId = accessKeyId): Record<string, string> {
  return {
    HOME: home,
    AWS_CONFIG_FILE: `${home}/config`,
    AWS_SHARED_CREDENTIALS_FILE: `${home}/credentials`,
    AWS_ACCESS_KEY_ID: keyId,
    AWS_SECRET_ACCESS_KEY: secret,
    AWS_DEFAULT_REGION: "us-east-1",
    AWS_MAX_ATTEMPTS: "1",
    AWS_RETRY_MODE: "standard",
    AWS_PAGER: "",
    AWS_EC2_METADATA_DISABLED: "true",
  };
}

function aws(args: string[], environment = env()): Promise<ToolOutput> {
  return runTool("aws", ["--endpoint-url", endpoint, "--debug", ...args], environment);
}

/**
 * Runs one CLI command and prints its step line from the last `method` response it logged;
 * `detail` adds a word when the command succeeded.
 */
async function awsStep(
  name: string,
  method: string,
  args: string[],
  options: { env?: Record<string, string>; detail?: (output: ToolOutput) => Promise<string> } = {},
) {
  const output = await aws(args, options.env ?? env());
  const statuses = [...output.stderr.matchAll(/"([A-Z]+) \S+ HTTP\/1\.1" ([0-9]{3})/g)]
    .filter((match) => match[1] === method);
  const status = statuses.length > 0 ? Number(statuses.at(-1)![2]) : 0;
  // aws-cli 2.9 crashes while decorating an error whose <Message> is empty (as RGW sends it)
  // and then prints no code; the code is still in the response body it logged.
  const code = /An error occurred \(([^)]+)\)/.exec(output.stderr)?.[1] ??
    [...output.stderr.matchAll(/<Code>([^<]*)<\/Code>/g)].at(-1)?.[1];
  const detail = output.code === 0 && options.detail ? await options.detail(output) : undefined;
  step(name, status, code ?? (output.code === 0 ? undefined : `exit-${output.code}`), detail);
  return status;
}

async function presign(bucket: string, seconds: number): Promise<string> {
  const output = await aws([
    "s3",
    "presign",
    `s3://${bucket}/${KEY}`,
    "--expires-in",
    `${seconds}`,
  ]);
  const url = output.stdout.trim();
  if (output.code !== 0 || !url.startsWith("http")) {
    throw new Error(`Cannot presign with the AWS CLI: exit ${output.code}, "${redact(url)}"`);
  }
  return url;
}

const bucket = bucketName("awscli");
const url = objectUrl(endpoint, bucket, KEY);
let bucketGone = false;
try {
  await awsStep("create_bucket", "PUT", ["s3", "mb", `s3://${bucket}`]);
  await awsStep("put_object", "PUT", ["s3", "cp", file, `s3://${bucket}/${KEY}`]);
  await awsStep("list_objects", "GET", ["s3api", "list-objects-v2", "--bucket", bucket], {
    detail: (output) => {
      const listing = JSON.parse(output.stdout) as { Contents?: { Key: string }[] };
      return Promise.resolve(listed((listing.Contents ?? []).map((o) => o.Key)));
    },
  });
  await awsStep("put_multipart", "POST", ["s3", "cp", big, `s3://${bucket}/${BIG_KEY}`], {
    detail: (output) => {
      const parts = output.stderr.match(/"PUT \S+[?&]partNumber=[0-9]+\S* HTTP\/1\.1" 200/g);
      return Promise.resolve(`parts-${parts?.length ?? 0}`);
    },
  });
  await awsStep("get_multipart", "GET", ["s3", "cp", `s3://${bucket}/${BIG_KEY}`, copy], {
    detail: () => sameFile(big, copy),
  });
  await awsStep("delete_multipart", "DELETE", ["s3", "rm", `s3://${bucket}/${BIG_KEY}`]);
  await httpStep("anonymous_get_private", "GET", url);

  const presigned = await presign(bucket, 300);
  await httpStep("presigned_get", "GET", presigned, BODY);
  await httpStep("presigned_tampered_key", "GET", tamperKey(presigned));
  await httpStep("presigned_tampered_method", "DELETE", presigned);
  await httpStep("presigned_tampered_expiry", "GET", tamperExpiry(presigned));
  const short = await presign(bucket, 1);
  await new Promise((resolve) => setTimeout(resolve, 2500));
  await httpStep("presigned_expired", "GET", short);

  await awsStep("set_public_read", "PUT", [
    "s3api",
    "put-object-acl",
    "--bucket",
    bucket,
    "--key",
    KEY,
    "--acl",
    "public-read",
  ]);
  await httpStep("anonymous_get_public", "GET", url, BODY);
  await awsStep("delete_nonempty_bucket", "DELETE", ["s3api", "delete-bucket", "--bucket", bucket]);
  await awsStep("delete_object", "DELETE", ["s3", "rm", `s3://${bucket}/${KEY}`]);
  bucketGone = (await awsStep("delete_bucket", "DELETE", ["s3", "rb", `s3://${bucket}`])) === 204;
  await httpStep("anonymous_get_deleted_bucket", "GET", url);

  await awsStep("wrong_secret", "GET", ["s3api", "list-buckets"], {
    env: env(`${secretAccessKey}-wrong`),
  });
  await awsStep("unknown_access_key", "GET", ["s3api", "list-buckets"], {
    env: env(secretAccessKey, "UNKNOWNACCESSKEY"),
  });
} finally {
  // Removes what a failed run left behind; "already gone" is fine.
  if (!bucketGone) await aws(["s3", "rb", "--force", `s3://${bucket}`]);
  await Deno.remove(home, { recursive: true });
}
