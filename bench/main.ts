/**
 * `deno task bench`: measures the library against the AWS CLI, boto3 and rclone on the same
 * server (the embedded one in `--data` mode, in its own process, and Ceph RGW when `RGW_ENDPOINT`
 * is set): a large upload and download (MB/s, peak RSS of each client and of the server), many
 * small PUTs then GETs (ops/s), the traffic trace on and off, and the headless tour's wall time.
 * Prints markdown tables and writes the figures as JSON under `bench/results/`.
 *
 * @example Usage
 * ```sh
 * deno task bench --quick
 * RGW_ENDPOINT=http://127.0.0.1:7480 deno task bench --size 1GiB --small-count 1000
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { connect, type Connection } from "../lib/connect.ts";
import { createBucket, deleteBucket, emptyBucket } from "../lib/buckets.ts";
import { deleteObject } from "../lib/objects.ts";
import {
  awsCliClient,
  boto3Client,
  type Client,
  type Command,
  type Endpoint,
  libClient,
  libTraceCommand,
  rcloneClient,
  type SmallJob,
} from "./_clients.ts";
import { measure } from "./_proc.ts";
import {
  buildReport,
  type ClientFigures,
  type EndpointFigures,
  MB,
  type Transfer,
  writeResults,
} from "./_report.ts";
import { median, parseSize, sizeLabel } from "./_units.ts";
import { type ServerProcess, startServerProcess } from "./_server.ts";
import { perProcess, perProcessReport, type PerProcessRun } from "./_per_process.ts";

const HELP = `Usage: deno task bench [options]

Compares the library with the AWS CLI, boto3 and rclone on the embedded server (--data mode, own
process) and, when RGW_ENDPOINT is set, on Ceph RGW (keys: RGW_ACCESS_KEY/RGW_SECRET_KEY, default
the demo user's). Prints markdown tables; writes JSON to bench/results/.

Options:
  --size SIZE          Large transfer size (default 1GiB; e.g. 256MiB)
  --small-count N      Small objects PUT then GET per client (default 1000)
  --small-size SIZE    Size of each small object (default 4KiB)
  --concurrency N      Requests in flight for small objects, every client (default 10)
  --clients LIST       Comma-separated: lib,lib-semi,aws,boto3,rclone (default all)
  --trace-rounds N     Rounds of the trace on/off comparison, each of small-count/5
                       PUTs and GETs per mode (default 20)
  --tour-runs N        Runs of the headless tour (default 3; 0 to skip)
  --per-process N      Start-up: N processes per 4 KiB object each way, deno task cp against
                       rclone copyto, on the in-memory server and RGW (default 20; 0 to skip)
  --start-up-only      Only that case
  --no-rgw             Ignore RGW_ENDPOINT
  --data-dir DIR       Where the --data server keeps its files (a folder made inside DIR and
                       removed after; default: the temporary work folder). A tmpfs here compares
                       like for like with an RGW on memstore, which never touches a disk
  --rgw-size SIZE      Also run large transfers on RGW, of this size (default: small objects
                       only there; a test RGW on memstore holds 2 GiB in all, and RGW frees the
                       tails of deleted objects only after its garbage collection delay)
  --server-v8-flags F  V8 flags for the embedded server process, "" for none (default:
                       those of "deno task server" in deno.json, as are its permissions)
  --quick              Small sizes for a fast check: 64MiB, 200 small objects, 1 tour run
  --out FILE           Where to write the JSON (default bench/results/bench-<time>.json)
  -h, --help           Show this help

"lib-semi" is the library run with --v8-flags=--max-semi-space-size=1 (a smaller young
generation, so V8 frees transfer buffers sooner).`;

const LIB_SEMI_FLAGS = "--max-semi-space-size=1";
const ROOT = fileURLToPath(new URL("..", import.meta.url));

function failure(run: { code: number; stderr: string; stdout: string }): string {
  const text = (run.stderr.trim() || run.stdout.trim()).split("\n").slice(-3).join(" ");
  return `exit ${run.code}: ${text.slice(0, 300)}`;
}

/** The flags of `deno task server` (permissions, V8), so the bench runs the server as users do. */
async function serverTaskFlags(): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(`${ROOT}/deno.json`));
  const words = String(config.tasks?.server ?? "").split(/\s+/);
  return words.filter((w) => w.startsWith("--allow-") || w.startsWith("--v8-flags="));
}

