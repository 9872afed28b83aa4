/**
 * The clients the benchmark compares, as command lines: the library (a child `deno run`), the AWS
 * CLI v2, boto3 and rclone. Each gets the same endpoint and keys through its environment.
 *
 * @module
 */

import { fileURLToPath } from "node:url";

/** Where the clients go. */
export interface Endpoint {
  /** Label for the report, e.g. `embedded` or `rgw`. */
  name: string;
  /** The endpoint URL. */
  url: string;
  /** Access key id. */
  accessKey: string;
  /** Secret access key. */
  secretKey: string;
}

/** A command line to run. */
export interface Command {
  /** The executable. */
  command: string;
  /** Its arguments. */
  args: string[];
  /** Environment changes (`undefined` removes a variable). */
  env: Record<string, string | undefined>;
}

/** What a small-object phase works on. */
export interface SmallJob {
  /** The bucket. */
  bucket: string;
  /** Key prefix, ending in `/`. */
  prefix: string;
  /** A directory holding the `count` files to upload (for file-based tools). */
  sourceDir: string;
  /** An empty directory to download into (for file-based tools). */
  targetDir: string;
  /** Number of objects. */
  count: number;
  /** Size of each, in bytes. */
  size: number;
  /** Requests in flight. */
  concurrency: number;
}

/** One client under test. */
export interface Client {
  /** Name in the report. */
  name: string;
  /** Uploads a file to `bucket/key`. */
  upload(to: Endpoint, bucket: string, key: string, file: string): Command;
  /** Downloads `bucket/key` to a file. */
  download(to: Endpoint, bucket: string, key: string, file: string): Command;
  /** PUTs `count` small objects under the prefix. */
  smallPut(to: Endpoint, job: SmallJob): Command;
  /** GETs them back. */
  smallGet(to: Endpoint, job: SmallJob): Command;
}

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** Permissions the library's child process needs. */
export const LIB_PERMISSIONS = [
  "--allow-net",
  "--allow-read",
  "--allow-write",
  "--allow-env",
  "--allow-sys",
];

function awsEnv(to: Endpoint): Record<string, string | undefined> {
  return {
    AWS_ACCESS_KEY_ID: to.accessKey,
    AWS_SECRET_ACCESS_KEY: to.secretKey,
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
    AWS_REGION: "us-east-1",
    AWS_DEFAULT_REGION: "us-east-1",
  };
}

/**
 * The library, run as `deno run bench/lib_client.ts` with optional V8 flags.
 *
 * @param name Name in the report.
 * @param v8Flags Extra V8 flags, e.g. `--max-semi-space-size=1`; empty for none.
 * @returns The client.
 */
export function libClient(name = "lib", v8Flags = ""): Client {
  const script = here("./lib_client.ts");
  const command = (to: Endpoint, args: string[]): Command => ({
    command: Deno.execPath(),
    args: [
      "run",
      ...LIB_PERMISSIONS,
      ...(v8Flags ? [`--v8-flags=${v8Flags}`] : []),
      script,
      ...args,
      "--endpoint",
      to.url,
    ],
    env: awsEnv(to),
  });
  const small = (action: string) => (to: Endpoint, job: SmallJob) =>
    command(to, [
      action,
      "--bucket",
      job.bucket,
      "--prefix",
      job.prefix,
      "--count",
      String(job.count),
      "--size",
      String(job.size),
      "--concurrency",
      String(job.concurrency),
    ]);
  return {
    name,
    upload: (to, bucket, key, file) =>
      command(to, ["upload", "--bucket", bucket, "--key", key, "--file", file]),
    download: (to, bucket, key, file) =>
      command(to, ["download", "--bucket", bucket, "--key", key, "--file", file]),
    smallPut: small("small-put"),
    smallGet: small("small-get"),
  };
}

/**
 * The library comparing its traffic trace on and off in one process: rounds of small PUTs and
 * GETs, alternating which mode goes first.
 *
 * @param to The endpoint.
 * @param job The small objects.
 * @param rounds Rounds (each runs both modes).
 * @returns The command; it prints `{ onMs, offMs }` as JSON.
 */
export function libTraceCommand(to: Endpoint, job: SmallJob, rounds: number): Command {
  const command = libClient().smallPut(to, job);
  command.args[command.args.indexOf("small-put")] = "trace-overhead";
  command.args.push("--rounds", String(rounds));
  return command;
}

