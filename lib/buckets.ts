/**
 * Buckets: validate a name before sending it, create one with a readable unique name, list,
 * check, empty and delete.
 *
 * @module
 */

import {
  AbortMultipartUploadCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  HeadBucketCommand,
  ListBucketsCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
} from "@aws-sdk/client-s3";
import { type CannedAcl, validateBucketName, validateCannedAcl } from "./validate.ts";
import { type BucketNameRules, US_EAST_1, US_EAST_5 } from "./clusters.ts";
import type { Connection } from "./connect.ts";
import { request, S3RequestError } from "./errors.ts";

/**
 * Makes a readable bucket name that is very likely unique: the prefix, the date and a random
 * suffix, e.g. `demo-20261125-k3x9q2`. The date and suffix (lower-case letters, digits, "-",
 * 16 characters) are valid on both DreamObjects clusters; the prefix must be too.
 *
 * @param prefix The readable start; lower-case letters, digits and "-".
 * @param rules The naming rules to check the name against (`createBucket()` passes the
 *   connection's). @default both DreamObjects clusters' (US-East 1 and US-East 5)
 * @returns A valid bucket name.
 * @throws {RangeError} When the prefix makes an invalid name; the message names the rule.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { uniqueBucketName } from "./buckets.ts";
 *
 * assert.match(uniqueBucketName("demo"), /^demo-\d{8}-[a-z0-9]{6}$/);
 * ```
 */
export function uniqueBucketName(prefix = "demo", rules?: BucketNameRules): string {
  const date = new Date().toISOString().slice(0, 10).replaceAll("-", "");
  const random = Array.from(
    crypto.getRandomValues(new Uint8Array(6)),
    (b) => "abcdefghijklmnopqrstuvwxyz0123456789"[b % 36],
  ).join("");
  const name = `${prefix}-${date}-${random}`;
  for (const r of rules ? [rules] : [US_EAST_1.bucketNames, US_EAST_5.bucketNames]) {
    validateBucketName(name, r);
  }
  return name;
}

/** How to create a bucket. */
export interface CreateBucketOptions {
  /** The exact name; when absent one is made from `prefix`. */
  name?: string;
  /** Start of a generated name. @default "demo" */
  prefix?: string;
  /** Canned ACL for the new bucket. @default "private" */
  acl?: CannedAcl;
  /** Generated names to try when one is taken (`BucketAlreadyExists`). @default 5 */
  attempts?: number;
}

/**
 * Creates a bucket and returns its name. Without a `name`, it makes a readable unique one and
 * tries another when the name is taken. The bucket is remembered in `s3.createdBuckets` until
 * deleted, so a cleanup can find it.
 *
 * @param s3 The connection.
 * @param options Name or prefix, and ACL.
 * @returns The bucket name.
 * @throws {RangeError} When the name is invalid (before any request).
 * @throws {S3RequestError} When the server refuses, e.g. `BucketAlreadyOwnedByYou`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { connect, createBucket } from "./mod.ts";
 *
 * await using s3 = await connect();
 * const bucket = await createBucket(s3, { prefix: "photos" });
 * assert.match(bucket, /^photos-\d{8}-[a-z0-9]{6}$/); // e.g. photos-20261125-k3x9q2
 * ```
 */
export async function createBucket(
  s3: Connection,
  options: CreateBucketOptions = {},
): Promise<string> {
  const named = options.name !== undefined;
  const attempts = named ? 1 : Math.max(1, options.attempts ?? 5);
  if (options.acl !== undefined) validateCannedAcl(options.acl);
  for (let attempt = 1;; attempt++) {
    const name = named
      ? validateBucketName(options.name!, s3.cluster.bucketNames)
      : uniqueBucketName(options.prefix ?? "demo", s3.cluster.bucketNames);
    const needsLocation = s3.target === "aws" && s3.region !== "us-east-1";
    try {
      await request({ action: `create bucket "${name}"`, bucket: name }, () =>
        s3.client.send(
          new CreateBucketCommand({
            Bucket: name,
            ACL: options.acl,
            CreateBucketConfiguration: needsLocation
              // deno-lint-ignore no-explicit-any
              ? { LocationConstraint: s3.region as any }
              : undefined,
          }),
        ));
      s3.createdBuckets.add(name);
      return name;
    } catch (error) {
      const taken = error instanceof S3RequestError && error.code === "BucketAlreadyExists";
      if (!taken || attempt >= attempts) throw error;
    }
  }
}