async function makeRandomFile(path: string, size: number): Promise<void> {
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  try {
    const chunk = new Uint8Array(1024 * 1024);
    for (let written = 0; written < size; written += chunk.length) {
      for (let i = 0; i < chunk.length; i += 65536) {
        crypto.getRandomValues(chunk.subarray(i, i + 65536));
      }
      const part = chunk.subarray(0, Math.min(chunk.length, size - written));
      let offset = 0;
      while (offset < part.length) offset += await file.write(part.subarray(offset));
    }
  } finally {
    file.close();
  }
}

async function makeSmallFiles(dir: string, count: number, size: number): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  const body = new Uint8Array(size).fill(120);
  for (let i = 0; i < count; i++) {
    await Deno.writeFile(`${dir}/${String(i).padStart(6, "0")}`, body);
  }
}

function run(command: Command) {
  return measure(command.command, command.args, { env: command.env, cwd: ROOT });
}

async function transfer(
  command: Command,
  bytes: number,
  server: ServerProcess | undefined,
  check?: () => Promise<string | undefined>,
): Promise<Transfer> {
  await server?.resetPeak();
  const result = await run(command);
  const serverPeakRss = await server?.peakRss();
  if (result.code !== 0) return { error: failure(result), serverPeakRss };
  const problem = await check?.();
  if (problem) return { error: problem, serverPeakRss };
  return {
    ms: result.ms,
    mbPerSecond: bytes / MB / (result.ms / 1000),
    clientPeakRss: result.peakRss,
    serverPeakRss,
  };
}

async function fileSizeProblem(path: string, expected: number): Promise<string | undefined> {
  try {
    const size = (await Deno.stat(path)).size;
    return size === expected ? undefined : `downloaded ${size} bytes, expected ${expected}`;
  } catch {
    return "no file was written";
  }
}

async function benchEndpoint(
  to: Endpoint,
  clients: Client[],
  options: {
    work: string;
    bigFile: string;
    /** Large transfer size; none when undefined. */
    size?: number;
    small: Omit<SmallJob, "bucket" | "prefix" | "targetDir">;
    server?: ServerProcess;
  },
): Promise<EndpointFigures> {
  const s3 = await connect({
    endpoint: to.url,
    accessKeyId: to.accessKey,
    secretAccessKey: to.secretKey,
    trace: false,
  });
  const bucket = await createBucket(s3, { prefix: "e-bench" });
  const figures: ClientFigures[] = [];
  try {
    // Warm the server up (its JIT, caches) so the first client measured is not penalised.
    const warm = { ...options.small, bucket, prefix: "warm-up/", targetDir: options.work };
    warm.count = Math.min(200, warm.count);
    for (const command of [libClient().smallPut(to, warm), libClient().smallGet(to, warm)]) {
      await run(command);
    }
    for (const client of clients) {
      const tag = client.name.replace(/[^a-z0-9]+/gi, "-").toLowerCase();
      let upload: Transfer = { error: "skipped" };
      let download: Transfer = { error: "skipped" };
      if (options.size !== undefined) {
        const size = options.size;
        console.error(`[${to.name}] ${client.name}: ${sizeLabel(size)} up and down`);
        const key = `big-${tag}`;
        upload = await transfer(
          client.upload(to, bucket, key, options.bigFile),
          size,
          options.server,
        );
        const target = `${options.work}/download.bin`;
        download = upload.error
          ? { error: "nothing to download: the upload failed" }
          : await transfer(
            client.download(to, bucket, key, target),
            size,
            options.server,
            () => fileSizeProblem(target, size),
          );
        await Deno.remove(target).catch(() => {});
        // One large object at a time: a small test RGW (memstore) fills up fast.
        await deleteObject(s3, bucket, key).catch(() => {});
      }
      console.error(`[${to.name}] ${client.name}: ${options.small.count} small PUT then GET`);
      const targetDir = `${options.work}/small-get-${tag}`;
      await Deno.mkdir(targetDir, { recursive: true });
      const job: SmallJob = { ...options.small, bucket, prefix: `small-${tag}/`, targetDir };
      const smallFigures = async (command: Command) => {
        const result = await run(command);
        if (result.code !== 0) return { error: failure(result) };
        // Clients that time themselves (lib, boto3) also give the time without start-up.
        let innerMs: number | undefined;
        try {
          innerMs = JSON.parse(result.stdout.trim().split("\n").pop() ?? "").ms;
        } catch {
          innerMs = undefined;
        }
        return {
          ms: result.ms,
          opsPerSecond: job.count / (result.ms / 1000),
          innerOpsPerSecond: innerMs ? job.count / (innerMs / 1000) : undefined,
        };
      };
      const smallPut = await smallFigures(client.smallPut(to, job));
      const smallGet = await smallFigures(client.smallGet(to, job));
      await Deno.remove(targetDir, { recursive: true }).catch(() => {});
      figures.push({ client: client.name, upload, download, smallPut, smallGet });
      for (const [name, t] of [["upload", upload], ["download", download]] as const) {
        if (t.error && t.error !== "skipped") console.error(`  ${name} failed: ${t.error}`);
      }
      for (const [name, t] of [["small PUT", smallPut], ["small GET", smallGet]] as const) {
        if (t.error) console.error(`  ${name} failed: ${t.error}`);
      }
    }
  } finally {
    await cleanup(s3, bucket);
  }
  return { endpoint: to.name, url: to.url, size: options.size, clients: figures };
}