/**
 * The AWS CLI v2 (`/usr/bin/aws s3 cp`), with its default transfer settings except
 * `max_concurrent_requests` for small objects.
 *
 * @param configFile A path the benchmark may write the CLI's config file to.
 * @returns The client.
 */
export function awsCliClient(configFile: string): Client {
  const command = (to: Endpoint, args: string[], concurrency = 10): Command => {
    Deno.writeTextFileSync(
      configFile,
      `[default]\nregion = us-east-1\ns3 =\n  max_concurrent_requests = ${concurrency}\n`,
    );
    return {
      command: "/usr/bin/aws",
      args: ["--endpoint-url", to.url, "s3", "cp", "--no-progress", "--only-show-errors", ...args],
      env: { ...awsEnv(to), AWS_CONFIG_FILE: configFile, AWS_SHARED_CREDENTIALS_FILE: "/dev/null" },
    };
  };
  return {
    name: "aws cli",
    upload: (to, bucket, key, file) => command(to, [file, `s3://${bucket}/${key}`]),
    download: (to, bucket, key, file) => command(to, [`s3://${bucket}/${key}`, file]),
    smallPut: (to, job) =>
      command(
        to,
        ["--recursive", job.sourceDir, `s3://${job.bucket}/${job.prefix}`],
        job.concurrency,
      ),
    smallGet: (to, job) =>
      command(
        to,
        ["--recursive", `s3://${job.bucket}/${job.prefix}`, job.targetDir],
        job.concurrency,
      ),
  };
}

/**
 * boto3 (`upload_file`/`download_file`; `put_object`/`get_object` on a thread pool), through
 * `bench/boto3_client.py` and Debian's `/usr/bin/python3`.
 *
 * @returns The client.
 */
export function boto3Client(): Client {
  const script = here("./boto3_client.py");
  const command = (to: Endpoint, args: string[]): Command => ({
    command: "/usr/bin/python3",
    args: [script, to.url, ...args],
    env: { ...awsEnv(to), AWS_CONFIG_FILE: "/dev/null", AWS_SHARED_CREDENTIALS_FILE: "/dev/null" },
  });
  const small = (action: string) => (to: Endpoint, job: SmallJob) =>
    command(to, [
      action,
      job.bucket,
      job.prefix,
      String(job.count),
      String(job.size),
      String(job.concurrency),
    ]);
  return {
    name: "boto3",
    upload: (to, bucket, key, file) => command(to, ["upload", bucket, key, file]),
    download: (to, bucket, key, file) => command(to, ["download", bucket, key, file]),
    smallPut: small("small-put"),
    smallGet: small("small-get"),
  };
}

/**
 * rclone (`copyto` for one file, `copy` for a directory), configured on the fly through
 * `RCLONE_S3_*` variables with its default chunk size and concurrency.
 *
 * @param configFile An empty file to use as rclone's config (so none of the user's is read).
 * @returns The client.
 */
export function rcloneClient(configFile: string): Client {
  const command = (to: Endpoint, args: string[]): Command => ({
    command: "rclone",
    args: [...args, "--s3-no-check-bucket"],
    env: {
      AWS_CA_BUNDLE: undefined,
      RCLONE_CONFIG: configFile,
      RCLONE_S3_PROVIDER: "Other",
      RCLONE_S3_ENDPOINT: to.url,
      RCLONE_S3_ACCESS_KEY_ID: to.accessKey,
      RCLONE_S3_SECRET_ACCESS_KEY: to.secretKey,
      RCLONE_S3_REGION: "us-east-1",
    },
  });
  const flags = (job: SmallJob) => [
    "--transfers",
    String(job.concurrency),
    "--checkers",
    String(job.concurrency),
  ];
  return {
    name: "rclone",
    upload: (to, bucket, key, file) => command(to, ["copyto", file, `:s3:${bucket}/${key}`]),
    download: (to, bucket, key, file) => command(to, ["copyto", `:s3:${bucket}/${key}`, file]),
    smallPut: (to, job) =>
      command(to, ["copy", job.sourceDir, `:s3:${job.bucket}/${job.prefix}`, ...flags(job)]),
    smallGet: (to, job) =>
      command(to, ["copy", `:s3:${job.bucket}/${job.prefix}`, job.targetDir, ...flags(job)]),
  };
}
