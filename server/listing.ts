/**
 * Object listings: one page of keys and common prefixes after a marker, walking a bucket's
 * sorted keys so a page costs O(page + log n), and S3's `encoding-type=url`.
 *
 * @module
 */

import { S3Error } from "./errors.ts";
import { compareUtf8 } from "../core/utf8.ts";
import type { KeyIndex } from "./storage/types.ts";

/** What page to list. */
export interface PageOptions {
  /** Only keys starting with this. @default "" */
  prefix?: string;
  /** Roll keys up to the first occurrence of this after the prefix. */
  delimiter?: string;
  /** Start after this key or common prefix (exclusive). */
  after?: string;
  /** Most entries (keys plus common prefixes) on the page. @default 1000 */
  maxKeys?: number;
}

/** One page of a listing. */
export interface Page {
  /** Keys on the page, in order. */
  keys: string[];
  /** Common prefixes on the page, in order. */
  commonPrefixes: string[];
  /** True when more entries follow. */
  isTruncated: boolean;
  /** The last entry on the page (key or common prefix), to continue after. */
  last?: string;
}

/** What to walk: the keys (or common prefixes) after a marker. */
export interface WalkOptions {
  /** Only keys starting with this. @default "" */
  prefix?: string;
  /** Roll keys up to the first occurrence of this after the prefix. */
  delimiter?: string;
  /** Start after this key or common prefix. */
  after?: string;
  /** Start at `after` itself when it is a key (ListObjectVersions with a version-id-marker). */
  inclusive?: boolean;
}

/** One step of a walk: a key, or a common prefix standing for all the keys it rolls up. */
export type WalkEntry = { kind: "key"; value: string } | { kind: "prefix"; value: string };

/**
 * Walks a bucket's sorted keys in S3 order from a marker, rolling keys up into common prefixes:
 * each step costs O(log n), so a page costs O(page + log n).
 *
 * @param index The bucket's sorted keys.
 * @param options Prefix, delimiter and marker.
 * @returns The entries, lazily.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { walkKeys } from "./listing.ts";
 * import { SortedKeys } from "./storage/sorted_keys.ts";
 *
 * const keys = new SortedKeys();
 * for (const key of ["2024/a.jpg", "2024/b/c.jpg", "2024/b/d.jpg", "2025/e.jpg"]) keys.insert(key);
 * assert.deepEqual([...walkKeys(keys, { prefix: "2024/", delimiter: "/" })], [
 *   { kind: "key", value: "2024/a.jpg" },
 *   { kind: "prefix", value: "2024/b/" },
 * ]);
 * ```
 */
export function* walkKeys(index: KeyIndex, options: WalkOptions = {}): Generator<WalkEntry> {
  const prefix = options.prefix ?? "";
  const delimiter = options.delimiter || undefined;
  const after = options.after || undefined;
  let i = index.lowerBound(prefix);
  if (after !== undefined && compareUtf8(after, prefix) >= 0) {
    i = options.inclusive ? index.lowerBound(after) : index.upperBound(after);
  }
  while (i < index.length) {
    const key = index.at(i);
    if (!key.startsWith(prefix)) return;
    const cut = delimiter === undefined ? -1 : key.indexOf(delimiter, prefix.length);
    if (cut < 0) {
      yield { kind: "key", value: key };
      i++;
      continue;
    }
    const entry = key.slice(0, cut + delimiter!.length);
    if (after === undefined || compareUtf8(entry, after) > 0) {
      yield { kind: "prefix", value: entry };
    }
    i = index.endOfPrefix(entry, i);
  }
}

/**
 * Lists one page of a bucket's keys.
 *
 * @param index The bucket's sorted keys.
 * @param options Prefix, delimiter, marker and page size.
 * @returns The page.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { listPage } from "./listing.ts";
 * import { SortedKeys } from "./storage/sorted_keys.ts";
 *
 * const keys = new SortedKeys();
 * for (const key of ["2024/a.jpg", "2024/b/c.jpg", "2024/c.jpg", "2025/e.jpg"]) keys.insert(key);
 * const page = listPage(keys, { prefix: "2024/", delimiter: "/", maxKeys: 2 });
 * assert.deepEqual(page.keys, ["2024/a.jpg"]);
 * assert.deepEqual(page.commonPrefixes, ["2024/b/"]);
 * assert.equal(page.isTruncated, true);
 * assert.equal(page.last, "2024/b/");
 * ```
 */
export function listPage(index: KeyIndex, options: PageOptions = {}): Page {
  const maxKeys = options.maxKeys ?? 1000;
  const page: Page = { keys: [], commonPrefixes: [], isTruncated: false };
  for (const entry of walkKeys(index, options)) {
    if (page.keys.length + page.commonPrefixes.length >= maxKeys) {
      page.isTruncated = maxKeys > 0; // RGW answers max-keys=0 with an untruncated empty page
      break;
    }
    if (entry.kind === "key") page.keys.push(entry.value);
    else page.commonPrefixes.push(entry.value);
    page.last = entry.value;
  }
  return page;
}

/**
 * Reads `max-keys` (or another page-size parameter).
 *
 * @param query Query parameters.
 * @param name The parameter name.
 * @param limit The largest page served.
 * @returns The page size.
 * @throws {S3Error} `InvalidArgument` when it is not an integer.
 */
export function pageSize(query: URLSearchParams, name = "max-keys", limit = 1000): number {
  const value = query.get(name);
  if (value === null || value === "") return limit;
  if (!/^-?\d+$/.test(value)) {
    throw new S3Error("InvalidArgument", `Cannot read "${name}": "${value}" is not a number`, {
      extra: { ArgumentName: name, ArgumentValue: value },
    });
  }
  // RGW reads a negative size as 0.
  return Math.max(0, Math.min(Number(value), limit));
}

/**
 * Encodes a listing value as `encoding-type=url` asks (slashes kept).
 *
 * @param value A key, prefix or marker.
 * @param url True when the request asked for `encoding-type=url`.
 * @returns The value to send.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeListValue } from "./listing.ts";
 *
 * assert.equal(encodeListValue("a b/c", true), "a%20b/c");
 * assert.equal(encodeListValue("a b/c", false), "a b/c");
 * ```
 */
export function encodeListValue(value: string, url: boolean): string;
export function encodeListValue(value: string | undefined, url: boolean): string | undefined;
export function encodeListValue(value: string | undefined, url: boolean): string | undefined {
  if (value === undefined || !url) return value;
  return encodeURIComponent(value).replace(/%2F/g, "/");
}
