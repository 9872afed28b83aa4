/**
 * Differential conformance: every case of `tests/conformance/cases/` runs against the embedded
 * server and against Ceph RGW, and their answers (status, S3 error code, key headers and body
 * fields) must match unless `tests/conformance/allowlist.ts` says why not. Prints a table of
 * case × engine × match with the counts.
 *
 * RGW's answers are also recorded (`rgw_answers.json`, see `recording.ts`): on every machine the
 * embedded server is compared with the recording, the allowlist applying the same way, so
 * `TEST_ENGINES=none` still compares it with RGW; with RGW present, a recording that no longer
 * says what RGW answers fails, naming the command that refreshes it.
 *
 * @module
 */

import assert from "node:assert/strict";
import { startServer } from "../../server/mod.ts";
import { rgwTest } from "../support/engines.ts";
import { ALLOWLIST } from "./allowlist.ts";
import { normalise, notRecorded, readRecording, RECORD_COMMAND } from "./recording.ts";
import { CASES, FIXTURE, newRunPrefix, RUN_LENGTH } from "./cases/mod.ts";
import {
  type Case,
  cleanup,
  differences,
  type Engine,
  type Observation,
  runCase,
  runSetup,
  summary,
  type Vars,
} from "./runner.ts";

const RECORDING = readRecording();

interface Row {
  name: string;
  rgw?: Observation;
  embedded?: Observation;
  result:
    | "match"
    | "allowlisted"
    | "embedded only"
    | "DIFF"
    | "stale allowance"
    | "stale recording"
    | "error";
  detail?: string;
}

/**
 * Compares the embedded server's answer with RGW's (live, or recorded), the allowlist applying:
 * sets the row's result and detail, and throws on a difference not allowed or a stale allowance.
 */
function judge(row: Row, name: string, rgw: Observation, embedded: Observation, against: string) {
  const diffs = differences(rgw, embedded);
  const allowance = ALLOWLIST[name];
  if (diffs.length === 0) {
    row.result = allowance ? "stale allowance" : "match";
    if (allowance) throw new Error(`"${name}" now matches RGW: remove it from the allowlist`);
    return;
  }
  const disallowed = allowance
    ? diffs.filter((d) => allowance.fields && !allowance.fields.some((f) => d.startsWith(`${f}: `)))
    : diffs;
  row.detail = diffs.join("; ");
  // An allowance may pin what the embedded server must answer (a deliberate refusal).
  const pinned = allowance?.embedded;
  if (pinned !== undefined) {
    const wanted = `${pinned.status} ${pinned.code ?? ""}`.trimEnd();
    if (summary(embedded) !== wanted) {
      disallowed.push(
        `the allowance pins ${wanted}, the embedded server answers ${summary(embedded)}`,
      );
    }
  }
  if (disallowed.length === 0) {
    row.result = "allowlisted";
    return;
  }
  row.result = "DIFF";
  throw new Error(`The embedded server differs from ${against}: ${disallowed.join("; ")}`);
}

/**
 * Runs a case that is never sent to RGW (it would crash it) on the embedded server, which must
 * answer the case's `expect`.
 */
async function embeddedOnly(row: Row, embedded: Engine, testCase: Case, vars: Vars) {
  row.embedded = await runCase(embedded, testCase, { ...vars });
  const expected = `${testCase.expect.status} ${testCase.expect.code ?? ""}`.trimEnd();
  if (summary(row.embedded) !== expected) {
    row.detail = `expects ${expected} but the embedded server answers ${summary(row.embedded)}`;
    throw new Error(`The embedded server is wrong: ${row.detail}`);
  }
  row.result = "embedded only";
  row.detail = testCase.rgwSkip;
}

