/**
 * Downloading an object to a file: byte ranges fetched in parallel, each written where it
 * belongs, through whichever client sends the GETs (the SDK's, or the lean one of `_lean.ts`, so a
 * command can download without loading the SDK). Internal to `objects.ts` and `deno task cp`.
 *
 * @module
 */

import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import type { ClusterFacts } from "./clusters.ts";
import { request } from "./errors.ts";
import type { Progress } from "./types.ts";
import { validateBucketName, validateKey } from "./validate.ts";
import { allWorkers } from "./_workers.ts";

const MiB = 1024 * 1024;

/** One GET of (part of) an object. */
export interface RangeRequest {
  /** The bucket. */
  bucket: string;
  /** The key. */
  key: string;
  /** A `Range` header, e.g. `bytes=0-8388607`; the whole object without it. */
  range?: string;
  /** An ETag the object must still have (`If-Match`). */
  ifMatch?: string;
  /** Aborts the request. */
  signal?: AbortSignal;
}

/** Its answer. */
export interface RangeAnswer {
  /** The body: a web `ReadableStream` (fetch) or a Node `Readable` (the SDK's Node handler). */
  body: unknown;
  /** The `Content-Range` header, e.g. `bytes 0-8388607/1073741824`. */
  contentRange?: string;
  /** The `Content-Length` header. */
  contentLength?: number;
  /** The object's ETag, quotes included. */
  etag?: string;
}

/**
 * Sends one GET; fails as the SDK does (`name` the S3 code, `$metadata.httpStatusCode`).
 *
 * @param request What to get.
 * @returns The answer, whose body the caller reads or cancels.
 */
export type RangeGetter = (request: RangeRequest) => Promise<RangeAnswer>;

/** How to download to a file. */
export interface RangesOptions {
  /** Ranges in flight. @default 4 */
  concurrency?: number;
  /** Smallest range worth a request of its own. @default 8 MiB */
  minRange?: number;
  /** Largest range per request: progress moves as each range ends. @default 32 MiB */
  maxRange?: number;
  /** Called as bytes arrive. */
  onProgress?: (progress: Progress) => void;
  /** Stops the download (the partial file is removed). */
  signal?: AbortSignal;
}

/** The total size from a `Content-Range: bytes a-b/total` header. */
function totalFrom(answer: RangeAnswer): number | undefined {
  const m = /\/(\d+)\s*$/.exec(answer.contentRange ?? "");
  return m ? Number(m[1]) : answer.contentLength;
}

/** The length of a `Content-Range: bytes a-b/total` range. */
function rangeLength(contentRange?: string): number | undefined {
  const m = /(\d+)-(\d+)\//.exec(contentRange ?? "");
  return m ? Number(m[2]) - Number(m[1]) + 1 : undefined;
}

/** Releases a response body that will not be read (a web stream, or a Node `Readable`). */
async function discard(body: unknown): Promise<void> {
  if (body instanceof ReadableStream) await body.cancel().catch(() => {});
  else (body as { destroy?: () => void } | undefined)?.destroy?.();
}

/** Reads a Node response body (the SDK's Node handler) chunk by chunk into `sink`. */
async function drain(
  body: unknown,
  sink: (chunk: Uint8Array) => Promise<void>,
): Promise<void> {
  // A Node `Readable` is an async iterable of chunks.
  for await (const chunk of body as AsyncIterable<Uint8Array>) await sink(chunk);
}

/** Opens an existing file for writing at `position` (closed again if the seek fails). */
async function openAt(path: string | URL, position: number): Promise<Deno.FsFile> {
  const file = await Deno.open(path, { write: true });
  try {
    await file.seek(position, Deno.SeekMode.Start);
  } catch (error) {
    file.close();
    throw error;
  }
  return file;
}

