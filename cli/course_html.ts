/**
 * `deno task course:html [--out DIR] [CHAPTER ...]`: the course as a static site, to read before
 * running anything. Every chapter's notebook is executed in Jupyter with Deno's kernel (on the
 * embedded server, or where the environment points, as `deno task notebook:run` does) and
 * rendered to one HTML page; `index.html` links them in course order, with each chapter's summary.
 * A chapter that fails is named, the others still written, and the command exits 1; Ctrl-C stops
 * it and removes the folder it was writing.
 *
 * @example Usage
 * ```sh
 * deno task course:html                      # writes site/ (every chapter)
 * deno task course:html --out /tmp/course signing versions
 * ```
 *
 * @module
 */

import { basename, relative, resolve } from "node:path";
import { chapterNamed, CHAPTERS } from "../tour/chapters.ts";
import { executeNotebook, jupyterProblem, renderHtml } from "./jupyter/nbconvert.ts";
import { type Notebook, summarizeOutputs } from "./jupyter/outputs.ts";
import { parseCommandLine, reportError, UsageError } from "./usage.ts";

/** Where the site goes unless `--out` says otherwise. */
export const DEFAULT_SITE = "site";

const HELP = `Usage: deno task course:html [options] [CHAPTER ...]

Executes every chapter's notebook (or the CHAPTERs named) in Jupyter with Deno's kernel and
writes the course as static HTML pages, with an index in course order: the course to read in a
browser, outputs and traffic tables included, before running it yourself.

Options:
  --out DIR      The folder to write (default ${DEFAULT_SITE}/; made if missing, pages replaced)
  -h, --help     Show this help

Chapters: ${CHAPTERS.map((c) => c.name).join(", ")}

The notebooks run on the embedded server unless the environment says otherwise
(AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID...). Needs Debian's Jupyter and Deno's kernel, as
deno task notebook:run does.`;

/** What the command line asks for. */
export interface CourseHtmlOptions {
  /** The folder to write. */
  out: string;
  /** The chapters to execute, in course order. */
  chapters: string[];
}

/**
 * Reads the command line.
 *
 * @param args The arguments after the task name.
 * @returns The folder and chapters, or `"help"`.
 * @throws {UsageError} On an unknown flag or chapter.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseCourseHtmlArgs } from "./course_html.ts";
 *
 * const all = parseCourseHtmlArgs([]);
 * assert.ok(all !== "help" && all.out === "site" && all.chapters[0] === "getting-started");
 * assert.deepEqual(parseCourseHtmlArgs(["--out", "/tmp/c", "versions", "signing"]), {
 *   out: "/tmp/c",
 *   chapters: ["signing", "versions"],
 * });
 * assert.throws(() => parseCourseHtmlArgs(["nope"]), /Cannot build chapter "nope"/);
 * ```
 */
export function parseCourseHtmlArgs(args: string[]): CourseHtmlOptions | "help" {
  const parsed = parseCommandLine("course:html", args, {
    allowPositionals: true,
    options: { out: { type: "string" }, help: { type: "boolean", short: "h" } },
  });
  if (parsed.values.help) return "help";
  for (const name of parsed.positionals) {
    if (!CHAPTERS.some((c) => c.name === name)) {
      throw new UsageError(
        "course:html",
        `Cannot build chapter "${name}": the chapters are ${
          CHAPTERS.map((c) => c.name).join(", ")
        }`,
      );
    }
  }
  const wanted = new Set(parsed.positionals);
  const chapters = CHAPTERS.map((c) => c.name).filter((n) => wanted.size === 0 || wanted.has(n));
  return { out: parsed.values.out ?? DEFAULT_SITE, chapters };
}

/** One line of the index: a chapter, its page, and how its run went. */
export interface IndexEntry {
  /** Its position in the course, from 1. */
  number: number;
  /** Its title. */
  title: string;
  /** What it does, in one sentence. */
  summary: string;
  /** Its page, relative to the index. */
  page: string;
  /** Why it failed, when it did. */
  failure?: string;
}

function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;");
}

/**
 * The index page: the chapters in course order, each linked to its page with its summary.
 *
 * @param entries The chapters written.
 * @returns The HTML document.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { indexPage } from "./course_html.ts";
 *
 * const html = indexPage([{ number: 2, title: "A <b>", summary: "s", page: "02-a.html" }]);
 * assert.match(html, /<a href="02-a\.html">2\. A &lt;b&gt;<\/a>/);
 * ```
 */
