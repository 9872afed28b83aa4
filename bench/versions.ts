/**
 * `deno task bench-versions`: the cost of one ListObjectVersions page, first pages against last,
 * on the embedded server (its own process, in memory and with `--data`): 10,000 versions of one
 * key, and 10,000 keys with 3 versions each, listed 1000 at a time with both markers. A page
 * walks the sorted keys and each key's ordered versions from the markers, so its cost should not
 * grow with how far into the listing it is.
 *
 * @example Usage
 * ```sh
 * deno task bench-versions
 * deno task bench-versions --versions 20000 --keys 5000 --rounds 5
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import {
  CreateBucketCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { DEMO_USERS } from "../server/demo_users.ts";
import { cell, markdownTable } from "./_report.ts";
import { median } from "./_units.ts";
import { startServerProcess } from "./_server.ts";

const HELP = `Usage: deno task bench-versions [options]

Lists versions page by page on the embedded server (in memory and --data, each in its own
process) and prints the cost of each page: flat from the first page to the last.

Options:
  --versions N     Versions of the one key (default 10000)
  --keys N         Keys with 3 versions each (default 10000)
  --page N         max-keys per page (default 1000)
  --rounds N       Full listings per case; each page's median is shown (default 3)
  --no-data        Skip the --data server
  -h, --help       Show this help`;

/** Requests in flight while filling. */
const FILL_CONCURRENCY = 16;

function client(url: string): S3Client {
  const demo = DEMO_USERS[0];
  return new S3Client({
    endpoint: url,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: demo.accessKeyId, secretAccessKey: demo.secretAccessKey },
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    maxAttempts: 1,
  });
}

/** PUTs the keys given, each `copies` times, FILL_CONCURRENCY at once. */
async function fill(s3: S3Client, bucket: string, keys: string[], copies: number) {
  const jobs: string[] = [];
  for (let c = 0; c < copies; c++) jobs.push(...keys);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const key = jobs[next++];
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: "v" }));
    }
  };
  await Promise.all(Array.from({ length: FILL_CONCURRENCY }, worker));
}

/** Lists the whole bucket once; returns each page's wall time in ms and the entries seen. */
async function listOnce(s3: S3Client, bucket: string, page: number) {
  const times: number[] = [];
  let entries = 0;
  let keyMarker: string | undefined;
  let versionIdMarker: string | undefined;
  while (true) {
    const started = performance.now();
    const out = await s3.send(
      new ListObjectVersionsCommand({
        Bucket: bucket,
        MaxKeys: page,
        KeyMarker: keyMarker,
        VersionIdMarker: versionIdMarker,
      }),
    );
    times.push(performance.now() - started);
    entries += (out.Versions?.length ?? 0) + (out.DeleteMarkers?.length ?? 0);
    if (!out.IsTruncated) return { times, entries };
    keyMarker = out.NextKeyMarker;
    versionIdMarker = out.NextVersionIdMarker;
  }
}

/** Figures of one case: per-page median ms over the rounds. */
interface CaseFigures {
  storage: string;
  shape: string;
  entries: number;
  fillSeconds: number;
  pages: number[];
}

async function runCase(
  url: string,
  storage: string,
  shape: string,
  keys: string[],
  copies: number,
  options: { page: number; rounds: number },
): Promise<CaseFigures> {
  const s3 = client(url);
  try {
    const bucket = `bench-versions-${crypto.randomUUID().slice(0, 8)}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(
      new PutBucketVersioningCommand({
        Bucket: bucket,
        VersioningConfiguration: { Status: "Enabled" },
      }),
    );
    const started = performance.now();
    await fill(s3, bucket, keys, copies);
    const fillSeconds = (performance.now() - started) / 1000;
    await listOnce(s3, bucket, options.page); // warm-up
    const rounds: number[][] = [];
    let entries = 0;
    for (let r = 0; r < options.rounds; r++) {
      const once = await listOnce(s3, bucket, options.page);
      rounds.push(once.times);
      entries = once.entries;
    }
    const pages = rounds[0].map((_, i) => median(rounds.map((times) => times[i])));
    return { storage, shape, entries, fillSeconds, pages };
  } finally {
    s3.destroy();
  }
}

function report(figures: CaseFigures[]): string {
  const rows = figures.map((f) => {
    const first = median(f.pages.slice(0, 3));
    const last = median(f.pages.slice(-3));
    return [
      f.storage,
      f.shape,
      String(f.entries),
      String(f.pages.length),
      cell(f.fillSeconds, 1),
      cell(first, 1),
      cell(last, 1),
      cell(last / first, 2),
      f.pages.map((ms) => ms.toFixed(1)).join(" "),
    ];
  });
  return markdownTable(
    [
      "storage",
      "bucket",
      "entries",
      "pages",
      "fill s",
      "first 3 pages ms",
      "last 3 pages ms",
      "last/first",
      "every page, ms",
    ],
    rows,
  );
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
        versions: { type: "string" },
        keys: { type: "string" },
        page: { type: "string" },
        rounds: { type: "string" },
        "no-data": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    console.error(`${(error as Error).message.split("\n")[0].replace(/\.$/, "")}; see --help`);
    return 2;
  }
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const number = (text: string | undefined, fallback: number, name: string) => {
    const n = text === undefined ? fallback : Number(text);
    if (!Number.isInteger(n) || n < 1) {
      throw new RangeError(`Cannot use --${name} "${text}": give a whole number above 0`);
    }
    return n;
  };
  let versions, keyCount, page, rounds;
  try {
    versions = number(values.versions, 10_000, "versions");
    keyCount = number(values.keys, 10_000, "keys");
    page = number(values.page, 1000, "page");
    rounds = number(values.rounds, 3, "rounds");
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  const oneKey = ["one/key.txt"];
  const manyKeys = Array.from({ length: keyCount }, (_, i) => `many/${String(i).padStart(6, "0")}`);
  const storages: { name: string; dataDir?: string }[] = [{ name: "memory" }];
  const work = await Deno.makeTempDir({ prefix: "bench-versions-" });
  if (!values["no-data"]) storages.push({ name: "--data", dataDir: `${work}/data` });
  const figures: CaseFigures[] = [];
  try {
    for (const storage of storages) {
      const server = await startServerProcess(storage.dataDir);
      try {
        const options = { page, rounds };
        console.error(`${storage.name}: ${versions} versions of one key...`);
        figures.push(
          await runCase(
            server.url,
            storage.name,
            `${versions} versions of 1 key`,
            oneKey,
            versions,
            options,
          ),
        );
        console.error(`${storage.name}: ${keyCount} keys x 3 versions...`);
        figures.push(
          await runCase(
            server.url,
            storage.name,
            `${keyCount} keys x 3 versions`,
            manyKeys,
            3,
            options,
          ),
        );
      } finally {
        await server.stop();
      }
    }
  } finally {
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
  console.log(`## ListObjectVersions, ${page} per page (median of ${rounds} listings)\n`);
  console.log(report(figures));
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
