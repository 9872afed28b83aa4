/**
 * Command-line mistakes, the same way in every command (`deno task tour`, `cp`, `server`): one
 * {@linkcode UsageError} class, {@linkcode parseCommandLine} (`node:util`'s `parseArgs`, whose
 * errors become a one-line `UsageError` naming the command's `--help`), and
 * {@linkcode reportError}, which prints any failure as one line and returns the exit code.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseCommandLine, UsageError } from "./usage.ts";
 *
 * assert.throws(
 *   () => parseCommandLine("cp", ["--fast"], { options: {} }),
 *   new UsageError("cp", 'Unknown option "--fast"'),
 * );
 * ```
 *
 * @module
 */

import { parseArgs, type ParseArgsConfig } from "node:util";

/** Exit code of a command-line mistake (as for most Unix commands). */
export const USAGE_EXIT_CODE = 2;

/**
 * A command-line mistake. Its message is the problem plus where to read the command's help, e.g.
 * `Unknown option "--fast"; see "deno task cp --help"`; commands exit with
 * {@linkcode USAGE_EXIT_CODE} for it.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { UsageError } from "./usage.ts";
 *
 * const error = new UsageError("cp", "Expected SRC and DEST, got 1 argument(s)");
 * assert.equal(error.message, 'Expected SRC and DEST, got 1 argument(s); see "deno task cp --help"');
 * ```
 */
export class UsageError extends Error {
  /** The command whose usage was wrong, as in `deno task <command>`, e.g. `"cp"`. */
  readonly command: string;
  /** The problem alone, without the hint to `--help`. */
  readonly problem: string;

  /**
   * Builds the error.
   *
   * @param command The command, as in `deno task <command>`.
   * @param problem What is wrong, one line, no final period.
   */
  constructor(command: string, problem: string) {
    super(`${problem}; see "deno task ${command} --help"`);
    this.name = "UsageError";
    this.command = command;
    this.problem = problem;
  }
}

/**
 * The first sentence of a `parseArgs` error, in one line with double quotes (Node's message runs
 * over several lines and suggests `--` for positionals, which these commands do not take).
 *
 * @param error What `parseArgs` threw.
 * @returns The message, without a final period.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseArgs } from "node:util";
 * import { parseArgsMessage } from "./usage.ts";
 *
 * assert.throws(() => parseArgs({ args: ["--bogus"], options: {} }), (error) => {
 *   assert.equal(parseArgsMessage(error), 'Unknown option "--bogus"');
 *   return true;
 * });
 * ```
 */
export function parseArgsMessage(error: unknown): string {
  return String((error as Error)?.message ?? error).split("\n")[0]
    .replace(/\. To specify a positional argument.*$/, "")
    .replace(/'/g, '"')
    .replace(/\.$/, "");
}

/**
 * Keeps a negative number with the string option before it (`--port -1` → `--port=-1`), so the
 * option's own check refuses it ("use a number from 0 to 65535") instead of `parseArgs` reporting
 * an unknown option "-1".
 */
function joinNegativeNumbers(args: readonly string[], config: ParseArgsConfig): string[] {
  const takesValue = (arg: string) =>
    arg.startsWith("--") && config.options?.[arg.slice(2)]?.type === "string";
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (takesValue(args[i]) && /^-\d/.test(args[i + 1] ?? "")) {
      out.push(`${args[i]}=${args[++i]}`);
    } else out.push(args[i]);
  }
  return out;
}

/**
 * Parses a command line with `node:util`'s `parseArgs` (strict, its default: unknown options are
 * mistakes),
 * turning its errors into a one-line {@linkcode UsageError} for `command`.
 *
 * @param command The command, as in `deno task <command>`, e.g. `"cp"`.
 * @param args The arguments, e.g. `Deno.args`.
 * @param config `parseArgs`' configuration without `args` (`options`, `allowPositionals`...).
 * @returns What `parseArgs` returns: `values` and `positionals`.
 * @throws {UsageError} For an unknown option, a missing value, a stray positional...
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseCommandLine } from "./usage.ts";
 *
 * const options = { port: { type: "string" }, quiet: { type: "boolean" } } as const;
 * const { values } = parseCommandLine("server", ["--port", "9000", "--quiet"], { options });
 * assert.deepEqual({ ...values }, { port: "9000", quiet: true });
 * assert.throws(
 *   () => parseCommandLine("server", ["--port"], { options }),
 *   { name: "UsageError", message: /^Option "--port <value>" argument missing; see "deno task server --help"$/ },
 * );
 * ```
 */
export function parseCommandLine<const T extends Omit<ParseArgsConfig, "args">>(
  command: string,
  args: readonly string[],
  config: T,
): ReturnType<typeof parseArgs<T & { args: string[] }>> {
  try {
    // Strict (parseArgs' default): an unknown option is a mistake, not a value.
    return parseArgs({ ...config, args: joinNegativeNumbers(args, config) });
  } catch (error) {
    throw new UsageError(command, parseArgsMessage(error));
  }
}

/** How {@linkcode reportError} words a failure. */
export interface ReportOptions {
  /**
   * What could not be done, e.g. `Cannot copy "a" to "s3://b/a"`: put before a message that does
   * not already start with "Cannot ". @default none
   */
  what?: string;
  /** Also print the stack trace (`--debug`). @default false */
  debug?: boolean;
}

/**
 * Prints a command's failure on stderr as one line (never a stack trace unless `debug`) and
 * returns the exit code for it: {@linkcode USAGE_EXIT_CODE} for a {@linkcode UsageError}, 1 for
 * anything else.
 *
 * @param error What the command caught.
 * @param options What could not be done; whether to print the stack.
 * @returns The exit code.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { reportError, UsageError } from "./usage.ts";
 *
 * assert.equal(reportError(new UsageError("cp", "Expected SRC and DEST, got 0 argument(s)")), 2);
 * assert.equal(reportError(new Error("the file does not exist"), { what: 'Cannot upload "a"' }), 1);
 * // stderr: Expected SRC and DEST, got 0 argument(s); see "deno task cp --help"
 * //         Cannot upload "a": the file does not exist
 * ```
 */
export function reportError(error: unknown, options: ReportOptions = {}): number {
  const message = String((error as Error)?.message ?? error).split("\n")[0];
  const line = options.what && !message.startsWith("Cannot ")
    ? `${options.what}: ${message}`
    : message;
  console.error(line);
  if (options.debug && error instanceof Error && error.stack) console.error(error.stack);
  return error instanceof UsageError ? USAGE_EXIT_CODE : 1;
}
