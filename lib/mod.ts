/**
 * A small helper library for S3-compatible object stores (DreamObjects, Ceph RGW, AWS S3, the
 * embedded server), built on the AWS SDK v3. It runs DreamHost's "Getting Started" tour and is
 * meant for your own scripts: every function takes a {@linkcode Connection}, whose `client` is the
 * raw `S3Client` for anything the helpers do not cover.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { connect, createBucket, deleteBucket, deleteObject, getText, putObject } from "./mod.ts";
 *
 * await using s3 = await connect(); // the embedded server, started in-process
 * const bucket = await createBucket(s3, { prefix: "notes" });
 * await putObject(s3, bucket, "hello.txt", "Hello World!");
 * assert.equal(await getText(s3, bucket, "hello.txt"), "Hello World!");
 * await deleteObject(s3, bucket, "hello.txt");
 * await deleteBucket(s3, bucket);
 * ```
 *
 * @module
 */

export * from "./acl.ts";
export * from "./browser.ts";
export * from "./buckets.ts";
export * from "./clusters.ts";
export * from "./connect.ts";
export * from "./content_type.ts";
export * from "./cors.ts";
export * from "./display.ts";
export * from "./errors.ts";
export * from "./folders.ts";
export * from "./exchange.ts";
export * from "./image.ts";
export * from "./links.ts";
export * from "./multipart.ts";
export * from "./objects.ts";
export * from "./probe.ts";
export {
  type JupyterBroadcast,
  ProgressBar,
  type ProgressMode,
  type ProgressOptions,
  type ProgressState,
} from "./progress.ts";
export * from "./redact.ts";
export * from "./signing.ts";
export * from "./sync.ts";
export * from "./traffic.ts";
export * from "./traffic_view.ts";
export * from "./types.ts";
export * from "./validate.ts";
export * from "./versions.ts";
