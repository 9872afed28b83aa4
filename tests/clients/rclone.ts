/**
 * Runs the interop scenario with rclone (Signature V4, path-style addressing, provider Ceph).
 *
 * Usage: `S3_ENDPOINT=... S3_ACCESS_KEY_ID=... S3_SECRET_ACCESS_KEY=... deno run -A rclone.ts`.
 * Prints one `STEP <name> <status> <code> [<detail>]` line per step (see `_driver.ts`).
 *
 * The remote is defined by `RCLONE_CONFIG_S3_*` variables and an empty temp config file, so
 * nothing is read from or written to the user's home. Each command runs with `--dump headers`;
 * the status of a step is the response rclone logged for the request that does the step's work
 * (rclone may send a HEAD or a listing first). That log is never printed: rclone's `-vv` echoes
 * its settings, secret included.
 *
 * rclone cannot change the ACL of a stored object: its step "set public-read" uploads the same
 * file again with `--s3-acl public-read` (a PUT carrying `x-amz-acl: public-read`).
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
const home = await Deno.makeTempDir({ prefix: "interop-rclone-" });
const file = `${home}/hello.txt`;
await Deno.writeTextFile(file, BODY);
await Deno.writeTextFile(`${home}/rclone.conf`, "");
const big = `${home}/multipart.bin`;
const copy = `${home}/copy.bin`;
await writeBigFile(big);

function env(secret = secretAccessKey, keyId = accessKeyId): Record<string, string> {
  return {
    HOME: home,
    XDG_CONFIG_HOME: home,
    XDG_CACHE_HOME: home,
    RCLONE_CONFIG: `${home}/rclone.conf`,
    RCLONE_CONFIG_S3_TYPE: "s3",
    RCLONE_CONFIG_S3_PROVIDER: "Ceph",
    RCLONE_CONFIG_S3_ENV_AUTH: "false",
    RCLONE_CONFIG_S3_ACCESS_KEY_ID: keyId,
    RCLONE_CONFIG_S3_SECRET_ACCESS_KEY: secret,
    RCLONE_CONFIG_S3_ENDPOINT: endpoint,
    RCLONE_CONFIG_S3_REGION: "us-east-1",
    RCLONE_CONFIG_S3_FORCE_PATH_STYLE: "true",
  };
}

function rclone(args: string[], environment = env()): Promise<ToolOutput> {
  return runTool(
    "rclone",
    ["--retries", "1", "--low-level-retries", "1", "-vv", "--dump", "headers", ...args],
    environment,
  );
}

/** A request rclone logged and the status of its response. */
interface Exchange {
  method: string;
  path: string;
  status: number;
}

/** The requests rclone logged with `--dump headers`, paired with their responses, in order. */
function exchanges(log: string): Exchange[] {
  const pending = new Map<string, { method: string; path: string }>();
  const done: Exchange[] = [];
  const events =
    /HTTP (REQUEST|RESPONSE) \(req (0x[0-9a-f]+)\)\n[^\n]*? : (?:([A-Z]+) (\S+) HTTP|HTTP\/[0-9.]+ ([0-9]{3}))/g;
  for (const [, kind, id, method, path, status] of log.matchAll(events)) {
    if (kind === "REQUEST") pending.set(id, { method, path });
    else if (pending.has(id)) done.push({ ...pending.get(id)!, status: Number(status) });
  }
  return done;
}

/**
 * Runs one rclone command and prints its step line from the last `method` response;
 * `detail` adds a word when the command succeeded.
 */
async function rcloneStep(
  name: string,
  method: string,
  args: string[],
  options: {
    env?: Record<string, string>;
    detail?: (output: ToolOutput, sent: Exchange[]) => Promise<string>;
  } = {},
) {
  const output = await rclone(args, options.env ?? env());
  const sent = exchanges(output.stderr);
  const status = sent.filter((e) => e.method === method).at(-1)?.status ?? 0;
  // rclone reports S3 errors as "<Code>: <message>\n\tstatus code: <status>, ...".
  const code = [
    ...output.stderr.matchAll(/: ([A-Z][A-Za-z0-9]+): [^\n]*\n\s*status code: [0-9]{3}/g),
  ]
    .at(-1)?.[1];
  const detail = output.code === 0 && options.detail
    ? await options.detail(output, sent)
    : undefined;
  step(name, status, code ?? (output.code === 0 ? undefined : `exit-${output.code}`), detail);
  return status;
}

