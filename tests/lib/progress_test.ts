import assert from "node:assert/strict";
import { connect } from "../../lib/connect.ts";
import { createBucket, deleteBucket, emptyBucket } from "../../lib/buckets.ts";
import { getFile, putFile } from "../../lib/objects.ts";
import { engineCommand, engineTest } from "../support/engines.ts";
import {
  formatDuration,
  formatRate,
  ProgressBar,
  progressFigures,
  type ProgressOptions,
  renderProgressHtml,
  renderProgressLine,
} from "../../lib/progress.ts";

/** A bar drawing into an array, on a clock the test moves. */
function fakeBar(options: ProgressOptions = {}) {
  const clock = { t: 0 };
  const out: string[] = [];
  const bar = new ProgressBar({
    mode: "tty",
    width: 80,
    now: () => clock.t,
    write: (text) => out.push(text),
    ...options,
  });
  return { bar, clock, out };
}

Deno.test("formatRate() and formatDuration() read as people expect", () => {
  assert.equal(formatRate(12_300_000), "12.3 MB/s");
  assert.equal(formatRate(812), "812 B/s");
  assert.equal(formatRate(undefined), "–");
  assert.equal(formatDuration(7), "0:07");
  assert.equal(formatDuration(65), "1:05");
  assert.equal(formatDuration(3723), "1:02:03");
  assert.equal(formatDuration(Infinity), "–:––");
});

Deno.test("progressFigures() shows percent, bytes, rate and ETA, then the average when done", () => {
  const state = { loaded: 50e6, total: 200e6, rate: 10e6, elapsed: 5, eta: 15 };
  assert.equal(progressFigures(state), "25%  50.0 MB / 200.0 MB  10.0 MB/s  ETA 0:15");
  assert.equal(
    progressFigures({ ...state, loaded: 200e6, elapsed: 20 }, true),
    "100%  200.0 MB / 200.0 MB  10.0 MB/s  in 0:20",
  );
  assert.equal(progressFigures({ loaded: 1500, elapsed: 1 }), "1.5 kB  –  ETA –:––");
});

