/**
 * Large transfers through the SDK's client, in bounded memory: a multipart upload that reads each
 * part from the file into one of a few reused buffers, and the SDK's side of the ranged download
 * (`_download.ts`, which writes each range where it belongs). Internal to `objects.ts`.
 *
 * Why not `@aws-sdk/lib-storage`'s `Upload`: it concatenates the file stream's chunks into a new
 * buffer per part, and under Deno that garbage outruns the collector: a 1 GiB upload peaked at
 * 256 MB RSS and took 9.3 s; with reused part buffers it peaks at 119 MB and takes 5.6 s (same
 * machine, same server; see bench/).
 *
 * @module
 */

import { createHash } from "node:crypto";
import { open } from "node:fs/promises";
import {
  type ChecksumAlgorithm,
  checksumField,
  checksumOf,
  fullObjectChecksum,
  isCrc,
} from "../core/checksum.ts";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  type CreateMultipartUploadCommandInput,
  GetObjectCommand,
  type S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import type { RangeGetter } from "./_download.ts";
import type { Progress } from "./types.ts";
import { allWorkers } from "./_workers.ts";

const MiB = 1024 * 1024;
/** S3's smallest part (all but the last). */
export const MIN_PART_SIZE = 5 * MiB;
/** S3's largest part count. */
const MAX_PARTS = 10_000;

/** How to upload a file in parts. */
export interface PartsOptions {
  /**
   * Part size; raised when the file would need more than 10,000 parts. @default 8 MiB, up to 16
   * MiB for files over 512 MiB (see {@linkcode choosePartSize})
   */
  partSize?: number;
  /** Parts in flight (each holds one part-sized buffer). @default 4 */
  concurrency?: number;
  /** Called after each part. */
  onProgress?: (progress: Progress) => void;
  /** Aborts the upload (the multipart upload is aborted on the server too). */
  signal?: AbortSignal;
  /**
   * A checksum for each part and the object: full-object for CRCs (the parts' CRCs combined,
   * sent with the completion for the server to check), composite for SHA.
   */
  checksum?: ChecksumAlgorithm;
}

/** The default part size, for files up to 512 MiB. */
const DEFAULT_PART_SIZE = 8 * MiB;
/** The largest part size chosen without being asked (each part in flight holds a buffer). */
const LARGEST_DEFAULT_PART_SIZE = 16 * MiB;
/**
 * Above 512 MiB the default part grows so a file takes about this many parts, up to 16 MiB: each
 * part costs both ends about 2.7 ms of CPU (1.5 ms on the embedded server, 1.2 ms in the SDK),
 * and a 1 GiB upload in 16 MiB parts used 0.3-0.4 s less CPU than in 8 MiB parts (6.2-6.5 s
 * against 6.6-6.9 s, client and server together, 2 cores) at 155 MB peak RSS instead of 124.
 */
const AIMED_PARTS = 64;

/**
 * Chooses the part size: the one asked for (at least 5 MiB), else 8 MiB, raised for files over
 * 512 MiB so they take 64 parts, up to 16 MiB; then raised to whole MiB so the file fits in
 * 10,000 parts.
 *
 * @param size File size.
 * @param asked Part size asked for.
 * @returns The part size to use.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { choosePartSize } from "./_transfer.ts";
 *
 * const MiB = 1024 ** 2;
 * assert.equal(choosePartSize(100 * MiB), 8 * MiB);
 * assert.equal(choosePartSize(1024 * MiB), 16 * MiB);
 * assert.equal(choosePartSize(1024 * MiB, 8 * MiB), 8 * MiB);
 * ```
 */
export function choosePartSize(size: number, asked?: number): number {
  const least = Math.ceil(size / MAX_PARTS / MiB) * MiB;
  const aimed = Math.ceil(size / AIMED_PARTS / MiB) * MiB;
  const preferred = asked ??
    Math.min(LARGEST_DEFAULT_PART_SIZE, Math.max(DEFAULT_PART_SIZE, aimed));
  return Math.max(MIN_PART_SIZE, preferred, least);
}

/**
 * A part is read in slices of this size, each hashed as soon as it is in: the SHA-256 the part's
 * signature needs is ready when its last slice is read, and the event loop runs between slices,
 * so the parts already in flight keep flowing. Hashing a whole 8 MiB part in one call held the
 * loop for 8-15 ms while the other parts' sockets waited; a 1 GiB `deno task cp` upload took
 * 4.10-4.37 s that way, 3.91-4.19 s sliced (4 runs each, taking turns, same server).
 */
const READ_SLICE = MiB;

/**
 * Reads `length` bytes at `position` into `buffer`, slice by slice, hashing them as they come.
 *
 * @returns The hex SHA-256 of the bytes read.
 */