function printTable(rows: Row[]) {
  const width = Math.min(78, Math.max(...rows.map((r) => r.name.length)));
  const pad = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 3)}...` : s.padEnd(n));
  const lines = [
    `${"#".padStart(3)}  ${pad("case", width)}  ${pad("rgw", 28)}  ${pad("embedded", 28)}  result`,
  ];
  rows.forEach((row, i) => {
    lines.push(
      `${String(i + 1).padStart(3)}  ${pad(row.name, width)}  ${pad(summary(row.rgw), 28)}  ${
        pad(summary(row.embedded), 28)
      }  ${row.result}${row.detail ? `  (${row.detail})` : ""}`,
    );
  });
  const count = (result: Row["result"]) => rows.filter((r) => r.result === result).length;
  lines.push(
    `conformance: ${rows.length} cases, ${count("match")} matched, ${
      count("allowlisted")
    } allowlisted, ${count("embedded only")} embedded only, ${count("DIFF")} differ, ${
      count("stale allowance")
    } stale allowances, ${count("stale recording")} stale recordings, ${count("error")} errors`,
  );
  for (const row of rows.filter((r) => r.result === "allowlisted")) {
    lines.push(`allowlisted: ${row.name}: ${ALLOWLIST[row.name].reason}`);
  }
  for (const row of rows.filter((r) => r.result === "embedded only")) {
    lines.push(`embedded only: ${row.name}: ${row.detail}`);
  }
  console.log(lines.join("\n"));
}

Deno.test("every conformance allowance names a case and gives a reason", () => {
  const names = new Set(CASES.map((c) => c.name));
  assert.equal(names.size, CASES.length, "Case names must be unique");
  for (const [name, allowance] of Object.entries(ALLOWLIST)) {
    assert.ok(names.has(name), `Allowlist entry "${name}" names no case`);
    assert.ok(allowance.reason.length > 20, `Allowlist entry "${name}" needs a real reason`);
  }
  for (const c of CASES.filter((c) => c.rgwSkip !== undefined)) {
    assert.ok(c.rgwSkip!.length > 20, `Case "${c.name}" needs a real reason to skip RGW`);
    assert.ok(!(c.name in ALLOWLIST), `Case "${c.name}" never runs on RGW: no allowance applies`);
  }
});

Deno.test("the conformance table has at least 60 cases", () => {
  assert.ok(CASES.length >= 60, `Only ${CASES.length} cases`);
});

rgwTest("the embedded server answers every conformance case as Ceph RGW does", async (t, url) => {
  const rgw: Engine = { name: "rgw", port: Number(new URL(url).port) };
  const server = await startServer({ port: 0 });
  const embedded: Engine = { name: "embedded", port: server.port };
  const run = newRunPrefix();
  assert.equal(run.length, RUN_LENGTH);
  const engines = [rgw, embedded];
  const rows: Row[] = [];
  try {
    await t.step("the fixture is created on every engine", async () => {
      for (const engine of engines) {
        const vars: Vars = { run };
        for (const step of FIXTURE) await runSetup(engine, step, vars);
      }
    });
    // CONFORMANCE_ONLY=REGEX runs the cases whose names match (while working on one area).
    const only = Deno.env.get("CONFORMANCE_ONLY");
    for (const [i, testCase] of CASES.entries()) {
      if (only && !new RegExp(only).test(testCase.name)) continue;
      await t.step(testCase.name, async () => {
        const vars: Vars = { run, b: `${run}-c${i}` };
        const row: Row = { name: testCase.name, result: "error" };
        rows.push(row);
        if (testCase.rgwSkip !== undefined) {
          return await embeddedOnly(row, embedded, testCase, vars);
        }
        const rgwVars = { ...vars };
        try {
          row.rgw = await runCase(rgw, testCase, rgwVars);
        } catch (error) {
          row.detail = `rgw: ${(error as Error).message}`;
          throw error;
        }
        const { status, code } = row.rgw.fields;
        const expected = `${testCase.expect.status} ${testCase.expect.code ?? ""}`.trimEnd();
        if (`${status} ${code ?? ""}`.trimEnd() !== expected) {
          row.detail = `case expects ${expected} but RGW answers ${summary(row.rgw)}`;
          throw new Error(`The case is wrong: ${row.detail}`);
        }
        try {
          row.embedded = await runCase(embedded, testCase, { ...vars });
        } catch (error) {
          row.detail = `embedded: ${(error as Error).message}`;
          throw error;
        }
        judge(row, testCase.name, row.rgw, row.embedded, "RGW");
        // The recording must still say what RGW answers.
        const recorded = RECORDING.cases[testCase.name];
        if (recorded === undefined) throw new Error(notRecorded(testCase.name));
        const stale = differences({ fields: recorded }, { fields: normalise(row.rgw, rgwVars) });
        if (stale.length > 0) {
          row.result = "stale recording";
          row.detail = stale.join("; ");
          throw new Error(
            `The recording of RGW is stale for "${testCase.name}" (recorded vs now: ${
              stale.join("; ")
            }): refresh it with ${RECORD_COMMAND.replace(" --missing", "")}`,
          );
        }
      });
    }
  } finally {
    for (const engine of engines) await cleanup(engine, run).catch(() => {});
    await server.close();
    printTable(rows);
  }
});

Deno.test("every conformance case sent to RGW has a recorded RGW answer, and no other", () => {
  const sent = CASES.filter((c) => c.rgwSkip === undefined);
  const missing = sent.filter((c) => !(c.name in RECORDING.cases)).map((c) => c.name);
  assert.deepEqual(missing, [], missing.length ? notRecorded(missing[0]) : "");
  const names = new Set(sent.map((c) => c.name));
  const extra = Object.keys(RECORDING.cases).filter((name) => !names.has(name));
  assert.deepEqual(extra, [], `Recorded answers name no case: rewrite with ${RECORD_COMMAND}`);
  for (const c of sent) {
    const { status, code } = RECORDING.cases[c.name];
    assert.equal(
      `${status} ${code ?? ""}`.trimEnd(),
      `${c.expect.status} ${c.expect.code ?? ""}`.trimEnd(),
      `Case "${c.name}" expects another answer than RGW's recorded one: fix the case, or ` +
        `re-record with ${RECORD_COMMAND.replace(" --missing", "")}`,
    );
  }
});

Deno.test("the embedded server answers every conformance case as recorded from Ceph RGW", async (t) => {
  await using server = await startServer({ port: 0, quiet: true });
  const embedded: Engine = { name: "embedded", port: server.port };
  const run = newRunPrefix();
  const rows: Row[] = [];
  try {
    await t.step("the fixture is created", async () => {
      const vars: Vars = { run };
      for (const step of FIXTURE) await runSetup(embedded, step, vars);
    });
    for (const [i, testCase] of CASES.entries()) {
      await t.step(testCase.name, async () => {
        const vars: Vars = { run, b: `${run}-c${i}` };
        const row: Row = { name: testCase.name, result: "error" };
        rows.push(row);
        if (testCase.rgwSkip !== undefined) {
          return await embeddedOnly(row, embedded, testCase, vars);
        }
        const recorded = RECORDING.cases[testCase.name];
        if (recorded === undefined) {
          row.detail = "not recorded";
          throw new Error(notRecorded(testCase.name));
        }
        row.rgw = { fields: recorded };
        const own = { ...vars };
        const observed = await runCase(embedded, testCase, own);
        row.embedded = { fields: normalise(observed, own) };
        judge(row, testCase.name, row.rgw, row.embedded, "the recording of RGW");
      });
    }
  } finally {
    printTable(rows);
  }
});
