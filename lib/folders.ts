/**
 * Keys as folders and objects by the thousand: a folder listing (prefix + delimiter), copy and
 * rename, a byte range, a conditional GET, the size of a bucket or folder, and deleting or
 * re-permissioning everything under a prefix — DreamHost's "managing DreamObjects with boto
 * scripts" tutorial as functions. Each bulk function reports how many requests it made.
 *
 * @module
 */

import {
  CopyObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  type ObjectCannedACL,
  PutObjectAclCommand,
} from "@aws-sdk/client-s3";
import type { Connection } from "./connect.ts";
import { request } from "./errors.ts";
import { listObjects, putObject } from "./objects.ts";
import { type CannedAcl, validateBucketName, validateCannedAcl, validateKey } from "./validate.ts";

/** One level of a bucket seen as folders. */
export interface FolderListing {
  /** The sub-folders (common prefixes), each ending in `/`. */
  folders: string[];
  /** The objects directly in this folder. */
  files: Array<{ key: string; size: number }>;
  /** `ListObjectsV2` requests made. */
  requests: number;
}

/**
 * Lists one folder: `ListObjectsV2` with a prefix and the delimiter `/`, page by page, so keys
 * deeper down come back as sub-folders (common prefixes) instead of one by one.
 *
 * @param s3 The connection.
 * @param bucket The bucket.
 * @param folder The folder, e.g. `"photos/2026/"`; `""` for the top. @default ""
 * @param pageSize Keys and folders per request. @default 1000
 * @returns Its sub-folders and files, and the requests it took.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { connect, createBucket, listFolder, putObject } from "./mod.ts";
 *
 * await using s3 = await connect();
 * const bucket = await createBucket(s3);
 * await putObject(s3, bucket, "a/b/c.txt", "c");
 * await putObject(s3, bucket, "a/d.txt", "d");
 * const listing = await listFolder(s3, bucket, "a/");
 * assert.deepEqual(listing.folders, ["a/b/"]);
 * assert.deepEqual(listing.files.map((f) => f.key), ["a/d.txt"]);
 * ```
 */
export async function listFolder(
  s3: Connection,
  bucket: string,
  folder = "",
  pageSize = 1000,
): Promise<FolderListing> {
  validateBucketName(bucket, s3.cluster.bucketNames);
  const listing: FolderListing = { folders: [], files: [], requests: 0 };
  let token: string | undefined;
  do {
    const page = await request(
      { action: `list folder "${folder}" of bucket "${bucket}"`, bucket },
      () =>
        s3.client.send(
          new ListObjectsV2Command({
            Bucket: bucket,
            Prefix: folder,
            Delimiter: "/",
            MaxKeys: pageSize,
            ContinuationToken: token,
          }),
        ),
    );
    listing.requests++;
    listing.folders.push(...(page.CommonPrefixes ?? []).map((p) => p.Prefix ?? ""));
    listing.files.push(
      ...(page.Contents ?? []).map((o) => ({ key: o.Key ?? "", size: o.Size ?? 0 })),
    );
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return listing;
}

/**
 * Writes many small objects, a few at a time.
 *
 * @param s3 The connection.
 * @param bucket The bucket.
 * @param keys Their keys.
 * @param body The content of each.
 * @param concurrency Requests in flight. @default 16
 * @returns How many were written (one PUT each).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { bucketSize, connect, createBucket, putMany } from "./mod.ts";
 *
 * await using s3 = await connect();
 * const bucket = await createBucket(s3);
 * assert.equal(await putMany(s3, bucket, ["a", "b", "c"], "x"), 3);
 * assert.deepEqual(await bucketSize(s3, bucket), { objects: 3, bytes: 3, requests: 1 });
 * ```
 */
export async function putMany(
  s3: Connection,
  bucket: string,
  keys: readonly string[],
  body: string | Uint8Array,
  concurrency = 16,
): Promise<number> {
  let next = 0;
  const worker = async () => {
    while (next < keys.length) await putObject(s3, bucket, keys[next++], body);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, keys.length) }, worker));
  return keys.length;
}

/**
 * Copies an object inside the service (`CopyObject`: no bytes go through this machine), with its
 * metadata and content type.
 *
 * @param s3 The connection.
 * @param bucket The bucket.
 * @param from The source key.
 * @param to The new key.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { connect, copyObject, createBucket, getText, putObject } from "./mod.ts";
 *
 * await using s3 = await connect();
 * const bucket = await createBucket(s3);
 * await putObject(s3, bucket, "a.txt", "hello");
 * await copyObject(s3, bucket, "a.txt", "b.txt");
 * assert.equal(await getText(s3, bucket, "b.txt"), "hello");
 * ```
 */
