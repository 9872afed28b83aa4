/**
 * The interop scenario as data: which client drivers exist, how to run one against an endpoint,
 * and what every step must answer. `tests/clients/clients_test.ts` runs it against the embedded server
 * and against Ceph RGW; the expectations were taken from RGW.
 *
 * @module
 */

/** One step of the scenario and the outcome the server must give. */
export interface ExpectedStep {
  /** Step name as the drivers print it. */
  name: string;
  /** What the step shows, as the end of a sentence starting with the client name. */
  says: string;
  /** HTTP status the client must receive. */
  status: number;
  /** S3 error code the response must carry, if an error. */
  code?: string;
  /** Extra word the driver prints, e.g. `body-ok` when the body read back is the one stored. */
  detail?: string;
}

/** A step line a driver printed. */
export interface StepResult {
  /** Step name. */
  name: string;
  /** HTTP status (0 when the driver could not see one). */
  status: number;
  /** S3 error code, if any. */
  code?: string;
  /** Extra word, if any. */
  detail?: string;
}

/** A third-party client and its driver. */
export interface Client {
  /** Name used in test names and bucket names. */
  name: string;
  /** The engine the client is (`tests/support/engines.ts` probes it and says what to install). */
  engine: CommandEngine;
  /**
   * How the driver runs: a Deno script (which starts the client through `engineCommand`), or
   * arguments for the engine itself (a Python driver for boto).
   */
  driver: { deno: string } | { engineArgs: string[] };
  /** Extra environment for the driver. */
  env?: Record<string, string>;
  /** Step names this client adds to the common scenario, after `delete_nonempty_bucket`. */
  extraSteps?: string[];
  /** Expected statuses that differ for this client, by step name, with the reason. */
  statusOverrides?: Record<string, { status: number; why: string }>;
}

import { type CommandEngine, engineCommand } from "../support/engines.ts";

/** Clients whose managed download splits a large object into ranged GETs. */
const RANGED_DOWNLOAD = {
  get_multipart: { status: 206, why: "the managed download fetches ranges of PART_SIZE" },
};

const HERE = new URL(".", import.meta.url).pathname;
const DENO_DRIVER = [
  "run",
  "--no-config",
  "--allow-net",
  "--allow-read",
  "--allow-write",
  "--allow-env",
  "--allow-run",
];

/** The clients from issue 3, each with its driver in `tests/clients/`. */
export const CLIENTS: readonly Client[] = [
  {
    name: "aws-cli",
    engine: "aws",
    driver: { deno: `${HERE}awscli.ts` },
    statusOverrides: RANGED_DOWNLOAD,
  },
  {
    name: "boto3",
    engine: "boto3",
    driver: { engineArgs: [`${HERE}boto3_driver.py`] },
    extraSteps: ["list_object_versions"],
    statusOverrides: RANGED_DOWNLOAD,
  },
  {
    name: "boto2",
    engine: "boto2",
    driver: { engineArgs: [`${HERE}boto2_driver.py`] },
  },
  {
    name: "rclone",
    engine: "rclone",
    driver: { deno: `${HERE}rclone.ts` },
  },
  {
    name: "s3cmd",
    engine: "s3cmd",
    driver: { deno: `${HERE}s3cmd.ts` },
    env: { S3CMD_SIGNATURE: "v4" },
  },
  {
    name: "s3cmd-v2",
    engine: "s3cmd",
    driver: { deno: `${HERE}s3cmd.ts` },
    env: { S3CMD_SIGNATURE: "v2" },
  },
];

const COMMON: readonly ExpectedStep[] = [
  { name: "create_bucket", says: "creates a bucket", status: 200 },
  { name: "put_object", says: "uploads a file", status: 200 },
  {
    name: "list_objects",
    says: "lists the bucket and finds the key",
    status: 200,
    detail: "listed",
  },
  {
    name: "put_multipart",
    says: "uploads an 11 MiB file as a multipart upload of three parts",
    status: 200,
    detail: "parts-3",
  },
  {
    name: "get_multipart",
    says: "downloads the multipart object byte for byte",
    status: 200,
    detail: "body-ok",
  },
  { name: "delete_multipart", says: "deletes the multipart object", status: 204 },
  {
    name: "anonymous_get_private",
    says: "leaves the object private: an anonymous GET is refused",
    status: 403,
    code: "AccessDenied",
  },
  {
    name: "presigned_get",
    says: "presigns a GET that returns the stored bytes",
    status: 200,
    detail: "body-ok",
  },
  {
    name: "presigned_tampered_key",
    says: "presigns a URL that is refused once its key is changed",
    status: 403,
    code: "SignatureDoesNotMatch",
  },
  {
    name: "presigned_tampered_method",
    says: "presigns a GET that is refused as a DELETE",
    status: 403,
    code: "SignatureDoesNotMatch",
  },
  {
    name: "presigned_tampered_expiry",
    says: "presigns a URL that is refused once its expiry is moved",
    status: 403,
    code: "SignatureDoesNotMatch",
  },
  {
    name: "presigned_expired",
    says: "presigns a URL that is refused once expired",
    status: 403,
    code: "AccessDenied",
  },
  { name: "set_public_read", says: "makes the object public-read", status: 200 },
  {
    name: "anonymous_get_public",
    says: "lets an anonymous GET read the public object",
    status: 200,
    detail: "body-ok",
  },
  {
    name: "delete_nonempty_bucket",
    says: "is refused deleting a bucket that is not empty",
    status: 409,
    code: "BucketNotEmpty",
  },
  { name: "delete_object", says: "deletes the object", status: 204 },
  { name: "delete_bucket", says: "deletes the empty bucket", status: 204 },
  {
    name: "anonymous_get_deleted_bucket",
    says: "leaves nothing behind: an anonymous GET finds no bucket",
    status: 404,
    code: "NoSuchBucket",
  },
  {
    name: "wrong_secret",
    says: "is refused when signing with a wrong secret",
    status: 403,
    code: "SignatureDoesNotMatch",
  },
  {
    name: "unknown_access_key",
    says: "is refused when signing with an unknown access key",
    status: 403,
    code: "InvalidAccessKeyId",
  },
];

