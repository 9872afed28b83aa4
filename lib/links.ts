/**
 * Links to objects: public URLs in path and virtual-host style, and presigned GET and PUT URLs
 * with a validated expiry. What a link gives a browser is `probe()`'s concern (`probe.ts`).
 *
 * @module
 */

import { GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { validateBucketName, validateExpiry, validateKey } from "./validate.ts";
import type { Connection } from "./connect.ts";

/** Bucket addressing in a URL. */
export type UrlStyle = "path" | "virtual";

/** How to build a public URL. */
export interface PublicUrlOptions {
  /** `"path"`: `host/bucket/key`; `"virtual"`: `bucket.host/key`. @default the connection's */
  style?: UrlStyle;
}

/** Encodes a key for a URL path: each segment percent-encoded, slashes kept. */
function encodeKey(key: string): string {
  return key.split("/").map(encodeURIComponent).join("/");
}

const LOOPBACK = new Set(["127.0.0.1", "[::1]", "localhost"]);

/**
 * The plain (unsigned) URL of an object. It works only when the object is public; with a
 * loopback endpoint the virtual-host form uses `bucket.localhost` (RFC 6761: loopback).
 *
 * @param s3 The connection.
 * @param bucket The bucket.
 * @param key The object key.
 * @param options URL style.
 * @returns The URL.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { connect, publicUrl } from "./mod.ts";
 *
 * await using s3 = await connect();
 * const port = new URL(s3.endpoint).port;
 * assert.equal(
 *   publicUrl(s3, "photos", "cloud.png", { style: "virtual" }),
 *   `http://photos.localhost:${port}/cloud.png`,
 * );
 * assert.equal(publicUrl(s3, "photos", "a b.png", { style: "path" }), `${s3.endpoint}/photos/a%20b.png`);
 * ```
 */
export function publicUrl(
  s3: Connection,
  bucket: string,
  key: string,
  options: PublicUrlOptions = {},
): string {
  validateBucketName(bucket, s3.cluster.bucketNames);
  validateKey(key);
  const style = options.style ?? (s3.pathStyle ? "path" : "virtual");
  const url = new URL(s3.endpoint);
  if (style === "path") {
    return `${url.origin}/${bucket}/${encodeKey(key)}`;
  }
  const host = LOOPBACK.has(url.hostname) ? "localhost" : url.hostname;
  const port = url.port ? `:${url.port}` : "";
  return `${url.protocol}//${bucket}.${host}${port}/${encodeKey(key)}`;
}

/** How to presign. */
export interface PresignOptions {
  /** Lifetime in seconds, 1 to 604800 (7 days). @default 3600 */
  expiresIn?: number;
}

/** How to presign an upload. */
export interface PresignPutOptions extends PresignOptions {
  /** Content type the uploader must send (it is signed). */
  contentType?: string;
}

/**
 * A URL anyone can GET for `expiresIn` seconds, signed with the connection's keys (SigV4 query
 * string). Nothing is sent to the server to make it.
 *
 * @param s3 The connection.
 * @param bucket The bucket.
 * @param key The object key.
 * @param options Lifetime.
 * @returns The presigned URL. It holds a signature: treat it as a secret until it expires.
 * @throws {RangeError} When the expiry is out of range.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { connect, createBucket, presignGet, probe, putObject } from "./mod.ts";
 *
 * await using s3 = await connect();
 * const bucket = await createBucket(s3);
 * await putObject(s3, bucket, "hello.txt", "Hello World!");
 * const url = await presignGet(s3, bucket, "hello.txt", { expiresIn: 3600 });
 * assert.match(url, /X-Amz-Expires=3600/);
 * assert.equal((await probe(url)).status, 200); // no keys needed, only the link
 * ```
 */
export async function presignGet(
  s3: Connection,
  bucket: string,
  key: string,
  options: PresignOptions = {},
): Promise<string> {
  validateBucketName(bucket, s3.cluster.bucketNames);
  validateKey(key);
  const expiresIn = validateExpiry(options.expiresIn ?? 3600);
  return await getSignedUrl(s3.client, new GetObjectCommand({ Bucket: bucket, Key: key }), {
    expiresIn,
  });
}

/**
 * A URL anyone can PUT an object to for `expiresIn` seconds.
 *
 * @param s3 The connection.
 * @param bucket The bucket.
 * @param key The object key.
 * @param options Lifetime and the content type the uploader must send.
 * @returns The presigned URL.
 * @throws {RangeError} When the expiry is out of range.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { connect, createBucket, getText, presignPut } from "./mod.ts";
 *
 * await using s3 = await connect();
 * const bucket = await createBucket(s3);
 * const url = await presignPut(s3, bucket, "upload.txt", { expiresIn: 600 });
 * const response = await fetch(url, { method: "PUT", body: "hello" });
 * await response.body?.cancel();
 * assert.equal(response.status, 200);
 * assert.equal(await getText(s3, bucket, "upload.txt"), "hello");
 * ```
 */
export async function presignPut(
  s3: Connection,
  bucket: string,
  key: string,
  options: PresignPutOptions = {},
): Promise<string> {
  validateBucketName(bucket, s3.cluster.bucketNames);
  validateKey(key);
  const expiresIn = validateExpiry(options.expiresIn ?? 3600);
  return await getSignedUrl(
    s3.client,
    new PutObjectCommand({ Bucket: bucket, Key: key, ContentType: options.contentType }),
    { expiresIn },
  );
}
