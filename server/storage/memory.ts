/**
 * In-memory storage, the embedded server's default: bytes are kept as the chunks they arrived in
 * (never concatenated), and everything is gone when the process ends.
 *
 * @module
 */

import { type BlobWriter, IndexedStorage } from "./indexed.ts";

/**
 * Storage that keeps buckets, objects and uploads in memory.
 *
 * @example Usage
 * ```ts
 * import { MemoryStorage } from "./memory.ts";
 * const storage = new MemoryStorage();
 * console.log(storage.listBuckets()); // []
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

  protected openBlob(
    ref: string,
    start: number,
    end: number,
  ): Promise<ReadableStream<Uint8Array>> {
    const chunks = this.#blobs.get(ref) ?? [];
    let offset = 0;
    let index = 0;
    return Promise.resolve(
      new ReadableStream<Uint8Array>({
        pull(controller) {
          while (index < chunks.length && offset <= end) {
            const chunk = chunks[index++];
            const from = Math.max(start - offset, 0);
            const to = Math.min(end - offset + 1, chunk.byteLength);
            offset += chunk.byteLength;
            if (from < to) {
              controller.enqueue(chunk.subarray(from, to));
              return;
            }
          }
          controller.close();
        },
      }),
    );
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
