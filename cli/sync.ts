/**
 * `deno task sync SRC DEST`: makes a bucket prefix hold what a local folder holds, or a folder
 * what a prefix holds, sending only what differs (`lib/sync.ts`), with a progress bar for the
 * whole set on a terminal. Connection flags are the tour's and cp's.
 *
 * Exit codes: 0 every file synced (or nothing to do), 1 some files failed (each named on
 * stderr) or the sync could not start, 2 a usage mistake, 130 interrupted (Ctrl-C).
 *
 * @example Usage
 * ```sh
 * deno task sync --endpoint http://127.0.0.1:9000 ./photos s3://my-bucket/photos
 * deno task sync --endpoint http://127.0.0.1:9000 --delete s3://my-bucket/photos ./restored
 * ```
 *
 * @module
 */

import { connect, type ConnectOptions } from "../lib/connect.ts";
import { formatBytes } from "../lib/display.ts";
import { formatDuration, formatRate, renderProgressLine } from "../lib/progress.ts";
import {
  syncDown,
  type SyncOptions,
  type SyncProgress,
  type SyncSummary,
  syncUp,
} from "../lib/sync.ts";
import { keyFilter } from "../lib/key_filter.ts";
import { type S3Location, transferEnds, wholeNumber } from "./transfer_args.ts";
import { CONNECTION_FLAGS, CONNECTION_HELP } from "./flags.ts";
import { parseCommandLine, reportError, UsageError } from "./usage.ts";

const HELP = `Usage: deno task sync [options] SRC DEST

Makes DEST hold what SRC holds, sending only the files that are missing or differ (by size and
MD5/ETag). One of SRC and DEST is a local folder, the other s3://BUCKET/PREFIX (a folder in the
bucket; s3://BUCKET for the whole bucket). Nothing is deleted unless --delete is given.

Connection (as for deno task tour; one of --dreamobjects, --use-s3, --endpoint is required):
${CONNECTION_HELP}

Sync:
  --delete               Also delete what DEST holds and SRC does not
  --dry-run              Print what would be copied or deleted; change nothing
  --exclude GLOB         Leave out keys matching GLOB (repeatable); "*" stops at "/", "**"
                         does not; a GLOB without "/" matches file names anywhere ("*.tmp")
  --include GLOB         Sync only keys matching GLOB (repeatable); --exclude wins
  --concurrency N        Files in flight (default 16; a multipart transfer counts as 4)
  --quiet                No progress bar and no summary line (failures are still printed)
  -h, --help             Show this help

Exit codes: 0 all synced, 1 some files failed (each is named) or the sync could not start,
2 a usage mistake, 130 interrupted by Ctrl-C (transfers in flight are aborted: no partial
object or file is left; run the same command again to finish).

Examples:
  deno task sync --endpoint http://127.0.0.1:9000 ./photos s3://my-bucket/photos
  deno task sync --dreamobjects --delete --exclude '*.tmp' ./site s3://my-site
  deno task sync --dreamobjects s3://my-bucket/photos ./restored`;

const SYNC_FLAGS = {
  ...CONNECTION_FLAGS,
  "delete": { type: "boolean" },
  "dry-run": { type: "boolean" },
  "exclude": { type: "string", multiple: true },
  "include": { type: "string", multiple: true },
  "concurrency": { type: "string" },
  "quiet": { type: "boolean" },
  "help": { type: "boolean", short: "h" },
} as const;

/** A sync to run, as parsed from the command line. */
export interface SyncPlan {
  /** `up` (folder to S3) or `down` (S3 to folder). */
  direction: "up" | "down";
  /** The local folder. */
  dir: string;
  /** The S3 side; its key is the prefix. */
  remote: S3Location;
  /** Where to connect. */
  connect: ConnectOptions;
  /** Delete, dry run, filters, concurrency. */
  options: Pick<SyncOptions, "delete" | "dryRun" | "include" | "exclude" | "concurrency">;
  /** No progress or summary. */
  quiet: boolean;
}

