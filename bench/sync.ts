/**
 * `deno task bench-sync`: folders through `deno task sync` against `aws s3 sync` (AWS CLI v2) and
 * `rclone sync` on the same embedded server (its own process, `--data`) in one run, each tool
 * with its own defaults: 1,000 files of 4 KiB up, a re-sync with nothing changed (wall time and
 * the PUTs the server saw, read from its request log), down into an empty folder; 100 files of
 * 10 MiB up and down (MB/s); the peak RSS of each. Then `deno task cp` of one large file both ways
 * against a single raw `curl --aws-sigv4` stream, and `deno task sync` of 100,000 tiny files (peak
 * RSS: the walk and the listing are streamed). Prints markdown; writes JSON to `bench/results/`.
 *
 * @example Usage
 * ```sh
 * deno task bench-sync --data-dir /mnt/ramdisk
 * deno task bench-sync --quick
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { createHash } from "node:crypto";
import { connect } from "../lib/connect.ts";
import { createBucket, deleteBucket, emptyBucket } from "../lib/buckets.ts";
import { measure } from "./_proc.ts";
import { cell, markdownTable, MB, writeResults } from "./_report.ts";
import { startServerProcess } from "./_server.ts";
import { median, parseSize, sizeLabel } from "./_units.ts";

const HELP = `Usage: deno task bench-sync [options]

Compares deno task sync with aws s3 sync (/usr/bin/aws, v2) and rclone sync on the embedded
server (own process, --data), and deno task cp with one curl --aws-sigv4 stream (sending
UNSIGNED-PAYLOAD, and, like for like with cp's uploads, once more signing the file's SHA-256).

Options:
  --small N            Small files (default 1000)
  --small-size SIZE    Their size (default 4KiB)
  --big N              Large files (default 100)
  --big-size SIZE      Their size (default 10MiB)
  --cp-size SIZE       The cp/curl file (default 1GiB; 0 to skip)
  --cp-runs N          Runs of cp and of each curl each way, taking turns; the fastest counts, the
                       median is shown too (default 4)
  --many N             Tiny files for the memory run (default 100000; 0 to skip)
  --tools LIST         lib,aws,rclone (default all)
  --rounds N           Rounds of the sync phases, tools taking turns; the median is reported
                       (default 1)
  --data-dir DIR       Where the server keeps its files (default: the work folder). A tmpfs
                       compares like for like with an RGW on memstore: mount one with
                       mount -t tmpfs -o size=4g tmpfs /mnt/ramdisk (not /dev/shm: Deno
                       asks for every permission for a path under /dev)
  --quick              200 small, 10 big, 64MiB cp, 10000 many
  --out FILE           JSON results (default bench/results/bench-sync-<time>.json)
  -h, --help           Show this help`;

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const KEYS = { accessKey: "DEMOACCESSKEY", secretKey: "DEMOSECRETKEY" };

/** The `deno run` flags of a deno.json task, so the bench runs it as users do. */
async function taskFlags(name: string): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(`${ROOT}/deno.json`));
  const words = String(config.tasks?.[name] ?? "").split(/\s+/);
  return words.filter((w) => w.startsWith("--allow-") || w.startsWith("--v8-flags="));
}

interface Tool {
  name: string;
  sync(
    src: string,
    dest: string,
  ): { command: string; args: string[]; env: Record<string, string | undefined> };
}

