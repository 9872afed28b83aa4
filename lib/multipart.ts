/**
 * Multipart uploads step by step: start one, send its parts, list them, complete or abort it, and
 * find the uploads a bucket still holds (started, never completed: their parts take space, and
 * are billed, until aborted). `putFile()` does all of it for one file; these are for doing it by
 * hand, and for cleaning up after clients that died mid-upload — DreamHost's "remove multipart
 * upload data" tutorial.
 *
 * @module
 */

import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import type { Connection } from "./connect.ts";
import { contentTypeFor } from "./content_type.ts";
import { request } from "./errors.ts";
import { validateBucketName, validateKey } from "./validate.ts";

/** A multipart upload in progress. */
export interface MultipartUpload {
  /** Bucket name. */
  bucket: string;
  /** The key the object will have. */
  key: string;
  /** The server's id for the upload. */
  uploadId: string;
  /** When it was started, when the server says (listings do). */
  initiated?: Date;
}

/** One uploaded part. */
export interface PartInfo {
  /** Its number, 1 to 10,000. */
  partNumber: number;
  /** Its ETag (quotes included). */
  etag: string;
  /** Bytes. */
  size: number;
}

function where(upload: MultipartUpload): string {
  return `multipart upload of "${upload.bucket}/${upload.key}"`;
}

/**
 * Starts a multipart upload (`CreateMultipartUpload`): nothing is visible under the key until it
 * is completed.
 *
 * @param s3 The connection.
 * @param bucket The bucket.
 * @param key The object's key.
 * @param contentType Its content type. @default guessed from the key's extension
 * @returns The upload (its id is needed for every later step).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { abortMultipart, connect, createBucket, startMultipart } from "./mod.ts";
 *
 * await using s3 = await connect();
 * const upload = await startMultipart(s3, await createBucket(s3), "big.bin");
 * assert.ok(upload.uploadId.length > 0);
 * await abortMultipart(s3, upload);
 * ```
 */
export async function startMultipart(
  s3: Connection,
  bucket: string,
  key: string,
  contentType: string = contentTypeFor(key),
): Promise<MultipartUpload> {
  validateBucketName(bucket, s3.cluster.bucketNames);
  validateKey(key);
  const out = await request(
    { action: `start a multipart upload of "${bucket}/${key}"`, bucket, key },
    () =>
      s3.client.send(
        new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: contentType }),
      ),
  );
  return { bucket, key, uploadId: out.UploadId ?? "" };
}

/**
 * Uploads one part (`UploadPart`). Every part but the last must be at least 5 MiB.
 *
 * @param s3 The connection.
 * @param upload The upload.
 * @param partNumber The part's number, 1 to 10,000 (the order of the object).
 * @param bytes Its bytes.
 * @returns The part, with the ETag `completeMultipart()` needs.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { abortMultipart, connect, createBucket, startMultipart, uploadPart } from "./mod.ts";
 *
 * await using s3 = await connect();
 * const upload = await startMultipart(s3, await createBucket(s3), "big.bin");
 * const part = await uploadPart(s3, upload, 1, new Uint8Array(10));
 * assert.equal(part.size, 10);
 * await abortMultipart(s3, upload);
 * ```
 */
export async function uploadPart(
  s3: Connection,
  upload: MultipartUpload,
  partNumber: number,
  bytes: Uint8Array,
): Promise<PartInfo> {
  if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > 10_000) {
    throw new RangeError(
      `Cannot upload part ${partNumber} of the ${where(upload)}: part numbers go from 1 to 10000`,
    );
  }
  const out = await request(
    { action: `upload part ${partNumber} of the ${where(upload)}`, ...upload },
    () =>
      s3.client.send(
        new UploadPartCommand({
          Bucket: upload.bucket,
          Key: upload.key,
          UploadId: upload.uploadId,
          PartNumber: partNumber,
          Body: bytes,
          ContentLength: bytes.byteLength,
        }),
      ),
  );
  return { partNumber, etag: out.ETag ?? "", size: bytes.byteLength };
}

/**
 * Lists the parts the server holds for an upload (`ListParts`, page by page).
 *
 * @param s3 The connection.
 * @param upload The upload.
 * @returns Its parts, by number.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { abortMultipart, connect, createBucket, listParts, startMultipart, uploadPart } from "./mod.ts";
 *
 * await using s3 = await connect();
 * const upload = await startMultipart(s3, await createBucket(s3), "big.bin");
 * await uploadPart(s3, upload, 1, new Uint8Array(10));
 * assert.deepEqual((await listParts(s3, upload)).map((p) => p.size), [10]);
 * await abortMultipart(s3, upload);
 * ```
 */
