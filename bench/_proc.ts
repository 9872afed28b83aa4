/**
 * Running a command while measuring its memory: its peak resident set size as the kernel keeps it
 * (`ru_maxrss`, through `bench/peak_rss.py`, so no sample can miss a short peak), and the peak RSS
 * of a long-running process (`VmHWM`), which can be reset between measurements.
 *
 * @module
 */

import { fileURLToPath } from "node:url";

/** A finished command and what it cost. */
export interface Measured {
  /** Exit code. */
  code: number;
  /** Standard output, decoded. */
  stdout: string;
  /** Standard error, decoded. */
  stderr: string;
  /** Wall time from spawn to exit, in milliseconds. */
  ms: number;
  /** Peak RSS in bytes of the largest process of the command's tree (`ru_maxrss`). */
  peakRss?: number;
}

/** How to run a measured command. */
export interface MeasureOptions {
  /** Environment variables added to (or, with `undefined`, removed from) the inherited ones. */
  env?: Record<string, string | undefined>;
  /** Working directory. @default the current one */
  cwd?: string;
}

const PEAK_RSS = fileURLToPath(new URL("./peak_rss.py", import.meta.url));

/**
 * Reads one field of `/proc/PID/status` in bytes (`VmHWM`, `VmRSS`), through `cat`: Deno only
 * lets a script read `/proc/PID/*` directly with all permissions.
 *
 * @param pid The process id.
 * @param field The field name.
 * @returns The value in bytes, or `undefined` when the process is gone or not on Linux.
 */
export async function procStatusBytes(
  pid: number,
  field: "VmHWM" | "VmRSS",
): Promise<number | undefined> {
  try {
    const out = await new Deno.Command("cat", { args: [`/proc/${pid}/status`], stderr: "null" })
      .output();
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(new TextDecoder().decode(out.stdout));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Resets a process's peak RSS (`VmHWM`) to its current RSS, so the next peak measured belongs to
 * what happens next (writes `5` to `/proc/PID/clear_refs`; same user only).
 *
 * @param pid The process id.
 * @returns Whether the reset worked.
 */
export async function resetPeakRss(pid: number): Promise<boolean> {
  try {
    const out = await new Deno.Command("sh", {
      args: ["-c", `echo 5 > /proc/${pid}/clear_refs`],
      stderr: "null",
    }).output();
    return out.success;
  } catch {
    return false;
  }
}

/**
 * Runs a command to completion under `bench/peak_rss.py`, which reports its peak RSS.
 *
 * @param command The executable.
 * @param args Its arguments.
 * @param options Environment and directory.
 * @returns Exit code, output, wall time and peak RSS.
 *
 * @example Usage
 * ```ts ignore
 * import { measure } from "./_proc.ts";
 *
 * const run = await measure("/usr/bin/true", []);
 * console.log(run.code, run.ms, run.peakRss);
 * ```
 */
export async function measure(
  command: string,
  args: string[],
  options: MeasureOptions = {},
): Promise<Measured> {
  const env = Deno.env.toObject();
  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  const peakFile = await Deno.makeTempFile({ prefix: "peak-rss-" });
  try {
    const started = performance.now();
    const output = await new Deno.Command("/usr/bin/python3", {
      args: [PEAK_RSS, peakFile, command, ...args],
      env,
      clearEnv: true,
      cwd: options.cwd,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const ms = performance.now() - started;
    const decoder = new TextDecoder();
    const peak = Number(await Deno.readTextFile(peakFile).catch(() => ""));
    return {
      code: output.code,
      stdout: decoder.decode(output.stdout),
      stderr: decoder.decode(output.stderr),
      ms,
      peakRss: peak > 0 ? peak : undefined,
    };
  } finally {
    await Deno.remove(peakFile).catch(() => {});
  }
}
