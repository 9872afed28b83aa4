/**
 * Runs a notebook cell's code outside Jupyter, with the same meaning: top-level `const`/`let`
 * declarations stay visible to later cells (kept in a scope object), imports from the lib are
 * resolved from the lib's namespace, and the value of a final bare expression is returned, as
 * the kernel would display it.
 *
 * Cells are plain TypeScript without type annotations (so they are also valid JavaScript); the
 * notebook sync test type-checks them all as one module.
 *
 * @module
 */

/** Variables the cells have declared so far, by name. */
export type Scope = Record<string, unknown>;

/** The module cells import from, relative to the notebook. */
export const LIB_SPECIFIER = "../lib/mod.ts";

/**
 * Every module a cell may import from: the lib, the SDK a chapter shows before the lib's
 * shorthand (`PutBucketCorsCommand`...), and the page the chapter "From a web page" serves.
 */
const MODULES: Readonly<Record<string, () => Promise<Record<string, unknown>>>> = {
  [LIB_SPECIFIER]: () => import("../lib/mod.ts"),
  "@aws-sdk/client-s3": () => import("@aws-sdk/client-s3"),
  "@aws-sdk/s3-presigned-post": () => import("@aws-sdk/s3-presigned-post"),
  "../tour/web_page.ts": () => import("./web_page.ts"),
};

/** A cell split into what the runner needs. */
export interface ParsedCell {
  /** Names the cell imports. */
  imports: string[];
  /** The module each imported name comes from. */
  from: Record<string, string>;
  /** Names the cell declares at top level (`const x = …`). */
  declared: string[];
  /** The final bare expression, whose value the notebook displays, if any. */
  result?: string;
  /** The statements, without imports and without the final expression. */
  statements: string;
}

const IMPORT = /^import\s*\{([^}]*)\}\s*from\s*"([^"]+)";?\s*$/;
const DECLARATION = /^(?:const|let)\s+([A-Za-z_$][\w$]*)\s*=/;

/**
 * Splits a cell's code into imports, declarations, statements and final expression.
 *
 * @param code The cell's code.
 * @returns Its parts.
 * @throws {SyntaxError} When it imports from anything but the lib.
 *
 * @example Usage
 * ```ts
 * import { parseCell } from "./cells.ts";
 *
 * const cell = parseCell('const bucket = "b";\nbucket');
 * console.log(cell.declared, cell.result); // [ "bucket" ] bucket
 * ```
 */
export function parseCell(code: string): ParsedCell {
  const imports: string[] = [];
  const from: Record<string, string> = {};
  const declared: string[] = [];
  const lines: string[] = [];
  for (const line of code.split("\n")) {
    const imported = line.match(IMPORT);
    if (imported) {
      if (!Object.hasOwn(MODULES, imported[2])) {
        throw new SyntaxError(
          `Cannot run a cell importing "${imported[2]}": cells import only ${
            Object.keys(MODULES).map((m) => `"${m}"`).join(", ")
          }`,
        );
      }
      for (const name of imported[1].split(",").map((n) => n.trim()).filter(Boolean)) {
        imports.push(name);
        from[name] = imported[2];
      }
      continue;
    }
    const declaration = line.match(DECLARATION);
    if (declaration) declared.push(declaration[1]);
    lines.push(line);
  }
  while (lines.length && lines[lines.length - 1].trim() === "") lines.pop();
  const last = lines[lines.length - 1]?.trim() ?? "";
  const isExpression = last !== "" && !/[;{}]$/.test(last) && !last.startsWith("//") &&
    !DECLARATION.test(last) && !/^(?:if|for|while|return|throw|import)\b/.test(last);
  if (isExpression) lines.pop();
  return {
    imports,
    from,
    declared,
    result: isExpression ? last : undefined,
    statements: lines.join("\n"),
  };
}

// deno-lint-ignore no-explicit-any
type AsyncFn = (...args: any[]) => Promise<[unknown, Scope]>;
const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (
  ...args: string[]
) => AsyncFn;

/**
 * Runs a cell: names imported and declared by earlier cells are in scope, its own declarations are added to
 * `scope`, and the value of its final expression is returned.
 *
 * @param code The cell's code, exactly as the notebook has it.
 * @param scope Declarations of earlier cells; updated in place.
 * @returns The value the notebook would display, or `undefined`.
 *
 * @example Usage
 * ```ts
 * import { runCell } from "./cells.ts";
 *
 * const scope = {};
 * await runCell("const n = 20;", scope);
 * console.log(await runCell("n + 1", scope)); // 21
 * ```
 */
export async function runCell(code: string, scope: Scope): Promise<unknown> {
  const cell = parseCell(code);
  for (const name of cell.imports) {
    // Loaded on first use, so that writing the notebook from the steps needs no lib (nor its SDK).
    const module = await MODULES[cell.from[name]]();
    if (!(name in module)) {
      throw new SyntaxError(
        `Cannot run a cell importing "${name}": "${cell.from[name]}" has no such export`,
      );
    }
    // An import binds the name for this cell and the later ones, as in the notebook.
    scope[name] = module[name];
  }
  const names: Record<string, unknown> = { ...scope };
  for (const name of cell.declared) delete names[name];
  const body = `${cell.statements}\nreturn [${cell.result ?? "undefined"}, { ${
    cell.declared.join(", ")
  } }];`;
  const fn = new AsyncFunction(...Object.keys(names), body);
  const [value, declared] = await fn(...Object.values(names));
  Object.assign(scope, declared);
  return value;
}
