/**
 * `deno task tour [CHAPTER]`: a chapter of the course in a terminal (the getting-started tour
 * without a name). It runs the chapter's cells (`course/NN_name.ts`, the code its notebook holds)
 * as one module (`chapter_module.ts`) and prints each step, its code, its result and its HTTP
 * traffic. Every bucket any connection of the
 * chapter created is deleted at the end (all versions and unfinished uploads included), also
 * after a failure or Ctrl-C.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import {
  Connection,
  type ConnectOptions,
  deleteBucket,
  emptyBucket,
  type Emulation,
} from "../lib/mod.ts";
import { EMULATIONS } from "../lib/connect_options.ts";
import { toS3RequestError } from "../lib/errors.ts";
import { paint, toView, useColor } from "../lib/display.ts";
import { chapterModule, runChapterModule } from "./chapter_module.ts";
import { cellHooks } from "./cell_hooks.ts";
import { fitView, foldLine, markdownToText, terminalWidth } from "./terminal.ts";
import { forReader } from "./percent.ts";
import { type Chapter, chapterNamed, CHAPTERS, DEFAULT_CHAPTER, sourcePath } from "./chapters.ts";
import { CONNECTION_FLAGS, CONNECTION_HELP, connectOptionsFrom } from "../cli/flags.ts";
import { parseCommandLine, reportError, UsageError } from "../cli/usage.ts";

/** The chapters for `--help`: the name to pass, then the title. */
function chapterLines(): string {
  const width = Math.max(...CHAPTERS.map((c) => c.name.length)) + 2;
  return CHAPTERS.map((c) => `  ${c.name.padEnd(width)}${c.title}`).join("\n");
}

const HELP = `Usage: deno task tour [CHAPTER] [options]

Runs one chapter of the course in the terminal: each step's prose, its code (the cells of the
chapter's notebook, course/NN_name.ts) and what the code printed, its HTTP traffic included.
Without CHAPTER, the first. Without --endpoint, --dreamobjects or --use-s3 it runs on the embedded
S3 server, started in-process. Whatever the chapter creates is deleted at the end (every version
and unfinished upload included), also when a step fails or on Ctrl-C.

Chapters:
${chapterLines()}

Options (for every chapter):
${CONNECTION_HELP}
  --emulate NAME         Embedded server behaving like rgw (Ceph RGW, default) or us-east-5
                         (DreamObjects US-East 5's rules, offline)
  --step                 Wait for Enter before each step
  --keep                 Skip the deleting steps and leave what the chapter made on the service
                         (the embedded server keeps nothing after the tour: use --endpoint)
  --list                 List the chapters, one per line: the CHAPTER to pass, then its title
  -h, --help             Show this help

The keys come from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or a --profile), so they stay
out of your shell history. COLUMNS sets the width the text is fitted to; NO_COLOR turns colours
off.

Examples:
  deno task tour
  deno task tour signing --emulate us-east-5
  AWS_ACCESS_KEY_ID=… AWS_SECRET_ACCESS_KEY=… deno task tour --dreamobjects
  deno task tour versions --dreamobjects --cluster us-east-1 --step
  deno task tour --endpoint http://127.0.0.1:7480 --keep`;

const FLAGS = {
  ...CONNECTION_FLAGS,
  "emulate": { type: "string" },
  "step": { type: "boolean" },
  "keep": { type: "boolean" },
  "list": { type: "boolean" },
  "help": { type: "boolean", short: "h" },
} as const;

/** The tour's settings, from its command line. */
export interface TourArgs {
  /** The chapter to run. */
  chapter: Chapter;
  /** List the chapters and exit. */
  list: boolean;
  /** Where to connect. */
  connect: ConnectOptions;
  /** Wait for Enter before each step. */
  step: boolean;
  /** Keep the bucket. */
  keep: boolean;
  /** Print stack traces. */
  debug: boolean;
  /** Show help and exit. */
  help: boolean;
}

/**
 * Parses the tour's command line.
 *
 * @param args The arguments, e.g. `Deno.args`.
 * @returns The settings.
 * @throws {UsageError} For an unknown option or a missing value, with a one-line message.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseTourArgs } from "./main.ts";
 *
 * assert.equal(
 *   parseTourArgs(["--endpoint", "http://127.0.0.1:7480"]).connect.endpoint,
 *   "http://127.0.0.1:7480",
 * );
 * ```
 */