Deno.test("renderProgressLine() fits the width and fills the bar in proportion", () => {
  const half = renderProgressLine({ loaded: 50, total: 100, elapsed: 1 }, {
    label: "big.bin",
    width: 80,
  });
  assert.ok(half.length <= 80, `"${half}" is longer than 80`);
  const bar = /\[([#-]+)\]/.exec(half)![1];
  assert.equal(bar.split("#").length - 1, bar.length / 2);
  assert.match(half, /^big\.bin \[/);
  const narrow = renderProgressLine({ loaded: 50, total: 100, elapsed: 1 }, { width: 30 });
  assert.ok(narrow.length <= 30);
  assert.ok(!narrow.includes("["), "no room for a bar at 30 columns");
});

Deno.test("renderProgressHtml() escapes the label and carries the value", () => {
  const html = renderProgressHtml({ loaded: 3, total: 4, elapsed: 1 }, { label: "<a&b>" });
  assert.ok(html.includes("&lt;a&amp;b&gt;"));
  assert.ok(html.includes('<progress value="3" max="4">'));
});

Deno.test("ProgressBar redraws one line in place on a terminal, at most once per interval", () => {
  const { bar, clock, out } = fakeBar({ total: 100e6, label: "f" });
  bar.update({ loaded: 1e6 });
  clock.t = 50;
  bar.update({ loaded: 2e6 }); // within 100 ms: not drawn
  clock.t = 1000;
  bar.update({ loaded: 10e6 });
  assert.equal(out.length, 2);
  for (const line of out) {
    assert.ok(line.startsWith("\r"), "each redraw returns to the line start");
    assert.ok(line.endsWith("\x1b[K"), "each redraw clears the rest of the line");
    assert.ok(!line.includes("\n"));
  }
  assert.ok(out[1].includes("10%  10.0 MB / 100.0 MB  10.0 MB/s  ETA 0:09"), out[1]);
  clock.t = 4000;
  bar.done();
  assert.ok(
    out.at(-1)!.endsWith("100%  100.0 MB / 100.0 MB  25.0 MB/s  in 0:04\x1b[K\n"),
    out.at(-1),
  );
  bar.update({ loaded: 5 });
  bar.done();
  assert.equal(out.length, 3, "nothing is drawn after done()");
});

Deno.test("ProgressBar measures the rate over the last seconds, not since the start", () => {
  const { bar, clock } = fakeBar({ total: 1e9 });
  clock.t = 10_000;
  bar.update({ loaded: 10e6 }); // slow start: 1 MB/s
  for (let t = 11_000; t <= 20_000; t += 1000) {
    clock.t = t;
    bar.update({ loaded: 10e6 + (t - 10_000) * 50e3 }); // then 50 MB/s
  }
  const rate = bar.state().rate!;
  assert.ok(rate > 45e6 && rate < 55e6, `rate ${rate} should be about 50 MB/s`);
});

Deno.test("ProgressBar shows nothing when silent or below the threshold", () => {
  const silent = fakeBar({ mode: "silent", total: 100e6 });
  silent.bar.update({ loaded: 1e6 });
  silent.bar.done();
  assert.deepEqual(silent.out, []);
  const small = fakeBar({ total: 1e6, threshold: 4e6 });
  small.bar.update({ loaded: 5e5 });
  small.bar.done();
  assert.deepEqual(small.out, []);
  const failed = fakeBar({ total: 100e6 });
  failed.bar.update({ loaded: 1e6 });
  failed.bar.fail();
  assert.equal(failed.out.at(-1), "\n", "fail() ends the line where it stopped");
});

Deno.test("ProgressBar updates one Jupyter display in place", () => {
  const messages: { type: string; content: Record<string, unknown> }[] = [];
  const { bar, clock } = fakeBar({
    mode: "jupyter",
    total: 50e6,
    broadcast: (type, content) => void messages.push({ type, content }),
  });
  bar.update({ loaded: 10e6 });
  clock.t = 500;
  bar.update({ loaded: 30e6 });
  clock.t = 1000;
  bar.done();
  assert.deepEqual(messages.map((m) => m.type), [
    "display_data",
    "update_display_data",
    "update_display_data",
  ]);
  const ids = messages.map((m) => (m.content.transient as { display_id: string }).display_id);
  assert.equal(new Set(ids).size, 1, "every message names the same display");
  const last = messages.at(-1)!.content.data as Record<string, string>;
  assert.ok(last["text/html"].includes('<progress value="50000000" max="50000000">'));
  assert.match(last["text/plain"], /100%/);
});

Deno.test("ProgressBar follows a real upload and download on the embedded server", async () => {
  await using s3 = await connect({ trace: false });
  const bucket = await createBucket(s3, { prefix: "progress" });
  const dir = await Deno.makeTempDir();
  try {
    const size = 20 * 1024 * 1024; // multipart: above the 16 MiB threshold
    const data = new Uint8Array(size);
    for (let i = 0; i < size; i += 65536) crypto.getRandomValues(data.subarray(i, i + 65536));
    await Deno.writeFile(`${dir}/up.bin`, data);
    for (const direction of ["upload", "download"] as const) {
      const { bar, clock, out } = fakeBar({ label: direction });
      const seen: number[] = [];
      const onProgress = (p: { loaded: number; total?: number }) => {
        clock.t += 200;
        seen.push(p.loaded);
        bar.update(p);
      };
      if (direction === "upload") {
        await putFile(s3, bucket, "big.bin", `${dir}/up.bin`, { onProgress, partSize: 5 << 20 });
      } else {
        await getFile(s3, bucket, "big.bin", `${dir}/down.bin`, { onProgress });
      }
      bar.done();
      assert.ok(out.length >= 3, `${direction}: drawn ${out.length} times`);
      assert.equal(seen.at(-1), size, `${direction}: the last update reports every byte`);
      assert.deepEqual(seen, [...seen].sort((a, b) => a - b), `${direction}: never goes back`);
      assert.ok(out.at(-1)!.includes("100%  21.0 MB / 21.0 MB"), out.at(-1));
    }
    assert.deepEqual(await Deno.readFile(`${dir}/down.bin`), data);
  } finally {
    await emptyBucket(s3, bucket);
    await deleteBucket(s3, bucket);
    await Deno.remove(dir, { recursive: true });
  }
});

engineTest(
  "jupyter",
  "ProgressBar updates one display in place in Deno's Jupyter kernel",
  async () => {
    const dir = await Deno.makeTempDir();
    try {
      const progress = new URL("../../lib/progress.ts", import.meta.url).href;
      const code = [
        `import { ProgressBar } from "${progress}";`,
        `const bar = new ProgressBar({ total: 20_000_000, label: "demo.bin", intervalMs: 0 });`,
        `for (let i = 1; i <= 4; i++) bar.update({ loaded: i * 5_000_000 });`,
        `bar.done();`,
        `await new Promise((resolve) => setTimeout(resolve, 300));`,
        `bar.mode;`,
      ].join("\n");
      const notebook = {
        nbformat: 4,
        nbformat_minor: 5,
        metadata: { kernelspec: { name: "deno", display_name: "Deno", language: "typescript" } },
        cells: [
          {
            cell_type: "code",
            id: "c1",
            metadata: {},
            execution_count: null,
            source: code,
            outputs: [],
          },
        ],
      };
      await Deno.writeTextFile(`${dir}/p.ipynb`, JSON.stringify(notebook));
      const run = await engineCommand("jupyter", {
        args: ["nbconvert", "--to", "notebook", "--execute", "p.ipynb"],
        cwd: dir,
        env: { PYDEVD_DISABLE_FILE_VALIDATION: "1", NO_COLOR: "1" },
        stdout: "piped",
        stderr: "piped",
        signal: AbortSignal.timeout(120_000),
      }).output();
      assert.equal(run.code, 0, new TextDecoder().decode(run.stderr));
      const executed = JSON.parse(await Deno.readTextFile(`${dir}/p.nbconvert.ipynb`));
      const outputs = executed.cells[0].outputs as {
        output_type: string;
        data?: Record<string, string | string[]>;
      }[];
      const text = (v: string | string[] | undefined) => Array.isArray(v) ? v.join("") : v ?? "";
      const displays = outputs.filter((o) => o.output_type === "display_data");
      assert.equal(displays.length, 1, `one display, updated in place: ${JSON.stringify(outputs)}`);
      const html = text(displays[0].data?.["text/html"]);
      assert.ok(html.includes('<progress value="20000000" max="20000000">'), html);
      assert.ok(text(displays[0].data?.["text/plain"]).includes("100%"));
      const result = outputs.find((o) => o.output_type === "execute_result");
      if (result) assert.equal(text(result.data?.["text/plain"]), '"jupyter"');
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);