function tools(url: string, work: string, syncFlags: string[]): Record<string, Tool> {
  const awsConfig = `${work}/aws-config`;
  Deno.writeTextFileSync(awsConfig, "[default]\nregion = us-east-1\n");
  Deno.writeTextFileSync(`${work}/rclone.conf`, "");
  const base = { AWS_ACCESS_KEY_ID: KEYS.accessKey, AWS_SECRET_ACCESS_KEY: KEYS.secretKey };
  const s3 = (p: string) => p.startsWith("s3://");
  return {
    lib: {
      name: "deno task sync",
      sync: (src, dest) => ({
        command: Deno.execPath(),
        args: ["run", ...syncFlags, `${ROOT}/cli/sync.ts`, "--endpoint", url, "--quiet", src, dest],
        env: { ...base, AWS_PROFILE: undefined },
      }),
    },
    aws: {
      name: "aws s3 sync",
      sync: (src, dest) => ({
        command: "/usr/bin/aws",
        args: [
          "--endpoint-url",
          url,
          "s3",
          "sync",
          "--no-progress",
          "--only-show-errors",
          src,
          dest,
        ],
        env: {
          ...base,
          AWS_CONFIG_FILE: awsConfig,
          AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
          AWS_PROFILE: undefined,
        },
      }),
    },
    rclone: {
      name: "rclone sync",
      sync: (src, dest) => ({
        command: "rclone",
        args: [
          "sync",
          s3(src) ? `:s3:${src.slice(5)}` : src,
          s3(dest) ? `:s3:${dest.slice(5)}` : dest,
          "--s3-no-check-bucket",
        ],
        env: {
          AWS_CA_BUNDLE: undefined,
          RCLONE_CONFIG: `${work}/rclone.conf`,
          RCLONE_S3_PROVIDER: "Other",
          RCLONE_S3_ENDPOINT: url,
          RCLONE_S3_ACCESS_KEY_ID: KEYS.accessKey,
          RCLONE_S3_SECRET_ACCESS_KEY: KEYS.secretKey,
          RCLONE_S3_REGION: "us-east-1",
        },
      }),
    },
  };
}

async function writeFiles(dir: string, count: number, size: number, random: boolean) {
  await Deno.mkdir(dir, { recursive: true });
  const body = new Uint8Array(size);
  for (let i = 0; i < count; i++) {
    if (random) {
      for (let o = 0; o < size; o += 65536) crypto.getRandomValues(body.subarray(o, o + 65536));
    } else body.fill(i % 251);
    await Deno.writeFile(`${dir}/${String(i).padStart(6, "0")}.bin`, body);
  }
}

async function treeSize(dir: string): Promise<{ files: number; bytes: number }> {
  let files = 0;
  let bytes = 0;
  for await (const e of Deno.readDir(dir)) {
    if (e.isDirectory) {
      const sub = await treeSize(`${dir}/${e.name}`);
      files += sub.files;
      bytes += sub.bytes;
    } else if (e.isFile) {
      files++;
      bytes += (await Deno.stat(`${dir}/${e.name}`)).size;
    }
  }
  return { files, bytes };
}

/** One tool's figures for one phase. */
export interface Run {
  /** Wall time of the run that counts, ms. */
  ms?: number;
  /** Its peak RSS, bytes. */
  peakRss?: number;
  /** PUT requests the server saw. */
  puts?: number;
  /** Requests the server saw, by operation. */
  requests?: Record<string, number>;
  /** Wall times of every round, ms (the median is the one reported). */
  rounds?: number[];
  /** Why it failed. */
  error?: string;
}

function puts(counts: Map<string, number>): number {
  return ["PutObject", "UploadPart", "CreateMultipartUpload", "CopyObject"]
    .reduce((n, op) => n + (counts.get(op) ?? 0), 0);
}

/**
 * Runs the benchmark.
 *
 * @param args Command-line arguments.
 * @returns The exit code.
 */
