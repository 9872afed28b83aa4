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

import { parseArgs } from "node:util";
import { connect } from "../lib/connect.ts";
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
  /** HTTP exchanges the trace recorded. */
  traced: number;
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
      concurrency: { type: "string", default: "8" },
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
    const concurrency = Number(values.concurrency);
    const partSize = values["part-size"] ? Number(values["part-size"]) : undefined;
    if (action === "upload") {
      const started = performance.now();
      const out = await putFile(s3, bucket, values.key, values.file!, { concurrency, partSize });
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
      const onRounds: number[] = [];
      const offRounds: number[] = [];
      await each(put); // warm-up
      for (let round = 0; round < Number(values.rounds); round++) {
        for (const enabled of round % 2 === 0 ? [true, false] : [false, true]) {
          s3.trace.enabled = enabled;
          s3.trace.clear();
          const ms = await each(put) + await each(get);
          (enabled ? onRounds : offRounds).push(ms);
        }
      }
      const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
      return {
        ms: sum(onRounds) + sum(offRounds),
        onMs: sum(onRounds),
        offMs: sum(offRounds),
        onRounds,
        offRounds,
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
