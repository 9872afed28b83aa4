/**
 * Finds, in test sources, every spawn of an engine (see `tests/support/engines.ts`) that does not
 * go through `engineCommand()`. `tests/e2e/engines_test.ts` runs it on every `tests/**\/*.ts`.
 *
 * Rules, on the source with its comments blanked:
 * - `new Deno.Command(X, …)`: X must be `Deno.execPath()` or the literal name of a base system
 *   tool ({@linkcode SYSTEM_TOOLS}); a shell or `script` must not be handed an engine's name.
 *   Anything else (an engine, a variable that may hold one) is reported.
 * - `Deno.Command` used as a value (aliased, passed around), `Deno.run`, and `node:child_process`
 *   are reported: they would hide a spawn from the rule above.
 * - `tests/support/engines.ts` itself is exempt: it is where engines are started.
 *
 * @example
 * ```ts ignore
 * import { findEngineSpawns } from "./engine_spawns.ts";
 * findEngineSpawns("t.ts", 'new Deno.Command("rclone", { args: [] })');
 * // [{ file: "t.ts", line: 1, message: "spawns rclone …" }]
 * ```
 *
 * @module
 */

/**
 * Programs every Debian machine has, which tests may start directly (and `curl`, which the
 * form-upload tests post with as `curl -F` and the benchmarks compare with).
 */
export const SYSTEM_TOOLS: readonly string[] = [
  "cat",
  "sh",
  "bash",
  "script",
  "kill",
  "sleep",
  "curl",
  "mount",
  "umount",
];

