/**
 * Object versioning: turn it on or off for a bucket, read its state, and list every version and
 * delete marker page by page. Reading or deleting one version goes through `objects.ts`
 * (`getBytes(s3, bucket, key, { versionId })`...).
 *
 * @module
 */

import { compareUtf8 } from "../core/utf8.ts";
import {
  GetBucketVersioningCommand,
  ListObjectVersionsCommand,
  type ListObjectVersionsCommandOutput,
  PutBucketVersioningCommand,
} from "@aws-sdk/client-s3";
import type { Connection } from "./connect.ts";
import { request } from "./errors.ts";
import { validateBucketName } from "./validate.ts";

/** A bucket's versioning: `Unversioned` until it is first enabled; then enabled or suspended. */
export type VersioningState = "Unversioned" | "Enabled" | "Suspended";

/**
 * Turns versioning on (`Enabled`) or off (`Suspended`: versions made so far are kept, new writes
 * replace the `null` version). A bucket once versioned never goes back to unversioned.
 *
 * @param s3 The connection.
 * @param bucket The bucket.
 * @param on True to enable, false to suspend.
 * @throws {S3RequestError} `NoSuchBucket`, `AccessDenied` (only the owner may)...
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { connect, createBucket, deleteBucket, getVersioning, setVersioning } from "./mod.ts";
 *
 * await using s3 = await connect();
 * const bucket = await createBucket(s3, { prefix: "versions" });
 * await setVersioning(s3, bucket, true);
 * assert.equal(await getVersioning(s3, bucket), "Enabled");
 * await setVersioning(s3, bucket, false);
 * assert.equal(await getVersioning(s3, bucket), "Suspended"); // never back to "Unversioned"
 * await deleteBucket(s3, bucket);
 * ```
 */
export async function setVersioning(s3: Connection, bucket: string, on: boolean): Promise<void> {
  validateBucketName(bucket, s3.cluster.bucketNames);
  const status = on ? "Enabled" : "Suspended";
  await request(
    { action: `set versioning of bucket "${bucket}" to ${status}`, bucket },
    () =>
      s3.client.send(
        new PutBucketVersioningCommand({
          Bucket: bucket,
          VersioningConfiguration: { Status: status },
        }),
      ),
  );
}

/**
 * Reads a bucket's versioning state.
 *
 * @param s3 The connection.
 * @param bucket The bucket.
 * @returns `Unversioned`, `Enabled` or `Suspended`.
 * @throws {S3RequestError} `NoSuchBucket`, `AccessDenied` (only the owner may)...
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { connect, createBucket, deleteBucket, getVersioning } from "./mod.ts";
 *
 * await using s3 = await connect();
 * const bucket = await createBucket(s3, { prefix: "versions" });
 * assert.equal(await getVersioning(s3, bucket), "Unversioned");
 * await deleteBucket(s3, bucket);
 * ```
 */
export async function getVersioning(s3: Connection, bucket: string): Promise<VersioningState> {
  validateBucketName(bucket, s3.cluster.bucketNames);
  const out = await request(
    { action: `read the versioning of bucket "${bucket}"`, bucket },
    () => s3.client.send(new GetBucketVersioningCommand({ Bucket: bucket })),
  );
  return out.Status === "Enabled" || out.Status === "Suspended" ? out.Status : "Unversioned";
}

/** One version of an object, or a delete marker. */
export interface VersionInfo {
  /** Object key. */
  key: string;
  /** Version id; `"null"` for the version written while versioning was off. */
  versionId: string;
  /** True for the key's current (newest) version. */
  isLatest: boolean;
  /** True for a delete marker (no bytes: reading it answers 404). */
  deleteMarker: boolean;
  /** Size in bytes (0 for a marker). */
  size: number;
  /** ETag, quotes included (absent for a marker). */
  etag?: string;
  /** When it was written. */
  lastModified?: Date;
}

/** How to list versions. */
export interface ListVersionsOptions {
  /** Only keys starting with this. */
  prefix?: string;
  /** Versions and markers asked for per request (the server may send fewer). @default 1000 */
  pageSize?: number;
}

