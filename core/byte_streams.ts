/**
 * Reading a byte stream through one reused buffer (a BYOB reader): no new memory per chunk. The
 * embedded server sends an object's bytes this way (`server/http/respond.ts`).
 *
 * @module
 */

/**
 * A BYOB reader of `body` when it is a byte stream, else `null` (and `body` is left unlocked).
 *
 * @param body The stream.
 * @returns Its BYOB reader, or `null`.
 */
export function byobReaderOf(body: ReadableStream<Uint8Array>): ReadableStreamBYOBReader | null {
  try {
    return body.getReader({ mode: "byob" });
  } catch {
    return null; // not a byte stream
  }
}

/**
 * Reads to the end through one buffer of `size` bytes, handed back to the reader after each
 * chunk: `sink` must be done with a chunk when its promise settles.
 *
 * @param reader The reader.
 * @param size The buffer's size.
 * @param sink Takes each chunk.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { byobReaderOf, readThrough } from "./byte_streams.ts";
 *
 * let left = 10;
 * const body = new ReadableStream({
 *   type: "bytes",
 *   pull(controller) {
 *     const n = Math.min(left, controller.byobRequest!.view!.byteLength);
 *     left -= n;
 *     controller.byobRequest!.respond(n);
 *     if (left === 0) controller.close();
 *   },
 * });
 * const sizes: number[] = [];
 * await readThrough(byobReaderOf(body)!, 4, (chunk) => {
 *   sizes.push(chunk.length);
 *   return Promise.resolve();
 * });
 * assert.deepEqual(sizes, [4, 4, 2]);
 * ```
 */
export async function readThrough(
  reader: ReadableStreamBYOBReader,
  size: number,
  sink: (chunk: Uint8Array) => Promise<void>,
): Promise<void> {
  let buffer = new Uint8Array(size);
  for (;;) {
    const { done, value } = await reader.read(buffer);
    if (done) return;
    await sink(value);
    buffer = new Uint8Array(value.buffer); // the same memory, handed back
  }
}
