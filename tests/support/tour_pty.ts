/**
 * Test helpers for running the terminal tour under a pseudo-terminal (util-linux `script`), so
 * that `--step` waits for Enter and Ctrl-C is a real SIGINT: for the Ctrl-C and failure cleanup
 * tests on every engine.
 *
 * @module
 */

import assert from "node:assert/strict";
import { DEMO_USERS } from "../../server/demo_users.ts";
import { chapterNamed } from "../../tour/chapters.ts";
import { ROOT } from "./tour_run.ts";

const STEPS = chapterNamed("getting-started").steps;
const DEMO = DEMO_USERS[0];

/** `deno run …flags tour/main.ts`, as the `tour` task in deno.json spells it. */
export async function tourCommand(): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
  const words = String(config.tasks.tour).split(/\s+/);
  assert.equal(words[0], "deno");
  assert.ok(
    !words.includes("-A") && !words.includes("--allow-all"),
    "the tour task must not use -A",
  );
  return [Deno.execPath(), ...words.slice(1)];
}

/** Runs the tour under a pseudo-terminal (util-linux `script`), so `--step` waits and Ctrl-C is a real SIGINT. */
export function ptyTour(args: string[]) {
  const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
  const start = tourCommand().then((cmd) =>
    new Deno.Command("script", {
      args: ["-qfec", [...cmd, ...args].map(quote).join(" "), "/dev/null"],
      cwd: ROOT,
      // Wide, so that a line the test reads is never folded (tests/tour/terminal_test.ts checks 80).
      env: { NO_COLOR: "1", COLUMNS: "1000" },
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn()
  );
  let output = "";
  let reader: ReadableStreamDefaultReader<string>;
  let writer: WritableStreamDefaultWriter<Uint8Array>;
  let child: Deno.ChildProcess;
  const ready = start.then((c) => {
    child = c;
    reader = c.stdout.pipeThrough(new TextDecoderStream()).getReader();
    writer = c.stdin.getWriter();
  });
  return {
    get output() {
      return output;
    },
    /** Reads until `text` has appeared `times` times. */
    async waitFor(text: string, times = 1) {
      await ready;
      const deadline = Date.now() + 60_000;
      while (output.split(text).length - 1 < times) {
        assert.ok(Date.now() < deadline, `Timed out waiting for "${text}":\n${output}`);
        const { value, done } = await reader.read();
        assert.ok(!done, `The tour ended before "${text}":\n${output}`);
        output += value;
      }
    },
    async type(text: string) {
      await ready;
      await writer.write(new TextEncoder().encode(text));
    },
    async finish() {
      await ready;
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

/** What `--step` prints before each step. */
export const PROMPT = "Press Enter to run it…";

/**
 * Starts `--step` on a terminal against `url` (as the demo user, plus `extra` flags such as
 * `--cluster us-east-5`) and presses Enter for every step before `id`, leaving the tour waiting
 * at that step's prompt.
 */
export async function tourWaitingAt(url: string, id: string, extra: string[] = []) {
  const tour = ptyTour([
    "--endpoint",
    url,
    "--access-key",
    DEMO.accessKeyId,
    "--secret-key",
    DEMO.secretAccessKey,
    "--step",
    ...extra,
  ]);
  const index = STEPS.findIndex((s) => s.id === id);
  for (let i = 1; i <= index; i++) {
    await tour.waitFor(PROMPT, i);
    await tour.type("\n");
  }
  await tour.waitFor(PROMPT, index + 1);
  return tour;
}
