/**
 * Folders, not just files: make a bucket prefix hold what a folder holds ({@linkcode syncUp}) or
 * a folder hold what a prefix holds ({@linkcode syncDown}), sending only what differs.
 *
 * **How it compares.** The folder is walked and the bucket listed as two streams, both in S3's
 * key order (UTF-8 bytes), and merged one entry at a time: neither side is ever held whole in
 * memory (100,000 files sync in well under 200 MB). A file and an object with the same key are
 * the same when their sizes are equal and the file's bytes give the object's ETag:
 *
 * - a plain ETag (single PUT) is the MD5 of the bytes: the file's MD5 must equal it;
 * - a multipart ETag (`md5-of-part-md5s-N`) is recomputed from the file (one read) with each
 *   part size that gives N parts among: this library's (`partSize`), the common tools' (5, 8, 15,
 *   16 MiB...) and every whole-MiB size that does when there are at most 8 of them; when none
 *   reproduces it, the file is copied again;
 * - an ETag that is no MD5 (an object encrypted with a customer key, some services): the same
 *   size and an object no older than the file.
 *
 * Sizes are compared first (no read when they differ); the MD5 costs one read of each file whose
 * size matches, never a request. Modification times are not trusted alone (a restore or a
 * checkout resets them), and nothing extra is stored in the objects' metadata.
 *
 * **What it sends.** Files below 1 MiB are read into memory and sent with a `Content-MD5`
 * header (the server checks it), `concurrency` at a time; larger ones stream through `putFile`
 * (multipart above `multipartThreshold`, counting as 4 of the `concurrency`); downloads below
 * 8 MiB arrive in one GET whose MD5 is checked, larger ones through `getFile`'s parallel ranges.
 * A download is written to a `*.sync-part` file beside its target and renamed into place when
 * complete, so a failure or an abort never leaves a partial file or harms the file it replaces.
 * An aborted multipart upload is aborted on the server too.
 *
 * @module
 */