/**
 * Parses `sync`'s command line into a plan (without touching the file system or the network).
 *
 * @param args The arguments.
 * @returns The plan, or `"help"` when help was asked for.
 * @throws {UsageError} When the arguments do not describe one sync.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSyncArgs } from "./sync.ts";
 *
 * const plan = parseSyncArgs(["--endpoint", "http://127.0.0.1:9000", "./photos", "s3://b1/p"]);
 * assert.ok(plan !== "help" && plan.direction === "up" && plan.remote.key === "p");
 * ```
 */
export function parseSyncArgs(args: string[]): SyncPlan | "help" {
  const { values, positionals } = parseCommandLine("sync", args, {
    options: SYNC_FLAGS,
    allowPositionals: true,
  });
  if (values.help) return "help";
  const ends = transferEnds(
    { command: "sync", verb: "sync", local: "a folder", url: "s3://BUCKET/PREFIX" },
    values,
    positionals,
  );
  const concurrency = wholeNumber("sync", "concurrency", values.concurrency, 1);
  const include = values.include ?? [];
  const exclude = values.exclude ?? [];
  try {
    keyFilter(include, exclude);
  } catch (error) {
    throw new UsageError("sync", (error as Error).message);
  }
  return {
    direction: ends.upload ? "up" : "down",
    dir: ends.local,
    remote: ends.remote,
    connect: ends.connect,
    options: { delete: values.delete, dryRun: values["dry-run"], include, exclude, concurrency },
    quiet: values.quiet ?? false,
  };
}

/** A one-line progress display for the whole set, redrawn at most ten times a second. */
function progressLine(enabled: boolean) {
  const write = (text: string) => {
    const bytes = new TextEncoder().encode(text);
    let offset = 0;
    while (offset < bytes.length) offset += Deno.stderr.writeSync(bytes.subarray(offset));
  };
  const started = performance.now();
  let last = -Infinity;
  let shown = false;
  const draw = (p: SyncProgress, finished: boolean) => {
    const elapsed = (performance.now() - started) / 1000;
    const rate = elapsed > 0 ? p.bytes / elapsed : undefined;
    const total = p.complete ? p.bytesTotal : undefined;
    const left = total === undefined || !rate ? undefined : Math.max(0, total - p.bytes) / rate;
    const label = `${p.files}/${p.filesTotal}${p.complete ? "" : "+"} files, ${p.skipped} same`;
    let width = 80;
    try {
      const columns = Deno.consoleSize().columns;
      if (columns >= 20) width = Math.min(100, columns);
    } catch {
      // no size known
    }
    const line = renderProgressLine(
      { loaded: p.bytes, total, rate, elapsed, eta: left },
      { label, width, finished },
    );
    write(`\r${line}\x1b[K${finished ? "\n" : ""}`);
    shown = true;
  };
  let latest: SyncProgress | undefined;
  return {
    update(p: SyncProgress) {
      latest = p;
      if (!enabled) return;
      const now = performance.now();
      if (now - last < 100) return;
      last = now;
      draw(p, false);
    },
    end(finished: boolean) {
      if (!enabled) return;
      if (finished && latest) draw(latest, true);
      else if (shown) write("\n");
    },
  };
}

function isTerminal(): boolean {
  try {
    return Deno.stderr.isTerminal();
  } catch {
    return false;
  }
}

/**
 * Runs one sync, printing each failure (and, in a dry run, each action) as it happens.
 *
 * @param plan What to sync, from {@linkcode parseSyncArgs}.
 * @param signal Stops the sync: transfers in flight are aborted, nothing partial is left.
 * @returns The summary.
 * @throws {S3RequestError} When the bucket cannot be listed; file errors as `Deno.errors.*`.
 */