/** A bucket in a listing. */
export interface BucketInfo {
  /** The bucket name. */
  name: string;
  /** When it was created, when the server says. */
  created?: Date;
}

/**
 * Lists the buckets the signed-in user owns.
 *
 * @param s3 The connection.
 * @returns The buckets, in the server's order (by name).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { connect, createBucket, listBuckets } from "./mod.ts";
 *
 * await using s3 = await connect();
 * assert.deepEqual(await listBuckets(s3), []); // a fresh embedded server
 * const bucket = await createBucket(s3);
 * assert.deepEqual((await listBuckets(s3)).map((b) => b.name), [bucket]);
 * ```
 */
export async function listBuckets(s3: Connection): Promise<BucketInfo[]> {
  const out = await request(
    { action: "list buckets" },
    () => s3.client.send(new ListBucketsCommand({})),
  );
  return (out.Buckets ?? []).map((b) => ({ name: b.Name ?? "", created: b.CreationDate }));
}

/**
 * Tells whether a bucket exists and is reachable with these keys.
 *
 * @param s3 The connection.
 * @param bucket The bucket name.
 * @returns `true` when it exists, `false` on 404.
 * @throws {S3RequestError} On other failures, e.g. 403 for someone else's bucket.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { bucketExists, connect, createBucket } from "./mod.ts";
 *
 * await using s3 = await connect();
 * assert.equal(await bucketExists(s3, "nope-nope"), false);
 * assert.equal(await bucketExists(s3, await createBucket(s3)), true);
 * ```
 */
export async function bucketExists(s3: Connection, bucket: string): Promise<boolean> {
  validateBucketName(bucket, s3.cluster.bucketNames);
  try {
    await request(
      { action: `check bucket "${bucket}"`, bucket },
      () => s3.client.send(new HeadBucketCommand({ Bucket: bucket })),
    );
    return true;
  } catch (error) {
    if (error instanceof S3RequestError && error.status === 404) return false;
    throw error;
  }
}

/**
 * Deletes an empty bucket. A bucket that still holds objects is refused by the server with
 * 409 `BucketNotEmpty`; the error says so.
 *
 * @param s3 The connection.
 * @param bucket The bucket name.
 * @throws {S3RequestError} `BucketNotEmpty`, `NoSuchBucket`, `AccessDenied`...
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { bucketExists, connect, createBucket, deleteBucket } from "./mod.ts";
 *
 * await using s3 = await connect();
 * const bucket = await createBucket(s3);
 * await deleteBucket(s3, bucket);
 * assert.equal(await bucketExists(s3, bucket), false);
 * ```
 */
export async function deleteBucket(s3: Connection, bucket: string): Promise<void> {
  validateBucketName(bucket, s3.cluster.bucketNames);
  await request(
    { action: `delete bucket "${bucket}"`, bucket },
    () => s3.client.send(new DeleteBucketCommand({ Bucket: bucket })),
  );
  s3.createdBuckets.delete(bucket);
}

/** One page of what is left to delete: keys, with a version id when the server lists versions. */
type Batch = { Key: string; VersionId?: string }[];

/**
 * The first page of what a bucket still holds: every version and delete marker when the server
 * lists versions, else (a server without ListObjectVersions) its keys.
 */