export function parseTourArgs(args: string[]): TourArgs {
  const { values, positionals } = parseCommandLine("tour", args, {
    options: FLAGS,
    allowPositionals: true,
  });
  if (positionals.length > 1) {
    throw new UsageError("tour", `Give one chapter, got ${positionals.length}: ${positionals}`);
  }
  let chapter: Chapter;
  try {
    chapter = chapterNamed(positionals[0] ?? DEFAULT_CHAPTER);
  } catch (error) {
    throw new UsageError("tour", (error as Error).message);
  }
  let connect: ConnectOptions;
  try {
    connect = connectOptionsFrom(values);
  } catch (error) {
    throw new UsageError("tour", (error as Error).message);
  }
  const emulate = values.emulate;
  if (emulate !== undefined) {
    if (!(EMULATIONS as readonly string[]).includes(emulate)) {
      throw new UsageError(
        "tour",
        `Unknown --emulate "${emulate}": use ${EMULATIONS.join(" or ")}`,
      );
    }
    connect.emulate = emulate as Emulation;
  }
  return {
    chapter,
    list: values.list ?? false,
    connect,
    step: values.step ?? false,
    keep: values.keep ?? false,
    debug: values.debug ?? false,
    help: values.help ?? false,
  };
}

/** A cell's value as the terminal shows it, fitted to the width (the notebook shows HTML). */
function render(value: unknown, width: number, color: boolean): string {
  return value === undefined ? "" : fitView(toView(value), width, color);
}

async function waitForEnter(): Promise<void> {
  await Deno.stdout.write(
    new TextEncoder().encode(paint("Press Enter to run it… ", "dim", useColor())),
  );
  const buffer = new Uint8Array(1024);
  while (true) {
    const n = await Deno.stdin.read(buffer);
    if (n === null || buffer.subarray(0, n).includes(10)) return;
  }
}

/**
 * Deletes what the chapter created and closes its connections: every bucket any connection in
 * the scope created and did not delete, emptied of every object, version, delete marker and
 * unfinished multipart upload first. Tolerates what is already gone.
 *
 * @param scope The chapter's scope (its connections among the cells' variables).
 * @param keep Leave the buckets in place.
 * @param files Local files the chapter writes (next to its notebook), deleted in any case.
 * @returns Lines describing what was done.
 */
async function cleanup(
  scope: Record<string, unknown>,
  keep: boolean,
  files: readonly string[],
): Promise<string[]> {
  const connections = new Set(Object.values(scope).filter((v) => v instanceof Connection));
  const notes: string[] = [];
  for (const s3 of connections) notes.push(...await cleanupConnection(s3, keep));
  for (const file of files) {
    try {
      await Deno.remove(file);
      notes.push(`Cleaned up: deleted the local file "${file}"`);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) {
        notes.push(`Could not delete the local file "${file}": ${(error as Error).message}`);
      }
    }
  }
  return notes;
}

/**
 * What stopped the tour, in one line: an error the AWS SDK threw from a lesson's own
 * `s3.client.send(…)` is explained as the helpers explain theirs (`lib/errors.ts`), naming the
 * operation and the object from the connection's last request.
 */
function failure(error: unknown, scope: Record<string, unknown>): string {
  const message = error instanceof Error ? error.message : String(error);
  if (!(error && typeof error === "object" && "$metadata" in error)) return message;
  const last = Object.values(scope).filter((v) => v instanceof Connection)
    .flatMap((s3) => s3.trace.entries.at(-1) ?? []).at(-1);
  if (!last) return message;
  const [bucket, ...key] = decodeURIComponent(new URL(last.url).pathname.slice(1)).split("/");
  const what = `${last.operation ?? last.method}${
    bucket ? ` "${[bucket, ...key].join("/")}"` : ""
  }`;
  const typed = toS3RequestError(error, {
    action: `send ${what}`,
    bucket: bucket || undefined,
    key: key.join("/") || undefined,
  });
  return typed instanceof Error ? typed.message : message;
}

/**
 * The buckets a connection made and has not deleted: those the helpers remember, plus those its
 * trace shows created by an SDK call (`CreateBucketCommand`), minus those it shows deleted.
 */
function bucketsLeft(s3: Connection): string[] {
  const left = new Set(s3.createdBuckets);
  const endpoint = new URL(s3.endpoint);
  for (const e of s3.trace.entries) {
    if (e.status < 200 || e.status > 299) continue;
    if (e.operation !== "CreateBucket" && e.operation !== "DeleteBucket") continue;
    const url = new URL(e.url);
    const bucket = url.hostname.endsWith(`.${endpoint.hostname}`)
      ? url.hostname.slice(0, -endpoint.hostname.length - 1)
      : decodeURIComponent(url.pathname.split("/")[1] ?? "");
    if (!bucket) continue;
    if (e.operation === "CreateBucket") left.add(bucket);
    else left.delete(bucket);
  }
  return [...left];
}