async function readPart(
  file: Awaited<ReturnType<typeof open>>,
  buffer: Uint8Array,
  length: number,
  position: number,
): Promise<string> {
  const hash = createHash("sha256");
  let done = 0;
  while (done < length) {
    const want = Math.min(READ_SLICE, length - done);
    const { bytesRead } = await file.read(buffer, done, want, position + done);
    if (bytesRead === 0) throw new Error(`The file ended early, at byte ${position + done}`);
    hash.update(buffer.subarray(done, done + bytesRead));
    done += bytesRead;
  }
  return hash.digest("hex");
}

/**
 * Uploads a file as a multipart upload: parts read into reused buffers, `concurrency` at a time,
 * each retried by the client's retry strategy; on any failure the upload is aborted on the server
 * so no parts are left behind.
 *
 * @param client The S3 client.
 * @param params Bucket, key and the object's headers (content type, ACL, metadata).
 * @param path The file.
 * @param size The file's size (at least one byte).
 * @param options Part size, concurrency, progress, abort signal.
 * @returns The completed object's ETag.
 */
export async function uploadFileInParts(
  client: S3Client,
  params: CreateMultipartUploadCommandInput & { Bucket: string; Key: string },
  path: string | URL,
  size: number,
  options: PartsOptions = {},
): Promise<{ ETag?: string }> {
  const algorithm = options.checksum;
  const field = algorithm && checksumField(algorithm);
  const partSize = choosePartSize(size, options.partSize);
  const count = Math.ceil(size / partSize);
  const concurrency = Math.max(1, Math.min(options.concurrency ?? 4, count));
  const { Bucket, Key } = params;
  const signal = options.signal;
  signal?.throwIfAborted();
  const file = await open(path, "r");
  let uploadId: string | undefined;
  try {
    // Not abortable: a Create cut short may still create the upload on the server, and then its
    // id would be unknown here and the upload left behind. Once the id is known, abort it.
    const created = await client.send(
      new CreateMultipartUploadCommand({
        ...params,
        ...(algorithm
          ? {
            ChecksumAlgorithm: algorithm,
            ChecksumType: isCrc(algorithm) ? "FULL_OBJECT" : "COMPOSITE",
          }
          : {}),
      }),
    );
    uploadId = created.UploadId!;
    signal?.throwIfAborted();
    const etags: string[] = new Array(count);
    const sums: { checksum: string; size: number }[] = new Array(count);
    let next = 0;
    let loaded = 0;
    let failed = false;
    const worker = async () => {
      const buffer = new Uint8Array(Math.min(partSize, size));
      while (next < count && !failed) {
        signal?.throwIfAborted();
        const index = next++;
        const position = index * partSize;
        const length = Math.min(partSize, size - position);
        const sha256 = await readPart(file, buffer, length, position);
        if (algorithm) {
          sums[index] = {
            checksum: checksumOf(algorithm, buffer.subarray(0, length)),
            size: length,
          };
        }
        const command = new UploadPartCommand({
          Bucket,
          Key,
          UploadId: uploadId,
          PartNumber: index + 1,
          Body: buffer.subarray(0, length),
          ContentLength: length,
          ...(field ? { [field]: sums[index].checksum } : {}),
        });
        // The SDK's signer takes an `x-amz-content-sha256` header as the payload's hash instead
        // of hashing the body again, and signs it; the server checks it against the bytes.
        command.middlewareStack.add((next) => (args) => {
          (args.request as { headers: Record<string, string> }).headers["x-amz-content-sha256"] =
            sha256;
          return next(args);
        }, { step: "build", name: "partSha256" });
        const out = await client.send(command, { abortSignal: signal });
        etags[index] = out.ETag!;
        loaded += length;
        options.onProgress?.({ loaded, total: size });
      }
    };
    await allWorkers(concurrency, worker, () => failed = true);
    signal?.throwIfAborted();
    const done = await client.send(
      new CompleteMultipartUploadCommand({
        Bucket,
        Key,
        UploadId: uploadId,
        MultipartUpload: {
          Parts: etags.map((ETag, i) => ({
            ETag,
            PartNumber: i + 1,
            ...(field ? { [field]: sums[i].checksum } : {}),
          })),
        },
        // The whole object's CRC, from the parts': the server checks it against its own.
        ...(field && isCrc(algorithm!) ? { [field]: fullObjectChecksum(algorithm!, sums) } : {}),
      }),
      { abortSignal: signal },
    );
    uploadId = undefined;
    return done;
  } finally {
    await file.close();
    if (uploadId !== undefined) {
      await client.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId: uploadId }))
        .catch(() => {});
    }
  }
}

/**
 * The SDK's side of a ranged download (`_download.ts`): each GET sent through `client`.
 *
 * @param client The S3 client.
 * @returns A getter for `downloadInRanges()`.
 */
export function sdkRangeGetter(client: S3Client): RangeGetter {
  return async ({ bucket, key, range, ifMatch, signal }) => {
    const out = await client.send(
      new GetObjectCommand({ Bucket: bucket, Key: key, Range: range, IfMatch: ifMatch }),
      { abortSignal: signal },
    );
    return {
      body: out.Body,
      contentRange: out.ContentRange,
      contentLength: out.ContentLength,
      etag: out.ETag,
    };
  };
}
