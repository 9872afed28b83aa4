/**
 * Runs a chapter's code cells in a terminal, as the notebook runs them: all the cells become one
 * module (top-level declarations stay visible to later cells, as in the kernel), imported from a
 * `data:` URL, with a call into the tour before each cell and around the value each cell shows
 * (see `cell_hooks.ts`). The cells' own code is kept as written: TypeScript, with the same
 * imports (relative ones made absolute, since a `data:` module has no folder).
 *
 * @module
 */

import { declaredNames, splitCell, type Step } from "./percent.ts";

const HOOKS = new URL("./cell_hooks.ts", import.meta.url).href;

/**
 * The module that runs some steps of a chapter, calling the hooks (`cell_hooks.ts`).
 *
 * @param steps The steps to run, in order (those `--keep` skips left out).
 * @param source The chapter file, against which relative imports resolve.
 * @returns The module's TypeScript text.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { chapterModule } from "./chapter_module.ts";
 *
 * const step = { id: "n", title: "N", markdown: "## N", prose: "", parameters: false, cleanup: false };
 * const text = chapterModule([{ ...step, code: "const n: number = 1;\nn + 1;" }], new URL("file:///c/x.ts"));
 * assert.match(text, /^const n: number = 1;\n__tour\.show\(0, \(\nn \+ 1\n\)\);$/m);
 * ```
 */
export function chapterModule(steps: readonly Step[], source: URL): string {
  const out = [
    `import { cellHooks } from ${JSON.stringify(HOOKS)};`,
    "const __tour = cellHooks.current!;",
  ];
  steps.forEach((step, index) => {
    let code = step.code.replace(
      /(\bfrom\s+|\bimport\s+)"(\.{1,2}\/[^"]+)"/g,
      (_, keyword, specifier) => `${keyword}${JSON.stringify(new URL(specifier, source).href)}`,
    );
    if (step.parameters) code = withParameters(code);
    const { body, expression } = splitCell(code);
    out.push(`// ${step.id}`, `await __tour.enter(${index});`);
    if (body.trim()) out.push(body);
    if (expression !== undefined) out.push(`__tour.show(${index}, (\n${expression}\n));`);
    const names = declaredNames(step.code);
    if (names.length) out.push(`__tour.declare({ ${names.join(", ")} });`);
  });
  return out.join("\n") + "\n";
}

/**
 * The parameters cell with each top-level `const NAME = …;` renamed `__default_NAME` and followed
 * at once by `const NAME = __tour.parameter("NAME", __default_NAME);`, so that the rest of the
 * cell (and the chapter) sees the value the tour's flags give, as papermill's injected cell would.
 */
function withParameters(code: string): string {
  const lines = code.split("\n");
  for (const name of declaredNames(code)) {
    const start = lines.findIndex((l) => new RegExp(`^(?:const|let) ${name}\\b`).test(l));
    if (start < 0) continue; // destructured: left as it is
    lines[start] = lines[start].replace(name, `__default_${name}`);
    let end = start;
    while (end < lines.length - 1 && !/;\s*(?:\/\/.*)?$/.test(lines[end])) end++;
    lines.splice(end + 1, 0, `const ${name} = __tour.parameter("${name}", __default_${name});`);
  }
  return lines.join("\n");
}

/**
 * Runs a module made by {@linkcode chapterModule}; its hooks must be set in `cellHooks.current`.
 *
 * @param text The module's text.
 * @returns When every cell has run.
 * @throws What a cell throws.
 */
export async function runChapterModule(text: string): Promise<void> {
  // A comment makes each run a new module: the same text imported twice would run once.
  const unique = `${text}// run ${crypto.randomUUID()}\n`;
  await import(`data:application/typescript,${encodeURIComponent(unique)}`);
}
