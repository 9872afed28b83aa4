/**
 * The library's side of the benchmark, run as its own `deno run` process so that its memory is
 * measured alone: uploads or downloads one file, or PUTs then GETs many small objects, and prints
 * one JSON line of timings.
 *
 * @example Usage
 * ```sh
 * deno run --allow-net --allow-read --allow-write --allow-env --allow-sys bench/lib_client.ts \
 *   upload --endpoint http://127.0.0.1:9000 --bucket b --key big.bin --file /tmp/big.bin
 * ```
 *
 * @module
 */

import process from "node:process";
import { parseArgs } from "node:util";
import { connect, type Connection } from "../lib/connect.ts";
import { Traffic } from "../lib/traffic.ts";
import { getBytes, getFile, putFile, putObject } from "../lib/objects.ts";

/** What one run measured. */
export interface LibResult {
  /** Wall time of the measured part, in milliseconds. */
  ms: number;
  /** Bytes moved (transfers). */
  bytes?: number;
  /** Time with the trace on (`trace-overhead`), ms. */
  onMs?: number;
  /** Time with the trace off (`trace-overhead`), ms. */
  offMs?: number;
  /** Each round's time with the trace on, ms. */
  onRounds?: number[];
  /** Each round's time with the trace off, ms. */
  offRounds?: number[];
  /** CPU time (user + system) of this process with the trace on, ms. */
  onCpuMs?: number;
  /** CPU time with the trace off, ms. */
  offCpuMs?: number;
  /** The trace middleware's own time per request, µs. */
  tracerUsPerRequest?: number;
  /** CPU time per request with the trace off, µs. */
  cpuUsPerRequest?: number;
  /** HTTP exchanges the trace recorded. */
  traced: number;
}

/**
 * Measures what the trace middleware itself costs per request: it records one real PUT's
 * request and response, then replays them through a fresh `Traffic`'s middleware many times
 * (the trace full, as in a long script, so dropping the oldest entry is included).
 *
 * @param s3 A connection (its client sends the one real request).
 * @param bucket A bucket to PUT into.
 * @returns Microseconds per recorded exchange.
 */
async function tracerCost(s3: Connection, bucket: string): Promise<number> {
  let captured: { request: unknown; response: unknown } | undefined;
  s3.client.middlewareStack.add((next) => async (args) => {
    const result = await next(args);
    captured = { request: args.request, response: result.response };
    return result;
  }, { step: "deserialize", name: "benchCapture" });
  await putObject(s3, bucket, "tracer-cost", "x");
  s3.client.middlewareStack.remove("benchCapture");
  const trace = new Traffic();
  trace.addSecret("not-a-real-secret");
  // The trace's middlewares in the order added, outermost first, around the captured response.
  // deno-lint-ignore no-explicit-any
  const middlewares: any[] = [];
  trace.attach({ middlewareStack: { add: (m: unknown) => middlewares.push(m) } } as never);
  const context = { commandName: "PutObjectCommand" };
  const handler = middlewares.reduceRight(
    (next, middleware) => middleware(next, context),
    () => Promise.resolve({ response: captured!.response, output: {} }),
  );
  const rounds = 20_000;
  for (let i = 0; i < 2000; i++) await handler({ request: captured!.request });
  const started = performance.now();
  for (let i = 0; i < rounds; i++) await handler({ request: captured!.request });
  return ((performance.now() - started) * 1000) / rounds;
}

/**
 * Runs one benchmark action.
 *
 * @param args Command-line arguments: an action (`upload`, `download`, `small-put`,
 *   `small-get`, `trace-overhead`) and flags.
 * @returns The measurements.
 */
