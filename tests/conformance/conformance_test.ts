/**
 * Differential conformance: every case of `tests/conformance/cases/` runs against the embedded
 * server and against Ceph RGW, and their answers (status, S3 error code, key headers and body
 * fields) must match unless `tests/conformance/allowlist.ts` says why not. Prints a table of
 * case × engine × match with the counts.
 *
 * @module
 */

import assert from "node:assert/strict";
import { startServer } from "../../server/mod.ts";
import { rgwTest } from "../support/engines.ts";
import { ALLOWLIST } from "./allowlist.ts";
import { CASES, FIXTURE, newRunPrefix, RUN_LENGTH } from "./cases/mod.ts";
import {
  cleanup,
  differences,
  type Engine,
  type Observation,
  runCase,
  runSetup,
  summary,
  type Vars,
} from "./runner.ts";

interface Row {
  name: string;
  rgw?: Observation;
  embedded?: Observation;
  result: "match" | "allowlisted" | "embedded only" | "DIFF" | "stale allowance" | "error";
  detail?: string;
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
    } stale allowances, ${count("error")} errors`,
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
          // Never sent to RGW (it would crash it): the embedded server must answer `expect`.
          row.embedded = await runCase(embedded, testCase, { ...vars });
          const expected = `${testCase.expect.status} ${testCase.expect.code ?? ""}`.trimEnd();
          if (summary(row.embedded) !== expected) {
            row.detail = `expects ${expected} but the embedded server answers ${
              summary(row.embedded)
            }`;
            throw new Error(`The embedded server is wrong: ${row.detail}`);
          }
          row.result = "embedded only";
          row.detail = testCase.rgwSkip;
          return;
        }
        try {
          row.rgw = await runCase(rgw, testCase, { ...vars });
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
        const diffs = differences(row.rgw, row.embedded);
        const allowance = ALLOWLIST[testCase.name];
        if (diffs.length === 0) {
          row.result = allowance ? "stale allowance" : "match";
          if (allowance) {
            throw new Error(`"${testCase.name}" now matches RGW: remove it from the allowlist`);
          }
          return;
        }
        const disallowed = allowance
          ? diffs.filter((d) =>
            allowance.fields && !allowance.fields.some((f) => d.startsWith(`${f}: `))
          )
          : diffs;
        row.detail = diffs.join("; ");
        if (disallowed.length === 0) {
          row.result = "allowlisted";
          return;
        }
        row.result = "DIFF";
        throw new Error(`The embedded server differs from RGW: ${disallowed.join("; ")}`);
      });
    }
  } finally {
    for (const engine of engines) await cleanup(engine, run).catch(() => {});
    await server.close();
    printTable(rows);
  }
});
