/**
 * Recording: the SDK middleware that turns every HTTP attempt an `S3Client` makes (retries
 * included) into an exchange for the trace. Internal: `Traffic.attach()` installs it.
 *
 * Two middlewares in the deserialize step: the recorder, outside the SDK's deserializer, sees the
 * outcome (parsed or failed); the body counter, inside it, wraps a response body sent chunked
 * (no `content-length`, as Ceph RGW sends listings) so that the bytes really read are counted.
 * Bodies with a `content-length` are left untouched: downloads keep their speed.
 *
 * @module
 */

import { pipeline, Transform } from "node:stream";
import type { S3Client } from "@aws-sdk/client-s3";
import type { Exchange, ExchangeInput } from "./exchange.ts";
import { pickHeaders, REQUEST_HEADERS, RESPONSE_HEADERS } from "./_exchange_fields.ts";

/** Where the recorder puts what it sees: the trace. */
export interface ExchangeSink {
  /** Whether to record at all. */
  readonly enabled: boolean;
  /** Stores an exchange; returns the stored record (updated when a chunked body ends). */
  record(input: ExchangeInput): Exchange | undefined;
}

/** Bytes read so far from a chunked body, and the record to complete when it ends. */
interface BodyCount {
  bytes: number;
  done: boolean;
  exchange?: Exchange;
}

/**
 * Adds the recording middlewares to a client. Adding again replaces them.
 *
 * @param client The SDK's `S3Client`.
 * @param sink The trace.
 */
export function addRecorder(client: S3Client, sink: ExchangeSink): void {
  // One attempt's request object is the key from the recorder to the counter beneath it.
  const counts = new WeakMap<object, BodyCount>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (!sink.enabled) return next(args);
      // deno-lint-ignore no-explicit-any
      const request = args.request as any;
      const started = performance.now();
      const base = () => ({
        source: "sdk" as const,
        operation: typeof context.commandName === "string"
          ? context.commandName.replace(/Command$/, "")
          : undefined,
        method: String(request?.method ?? "?"),
        url: requestUrl(request),
        requestHeaders: pickHeaders(request?.headers, REQUEST_HEADERS),
        bytesSent: Number(request?.headers?.["content-length"] ?? bodyLength(request?.body)),
        ms: Math.round((performance.now() - started) * 10) / 10,
      });
      // deno-lint-ignore no-explicit-any
      const finish = (response: any, fields: Partial<ExchangeInput> & { status: number }) => {
        const count = request ? counts.get(request) : undefined;
        const exchange = sink.record({
          ...base(),
          ...fields,
          responseHeaders: pickHeaders(response?.headers, RESPONSE_HEADERS),
          bytesReceived: count ? count.bytes : Number(response?.headers?.["content-length"] ?? 0),
          ...(count && !count.done ? { chunked: true } : {}),
        });
        if (count && !count.done) count.exchange = exchange;
      };
      try {
        const result = await next(args);
        // deno-lint-ignore no-explicit-any
        const response = result.response as any;
        finish(response, { status: Number(response?.statusCode ?? 0) });
        return result;
      } catch (error) {
        // deno-lint-ignore no-explicit-any
        const e = error as any;
        const response = e?.$response;
        const status = Number(response?.statusCode ?? e?.$metadata?.httpStatusCode ?? 0);
        finish(response, {
          status,
          code: status === 0
            ? (e?.code ?? e?.name)
            : (e?.Code ?? (e?.name !== "UnknownError" ? e?.name : undefined)),
        });
        throw error;
      }
    },
    { step: "deserialize", priority: "high", name: "trafficRecorder", override: true },
  );
  client.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      if (!sink.enabled || !args.request) return result;
      // deno-lint-ignore no-explicit-any
      const response = result.response as any;
      const headers = response?.headers ?? {};
      const bodiless = (args.request as { method?: string }).method === "HEAD" ||
        [204, 304].includes(response?.statusCode);
      if (response?.body && !bodiless && headers["content-length"] === undefined) {
        const count: BodyCount = { bytes: 0, done: false };
        counts.set(args.request, count);
        response.body = countBody(response.body, count);
      }
      return result;
    },
    { step: "deserialize", priority: "low", name: "trafficBodyCounter", override: true },
  );
}

/** Passes a body through unchanged, counting its bytes; completes the record when it ends. */
function countBody(body: unknown, count: BodyCount): unknown {
  const add = (n: number) => count.bytes += n;
  const end = () => {
    count.done = true;
    if (count.exchange) {
      count.exchange.bytesReceived = count.bytes;
      count.exchange.chunked = false;
    }
  };
  if (body instanceof ReadableStream) {
    return body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          add(chunk.byteLength);
          controller.enqueue(chunk);
        },
        flush: end,
      }),
    );
  }
  // deno-lint-ignore no-explicit-any
  if (typeof (body as any)?.pipe === "function") {
    const counter = new Transform({
      transform(chunk: Uint8Array, _encoding, callback) {
        add(chunk.byteLength);
        callback(null, chunk);
      },
      flush(callback) {
        end();
        callback();
      },
    });
    // pipeline() passes an error or an early close of either side to the other.
    pipeline(body as NodeJS.ReadableStream, counter, () => {});
    return counter;
  }
  return body;
}

// deno-lint-ignore no-explicit-any
function requestUrl(request: any): string {
  if (!request) return "?";
  const port = request.port ? `:${request.port}` : "";
  const query = Object.entries(request.query ?? {}).flatMap(([k, v]) =>
    v === null || v === undefined
      ? [encodeURIComponent(k)]
      : (Array.isArray(v) ? v : [v]).map((x) =>
        `${encodeURIComponent(k)}=${encodeURIComponent(String(x))}`
      )
  );
  const qs = query.length ? `?${query.join("&")}` : "";
  return `${request.protocol ?? "http:"}//${request.hostname}${port}${request.path ?? "/"}${qs}`;
}

function bodyLength(body: unknown): number {
  if (typeof body === "string") return new TextEncoder().encode(body).length;
  if (body instanceof Uint8Array) return body.byteLength;
  return 0;
}
