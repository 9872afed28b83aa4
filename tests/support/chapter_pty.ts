/**
 * Running a chapter of `deno task tour` under a pseudo-terminal (util-linux `script`), so `--step` waits for
 * Enter and Ctrl-C is a real SIGINT: for the tests that interrupt a chapter mid-way.
 *
 * @module
 */

import assert from "node:assert/strict";
import { ROOT } from "./tour_run.ts";

/** The prompt `--step` prints before each step. */
export const PROMPT = "Press Enter to run it…";

/** `deno run …flags tour/main.ts`, as the `tour` task in deno.json spells it. */
async function tourCommand(): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
  const words = String(config.tasks.tour).split(/\s+/);
  return [Deno.execPath(), ...words.slice(1)];
}

/** A tour running on a pseudo-terminal. */
export interface PtyTour {
  /** Everything it printed so far. */
  readonly output: string;
  /** Reads until `text` has appeared `times` times (60 s at most). */
  waitFor(text: string, times?: number): Promise<void>;
  /** Types on its terminal (`"\n"` is Enter, `"\x03"` is Ctrl-C). */
  type(text: string): Promise<void>;
  /** Reads to the end and returns the exit code. */
  finish(): Promise<number>;
}

/**
 * Starts the tour with some arguments on a pseudo-terminal.
 *
 * @param args The tour's arguments, e.g. `["versions", "--step"]`.
 * @returns A handle to read its output, type and wait for its end.
 */
export async function ptyTour(args: string[]): Promise<PtyTour> {
  const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
  const child = new Deno.Command("script", {
    args: ["-qfec", [...await tourCommand(), ...args].map(quote).join(" "), "/dev/null"],
    cwd: ROOT,
    // Wide, so that a line the test reads is never folded (tests/tour/terminal_test.ts checks 80).
    env: { NO_COLOR: "1", COLUMNS: "1000" },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const writer = child.stdin.getWriter();
  let output = "";
  return {
    get output() {
      return output;
    },
    async waitFor(text: string, times = 1) {
      const deadline = Date.now() + 60_000;
      while (output.split(text).length - 1 < times) {
        assert.ok(Date.now() < deadline, `Timed out waiting for "${text}":\n${output}`);
        const { value, done } = await reader.read();
        assert.ok(!done, `The tour ended before "${text}":\n${output}`);
        output += value;
      }
    },
    async type(text: string) {
      await writer.write(new TextEncoder().encode(text));
    },
    async finish() {
      while (true) {
        const { value, done } = await reader.read();
        if (done) break;
        output += value;
      }
      await writer.close().catch(() => {});
      await child.stderr.cancel();
      return (await child.status).code;
    },
  };
}