export async function main(args: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        small: { type: "string" },
        "small-size": { type: "string", default: "4KiB" },
        big: { type: "string" },
        "big-size": { type: "string", default: "10MiB" },
        "cp-size": { type: "string" },
        "cp-runs": { type: "string", default: "4" },
        many: { type: "string" },
        rounds: { type: "string", default: "1" },
        tools: { type: "string", default: "lib,aws,rclone" },
        "data-dir": { type: "string" },
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
  const q = values.quick;
  const small = Number(values.small ?? (q ? 200 : 1000));
  const smallSize = parseSize(values["small-size"]);
  const big = Number(values.big ?? (q ? 10 : 100));
  const bigSize = parseSize(values["big-size"]);
  const cpSize = parseSize(values["cp-size"] ?? (q ? "64MiB" : "1GiB"));
  const many = Number(values.many ?? (q ? 10_000 : 100_000));
  const cpRuns = Math.max(1, Number(values["cp-runs"]));
  const roundCount = Math.max(1, Number(values.rounds));
  const work = await Deno.makeTempDir({ prefix: "s3-bench-sync-" });
  const dataDir = values["data-dir"] === undefined
    ? `${work}/data`
    : await Deno.makeTempDir({ dir: values["data-dir"], prefix: "s3-bench-sync-data-" });
  const started = new Date();
  const server = await startServerProcess(dataDir, await taskFlags("server"), true);
  const all = tools(server.url, work, await taskFlags("sync"));
  const chosen = values.tools.split(",").map((t) => t.trim()).filter(Boolean);
  for (const t of chosen) {
    if (!all[t]) {
      console.error(`Unknown tool "${t}": use lib, aws, rclone`);
      return 2;
    }
  }
  const s3 = await connect({
    endpoint: server.url,
    accessKeyId: KEYS.accessKey,
    secretAccessKey: KEYS.secretKey,
    trace: false,
  });
  const bucket = await createBucket(s3, { prefix: "bench-sync" });
  const results: Record<string, Record<string, Run>> = {};
  const rounds: Record<string, Record<string, Run[]>> = {};
  const run = async (label: string, tool: string, src: string, dest: string) => {
    const c = all[tool].sync(src, dest);
    server.resetRequests();
    const out = await measure(c.command, c.args, { env: c.env, cwd: ROOT });
    const counts = server.requests();
    const r: Run = out.code === 0
      ? {
        ms: out.ms,
        peakRss: out.peakRss,
        puts: puts(counts),
        requests: Object.fromEntries(counts),
      }
      : { error: `exit ${out.code}: ${(out.stderr || out.stdout).trim().slice(-300)}` };
    // Over rounds, keep the median run (by wall time) of each phase and tool, and every time.
    const runs = (rounds[label] ??= {})[tool] ??= [];
    runs.push(r);
    const ok = runs.filter((x) => !x.error).sort((a, b) => a.ms! - b.ms!);
    (results[label] ??= {})[tool] = ok.length === runs.length
      ? { ...ok[Math.floor((ok.length - 1) / 2)], rounds: ok.map((x) => Math.round(x.ms!)) }
      : runs.find((x) => x.error)!;
    console.error(
      `${label} ${tool}: ${
        r.error ?? `${cell(r.ms)} ms, ${cell((r.peakRss ?? 0) / MB)} MB, ${r.puts} PUT`
      }`,
    );
    return r;
  };
  try {
    console.error(
      `Preparing ${small} × ${sizeLabel(smallSize)} and ${big} × ${sizeLabel(bigSize)}`,
    );
    await writeFiles(`${work}/small`, small, smallSize, false);
    await writeFiles(`${work}/big`, big, bigSize, true);
    // Warm the server up (JIT), as bench/main.ts does.
    await run("warm-up", chosen[0], `${work}/small`, `s3://${bucket}/warm-up`);
    delete results["warm-up"];
    // Tools take turns round after round, so a burst of load from elsewhere hits all of them.
    for (let round = 0; round < roundCount; round++) {
      for (const tool of chosen) {
        const remote = `s3://${bucket}/${tool}`;
        await run("small up", tool, `${work}/small`, `${remote}/small`);
        await run("small re-sync", tool, `${work}/small`, `${remote}/small`);
        await run("small down", tool, `${remote}/small`, `${work}/down-${tool}-small`);
        const got = await treeSize(`${work}/down-${tool}-small`).catch(() => ({
          files: 0,
          bytes: 0,
        }));
        if (got.files !== small || got.bytes !== small * smallSize) {
          results["small down"][tool].error =
            rounds["small down"][tool].at(-1)!.error =
              `downloaded ${got.files} files, ${got.bytes} bytes`;
        }
        await Deno.remove(`${work}/down-${tool}-small`, { recursive: true }).catch(() => {});
        await run("big up", tool, `${work}/big`, `${remote}/big`);
        await run("big down", tool, `${remote}/big`, `${work}/down-${tool}-big`);
        const gotBig = await treeSize(`${work}/down-${tool}-big`).catch(() => ({
          files: 0,
          bytes: 0,
        }));
        if (gotBig.files !== big || gotBig.bytes !== big * bigSize) {
          results["big down"][tool].error =
            `downloaded ${gotBig.files} files, ${gotBig.bytes} bytes`;
        }
        await Deno.remove(`${work}/down-${tool}-big`, { recursive: true }).catch(() => {});
        await emptyPrefix(bucket, s3);
      }
    }
    await Deno.remove(`${work}/big`, { recursive: true });

    const cp: Record<string, Run> = {};
    if (cpSize > 0) {
      console.error(`cp and curl: ${sizeLabel(cpSize)} up and down`);
      await writeFiles(`${work}/cp`, 1, cpSize, true);
      const file = `${work}/cp/000000.bin`;
      const cpFlags = await taskFlags("cp");
      const env = { AWS_ACCESS_KEY_ID: KEYS.accessKey, AWS_SECRET_ACCESS_KEY: KEYS.secretKey };
      const timed = async (name: string, command: string, a: string[]) => {
        // Each transfer starts with no dirty page pending: else the write-back of the file just
        // written (or downloaded) lands on whichever runs next, cp or curl.
        await new Deno.Command("sync").output();
        const out = await measure(command, a, { env, cwd: ROOT });
        const run: Run = out.code === 0
          ? { ms: out.ms, peakRss: out.peakRss }
          : { error: `exit ${out.code}: ${(out.stderr || out.stdout).trim().slice(-300)}` };
        // Each runs --cp-runs times: the fastest run counts, every time is kept.
        const before = cp[name];
        const times = [...(before?.rounds ?? []), ...(run.ms ? [Math.round(run.ms)] : [])];
        const best = [before, run].filter((r): r is Run => r !== undefined && !r.error)
          .sort((x, y) => x.ms! - y.ms!)[0];
        cp[name] = best ? { ...best, rounds: times } : run;
        console.error(`${name}: ${run.error ?? `${cell(out.ms)} ms`}`);
      };
      const cpArgs = ["run", ...cpFlags, `${ROOT}/cli/cp.ts`, "--endpoint", server.url, "--quiet"];
      const curl = [
        "-sS",
        "--fail",
        "--aws-sigv4",
        "aws:amz:us-east-1:s3",
        "--user",
        `${KEYS.accessKey}:${KEYS.secretKey}`,
        "-H",
        "x-amz-content-sha256: UNSIGNED-PAYLOAD",
      ];
      const objectUrl = (key: string) => `${server.url}/${bucket}/${key}`;
      const cpUp = () =>
        timed("cp up", Deno.execPath(), [...cpArgs, file, `s3://${bucket}/cp.bin`]);
      const curlUp = () =>
        timed("curl up", "curl", [...curl, "-T", file, "-o", "/dev/null", objectUrl("curl.bin")]);
      // Like for like with cp, whose parts are signed: curl given the file's SHA-256 (computed
      // before, untimed) as a signed x-amz-content-sha256, which the server then checks.
      const fileSha256 = await sha256File(file);
      const signedCurl = curl.map((a) =>
        a.startsWith("x-amz-content-sha256:") ? `x-amz-content-sha256: ${fileSha256}` : a
      );
      const curlSignedUp = () =>
        timed("curl signed up", "curl", [
          ...signedCurl,
          "-T",
          file,
          "-o",
          "/dev/null",
          objectUrl("curl.bin"),
        ]);
      const cpDown = async () => {
        await timed("cp down", Deno.execPath(), [
          ...cpArgs,
          `s3://${bucket}/cp.bin`,
          `${work}/cp.back`,
        ]);
        await Deno.remove(`${work}/cp.back`).catch(() => {});
      };
      // The object cp downloads (stored in parts), so both read the same bytes the same way.
      const curlDown = async () => {
        await timed("curl down", "curl", [...curl, "-o", `${work}/curl.back`, objectUrl("cp.bin")]);
        await Deno.remove(`${work}/curl.back`).catch(() => {});
      };
      // Each round in another order (A-B-C, B-C-A, C-A-B...; A-B, B-A), so no tool always runs
      // first (a cold server, a cache) or last.
      const turns = <T>(...steps: T[]) =>
        Array.from({ length: cpRuns }, (_, i) => steps.map((_, j) => steps[(i + j) % steps.length]))
          .flat();
      for (const step of turns(cpUp, curlUp, curlSignedUp)) await step();
      // One untimed curl download into the same folder first: what the uploads leave behind (the
      // server freeing the objects just overwritten, the first large write to that disk in a
      // while) falls on neither tool. Without it the first download, always cp's, took 2.1-2.8 s
      // where the later ones took 1.3-1.9 s (and a warm-up into /dev/null did not help).
      await new Deno.Command("curl", {
        args: [...curl, "-o", `${work}/warm-up.back`, objectUrl("cp.bin")],
        env,
        stdout: "null",
      }).output();
      await Deno.remove(`${work}/warm-up.back`).catch(() => {});
      for (const step of turns(cpDown, curlDown)) await step();
      await Deno.remove(`${work}/cp`, { recursive: true });
      await emptyPrefix(bucket, s3);
    }

    let manyRuns: Record<string, Run> = {};
    if (many > 0 && chosen.includes("lib")) {
      console.error(`${many} tiny files: writing them`);
      const dir = `${work}/many`;
      for (let d = 0; d * 1000 < many; d++) {
        await Deno.mkdir(`${dir}/${String(d).padStart(3, "0")}`, { recursive: true });
        for (let i = d * 1000; i < Math.min(many, (d + 1) * 1000); i++) {
          await Deno.writeTextFile(`${dir}/${String(d).padStart(3, "0")}/${i}.txt`, `${i}\n`);
        }
      }
      await run("many up", "lib", dir, `s3://${bucket}/many`);
      await run("many re-sync", "lib", dir, `s3://${bucket}/many`);
      manyRuns = { up: results["many up"].lib, resync: results["many re-sync"].lib };
      delete results["many up"];
      delete results["many re-sync"];
    }

    const markdown = syncReport(results, cp, manyRuns, {
      small,
      smallSize,
      big,
      bigSize,
      cpSize,
      many,
    });
    console.log(markdown);
    const out = values.out ??
      `${ROOT}/bench/results/bench-sync-${started.toISOString().replace(/[:.]/g, "-")}.json`;
    await writeResults(out, {
      started,
      settings: { small, smallSize, big, bigSize, cpSize, many, dataDir: values["data-dir"] },
      endpoints: [],
      trace: {},
      tour: undefined,
      targets: [],
      ...{ sync: results, cp, many: manyRuns },
    } as never);
    console.error(`Wrote ${out}`);
    return 0;
  } finally {
    await emptyBucket(s3, bucket).catch(() => {});
    await deleteBucket(s3, bucket).catch(() => {});
    await s3.close();
    await server.stop();
    await Deno.remove(work, { recursive: true }).catch(() => {});
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
}

/** Empties the bench bucket between tools, so each lists only its own objects. */
async function emptyPrefix(bucket: string, s3: Awaited<ReturnType<typeof connect>>) {
  await emptyBucket(s3, bucket).catch(() => {});
}

/**
 * The Markdown report of a run: the sync phases' table and the targets, each judged.
 *
 * @param results Sync phases by label (`small up`...), then by tool (`lib`, `aws`, `rclone`).
 * @param cp `cp up`, `curl up`, `curl signed up`, `cp down`, `curl down`.
 * @param many The tiny-files memory run (`up`, `resync`).
 * @param n How many files of which size each part had.
 * @returns The report.
 */
export function syncReport(
  results: Record<string, Record<string, Run>>,
  cp: Record<string, Run>,
  many: Record<string, Run>,
  n: {
    small: number;
    smallSize: number;
    big: number;
    bigSize: number;
    cpSize: number;
    many: number;
  },
): string {
  const rate = (label: string, r: Run) => {
    if (r.error || r.ms === undefined) return "failed";
    const s = r.ms / 1000;
    if (label.startsWith("small")) return `${cell(n.small / s)} files/s`;
    if (label.startsWith("big")) return `${cell((n.big * n.bigSize) / MB / s, 1)} MB/s`;
    return "";
  };
  const rows: string[][] = [];
  for (const [label, byTool] of Object.entries(results)) {
    for (const [tool, r] of Object.entries(byTool)) {
      rows.push([
        label,
        tool,
        r.error ? "failed" : cell((r.ms ?? 0) / 1000, 2),
        rate(label, r),
        cell((r.peakRss ?? NaN) / MB),
        r.error ? r.error.slice(0, 80) : String(r.puts ?? "–"),
        (r.rounds ?? []).map((ms) => (ms / 1000).toFixed(2)).join(" / "),
      ]);
    }
  }
  const parts = [
    `### sync: ${n.small} × ${sizeLabel(n.smallSize)} and ${n.big} × ${sizeLabel(n.bigSize)}, ` +
    "each tool with its defaults, one server (--data), wall time incl. start-up",
    "",
    markdownTable(
      [
        "phase",
        "tool",
        "wall s (median)",
        "rate",
        "peak RSS MB",
        "PUTs seen by the server",
        "every round, s",
      ],
      rows,
    ),
    "",
  ];
  const targets: string[][] = [];
  const speed = (label: string, tool: string) => {
    const r = results[label]?.[tool];
    return r && !r.error && r.ms ? 1 / r.ms : undefined;
  };
  for (const label of ["small up", "small down", "small re-sync", "big up", "big down"]) {
    // A phase of no files (--small 0, --big 0) times start-up only: nothing to compare.
    if ((label.startsWith("small") ? n.small : n.big) === 0) continue;
    const ours = speed(label, "lib");
    const others = ["aws", "rclone"].map((t) => ({ t, v: speed(label, t) }))
      .filter((o) => o.v !== undefined);
    if (ours === undefined || others.length === 0) continue;
    const best = others.reduce((a, b) => (b.v! > a.v! ? b : a));
    const ratio = ours / best.v!;
    targets.push([
      `${label} ≥ 1.0× the faster of aws/rclone`,
      `${cell(ratio, 2)}× (vs ${best.t})`,
      ratio >= 1 ? "yes" : "NO",
    ]);
  }
  const resync = results["small re-sync"]?.lib;
  if (resync && !resync.error) {
    targets.push([
      "re-sync with nothing changed sends no PUT",
      `${resync.puts} PUT`,
      resync.puts === 0 ? "yes" : "NO",
    ]);
  }
  for (const dir of ["up", "down"]) {
    const ours = cp[`cp ${dir}`];
    const curl = cp[`curl ${dir}`];
    if (!ours?.ms || !curl?.ms) continue;
    const ratio = curl.ms / ours.ms;
    const medianRatio = median(curl.rounds ?? [curl.ms]) / median(ours.rounds ?? [ours.ms]);
    targets.push([
      `cp ${sizeLabel(n.cpSize)} ${dir} ≥ 0.9× one curl stream`,
      `${cell(ratio, 2)}× (cp ${cell(n.cpSize / MB / (ours.ms / 1000))} MB/s, ${
        cell((ours.peakRss ?? NaN) / MB)
      } MB RSS; curl ${cell(n.cpSize / MB / (curl.ms / 1000))} MB/s; medians ${
        cell(medianRatio, 2)
      }×)`,
      ratio >= 0.9 ? "yes" : "NO",
    ]);
  }
  const signed = cp["curl signed up"];
  if (cp["cp up"]?.ms && signed?.ms) {
    const ours = cp["cp up"];
    targets.push([
      `cp ${sizeLabel(n.cpSize)} up vs a curl that signs its payload (like for like; no target)`,
      `${cell(signed.ms / ours.ms!, 2)}× (curl ${
        cell(n.cpSize / MB / (signed.ms / 1000))
      } MB/s; medians ${
        cell(median(signed.rounds ?? [signed.ms]) / median(ours.rounds ?? [ours.ms!]), 2)
      }×)`,
      "–",
    ]);
  }
  if (many.up) {
    const peak = Math.max(many.up.peakRss ?? 0, many.resync?.peakRss ?? 0);
    targets.push([
      `${n.many} tiny files synced, peak RSS < 200 MB`,
      many.up.error ?? `${cell(peak / MB)} MB (up ${cell((many.up.ms ?? 0) / 1000, 1)} s, ` +
          `re-sync ${cell((many.resync?.ms ?? 0) / 1000, 1)} s, ${many.resync?.puts} PUT)`,
      many.up.error ? "?" : peak < 200 * MB ? "yes" : "NO",
    ]);
  }
  parts.push("### Targets", "", markdownTable(["target", "measured", "met"], targets), "");
  return parts.join("\n");
}

/** The lower-case hex SHA-256 of a file, read in 1 MiB slices. */
async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  using file = await Deno.open(path);
  const buffer = new Uint8Array(1024 * 1024);
  for (let n; (n = await file.read(buffer)) !== null;) hash.update(buffer.subarray(0, n));
  return hash.digest("hex");
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
