/**
 * Start-up, the cost a script pays per file: one process per 4 KiB object, `deno task cp`
 * against `rclone copyto`, up then down, taking turns (cp, rclone, cp, ...) so that neither
 * always runs first. Uploads/s and downloads/s over the wall time of all the processes of a kind.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { measure } from "./_proc.ts";
import { cell, markdownTable, type Target } from "./_report.ts";
import type { Endpoint } from "./_clients.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** One tool's figures. */
export interface PerProcessFigures {
  /** The tool. */
  tool: "deno task cp" | "rclone copyto";
  /** Uploads per second, one process each. */
  uploadsPerSecond?: number;
  /** Downloads per second, one process each. */
  downloadsPerSecond?: number;
  /** Why it could not be measured. */
  error?: string;
}

/** The figures of one endpoint. */
export interface PerProcessRun {
  /** The endpoint's name. */
  endpoint: string;
  /** Processes per direction and tool. */
  count: number;
  /** cp's and rclone's figures. */
  tools: PerProcessFigures[];
}

/** The `deno run` flags of `deno task cp`, so the bench starts it as users do. */
async function cpFlags(): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(`${ROOT}/deno.json`));
  const words = String(config.tasks?.cp ?? "").split(/\s+/);
  return words.filter((w) => w.startsWith("--allow-") || w.startsWith("--v8-flags="));
}

/**
 * Runs `count` processes per tool and direction against an endpoint, into a bucket that exists.
 *
 * @param to The endpoint and its keys.
 * @param bucket An existing bucket (emptied by the caller).
 * @param work A scratch folder.
 * @param count Processes per tool and direction.
 * @param rcloneConfig An (empty) rclone config file.
 * @returns The figures.
 */
export async function perProcess(
  to: Endpoint,
  bucket: string,
  work: string,
  count: number,
  rcloneConfig: string,
): Promise<PerProcessRun> {
  const flags = await cpFlags();
  const file = `${work}/per-process.bin`;
  await Deno.writeFile(file, crypto.getRandomValues(new Uint8Array(4096)));
  const cpEnv = { AWS_ACCESS_KEY_ID: to.accessKey, AWS_SECRET_ACCESS_KEY: to.secretKey };
  const rcloneEnv = {
    AWS_CA_BUNDLE: undefined,
    RCLONE_CONFIG: rcloneConfig,
    RCLONE_S3_PROVIDER: "Other",
    RCLONE_S3_ENDPOINT: to.url,
    RCLONE_S3_ACCESS_KEY_ID: to.accessKey,
    RCLONE_S3_SECRET_ACCESS_KEY: to.secretKey,
    RCLONE_S3_REGION: "us-east-1",
  };
  const tools = {
    "deno task cp": {
      up: (key: string) =>
        measure(Deno.execPath(), [
          "run",
          ...flags,
          `${ROOT}/cli/cp.ts`,
          "--quiet",
          "--endpoint",
          to.url,
          file,
          `s3://${bucket}/${key}`,
        ], { env: cpEnv }),
      down: (key: string, target: string) =>
        measure(Deno.execPath(), [
          "run",
          ...flags,
          `${ROOT}/cli/cp.ts`,
          "--quiet",
          "--endpoint",
          to.url,
          `s3://${bucket}/${key}`,
          target,
        ], { env: cpEnv }),
    },
    "rclone copyto": {
      up: (key: string) =>
        measure(
          "rclone",
          ["copyto", file, `:s3:${bucket}/${key}`, "--s3-no-check-bucket"],
          { env: rcloneEnv },
        ),
      down: (key: string, target: string) =>
        measure(
          "rclone",
          ["copyto", `:s3:${bucket}/${key}`, target, "--s3-no-check-bucket"],
          { env: rcloneEnv },
        ),
    },
  } as const;
  const names = Object.keys(tools) as (keyof typeof tools)[];
  const ms = { up: new Map<string, number>(), down: new Map<string, number>() };
  const errors = new Map<string, string>();
  for (const direction of ["up", "down"] as const) {
    for (let i = 0; i < count; i++) {
      // Taking turns, the first tool alternating from one round to the next.
      const order = i % 2 === 0 ? names : [...names].reverse();
      for (const name of order) {
        if (errors.has(name)) continue;
        const key = `per-process/${name.replace(/\W+/g, "-")}-${i}`;
        const target = `${work}/per-process-down`;
        const run = direction === "up"
          ? await tools[name].up(key)
          : await tools[name].down(key, target);
        await Deno.remove(target).catch(() => {});
        if (run.code !== 0) {
          errors.set(name, `${direction}: ${run.stderr.trim().split("\n").at(-1)}`);
          continue;
        }
        ms[direction].set(name, (ms[direction].get(name) ?? 0) + run.ms);
      }
    }
  }
  await Deno.remove(file).catch(() => {});
  return {
    endpoint: to.name,
    count,
    tools: names.map((tool) =>
      errors.has(tool) ? { tool, error: errors.get(tool) } : {
        tool,
        uploadsPerSecond: count / (ms.up.get(tool)! / 1000),
        downloadsPerSecond: count / (ms.down.get(tool)! / 1000),
      }
    ),
  };
}

/**
 * The runs as a markdown table, and the targets (cp at least rclone's rate, both ways).
 *
 * @param runs One per endpoint.
 * @returns The table and the targets.
 */
export function perProcessReport(runs: PerProcessRun[]): { markdown: string; targets: Target[] } {
  const rows = runs.flatMap((run) =>
    run.tools.map((t) => [
      run.endpoint,
      t.tool,
      t.error ? `failed: ${t.error}` : cell(t.uploadsPerSecond, 1),
      t.error ? "" : cell(t.downloadsPerSecond, 1),
    ])
  );
  const targets: Target[] = [];
  for (const run of runs) {
    const [cp, rclone] = run.tools;
    for (const way of ["uploadsPerSecond", "downloadsPerSecond"] as const) {
      const ratio = cp[way] && rclone[way] ? cp[way]! / rclone[way]! : undefined;
      const what = way === "uploadsPerSecond" ? "uploads" : "downloads";
      targets.push({
        target: `${run.endpoint}: deno task cp ${what}/s ≥ rclone copyto's, one process per ` +
          "4 KiB object",
        measured: ratio === undefined ? "n/a" : `${ratio.toFixed(2)}×`,
        met: ratio === undefined ? undefined : ratio >= 1,
      });
    }
  }
  const markdown =
    `### Start-up: one process per 4 KiB object (${runs[0]?.count ?? 0} each way)\n\n` +
    markdownTable(["endpoint", "tool", "uploads/s", "downloads/s"], rows);
  return { markdown, targets };
}
