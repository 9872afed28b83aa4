/**
 * The users `deno task server` serves instead of the demo ones: `NAME:ACCESS_KEY:SECRET` entries
 * from `--user` (repeatable), the `S3_SERVER_USERS` environment variable (comma- or
 * newline-separated) and `--users-file FILE` (one per line, `#` comments), validated one by one.
 * A mistake is a one-line {@linkcode UsageError} naming the entry by where it came from and its
 * user name, never by its secret.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseUserEntries } from "./server_users.ts";
 *
 * const users = parseUserEntries([
 *   { text: "alice:ALICEACCESSKEY1:0123456789abcdef0123", where: "--user 1" },
 * ]);
 * assert.equal(users[0].id, "alice");
 * assert.equal(users[0].accessKeyId, "ALICEACCESSKEY1");
 * ```
 *
 * @module
 */

import { DEMO_USERS } from "../server/demo_users.ts";
import type { ServerUser } from "../server/types.ts";
import { UsageError } from "./usage.ts";

/** The environment variable `deno task server` reads users from. */
export const USERS_ENV = "S3_SERVER_USERS";

/** The shortest secret accepted: 16 characters (AWS's own are 40). */
export const MIN_SECRET_LENGTH = 16;

/** A `NAME:ACCESS_KEY:SECRET` entry, and where it came from (for messages). */
export interface UserEntry {
  /** The entry as written. */
  text: string;
  /** Where it came from, e.g. `--user 2`, `S3_SERVER_USERS entry 1`, `--users-file "u" line 3`. */
  where: string;
}

const NAME = /^[A-Za-z0-9_.@-]{1,64}$/;
const ACCESS_KEY = /^[A-Za-z0-9_.-]{3,128}$/;
// Printable ASCII but space and comma (a comma separates entries in S3_SERVER_USERS).
const SECRET = /^[\x21-\x2b\x2d-\x7e]+$/;

/** A one-line usage error about one entry; the name is shown (it is not secret), nothing else. */
function invalid(entry: UserEntry, name: string | undefined, why: string): UsageError {
  const who = name && NAME.test(name) ? ` ("${name}")` : "";
  return new UsageError("server", `Invalid user in ${entry.where}${who}: ${why}`);
}

/**
 * Reads one `NAME:ACCESS_KEY:SECRET` entry (the secret may hold `:`).
 *
 * @param entry The entry and where it came from.
 * @returns The user, its display name being its name.
 * @throws {UsageError} When a part is missing or malformed, the secret is shorter than
 *   {@linkcode MIN_SECRET_LENGTH}, or a key is one of the published demo keys.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseUserEntry } from "./server_users.ts";
 *
 * assert.throws(
 *   () => parseUserEntry({ text: "bob:BOBKEY:short", where: "--user 1" }),
 *   { message: /^Invalid user in --user 1 \("bob"\): the secret has 5 characters/ },
 * );
 * ```
 */
export function parseUserEntry(entry: UserEntry): ServerUser {
  const text = entry.text.trim();
  const first = text.indexOf(":");
  const second = first === -1 ? -1 : text.indexOf(":", first + 1);
  const name = first === -1 ? text : text.slice(0, first);
  if (second === -1) {
    const parts = text === "" ? 0 : first === -1 ? 1 : 2;
    // One part may be anything, a secret too: then the entry is not named.
    throw invalid(
      entry,
      parts === 2 ? name : undefined,
      `expected NAME:ACCESS_KEY:SECRET, got ${parts} part(s); give all three, separated by ":"`,
    );
  }
  const accessKeyId = text.slice(first + 1, second);
  const secretAccessKey = text.slice(second + 1);
  if (!NAME.test(name)) {
    throw invalid(
      entry,
      undefined,
      name === ""
        ? "the name is empty; give one before the first colon"
        : "the name must be 1 to 64 letters, digits, or . _ @ -",
    );
  }
  if (accessKeyId === "") throw invalid(entry, name, "the access key is empty; give one");
  if (accessKeyId.length < 3 || accessKeyId.length > 128) {
    throw invalid(
      entry,
      name,
      `the access key has ${accessKeyId.length} character(s); use 3 to 128`,
    );
  }
  if (!ACCESS_KEY.test(accessKeyId)) {
    throw invalid(entry, name, "the access key may hold only letters, digits, . _ -; pick another");
  }
  if (secretAccessKey.length < MIN_SECRET_LENGTH) {
    throw invalid(
      entry,
      name,
      `the secret has ${secretAccessKey.length} characters; use at least ${MIN_SECRET_LENGTH} ` +
        '(e.g. from "openssl rand -hex 20")',
    );
  }
  if (!SECRET.test(secretAccessKey)) {
    throw invalid(
      entry,
      name,
      "the secret may hold only printable characters, no spaces or commas; pick another",
    );
  }
  if (DEMO_USERS.some((u) => u.accessKeyId === accessKeyId)) {
    throw invalid(
      entry,
      name,
      "the access key is a demo key, published in the README; choose your own",
    );
  }
  return { id: name, displayName: name, accessKeyId, secretAccessKey };
}