export async function copyObject(
  s3: Connection,
  bucket: string,
  from: string,
  to: string,
): Promise<void> {
  validateBucketName(bucket, s3.cluster.bucketNames);
  validateKey(from);
  validateKey(to);
  const source = `${bucket}/${from.split("/").map(encodeURIComponent).join("/")}`;
  await request(
    { action: `copy "${bucket}/${from}" to "${to}"`, bucket, key: from },
    () => s3.client.send(new CopyObjectCommand({ Bucket: bucket, Key: to, CopySource: source })),
  );
}

/**
 * Renames an object: S3 has no rename, so it is a copy, then a delete of the old key.
 *
 * @param s3 The connection.
 * @param bucket The bucket.
 * @param from The old key.
 * @param to The new key.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { connect, createBucket, listFolder, putObject, renameObject } from "./mod.ts";
 *
 * await using s3 = await connect();
 * const bucket = await createBucket(s3);
 * await putObject(s3, bucket, "draft.txt", "text");
 * await renameObject(s3, bucket, "draft.txt", "final.txt");
 * assert.deepEqual((await listFolder(s3, bucket)).files.map((f) => f.key), ["final.txt"]);
 * ```
 */
export async function renameObject(
  s3: Connection,
  bucket: string,
  from: string,
  to: string,
): Promise<void> {
  await copyObject(s3, bucket, from, to);
  await request(
    { action: `delete "${bucket}/${from}" after copying it to "${to}"`, bucket, key: from },
    () =>
      s3.client.send(
        new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [{ Key: from }] } }),
      ),
  );
}

/**
 * Reads a byte range of an object (`Range: bytes=start-end`, answered `206 Partial Content`).
 *
 * @param s3 The connection.
 * @param bucket The bucket.
 * @param key The key.
 * @param start The first byte.
 * @param end The last byte (included).
 * @returns Those bytes.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { connect, createBucket, getRange, putObject } from "./mod.ts";
 *
 * await using s3 = await connect();
 * const bucket = await createBucket(s3);
 * await putObject(s3, bucket, "abc.txt", "abcdef");
 * assert.equal(new TextDecoder().decode(await getRange(s3, bucket, "abc.txt", 1, 3)), "bcd");
 * ```
 */