export async function listParts(s3: Connection, upload: MultipartUpload): Promise<PartInfo[]> {
  const parts: PartInfo[] = [];
  let marker: string | undefined;
  do {
    const page = await request(
      { action: `list the parts of the ${where(upload)}`, ...upload },
      () =>
        s3.client.send(
          new ListPartsCommand({
            Bucket: upload.bucket,
            Key: upload.key,
            UploadId: upload.uploadId,
            PartNumberMarker: marker,
          }),
        ),
    );
    for (const part of page.Parts ?? []) {
      parts.push({ partNumber: part.PartNumber ?? 0, etag: part.ETag ?? "", size: part.Size ?? 0 });
    }
    marker = page.IsTruncated ? String(page.NextPartNumberMarker) : undefined;
  } while (marker);
  return parts;
}

/**
 * Completes an upload (`CompleteMultipartUpload`): the parts, in order, become the object.
 *
 * @param s3 The connection.
 * @param upload The upload.
 * @param parts The parts to assemble (number and ETag), in order.
 * @returns The object's key, ETag (`"…-N"` for N parts) and size.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { completeMultipart, connect, createBucket, startMultipart, uploadPart } from "./mod.ts";
 *
 * await using s3 = await connect();
 * const upload = await startMultipart(s3, await createBucket(s3), "small.bin");
 * const part = await uploadPart(s3, upload, 1, new Uint8Array(10));
 * assert.match((await completeMultipart(s3, upload, [part])).etag, /-1"$/);
 * ```
 */
export async function completeMultipart(
  s3: Connection,
  upload: MultipartUpload,
  parts: readonly PartInfo[],
): Promise<{ key: string; etag: string; size: number }> {
  const out = await request(
    { action: `complete the ${where(upload)}`, ...upload },
    () =>
      s3.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: upload.bucket,
          Key: upload.key,
          UploadId: upload.uploadId,
          MultipartUpload: {
            Parts: parts.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag })),
          },
        }),
      ),
  );
  return { key: upload.key, etag: out.ETag ?? "", size: parts.reduce((n, p) => n + p.size, 0) };
}

/**
 * Aborts an upload (`AbortMultipartUpload`): the server deletes its parts.
 *
 * @param s3 The connection.
 * @param upload The upload.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { abortMultipart, connect, createBucket, leftoverUploads, startMultipart } from "./mod.ts";
 *
 * await using s3 = await connect();
 * const bucket = await createBucket(s3);
 * await abortMultipart(s3, await startMultipart(s3, bucket, "big.bin"));
 * assert.deepEqual(await leftoverUploads(s3, bucket), []);
 * ```
 */
export async function abortMultipart(s3: Connection, upload: MultipartUpload): Promise<void> {
  await request(
    { action: `abort the ${where(upload)}`, ...upload },
    () =>
      s3.client.send(
        new AbortMultipartUploadCommand({
          Bucket: upload.bucket,
          Key: upload.key,
          UploadId: upload.uploadId,
        }),
      ),
  );
}

/**
 * The uploads a bucket holds that were started and never completed nor aborted
 * (`ListMultipartUploads`, page by page), each with its parts counted and their size added up
 * (`ListParts`).
 *
 * @param s3 The connection.
 * @param bucket The bucket.
 * @returns One row per upload: key, upload id, when it began, parts, bytes.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { connect, createBucket, leftoverUploads, startMultipart, uploadPart } from "./mod.ts";
 *
 * await using s3 = await connect();
 * const bucket = await createBucket(s3);
 * await uploadPart(s3, await startMultipart(s3, bucket, "half.bin"), 1, new Uint8Array(10));
 * const [left] = await leftoverUploads(s3, bucket);
 * assert.deepEqual([left.key, left.parts, left.size], ["half.bin", 1, 10]);
 * ```
 */
export async function leftoverUploads(
  s3: Connection,
  bucket: string,
): Promise<Array<MultipartUpload & { parts: number; size: number }>> {
  validateBucketName(bucket, s3.cluster.bucketNames);
  const uploads: MultipartUpload[] = [];
  let KeyMarker: string | undefined;
  let UploadIdMarker: string | undefined;
  do {
    const page = await request(
      { action: `list the unfinished uploads of bucket "${bucket}"`, bucket },
      () =>
        s3.client.send(
          new ListMultipartUploadsCommand({ Bucket: bucket, KeyMarker, UploadIdMarker }),
        ),
    );
    for (const u of page.Uploads ?? []) {
      uploads.push({
        bucket,
        key: u.Key ?? "",
        uploadId: u.UploadId ?? "",
        initiated: u.Initiated,
      });
    }
    KeyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
    UploadIdMarker = page.IsTruncated ? page.NextUploadIdMarker : undefined;
  } while (KeyMarker);
  const rows = [];
  for (const upload of uploads) {
    const parts = await listParts(s3, upload);
    rows.push({ ...upload, parts: parts.length, size: parts.reduce((n, p) => n + p.size, 0) });
  }
  return rows;
}
