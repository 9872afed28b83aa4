/**
 * Large downloads on the lean path (`_lean.ts`): parallel byte ranges through `fetch`, each range
 * written through its own file handle at its own offset. Same contract as `_transfer.ts`'s
 * `downloadInRanges` (which `getFile` uses when the connection traces): ranges `concurrency` at a
 * time, pinned to the first response's ETag, no partial file left behind. Internal to
 * `objects.ts`. (Uploads stay on the SDK's Node handler: see `putFile`.)
 *
 * Why: `deno task cp` and a sync's large downloads then skip the AWS SDK's request path. Measured
 * in one process on the embedded server (1 GiB, tmpfs, 2 shared cores, noisy), the download takes
 * the same time as the SDK path's (1.0-1.7 s both) and the same memory (91 MB RSS for `deno task
 * cp`); the first range and the rest are asked for at once. Each range writes its chunks with
 * `writeSync`: `FsFile.write` (Deno's blocking pool) made the same download 1.7-2.1 s, a thread
 * hand-off per ~100 KiB chunk.
 *
 * @module
 */

import type { Progress } from "./types.ts";
import type { LeanClient } from "./_lean.ts";

const MiB = 1024 * 1024;

/** How to download a large object. */
export interface LeanTransferOptions {
  /** Ranges in flight. @default 4 */
  concurrency?: number;
  /** Called as bytes arrive. */
  onProgress?: (progress: Progress) => void;
  /** Stops the transfer. */
  signal?: AbortSignal;
}

/** Runs `count` workers, waits for all to stop even when one fails, then throws the first failure. */
async function allWorkers(count: number, worker: () => Promise<void>, onFailure: () => void) {
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

/** Writes a response body at `position` through its own handle, calling `onChunk` per chunk. */
async function writeBody(
  body: ReadableStream<Uint8Array> | null,
  path: string | URL,
  position: number,
  onChunk: (bytes: number) => void,
): Promise<void> {
  if (!body) return;
  const file = await Deno.open(path, { write: true });
  try {
    await file.seek(position, Deno.SeekMode.Start);
    const reader = body.getReader({ mode: "byob" });
    let buffer = new Uint8Array(MiB);
    try {
      while (true) {
        const { done, value } = await reader.read(buffer);
        if (done) return;
        let written = 0;
        while (written < value.byteLength) written += file.writeSync(value.subarray(written));
        onChunk(value.byteLength);
        buffer = new Uint8Array(value.buffer, 0, MiB);
      }
    } catch (error) {
      await reader.cancel().catch(() => {});
      throw error;
    }
  } finally {
    file.close();
  }
}

/**
 * Downloads an object to a file on the lean path: the first range tells the size, the rest
 * arrive `concurrency` at a time, pinned to the first response's ETag.
 *
 * @param lean The lean client.
 * @param input Bucket and key.
 * @param path The file to write (created or truncated).
 * @param options Concurrency, progress, abort signal.
 * @returns The object's size.
 * @throws The first request's error before the file is touched; a later error after removing
 *   the partial file.
 */
export async function leanDownloadInRanges(
  lean: LeanClient,
  input: { bucket: string; key: string },
  path: string | URL,
  options: LeanTransferOptions & { minRange?: number; maxRange?: number } = {},
): Promise<number> {
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const minRange = options.minRange ?? 8 * MiB;
  const maxRange = options.maxRange ?? 256 * MiB;
  const signal = options.signal;
  signal?.throwIfAborted();
  const get = (range?: string, ifMatch?: string) => {
    const headers: Record<string, string> = {};
    if (range) headers.range = range;
    if (ifMatch) headers["if-match"] = ifMatch;
    return lean.send({ method: "GET", ...input, headers, signal, operation: "GetObject" });
  };
  let first: Response;
  try {
    first = await get(`bytes=0-${minRange - 1}`);
  } catch (error) {
    // An empty object has no byte 0: S3 answers 416 InvalidRange. Ask for all of it.
    if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode !== 416) {
      throw error;
    }
    first = await get();
  }
  try {
    (await Deno.open(path, { write: true, create: true, truncate: true })).close();
  } catch (error) {
    await first.body?.cancel();
    throw error;
  }
  try {
    const contentRange = first.headers.get("content-range");
    const total = Number(
      /\/(\d+)\s*$/.exec(contentRange ?? "")?.[1] ??
        first.headers.get("content-length") ?? NaN,
    );
    let loaded = 0;
    const onChunk = (n: number) => {
      loaded += n;
      options.onProgress?.({ loaded, total: Number.isNaN(total) ? undefined : total });
    };
    const etag = first.headers.get("etag") ?? undefined;
    const rest = contentRange === null || Number.isNaN(total) ? 0 : total - minRange;
    // The first range and the rest at once: the rest in `concurrency` ranges, each written by
    // its own handle while the first is still arriving.
    const starts: number[] = [];
    const range = Math.min(maxRange, Math.max(minRange, Math.ceil(rest / concurrency)));
    for (let start = minRange; start < minRange + rest; start += range) starts.push(start);
    let next = 0;
    let failed = false;
    const worker = async () => {
      while (next < starts.length && !failed) {
        const start = starts[next++];
        const end = Math.min(total, start + range) - 1;
        const response = await get(`bytes=${start}-${end}`, etag);
        await writeBody(response.body, path, start, onChunk);
      }
    };
    await allWorkers(
      1 + Math.min(concurrency, starts.length),
      (() => {
        let firstTaken = false;
        return () => {
          if (!firstTaken) {
            firstTaken = true;
            return writeBody(first.body, path, 0, onChunk);
          }
          return worker();
        };
      })(),
      () => failed = true,
    );
    const size = Number.isNaN(total) ? loaded : total;
    if (loaded !== size) throw new Error(`The download ended at ${loaded} of ${size} bytes; retry`);
    return size;
  } catch (error) {
    await Deno.remove(path).catch(() => {});
    throw error;
  }
}
