/**
 * Shared helpers for the command-line client drivers (aws, rclone, s3cmd).
 *
 * A driver runs the interop scenario against the S3 endpoint named by the environment and prints
 * one line per step on stdout, the same format the Python drivers use:
 *
 *     STEP <name> <http-status> <s3-error-code or -> [<detail>]
 *
 * Environment: `S3_ENDPOINT` (e.g. `http://127.0.0.1:7480`), `S3_ACCESS_KEY_ID`,
 * `S3_SECRET_ACCESS_KEY`. Credentials reach the tools through their environment or a temp config
 * file, never the command line; nothing a tool prints in debug mode is passed on, because it holds
 * signatures.
 *
 * Anonymous requests and tampered presigned URLs are sent with `fetch`, so they depend on no S3
 * client.
 *
 * @module
 */

import { engineCommand } from "../support/engines.ts";

/** The object key every driver stores. */
export const KEY: string = Deno.env.get("S3_KEY") ?? "notes/hello world+1&2 (ü).txt";

/** The key of the object uploaded in parts. */
export const BIG_KEY = "big/multipart.bin";

/** Part size the clients are told to use, in MiB: the smallest part S3 accepts. */
export const PART_MIB = 5;

/** The bytes every driver stores and expects back. */
export const BODY = "Hello from the interop scenario.\n";

/** Where and as whom a driver connects. */
export interface Settings {
  /** Endpoint URL without trailing slash, e.g. `http://127.0.0.1:7480`. */
  endpoint: string;
  /** Access key id. */
  accessKeyId: string;
  /** Secret access key. Never printed. */
  secretAccessKey: string;
}

/**
 * Reads the endpoint and key pair from the environment.
 *
 * @returns The settings.
 * @throws {Error} When a variable is missing.
 */
