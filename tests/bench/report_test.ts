import assert from "node:assert/strict";
import { buildReport, type ClientFigures, MB, writeResults } from "../../bench/_report.ts";

const client = (name: string, upMBps: number, putOps: number): ClientFigures => ({
  client: name,
  upload: { mbPerSecond: upMBps, clientPeakRss: 80 * MB, serverPeakRss: 60 * MB },
  download: { error: "skipped" },
  smallPut: { opsPerSecond: putOps, innerOpsPerSecond: putOps * 2 },
  smallGet: { error: "exit 1: boom" },
});

const input = {
  endpoints: [
    {
      endpoint: "embedded",
      url: "http://127.0.0.1:1",
      size: 64 * 1024 ** 2,
      clients: [client("lib", 200, 500), client("aws", 100, 300)],
    },
    { endpoint: "rgw", url: "http://127.0.0.1:2", clients: [client("lib", 90, 250)] },
  ],
  trace: { overheadPercent: 1.5, tracerUsPerRequest: 25, cpuUsPerRequest: 1700 },
  tour: { error: "skipped" },
  size: 64 * 1024 ** 2,
  count: 200,
  smallSize: 4096,
  concurrency: 10,
};

Deno.test("buildReport() renders one table per endpoint and judges each target", () => {
  const { markdown, targets } = buildReport(input);
  assert.match(
    markdown,
    /^### embedded \(http:\/\/127\.0\.0\.1:1\): 64 MiB transfers, 200 × 4 KiB objects, 10 in flight$/m,
  );
  assert.match(markdown, /^### rgw \(http:\/\/127\.0\.0\.1:2\): no large transfers/m);
  assert.match(
    markdown,
    /^\| lib \| 200\.0 \| – \| 80 \/ – \| 60 \/ – \| 500 \(1000\) \| failed \|$/m,
  );
  const verdict = Object.fromEntries(targets.map((t) => [t.target, [t.measured, t.met]]));
  assert.deepEqual(verdict["lib upload ≥ 1.0× best other (embedded)"], [
    "2.00× (lib 200.0 MB/s vs aws 100.0 MB/s)",
    true,
  ]);
  assert.deepEqual(verdict["embedded PUT ops/s ≥ RGW's"], ["lib 2.00×", true]);
  assert.equal(verdict["tracer overhead < 5 % (lib, small PUT+GET)"][1], true);
  assert.deepEqual(verdict["headless tour < 2 s incl. start-up (`deno task tour`)"], [
    "skipped",
    undefined,
  ]);
  assert.match(markdown, /\| headless tour .* \| skipped \| \? \|/);
});

Deno.test("writeResults() writes the figures, the machine and the targets as JSON", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/nested/run.json`;
    const started = new Date("2026-11-25T15:00:00Z");
    const { targets } = buildReport(input);
    await writeResults(path, { ...input, started, settings: { size: input.size }, targets });
    const written = JSON.parse(await Deno.readTextFile(path));
    assert.equal(written.started, "2026-11-25T15:00:00.000Z");
    assert.equal(written.machine.cpus, navigator.hardwareConcurrency);
    assert.deepEqual(written.settings, { size: input.size });
    assert.deepEqual(written.endpoints, input.endpoints);
    assert.equal(written.targets.length, targets.length);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