export async function getRange(
  s3: Connection,
  bucket: string,
  key: string,
  start: number,
  end: number,
): Promise<Uint8Array> {
  validateBucketName(bucket, s3.cluster.bucketNames);
  validateKey(key);
  const out = await request(
    { action: `read bytes ${start}-${end} of "${bucket}/${key}"`, bucket, key },
    () =>
      s3.client.send(
        new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=${start}-${end}` }),
      ),
  );
  return await out.Body!.transformToByteArray();
}

/**
 * A conditional GET (`If-None-Match`): the object's bytes only when its ETag is not the one
 * given; otherwise the server answers `304 Not Modified` with no body, and a cached copy is good.
 *
 * @param s3 The connection.
 * @param bucket The bucket.
 * @param key The key.
 * @param etag The ETag of the copy you hold (quotes included).
 * @returns `{ modified: false }` on 304, else `{ modified: true, bytes }`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { connect, createBucket, getIfChanged, headObject, putObject } from "./mod.ts";
 *
 * await using s3 = await connect();
 * const bucket = await createBucket(s3);
 * await putObject(s3, bucket, "a.txt", "a");
 * const { etag } = await headObject(s3, bucket, "a.txt");
 * assert.equal((await getIfChanged(s3, bucket, "a.txt", etag!)).modified, false);
 * assert.equal((await getIfChanged(s3, bucket, "a.txt", '"other"')).modified, true);
 * ```
 */
export async function getIfChanged(
  s3: Connection,
  bucket: string,
  key: string,
  etag: string,
): Promise<{ modified: boolean; bytes?: Uint8Array }> {
  validateBucketName(bucket, s3.cluster.bucketNames);
  validateKey(key);
  try {
    const out = await s3.client.send(
      new GetObjectCommand({ Bucket: bucket, Key: key, IfNoneMatch: etag }),
    );
    return { modified: true, bytes: await out.Body!.transformToByteArray() };
  } catch (error) {
    if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 304) {
      return { modified: false };
    }
    return await request(
      { action: `read "${bucket}/${key}" if changed`, bucket, key },
      () => Promise.reject(error),
    );
  }
}

/**
 * Adds up the objects and bytes of a bucket, or of a folder with `prefix`, from its listing.
 *
 * @param s3 The connection.
 * @param bucket The bucket.
 * @param prefix Only keys starting with this. @default ""
 * @returns Objects, bytes, and the listing requests it took (a page holds up to 1,000 keys).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { bucketSize, connect, createBucket, putObject } from "./mod.ts";
 *
 * await using s3 = await connect();
 * const bucket = await createBucket(s3);
 * await putObject(s3, bucket, "a.txt", "abc");
 * assert.deepEqual(await bucketSize(s3, bucket), { objects: 1, bytes: 3, requests: 1 });
 * ```
 */
export async function bucketSize(
  s3: Connection,
  bucket: string,
  prefix = "",
): Promise<{ objects: number; bytes: number; requests: number }> {
  validateBucketName(bucket, s3.cluster.bucketNames);
  let objects = 0, bytes = 0, requests = 0;
  let token: string | undefined;
  do {
    const page = await request(
      { action: `add up the size of "${bucket}/${prefix}"`, bucket },
      () =>
        s3.client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
        ),
    );
    requests++;
    for (const object of page.Contents ?? []) {
      objects++;
      bytes += object.Size ?? 0;
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return { objects, bytes, requests };
}

/**
 * Deletes every object under a prefix: a listing page of up to 1,000 keys, then one
 * `DeleteObjects` for that page, until none is left. (In a versioned bucket this leaves delete
 * markers: `emptyBucket()` removes every version.)
 *
 * @param s3 The connection.
 * @param bucket The bucket.
 * @param prefix The folder, e.g. `"logs/"`.
 * @returns Objects deleted and `DeleteObjects` requests made.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { connect, createBucket, deletePrefix, putMany } from "./mod.ts";
 *
 * await using s3 = await connect();
 * const bucket = await createBucket(s3);
 * await putMany(s3, bucket, ["logs/1", "logs/2", "keep"], "x");
 * assert.deepEqual(await deletePrefix(s3, bucket, "logs/"), { deleted: 2, requests: 1 });
 * ```
 */
export async function deletePrefix(
  s3: Connection,
  bucket: string,
  prefix: string,
): Promise<{ deleted: number; requests: number }> {
  validateBucketName(bucket, s3.cluster.bucketNames);
  let deleted = 0, requests = 0;
  let batch: string[] = [];
  const flush = async () => {
    const keys = batch;
    batch = [];
    const out = await request(
      { action: `delete ${keys.length} objects under "${bucket}/${prefix}"`, bucket },
      () =>
        s3.client.send(
          new DeleteObjectsCommand({
            Bucket: bucket,
            Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true },
          }),
        ),
    );
    requests++;
    if (out.Errors?.length) {
      const first = out.Errors[0];
      throw new Error(
        `Cannot delete under "${bucket}/${prefix}": ${out.Errors.length} of ${keys.length} ` +
          `refused, e.g. "${first.Key}": ${first.Code}; check that you may delete them`,
      );
    }
    deleted += keys.length;
  };
  // Collect the whole listing first: deleting while paging would move the pages under us.
  const keys: string[] = [];
  for await (const object of listObjects(s3, bucket, { prefix })) keys.push(object.key);
  for (const key of keys) {
    batch.push(key);
    if (batch.length === 1000) await flush();
  }
  if (batch.length) await flush();
  return { deleted, requests };
}

/**
 * Sets one canned ACL on every object under a prefix (one `PutObjectAcl` each), a few at a time.
 * Only where objects have ACLs (`s3.cluster.objectAcls`).
 *
 * @param s3 The connection.
 * @param bucket The bucket.
 * @param prefix The folder.
 * @param acl The canned ACL, e.g. `"public-read"`.
 * @returns Objects changed (one request each).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { connect, createBucket, putMany, setAclUnder } from "./mod.ts";
 *
 * await using s3 = await connect();
 * const bucket = await createBucket(s3);
 * await putMany(s3, bucket, ["pub/a", "pub/b"], "x");
 * assert.equal(await setAclUnder(s3, bucket, "pub/", "public-read"), 2);
 * ```
 */
export async function setAclUnder(
  s3: Connection,
  bucket: string,
  prefix: string,
  acl: CannedAcl,
): Promise<number> {
  validateCannedAcl(acl);
  const keys: string[] = [];
  for await (const object of listObjects(s3, bucket, { prefix })) keys.push(object.key);
  let next = 0;
  const worker = async () => {
    while (next < keys.length) {
      const key = keys[next++];
      await request(
        { action: `set ACL "${acl}" on "${bucket}/${key}"`, bucket, key },
        () =>
          s3.client.send(
            new PutObjectAclCommand({ Bucket: bucket, Key: key, ACL: acl as ObjectCannedACL }),
          ),
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(8, keys.length) }, worker));
  return keys.length;
}
