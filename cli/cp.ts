/**
 * `deno task cp SRC DEST`: copies a local file to `s3://bucket/key` or an object to a local file,
 * streamed (multipart above 16 MiB), with a progress bar on a terminal for transfers above a few
 * MB. Connection flags are the tour's (`--endpoint`, `--dreamobjects`, `--use-s3`, keys...).
 *
 * @example Usage
 * ```sh
 * deno task cp --endpoint http://127.0.0.1:9000 big.iso s3://my-bucket/isos/big.iso
 * deno task cp --endpoint http://127.0.0.1:9000 s3://my-bucket/isos/big.iso ./copy.iso
 * ```
 *
 * @module
 */

import { basename, posix, win32 } from "node:path";
import type { ConnectOptions } from "../lib/connect_options.ts";
import { formatBytes } from "../lib/display.ts";
import { getFileOneShot, putFileOneShot } from "../lib/one_shot.ts";
import { localPathFor, type PathRules, quoteKey } from "../lib/key_paths.ts";
import type { Progress } from "../lib/types.ts";
import { formatDuration, formatRate, ProgressBar } from "../lib/progress.ts";
import { CONNECTION_FLAGS, CONNECTION_HELP } from "./flags.ts";
import { parseCommandLine, reportError, UsageError } from "./usage.ts";
import { type S3Location, transferEnds, wholeNumber } from "./transfer_args.ts";

const HELP = `Usage: deno task cp [options] SRC DEST

Copies a local file to S3 or an S3 object to a local file, streamed, with a progress bar on a
terminal. One of SRC and DEST is s3://BUCKET/KEY; a DEST of s3://BUCKET/ keeps the file's name,
a local DEST that is a directory keeps the key's last part.

Connection (as for deno task tour; one of --dreamobjects, --use-s3, --endpoint is required):
${CONNECTION_HELP}

Transfer:
  --content-type TYPE    Content type of an upload (default: from the file's extension)
  --part-size SIZE       Multipart part size in MiB (default 8, up to 16 above 512 MiB;
                         at least 5)
  --concurrency N        Parts (upload) or byte ranges (download) in flight (default 4)
  --quiet                No progress bar and no summary line
  -h, --help             Show this help

Examples:
  deno task cp --endpoint http://127.0.0.1:9000 photo.png s3://my-bucket/
  deno task cp --dreamobjects s3://my-bucket/photo.png ./downloads/`;

const CP_FLAGS = {
  ...CONNECTION_FLAGS,
  "content-type": { type: "string" },
  "part-size": { type: "string" },
  "concurrency": { type: "string" },
  "quiet": { type: "boolean" },
  "help": { type: "boolean", short: "h" },
} as const;

/** A copy to run, as parsed from the command line. */
export interface CopyPlan {
  /** `upload` (local to S3) or `download` (S3 to local). */
  direction: "upload" | "download";
  /** The local file. */
  path: string;
  /** The S3 side. */
  remote: S3Location;
  /** Where to connect. */
  connect: ConnectOptions;
  /** Content type for an upload. */
  contentType?: string;
  /** Part size in bytes. */
  partSize?: number;
  /** Parts in flight. */
  concurrency?: number;
  /** No progress or summary. */
  quiet: boolean;
}

/**
 * Parses `cp`'s command line into a plan (without touching the file system or the network).
 *
 * @param args The arguments.
 * @returns The plan, or `"help"` when help was asked for.
 * @throws {UsageError} When the arguments do not describe one copy.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseCpArgs } from "./cp.ts";
 *
 * const plan = parseCpArgs(["--endpoint", "http://127.0.0.1:9000", "a.txt", "s3://b1/a.txt"]);
 * assert.ok(plan !== "help");
 * assert.equal(plan.direction, "upload");
 * ```
 */
export function parseCpArgs(args: string[]): CopyPlan | "help" {
  const { values, positionals } = parseCommandLine("cp", args, {
    options: CP_FLAGS,
    allowPositionals: true,
  });
  if (values.help) return "help";
  const ends = transferEnds(
    { command: "cp", verb: "copy", local: "a local file", url: "s3://BUCKET/KEY" },
    values,
    positionals,
  );
  const [source] = positionals;
  const from = ends.upload ? undefined : ends.remote;
  if (from && from.key === "") {
    throw new UsageError("cp", `Cannot download "${source}": name an object, s3://BUCKET/KEY`);
  }
  const number = (name: string, text: string | undefined, min: number) =>
    wholeNumber("cp", name, text, min);
  const partMiB = number("part-size", values["part-size"], 5);
  return {
    direction: ends.upload ? "upload" : "download",
    path: ends.local,
    remote: ends.remote,
    connect: ends.connect,
    contentType: values["content-type"],
    partSize: partMiB === undefined ? undefined : partMiB * 1024 * 1024,
    concurrency: number("concurrency", values.concurrency, 1),
    quiet: values.quiet ?? false,
  };
}

