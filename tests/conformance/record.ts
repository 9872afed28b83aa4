/**
 * `deno task conformance:record`: runs every conformance case on Ceph RGW (`RGW_ENDPOINT`) twice,
 * and writes RGW's answers, normalised, to `tests/conformance/rgw_answers.json` (see
 * `recording.ts`). A field that differs between the two runs is refused by name: it would make
 * the recording fail on the next run. `--missing` records only the cases that have no answer yet
 * and keeps the others as they are.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { CASES, FIXTURE, newRunPrefix } from "./cases/mod.ts";
import { cleanup, type Engine, runCase, runSetup, type Vars } from "./runner.ts";
import {
  normalise,
  readRecording,
  type RecordedFields,
  type Recording,
  RECORDING_PATH,
} from "./recording.ts";

const HELP = `Usage: RGW_ENDPOINT=http://127.0.0.1:7480 deno task conformance:record [--missing]

Runs every conformance case on Ceph RGW twice and writes RGW's answers to
tests/conformance/rgw_answers.json, which the suite compares the embedded server with when RGW
is not there.

  --missing   record only the cases without a recorded answer; keep the others
  --help      this text`;

const ABOUT =
  "Ceph RGW's answers to the conformance cases (tests/conformance/cases/), normalised " +
  "(see recording.ts). Rewritten by `RGW_ENDPOINT=... deno task conformance:record`; never edit " +
  "by hand.";

/** Runs the fixture and the given cases once on RGW; every case's answer, normalised. */
async function pass(rgw: Engine, names: Set<string>): Promise<Map<string, RecordedFields>> {
  const run = newRunPrefix();
  const answers = new Map<string, RecordedFields>();
  try {
    const fixture: Vars = { run };
    for (const step of FIXTURE) await runSetup(rgw, step, fixture);
    for (const [i, testCase] of CASES.entries()) {
      if (!names.has(testCase.name)) continue;
      const vars: Vars = { run, b: `${run}-c${i}` };
      let observed;
      try {
        observed = await runCase(rgw, testCase, vars);
      } catch (error) {
        throw new Error(`Cannot record "${testCase.name}": ${(error as Error).message}`);
      }
      const { status, code } = observed.fields;
      const expected = `${testCase.expect.status} ${testCase.expect.code ?? ""}`.trimEnd();
      if (`${status} ${code ?? ""}`.trimEnd() !== expected) {
        throw new Error(
          `Cannot record "${testCase.name}": the case expects ${expected} but RGW answers ` +
            `${status} ${code ?? ""}; fix the case`,
        );
      }
      answers.set(testCase.name, normalise(observed, vars));
    }
  } finally {
    await cleanup(rgw, run).catch(() => {});
  }
  return answers;
}

async function main(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { missing: { type: "boolean" }, help: { type: "boolean" } },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const endpoint = Deno.env.get("RGW_ENDPOINT");
  if (!endpoint) {
    console.error("Cannot record RGW's answers: set RGW_ENDPOINT, e.g. http://127.0.0.1:7480");
    return 2;
  }
  const url = new URL(endpoint);
  const rgw: Engine = { name: "rgw", port: Number(url.port || 80) };
  const previous = readRecording();
  const names = new Set(
    CASES.filter((c) => c.rgwSkip === undefined)
      .filter((c) => !values.missing || !(c.name in previous.cases))
      .map((c) => c.name),
  );
  if (names.size === 0) {
    console.log("Every case has a recorded answer; nothing to record");
    return 0;
  }
  const first = await pass(rgw, names);
  const second = await pass(rgw, names);
  const unstable: string[] = [];
  for (const [name, fields] of first) {
    const again = second.get(name)!;
    for (const field of new Set([...Object.keys(fields), ...Object.keys(again)])) {
      if (fields[field] !== again[field]) {
        unstable.push(`"${name}" ${field}: ${fields[field]} then ${again[field]}`);
      }
    }
  }
  if (unstable.length > 0) {
    console.error(
      `Cannot record RGW's answers: these vary from run to run (compare something stable, or ` +
        `capture the value in a setup step):\n  ${unstable.join("\n  ")}`,
    );
    return 1;
  }
  const cases: Recording["cases"] = {};
  for (const testCase of CASES) {
    const answer = first.get(testCase.name) ?? previous.cases[testCase.name];
    if (answer !== undefined && testCase.rgwSkip === undefined) cases[testCase.name] = answer;
  }
  const recording: Recording = { about: ABOUT, cases };
  await Deno.writeTextFile(RECORDING_PATH, JSON.stringify(recording, null, 2) + "\n");
  console.log(
    `Recorded ${first.size} cases from RGW at ${url.origin} (${
      Object.keys(cases).length
    } in all) into tests/conformance/rgw_answers.json`,
  );
  return 0;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (error) {
    console.error((error as Error).message);
    Deno.exit(1);
  }
}