/** Words that name an engine's program when they appear as a command. */
const ENGINE_WORD =
  /(^|[\s"'`/;|&(])(python3?(\.\d+)?|aws|rclone|s3cmd|jupyter(-\w+)?|ipython3?|chromium(-browser)?|google-chrome|ceph|radosgw(-admin)?|rados)(?=$|[\s"'`;|&)])/;

/** One spawn that bypasses the helper. */
export interface EngineSpawn {
  /** File as given. */
  file: string;
  /** 1-based line of the spawn. */
  line: number;
  /** What is wrong and what to use instead. */
  message: string;
}

/** Where a regular expression literal ends, given the index of its opening `/`. */
function regexEnd(source: string, start: number): number {
  let inClass = false;
  for (let i = start + 1; i < source.length; i++) {
    const c = source[i];
    if (c === "\\") i++;
    else if (c === "\n") return i; // not a regex after all: stop at the line's end
    else if (c === "[") inClass = true;
    else if (c === "]") inClass = false;
    else if (c === "/" && !inClass) return i;
  }
  return source.length;
}

/**
 * Blanks comments (keeping newlines, so line numbers hold) and, if asked, the insides of strings;
 * regular expression literals are left alone (a quote inside a regex does not open a string).
 *
 * @param source TypeScript source.
 * @param options `strings: true` blanks what is between quotes too. @default {strings: false}
 * @returns The source, same length, with those characters replaced by spaces.
 *
 * @example
 * ```ts ignore
 * blankComments('f("a") // b', { strings: true }); // 'f("a")     ' with the a blanked
 * ```
 */
export function blankComments(source: string, options: { strings?: boolean } = {}): string {
  const blank = (text: string) => options.strings ? text.replace(/[^\n]/g, " ") : text;
  let out = "";
  let quote: string | undefined;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    const startsRegex = c === "/" && !quote && source[i + 1] !== "/" && source[i + 1] !== "*" &&
      /(^|[(,=:[!&|?{};+\-*%<>~^]|\breturn|\btypeof)\s*$/.test(out.slice(-12));
    if (startsRegex) {
      const end = regexEnd(source, i);
      out += source.slice(i, end + 1);
      i = end;
    } else if (quote) {
      if (c === "\\") {
        out += blank(c + (source[++i] ?? ""));
      } else if (c === quote) {
        out += c;
        quote = undefined;
      } else {
        out += blank(c);
      }
    } else if (c === '"' || c === "'" || c === "`") {
      quote = c;
      out += c;
    } else if (c === "/" && source[i + 1] === "/") {
      while (i < source.length && source[i] !== "\n") {
        out += " ";
        i++;
      }
      if (i < source.length) out += "\n";
    } else if (c === "/" && source[i + 1] === "*") {
      const end = source.indexOf("*/", i + 2);
      const stop = end < 0 ? source.length : end + 2;
      out += source.slice(i, stop).replace(/[^\n]/g, " ");
      i = stop - 1;
    } else {
      out += c;
    }
  }
  return out;
}

/** The text of a call's arguments, from just after `(` to its matching `)`. */
function callArguments(code: string, open: number): string {
  let depth = 0;
  for (let i = open; i < code.length; i++) {
    if ("([{".includes(code[i])) depth++;
    else if (")]}".includes(code[i]) && --depth === 0) return code.slice(open + 1, i);
  }
  return code.slice(open + 1);
}

/** The first argument of a call, trimmed. */
function firstArgument(args: string): string {
  let depth = 0;
  for (let i = 0; i < args.length; i++) {
    if ("([{".includes(args[i])) depth++;
    else if (")]}".includes(args[i])) depth--;
    else if (args[i] === "," && depth === 0) return args.slice(0, i).trim();
  }
  return args.trim();
}

function lineOf(code: string, index: number): number {
  return code.slice(0, index).split("\n").length;
}

/**
 * Lists the spawns in one file that bypass the engines helper.
 *
 * @param file The file's path, for the report (`tests/support/engines.ts` is exempt).
 * @param source The file's text.
 * @returns One entry per offending spawn, in source order.
 *
 * @example
 * ```ts ignore
 * findEngineSpawns("a_test.ts", 'await new Deno.Command("/usr/bin/aws").output();').length; // 1
 * ```
 */
export function findEngineSpawns(file: string, source: string): EngineSpawn[] {
  if (/(^|\/)tests\/support\/engines\.ts$/.test(file)) return [];
  // Where to look: code only. What to read there: strings too (a spawn's program is one).
  const code = blankComments(source, { strings: true });
  const text = blankComments(source);
  const found: EngineSpawn[] = [];
  const report = (index: number, message: string) =>
    found.push({ file, line: lineOf(code, index), message });
  const helper = "start it with engineCommand() from tests/support/engines.ts, in an engineTest()";

  for (const match of code.matchAll(/\bnew\s+Deno\s*\.\s*Command\s*\(/g)) {
    const open = match.index + match[0].length - 1;
    const args = callArguments(text, open);
    const first = firstArgument(args);
    const literal = /^(["'`])([^"'`$]*)\1$/.exec(first)?.[2];
    if (first === "Deno.execPath()") continue;
    if (literal !== undefined && SYSTEM_TOOLS.includes(literal)) {
      const inner = ENGINE_WORD.exec(args.slice(args.indexOf(first) + first.length));
      if (inner) report(match.index, `runs ${inner[2]} through ${literal}: ${helper}`);
      continue;
    }
    if (literal !== undefined) {
      const name = literal.split("/").at(-1) ?? literal;
      const what = ENGINE_WORD.test(` ${name} `) ? `the engine ${name}` : `"${literal}"`;
      report(match.index, `spawns ${what} directly: ${helper}`);
    } else {
      report(
        match.index,
        `spawns a program chosen at run time (${first.replace(/\s+/g, " ")}): use ` +
          `Deno.execPath(), a system tool (${SYSTEM_TOOLS.join(", ")}) or engineCommand()`,
      );
    }
  }
  for (const match of code.matchAll(/\bDeno\s*\.\s*Command\b(?![A-Za-z])/g)) {
    const before = code.slice(Math.max(0, match.index - 20), match.index);
    if (/\bnew\s+$/.test(before)) continue;
    if (/(:|<|\||&|\bas|\bof|\bextends|\bimplements)\s*$/.test(before)) continue; // a type
    report(match.index, `uses Deno.Command as a value, which hides its spawns: ${helper}`);
  }
  for (const match of code.matchAll(/\bDeno\s*\.\s*run\s*\(/g)) {
    report(match.index, `spawns with Deno.run: ${helper}`);
  }
  for (
    const match of text.matchAll(/\b(from|import|require\s*\()\s*["'](node:)?child_process["']/g)
  ) {
    if (!code.startsWith(match[1], match.index)) continue; // the import is itself in a string
    report(match.index, `imports child_process: ${helper}`);
  }
  return found.sort((a, b) => a.line - b.line);
}
