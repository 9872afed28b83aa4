/**
 * Large transfers in bounded memory: a multipart upload that reads each part from the file into
 * one of a few reused buffers, and a download that fetches byte ranges in parallel and writes each
 * where it belongs in the file. Internal to `objects.ts`.
 *
 * Why not `@aws-sdk/lib-storage`'s `Upload`: it concatenates the file stream's chunks into a new
 * buffer per part, and under Deno that garbage outruns the collector: a 1 GiB upload peaked at
 * 256 MB RSS and took 9.3 s; with reused part buffers it peaks at 119 MB and takes 5.6 s (same
 * machine, same server; see bench/).
 *
 * @module
 */

import { open, rm } from "node:fs/promises";
import { Readable } from "node:stream";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  type CreateMultipartUploadCommandInput,
  GetObjectCommand,
  type GetObjectCommandOutput,
  type S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import type { Progress } from "./types.ts";

const MiB = 1024 * 1024;
/** S3's smallest part (all but the last). */
export const MIN_PART_SIZE = 5 * MiB;
/** S3's largest part count. */
const MAX_PARTS = 10_000;

/** How to upload a file in parts. */
export interface PartsOptions {
  /** Part size; raised when the file would need more than 10,000 parts. @default 8 MiB */
  partSize?: number;
  /** Parts in flight (each holds one part-sized buffer). @default 4 */
  concurrency?: number;
  /** Called after each part. */
  onProgress?: (progress: Progress) => void;
  /** Aborts the upload (the multipart upload is aborted on the server too). */
  signal?: AbortSignal;
}

/**
 * Chooses the part size: the one asked for (at least 5 MiB), raised to whole MiB so the file fits
 * in 10,000 parts.
 *
 * @param size File size.
 * @param asked Part size asked for.
 * @returns The part size to use.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { choosePartSize } from "./_transfer.ts";
 *
 * assert.equal(choosePartSize(1024 ** 3, 8 * 1024 ** 2), 8 * 1024 ** 2);
 * ```
 */
export function choosePartSize(size: number, asked = 8 * MiB): number {
  const least = Math.ceil(size / MAX_PARTS / MiB) * MiB;
  return Math.max(MIN_PART_SIZE, asked, least);
}

async function readFully(
  file: Awaited<ReturnType<typeof open>>,
  buffer: Uint8Array,
  length: number,
  position: number,
): Promise<void> {
  let done = 0;
  while (done < length) {
    const { bytesRead } = await file.read(buffer, done, length - done, position + done);
    if (bytesRead === 0) throw new Error(`The file ended early, at byte ${position + done}`);
    done += bytesRead;
  }
}

/**
 * Runs `count` workers and waits for all of them to stop, even when one fails early (so nothing
 * is still writing when the caller cleans up), then throws the first failure.
 */
async function allWorkers(
  count: number,
  worker: () => Promise<void>,
  onFailure: () => void,
): Promise<void> {
  const results = await Promise.allSettled(
    Array.from({ length: count }, () =>
      worker().catch((error) => {
        onFailure();
        throw error;
      })),
  );
  const failure = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failure) throw failure.reason;
}

/**
 * Uploads a file as a multipart upload: parts read into reused buffers, `concurrency` at a time,
 * each retried by the client's retry strategy; on any failure the upload is aborted on the server
 * so no parts are left behind.
 *
 * @param client The S3 client.
 * @param params Bucket, key and the object's headers (content type, ACL, metadata).
 * @param path The file.
 * @param size The file's size (at least one byte).
 * @param options Part size, concurrency, progress, abort signal.
 * @returns The completed object's ETag.
 */
export async function uploadFileInParts(
  client: S3Client,
  params: CreateMultipartUploadCommandInput & { Bucket: string; Key: string },
  path: string | URL,
  size: number,
  options: PartsOptions = {},
): Promise<{ ETag?: string }> {
  const partSize = choosePartSize(size, options.partSize);
  const count = Math.ceil(size / partSize);
  const concurrency = Math.max(1, Math.min(options.concurrency ?? 4, count));
  const { Bucket, Key } = params;
  const signal = options.signal;
  signal?.throwIfAborted();
  const file = await open(path, "r");
  let uploadId: string | undefined;
  try {
    // Not abortable: a Create cut short may still create the upload on the server, and then its
    // id would be unknown here and the upload left behind. Once the id is known, abort it.
    const created = await client.send(new CreateMultipartUploadCommand(params));
    uploadId = created.UploadId!;
    signal?.throwIfAborted();
    const etags: string[] = new Array(count);
    let next = 0;
    let loaded = 0;
    let failed = false;
    const worker = async () => {
      const buffer = new Uint8Array(Math.min(partSize, size));
      while (next < count && !failed) {
        signal?.throwIfAborted();
        const index = next++;
        const position = index * partSize;
        const length = Math.min(partSize, size - position);
        await readFully(file, buffer, length, position);
        const out = await client.send(
          new UploadPartCommand({
            Bucket,
            Key,
            UploadId: uploadId,
            PartNumber: index + 1,
            Body: buffer.subarray(0, length),
            ContentLength: length,
          }),
          { abortSignal: signal },
        );
        etags[index] = out.ETag!;
        loaded += length;
        options.onProgress?.({ loaded, total: size });
      }
    };
    await allWorkers(concurrency, worker, () => failed = true);
    signal?.throwIfAborted();
    const done = await client.send(
      new CompleteMultipartUploadCommand({
        Bucket,
        Key,
        UploadId: uploadId,
        MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
      }),
      { abortSignal: signal },
    );
    uploadId = undefined;
    return { ETag: done.ETag };
  } finally {
    await file.close();
    if (uploadId !== undefined) {
      await client.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId: uploadId }))
        .catch(() => {});
    }
  }
}

