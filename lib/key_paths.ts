/**
 * Object keys at the two borders they cross: the URL of a request, and a local file name. A leaf
 * (imports only `node:path`), used by `validate.ts`, the SDK's key check in `connect.ts`, the lean
 * client and the downloads (`sync.ts`, `cli/cp.ts`). Not exported by `mod.ts`: the library and its commands share it.
 *
 * Why keys with a `.` or `..` path segment are refused before sending: every URL parser of the
 * WHATWG kind (Deno's `fetch`, and the `node:http` under Deno) removes them, also when written
 * `%2E`, so a GET of `a/../b` goes out as a GET of `b`. Measured on today's code: the AWS SDK's
 * signature then no longer matches (a 403 `SignatureDoesNotMatch` that blames the secret key),
 * `getFile()` through a path without a signature check of the path wrote object `b`'s bytes,
 * and `deno task cp` of `..` downloaded the bucket's listing. S3 itself stores such keys; no
 * client here can name them, so they are refused by name.
 *
 * @module
 */

import { posix, win32 } from "node:path";

/** What a path module must offer for {@linkcode localPathFor}. */
export type PathRules = typeof posix | typeof win32;

/**
 * A key as it is quoted in a one-line message: in double quotes, control characters escaped.
 *
 * @param key The key.
 * @returns The quoted key, e.g. `"p/a\rb"`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { quoteKey } from "./key_paths.ts";
 *
 * assert.equal(quoteKey("p/a\rb"), '"p/a\\rb"');
 * assert.equal(quoteKey("café.txt"), '"café.txt"');
 * ```
 */
export function quoteKey(key: string): string {
  return JSON.stringify(key);
}

/**
 * Why a key cannot be put in a request URL, or `undefined` when it can.
 *
 * @param key The key.
 * @returns The reason, as the end of a sentence.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { wireKeyProblem } from "./key_paths.ts";
 *
 * assert.match(wireKeyProblem("a/../b")!, /"\.\." path segment/);
 * assert.equal(wireKeyProblem("a//b/"), undefined);
 * ```
 */
export function wireKeyProblem(key: string): string | undefined {
  const dot = key.split("/").find((segment) => segment === "." || segment === "..");
  if (dot === undefined) return undefined;
  return `its "${dot}" path segment would be removed from the request URL by fetch ` +
    "(the request would name another object); rename the object with another client";
}

/**
 * Throws when a key cannot be put in a request URL: the one check before anything is sent.
 *
 * @param key The key.
 * @throws {RangeError} When the key has a `.` or `..` path segment.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkWireKey } from "./key_paths.ts";
 *
 * assert.throws(() => checkWireKey("./x"), /^RangeError: Cannot send key "\.\/x": its "\."/);
 * ```
 */
export function checkWireKey(key: string): void {
  const problem = wireKeyProblem(key);
  if (problem) throw new RangeError(`Cannot send key ${quoteKey(key)}: ${problem}`);
}

/** Names Windows gives devices, in any case and with any extension (`aux.txt` is AUX). */
const WINDOWS_DEVICES = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)(\..*)?$/i;
/** Characters Windows refuses in a file name. */
// deno-lint-ignore no-control-regex
const WINDOWS_FORBIDDEN = /[<>:"|?*\u0000-\u001f]/;

/**
 * Why a key cannot become a file under a folder with these path rules, or `undefined`.
 *
 * @param key The key, relative to the folder.
 * @param rules `node:path`'s `posix` or `win32`.
 * @returns The reason, as the end of a sentence.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { posix, win32 } from "node:path";
 * import { localKeyProblem } from "./key_paths.ts";
 *
 * assert.equal(localKeyProblem("..\\..\\evil.txt", posix), undefined);
 * assert.match(localKeyProblem("..\\..\\evil.txt", win32)!, /leave the folder/);
 * assert.match(localKeyProblem("aux.txt", win32)!, /reserved/);
 * ```
 */
export function localKeyProblem(key: string, rules: PathRules): string | undefined {
  const windows = rules.sep === "\\";
  if (key.includes("\0")) return "it holds a NUL character";
  if (key.endsWith("/")) return 'a key ending in "/" names a folder, not a file';
  const segments = windows ? key.split(/[\\/]/) : key.split("/");
  if (segments.some((s) => s === "" || s === "." || s === "..")) {
    return 'it has an empty, "." or ".." path segment, which would leave the folder';
  }
  if (windows) {
    const device = segments.find((s) => WINDOWS_DEVICES.test(s.replace(/[ .]+$/, "")));
    if (device) return `${quoteKey(device)} is a reserved device name on Windows`;
    const bad = segments.find((s) => WINDOWS_FORBIDDEN.test(s));
    if (bad !== undefined) {
      return `${
        quoteKey(bad)
      } holds a character Windows refuses in file names (: * ? " < > | or a ` +
        "control character), which could also name a drive or a stream";
    }
    const trailing = segments.find((s) => /[ .]$/.test(s));
    if (trailing) return `${quoteKey(trailing)} ends with a dot or a space, which Windows drops`;
  }
  return undefined;
}

/** This system's path rules. */
const NATIVE: PathRules = Deno.build.os === "windows" ? win32 : posix;

/**
 * The file a key lands in under a folder, or why it cannot: the key checked by
 * {@linkcode localKeyProblem} under this system's rules and under `rules` (both, so a folder
 * meant for Windows can be checked on Linux), its `/`-separated parts joined under `dir`, and
 * the joined path checked to resolve inside `dir`.
 *
 * @param dir The destination folder.
 * @param key The key, relative to the folder.
 * @param rules `node:path`'s `posix` or `win32`, checked besides this system's. @default this
 * system's
 * @returns The path (joined as this system joins), or the reason.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { win32 } from "node:path";
 * import { localPathFor } from "./key_paths.ts";
 *
 * assert.ok("path" in localPathFor("down", "a/b.txt"));
 * assert.ok("problem" in localPathFor("down", "a/../../b.txt"));
 * assert.ok("problem" in localPathFor("down", "C:x", win32));
 * ```
 */
export function localPathFor(
  dir: string,
  key: string,
  rules: PathRules = NATIVE,
): { path: string } | { problem: string } {
  const problem = localKeyProblem(key, NATIVE) ??
    (rules === NATIVE ? undefined : localKeyProblem(key, rules));
  if (problem) return { problem };
  const path = NATIVE.join(dir, ...key.split("/"));
  const inside = NATIVE.relative(NATIVE.resolve(dir), NATIVE.resolve(path));
  const up = inside === ".." || inside.startsWith(`..${NATIVE.sep}`);
  if (inside === "" || up || NATIVE.isAbsolute(inside)) {
    return { problem: "it would land outside the folder" };
  }
  return { path };
}
