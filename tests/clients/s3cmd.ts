/**
 * Runs the interop scenario with s3cmd (path-style addressing); Signature V4 by default, V2 with
 * `S3CMD_SIGNATURE=v2` (`--signature-v2`). Presigned URLs come from `s3cmd signurl`, which always
 * signs with V2 (`AWSAccessKeyId`, `Expires`, `Signature`).
 *
 * Usage: `S3_ENDPOINT=... S3_ACCESS_KEY_ID=... S3_SECRET_ACCESS_KEY=... deno run -A s3cmd.ts`.
 * Prints one `STEP <name> <status> <code> [<detail>]` line per step (see `_driver.ts`).
 *
 * The temp config file names the endpoint only; s3cmd takes the key pair from `AWS_ACCESS_KEY_ID`
 * and `AWS_SECRET_ACCESS_KEY` when the file has none. Each command runs with `--debug` and the
 * status of a step is the response s3cmd logged to the step's request (`setacl` first GETs the
 * ACL, then PUTs an `AccessControlPolicy`). That log holds signatures and is never printed.
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
const signatureV2 = Deno.env.get("S3CMD_SIGNATURE") === "v2";
const home = await Deno.makeTempDir({ prefix: "interop-s3cmd-" });
const file = `${home}/hello.txt`;
await Deno.writeTextFile(file, BODY);
const big = `${home}/multipart.bin`;
const copy = `${home}/copy.bin`;
await writeBigFile(big);
const host = new URL(endpoint).host;
await Deno.writeTextFile(
  `${home}/s3cfg`,
  [
    "[default]",
    `host_base = ${host}`,
    // No %(bucket)s in host_bucket: path-style addressing.
    `host_bucket = ${host}`,
    `use_https = ${endpoint.startsWith("https:") ? "True" : "False"}`,
    "bucket_location = us-east-1",
    `signature_v2 = ${signatureV2 ? "True" : "False"}`,
    "",
  ].join("\n"),
);

function env(secret = secretAccessKey, keyId = accessKeyId): Record<string, string> {
  return { HOME: home, AWS_ACCESS_KEY_ID: keyId, AWS_SECRET_ACCESS_KEY: secret };
}

function s3cmd(args: string[], environment = env()): Promise<ToolOutput> {
  const flags = ["-c", `${home}/s3cfg`, "--no-ssl", ...(signatureV2 ? ["--signature-v2"] : [])];
  return runTool("s3cmd", [...flags, ...args], environment);
}

/**
 * Runs one s3cmd command and prints its step line from the last `method` response;
 * `detail` adds a word when the command succeeded.
 */
async function s3cmdStep(
  name: string,
  method: string,
  args: string[],
  options: { env?: Record<string, string>; detail?: (output: ToolOutput) => Promise<string> } = {},
) {
  const output = await s3cmd(["--debug", ...args], options.env ?? env());
  let sent = "";
  const statuses: number[] = [];
  // A request shows as its signing input (V4 "Canonical Request:", V2 "SignHeaders:") or, for
  // non-upload requests, "method_string="; its response as the dict s3cmd logs.
  const events =
    /(?:method_string='|Canonical Request:\n|SignHeaders: ')([A-Z]+)|'status': ([0-9]{3})\}/g;
  for (const [, requestMethod, status] of output.stderr.matchAll(events)) {
    if (requestMethod) sent = requestMethod;
    else if (sent === method) statuses.push(Number(status));
  }
  const code = [...output.stderr.matchAll(/S3 error: [0-9]{3} \(([A-Za-z0-9]+)\)/g)].at(-1)?.[1];
  const detail = output.code === 0 && options.detail ? await options.detail(output) : undefined;
  step(
    name,
    statuses.at(-1) ?? 0,
    code ?? (output.code === 0 ? undefined : `exit-${output.code}`),
    detail,
  );
  return statuses.at(-1) ?? 0;
}