/**
 * Pipes a web stream (Deno's `fetch` body) into the file at `position`, through a handle of its
 * own: Deno moves the bytes from the socket to the file without passing them through JavaScript.
 * A 1 GiB `deno task cp` download took 0.83-0.91 s read into a reused buffer and written with
 * `write()`, 0.72-0.75 s piped (0.25-0.30 s of user CPU before, 0.13-0.16 s now; curl 0.68-0.74 s).
 *
 * The pipe closes the handle: kept open (`preventClose`), Deno 2.9 let the pipe end before the
 * last writes of a JavaScript stream (a body the trace counts, a custom getter's) were made, and
 * they were lost (`tests/lib/download_test.ts`).
 *
 * @param length The body's length when the answer declares it (its bytes are then not counted
 *   here: a body shorter than declared fails `fetch`'s read); counted as they pass otherwise.
 * @returns The number of bytes written.
 */
async function pipeToFile(
  body: ReadableStream<Uint8Array>,
  path: string | URL,
  position: number,
  length: number | undefined,
): Promise<number> {
  let file: Deno.FsFile;
  try {
    file = await openAt(path, position);
  } catch (error) {
    await body.cancel().catch(() => {});
    throw error;
  }
  let counted = 0;
  const source = length !== undefined ? body : body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        counted += chunk.byteLength;
        controller.enqueue(chunk);
      },
    }),
  );
  try {
    await source.pipeTo(file.writable);
  } finally {
    try {
      file.close();
    } catch {
      // the pipe closed it
    }
  }
  return length ?? counted;
}

/**
 * Writes a file from `position` on, through a handle of its own: ranges written in parallel each
 * have their own file position (Deno's file API writes at the handle's position only).
 */
class RangeWriter {
  #file: Promise<Deno.FsFile>;

  constructor(path: string | URL, position: number, first?: Deno.FsFile) {
    this.#file = first ? Promise.resolve(first) : openAt(path, position);
  }

  async write(chunk: Uint8Array): Promise<void> {
    const file = await this.#file;
    let done = 0;
    while (done < chunk.byteLength) done += await file.write(chunk.subarray(done));
  }