async function link(bucket: string, expire: string): Promise<string> {
  const output = await rclone(["link", "--expire", expire, `s3:${bucket}/${KEY}`]);
  const url = output.stdout.trim().split("\n").at(-1) ?? "";
  if (output.code !== 0 || !url.startsWith("http")) {
    throw new Error(`Cannot presign with rclone link: exit ${output.code}, "${redact(url)}"`);
  }
  return url;
}

const bucket = bucketName("rclone");
const url = objectUrl(endpoint, bucket, KEY);
let bucketGone = false;
try {
  await rcloneStep("create_bucket", "PUT", ["mkdir", `s3:${bucket}`]);
  await rcloneStep("put_object", "PUT", ["copyto", file, `s3:${bucket}/${KEY}`]);
  await rcloneStep("list_objects", "GET", ["lsf", "--recursive", "--files-only", `s3:${bucket}`], {
    detail: (output) => Promise.resolve(listed(output.stdout.split("\n"))),
  });
  const chunks = ["--s3-upload-cutoff", `${PART_MIB}M`, "--s3-chunk-size", `${PART_MIB}M`];
  await rcloneStep("put_multipart", "POST", ["copyto", ...chunks, big, `s3:${bucket}/${BIG_KEY}`], {
    detail: (_, sent) => {
      const parts = sent.filter((e) =>
        e.method === "PUT" && /[?&]partNumber=/.test(e.path) && e.status === 200
      );
      return Promise.resolve(`parts-${parts.length}`);
    },
  });
  await rcloneStep("get_multipart", "GET", ["copyto", `s3:${bucket}/${BIG_KEY}`, copy], {
    detail: () => sameFile(big, copy),
  });
  await rcloneStep("delete_multipart", "DELETE", ["deletefile", `s3:${bucket}/${BIG_KEY}`]);
  await httpStep("anonymous_get_private", "GET", url);

  const presigned = await link(bucket, "5m");
  await httpStep("presigned_get", "GET", presigned, BODY);
  await httpStep("presigned_tampered_key", "GET", tamperKey(presigned));
  await httpStep("presigned_tampered_method", "DELETE", presigned);
  await httpStep("presigned_tampered_expiry", "GET", tamperExpiry(presigned));
  const short = await link(bucket, "1s");
  await new Promise((resolve) => setTimeout(resolve, 2500));
  await httpStep("presigned_expired", "GET", short);

  // No per-object ACL command in rclone: upload again with a canned ACL (see module doc).
  await rcloneStep("set_public_read", "PUT", [
    "copyto",
    "--ignore-times",
    "--s3-acl",
    "public-read",
    file,
    `s3:${bucket}/${KEY}`,
  ]);
  await httpStep("anonymous_get_public", "GET", url, BODY);
  await rcloneStep("delete_nonempty_bucket", "DELETE", ["rmdir", `s3:${bucket}`]);
  await rcloneStep("delete_object", "DELETE", ["deletefile", `s3:${bucket}/${KEY}`]);
  bucketGone = (await rcloneStep("delete_bucket", "DELETE", ["rmdir", `s3:${bucket}`])) === 204;
  await httpStep("anonymous_get_deleted_bucket", "GET", url);

  await rcloneStep("wrong_secret", "GET", ["lsd", "s3:"], { env: env(`${secretAccessKey}-wrong`) });
  await rcloneStep("unknown_access_key", "GET", ["lsd", "s3:"], {
    env: env(secretAccessKey, "UNKNOWNACCESSKEY"),
  });
} finally {
  // Removes what a failed run left behind; "already gone" is fine.
  if (!bucketGone) await rclone(["purge", `s3:${bucket}`]);
  await Deno.remove(home, { recursive: true });
}