async function cleanupConnection(s3: Connection, keep: boolean): Promise<string[]> {
  const notes: string[] = [];
  for (const bucket of bucketsLeft(s3)) {
    if (keep) {
      notes.push(
        `Kept bucket "${bucket}" at ${s3.endpoint} (--keep)` +
          (s3.target === "embedded" ? "; the embedded server forgets it when the tour ends" : ""),
      );
      continue;
    }
    try {
      const objects = await emptyBucket(s3, bucket);
      await deleteBucket(s3, bucket);
      // Where deletes keep versions, emptyBucket() counts each version and delete marker.
      const what = s3.cluster.deletesKeepVersions
        ? "object version(s) and delete marker(s)"
        : "object(s)";
      notes.push(`Cleaned up: deleted bucket "${bucket}" and ${objects} ${what}`);
    } catch (error) {
      notes.push(`Could not delete bucket "${bucket}": ${(error as Error).message}`);
    }
  }
  await s3.close();
  return notes;
}

/**
 * Runs the tour.
 *
 * @param args The command line.
 * @returns The exit code: 0 on success, 1 when a step failed, 2 for bad usage, 130 on Ctrl-C.
 */
export async function main(args: string[]): Promise<number> {
  let settings: TourArgs;
  try {
    settings = parseTourArgs(args);
  } catch (error) {
    return reportError(error);
  }
  if (settings.help) {
    console.log(HELP);
    return 0;
  }
  if (settings.list) {
    const width = Math.max(...CHAPTERS.map((c) => c.name.length)) + 2;
    for (const c of CHAPTERS) console.log(`${c.name.padEnd(width)}${c.title}`);
    return 0;
  }
  const chapter = settings.chapter;
  const color = useColor();
  const width = terminalWidth();
  const say = (text = "") => console.log(text);
  // Cells run from the notebook's folder, as in Jupyter, so "cloud.png" is the picture there.
  Deno.chdir(fileURLToPath(new URL("../notebooks/", import.meta.url)));

  const scope: Record<string, unknown> = {};
  let cleaning: Promise<string[]> | undefined;
  const finish = () => (cleaning ??= cleanup(scope, settings.keep, settings.chapter.files ?? []));
  const onInterrupt = async () => {
    console.error("\nInterrupted: cleaning up…");
    for (const note of await finish()) console.error(note);
    Deno.exit(130);
  };
  Deno.addSignalListener("SIGINT", onInterrupt);

  let waiting = settings.step;
  if (waiting && !Deno.stdin.isTerminal()) {
    say(paint("(--step: stdin is not a terminal, so not waiting between steps)", "dim", color));
    waiting = false;
  }

  const steps = chapter.steps.filter((s) => !(settings.keep && s.cleanup));
  cellHooks.current = {
    async enter(i) {
      const step = steps[i];
      say();
      say(
        paint(foldLine(`━━ ${i + 1}/${steps.length} ${step.title}`, width, "   "), "bold", color),
      );
      say(markdownToText(forReader(step.prose, "terminal"), width, color));
      const code = step.code.split("\n").map((l) => foldLine(`  › ${l}`, width, "  ›     "));
      say(code.join("\n").split("\n").map((l) => paint(l, "cyan", color)).join("\n"));
      if (waiting) await waitForEnter();
    },
    show(_i, value) {
      const text = render(value, width, color);
      if (text) say(text);
    },
    declare(names) {
      Object.assign(scope, names);
    },
    // Like papermill's injected parameters: the command line overrides the cell's defaults.
    parameter: (name, value) =>
      name === "options" ? { ...(value as object), ...settings.connect } : value,
  };
  let failed = false;
  try {
    await runChapterModule(chapterModule(steps, sourcePath(chapter)));
    if (chapter.epilogue) {
      say();
      say(markdownToText(forReader(chapter.epilogue, "terminal"), width, color));
    }
    say();
    say(paint("Tour complete.", "green", color));
  } catch (error) {
    failed = true;
    say();
    console.error(paint(`The tour stopped: ${failure(error, scope)}`, "red", color));
    if (settings.debug) console.error(error);
  } finally {
    for (const note of await finish()) say(foldLine(note, width));
    Deno.removeSignalListener("SIGINT", onInterrupt);
    cellHooks.current = undefined;
  }
  return failed ? 1 : 0;
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