export async function run(args: string[]): Promise<LibResult> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      endpoint: { type: "string" },
      "access-key": { type: "string" },
      "secret-key": { type: "string" },
      bucket: { type: "string" },
      key: { type: "string", default: "big.bin" },
      file: { type: "string" },
      count: { type: "string", default: "1000" },
      size: { type: "string", default: "4096" },
      concurrency: { type: "string" },
      "part-size": { type: "string" },
      trace: { type: "boolean", default: false },
      prefix: { type: "string", default: "small/" },
      rounds: { type: "string", default: "3" },
    },
  });
  const action = positionals[0];
  const s3 = await connect({
    endpoint: values.endpoint,
    accessKeyId: values["access-key"],
    secretAccessKey: values["secret-key"],
    trace: values.trace,
  });
  try {
    const bucket = values.bucket!;
    // Transfers use the library's defaults unless told; small objects default to 8 in flight.
    const given = values.concurrency === undefined ? undefined : Number(values.concurrency);
    const concurrency = given ?? 8;
    const partSize = values["part-size"] ? Number(values["part-size"]) : undefined;
    if (action === "upload") {
      const started = performance.now();
      const out = await putFile(s3, bucket, values.key, values.file!, {
        concurrency: given,
        partSize,
      });
      return { ms: performance.now() - started, bytes: out.size, traced: s3.trace.entries.length };
    }
    if (action === "download") {
      const started = performance.now();
      const bytes = await getFile(s3, bucket, values.key, values.file!);
      return { ms: performance.now() - started, bytes, traced: s3.trace.entries.length };
    }
    const count = Number(values.count);
    const body = new Uint8Array(Number(values.size)).fill(120);
    const keys = Array.from(
      { length: count },
      (_, i) => `${values.prefix}${String(i).padStart(6, "0")}`,
    );
    const each = async (fn: (key: string) => Promise<unknown>) => {
      let next = 0;
      const worker = async () => {
        while (next < keys.length) await fn(keys[next++]);
      };
      const started = performance.now();
      await Promise.all(Array.from({ length: concurrency }, worker));
      return performance.now() - started;
    };
    const put = (key: string) => putObject(s3, bucket, key, body);
    const get = async (key: string) => {
      const bytes = await getBytes(s3, bucket, key);
      if (bytes.byteLength !== body.byteLength) {
        throw new Error(`Cannot verify "${key}": got ${bytes.byteLength} bytes`);
      }
    };
    if (action === "small-put") {
      return { ms: await each(put), traced: s3.trace.entries.length };
    }
    if (action === "small-get") {
      return { ms: await each(get), traced: s3.trace.entries.length };
    }
    if (action === "trace-overhead") {
      // Rounds alternate which mode goes first, so drift (other load) hits both alike.
      // Wall time and this process's CPU time: with the server on the same (shared) cores, the
      // wall time is noisier than the tracer's cost; the CPU time is what tracing adds.
      const onRounds: number[] = [];
      const offRounds: number[] = [];
      let onCpuMs = 0;
      let offCpuMs = 0;
      await each(put); // warm-up
      for (let round = 0; round < Number(values.rounds); round++) {
        for (const enabled of round % 2 === 0 ? [true, false] : [false, true]) {
          s3.trace.enabled = enabled;
          s3.trace.clear();
          const cpu = process.cpuUsage();
          const ms = await each(put) + await each(get);
          const used = process.cpuUsage(cpu);
          const cpuMs = (used.user + used.system) / 1000;
          (enabled ? onRounds : offRounds).push(ms);
          if (enabled) onCpuMs += cpuMs;
          else offCpuMs += cpuMs;
        }
      }
      const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
      const requests = Number(values.rounds) * count * 2; // per mode: a PUT and a GET each
      return {
        // The tracer's own cost per request, replayed without the network, against the CPU
        // time a request costs with tracing off: a figure the shared machine cannot blur.
        tracerUsPerRequest: await tracerCost(s3, bucket),
        cpuUsPerRequest: (offCpuMs * 1000) / requests,
        ms: sum(onRounds) + sum(offRounds),
        onMs: sum(onRounds),
        offMs: sum(offRounds),
        onRounds,
        offRounds,
        onCpuMs,
        offCpuMs,
        traced: s3.trace.entries.length,
      };
    }
    throw new TypeError(
      `Unknown action "${action}": use upload, download, small-put, small-get or trace-overhead`,
    );
  } finally {
    await s3.close();
  }
}

if (import.meta.main) {
  console.log(JSON.stringify(await run(Deno.args)));
}
