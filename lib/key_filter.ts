/**
 * Glob patterns for `sync`'s `include` and `exclude`, matched against a key relative to the
 * synced folder or prefix (`photos/2026/cloud.png`): what `syncUp()`/`syncDown()` apply, and
 * what `deno task sync` checks its `--include`/`--exclude` with before it starts. Imports nothing.
 *
 * - `*` matches any characters but `/`, `?` one character but `/`, `**` anything, `/` included;
 *   `[abc]` and `[a-z]` one character of a set; `\` escapes the next character.
 * - A pattern without `/` is matched against the last part of the key (its file name), anywhere
 *   in the tree: `*.tmp` leaves out `a/b/c.tmp`. A pattern with `/` is matched against the whole
 *   relative key: `cache/**` leaves out everything under `cache/` at the top.
 *
 * @module
 */

/**
 * Compiles a glob to a regular expression over a whole relative key.
 *
 * @param pattern The glob.
 * @returns The expression.
 * @throws {SyntaxError} For an unclosed `[` set.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { globToRegExp } from "./key_filter.ts";
 *
 * assert.ok(globToRegExp("*.tmp").test("a/b/c.tmp"));
 * assert.ok(!globToRegExp("cache/*").test("cache/a/b"));
 * assert.ok(globToRegExp("cache/**").test("cache/a/b"));
 * ```
 */
export function globToRegExp(pattern: string): RegExp {
  const anchored = pattern.includes("/");
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "*") {
      if (pattern[i + 1] === "*") {
        // `**/` also matches no folder at all: `a/**/b` matches `a/b`.
        if (pattern[i + 2] === "/") {
          source += "(?:.*/)?";
          i += 2;
        } else {
          source += ".*";
          i += 1;
        }
      } else source += "[^/]*";
    } else if (c === "?") source += "[^/]";
    else if (c === "[") {
      const end = pattern.indexOf("]", i + 2);
      if (end === -1) {
        throw new SyntaxError(`Invalid pattern "${pattern}": "[" at ${i} has no closing "]"`);
      }
      let set = pattern.slice(i + 1, end).replace(/[\\\]^]/g, (m) => `\\${m}`);
      if (set.startsWith("\\^") || set.startsWith("!")) set = `^${set.replace(/^(\\\^|!)/, "")}`;
      source += `[${set}]`;
      i = end;
    } else if (c === "\\" && i + 1 < pattern.length) {
      source += pattern[++i].replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
    } else source += c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  }
  const body = pattern.startsWith("/") ? source.slice(2) : source;
  return new RegExp(anchored ? `^${body}$` : `(?:^|/)${body}$`, "u");
}

/**
 * Builds the filter of a sync: a key is synced when it matches one of `include` (or `include`
 * is empty) and none of `exclude`.
 *
 * @param include Globs of the keys to keep; empty keeps everything.
 * @param exclude Globs of the keys to leave out; they win over `include`.
 * @returns A test over relative keys.
 * @throws {SyntaxError} For an invalid pattern.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { keyFilter } from "./key_filter.ts";
 *
 * const keep = keyFilter(["*.jpg"], ["private/**"]);
 * assert.ok(keep("2026/cloud.jpg"));
 * assert.ok(!keep("private/me.jpg"));
 * assert.ok(!keep("notes.txt"));
 * ```
 */
export function keyFilter(
  include: string[] = [],
  exclude: string[] = [],
): (key: string) => boolean {
  const ins = include.map(globToRegExp);
  const outs = exclude.map(globToRegExp);
  return (key) =>
    (ins.length === 0 || ins.some((r) => r.test(key))) && !outs.some((r) => r.test(key));
}
