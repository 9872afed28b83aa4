/**
 * Writes each chapter as a Jupyter notebook for Deno's kernel, from its source in `course/`: one
 * markdown cell per step (its heading and prose), then the step's code cell exactly as the source
 * has it, no outputs; a chapter's epilogue is its last cell. Run `deno task notebook` after
 * changing any chapter; a test fails when a notebook (or `notebooks/cloud.png`) drifts.
 *
 * @module
 */

import { drawPicture } from "./picture.ts";
import { forReader } from "./percent.ts";
import { type Chapter, CHAPTERS, type Step } from "./chapters.ts";

/** Where the first chapter's notebook goes, relative to the repository root. */
export const NOTEBOOK_PATH = new URL("../notebooks/tour.ipynb", import.meta.url);

/**
 * Where a chapter's notebook goes.
 *
 * @param chapter The chapter.
 * @returns Its file URL under `notebooks/`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { notebookPath } from "./notebook.ts";
 * import { CHAPTERS } from "./chapters.ts";
 *
 * assert.match(notebookPath(CHAPTERS[0]).pathname, /\/notebooks\/tour\.ipynb$/);
 * ```
 */
export function notebookPath(chapter: Pick<Chapter, "notebook">): URL {
  return new URL(`../notebooks/${chapter.notebook}`, import.meta.url);
}
/** Where the tour's picture goes, next to the notebook (cells open it as `cloud.png`). */
export const PICTURE_PATH = new URL("../notebooks/cloud.png", import.meta.url);

/** Splits text into Jupyter's list of lines, each but the last ending in `\n`. */
function lines(text: string): string[] {
  const parts = text.split("\n");
  return parts.map((line, i) => (i < parts.length - 1 ? `${line}\n` : line));
}

/**
 * The notebook for the given steps, as nbformat 4.5 JSON text (stable, one-space indent, as
 * Jupyter writes it).
 *
 * @param steps The steps, in order.
 * @param epilogue Markdown for a last cell (the course index), if any.
 * @returns The `.ipynb` file's text.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { notebookText } from "./notebook.ts";
 * import { CHAPTERS } from "./chapters.ts";
 *
 * const notebook = JSON.parse(notebookText(CHAPTERS[1].steps));
 * assert.equal(notebook.nbformat, 4);
 * assert.ok(notebook.cells.some((c: { cell_type: string }) => c.cell_type === "code"));
 * ```
 */
export function notebookText(steps: readonly Step[], epilogue?: string): string {
  const cells = steps.flatMap((step) => {
    const markdown = {
      cell_type: "markdown",
      id: `${step.id}-about`,
      metadata: {},
      source: lines(forReader(step.markdown, "notebook")),
    };
    const code = {
      cell_type: "code",
      execution_count: null,
      id: step.id,
      metadata: step.parameters ? { tags: ["parameters"] } : {},
      outputs: [],
      source: lines(step.code),
    };
    return step.code === "" ? [markdown] : [markdown, code];
  });
  if (epilogue) {
    cells.push({
      cell_type: "markdown",
      id: "where-next",
      metadata: {},
      source: lines(forReader(epilogue.trim(), "notebook")),
    });
  }
  const notebook = {
    cells,
    metadata: {
      kernelspec: { display_name: "Deno", language: "typescript", name: "deno" },
      language_info: {
        codemirror_mode: "typescript",
        file_extension: ".ts",
        mimetype: "text/x.typescript",
        name: "typescript",
        nbconvert_exporter: "script",
        pygments_lexer: "typescript",
      },
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
  return JSON.stringify(notebook, null, 1) + "\n";
}

if (import.meta.main) {
  for (const chapter of CHAPTERS) {
    const path = notebookPath(chapter);
    await Deno.writeTextFile(path, notebookText(chapter.steps, chapter.epilogue));
    console.log(`Wrote ${path.pathname} (${chapter.name}, ${chapter.steps.length} steps)`);
  }
  await Deno.writeFile(PICTURE_PATH, drawPicture());
  console.log(`Wrote ${PICTURE_PATH.pathname}`);
}