async function cleanup(s3: Connection, bucket: string): Promise<void> {
  try {
    await emptyBucket(s3, bucket);
    await deleteBucket(s3, bucket);
  } catch (error) {
    console.error(`Cannot remove bucket "${bucket}": ${(error as Error).message}`);
  } finally {
    await s3.close();
  }
}

async function traceOverhead(to: Endpoint, small: SmallJob, rounds: number) {
  const s3 = await connect({
    endpoint: to.url,
    accessKeyId: to.accessKey,
    secretAccessKey: to.secretKey,
    trace: false,
  });
  const bucket = await createBucket(s3, { prefix: "e-bench" });
  try {
    const command = libTraceCommand(to, { ...small, bucket, prefix: "trace/" }, rounds);
    const result = await run(command);
    if (result.code !== 0) return { error: failure(result) };
    const {
      onMs,
      offMs,
      onRounds,
      offRounds,
      onCpuMs,
      offCpuMs,
      tracerUsPerRequest,
      cpuUsPerRequest,
    } = JSON.parse(result.stdout.trim().split("\n").pop()!);
    // The median of the rounds' ratios resists one round hit by other load.
    const ratios = (onRounds as number[]).map((on, i) => on / offRounds[i]);
    return {
      onMs,
      offMs,
      onRounds,
      offRounds,
      onCpuMs,
      offCpuMs,
      tracerUsPerRequest,
      cpuUsPerRequest,
      wallOverheadPercent: (median(ratios) - 1) * 100,
      cpuOverheadPercent: (onCpuMs / offCpuMs - 1) * 100,
      overheadPercent: (tracerUsPerRequest / cpuUsPerRequest) * 100,
    };
  } finally {
    await cleanup(s3, bucket);
  }
}

async function tourTime(runs: number) {
  try {
    await Deno.stat(`${ROOT}/tour/main.ts`);
  } catch {
    return { error: "tour/main.ts does not exist yet" };
  }
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const result = await measure(Deno.execPath(), ["task", "tour"], { cwd: ROOT });
    if (result.code !== 0) return { error: failure(result), times };
    times.push(result.ms);
  }
  return { medianMs: median(times), times };
}

/**
 * Runs the benchmark.
 *
 * @param args Command-line arguments.
 * @returns The process exit code.
 */