export function indexPage(entries: readonly IndexEntry[]): string {
  const items = entries.map((e) => {
    const failed = e.failure
      ? ` <strong>(did not run cleanly: ${escapeHtml(e.failure)})</strong>`
      : "";
    return `<li><a href="${escapeHtml(e.page)}">${e.number}. ${escapeHtml(e.title)}</a>: ` +
      `${escapeHtml(e.summary)}${failed}</li>`;
  });
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>DreamObjects, hands on: the S3 API in TypeScript</title>
<style>body{font-family:sans-serif;max-width:48rem;margin:2rem auto;line-height:1.5}</style>
</head><body>
<h1>DreamObjects, hands on: the S3 API in TypeScript</h1>
<p>The course's chapters, executed on the embedded S3 server: every request each step made is in
the tables under its code. Run them yourself with <code>deno task tour NAME</code> or open the
notebooks in Jupyter.</p>
<ol class="chapters">
${items.join("\n")}
</ol>
</body></html>
`;
}

/** A path as the user can find it. */
function shown(path: string): string {
  const rel = relative(Deno.cwd(), resolve(path));
  return rel.startsWith("..") ? resolve(path) : rel;
}

/** Why an executed notebook is not clean: a cell that raised, or none. */
function errorCells(notebook: Notebook): number {
  let count = 0;
  for (const cell of notebook.cells) {
    const outputs = (cell as { outputs?: { output_type: string }[] }).outputs ?? [];
    if (outputs.some((o) => o.output_type === "error")) count++;
  }
  return count;
}

/**
 * Runs the command.
 *
 * @param args Command-line arguments.
 * @returns The exit code: 0 all written, 1 a chapter failed, 2 usage or no Jupyter, 130 Ctrl-C.
 */
export async function main(args: string[]): Promise<number> {
  let options;
  try {
    options = parseCourseHtmlArgs(args);
  } catch (error) {
    return reportError(error);
  }
  if (options === "help") {
    console.log(HELP);
    return 0;
  }
  const problem = await jupyterProblem();
  if (problem) {
    console.error(`Cannot build the course: ${problem}`);
    return 2;
  }
  const existed = await Deno.stat(options.out).then(() => true, () => false);
  await Deno.mkdir(options.out, { recursive: true });
  const work = await Deno.makeTempDir({ prefix: "course-html-" });
  const controller = new AbortController();
  const interrupt = () => controller.abort();
  Deno.addSignalListener("SIGINT", interrupt);
  const entries: IndexEntry[] = [];
  try {
    for (const [i, name] of options.chapters.entries()) {
      const chapter = chapterNamed(name);
      const number = CHAPTERS.indexOf(chapter) + 1;
      const page = basename(chapter.notebook).replace(/\.ipynb$/, ".html");
      const executed = `${work}/${basename(chapter.notebook)}`;
      const started = performance.now();
      console.log(`[${i + 1}/${options.chapters.length}] ${name}: executing...`);
      const entry: IndexEntry = { number, title: chapter.title, summary: chapter.summary, page };
      const run = await executeNotebook(
        `notebooks/${chapter.notebook}`,
        executed,
        controller.signal,
      );
      if (controller.signal.aborted) break;
      if (run.code !== 0) {
        entry.failure = `nbconvert exited ${run.code}`;
      } else {
        const notebook: Notebook = JSON.parse(await Deno.readTextFile(executed));
        const raised = errorCells(notebook);
        if (raised > 0) entry.failure = `${raised} cell(s) raised`;
        const html = await renderHtml(executed, `${options.out}/${page}`, controller.signal);
        if (controller.signal.aborted) break;
        if (html.code !== 0) entry.failure = `the HTML page was not written (${html.code})`;
        const { outputs } = summarizeOutputs(notebook);
        const seconds = ((performance.now() - started) / 1000).toFixed(1);
        console.log(`    ${outputs} outputs in ${seconds} s -> ${shown(`${options.out}/${page}`)}`);
      }
      if (entry.failure) console.error(`    ${name}: ${entry.failure}`);
      entries.push(entry);
    }
    if (controller.signal.aborted) {
      if (!existed) await Deno.remove(options.out, { recursive: true }).catch(() => {});
      console.error("Interrupted: the course site was not finished");
      return 130;
    }
    await Deno.writeTextFile(`${options.out}/index.html`, indexPage(entries));
    console.log(`Wrote ${shown(`${options.out}/index.html`)} (${entries.length} chapters)`);
    const failed = entries.filter((e) => e.failure);
    if (failed.length > 0) {
      console.error(
        `${failed.length} chapter(s) did not run cleanly: ${failed.map((e) => e.title).join(", ")}`,
      );
      return 1;
    }
    return 0;
  } finally {
    Deno.removeSignalListener("SIGINT", interrupt);
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