  async close(): Promise<void> {
    (await this.#file).close();
  }
}

/**
 * Downloads an object to a file: the first range tells the size, the rest are fetched
 * `concurrency` at a time (pinned to the first response's ETag, so a concurrent overwrite fails
 * the download instead of mixing two versions) and written at their offsets.
 *
 * @param getRange Sends one GET (the SDK's client or the lean one).
 * @param input Bucket and key.
 * @param path The file to write (created or truncated).
 * @param options Concurrency, range sizes, progress, abort signal.
 * @returns The object's size and the first response (headers).
 * @throws The first request's error before the file is touched; a later error after removing
 *   the partial file.
 */
export async function downloadInRanges(
  getRange: RangeGetter,
  input: { bucket: string; key: string },
  path: string | URL,
  options: RangesOptions = {},
): Promise<{ size: number; first: RangeAnswer }> {
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const minRange = options.minRange ?? 8 * MiB;
  const maxRange = options.maxRange ?? 32 * MiB;
  const signal = options.signal;
  signal?.throwIfAborted();
  // The first request comes before the file is opened: a missing object leaves any existing
  // file untouched.
  let first: RangeAnswer;
  try {
    first = await getRange({ ...input, range: `bytes=0-${minRange - 1}`, signal });
  } catch (error) {
    // An empty object has no byte 0: S3 answers 416 InvalidRange. Ask for all of it.
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata
      ?.httpStatusCode;
    if (status !== 416) throw error;
    first = await getRange({ ...input, signal });
  }
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { write: true, create: true, truncate: true });
  } catch (error) {
    await discard(first.body);
    throw error;
  }
  const writers = new Set<RangeWriter>();
  try {
    let loaded = 0;
    const total = totalFrom(first);
    /**
     * Reads a body into the file from `position` on: a web stream piped (progress as the range
     * ends), a Node body chunk by chunk (the first range through `file`).
     */
    const drainAt = async (answer: RangeAnswer, position: number) => {
      const body = answer.body;
      if (body instanceof ReadableStream) {
        const length = answer.contentLength ?? rangeLength(answer.contentRange);
        const written = await pipeToFile(body, path, position, length); // not `loaded += await`
        loaded += written;
        options.onProgress?.({ loaded, total });
        return;
      }
      const writer = new RangeWriter(path, position, position === 0 ? file : undefined);
      if (position !== 0) writers.add(writer);
      await drain(body, async (chunk) => {
        await writer.write(chunk);
        loaded += chunk.byteLength;
        options.onProgress?.({ loaded, total });
      });
      if (position !== 0) {
        writers.delete(writer);
        await writer.close();
      }
    };
    // The first answer's length: its range's, or the whole object's.
    const firstLength = first.contentLength ?? rangeLength(first.contentRange);
    if (
      first.contentRange === undefined || total === undefined || firstLength === undefined ||
      firstLength >= total
    ) {
      await drainAt(first, 0);
      file.close();
      return { size: loaded, first };
    }
    const size = total;
    // The rest, in `concurrency` even ranges between minRange and maxRange, asked for as soon as
    // the size is known: the first range's body is read meanwhile.
    const rest = size - firstLength;
    const range = Math.min(maxRange, Math.max(minRange, Math.ceil(rest / concurrency)));
    const starts: number[] = [];
    for (let start = firstLength; start < size; start += range) starts.push(start);
    let next = 0;
    let failed = false;
    let started = 0;
    const worker = async () => {
      // The first worker reads the first answer's body; the others fetch the rest.
      if (started++ === 0) return await drainAt(first, 0);
      while (next < starts.length && !failed) {
        const start = starts[next++];
        const end = Math.min(size, start + range) - 1;
        const out = await getRange({
          ...input,
          range: `bytes=${start}-${end}`,
          ifMatch: first.etag,
          signal,
        });
        await drainAt(out, start);
      }
    };
    await allWorkers(1 + Math.min(concurrency, starts.length), worker, () => failed = true);
    if (loaded !== size) {
      throw new Error(`The download ended at ${loaded} of ${size} bytes; retry`);
    }
    file.close();
    return { size, first };
  } catch (error) {
    // The file was truncated when opened: a failed download leaves no partial file behind.
    for (const writer of writers) await writer.close().catch(() => {});
    try {
      file.close();
    } catch { /* already closed */ }
    await Deno.remove(path).catch(() => {});
    throw error;
  }
}

/** How to download to a file. */
export interface GetFileOptions {
  /** Byte ranges fetched in parallel (objects above 8 MiB). @default 4 */
  concurrency?: number;
  /** Called as bytes arrive. */
  onProgress?: (progress: Progress) => void;
  /** Stops the download; the partial file is removed. */
  signal?: AbortSignal;
}

/**
 * Downloads an object to a file (what `getFile()` does, through any client): checks the names
 * and that the folder exists, then fetches the ranges; failures become `S3RequestError`s.
 *
 * @param getRange Sends one GET.
 * @param cluster What the service is like (its bucket naming rules).
 * @param bucket The bucket.
 * @param key The object key.
 * @param path The file to write (replaced if it exists).
 * @param options Parallel ranges, progress callback, abort signal.
 * @returns The number of bytes written.
 */
export async function downloadFile(
  getRange: RangeGetter,
  cluster: ClusterFacts,
  bucket: string,
  key: string,
  path: string | URL,
  options: GetFileOptions = {},
): Promise<number> {
  validateBucketName(bucket, cluster.bucketNames);
  validateKey(key);
  const folder = dirname(path instanceof URL ? fileURLToPath(path) : path);
  const isFolder = await Deno.stat(folder).then((info) => info.isDirectory, () => false);
  if (!isFolder) {
    throw new Deno.errors.NotFound(
      `Cannot download "${bucket}/${key}" to "${path}": the folder "${folder}" does not exist; ` +
        "create it first or give another path",
    );
  }
  const context = { action: `download "${bucket}/${key}"`, bucket, key };
  const { size } = await request(
    context,
    () =>
      downloadInRanges(getRange, { bucket, key }, path, {
        concurrency: options.concurrency,
        onProgress: options.onProgress,
        signal: options.signal,
      }),
  );
  return size;
}
