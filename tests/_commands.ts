/**
 * Running the project's commands from tests: `deno` with arguments in the repository root (with
 * a timeout), and waiting for a line on a child process's output.
 *
 * @example
 * ```ts ignore
 * import { runDeno } from "./_commands.ts";
 * const { code, stderr } = await runDeno(["task", "cp", "--help"]);
 * ```
 *
 * @module
 */

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
  const child = new Deno.Command(Deno.execPath(), {
    args,
    cwd: options.cwd ?? REPO_ROOT,
    env: { NO_COLOR: "1", ...(options.env ?? {}) },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
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

/** The repository root. */
export const REPO_ROOT: string = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

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