export function settings(): Settings {
  const names = ["S3_ENDPOINT", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"];
  const missing = names.filter((name) => !Deno.env.get(name));
  if (missing.length > 0) {
    throw new Error(`Cannot run the driver: set ${missing.join(", ")} in the environment`);
  }
  return {
    endpoint: Deno.env.get("S3_ENDPOINT")!.replace(/\/+$/, ""),
    accessKeyId: Deno.env.get("S3_ACCESS_KEY_ID")!,
    secretAccessKey: Deno.env.get("S3_SECRET_ACCESS_KEY")!,
  };
}

/**
 * Writes two parts and a bit (11 MiB + 7 bytes) of random bytes, so a client set to
 * {@linkcode PART_MIB} uploads three parts.
 *
 * @param path Where to write.
 */
export async function writeBigFile(path: string) {
  const bytes = new Uint8Array((2 * PART_MIB + 1) * 1024 * 1024 + 7);
  for (let at = 0; at < bytes.length; at += 65536) {
    crypto.getRandomValues(bytes.subarray(at, Math.min(at + 65536, bytes.length)));
  }
  await Deno.writeFile(path, bytes);
}

/**
 * Compares two files byte for byte.
 *
 * @param a A file.
 * @param b Another file.
 * @returns `body-ok` when they hold the same bytes, else `body-differs`.
 */
export async function sameFile(a: string, b: string): Promise<string> {
  try {
    const [first, second] = await Promise.all([Deno.readFile(a), Deno.readFile(b)]);
    const same = first.length === second.length && first.every((byte, i) => byte === second[i]);
    return same ? "body-ok" : "body-differs";
  } catch {
    return "body-missing";
  }
}

/**
 * Tells whether a listing shows the scenario's key.
 *
 * @param keys Keys a client listed.
 * @returns `listed` or `missing`.
 */
export function listed(keys: string[]): string {
  return keys.includes(KEY) ? "listed" : "missing";
}

/**
 * Returns a fresh bucket name `d-<client>-<random>`.
 *
 * @param client Short client name, e.g. `rclone`.
 * @returns The bucket name.
 */
export function bucketName(client: string): string {
  const random = crypto.getRandomValues(new Uint8Array(5));
  return `d-${client}-${Array.from(random, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/**
 * Prints one machine-readable step line.
 *
 * @param name Step name.
 * @param status HTTP status the client received (0 when none could be seen).
 * @param code S3 error code, if any.
 * @param detail Extra word, e.g. `body-ok`.
 */
export function step(name: string, status: number, code?: string, detail?: string) {
  console.log(["STEP", name, String(status), code || "-", ...(detail ? [detail] : [])].join(" "));
}

/**
 * Sends one unsigned request with `fetch` and prints its step line; a 200 with an expected body
 * gets `body-ok` or `body-differs`.
 *
 * @param name Step name.
 * @param method HTTP method.
 * @param url Request URL.
 * @param expectBody The body a 200 must carry.
 * @returns The HTTP status.
 */
export async function httpStep(
  name: string,
  method: string,
  url: string,
  expectBody?: string,
): Promise<number> {
  const body = method === "PUT" ? "tampered" : undefined;
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, { method, body, redirect: "manual" });
    text = await response.text();
  } catch (error) {
    // No HTTP answer at all (connection refused or reset): status 0, and the run goes on.
    step(name, 0, error instanceof Error ? error.name : "network-error");
    return 0;
  }
  const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1];
  let detail: string | undefined;
  if (expectBody !== undefined && response.status === 200) {
    detail = text === expectBody ? "body-ok" : "body-differs";
  }
  step(name, response.status, code, detail);
  return response.status;
}

/**
 * Returns the path-style URL of an object.
 *
 * @param endpoint Endpoint URL.
 * @param bucket Bucket name.
 * @param key Object key.
 * @returns The URL.
 */
export function objectUrl(endpoint: string, bucket: string, key: string): string {
  return `${endpoint}/${bucket}/${key.split("/").map(encodeURIComponent).join("/")}`;
}

/**
 * Returns a presigned URL naming another key: its path gets one more character.
 *
 * @param url Presigned URL.
 * @returns The tampered URL.
 */
export function tamperKey(url: string): string {
  const query = url.indexOf("?");
  if (query < 0) throw new Error(`Cannot tamper with the key: "${redact(url)}" has no query`);
  return `${url.slice(0, query)}x${url.slice(query)}`;
}

/**
 * Returns a presigned URL whose expiry (`X-Amz-Expires` or SigV2 `Expires`) is 1000 s later; every
 * other byte stays as the client wrote it.
 *
 * @param url Presigned URL.
 * @returns The tampered URL.
 */
export function tamperExpiry(url: string): string {
  let count = 0;
  const changed = url.replace(/([?&](?:X-Amz-Expires|Expires)=)([0-9]+)/g, (_, name, value) => {
    count++;
    return `${name}${Number(value) + 1000}`;
  });
  if (count !== 1) {
    throw new Error(`Cannot tamper with the expiry: found ${count} expiry parameters, want 1`);
  }
  return changed;
}

/**
 * Hides the signature in a URL, for messages.
 *
 * @param url A presigned URL.
 * @returns The URL with its signature replaced by `REDACTED`.
 */
export function redact(url: string): string {
  return url.replace(/((?:X-Amz-Signature|Signature)=)[^&]*/g, "$1REDACTED");
}

/** What a tool run returned. */
export interface ToolOutput {
  /** Exit code. */
  code: number;
  /** Standard output. */
  stdout: string;
  /** Standard error (may hold signatures: never print it whole). */
  stderr: string;
}

/**
 * Runs a client with exactly the given environment (plus `PATH`), nothing inherited. The client
 * is an engine of `tests/support/engines.ts` (`aws` is Debian's `/usr/bin/aws`, v2).
 *
 * @param engine The client.
 * @param args Arguments (no secrets).
 * @param env Environment for the tool.
 * @returns Exit code and outputs.
 */
export async function runTool(
  engine: "aws" | "rclone" | "s3cmd",
  args: string[],
  env: Record<string, string>,
): Promise<ToolOutput> {
  const output = await engineCommand(engine, {
    args,
    env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", LANG: "C.UTF-8", ...env },
    clearEnv: true,
    stdin: "null",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}
