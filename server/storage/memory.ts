/**
 * In-memory storage, the embedded server's default: bytes are kept as the chunks they arrived in
 * (never concatenated), and everything is gone when the process ends.
 *
 * @module
 */

import { type BlobReader, type BlobWriter, IndexedStorage } from "./indexed.ts";

/**
 * Storage that keeps buckets, objects and uploads in memory.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryStorage } from "./memory.ts";
 *
 * const storage = new MemoryStorage();
 * assert.deepEqual(storage.listBuckets(), []);
 * ```
 */
export class MemoryStorage extends IndexedStorage {
  #blobs = new Map<string, Uint8Array[]>();

  protected blobWriter(): Promise<BlobWriter> {
    const chunks: Uint8Array[] = [];
    const blobs = this.#blobs;
    return Promise.resolve({
      write(chunk: Uint8Array) {
        chunks.push(chunk);
        return Promise.resolve();
      },
      finish() {
        const ref = crypto.randomUUID();
        blobs.set(ref, chunks);
        return Promise.resolve(ref);
      },
      abort() {
        chunks.length = 0;
        return Promise.resolve();
      },
    });
  }

  protected openBlob(ref: string, start: number, end: number): Promise<BlobReader> {
    const chunks = this.#blobs.get(ref) ?? [];
    let index = 0;
    let offset = 0; // of chunks[index] in the blob
    let at = start; // the next byte to read
    return Promise.resolve({
      read(into: Uint8Array) {
        while (index < chunks.length && offset + chunks[index].byteLength <= at) {
          offset += chunks[index++].byteLength;
        }
        if (at > end || index === chunks.length) return Promise.resolve(null);
        const from = at - offset;
        const to = Math.min(chunks[index].byteLength, end - offset + 1, from + into.length);
        into.set(chunks[index].subarray(from, to));
        at += to - from;
        return Promise.resolve(to - from);
      },
      close() {},
    });
  }

  protected removeBlob(ref: string): Promise<void> {
    this.#blobs.delete(ref);
    return Promise.resolve();
  }

  protected saveBucket(): Promise<void> {
    return Promise.resolve();
  }

  protected saveVersion(): Promise<void> {
    return Promise.resolve();
  }

  protected saveUpload(): Promise<void> {
    return Promise.resolve();
  }
}