/**
 * The file a download into a folder writes: the folder joined with the key's last part, refused
 * when that part would leave the folder or is a reserved name under the path rules given
 * (`..\\..\\evil.txt`, `C:x`, `CON`, `aux.txt` under Windows' rules).
 *
 * @param dir The destination folder.
 * @param remote The object.
 * @param rules `node:path`'s `posix` or `win32`. @default the rules of this system
 * @returns The path.
 * @throws {Error} When the key's name cannot be a file in the folder; the message names it.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { posix, win32 } from "node:path";
 * import { fileInFolder } from "./cp.ts";
 *
 * assert.equal(fileInFolder("d/", { bucket: "b", key: "x/a.txt" }, posix), "d/a.txt");
 * assert.throws(() => fileInFolder("d", { bucket: "b", key: "x/aux.txt" }, win32), /reserved/);
 * ```
 */
export function fileInFolder(
  dir: string,
  remote: S3Location,
  rules: PathRules = Deno.build.os === "windows" ? win32 : posix,
): string {
  const name = remote.key.split("/").at(-1)!;
  const found = localPathFor(dir, name, rules);
  if ("problem" in found) {
    throw new Error(
      `Cannot download ${quoteKey(`s3://${remote.bucket}/${remote.key}`)} into "${dir}": ` +
        found.problem,
    );
  }
  return found.path;
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isDirectory;
  } catch {
    return false;
  }
}

/**
 * Runs one copy.
 *
 * @param plan What to copy, from {@linkcode parseCpArgs}.
 * @param signal Stops the copy: an upload is aborted on the server, a partial download removed.
 * @returns A summary line, e.g. `upload: big.bin to s3://b/big.bin (1.1 GB in 0:05, 210 MB/s)`.
 * @throws {S3RequestError} When the server refuses; file errors as `Deno.errors.*`.
 */
export async function copy(plan: CopyPlan, signal?: AbortSignal): Promise<string> {
  const remote = { ...plan.remote };
  let path = plan.path;
  if (plan.direction === "upload" && (remote.key === "" || remote.key.endsWith("/"))) {
    remote.key += basename(path);
  }
  if (plan.direction === "download" && (path.endsWith("/") || await isDirectory(path))) {
    path = fileInFolder(path, remote);
  }
  const url = `s3://${remote.bucket}/${remote.key}`;
  const bar = new ProgressBar({
    label: basename(plan.direction === "upload" ? path : remote.key),
    mode: plan.quiet ? "silent" : undefined,
  });
  const onProgress = (p: Progress) => bar.update(p);
  const started = performance.now();
  let bytes: number;
  try {
    bytes = plan.direction === "upload"
      ? await putFileOneShot(plan.connect, remote.bucket, remote.key, path, {
        contentType: plan.contentType,
        partSize: plan.partSize,
        concurrency: plan.concurrency,
        onProgress,
        signal,
      })
      : await getFileOneShot(plan.connect, remote.bucket, remote.key, path, {
        concurrency: plan.concurrency,
        onProgress,
        signal,
      });
  } catch (error) {
    bar.fail();
    throw error;
  }
  bar.done();
  const seconds = (performance.now() - started) / 1000;
  const what = plan.direction === "upload" ? `${path} to ${url}` : `${url} to ${path}`;
  return `${plan.direction}: ${what} (${formatBytes(bytes)} in ${formatDuration(seconds)}, ` +
    `${formatRate(bytes / seconds)})`;
}

/**
 * Runs the command.
 *
 * @param args Command-line arguments.
 * @returns The exit code: 0 on success, 1 when the copy failed, 2 for a usage mistake, 130 when
 *   interrupted (Ctrl-C).
 */
export async function main(args: string[]): Promise<number> {
  let plan;
  try {
    plan = parseCpArgs(args);
  } catch (error) {
    return reportError(error);
  }
  if (plan === "help") {
    console.log(HELP);
    return 0;
  }
  // Ctrl-C stops the copy cleanly (the multipart upload is aborted on the server); a second
  // Ctrl-C exits at once.
  const controller = new AbortController();
  const onInterrupt = () => {
    if (controller.signal.aborted) Deno.exit(130);
    controller.abort(new DOMException("Interrupted", "AbortError"));
  };
  Deno.addSignalListener("SIGINT", onInterrupt);
  try {
    const summary = await copy(plan, controller.signal);
    if (!plan.quiet) console.log(summary);
    return 0;
  } catch (error) {
    if (controller.signal.aborted) {
      const what = plan.direction === "upload"
        ? "the multipart upload was aborted on the server"
        : "the partial file was removed";
      console.error(`Interrupted: the copy stopped and ${what}; run the command again to retry`);
      return 130;
    }
    const [source, dest] = plan.direction === "upload"
      ? [plan.path, `s3://${plan.remote.bucket}/${plan.remote.key}`]
      : [`s3://${plan.remote.bucket}/${plan.remote.key}`, plan.path];
    // The library's errors already say what failed and why: "Cannot upload ...: 404 ...".
    return reportError(error, {
      what: `Cannot copy "${source}" to "${dest}"`,
      debug: plan.connect.debug,
    });
  } finally {
    Deno.removeSignalListener("SIGINT", onInterrupt);
  }
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
