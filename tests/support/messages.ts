/**
 * Checks on the messages users read: one line, a capital letter, no final period, advice on what
 * to do, and no secret key or stack trace.
 *
 * @example
 * ```ts ignore
 * import { assertGoodMessage } from "./messages.ts";
 * assertGoodMessage(error.message, "cp to a missing bucket");
 * ```
 *
 * @module
 */

/** Words that say what to do (or the rule to follow). */
const ADVICE =
  /\b(check|use|give|choose|pick|set|pass|create|delete|start|see|retry|try|name an?|must|only|empty|wait|ask|allowed|lower case|expected|run)\b|\d+ to \d+/i;

/** Secrets that must never show in a message: the demo users' and the tests' wrong one. */
export const TEST_SECRETS: readonly string[] = [
  "DEMOSECRETKEY",
  "OTHERSECRETKEY",
  "WRONGSECRETKEY123",
];

/**
 * Asserts a message is one line, starts with a capital letter, has no final period, says what
 * to do, and holds no secret and no stack trace.
 *
 * @param message The message.
 * @param what The case, for the assertion message.
 */
export function assertGoodMessage(message: string, what: string): void {
  if (message.trim().length === 0) throw new Error(`${what}: empty message`);
  const fail = (why: string) => {
    throw new Error(`${what}: ${why}: ${message}`);
  };
  if (message.trim().includes("\n")) fail("the message spans lines");
  if (!/^[A-Z"]/.test(message.trim())) fail("starts in lower case");
  if (/[^.]\.$/.test(message.trim())) fail("ends with a period");
  // The advice is looked for after "what could not be done:", e.g. not in "Cannot start ...".
  const why = message.includes(": ") ? message.slice(message.indexOf(": ") + 2) : message;
  if (!ADVICE.test(why)) fail("does not say what to do");
  if (/\n\s+at /.test(message)) fail("holds a stack trace");
  for (const secret of TEST_SECRETS) {
    if (message.includes(secret)) throw new Error(`${what}: the message shows a secret key`);
  }
}
