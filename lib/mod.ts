/**
 * A small helper library for S3-compatible object stores (DreamObjects, Ceph RGW, AWS S3, the
 * embedded server), built on the AWS SDK v3. It runs DreamHost's "Getting Started" tour and is
 * meant for your own scripts: every function takes a {@linkcode Connection}, whose `client` is the
 * raw `S3Client` for anything the helpers do not cover.
 *
 * The exports are named here, one group per module: what a script needs. Helpers the library
 * uses itself (colours, HTML escaping, byte formatting, the SDK-call wrapper behind every
 * function) stay in their modules and may change without notice.
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

export { connect, Connection, type EmbeddedServer } from "./connect.ts";
export type { ConnectOptions, Emulation, SdkLogger, Target } from "./connect_options.ts";
export {
  bucketNameProblem,
  type BucketNameRules,
  type ClusterFacts,
  type ClusterId,
  isClusterId,
  RGW,
  US_EAST_1,
  US_EAST_5,
} from "./clusters.ts";
export {
  bucketExists,
  type BucketInfo,
  createBucket,
  type CreateBucketOptions,
  deleteBucket,
  emptyBucket,
  listBuckets,
  uniqueBucketName,
} from "./buckets.ts";
export {
  type ChecksumAlgorithm,
  deleteObject,
  type DeleteResult,
  getBytes,
  type GetBytesOptions,
  getFile,
  type GetFileOptions,
  getStream,
  getText,
  headObject,
  listObjects,
  type ListOptions,
  type ObjectInfo,
  putFile,
  type PutFileOptions,
  putObject,
  type PutObjectOptions,
  type PutOptions,
  type PutResult,
  type VersionOptions,
} from "./objects.ts";
export {
  bucketSize,
  copyObject,
  deletePrefix,
  type FolderListing,
  getIfChanged,
  getRange,
  listFolder,
  putMany,
  renameObject,
  setAclUnder,
} from "./folders.ts";
export {
  syncDown,
  type SyncEvent,
  type SyncFailure,
  type SyncOptions,
  type SyncProgress,
  type SyncSummary,
  syncUp,
} from "./sync.ts";
export {
  presignGet,
  type PresignOptions,
  presignPut,
  type PresignPutOptions,
  publicUrl,
  type PublicUrlOptions,
  type UrlStyle,
} from "./links.ts";
export {
  catchRequest,
  CaughtRequest,
  resignAt,
  sendByHand,
  type SendChanges,
  sendSignedV2,
  SentResult,
  SignatureSteps,
  signByHand,
  SignedV2,
} from "./signing.ts";
export {
  abortMultipart,
  completeMultipart,
  leftoverUploads,
  listParts,
  type MultipartUpload,
  type PartInfo,
  startMultipart,
  uploadPart,
} from "./multipart.ts";
export {
  getBucketGrants,
  getObjectGrants,
  type GrantRow,
  Grants,
  setBucketAcl,
  setObjectAcl,
} from "./acl.ts";
export { CANNED_ACLS, type CannedAcl } from "./validate.ts";
export {
  getVersioning,
  listVersions,
  type ListVersionsOptions,
  setVersioning,
  type VersionInfo,
  type VersioningState,
} from "./versions.ts";
export { probe, type ProbeOptions, ProbeResult } from "./probe.ts";
export {
  type CorsRule,
  deleteBucketCors,
  getBucketCors,
  type PresignedPost,
  presignPost,
  type PresignPostOptions,
  setBucketCors,
} from "./cors.ts";
export {
  type BrowserOptions,
  BrowserResult,
  postForm,
  type PostFormOptions,
  preflight,
  type PreflightOptions,
} from "./browser.ts";
export {
  type JupyterBroadcast,
  ProgressBar,
  type ProgressMode,
  type ProgressOptions,
  type ProgressState,
} from "./progress.ts";
export type { Progress } from "./types.ts";
export { S3RequestError, type S3RequestErrorFields } from "./errors.ts";
export { Traffic } from "./traffic.ts";
export { TrafficView } from "./traffic_view.ts";
export type { Exchange, ExchangeInput } from "./exchange.ts";
export { Stack, type Style, Table, Text, toView, View } from "./display.ts";
export { image, type ImageType, ImageView } from "./image.ts";