async function signurl(bucket: string, expiry: string): Promise<string> {
  const output = await s3cmd(["signurl", `s3://${bucket}/${KEY}`, expiry]);
  const url = output.stdout.trim();
  if (output.code !== 0 || !url.startsWith("http")) {
    throw new Error(`Cannot presign with s3cmd signurl: exit ${output.code}, "${redact(url)}"`);
  }
  return url;
}

const bucket = bucketName(signatureV2 ? "s3cmd2" : "s3cmd");
const url = objectUrl(endpoint, bucket, KEY);
let bucketGone = false;
try {
  await s3cmdStep("create_bucket", "PUT", ["mb", `s3://${bucket}`]);
  await s3cmdStep("put_object", "PUT", ["put", file, `s3://${bucket}/${KEY}`]);
  await s3cmdStep("list_objects", "GET", ["ls", "--recursive", `s3://${bucket}`], {
    // Lines end with the object's URL: "<date> <time> <size> s3://<bucket>/<key>".
    detail: (output) => {
      const prefix = `s3://${bucket}/`;
      const keys = output.stdout.split("\n").filter((line) => line.includes(prefix))
        .map((line) => line.slice(line.indexOf(prefix) + prefix.length));
      return Promise.resolve(listed(keys));
    },
  });
  await s3cmdStep("put_multipart", "POST", [
    "put",
    `--multipart-chunk-size-mb=${PART_MIB}`,
    big,
    `s3://${bucket}/${BIG_KEY}`,
  ], {
    // s3cmd's debug log names each part it sends: "Uploading part 2 of '<upload id>'".
    detail: (output) => {
      const parts = new Set(output.stderr.match(/Uploading part [0-9]+ of /g) ?? []);
      return Promise.resolve(`parts-${parts.size}`);
    },
  });
  await s3cmdStep("get_multipart", "GET", ["get", "--force", `s3://${bucket}/${BIG_KEY}`, copy], {
    detail: () => sameFile(big, copy),
  });
  await s3cmdStep("delete_multipart", "DELETE", ["del", `s3://${bucket}/${BIG_KEY}`]);
  await httpStep("anonymous_get_private", "GET", url);

  const presigned = await signurl(bucket, "+300");
  await httpStep("presigned_get", "GET", presigned, BODY);
  await httpStep("presigned_tampered_key", "GET", tamperKey(presigned));
  await httpStep("presigned_tampered_method", "DELETE", presigned);
  await httpStep("presigned_tampered_expiry", "GET", tamperExpiry(presigned));
  // Signature V2 carries an absolute expiry time, so an expired URL needs no waiting.
  const expired = await signurl(bucket, String(Math.floor(Date.now() / 1000) - 60));
  await httpStep("presigned_expired", "GET", expired);

  await s3cmdStep("set_public_read", "PUT", ["setacl", "--acl-public", `s3://${bucket}/${KEY}`]);
  await httpStep("anonymous_get_public", "GET", url, BODY);
  await s3cmdStep("delete_nonempty_bucket", "DELETE", ["rb", `s3://${bucket}`]);
  await s3cmdStep("delete_object", "DELETE", ["del", `s3://${bucket}/${KEY}`]);
  bucketGone = (await s3cmdStep("delete_bucket", "DELETE", ["rb", `s3://${bucket}`])) === 204;
  await httpStep("anonymous_get_deleted_bucket", "GET", url);

  await s3cmdStep("wrong_secret", "GET", ["ls"], { env: env(`${secretAccessKey}-wrong`) });
  await s3cmdStep("unknown_access_key", "GET", ["ls"], {
    env: env(secretAccessKey, "UNKNOWNACCESSKEY"),
  });
} finally {
  // Removes what a failed run left behind; "already gone" is fine.
  if (!bucketGone) await s3cmd(["rb", "--recursive", "--force", `s3://${bucket}`]);
  await Deno.remove(home, { recursive: true });
}
