/**
 * The server as users run it: `deno task server` in a child process (with the task's own
 * permissions), for tests that kill it, restart it or read its log. For an in-process server see
 * `server.ts`.
 *
 * @example
 * ```ts ignore
 * import { spawnServer } from "./server_process.ts";
 * const server = await spawnServer(["--data", dir]);
 * await server.kill();
 * ```
 *
 * @module
 */

import { spawnDeno, taskArgs, waitForLine } from "./commands.ts";

const decoder = new TextDecoder();

/** A `deno task server` process. */
export interface ServerProcess {
  /** Its endpoint. */
  url: string;
  /** Its port. */
  port: number;
  /** The child process. */
  child: Deno.ChildProcess;
  /** Everything it printed so far. */
  output: () => string;
  /** Kills it (SIGKILL by default) and waits for it to exit. */
  kill(signal?: Deno.Signal): Promise<Deno.CommandStatus>;
}

/**
 * Starts `deno task server` (with the task's own permissions) and waits for its endpoint line.
 *
 * @param args Extra arguments, e.g. `["--data", dir]`.
 * @param quiet Pass `--quiet` (no request log). @default true
 * @returns The running process.
 */
export async function spawnServer(args: string[], quiet = true): Promise<ServerProcess> {
  const child = spawnDeno([
    ...taskArgs("server"),
    "--port",
    "0",
    ...(quiet ? ["--quiet"] : []),
    ...args,
  ]);
  let errors = "";
  const stderrDone = (async () => {
    for await (const chunk of child.stderr) errors += decoder.decode(chunk);
  })();
  let line;
  try {
    line = await waitForLine(child.stdout, /S3 endpoint:\s+(http:\/\/\S+)/, 30_000);
  } catch (error) {
    child.kill("SIGKILL");
    await child.status;
    await stderrDone;
    throw new Error(`deno task server did not start: ${(error as Error).message} ${errors}`);
  }
  const url = line.match[1];
  let status: Deno.CommandStatus | undefined;
  return {
    url,
    port: Number(new URL(url).port),
    child,
    output: () => line.output() + errors,
    async kill(signal: Deno.Signal = "SIGKILL") {
      if (!status) {
        try {
          child.kill(signal);
        } catch {
          // already gone
        }
        status = await child.status;
        await line.done;
        await stderrDone;
      }
      return status;
    },
  };
}
