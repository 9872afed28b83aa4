/**
 * Running the project's commands from tests: `deno` with arguments in the repository root (to
 * completion with a timeout, or as a child process), a `deno task` with exactly the permissions
 * deno.json gives it, and waiting for a line on a child process's output.
 *
 * @example
 * ```ts ignore
 * import { runDeno, taskArgs } from "./commands.ts";
 * const { code, stderr } = await runDeno([...taskArgs("cp"), "--help"]);
 * ```
 *
 * @module
 */

import assert from "node:assert/strict";

const decoder = new TextDecoder();

/** What a finished command printed. */
export interface CommandResult {
  /** Exit code. */
  code: number;
  /** Standard output. */
  stdout: string;
  /** Standard error. */
  stderr: string;
}

/**
 * Runs `deno` with arguments in the repository root, with a timeout.
 *
 * @param args Arguments after `deno`.
 * @param options Environment, stdin text, timeout.
 * @returns Exit code and output.
 */
export async function runDeno(
  args: string[],
  options: { env?: Record<string, string>; timeoutMs?: number; cwd?: string } = {},
): Promise<CommandResult> {
  const child = spawnDeno(args, options);
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch {
      // gone
    }
  }, options.timeoutMs ?? 60_000);
  const out = await child.output();
  clearTimeout(timer);
  return {
    code: out.code,
    stdout: decoder.decode(out.stdout),
    stderr: decoder.decode(out.stderr),
  };
}

/** Where and how {@linkcode spawnDeno} runs `deno`. */
export interface SpawnOptions {
  /** Environment on top of `NO_COLOR=1` and an empty `S3_SERVER_USERS`. @default {} */
  env?: Record<string, string>;
  /** Working directory. @default REPO_ROOT */
  cwd?: string;
}

/**
 * Starts `deno` with arguments, stdin closed, stdout and stderr piped (the caller reads both).
 *
 * @param args Arguments after `deno`.
 * @param options Environment and working directory.
 * @returns The child process.
 *
 * @example
 * ```ts ignore
 * const child = spawnDeno([...taskArgs("tour"), "--endpoint", url]);
 * child.kill("SIGINT");
 * ```
 */
export function spawnDeno(args: string[], options: SpawnOptions = {}): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args,
    cwd: options.cwd ?? REPO_ROOT,
    // S3_SERVER_USERS="" hides a developer's own server users, so the demo users serve the tests.
    env: { NO_COLOR: "1", S3_SERVER_USERS: "", ...(options.env ?? {}) },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/**
 * The arguments after `deno` of a deno.json task, so tests run it with exactly its permissions.
 *
 * @param name The task, e.g. `"tour"`.
 * @returns E.g. `["run", "--allow-net", ..., "tour/main.ts"]` (paths relative to the repository).
 *
 * @example
 * ```ts ignore
 * await runDeno([...taskArgs("server"), "--port", "-1"]);
 * ```
 */
export function taskArgs(name: string): string[] {
  const config = JSON.parse(Deno.readTextFileSync(`${REPO_ROOT}/deno.json`));
  const task: string = config.tasks[name];
  assert.ok(task, `deno.json has no "${name}" task`);
  const words = task.split(/\s+/);
  assert.equal(words[0], "deno");
  return words.slice(1);
}

/** The repository root. */
export const REPO_ROOT: string = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");

/**
 * Waits until a child process prints a line matching a pattern on stdout, collecting output.
 *
 * @param stream The child's stdout.
 * @param pattern What to wait for.
 * @param timeoutMs Give up after this long.
 * @returns The match and a function returning everything read so far (reading continues).
 */
export async function waitForLine(
  stream: ReadableStream<Uint8Array>,
  pattern: RegExp,
  timeoutMs = 30_000,
): Promise<{ match: RegExpMatchArray; output: () => string; done: Promise<void> }> {
  let text = "";
  const reader = stream.getReader();
  let resolveMatch!: (m: RegExpMatchArray) => void;
  let rejectMatch!: (e: Error) => void;
  const found = new Promise<RegExpMatchArray>((res, rej) => {
    resolveMatch = res;
    rejectMatch = rej;
  });
  const timer = setTimeout(
    () => rejectMatch(new Error(`No output matching ${pattern} within ${timeoutMs} ms: ${text}`)),
    timeoutMs,
  );
  const done = (async () => {
    try {
      while (true) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
        const m = text.match(pattern);
        if (m) resolveMatch(m);
      }
    } catch {
      // stream cancelled
    }
    rejectMatch(new Error(`Output ended without matching ${pattern}: ${text}`));
  })();
  try {
    const match = await found;
    return { match, output: () => text, done };
  } finally {
    clearTimeout(timer);
  }
}