/**
 * A page's versions and markers in listing order. The SDK hands them over as two lists, each in
 * order; they are merged back by key, then newest first within a key.
 */
function pageEntries(page: ListObjectVersionsCommandOutput): VersionInfo[] {
  const versions: VersionInfo[] = (page.Versions ?? []).map((v) => ({
    key: v.Key ?? "",
    versionId: v.VersionId ?? "null",
    isLatest: v.IsLatest ?? false,
    deleteMarker: false,
    size: v.Size ?? 0,
    etag: v.ETag,
    lastModified: v.LastModified,
  }));
  const markers: VersionInfo[] = (page.DeleteMarkers ?? []).map((m) => ({
    key: m.Key ?? "",
    versionId: m.VersionId ?? "null",
    isLatest: m.IsLatest ?? false,
    deleteMarker: true,
    size: 0,
    lastModified: m.LastModified,
  }));
  const out: VersionInfo[] = [];
  let i = 0;
  let j = 0;
  while (i < versions.length || j < markers.length) {
    const v = versions[i];
    const m = markers[j];
    let takeMarker = v === undefined;
    if (v !== undefined && m !== undefined) {
      const byKey = compareUtf8(m.key, v.key);
      takeMarker = byKey < 0 ||
        (byKey === 0 &&
          (m.isLatest ||
            (!v.isLatest && (m.lastModified?.getTime() ?? 0) > (v.lastModified?.getTime() ?? 0))));
    }
    out.push(takeMarker ? markers[j++] : versions[i++]);
  }
  return out;
}

/**
 * Lists every version and delete marker of a bucket: keys in S3 order, each key's versions newest
 * first, one request per page as you iterate (both markers carried from page to page).
 *
 * @param s3 The connection.
 * @param bucket The bucket.
 * @param options Prefix and page size.
 * @returns An async iterator of versions and markers.
 * @throws {S3RequestError} `NoSuchBucket`, `AccessDenied`... (when iterating)
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import {
 *   connect,
 *   createBucket,
 *   deleteObject,
 *   emptyBucket,
 *   deleteBucket,
 *   listVersions,
 *   putObject,
 *   setVersioning,
 * } from "./mod.ts";
 *
 * await using s3 = await connect();
 * const bucket = await createBucket(s3, { prefix: "versions" });
 * await setVersioning(s3, bucket, true);
 * await putObject(s3, bucket, "notes/a.txt", "one");
 * await putObject(s3, bucket, "notes/a.txt", "two");
 * await deleteObject(s3, bucket, "notes/a.txt");
 * const seen: string[] = [];
 * for await (const v of listVersions(s3, bucket, { prefix: "notes/" })) {
 *   seen.push(v.deleteMarker ? "(delete marker)" : `${v.size} bytes`);
 * }
 * assert.deepEqual(seen, ["(delete marker)", "3 bytes", "3 bytes"]); // newest first
 * await emptyBucket(s3, bucket);
 * await deleteBucket(s3, bucket);
 * ```
 */
export async function* listVersions(
  s3: Connection,
  bucket: string,
  options: ListVersionsOptions = {},
): AsyncGenerator<VersionInfo> {
  validateBucketName(bucket, s3.cluster.bucketNames);
  const context = { action: `list the versions in bucket "${bucket}"`, bucket };
  let keyMarker: string | undefined;
  let versionIdMarker: string | undefined;
  while (true) {
    const page = await request(context, () =>
      s3.client.send(
        new ListObjectVersionsCommand({
          Bucket: bucket,
          Prefix: options.prefix,
          MaxKeys: options.pageSize ?? 1000,
          KeyMarker: keyMarker,
          VersionIdMarker: versionIdMarker,
        }),
      ));
    yield* pageEntries(page);
    if (!page.IsTruncated || page.NextKeyMarker === undefined) return;
    keyMarker = page.NextKeyMarker;
    versionIdMarker = page.NextVersionIdMarker;
  }
}