/** How to download to a file. */
export interface RangesOptions {
  /** Ranges in flight. @default 4 */
  concurrency?: number;
  /** Smallest range worth a request of its own. @default 8 MiB */
  minRange?: number;
  /** Largest range per request. @default 256 MiB */
  maxRange?: number;
  /** Called as bytes arrive. */
  onProgress?: (progress: Progress) => void;
  /** Stops the download (the partial file is removed). */
  signal?: AbortSignal;
}

/** The total size from a `Content-Range: bytes a-b/total` header. */
function totalFrom(out: GetObjectCommandOutput): number | undefined {
  const m = /\/(\d+)\s*$/.exec(out.ContentRange ?? "");
  return m ? Number(m[1]) : out.ContentLength;
}

/** Releases a response body that will not be read. */
async function discard(body: unknown): Promise<void> {
  if (body instanceof ReadableStream) await body.cancel().catch(() => {});
  else if (body instanceof Readable) body.destroy();
}

/** Reads a response body chunk by chunk into `sink`, through a reused buffer when possible. */
async function drain(
  body: unknown,
  sink: (chunk: Uint8Array) => Promise<void>,
): Promise<void> {
  if (body instanceof ReadableStream) {
    let reader: ReadableStreamBYOBReader | undefined;
    try {
      reader = body.getReader({ mode: "byob" });
    } catch {
      reader = undefined;
    }
    if (reader) {
      // A byte stream (Deno's fetch): read into one buffer, no garbage per chunk.
      let buffer = new Uint8Array(MiB);
      while (true) {
        const { done, value } = await reader.read(buffer);
        if (done) return;
        await sink(value);
        buffer = new Uint8Array(value.buffer, 0, MiB);
      }
    }
    for await (const chunk of body as ReadableStream<Uint8Array>) await sink(chunk);
    return;
  }
  const stream = body instanceof Readable ? body : Readable.from(body as AsyncIterable<Uint8Array>);
  for await (const chunk of stream) await sink(chunk as Uint8Array);
}

/**
 * Downloads an object to a file: the first range tells the size, the rest are fetched
 * `concurrency` at a time (pinned to the first response's ETag, so a concurrent overwrite fails
 * the download instead of mixing two versions) and written at their offsets.
 *
 * @param client The S3 client.
 * @param input Bucket and key.
 * @param path The file to write (created or truncated).
 * @param options Concurrency, range sizes, progress, abort signal.
 * @returns The object's size and the first response (headers).
 * @throws The first request's error before the file is touched; a later error after removing
 *   the partial file.
 */
export async function downloadInRanges(
  client: S3Client,
  input: { Bucket: string; Key: string },
  path: string | URL,
  options: RangesOptions = {},
): Promise<{ size: number; first: GetObjectCommandOutput }> {
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const minRange = options.minRange ?? 8 * MiB;
  const maxRange = options.maxRange ?? 256 * MiB;
  const signal = options.signal;
  signal?.throwIfAborted();
  // The first request comes before the file is opened: a missing object leaves any existing
  // file untouched.
  let first: GetObjectCommandOutput;
  try {
    first = await client.send(
      new GetObjectCommand({ ...input, Range: `bytes=0-${minRange - 1}` }),
      { abortSignal: signal },
    );
  } catch (error) {
    // An empty object has no byte 0: S3 answers 416 InvalidRange. Ask for all of it.
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata
      ?.httpStatusCode;
    if (status !== 416) throw error;
    first = await client.send(new GetObjectCommand(input), { abortSignal: signal });
  }
  let file;
  try {
    file = await open(path, "w");
  } catch (error) {
    await discard(first.Body);
    throw error;
  }
  try {
    let loaded = 0;
    const total = totalFrom(first);
    const writeAt = (position: number) => async (chunk: Uint8Array) => {
      let done = 0;
      while (done < chunk.byteLength) {
        const { bytesWritten } = await file.write(
          chunk,
          done,
          chunk.byteLength - done,
          position + done,
        );
        done += bytesWritten;
      }
      position += chunk.byteLength;
      loaded += chunk.byteLength;
      options.onProgress?.({ loaded, total });
    };
    await drain(first.Body, writeAt(0));
    const size = total ?? loaded;
    if (first.ContentRange === undefined || loaded >= size) {
      await file.close();
      return { size: loaded, first };
    }
    // The rest, in `concurrency` even ranges between minRange and maxRange.
    const rest = size - loaded;
    const range = Math.min(maxRange, Math.max(minRange, Math.ceil(rest / concurrency)));
    const starts: number[] = [];
    for (let start = loaded; start < size; start += range) starts.push(start);
    let next = 0;
    let failed = false;
    const worker = async () => {
      while (next < starts.length && !failed) {
        const start = starts[next++];
        const end = Math.min(size, start + range) - 1;
        const out = await client.send(
          new GetObjectCommand({ ...input, Range: `bytes=${start}-${end}`, IfMatch: first.ETag }),
          { abortSignal: signal },
        );
        await drain(out.Body, writeAt(start));
      }
    };
    await allWorkers(Math.min(concurrency, starts.length), worker, () => failed = true);
    if (loaded !== size) {
      throw new Error(`The download ended at ${loaded} of ${size} bytes; retry`);
    }
    await file.close();
    return { size, first };
  } catch (error) {
    // The file was truncated when opened: a failed download leaves no partial file behind.
    await file.close().catch(() => {});
    await rm(path, { force: true });
    throw error;
  }
}