/**
 * Reads and validates entries from all sources together: each one, then that no two share a
 * name or an access key.
 *
 * @param entries The entries, in order.
 * @returns The users.
 * @throws {UsageError} For the first bad entry or repeated name or key.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseUserEntries } from "./server_users.ts";
 *
 * assert.throws(
 *   () =>
 *     parseUserEntries([
 *       { text: "ann:ANNKEY:0123456789abcdef", where: "--user 1" },
 *       { text: "ann:ANNKEY2:0123456789abcdef", where: "--user 2" },
 *     ]),
 *   { message: /^Invalid user in --user 2 \("ann"\): the name "ann" is already used by --user 1/ },
 * );
 * ```
 */
export function parseUserEntries(entries: readonly UserEntry[]): ServerUser[] {
  const users: ServerUser[] = [];
  for (const entry of entries) {
    const user = parseUserEntry(entry);
    const sameName = users.findIndex((u) => u.id === user.id);
    if (sameName !== -1) {
      throw invalid(
        entry,
        user.id,
        `the name "${user.id}" is already used by ${
          entries[sameName].where
        }; give each user its own`,
      );
    }
    const sameKey = users.findIndex((u) => u.accessKeyId === user.accessKeyId);
    if (sameKey !== -1) {
      throw invalid(
        entry,
        user.id,
        `the access key is already used by ${entries[sameKey].where} ("${
          users[sameKey].id
        }"); give each user its own`,
      );
    }
    users.push(user);
  }
  return users;
}

/**
 * Splits `S3_SERVER_USERS` into entries: separated by commas or newlines, blank ones skipped.
 *
 * @param value The variable's value.
 * @returns The entries, numbered from 1.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { envEntries } from "./server_users.ts";
 *
 * assert.deepEqual(envEntries("a:K1:s1,\nb:K2:s2").map((e) => e.where), [
 *   "S3_SERVER_USERS entry 1",
 *   "S3_SERVER_USERS entry 2",
 * ]);
 * ```
 */
export function envEntries(value: string): UserEntry[] {
  return value.split(/[,\n]/).map((text) => text.trim()).filter((text) => text !== "")
    .map((text, i) => ({ text, where: `${USERS_ENV} entry ${i + 1}` }));
}

/**
 * Splits a users file into entries: one per line; blank lines and `#` comments skipped.
 *
 * @param text The file's content.
 * @param path The file's path, for messages.
 * @returns The entries, each named by its line number.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { fileEntries } from "./server_users.ts";
 *
 * const entries = fileEntries("# team\nann:K1:s1\n\nbob:K2:s2 # CI\n", "users.txt");
 * assert.deepEqual(entries.map((e) => e.where), [
 *   '--users-file "users.txt" line 2',
 *   '--users-file "users.txt" line 4',
 * ]);
 * ```
 */
export function fileEntries(text: string, path: string): UserEntry[] {
  const entries: UserEntry[] = [];
  for (const [i, line] of text.split(/\r?\n/).entries()) {
    // A comment starts at a "#" that begins the line or follows a space (secrets may hold "#").
    const content = line.replace(/(^|\s)#.*$/, "").trim();
    if (content !== "") {
      entries.push({ text: content, where: `--users-file "${path}" line ${i + 1}` });
    }
  }
  return entries;
}

/** Where {@linkcode loadServerUsers} finds entries. */
export interface UserSources {
  /** The `--user` values, in order. */
  flags?: readonly string[];
  /** The value of `S3_SERVER_USERS`; blank counts as unset. */
  env?: string;
  /** The `--users-file` path. */
  file?: string;
}

/**
 * Reads the users from `--user`, `S3_SERVER_USERS` and `--users-file` together (all of them
 * count; names and access keys must not repeat across them).
 *
 * @param sources The flags, the variable's value and the file's path.
 * @returns The users, or `undefined` when no source gives any (the server then uses the demo
 *   users).
 * @throws {UsageError} For a bad or repeated entry, or a users file that holds none.
 * @throws {Error} When the users file cannot be read (one line, saying why).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadServerUsers } from "./server_users.ts";
 *
 * assert.equal(await loadServerUsers({}), undefined);
 * const users = await loadServerUsers({ env: "ci:CIACCESSKEY:0123456789abcdef0123" });
 * assert.equal(users?.[0].id, "ci");
 * ```
 */
export async function loadServerUsers(
  sources: UserSources,
): Promise<ServerUser[] | undefined> {
  const entries: UserEntry[] = (sources.flags ?? []).map((text, i) => ({
    text,
    where: `--user ${i + 1}`,
  }));
  if (sources.env?.trim()) entries.push(...envEntries(sources.env));
  if (sources.file !== undefined) {
    let text: string;
    try {
      text = await Deno.readTextFile(sources.file);
    } catch (error) {
      const why = error instanceof Deno.errors.NotFound
        ? "it does not exist"
        : error instanceof Deno.errors.IsADirectory
        ? "it is a directory"
        : error instanceof Deno.errors.PermissionDenied
        ? "permission denied"
        : String((error as Error).message).split("\n")[0];
      throw new Error(
        `Cannot read --users-file "${sources.file}": ${why}; give a file with one ` +
          "NAME:ACCESS_KEY:SECRET per line",
      );
    }
    const fromFile = fileEntries(text, sources.file);
    if (fromFile.length === 0) {
      throw new UsageError(
        "server",
        `Cannot use --users-file "${sources.file}": it holds no user; add lines of ` +
          "NAME:ACCESS_KEY:SECRET",
      );
    }
    entries.push(...fromFile);
  }
  return entries.length === 0 ? undefined : parseUserEntries(entries);
}
