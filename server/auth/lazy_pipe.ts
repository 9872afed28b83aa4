/**
 * `pipeThrough` for request bodies that reads nothing until the result is read. A
 * `TransformStream` pulls its first chunk as soon as it is piped, and on a request sent with
 * `Expect: 100-continue` that first read sends `100 Continue`: a request then refused from its
 * head alone (no permission, no such bucket) would have its body sent for nothing, which Ceph
 * RGW avoids.
 *
 * @module
 */

/**
 * Runs `transformer` over `body`, one source chunk per read of the result.
 *
 * @param body The source stream.
 * @param transformer A `Transformer` (its `transform` and `flush`; `enqueue` and `error` on
 *   the controller it gets).
 * @returns The transformed stream; cancelling it cancels `body`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { lazyPipe } from "./lazy_pipe.ts";
 *
 * let pulled = 0;
 * const body = new ReadableStream<Uint8Array>({
 *   pull(controller) {
 *     pulled++;
 *     controller.enqueue(new TextEncoder().encode("hi"));
 *     controller.close();
 *   },
 * }, { highWaterMark: 0 });
 * const upper = lazyPipe(body, {
 *   transform: (chunk, controller) => controller.enqueue(chunk.map((b) => b - 32)),
 * });
 * assert.equal(pulled, 0);
 * assert.equal(await new Response(upper).text(), "HI");
 * ```
 */
export function lazyPipe(
  body: ReadableStream<Uint8Array>,
  transformer: Transformer<Uint8Array, Uint8Array>,
): ReadableStream<Uint8Array> {
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      reader ??= body.getReader();
      let produced = false;
      const proxy: TransformStreamDefaultController<Uint8Array> = {
        desiredSize: controller.desiredSize,
        enqueue: (chunk) => {
          produced = true;
          controller.enqueue(chunk!);
        },
        error: (reason) => {
          throw reason;
        },
        terminate: () => {
          throw new TypeError("Cannot terminate a request body early");
        },
      };
      // A source chunk may yield nothing (framing only): read on until something comes out.
      while (!produced) {
        const { done, value } = await reader.read();
        if (done) {
          await transformer.flush?.(proxy);
          controller.close();
          return;
        }
        await transformer.transform?.(value, proxy);
      }
    },
    cancel: (reason) => reader ? reader.cancel(reason) : body.cancel(reason),
  }, { highWaterMark: 0 });
}
