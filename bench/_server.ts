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
  /**
   * Requests served since start or the last reset, by operation (`PutObject`...), read from the
   * server's request log; empty unless started with `countRequests`.
   */
  requests(): Map<string, number>;
  /** Starts counting requests from zero. */
  resetRequests(): void;
}

const MAIN = fileURLToPath(new URL("../cli/server.ts", import.meta.url));

/**
 * Starts `cli/server.ts` on a free port.
 *
 * @param dataDir The `--data` directory; in memory when undefined.
 * @param flags `deno run` flags: permissions and V8 flags.
 * @param countRequests Log requests (no `--quiet`) and count them by operation.
 * @returns The running process.
 * @throws {Error} When it exits before printing its endpoint.
 */
export async function startServerProcess(
  dataDir?: string,
  flags: string[] = ["--allow-net", "--allow-read", "--allow-write"],
  countRequests = false,
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
      ...(countRequests ? [] : ["--quiet"]),
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
  // Keep draining stdout so the server never blocks on a full pipe; count the request log's lines
  // (`TIME METHOD PATH STATUS OPERATION MS WHO`).
  let counts = new Map<string, number>();
  let rest = "";
  (async () => {
    while (true) {
      const { done, value } = await reader.read();
      if (done) return;
      if (!countRequests) continue;
      const lines = (rest + value).split("\n");
      rest = lines.pop()!;
      for (const line of lines) {
        const operation = /^\S+ [A-Z]+ \S+ \d{3} (\w+) /.exec(line)?.[1];
        if (operation) counts.set(operation, (counts.get(operation) ?? 0) + 1);
      }
    }
  })().catch(() => {});
  return {
    url,
    pid: child.pid,
    peakRss: () => procStatusBytes(child.pid, "VmHWM"),
    resetPeak: () => resetPeakRss(child.pid),
    requests: () => new Map(counts),
    resetRequests: () => {
      counts = new Map();
    },
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
