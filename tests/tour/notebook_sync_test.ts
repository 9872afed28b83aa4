import assert from "node:assert/strict";
import { inflateSync } from "node:zlib";
import { notebookPath, notebookText, PICTURE_PATH } from "../../tour/notebook.ts";
import { CHAPTERS, courseIndex } from "../../tour/chapters.ts";
import { drawPixels, HEIGHT, scanlines, WIDTH } from "../../tour/picture.ts";
import { DEMO_USERS } from "../../server/demo_users.ts";

const STEPS = CHAPTERS[0].steps;

interface Cell {
  cell_type: string;
  id: string;
  source: string[];
  outputs?: unknown[];
  execution_count?: number | null;
  metadata: { tags?: string[] };
}

for (const chapter of CHAPTERS) {
  Deno.test(`notebooks/${chapter.notebook} is exactly what course/${chapter.source} generates`, async () => {
    const committed = await Deno.readTextFile(notebookPath(chapter));
    assert.ok(
      committed === notebookText(chapter.steps, chapter.epilogue),
      `notebooks/${chapter.notebook} has drifted from course/${chapter.source}: ` +
        "run `deno task notebook` and commit",
    );
  });
}

Deno.test("chapter names are unique command-line words and notebooks are NN-name.ipynb", () => {
  const names = CHAPTERS.map((c) => c.name);
  assert.equal(new Set(names).size, names.length);
  assert.equal(CHAPTERS[0].notebook, "tour.ipynb");
  CHAPTERS.forEach((c, i) => {
    assert.match(c.name, /^[a-z][a-z-]*$/);
    if (i > 0) assert.equal(c.notebook, `${String(i + 1).padStart(2, "0")}-${c.name}.ipynb`);
    assert.equal(c.steps.filter((s) => s.parameters).length, 1, `${c.name}: one options cell`);
    const ids = c.steps.map((s) => s.id);
    assert.equal(new Set(ids).size, ids.length, `${c.name}: duplicate step ids`);
  });
});

Deno.test("the first notebook's last cell links every chapter in order", async () => {
  const notebook = JSON.parse(await Deno.readTextFile(notebookPath(CHAPTERS[0])));
  const last: Cell = notebook.cells.at(-1);
  assert.equal(last.cell_type, "markdown");
  const text = last.source.join("");
  assert.ok(text.includes(courseIndex(CHAPTERS)), text);
  let at = 0;
  for (const chapter of CHAPTERS) {
    const found = text.indexOf(`](${chapter.notebook})`, at);
    assert.ok(found > at, `the index does not link ${chapter.notebook} in order`);
    at = found;
  }
});

Deno.test("each step is a heading, its prose, then its code cell, with no outputs", async () => {
  const notebook = JSON.parse(await Deno.readTextFile(notebookPath(CHAPTERS[0])));
  assert.equal(notebook.metadata.kernelspec.name, "deno");
  const cells: Cell[] = notebook.cells;
  assert.equal(cells.length, STEPS.length * 2 + 1);
  STEPS.forEach((step, i) => {
    const [about, code] = [cells[2 * i], cells[2 * i + 1]];
    assert.equal(about.cell_type, "markdown");
    assert.match(
      about.source.join(""),
      new RegExp(`^#{1,2} ${step.title.replace(/[()]/g, ".")}\n\n`),
    );
    assert.equal(code.cell_type, "code");
    assert.equal(code.id, step.id);
    assert.equal(code.source.join(""), step.code, `cell "${step.id}" differs from its step`);
    assert.deepEqual(code.outputs, []);
    assert.equal(code.execution_count, null);
  });
  const tagged = cells.filter((c) => c.metadata.tags?.includes("parameters")).map((c) => c.id);
  assert.deepEqual(tagged, ["setup"]);
});

Deno.test("code cells are short (at most 8 lines) and prose is at most three sentences a paragraph", () => {
  for (const step of CHAPTERS.flatMap((c) => c.steps)) {
    const lines = step.code.split("\n").length;
    assert.ok(lines <= 8, `step "${step.id}" has a ${lines}-line cell`);
    for (const paragraph of step.prose.trim().split(/\n\s*\n/)) {
      const sentences = paragraph.split(/(?<=[.!?])\s+(?=[A-Z`\\])/).length;
      assert.ok(sentences <= 3, `step "${step.id}" has ${sentences} sentences in a paragraph`);
    }
    assert.ok(step.title.length > 0 && step.prose.trim().length > 0, step.id);
  }
});

Deno.test("the tour's steps show the milestones the issue asks for, in order", () => {
  const ids = STEPS.map((s) => s.id);
  const order = [
    "setup",
    "list-buckets",
    "create-bucket",
    "upload",
    "public-link-denied",
    "presigned-link",
    "public-read",
    "grants",
    "bucket-not-empty",
    "delete-object",
    "versions-left",
    "close",
  ];
  const positions = order.map((id) => ids.indexOf(id));
  assert.ok(
    positions.every((p) => p >= 0),
    `missing steps: ${order.filter((_, i) => positions[i] < 0)}`,
  );
  assert.deepEqual(positions, [...positions].sort((a, b) => a - b));
  assert.deepEqual(STEPS.filter((s) => s.cleanup).map((s) => s.id), [
    "delete-object",
    "versions-left",
    "close",
  ]);
});

Deno.test("the cells import the lib's helpers from the path the notebooks resolve", () => {
  const code = CHAPTERS.flatMap((c) => c.steps).map((s) => s.code).join("\n");
  for (const name of ["connect", "createBucket", "publicUrl", "probe", "signByHand"]) {
    const line = new RegExp(
      `^import \\{[^}]*\\b${name}\\b[^}]*\\} from "\\.\\./lib/mod\\.ts";$`,
      "m",
    );
    assert.match(code, line);
  }
});

Deno.test("notebooks/cloud.png holds exactly the picture tour/picture.ts draws", async () => {
  const png = await Deno.readFile(PICTURE_PATH);
  const view = new DataView(png.buffer);
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  let at = 8;
  const idat: Uint8Array[] = [];
  let size: [number, number] | undefined;
  while (at < png.length) {
    const length = view.getUint32(at);
    const type = new TextDecoder().decode(png.subarray(at + 4, at + 8));
    const data = png.subarray(at + 8, at + 8 + length);
    if (type === "IHDR") size = [view.getUint32(at + 8), view.getUint32(at + 12)];
    if (type === "IDAT") idat.push(data);
    at += 12 + length;
  }
  assert.deepEqual(size, [WIDTH, HEIGHT]);
  const raw = new Uint8Array(
    inflateSync(new Uint8Array(await new Blob(idat as BlobPart[]).arrayBuffer())),
  );
  const expected = scanlines(drawPixels());
  assert.ok(
    raw.length === expected.length && raw.every((b, i) => b === expected[i]),
    "notebooks/cloud.png differs from tour/picture.ts: run `deno task notebook` and commit",
  );
});

Deno.test("the committed notebooks hold no secret key", async () => {
  for (const chapter of CHAPTERS) {
    const text = await Deno.readTextFile(notebookPath(chapter));
    for (const user of DEMO_USERS) assert.ok(!text.includes(user.secretAccessKey), chapter.name);
    assert.doesNotMatch(text, /Signature=[0-9a-f]{16}/);
  }
});
