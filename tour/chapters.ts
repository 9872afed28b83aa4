/**
 * The course: its chapters, in order. A chapter is one TypeScript file in `course/`, in
 * jupytext's "percent" format (see `percent.ts`), plus a line in the list below: the name to pass
 * on the command line (`deno task tour signing`), a title, its notebook file and a one-line
 * summary. `deno task notebook` writes every chapter's notebook and `deno task tour NAME` runs a
 * chapter's cells in a terminal, from the same file; `deno task check` type-checks and lints it.
 *
 * To add a chapter: write `course/NN_name.ts` (copy a short chapter's set-up and close cells), add
 * its line to `CHAPTER_LIST`, a row to the README's course table, then run `deno task notebook`.
 *
 * @module
 */

import { parseCells, type Step, stepsOf } from "./percent.ts";

export type { Step };

/** One chapter of the course. */
export interface Chapter {
  /** What to pass to `deno task tour`, e.g. `signing`. */
  name: string;
  /** Its title, e.g. "How a request is signed". */
  title: string;
  /** Its notebook, relative to `notebooks/`, e.g. `02-signing.ipynb`. */
  notebook: string;
  /** What `deno task tour --help` and the README say it does, in one sentence. */
  summary: string;
  /** Its source file, relative to `course/`, e.g. `02_signing.ts`. */
  source: string;
  /** The steps, in order, read from the source file. */
  readonly steps: readonly Step[];
  /** Markdown after the last step: the notebook's last cell, printed at the end in a terminal. */
  epilogue?: string;
  /**
   * Files the cells write next to the notebook; the terminal tour deletes them at the end (also
   * after a failure or Ctrl-C), as it deletes the buckets.
   */
  files?: readonly string[];
}

/** The name `deno task tour` runs when given none. */
export const DEFAULT_CHAPTER = "getting-started";

/** The local files the backups chapter writes next to its notebook, files before their folder. */
const BACKUP_FILES = ["budget.csv", "notes.txt", "photo.bin", "report.txt", "todo.txt"];

const CHAPTER_LIST: Omit<Chapter, "epilogue" | "steps">[] = [
  {
    name: DEFAULT_CHAPTER,
    title: "Getting started",
    // The first notebook keeps the name it had before the course had chapters, so links to it
    // stay valid; the others are numbered in course order.
    notebook: "tour.ipynb",
    summary: "create a bucket, upload a picture, share it with links and ACLs, delete everything",
    source: "01_getting_started.ts",
  },
  {
    name: "signing",
    title: "How a request is signed",
    notebook: "02-signing.ipynb",
    summary: "a SigV4 signature built by hand and checked against the SDK's, SigV2, tampering",
    source: "02_signing.ts",
  },
  {
    name: "big-files",
    title: "Big files: multipart uploads and their leftovers",
    notebook: "03-big-files.ipynb",
    summary:
      "a multipart upload by hand, lib-storage's Upload, an interrupted upload, leftovers aborted",
    source: "03_big_files.ts",
    files: ["big-file.bin"],
  },
  {
    name: "folders",
    title: "Folders and many objects",
    notebook: "04-folders.ipynb",
    summary:
      "folders, 1,000+ keys, metadata, copy, rename, ranges, 304, sizes, bulk deletes and ACLs",
    source: "04_folders.ts",
  },
  {
    name: "versions",
    title: "Versions: undo an overwrite, undo a delete",
    notebook: "05-versions.ipynb",
    summary: "versioning on, an overwrite undone, a delete marker undone, every version deleted",
    source: "05_versions.ts",
  },
  {
    name: "backups",
    title: "Backups: a folder kept in a bucket",
    notebook: "06-backups.ipynb",
    summary: "a folder backed up, only the changes sent again, restored, yesterday's version back",
    source: "06_backups.ts",
    files: ["backup-source", "backup-restored"].flatMap((dir) => [
      ...BACKUP_FILES.map((name) => `${dir}/${name}`),
      dir,
    ]),
  },
  {
    name: "web",
    title: "From a web page",
    notebook: "07-web.ipynb",
    summary:
      "a page on another origin uploads: refused, a CORS rule, a presigned PUT and POST form",
    source: "07_web.ts",
  },
  {
    name: "integrity",
    title: "Data you can trust",
    notebook: "08-integrity.ipynb",
    summary:
      "checksums checked and read back, BadDigest, multipart ETags, conditional writes, retries",
    source: "08_integrity.ts",
  },
];

/**
 * The course index in markdown: one line per chapter, its notebook linked, its command shown.
 *
 * @param chapters The chapters, in order.
 * @returns A markdown list.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { CHAPTERS, courseIndex } from "./chapters.ts";
 *
 * assert.match(courseIndex(CHAPTERS), /^1\. \[Getting started\]\(tour\.ipynb\): `deno task tour`$/m);
 * ```
 */
export function courseIndex(chapters: readonly Pick<Chapter, "name" | "title" | "notebook">[]) {
  return chapters.map((c, i) =>
    `${i + 1}. [${c.title}](${c.notebook}): \`deno task tour${
      c.name === DEFAULT_CHAPTER ? "" : ` ${c.name}`
    }\``
  ).join("\n");
}

const INDEX_EPILOGUE = `## Where next

The course goes on, one chapter per <notebook>notebook (or \`deno task tour NAME\` in a terminal)</notebook><terminal>command</terminal>:

${courseIndex(CHAPTER_LIST)}`;

/**
 * A chapter's source file.
 *
 * @param chapter The chapter.
 * @returns Its file URL under `course/`.
 */
export function sourcePath(chapter: Pick<Chapter, "source">): URL {
  return new URL(`../course/${chapter.source}`, import.meta.url);
}

/** Every chapter, in course order; the first ends with the course index. */
export const CHAPTERS: readonly Chapter[] = CHAPTER_LIST.map((chapter, i) => {
  let steps: Step[] | undefined;
  return {
    ...chapter,
    ...(i === 0 ? { epilogue: INDEX_EPILOGUE } : {}),
    // Read on first use, so that listing the chapters reads no file.
    get steps() {
      const file = `course/${chapter.source}`;
      return steps ??= stepsOf(parseCells(Deno.readTextFileSync(sourcePath(chapter)), file), file);
    },
  };
});

/**
 * Finds a chapter by the name given on the command line.
 *
 * @param name E.g. `signing`.
 * @returns The chapter.
 * @throws {RangeError} For an unknown name, listing the known ones.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { chapterNamed } from "./chapters.ts";
 *
 * assert.equal(chapterNamed("getting-started").notebook, "tour.ipynb");
 * assert.throws(() => chapterNamed("nope"), /Unknown chapter "nope"/);
 * ```
 */
export function chapterNamed(name: string): Chapter {
  const found = CHAPTERS.find((c) => c.name === name);
  if (!found) {
    throw new RangeError(
      `Unknown chapter "${name}": use one of ${CHAPTERS.map((c) => c.name).join(", ")} ` +
        `(deno task tour --list)`,
    );
  }
  return found;
}