export async function main(args: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        size: { type: "string" },
        "small-count": { type: "string" },
        "small-size": { type: "string", default: "4KiB" },
        concurrency: { type: "string", default: "10" },
        clients: { type: "string", default: "lib,lib-semi,aws,boto3,rclone" },
        "trace-rounds": { type: "string", default: "20" },
        "tour-runs": { type: "string" },
        "per-process": { type: "string" },
        "start-up-only": { type: "boolean", default: false },
        "no-rgw": { type: "boolean", default: false },
        "data-dir": { type: "string" },
        "rgw-size": { type: "string" },
        "server-v8-flags": { type: "string" },
        quick: { type: "boolean", default: false },
        out: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    console.error(`${(error as Error).message}; see --help`);
    return 2;
  }
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const size = parseSize(values.size ?? (values.quick ? "64MiB" : "1GiB"));
  const count = Number(values["small-count"] ?? (values.quick ? 200 : 1000));
  const smallSize = parseSize(values["small-size"]);
  const concurrency = Number(values.concurrency);
  const tourRuns = Number(values["tour-runs"] ?? (values.quick ? 1 : 3));
  const perProcessCount = Number(values["per-process"] ?? (values.quick ? 5 : 20));
  const work = await Deno.makeTempDir({ prefix: "s3-bench-" });
  const all: Record<string, Client> = {
    lib: libClient("lib"),
    "lib-semi": libClient("lib (semi-space 1 MiB)", LIB_SEMI_FLAGS),
    aws: awsCliClient(`${work}/aws-config`),
    boto3: boto3Client(),
    rclone: rcloneClient(`${work}/rclone.conf`),
  };
  const clients: Client[] = [];
  for (const name of values.clients.split(",").map((s) => s.trim()).filter(Boolean)) {
    if (!all[name]) {
      console.error(`Unknown client "${name}": use ${Object.keys(all).join(", ")}`);
      return 2;
    }
    clients.push(all[name]);
  }
  await Deno.writeTextFile(`${work}/rclone.conf`, "");
  const demo = { accessKey: "DEMOACCESSKEY", secretKey: "DEMOSECRETKEY" };
  let server: ServerProcess | undefined;
  let memoryServer: ServerProcess | undefined;
  let dataDir: string | undefined;
  const started = new Date();
  try {
    console.error(
      `Preparing ${sizeLabel(size)} of random bytes and ${count} small files in ${work}`,
    );
    const bigFile = `${work}/big.bin`;
    await makeRandomFile(bigFile, size);
    const sourceDir = `${work}/small`;
    await makeSmallFiles(sourceDir, count, smallSize);
    const small = { sourceDir, count, size: smallSize, concurrency };

    let serverFlags = await serverTaskFlags();
    if (values["server-v8-flags"] !== undefined) {
      serverFlags = serverFlags.filter((f) => !f.startsWith("--v8-flags="));
      if (values["server-v8-flags"]) serverFlags.push(`--v8-flags=${values["server-v8-flags"]}`);
    }
    dataDir = values["data-dir"] === undefined
      ? `${work}/data`
      : await Deno.makeTempDir({ dir: values["data-dir"], prefix: "s3-bench-data-" });
    server = await startServerProcess(dataDir, serverFlags);
    const embedded: Endpoint = {
      name: values["data-dir"] === undefined ? "embedded" : `embedded (--data in ${dataDir})`,
      url: server.url,
      ...demo,
    };
    const startUps: PerProcessRun[] = [];
    const startUp = async (to: Endpoint) => {
      if (perProcessCount <= 0) return;
      console.error(`[${to.name}] one process per 4 KiB object, ${perProcessCount} each way`);
      const s3 = await connect({
        endpoint: to.url,
        accessKeyId: to.accessKey,
        secretAccessKey: to.secretKey,
        trace: false,
      });
      const bucket = await createBucket(s3, { prefix: "e-start" });
      try {
        startUps.push(
          await perProcess(to, bucket, work, perProcessCount, `${work}/rclone.conf`),
        );
      } finally {
        await cleanup(s3, bucket);
      }
    };
    if (values["start-up-only"]) {
      memoryServer = await startServerProcess(undefined, serverFlags);
      await startUp({ name: "embedded-memory", url: memoryServer.url, ...demo });
      const rgwOnly = Deno.env.get("RGW_ENDPOINT");
      if (rgwOnly && !values["no-rgw"]) {
        await startUp({
          name: "rgw",
          url: rgwOnly,
          accessKey: Deno.env.get("RGW_ACCESS_KEY") ?? demo.accessKey,
          secretKey: Deno.env.get("RGW_SECRET_KEY") ?? demo.secretKey,
        });
      }
      const only = perProcessReport(startUps);
      console.log(only.markdown);
      for (const t of only.targets) {
        console.log(`- ${t.target}: ${t.measured} (${t.met ? "met" : "NOT met"})`);
      }
      return 0;
    }
    const endpoints: EndpointFigures[] = [
      await benchEndpoint(embedded, clients, { work, bigFile, size, small, server }),
    ];
    await server.stop();
    server = undefined;
    // In memory too: the like-for-like peer of an RGW on memstore, for small objects.
    memoryServer = await startServerProcess(undefined, serverFlags);
    const memory: Endpoint = { name: "embedded-memory", url: memoryServer.url, ...demo };
    endpoints.push(await benchEndpoint(memory, clients, { work, bigFile, small }));
    const rgwUrl = Deno.env.get("RGW_ENDPOINT");
    await startUp(memory);
    if (rgwUrl && !values["no-rgw"]) {
      const rgw: Endpoint = {
        name: "rgw",
        url: rgwUrl,
        accessKey: Deno.env.get("RGW_ACCESS_KEY") ?? demo.accessKey,
        secretKey: Deno.env.get("RGW_SECRET_KEY") ?? demo.secretKey,
      };
      const rgwSize = values["rgw-size"] === undefined ? undefined : parseSize(values["rgw-size"]);
      if (rgwSize !== undefined && rgwSize > size) {
        console.error(`--rgw-size must not exceed --size (${sizeLabel(size)})`);
        return 2;
      }
      let rgwBig = bigFile;
      if (rgwSize !== undefined && rgwSize !== size) {
        rgwBig = `${work}/rgw.bin`;
        await makeRandomFile(rgwBig, rgwSize);
      }
      endpoints.push(
        await benchEndpoint(rgw, clients, { work, bigFile: rgwBig, size: rgwSize, small }),
      );
      await startUp(rgw);
    }
    const traceCount = Math.max(50, Math.round(count / 5));
    console.error(`Tracer on vs off (${values["trace-rounds"]} rounds of ${traceCount} PUT+GET)`);
    const trace = await traceOverhead(
      memory,
      // Many short rounds, alternating, so drift in the machine's load hits both modes alike.
      { ...small, count: traceCount, bucket: "", prefix: "", targetDir: "" },
      Number(values["trace-rounds"]),
    );
    await memoryServer.stop();
    memoryServer = undefined;
    console.error(`Headless tour (${tourRuns} runs)`);
    const tour = tourRuns > 0 ? await tourTime(tourRuns) : { error: "skipped" };

    const report = buildReport({ endpoints, trace, tour, size, count, smallSize, concurrency });
    const startUpReport = perProcessReport(startUps);
    report.targets.push(...startUpReport.targets);
    console.log(report.markdown);
    if (startUps.length > 0) console.log(`\n${startUpReport.markdown}`);
    const out = values.out ??
      `${ROOT}/bench/results/bench-${started.toISOString().replace(/[:.]/g, "-")}.json`;
    await writeResults(out, {
      started,
      settings: { size, smallCount: count, smallSize, concurrency, serverFlags },
      endpoints,
      trace,
      tour,
      startUp: startUps,
      targets: report.targets,
    });
    console.error(`Wrote ${out}`);
    return 0;
  } finally {
    await server?.stop();
    await memoryServer?.stop();
    await Deno.remove(work, { recursive: true }).catch(() => {});
    if (dataDir) await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
