/**
 * One file copied to or from S3 given connection options, not a connection: what `deno task cp`
 * runs. A small upload and every download go through the lean client (`_lean.ts`) when it applies,
 * so a command that copies one small file loads neither the AWS SDK nor Node's heavy modules
 * (`tests/cli/cp_startup_test.ts`); the rest through a connection opened for the copy.
 *
 * @module
 */

import { type ConnectOptions, resolveConnectOptions } from "./connect_options.ts";
import { downloadFile, type GetFileOptions } from "./_download.ts";
import { leanClientFor } from "./_lean.ts";
import { request } from "./errors.ts";
import { DEFAULT_MULTIPART_THRESHOLD, fileSize } from "./file_size.ts";
import { contentTypeFor } from "./content_type.ts";
import { validateBucketName, validateKey } from "./validate.ts";
import type { PutFileOptions } from "./objects.ts";
import type { Connection } from "./connect.ts";

/**
 * Downloads an object to a file, as `getFile()` does, given connection options rather than a
 * connection. Through the lean client when it applies (an endpoint and fixed keys): then the AWS
 * SDK is never loaded, about 0.15 s of a command's start-up (bench/README.md); else through a
 * connection opened for it and closed afterwards.
 *
 * @param options Where to connect, as for `connect()` (its trace is off here).
 * @param bucket The bucket.
 * @param key The object key.
 * @param path The file to write (replaced if it exists; its folder must exist).
 * @param transfer Parallel ranges, progress callback, abort signal.
 * @returns The number of bytes written.
 * @throws {S3RequestError} When the server refuses; `Deno.errors.NotFound` for a missing folder.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { connect, createBucket, putObject } from "./mod.ts";
 * import { getFileOneShot } from "./one_shot.ts";
 * import { DEMO_USERS } from "../server/mod.ts";
 *
 * await using s3 = await connect(); // the embedded server
 * const bucket = await createBucket(s3);
 * await putObject(s3, bucket, "hello.txt", "Hello World!");
 * const { accessKeyId, secretAccessKey } = DEMO_USERS[0];
 * const path = await Deno.makeTempFile();
 * const options = { endpoint: s3.endpoint, accessKeyId, secretAccessKey };
 * assert.equal(await getFileOneShot(options, bucket, "hello.txt", path), 12);
 * assert.equal(await Deno.readTextFile(path), "Hello World!");
 * await Deno.remove(path);
 * ```
 */
export async function getFileOneShot(
  options: ConnectOptions,
  bucket: string,
  key: string,
  path: string,
  transfer: GetFileOptions = {},
): Promise<number> {
  const resolved = resolveConnectOptions(options);
  const lean = leanClientFor(resolved, options);
  if (lean) {
    return await downloadFile(lean.getRange, resolved.cluster, bucket, key, path, transfer);
  }
  return await withConnection(
    options,
    (s3, { getFile }) => getFile(s3, bucket, key, path, transfer),
  );
}

/** What the lean client's one PUT honours; any other option takes the connection's `putFile()`. */
const LEAN_PUT_OPTIONS: ReadonlySet<string> = new Set([
  "contentType",
  "multipartThreshold",
  "partSize",
  "concurrency",
  "onProgress",
  "signal",
]);

/**
 * Uploads a file, as `putFile()` does, given connection options rather than a connection. One
 * below the multipart threshold (16 MiB) goes as one PUT through the lean client (`_lean.ts`) when
 * it applies (an endpoint and fixed keys, and no ACL, metadata or checksum asked for): then the
 * AWS SDK is never loaded, as for a download; the rest through a connection opened for it (the
 * SDK: its part uploads use less memory than `fetch`'s).
 *
 * @param options Where to connect, as for `connect()` (its trace is off here).
 * @param bucket The bucket.
 * @param key The object key.
 * @param path The file to upload.
 * @param transfer Content type, part size, concurrency, progress callback, abort signal.
 * @returns The number of bytes uploaded.
 * @throws {S3RequestError} When the server refuses; `Deno.errors.NotFound` for a missing file.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { connect, createBucket, getBytes } from "./mod.ts";
 * import { putFileOneShot } from "./one_shot.ts";
 * import { DEMO_USERS } from "../server/mod.ts";
 *
 * await using s3 = await connect(); // the embedded server
 * const bucket = await createBucket(s3);
 * const { accessKeyId, secretAccessKey } = DEMO_USERS[0];
 * const path = await Deno.makeTempFile();
 * await Deno.writeTextFile(path, "Hello World!");
 * const options = { endpoint: s3.endpoint, accessKeyId, secretAccessKey };
 * assert.equal(await putFileOneShot(options, bucket, "hello.txt", path), 12);
 * assert.equal(new TextDecoder().decode(await getBytes(s3, bucket, "hello.txt")), "Hello World!");
 * await Deno.remove(path);
 * ```
 */
export async function putFileOneShot(
  options: ConnectOptions,
  bucket: string,
  key: string,
  path: string,
  transfer: PutFileOptions = {},
): Promise<number> {
  const resolved = resolveConnectOptions(options);
  const lean = onlyLeanOptions(transfer) ? leanClientFor(resolved, options) : undefined;
  const threshold = transfer.multipartThreshold ?? DEFAULT_MULTIPART_THRESHOLD;
  if (lean && (await fileSize(path, key)) < threshold) {
    validateBucketName(bucket, resolved.cluster.bucketNames);
    validateKey(key);
    const bytes = await Deno.readFile(path);
    const total = bytes.byteLength;
    transfer.onProgress?.({ loaded: 0, total });
    await request(
      { action: `upload "${path}" to "${bucket}/${key}"`, bucket, key },
      () =>
        lean.putObject(bucket, key, bytes, {
          contentType: transfer.contentType ?? contentTypeFor(path),
          signal: transfer.signal,
        }),
    );
    transfer.onProgress?.({ loaded: total, total });
    return total;
  }
  return await withConnection(options, async (s3, { putFile }) => {
    return (await putFile(s3, bucket, key, path, transfer)).size;
  });
}

/** Whether every option given is one the lean client's one PUT honours. */
function onlyLeanOptions(transfer: PutFileOptions): boolean {
  return Object.entries(transfer).every(([name, value]) =>
    value === undefined || LEAN_PUT_OPTIONS.has(name)
  );
}

/**
 * Runs `use` on a connection with the trace off, closed afterwards; the AWS SDK is loaded here,
 * so only the copies that need it pay for it.
 */
async function withConnection<T>(
  options: ConnectOptions,
  use: (s3: Connection, objects: typeof import("./objects.ts")) => Promise<T>,
): Promise<T> {
  const [{ connect }, objects] = await Promise.all([
    import("./connect.ts"),
    import("./objects.ts"),
  ]);
  await using s3 = await connect({ ...options, trace: false });
  return await use(s3, objects);
}