import { mkdir, rename, rm } from "node:fs/promises";
import { dirname, join, posix, win32 } from "node:path";
import { DeleteObjectsCommand, GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import type { Connection } from "./connect.ts";
import { contentTypeFor } from "./content_type.ts";
import { request, S3RequestError } from "./errors.ts";
import { checksumHeader, checksumOf } from "../core/checksum.ts";
import { type ChecksumAlgorithm, checksumInput, validateChecksum } from "./_checksums.ts";
import { getFile, listObjects, type ObjectInfo, putFile } from "./objects.ts";
import { validateBucketName, validateKey } from "./validate.ts";
import { keyFilter } from "./key_filter.ts";
import { DEFAULT_MULTIPART_THRESHOLD } from "./file_size.ts";
import { fileMatchesEtag, md5Hex } from "./_etag.ts";
import { compareUtf8 } from "../core/utf8.ts";
import { type LocalFile, PARTIAL_SUFFIX, walkFiles } from "./_walk.ts";
import { type LeanClient, leanClientOf } from "./_lean.ts";
import { localPathFor, quoteKey } from "./key_paths.ts";

const MiB = 1024 * 1024;
/** Uploads below this are read whole and sent with their MD5. */
const IN_MEMORY_UPLOAD = MiB;
/** Downloads below this arrive in one GET; above, in parallel ranges. */
const ONE_GET_DOWNLOAD = 8 * MiB;
/** Keys per DeleteObjects request (S3's most). */
const DELETE_BATCH = 1000;

/** How to sync. */
export interface SyncOptions {
  /** Also delete what the destination holds and the source does not. @default false */
  delete?: boolean;
  /** Compare and report, change nothing. @default false */
  dryRun?: boolean;
  /**
   * Globs of the keys to sync (relative to the folder or prefix); empty syncs everything. `*`
   * stops at `/`, `**` does not; a glob without `/` matches the file name anywhere (`*.jpg`).
   * @default []
   */
  include?: string[];
  /** Globs of the keys to leave alone (neither copied nor deleted); they win over `include`. @default [] */
  exclude?: string[];
  /** Files in flight (a multipart transfer counts as 4). @default 16 */
  concurrency?: number;
  /** Files at least this large go up as multipart uploads. @default 16 MiB */
  multipartThreshold?: number;
  /** Part size of multipart uploads, and the first guess when recomputing an ETag. @default 8 MiB */
  partSize?: number;
  /** Called as the work advances: files and bytes done, and found so far. */
  onProgress?: (progress: SyncProgress) => void;
  /** Called once per file copied, deleted or failed (and, in a dry run, per file that would be). */
  onFile?: (event: SyncEvent) => void;
  /** Stops the sync: transfers in flight are aborted (no partial object or file is left). */
  signal?: AbortSignal;
  /**
   * `syncDown()`: the file-name rules each key is checked against before it becomes a file; a
   * key that would land outside the folder or on a reserved name (`..\\x` or `C:x` under
   * `"windows"`, `CON`, `aux.txt`...) is a failure in the summary, named. Choose `"windows"` on
   * another system for a folder that Windows will read (a shared drive).
   * @default the rules of this system
   */
  fileNames?: "posix" | "windows";
  /**
   * `syncUp()`: a checksum sent with every file (`x-amz-checksum-*`, see `PutOptions.checksum`);
   * the server refuses a file whose bytes do not match it (`BadDigest`, a failed file).
   */
  checksum?: ChecksumAlgorithm;
  /**
   * `syncDown()`: check each file that arrives in parallel ranges against the object's stored
   * checksum (see `getFile`'s `verifyChecksum`); smaller files are checked against their MD5
   * ETag anyway. @default false
   */
  verifyChecksum?: boolean;
}

/** Progress of a whole sync. The totals grow while the folder and the listing are read. */
export interface SyncProgress {
  /** Files copied or deleted so far (or failed). */
  files: number;
  /** Files found to copy or delete so far. */
  filesTotal: number;
  /** Bytes copied so far. */
  bytes: number;
  /** Bytes found to copy so far. */
  bytesTotal: number;
  /** Files compared and found the same so far. */
  skipped: number;
  /** Whether both sides have been read to the end (the totals are final). */
  complete: boolean;
}

/** One file's outcome. */
export interface SyncEvent {
  /** What happened (or, in a dry run, would). */
  action: "copy" | "delete" | "fail";
  /** Key relative to the prefix (the file's path relative to the folder, `/`-separated). */
  key: string;
  /** Bytes copied (0 for a delete). */
  size: number;
  /** Why it failed. */
  error?: Error;
}

/** A file that could not be synced. */
export interface SyncFailure {
  /** Key relative to the prefix. */
  key: string;
  /** What was tried. */
  action: "copy" | "delete";
  /** What went wrong: the library's one-line explanation. */
  error: Error;
}

/** What a sync did. */
export interface SyncSummary {
  /** Files copied (or that would be, in a dry run). */
  copied: number;
  /** Files already the same on both sides. */
  skipped: number;
  /** Files deleted from the destination (or that would be). */
  deleted: number;
  /** Each file that failed, with why. */
  failed: SyncFailure[];
  /** Bytes copied (or that would be). */
  bytes: number;
  /** Wall time, in milliseconds. */
  ms: number;
  /** Whether it was a dry run. */
  dryRun: boolean;
}

/**
 * Runs tasks with at most `size` units of weight at once. `add` returns once its task has
 * started, so a producer that awaits it never runs ahead of the transfers by more than the pool.
 */
class Pool {
  #size: number;
  #free: number;
  #waiting: (() => void)[] = [];
  #all = new Set<Promise<void>>();

  constructor(size: number) {
    this.#size = size;
    this.#free = size;
  }

  /** Starts `task` once there is room; failures are the task's to record. */
  add(weight: number, task: () => Promise<void>): Promise<void> {
    const w = Math.min(weight, this.#size);
    let started!: () => void;
    const start = new Promise<void>((resolve) => started = resolve);
    const whole = (async () => {
      while (this.#free < w) await new Promise<void>((resolve) => this.#waiting.push(resolve));
      this.#free -= w;
      started();
      try {
        await task();
      } catch {
        // recorded by the task
      } finally {
        this.#free += w;
        for (const wake of this.#waiting.splice(0)) wake();
      }
    })();
    this.#all.add(whole);
    whole.finally(() => this.#all.delete(whole));
    return start;
  }

  /** Waits until every task added has ended. */
  async drain(): Promise<void> {
    while (this.#all.size > 0) await Promise.all([...this.#all]);
  }
}

/** The bookkeeping shared by both directions. */
class Tally {
  summary: SyncSummary;
  progress: SyncProgress = {
    files: 0,
    filesTotal: 0,
    bytes: 0,
    bytesTotal: 0,
    skipped: 0,
    complete: false,
  };
  #options: SyncOptions;
  #started = performance.now();

  constructor(options: SyncOptions) {
    this.#options = options;
    this.summary = {
      copied: 0,
      skipped: 0,
      deleted: 0,
      failed: [],
      bytes: 0,
      ms: 0,
      dryRun: options.dryRun === true,
    };
  }

  report(): void {
    this.#options.onProgress?.({ ...this.progress });
  }

  planned(size: number): void {
    this.progress.filesTotal++;
    this.progress.bytesTotal += size;
    this.report();
  }

  skipped(): void {
    this.summary.skipped++;
    this.progress.skipped++;
    this.report();
  }

  moved(bytes: number): void {
    this.progress.bytes += bytes;
    this.report();
  }

  done(action: "copy" | "delete", key: string, size: number): void {
    if (action === "copy") {
      this.summary.copied++;
      this.summary.bytes += size;
    } else this.summary.deleted++;
    this.progress.files++;
    this.#options.onFile?.({ action, key, size });
    this.report();
  }

  failed(action: "copy" | "delete", key: string, error: unknown): void {
    const e = error instanceof Error ? error : new Error(String(error));
    this.summary.failed.push({ key, action, error: e });
    this.progress.files++;
    this.#options.onFile?.({ action: "fail", key, size: 0, error: e });
    this.report();
  }

  finish(): SyncSummary {
    this.progress.complete = true;
    this.report();
    // Whole tenths: a wall time has no meaning in nanoseconds (it printed as 96.29286900000034).
    this.summary.ms = Math.round((performance.now() - this.#started) * 10) / 10;
    return this.summary;
  }
}

/** The prefix as a folder: empty, or ending in `/`. */
function folderPrefix(prefix: string): string {
  return prefix === "" || prefix.endsWith("/") ? prefix : `${prefix}/`;
}

function checkOptions(
  options: SyncOptions,
): { concurrency: number; partSize: number; threshold: number } {
  const concurrency = options.concurrency ?? 16;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`Invalid concurrency ${concurrency}: use a whole number of at least 1`);
  }
  return {
    concurrency,
    partSize: options.partSize ?? 8 * MiB,
    threshold: options.multipartThreshold ?? DEFAULT_MULTIPART_THRESHOLD,
  };
}

/**
 * The listing under a prefix, as keys relative to it, folder markers and filtered keys left out.
 * With `bodiedMarkers` (a download), a key ending in `/` that holds bytes is kept, so that it
 * fails by name instead of being skipped without a word.
 */
async function* remoteObjects(
  s3: Connection,
  bucket: string,
  prefix: string,
  keep: (key: string) => boolean,
  lean?: LeanClient,
  bodiedMarkers = false,
): AsyncGenerator<ObjectInfo> {
  const listing = lean
    ? leanListing(lean, bucket, prefix)
    : listObjects(s3, bucket, { prefix: prefix || undefined });
  for await (const o of listing) {
    const key = o.key.slice(prefix.length);
    const marker = key.endsWith("/") && !(bodiedMarkers && o.size > 0);
    if (key === "" || marker || !keep(key)) continue;
    yield { ...o, key };
  }
}

/** The lean path's listing, its failures worded as `listObjects`'s. */
async function* leanListing(
  lean: LeanClient,
  bucket: string,
  prefix: string,
): AsyncGenerator<ObjectInfo> {
  const pages = lean.listObjects(bucket, prefix);
  const context = { action: `list bucket "${bucket}"`, bucket };
  while (true) {
    const next = await request(context, () => pages.next());
    if (next.done) return;
    yield next.value;
  }
}

async function* localFiles(
  dir: string,
  keep: (key: string) => boolean,
): AsyncGenerator<LocalFile> {
  for await (const f of walkFiles(dir)) if (keep(f.key)) yield f;
}

/**
 * Merges two streams sorted by key, calling `visit` with the entries of each key (one side
 * missing when only the other has it).
 */
async function merge(
  local: AsyncIterator<LocalFile>,
  remote: AsyncIterator<ObjectInfo>,
  visit: (file?: LocalFile, object?: ObjectInfo) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  let l = await local.next();
  let r = await remote.next();
  while (!l.done || !r.done) {
    signal?.throwIfAborted();
    const order = l.done ? 1 : r.done ? -1 : compareUtf8(l.value.key, r.value.key);
    if (order < 0) {
      await visit(l.value as LocalFile, undefined);
      l = await local.next();
    } else if (order > 0) {
      await visit(undefined, r.value as ObjectInfo);
      r = await remote.next();
    } else {
      await visit(l.value as LocalFile, r.value as ObjectInfo);
      [l, r] = await Promise.all([local.next(), remote.next()]);
    }
  }
}

/** Whether a file holds what an object holds, by the rule in the module's documentation. */
async function same(file: LocalFile, object: ObjectInfo, partSize: number): Promise<boolean> {
  if (file.size !== object.size) return false;
  const byEtag = object.etag === undefined
    ? undefined
    : await fileMatchesEtag(file.path, file.size, object.etag, partSize);
  if (byEtag !== undefined) return byEtag;
  return (object.lastModified?.getTime() ?? 0) >= file.mtime;
}

function aborted(signal?: AbortSignal): boolean {
  return signal?.aborted === true;
}

/**
 * Makes a bucket prefix hold what a local folder holds: uploads the files that are missing or
 * differ (by size and MD5/ETag, see the module's documentation), and with `delete` deletes the
 * objects under the prefix that have no file. Each file is tried once per run: a failure is
 * recorded in the summary and the others go on; run it again to retry.
 *
 * @param s3 The connection.
 * @param dir The local folder.
 * @param bucket The bucket.
 * @param prefix Where under the bucket (a folder: `backups/photos` means `backups/photos/`);
 *   `""` for the whole bucket.
 * @param options Delete, dry run, filters, concurrency, progress, abort signal.
 * @returns What was copied, skipped, deleted and what failed.
 * @throws {Deno.errors.NotFound} When the folder does not exist.
 * @throws {S3RequestError} When the bucket cannot be listed.
 * @throws The signal's reason when aborted, after every transfer in flight has stopped.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { connect, createBucket, syncUp } from "./mod.ts";
 *
 * await using s3 = await connect();
 * const bucket = await createBucket(s3);
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/a.txt`, "a");
 * await Deno.mkdir(`${dir}/notes`);
 * await Deno.writeTextFile(`${dir}/notes/b.txt`, "bb");
 * const first = await syncUp(s3, dir, bucket, "backup");
 * assert.equal(first.copied, 2);
 * assert.equal(first.bytes, 3);
 * const again = await syncUp(s3, dir, bucket, "backup"); // nothing changed: nothing sent
 * assert.equal(again.copied, 0);
 * assert.equal(again.skipped, 2);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function syncUp(
  s3: Connection,
  dir: string,
  bucket: string,
  prefix: string,
  options: SyncOptions = {},
): Promise<SyncSummary> {
  validateBucketName(bucket, s3.cluster.bucketNames);
  const { concurrency, partSize, threshold } = checkOptions(options);
  const keep = keyFilter(options.include, options.exclude);
  const base = folderPrefix(prefix);
  const signal = options.signal;
  const algorithm = options.checksum && validateChecksum(options.checksum);
  signal?.throwIfAborted();
  if (!(await Deno.stat(dir).then((i) => i.isDirectory, () => false))) {
    throw new Deno.errors.NotFound(
      `Cannot sync "${dir}" to "s3://${bucket}/${base}": it is not a folder; give a folder path`,
    );
  }
  const tally = new Tally(options);
  const pool = new Pool(concurrency);
  const dryRun = options.dryRun === true;
  const lean = leanClientOf(s3);
  let doomed: string[] = [];

  const flushDeletes = async () => {
    const keys = doomed;
    doomed = [];
    if (keys.length === 0) return;
    await pool.add(1, async () => {
      try {
        const errors = await request(
          { action: `delete ${keys.length} objects under "${bucket}/${base}"`, bucket },
          async () => {
            if (lean) {
              const refused = await lean.deleteObjects(bucket, keys.map((k) => base + k), signal);
              return refused.map((e) => ({ Key: e.key, Code: e.code, Message: e.message }));
            }
            const out = await s3.client.send(
              new DeleteObjectsCommand({
                Bucket: bucket,
                Delete: { Objects: keys.map((k) => ({ Key: base + k })), Quiet: true },
              }),
              { abortSignal: signal },
            );
            return out.Errors ?? [];
          },
        );
        const refused = new Map(errors.map((e) => [e.Key, e]));
        for (const k of keys) {
          const e = refused.get(base + k);
          if (!e) tally.done("delete", k, 0);
          else {
            tally.failed(
              "delete",
              k,
              new S3RequestError(
                `Cannot delete "${bucket}/${base}${k}": ${e.Code ?? "refused"}: ${
                  e.Message || "the server refused"
                }`,
                { status: 200, code: e.Code ?? "UnknownError", bucket, key: base + k },
              ),
            );
          }
        }
      } catch (error) {
        if (aborted(signal)) return;
        for (const k of keys) tally.failed("delete", k, error);
      }
    });
  };

  /** Uploads one file, recording the outcome (runs inside a pool task). */
  const upload = async (file: LocalFile) => {
    const key = base + file.key;
    try {
      validateKey(key); // too long for S3: refused here, by name, before anything is sent
      if (file.size < IN_MEMORY_UPLOAD) {
        const bytes = readStable(file.path);
        tally.progress.bytesTotal += bytes.byteLength - file.size;
        await request(
          { action: `upload "${file.path}" to "${bucket}/${key}"`, bucket, key },
          (): Promise<unknown> =>
            lean
              ? lean.putObject(bucket, key, bytes, {
                contentType: contentTypeFor(file.key),
                md5Hex: md5Hex(bytes),
                signal,
                headers: algorithm && {
                  [checksumHeader(algorithm)]: checksumOf(algorithm, bytes),
                },
              })
              : s3.client.send(
                new PutObjectCommand({
                  Bucket: bucket,
                  Key: key,
                  Body: bytes,
                  ContentLength: bytes.byteLength,
                  ContentMD5: hexToBase64(md5Hex(bytes)),
                  ContentType: contentTypeFor(file.key),
                  ...(algorithm ? checksumInput(algorithm, bytes) : {}),
                }),
                { abortSignal: signal },
              ),
        );
        tally.moved(bytes.byteLength);
        tally.done("copy", file.key, bytes.byteLength);
        return;
      }
      let sent = 0;
      const out = await putFile(s3, bucket, key, file.path, {
        multipartThreshold: threshold,
        partSize,
        concurrency: 4,
        signal,
        checksum: algorithm,
        onProgress: ({ loaded }) => {
          tally.moved(loaded - sent);
          sent = loaded;
        },
      });
      const after = await Deno.stat(file.path).catch(() => undefined);
      if (after?.size !== out.size || (after.mtime?.getTime() ?? 0) !== file.mtime) {
        throw new Error(
          `Cannot upload "${file.path}" to "${bucket}/${key}": the file changed while it was ` +
            "being sent; run the sync again",
        );
      }
      tally.done("copy", file.key, out.size);
    } catch (error) {
      if (!aborted(signal)) tally.failed("copy", file.key, error);
    }
  };

  const visit = async (file?: LocalFile, object?: ObjectInfo) => {
    if (file && !object) {
      tally.planned(file.size);
      if (dryRun) tally.done("copy", file.key, file.size);
      else await pool.add(file.size >= threshold ? 4 : 1, () => upload(file));
    } else if (file && object) {
      // Comparing reads the file: it runs in the pool, and uploads in the same place if needed.
      await pool.add(file.size >= threshold ? 4 : 1, async () => {
        let equal: boolean;
        try {
          equal = await same(file, object, partSize);
        } catch (error) {
          tally.planned(file.size);
          tally.failed("copy", file.key, error);
          return;
        }
        if (equal) return tally.skipped();
        tally.planned(file.size);
        if (dryRun) tally.done("copy", file.key, file.size);
        else await upload(file);
      });
    } else if (object && options.delete) {
      tally.planned(0);
      if (dryRun) tally.done("delete", object.key, 0);
      else {
        doomed.push(object.key);
        if (doomed.length >= DELETE_BATCH) await flushDeletes();
      }
    }
  };

  try {
    await merge(
      localFiles(dir, keep),
      remoteObjects(s3, bucket, base, keep, lean),
      visit,
      signal,
    );
    await flushDeletes();
  } finally {
    await pool.drain();
  }
  signal?.throwIfAborted();
  return tally.finish();
}

/**
 * Reads a small file whole, refusing one that changes while being read. Synchronous on purpose:
 * for files under 1 MiB the system calls take microseconds, while Deno's async file operations
 * each cost a trip through its thread pool (open, two stats and a read were 1.6 s of CPU per 1000
 * files in a profile of `deno task sync`, more than the requests themselves).
 */
function readStable(path: string): Uint8Array {
  const file = Deno.openSync(path);
  try {
    const before = file.statSync();
    const bytes = new Uint8Array(before.size);
    let done = 0;
    while (done < bytes.length) {
      const n = file.readSync(bytes.subarray(done));
      if (n === null || n === 0) break;
      done += n;
    }
    const after = file.statSync();
    if (
      done !== before.size || after.size !== before.size ||
      after.mtime?.getTime() !== before.mtime?.getTime()
    ) {
      throw new Error(
        `Cannot upload "${path}": the file changed while it was being read; run the sync again`,
      );
    }
    return bytes;
  } finally {
    file.close();
  }
}

function hexToBase64(hex: string): string {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return btoa(String.fromCharCode(...bytes));
}

/**
 * The file a key lands in under the folder, or why it cannot: outside the folder or on a name the
 * file-name rules reserve (`key_paths.ts`), or a name the sync keeps for its own partial downloads.
 */
function localPath(
  dir: string,
  key: string,
  fileNames: SyncOptions["fileNames"],
): { path: string } | { problem: string } {
  const rules = fileNames === "windows"
    ? win32
    : fileNames === "posix"
    ? posix
    : Deno.build.os === "windows"
    ? win32
    : posix;
  const found = localPathFor(dir, key, rules);
  if ("path" in found && key.split("/").at(-1)!.endsWith(PARTIAL_SUFFIX)) {
    return { problem: `names ending in "${PARTIAL_SUFFIX}" are the sync's own partial downloads` };
  }
  return found;
}

/**
 * Makes a local folder hold what a bucket prefix holds: downloads the objects that are missing
 * or differ (by size and MD5/ETag, see the module's documentation), and with `delete` deletes the
 * files that have no object. Each download is written beside its target and renamed into place
 * when complete. A failure is recorded in the summary and the others go on.
 *
 * @param s3 The connection.
 * @param bucket The bucket.
 * @param prefix Which objects (a folder: `backups/photos` means `backups/photos/`); `""` for all.
 * @param dir The local folder (created if missing).
 * @param options Delete, dry run, filters, concurrency, progress, abort signal.
 * @returns What was copied, skipped, deleted and what failed.
 * @throws {S3RequestError} When the bucket cannot be listed.
 * @throws The signal's reason when aborted, after every transfer in flight has stopped.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { connect, createBucket, putObject, syncDown } from "./mod.ts";
 *
 * await using s3 = await connect();
 * const bucket = await createBucket(s3);
 * await putObject(s3, bucket, "backup/a.txt", "a");
 * await putObject(s3, bucket, "backup/notes/b.txt", "bb");
 * const dir = await Deno.makeTempDir();
 * const summary = await syncDown(s3, bucket, "backup", dir);
 * assert.equal(summary.copied, 2);
 * assert.equal(await Deno.readTextFile(`${dir}/notes/b.txt`), "bb");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function syncDown(
  s3: Connection,
  bucket: string,
  prefix: string,
  dir: string,
  options: SyncOptions = {},
): Promise<SyncSummary> {
  validateBucketName(bucket, s3.cluster.bucketNames);
  const { concurrency, partSize } = checkOptions(options);
  const keep = keyFilter(options.include, options.exclude);
  const base = folderPrefix(prefix);
  const signal = options.signal;
  signal?.throwIfAborted();
  const dryRun = options.dryRun === true;
  if (!dryRun) await mkdir(dir, { recursive: true });
  const tally = new Tally(options);
  const pool = new Pool(concurrency);
  const lean = leanClientOf(s3);

  /** Folders made so far: one mkdir each (a set of folder names, not of files). */
  const made = new Set<string>();
  /** Downloads one object, recording the outcome (runs inside a pool task). */
  const download = async (object: ObjectInfo) => {
    const key = base + object.key;
    const found = localPath(dir, object.key, options.fileNames);
    if ("problem" in found) {
      tally.failed(
        "copy",
        object.key,
        new Error(
          `Cannot download ${quoteKey(`${bucket}/${key}`)} into "${dir}": ${found.problem}`,
        ),
      );
      return;
    }
    const path = found.path;
    const big = object.size >= ONE_GET_DOWNLOAD;
    const folder = dirname(path);
    const part = join(folder, `.${crypto.randomUUID().slice(0, 8)}${PARTIAL_SUFFIX}`);
    try {
      if (!made.has(folder)) {
        await mkdir(folder, { recursive: true });
        made.add(folder);
      }
      let size: number;
      if (!big) {
        const out = await request(
          { action: `download "${bucket}/${key}"`, bucket, key },
          async () => {
            if (lean) {
              return (await lean.getObject(bucket, key, { ifMatch: object.etag, signal })).bytes;
            }
            const got = await s3.client.send(
              new GetObjectCommand({ Bucket: bucket, Key: key, IfMatch: object.etag }),
              { abortSignal: signal },
            );
            return await got.Body!.transformToByteArray();
          },
        );
        const etag = /^"?([0-9a-f]{32})"?$/i.exec(object.etag ?? "")?.[1];
        if (etag && md5Hex(out) !== etag.toLowerCase()) {
          throw new Error(
            `Cannot download "${bucket}/${key}": its bytes do not match its ETag; run the ` +
              "sync again",
          );
        }
        // Synchronous for the same reason as readStable (a small file).
        Deno.writeFileSync(part, out);
        size = out.byteLength;
        tally.moved(size);
      } else {
        let got = 0;
        size = await getFile(s3, bucket, key, part, {
          concurrency: 4,
          signal,
          verifyChecksum: options.verifyChecksum,
          onProgress: ({ loaded }) => {
            tally.moved(loaded - got);
            got = loaded;
          },
        });
      }
      signal?.throwIfAborted();
      if (big) await rename(part, path);
      else Deno.renameSync(part, path);
      tally.done("copy", object.key, size);
    } catch (error) {
      await rm(part, { force: true }).catch(() => {});
      if (!aborted(signal)) tally.failed("copy", object.key, error);
    }
  };
  const weight = (size: number) => size >= ONE_GET_DOWNLOAD ? 4 : 1;

  const remove = async (file: LocalFile) => {
    tally.planned(0);
    if (dryRun) return tally.done("delete", file.key, 0);
    await pool.add(1, async () => {
      try {
        await Deno.remove(file.path);
        tally.done("delete", file.key, 0);
      } catch (error) {
        tally.failed(
          "delete",
          file.key,
          new Error(`Cannot delete "${file.path}": ${(error as Error).message}`, { cause: error }),
        );
      }
    });
  };

  const visit = async (file?: LocalFile, object?: ObjectInfo) => {
    if (object && !file) {
      tally.planned(object.size);
      if (dryRun) tally.done("copy", object.key, object.size);
      else await pool.add(weight(object.size), () => download(object));
    } else if (file && object) {
      await pool.add(weight(object.size), async () => {
        let equal: boolean;
        try {
          equal = await same(file, object, partSize);
        } catch (error) {
          tally.planned(object.size);
          tally.failed("copy", object.key, error);
          return;
        }
        if (equal) return tally.skipped();
        tally.planned(object.size);
        if (dryRun) tally.done("copy", object.key, object.size);
        else await download(object);
      });
    } else if (file && options.delete) {
      await remove(file);
    }
  };

  const local = await Deno.stat(dir).then((i) => i.isDirectory, () => false)
    ? localFiles(dir, keep)
    : (async function* (): AsyncGenerator<LocalFile> {})();
  try {
    await merge(local, remoteObjects(s3, bucket, base, keep, lean, true), visit, signal);
  } finally {
    await pool.drain();
  }
  signal?.throwIfAborted();
  return tally.finish();
}