const EXTRA: Record<string, ExpectedStep> = {
  list_object_versions: {
    name: "list_object_versions",
    says: "lists object versions of an unversioned bucket (cleanup code does)",
    status: 200,
  },
};

/**
 * Returns the steps a client's driver must print, in order, with their expected outcomes.
 *
 * @param client The client.
 * @returns The expected steps.
 */
export function expectedSteps(client: Client): ExpectedStep[] {
  const steps = [...COMMON];
  const at = steps.findIndex((s) => s.name === "delete_nonempty_bucket") + 1;
  steps.splice(at, 0, ...(client.extraSteps ?? []).map((name) => EXTRA[name]));
  return steps.map((s) => {
    const override = client.statusOverrides?.[s.name];
    return override ? { ...s, status: override.status } : s;
  });
}

/** What a driver run gave. */
export interface DriverRun {
  /** Step lines, in the order printed. */
  steps: StepResult[];
  /** Exit code. */
  code: number;
  /** Standard error with signatures redacted, for failure messages. */
  stderr: string;
  /** Wall-clock time of the run in milliseconds. */
  ms: number;
}

/**
 * Runs a client's driver against an endpoint as a demo user, in a clean environment whose home
 * is a temp directory (no user config is read or written).
 *
 * @param client The client.
 * @param endpoint Endpoint URL, e.g. `http://127.0.0.1:7480`.
 * @param credentials Key pair to sign with.
 * @returns The parsed step lines and the run's exit code.
 */
export async function runDriver(
  client: Client,
  endpoint: string,
  credentials: { accessKeyId: string; secretAccessKey: string },
): Promise<DriverRun> {
  const home = await Deno.makeTempDir({ prefix: `interop-${client.name}-` });
  const started = performance.now();
  try {
    const options: Deno.CommandOptions = {
      clearEnv: true,
      env: {
        PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
        HOME: home,
        BOTO_CONFIG: `${home}/boto.cfg`,
        AWS_CONFIG_FILE: `${home}/aws-config`,
        AWS_SHARED_CREDENTIALS_FILE: `${home}/aws-credentials`,
        AWS_EC2_METADATA_DISABLED: "true",
        NO_COLOR: "1",
        S3_ENDPOINT: endpoint,
        S3_ACCESS_KEY_ID: credentials.accessKeyId,
        S3_SECRET_ACCESS_KEY: credentials.secretAccessKey,
        ...client.env,
      },
      stdin: "null",
      signal: AbortSignal.timeout(180_000),
    };
    const command = "deno" in client.driver
      ? new Deno.Command(Deno.execPath(), {
        ...options,
        args: [...DENO_DRIVER, client.driver.deno],
      })
      : engineCommand(client.engine, { ...options, args: client.driver.engineArgs });
    const output = await command.output();
    const decoder = new TextDecoder();
    return {
      steps: parseSteps(decoder.decode(output.stdout)),
      code: output.code,
      stderr: redactSignatures(decoder.decode(output.stderr)).slice(-4000),
      ms: Math.round(performance.now() - started),
    };
  } finally {
    await Deno.remove(home, { recursive: true });
  }
}

/**
 * Parses `STEP <name> <status> <code or -> [<detail>]` lines; other lines are ignored.
 *
 * @param stdout A driver's standard output.
 * @returns The steps.
 */
export function parseSteps(stdout: string): StepResult[] {
  const steps: StepResult[] = [];
  for (const line of stdout.split("\n")) {
    const match = /^STEP (\S+) ([0-9]+) (\S+)(?: (\S+))?$/.exec(line.trim());
    if (!match) continue;
    const [, name, status, code, detail] = match;
    steps.push({
      name,
      status: Number(status),
      ...(code === "-" ? {} : { code }),
      ...(detail ? { detail } : {}),
    });
  }
  return steps;
}

function redactSignatures(text: string): string {
  return text
    .replace(/((?:X-Amz-Signature|Signature)=)[^&\s"']*/g, "$1REDACTED")
    .replace(/(Signature=)[0-9a-f]{64}/g, "$1REDACTED")
    .replace(/(Authorization: AWS\S* )\S+/gi, "$1REDACTED");
}
