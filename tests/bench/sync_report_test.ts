import assert from "node:assert/strict";
import { type Run, syncReport } from "../../bench/sync.ts";

const GiB = 1024 ** 3;
const sizes = {
  small: 1000,
  smallSize: 4096,
  big: 0,
  bigSize: 10 * 1024 ** 2,
  cpSize: GiB,
  many: 0,
};
const phase = (lib: number, rclone: number): Record<string, Run> => ({
  lib: { ms: lib, rounds: [lib] },
  rclone: { ms: rclone, rounds: [rclone] },
});
const results = {
  "small up": phase(1000, 2000),
  "small re-sync": phase(500, 1000),
  "small down": phase(1000, 1100),
  "big up": phase(300, 100), // --big 0: start-up only, nothing to judge
  "big down": phase(300, 100),
};
const cp: Record<string, Run> = {
  "cp up": { ms: 4000, rounds: [4000, 4200] },
  "curl up": { ms: 3500, rounds: [3500, 3700] },
  "curl signed up": { ms: 4200, rounds: [4200, 4300] },
  "cp down": { ms: 800, rounds: [800] },
  "curl down": { ms: 750, rounds: [750] },
};
const target = (report: string, name: string) =>
  report.split("\n").find((line) => line.startsWith(`| ${name}`));

Deno.test("syncReport() judges cp against unsigned curl and shows the signed curl beside it", () => {
  const report = syncReport(results, cp, {}, sizes);
  assert.match(target(report, "cp 1 GiB up ≥ 0.9×")!, /\| 0\.88× .*\| NO \|$/);
  assert.match(target(report, "cp 1 GiB down ≥ 0.9×")!, /\| 0\.94× .*\| yes \|$/);
  assert.match(
    target(report, "cp 1 GiB up vs a curl that signs")!,
    /\| 1\.05× .*medians 1\.04×\) \| – \|$/,
  );
  assert.match(target(report, "small up ≥ 1.0×")!, /\| 2\.00× \(vs rclone\) \| yes \|$/);
});

Deno.test("syncReport() judges no phase that had no files", () => {
  const report = syncReport(results, cp, {}, sizes);
  assert.equal(target(report, "big up ≥"), undefined);
  assert.equal(target(report, "big down ≥"), undefined);
  const withBig = syncReport(results, cp, {}, { ...sizes, big: 100 });
  assert.match(target(withBig, "big up ≥ 1.0×")!, /\| NO \|$/);
  assert.doesNotMatch(
    syncReport(results, { "cp up": cp["cp up"] }, {}, sizes),
    /signs its payload/,
  );
});
