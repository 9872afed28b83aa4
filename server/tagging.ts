/**
 * Object tag rules, as Ceph RGW 16 applies them: at most 10 tags, keys up to 128 characters,
 * values up to 256; read from a `Tagging` XML body (PutObjectTagging) or from the
 * `x-amz-tagging` header (a URL query string, on PutObject).
 *
 * @module
 */

import { S3Error } from "./errors.ts";
import { asArray, parseXml } from "./xml.ts";

/** Most tags an object may carry. */
export const MAX_TAGS = 10;
/** Longest tag key, in characters. */
export const MAX_TAG_KEY = 128;
/** Longest tag value, in characters. */
export const MAX_TAG_VALUE = 256;

/** An object's tags: key and value pairs, in the order given (a key may repeat, as on RGW 16). */
export type Tags = Array<[string, string]>;

function problem(tags: Array<[string, string]>): string | undefined {
  if (tags.length > MAX_TAGS) return `at most ${MAX_TAGS} tags are allowed, got ${tags.length}`;
  for (const [key, value] of tags) {
    if (key.length === 0 || key.length > MAX_TAG_KEY) {
      return `a tag key must be 1 to ${MAX_TAG_KEY} characters, got ${key.length}`;
    }
    if (value.length > MAX_TAG_VALUE) {
      return `a tag value must be at most ${MAX_TAG_VALUE} characters, got ${value.length}`;
    }
  }
  return undefined;
}

/**
 * Reads a PutObjectTagging body.
 *
 * @param text The XML body: `<Tagging><TagSet><Tag><Key/><Value/></Tag>...`.
 * @returns The tags.
 * @throws {S3Error} `MalformedXML`, or `InvalidTag` past a limit.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { tagsFromXml } from "./tagging.ts";
 *
 * assert.deepEqual(
 *   tagsFromXml("<Tagging><TagSet><Tag><Key>a</Key><Value>1</Value></Tag></TagSet></Tagging>"),
 *   [["a", "1"]],
 * );
 * ```
 */
export function tagsFromXml(text: string): Tags {
  const root = parseXml(text, "MalformedXML", false).Tagging as Record<string, unknown> | undefined;
  if (!root || typeof root !== "object" || !("TagSet" in root)) throw new S3Error("MalformedXML");
  const set = root.TagSet;
  const items = typeof set === "object" && set !== null
    ? asArray((set as Record<string, unknown>).Tag as Record<string, unknown>[] | undefined)
    : [];
  const pairs = items.map((item): [string, string] => {
    if (typeof item !== "object" || item === null || !("Key" in item)) {
      throw new S3Error("MalformedXML");
    }
    return [String(item.Key ?? ""), String(item.Value ?? "")];
  });
  const why = problem(pairs);
  if (why) throw new S3Error("InvalidTag", `Cannot tag the object: ${why}`);
  return pairs;
}

/**
 * Reads an `x-amz-tagging` header (`a=1&b=two`, %-encoded).
 *
 * @param header The header value, or `null`.
 * @returns The tags, or `undefined` without the header.
 * @throws {S3Error} `InvalidArgument` past a limit (RGW's code for the header).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { tagsFromHeader } from "./tagging.ts";
 *
 * assert.deepEqual(tagsFromHeader("a%20b=c%26d&e="), [["a b", "c&d"], ["e", ""]]);
 * ```
 */
export function tagsFromHeader(header: string | null): Tags | undefined {
  if (header === null) return undefined;
  const pairs = [...new URLSearchParams(header)];
  const why = problem(pairs);
  if (why) {
    throw new S3Error("InvalidArgument", `Cannot read "x-amz-tagging": ${why}`, {
      extra: { ArgumentName: "x-amz-tagging", ArgumentValue: header },
    });
  }
  return pairs;
}

/**
 * Writes a `Tagging` document's content: the tags sorted by key (repeats kept), as RGW lists
 * them.
 *
 * @param tags The tags.
 * @returns The `TagSet` element content.
 */
export function tagSet(tags: Tags | undefined): { Tag: { Key: string; Value: string }[] } {
  // A stable sort: repeated keys keep their order, as in RGW's multimap.
  const sorted = [...(tags ?? [])].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return { Tag: sorted.map(([Key, Value]) => ({ Key, Value })) };
}