export async function runSync(plan: SyncPlan, signal?: AbortSignal): Promise<SyncSummary> {
  await using s3 = await connect({ ...plan.connect, trace: false });
  const bar = progressLine(!plan.quiet && isTerminal());
  const options: SyncOptions = {
    ...plan.options,
    signal,
    onProgress: (p) => bar.update(p),
    onFile: (event) => {
      if (event.action === "fail") {
        bar.end(false);
        console.error(event.error!.message.split("\n")[0]);
      } else if (plan.options.dryRun) {
        const what = event.action === "copy"
          ? (plan.direction === "up" ? "upload" : "download")
          : "delete";
        console.log(`(dry run) ${what}: ${event.key}`);
      }
    },
  };
  try {
    const summary = plan.direction === "up"
      ? await syncUp(s3, plan.dir, plan.remote.bucket, plan.remote.key, options)
      : await syncDown(s3, plan.remote.bucket, plan.remote.key, plan.dir, options);
    bar.end(true);
    return summary;
  } catch (error) {
    bar.end(false);
    throw error;
  }
}

/**
 * The summary line: what was done, how much, how fast.
 *
 * @param summary From {@linkcode runSync}.
 * @returns E.g. `sync: 12 copied, 988 the same, 0 deleted, 0 failed (48.0 kB in 0:01, 40 kB/s)`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { summaryLine } from "./sync.ts";
 *
 * const line = summaryLine({ copied: 1, skipped: 2, deleted: 0, failed: [], bytes: 5, ms: 1000, dryRun: false });
 * assert.match(line, /^sync: 1 copied, 2 the same, 0 deleted, 0 failed \(5 B in 0:01/);
 * ```
 */
export function summaryLine(summary: SyncSummary): string {
  const seconds = summary.ms / 1000;
  const head = summary.dryRun ? "sync (dry run, nothing changed): would copy" : "sync:";
  const copied = summary.dryRun ? `${summary.copied}` : `${summary.copied} copied`;
  const deleted = summary.dryRun ? `delete ${summary.deleted}` : `${summary.deleted} deleted`;
  return `${head} ${copied}, ${summary.skipped} the same, ${deleted}, ` +
    `${summary.failed.length} failed (${formatBytes(summary.bytes)} in ${
      formatDuration(seconds)
    }, ${formatRate(seconds > 0 ? summary.bytes / seconds : undefined)})`;
}

/**
 * Runs the command.
 *
 * @param args Command-line arguments.
 * @returns The exit code: 0 all synced, 1 some files failed or the sync could not start, 2 a
 *   usage mistake, 130 interrupted (Ctrl-C).
 */
export async function main(args: string[]): Promise<number> {
  let plan;
  try {
    plan = parseSyncArgs(args);
  } catch (error) {
    return reportError(error);
  }
  if (plan === "help") {
    console.log(HELP);
    return 0;
  }
  // Ctrl-C stops the sync cleanly (multipart uploads aborted, partial downloads removed); a
  // second Ctrl-C exits at once.
  const controller = new AbortController();
  const onInterrupt = () => {
    if (controller.signal.aborted) Deno.exit(130);
    controller.abort(new DOMException("Interrupted", "AbortError"));
  };
  Deno.addSignalListener("SIGINT", onInterrupt);
  const [source, dest] = plan.direction === "up"
    ? [plan.dir, `s3://${plan.remote.bucket}/${plan.remote.key}`]
    : [`s3://${plan.remote.bucket}/${plan.remote.key}`, plan.dir];
  try {
    const summary = await runSync(plan, controller.signal);
    if (!plan.quiet || summary.failed.length > 0) console.log(summaryLine(summary));
    if (summary.failed.length > 0) {
      console.error(
        `Cannot sync "${source}" to "${dest}": ${summary.failed.length} file(s) failed ` +
          "(named above); run the same command again to retry them",
      );
      return 1;
    }
    return 0;
  } catch (error) {
    if (controller.signal.aborted) {
      console.error(
        "Interrupted: the sync stopped, transfers in flight were aborted and no partial object " +
          "or file was left; run the same command again to finish",
      );
      return 130;
    }
    return reportError(error, {
      what: `Cannot sync "${source}" to "${dest}"`,
      debug: plan.connect.debug,
    });
  } finally {
    Deno.removeSignalListener("SIGINT", onInterrupt);
  }
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
