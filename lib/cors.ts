/**
 * What a web page needs from a bucket: CORS rules (which origins may call it, with which methods
 * and headers) and presigned POST forms (a browser upload whose size, type and key the policy
 * bounds). Each helper is one SDK call: `PutBucketCorsCommand`, `GetBucketCorsCommand`,
 * `DeleteBucketCorsCommand` and `@aws-sdk/s3-presigned-post`'s `createPresignedPost`.
 *
 * @module
 */

import {
  type CORSRule,
  DeleteBucketCorsCommand,
  GetBucketCorsCommand,
  PutBucketCorsCommand,
} from "@aws-sdk/client-s3";
import { createPresignedPost } from "@aws-sdk/s3-presigned-post";
import type { Connection } from "./connect.ts";
import { request, S3RequestError } from "./errors.ts";
import { validateBucketName, validateExpiry, validateKey } from "./validate.ts";

/** One CORS rule, as the SDK names its fields. */
export type CorsRule = CORSRule;

/**
 * Replaces a bucket's CORS rules (at most 100; each names at least one origin).
 *
 * @param s3 The connection.
 * @param bucket The bucket.
 * @param rules The rules, in order: the first whose origin matches a request decides.
 * @throws {S3RequestError} `MalformedXML` for a rule the service refuses, `InvalidRequest`
 *   beyond 100 rules, `AccessDenied` unless you own the bucket.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { connect, createBucket, deleteBucket, getBucketCors, setBucketCors } from "./mod.ts";
 *
 * await using s3 = await connect();
 * const bucket = await createBucket(s3);
 * await setBucketCors(s3, bucket, [{ AllowedOrigins: ["http://localhost:5173"], AllowedMethods: ["PUT"] }]);
 * assert.deepEqual((await getBucketCors(s3, bucket))[0].AllowedMethods, ["PUT"]);
 * await deleteBucket(s3, bucket);
 * ```
 */
export async function setBucketCors(
  s3: Connection,
  bucket: string,
  rules: CorsRule[],
): Promise<void> {
  validateBucketName(bucket, s3.cluster.bucketNames);
  await request(
    { action: `set the CORS rules of bucket "${bucket}"`, bucket },
    () =>
      s3.client.send(
        new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: { CORSRules: rules } }),
      ),
  );
}

/**
 * Reads a bucket's CORS rules.
 *
 * @param s3 The connection.
 * @param bucket The bucket.
 * @returns The rules; `[]` when the bucket has none (`NoSuchCORSConfiguration`).
 * @throws {S3RequestError} `NoSuchBucket`, `AccessDenied` (only the owner may read them).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { connect, createBucket, deleteBucket, getBucketCors } from "./mod.ts";
 *
 * await using s3 = await connect();
 * const bucket = await createBucket(s3);
 * assert.deepEqual(await getBucketCors(s3, bucket), []);
 * await deleteBucket(s3, bucket);
 * ```
 */
export async function getBucketCors(s3: Connection, bucket: string): Promise<CorsRule[]> {
  validateBucketName(bucket, s3.cluster.bucketNames);
  try {
    const answer = await request(
      { action: `read the CORS rules of bucket "${bucket}"`, bucket },
      () => s3.client.send(new GetBucketCorsCommand({ Bucket: bucket })),
    );
    return answer.CORSRules ?? [];
  } catch (error) {
    if (error instanceof S3RequestError && error.code === "NoSuchCORSConfiguration") return [];
    throw error;
  }
}

/**
 * Removes a bucket's CORS rules (browsers from other origins are refused again).
 *
 * @param s3 The connection.
 * @param bucket The bucket.
 * @throws {S3RequestError} `NoSuchBucket`, `AccessDenied`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { connect, createBucket, deleteBucket, deleteBucketCors, getBucketCors } from "./mod.ts";
 *
 * await using s3 = await connect();
 * const bucket = await createBucket(s3);
 * await deleteBucketCors(s3, bucket); // none: still fine
 * assert.deepEqual(await getBucketCors(s3, bucket), []);
 * await deleteBucket(s3, bucket);
 * ```
 */
export async function deleteBucketCors(s3: Connection, bucket: string): Promise<void> {
  validateBucketName(bucket, s3.cluster.bucketNames);
  await request(
    { action: `delete the CORS rules of bucket "${bucket}"`, bucket },
    () => s3.client.send(new DeleteBucketCorsCommand({ Bucket: bucket })),
  );
}

/** What a presigned POST form allows. */
export interface PresignPostOptions {
  /** Seconds the form stays valid, 1 to 604800. @default 3600 */
  expiresIn?: number;
  /** Smallest and largest file accepted, in bytes (`content-length-range`). */
  contentLengthRange?: [number, number];
  /** The object's Content-Type, fixed by the policy (the form sends it as a field). */
  contentType?: string;
  /** More fields, each fixed by the policy (`x-amz-meta-*`, `success_action_status`, `acl`). */
  fields?: Record<string, string>;
}

/** A presigned POST: where to post and the fields to send before the file. */
export interface PresignedPost {
  /** The bucket's URL (path style). */
  url: string;
  /** Form fields to send, in order, before the `file` field. */
  fields: Record<string, string>;
}

/**
 * Presigns a browser form upload (POST Object): the fields a `<form method="post"
 * enctype="multipart/form-data">` (or a `FormData` sent with `fetch`) must carry before its
 * `file` field. Signed locally, with no request; a field the policy does not cover is refused.
 *
 * @param s3 The connection.
 * @param bucket The bucket.
 * @param key The key the form uploads to (the policy fixes it).
 * @param options Expiry, size range, Content-Type, more fields.
 * @returns URL and fields.
 * @throws {RangeError} For an expiry or a size range out of range.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { connect, createBucket, deleteObject, deleteBucket, getText, presignPost } from "./mod.ts";
 *
 * await using s3 = await connect();
 * const bucket = await createBucket(s3);
 * const post = await presignPost(s3, bucket, "note.txt", { contentLengthRange: [1, 1024] });
 * const form = new FormData();
 * for (const [name, value] of Object.entries(post.fields)) form.append(name, value);
 * form.append("file", new Blob(["hello"]));
 * const response = await fetch(post.url, { method: "POST", body: form });
 * await response.body?.cancel();
 * assert.equal(response.status, 204);
 * assert.equal(await getText(s3, bucket, "note.txt"), "hello");
 * await deleteObject(s3, bucket, "note.txt");
 * await deleteBucket(s3, bucket);
 * ```
 */
export async function presignPost(
  s3: Connection,
  bucket: string,
  key: string,
  options: PresignPostOptions = {},
): Promise<PresignedPost> {
  validateBucketName(bucket, s3.cluster.bucketNames);
  validateKey(key);
  const expiresIn = validateExpiry(options.expiresIn ?? 3600);
  const conditions: Array<["content-length-range", number, number]> = [];
  const range = options.contentLengthRange;
  if (range) {
    const [min, max] = range;
    if (!Number.isInteger(min) || !Number.isInteger(max) || min < 0 || max < min) {
      throw new RangeError(
        `Cannot presign a form for sizes ${min} to ${max}: give whole numbers, 0 <= min <= max`,
      );
    }
    conditions.push(["content-length-range", min, max]);
  }
  const fields: Record<string, string> = { ...options.fields };
  if (options.contentType !== undefined) fields["Content-Type"] = options.contentType;
  const post = await createPresignedPost(s3.client, {
    Bucket: bucket,
    Key: key,
    Conditions: conditions,
    Fields: fields,
    Expires: expiresIn,
  });
  return { url: post.url, fields: post.fields };
}
