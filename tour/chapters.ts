/**
 * The course: its chapters, in order. A chapter is a list of steps as data (`steps.ts` for the
 * first, `chapters/*.ts` for the others) plus the name to pass on the command line
 * (`deno task tour signing`), a title and its notebook file. `deno task notebook` writes every
 * chapter's notebook and `deno task tour NAME` runs a chapter in a terminal, from the same steps.
 *
 * @module
 */

import { STEPS } from "./steps.ts";
import type { Step } from "./step.ts";
import { SIGNING_STEPS } from "./chapters/signing.ts";
import { VERSIONS_STEPS } from "./chapters/versions.ts";
import { FOLDERS_STEPS } from "./chapters/folders.ts";
import { BIG_FILES, BIG_FILES_STEPS } from "./chapters/big_files.ts";
import { BACKUPS_FILES, BACKUPS_STEPS } from "./chapters/backups.ts";
import { WEB_STEPS } from "./chapters/web.ts";

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
  /** The steps, in order. */
  steps: readonly Step[];
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

const CHAPTER_LIST: Omit<Chapter, "epilogue">[] = [
  {
    name: DEFAULT_CHAPTER,
    title: "Getting started",
    // The first notebook keeps the name it had before the course had chapters, so links to it
    // stay valid; the others are numbered in course order.
    notebook: "tour.ipynb",
    summary: "create a bucket, upload a picture, share it with links and ACLs, delete everything",
    steps: STEPS,
  },
  {
    name: "signing",
    title: "How a request is signed",
    notebook: "02-signing.ipynb",
    summary: "a SigV4 signature built by hand and checked against the SDK's, SigV2, tampering",
    steps: SIGNING_STEPS,
  },
  {
    name: "big-files",
    title: "Big files: multipart uploads and their leftovers",
    notebook: "03-big-files.ipynb",
    summary:
      "a multipart upload by hand, putFile(), an interrupted upload, leftovers found and aborted",
    steps: BIG_FILES_STEPS,
    files: BIG_FILES,
  },
  {
    name: "folders",
    title: "Folders and many objects",
    notebook: "04-folders.ipynb",
    summary:
      "folders, 1,000+ keys, metadata, copy, rename, ranges, 304, sizes, bulk deletes and ACLs",
    steps: FOLDERS_STEPS,
  },
  {
    name: "versions",
    title: "Versions: undo an overwrite, undo a delete",
    notebook: "05-versions.ipynb",
    summary: "versioning on, an overwrite undone, a delete marker undone, every version deleted",
    steps: VERSIONS_STEPS,
  },
  {
    name: "backups",
    title: "Backups: a folder kept in a bucket",
    notebook: "06-backups.ipynb",
    summary: "a folder backed up, only the changes sent again, restored, yesterday's version back",
    steps: BACKUPS_STEPS,
    files: BACKUPS_FILES,
  },
  {
    name: "web",
    title: "From a web page",
    notebook: "07-web.ipynb",
    summary:
      "a page on another origin uploads: refused, a CORS rule, a presigned PUT and POST form",
    steps: WEB_STEPS,
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

The course goes on, one chapter per notebook (or \`deno task tour NAME\` in a terminal):

${courseIndex(CHAPTER_LIST)}`;

/** Every chapter, in course order; the first ends with the course index. */
export const CHAPTERS: readonly Chapter[] = CHAPTER_LIST.map((chapter, i) =>
  i === 0 ? { ...chapter, epilogue: INDEX_EPILOGUE } : chapter
);

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
