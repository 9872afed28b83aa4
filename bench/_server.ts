/**
 * The embedded server as a separate process (`cli/server.ts --data DIR`), so the benchmark
 * can measure its memory apart from the clients'.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { procStatusBytes, resetPeakRss } from "./_proc.ts";

/** A server process the benchmark started. */
export interface ServerProcess {
  /** Its endpoint, e.g. `http://127.0.0.1:40123`. */
  url: string;
  /** Its process id. */
  pid: number;
  /** Peak RSS in bytes since start or the last {@linkcode ServerProcess.resetPeak}. */
  peakRss(): Promise<number | undefined>;
  /** Starts a new peak measurement. */
  resetPeak(): Promise<boolean>;
  /** Stops it (SIGTERM) and waits for it to exit. */
  stop(): Promise<void>;
}

const MAIN = fileURLToPath(new URL("../cli/server.ts", import.meta.url));

/**
 * Starts `cli/server.ts` on a free port.
 *
 * @param dataDir The `--data` directory; in memory when undefined.
 * @param flags `deno run` flags: permissions and V8 flags.
 * @returns The running process.
 * @throws {Error} When it exits before printing its endpoint.
 */
export async function startServerProcess(
  dataDir?: string,
  flags: string[] = ["--allow-net", "--allow-read", "--allow-write"],
): Promise<ServerProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    env: { S3_SERVER_USERS: "" }, // the demo users, whatever the shell has
    args: [
      "run",
      ...flags,
      MAIN,
      ...(dataDir === undefined ? [] : ["--data", dataDir]),
      "--port",
      "0",
      "--quiet",
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  let url: string | undefined;
  while (url === undefined) {
    const { done, value } = await reader.read();
    if (done) {
      await child.status;
      throw new Error(`Cannot start the embedded server: it exited, saying "${text.trim()}"`);
    }
    text += value;
    url = /S3 endpoint:\s+(\S+)/.exec(text)?.[1];
  }
  // Keep draining stdout so the server never blocks on a full pipe.
  (async () => {
    while (!(await reader.read()).done) { /* discard */ }
  })().catch(() => {});
  return {
    url,
    pid: child.pid,
    peakRss: () => procStatusBytes(child.pid, "VmHWM"),
    resetPeak: () => resetPeakRss(child.pid),
    stop: async () => {
      try {
        child.kill("SIGTERM");
      } catch {
        // Already gone.
      }
      await child.status;
    },
  };
}