async function firstBatch(s3: Connection, bucket: string, versions: boolean): Promise<Batch> {
  if (!versions) {
    const page = await s3.client.send(new ListObjectsV2Command({ Bucket: bucket }));
    return (page.Contents ?? []).flatMap((o) => o.Key === undefined ? [] : [{ Key: o.Key }]);
  }
  const page = await s3.client.send(new ListObjectVersionsCommand({ Bucket: bucket }));
  return [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])].flatMap((v) =>
    v.Key === undefined ? [] : [{ Key: v.Key, VersionId: v.VersionId }]
  );
}

/** True when the server does not implement a request (it answered 501 or 405). */
function unsupported(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return status === 501 || status === 405;
}

/**
 * Deletes everything a bucket holds: every version and delete marker of every object (one
 * DeleteObjects request per listing page, up to 1000), and aborts its unfinished multipart
 * uploads. On a server without versioning (no ListObjectVersions) it deletes the keys.
 *
 * @param s3 The connection.
 * @param bucket The bucket name.
 * @returns How many objects, versions and delete markers were deleted.
 * @throws {S3RequestError} When listing or deleting fails.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { bucketExists, connect, createBucket, deleteBucket, emptyBucket, putObject } from "./mod.ts";
 *
 * await using s3 = await connect();
 * const bucket = await createBucket(s3);
 * await putObject(s3, bucket, "a.txt", "a");
 * await putObject(s3, bucket, "b/c.txt", "c");
 * await emptyBucket(s3, bucket);
 * await deleteBucket(s3, bucket); // no BucketNotEmpty: nothing is left in it
 * assert.equal(await bucketExists(s3, bucket), false);
 * ```
 */
export async function emptyBucket(s3: Connection, bucket: string): Promise<number> {
  validateBucketName(bucket, s3.cluster.bucketNames);
  let deleted = 0;
  const context = { action: `empty bucket "${bucket}"`, bucket };
  await request(context, async () => {
    let versions = true;
    let previous: string | undefined;
    // Always the first page: what was deleted is gone, so no marker can point at a deleted
    // version (RGW skips the rest of a key whose version-id-marker it cannot find).
    while (true) {
      let batch: Batch;
      try {
        batch = await firstBatch(s3, bucket, versions);
      } catch (error) {
        if (!versions || !unsupported(error)) throw error;
        versions = false;
        continue;
      }
      if (batch.length === 0) break;
      const first = JSON.stringify(batch[0]);
      if (first === previous) {
        throw new S3RequestError(
          `Cannot ${context.action}: "${batch[0].Key}" is still listed after it was deleted; ` +
            "check the bucket's object lock or retention settings, then retry",
          { status: 200, code: "NotDeleted", bucket, key: batch[0].Key },
        );
      }
      previous = first;
      const out = await s3.client.send(
        new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch, Quiet: true } }),
      );
      const refused = out.Errors?.[0];
      if (refused) {
        const code = refused.Code ?? "UnknownError";
        throw new S3RequestError(
          `Cannot ${context.action}: ${out.Errors!.length} of ${batch.length} objects were not ` +
            `deleted, e.g. "${refused.Key}": ${code}: ${refused.Message || "refused"}; ` +
            "check that you may delete them, then retry",
          { status: 200, code, bucket, key: refused.Key },
        );
      }
      deleted += batch.length;
    }
    let KeyMarker: string | undefined;
    let UploadIdMarker: string | undefined;
    do {
      const page = await s3.client.send(
        new ListMultipartUploadsCommand({ Bucket: bucket, KeyMarker, UploadIdMarker }),
      );
      for (const upload of page.Uploads ?? []) {
        await s3.client.send(
          new AbortMultipartUploadCommand({
            Bucket: bucket,
            Key: upload.Key,
            UploadId: upload.UploadId,
          }),
        );
      }
      KeyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
      UploadIdMarker = page.IsTruncated ? page.NextUploadIdMarker : undefined;
    } while (KeyMarker);
  });
  return deleted;
}
