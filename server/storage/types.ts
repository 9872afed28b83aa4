/**
 * The storage interface of the embedded server: buckets, objects (and their versions), multipart
 * uploads and the blobs that hold their bytes. {@linkcode MemoryStorage} keeps everything in
 * memory; {@linkcode DiskStorage} keeps it in a directory and survives a restart.
 *
 * @module
 */

import type { ChecksumAlgorithm, ChecksumType } from "../../core/checksum.ts";

/**
 * A checksum kept with an object or a part (`x-amz-checksum-*`): its algorithm, base64 value
 * and, for an object, how it was made (a multipart object's composite value ends in `-N`).
 */
export interface StoredChecksum {
  /** The algorithm. */
  algorithm: ChecksumAlgorithm;
  /** Base64 value (`…-N` for a composite one). */
  value: string;
  /** `FULL_OBJECT` (of all the bytes) or `COMPOSITE` (of the parts' checksums). */
  type: ChecksumType;
}

/** A permission an ACL grant can give, as S3 names it. */
export type Permission = "FULL_CONTROL" | "READ" | "WRITE" | "READ_ACP" | "WRITE_ACP";

/** Who a grant is for: one user, or a predefined group (`AllUsers`, `AuthenticatedUsers`). */
export type Grantee =
  | { type: "CanonicalUser"; id: string }
  | { type: "Group"; uri: string };

/** One entry of an access control list. */
export interface Grant {
  /** Who gets the permission. */
  grantee: Grantee;
  /** What they may do. */
  permission: Permission;
}

/** An access control list: the owner (a user id) and its grants. */
export interface Acl {
  /** Canonical id of the owning user. */
  owner: string;
  /** The grants, owner's `FULL_CONTROL` included when the ACL gives it. */
  grants: Grant[];
}

/** A bucket as stored. */
export interface BucketRecord {
  /** Bucket name. */
  name: string;
  /** Creation time, ISO 8601. */
  created: string;
  /** Owner and grants. */
  acl: Acl;
  /**
   * Versioning state: absent for a bucket whose versioning was never set (it keeps one `null`
   * version per key, as an unversioned bucket does).
   */
  versioning?: VersioningStatus;
  /** CORS rules (PutBucketCors), in order; absent when the bucket has none. */
  cors?: CorsRule[];
}

/** One CORS rule of a bucket, as stored (read and matched by `server/cors.ts`). */
export interface CorsRule {
  /** `ID`, at most 255 characters. */
  id?: string;
  /** Allowed origins: exact, `*`, or with one `*` (`http://*.example.com`). Sorted, unique. */
  origins: string[];
  /** Allowed methods, upper case, in RGW's order (GET, PUT, DELETE, HEAD, POST, COPY). */
  methods: string[];
  /** Allowed request headers, with at most one `*` each. Sorted, unique. */
  allowedHeaders: string[];
  /** Headers the browser may expose to the page, in the order given. */
  exposeHeaders: string[];
  /** `MaxAgeSeconds`, when given and below 2^32. */
  maxAge?: number;
}

/** A bucket's versioning state once set; it never goes back to unset. */
export type VersioningStatus = "Enabled" | "Suspended";

/** The version id of the one version an unversioned (or suspended) bucket keeps per key. */
export const NULL_VERSION = "null";

/** A run of bytes stored as one blob. */
export interface Segment {
  /** Blob reference, chosen by the storage. */
  ref: string;
  /** Length in bytes. */
  size: number;
}

/**
 * One version of an object as stored: its metadata and the segments that hold its bytes, in
 * order; or a delete marker (no bytes, no ETag).
 */
export interface ObjectRecord {
  /** Object key. */
  key: string;
  /** Version id; absent means `null` (the version of an unversioned or suspended bucket). */
  versionId?: string;
  /** True for a delete marker. */
  deleteMarker?: boolean;
  /**
   * Position among the bucket's writes, chosen by the storage (a version with a higher number is
   * newer); absent on records written before versioning existed (read as 0).
   */
  seq?: number;
  /** Length in bytes. */
  size: number;
  /** ETag without quotes: MD5 hex, or `md5-of-md5s-N` for multipart objects. */
  etag: string;
  /** Last modification time, ISO 8601. */
  lastModified: string;
  /** Standard headers kept with the object (lower-case names, e.g. `content-type`). */
  headers: Record<string, string>;
  /** User metadata: `x-amz-meta-*` headers without their prefix, names in lower case. */
  metadata: Record<string, string>;
  /** Owner and grants. */
  acl: Acl;
  /** Tags as key and value pairs (a key may repeat), absent or empty when untagged. */
  tags?: Array<[string, string]>;
  /** The checksum the object was uploaded with, verified; absent without one. */
  checksum?: StoredChecksum;
  /** A multipart object's parts (sizes and checksums), for GetObjectAttributes. */
  parts?: Array<{ number: number; size: number; checksum?: string }>;
  /** The bytes, in order. */
  segments: Segment[];
}

/** One uploaded part of a multipart upload. */
export interface PartRecord {
  /** Part number, 1..10000. */
  number: number;
  /** MD5 hex of the part, without quotes. */
  etag: string;
  /** Length in bytes. */
  size: number;
  /** Upload time, ISO 8601. */
  lastModified: string;
  /** The part's checksum (base64), in the upload's algorithm, verified; absent without one. */
  checksum?: string;
  /** Where its bytes are. */
  segment: Segment;
}

/** A multipart upload in progress. */
export interface UploadRecord {
  /** Upload id. */
  id: string;
  /** Bucket name. */
  bucket: string;
  /** Object key the upload will create. */
  key: string;
  /** Start time, ISO 8601. */
  initiated: string;
  /** Canonical id of the user who started it. */
  initiator: string;
  /** Headers the completed object will carry. */
  headers: Record<string, string>;
  /** User metadata the completed object will carry. */
  metadata: Record<string, string>;
  /** ACL the completed object will carry. */
  acl: Acl;
  /** The checksum the completed object will carry (CreateMultipartUpload's headers). */
  checksum?: { algorithm: ChecksumAlgorithm; type: ChecksumType };
  /** Parts received so far, by part number. */
  parts: Record<string, PartRecord>;
}

/** What to check while a body is written. */
export interface WriteBlobOptions {
  /** The length the client announced; a different count of bytes is `IncompleteBody`. */
  expectedLength?: number;
  /** The MD5 the client announced (`Content-MD5`); a mismatch is `BadDigest`. */
  expectedMd5?: Uint8Array;
  /** Largest accepted length; more is `EntityTooLarge`. */
  maxLength?: number;
}

/** A body written to a blob, with what was measured while it streamed. */
export interface WrittenBlob {
  /** Where the bytes are. */
  segment: Segment;
  /** MD5 of the bytes, hex. */
  md5: string;
}

/** What a delete did. */
export interface DeleteOutcome {
  /** The version id to answer (`x-amz-version-id`): the marker made, or the version removed. */
  versionId?: string;
  /** True when a delete marker was made, or the version removed was one. */
  deleteMarker: boolean;
}

/** A position among a bucket's keys, sorted in S3 order. */
export interface KeyIndex {
  /** Number of keys. */
  readonly length: number;
  /** The key at a position. */
  at(index: number): string;
  /** Position of the first key that is not less than `key`. */
  lowerBound(key: string): number;
  /** Position of the first key greater than `key`. */
  upperBound(key: string): number;
  /** Position of the first key at or after `from` that does not start with `prefix`. */
  endOfPrefix(prefix: string, from: number): number;
}

/**
 * Where the embedded server keeps buckets, objects and uploads. Metadata reads are synchronous
 * (implementations keep an index in memory); anything that writes is asynchronous.
 *
 * Versions: each key holds its versions oldest first; the newest one is the current version,
 * unless it is a delete marker (then the key is hidden from `keys()` and `getObject()`). What a
 * write does depends on the bucket's versioning: never set or `Suspended`, a PUT replaces the
 * `null` version (freeing its blobs) and becomes the newest; `Enabled`, a PUT adds a version with
 * a new id. A delete without a version id removes the `null` version (never set), or adds a delete
 * marker (`null` when suspended, a new id when enabled) unless the newest version already is one.
 *
 * Atomicity (both engines): the changes to one key, one upload or one bucket's record run one
 * after the other, in the order they were accepted, and each changes the index only after its
 * record is saved: a write the disk refuses (503 `ServiceUnavailable` when it is full) leaves the
 * index, and what readers see, as it was, and frees the new bytes at once. Concurrent requests see
 * each version either entirely or not at all. On disk, a version (or marker) is one sidecar
 * written to a temporary file, flushed and renamed into place (its directory flushed) after its
 * blobs are flushed, so a crash leaves each version either whole or absent, never torn; temporary
 * files, and blobs no sidecar names, are removed at the next start.
 */
export interface Storage {
  /** All buckets, sorted by name. */
  listBuckets(): BucketRecord[];
  /** A bucket, or `undefined` when there is none of that name. */
  getBucket(name: string): BucketRecord | undefined;
  /** Adds a bucket; the caller has checked the name is free. */
  createBucket(record: BucketRecord): Promise<void>;
  /** Removes a bucket without versions or markers. */
  deleteBucket(name: string): Promise<void>;
  /** Replaces a bucket's ACL. */
  setBucketAcl(name: string, acl: Acl): Promise<void>;
  /** Replaces a bucket's CORS rules (`undefined` removes them). */
  setBucketCors(name: string, rules: CorsRule[] | undefined): Promise<void>;
  /** Sets a bucket's versioning state. */
  setVersioning(name: string, status: VersioningStatus): Promise<void>;
  /** The keys whose current version is an object (not a delete marker), in S3 order. */
  keys(bucket: string): KeyIndex;
  /** Every key that has at least one version or delete marker, in S3 order. */
  versionKeys(bucket: string): KeyIndex;
  /** The versions and markers of a key, oldest first (empty when none). */
  versionsOf(bucket: string, key: string): readonly ObjectRecord[];
  /** Position of a version in `versionsOf()`, or -1; `"null"` names the null version. */
  versionIndex(bucket: string, key: string, versionId: string): number;
  /** Uploads in progress in a bucket, sorted by key then start time. */
  listUploads(bucket: string): UploadRecord[];

  /**
   * Streams a body into a new blob, measuring length and MD5. The blob is only kept when every
   * check passes and the stream closes normally; otherwise nothing is stored and the error is
   * rethrown.
   */
  writeBlob(
    body: ReadableStream<Uint8Array> | null,
    options?: WriteBlobOptions,
  ): Promise<WrittenBlob>;
  /** Streams bytes `start` to `end` (inclusive) of a run of segments. */
  readSegments(
    segments: Segment[],
    start: number,
    end: number,
  ): Promise<ReadableStream<Uint8Array>>;
  /** Frees blobs nothing refers to any more. */
  removeSegments(segments: Segment[]): Promise<void>;

  /** The current version of an object, or `undefined` (none, or a delete marker). */
  getObject(bucket: string, key: string): ObjectRecord | undefined;
  /** One version (or marker) by id (`"null"` for the null version), or `undefined`. */
  getVersion(bucket: string, key: string, versionId: string): ObjectRecord | undefined;
  /**
   * Stores an object as its key's newest version, as the bucket's versioning says (see above);
   * the record's `versionId` and `seq` are chosen here.
   *
   * @returns The record as stored, with its version id.
   */
  putObject(bucket: string, record: ObjectRecord): Promise<ObjectRecord>;
  /** Deletes the current version as the bucket's versioning says (see above). */
  deleteObject(bucket: string, key: string): Promise<DeleteOutcome>;
  /** Removes one version or marker for good and frees its blobs. */
  deleteVersion(bucket: string, key: string, versionId: string): Promise<DeleteOutcome>;
  /** Replaces the ACL of the current version, or of the version named. */
  setObjectAcl(bucket: string, key: string, acl: Acl, versionId?: string): Promise<void>;
  /** Replaces the tags of the current version, or of the version named (`[]` removes them). */
  setObjectTags(
    bucket: string,
    key: string,
    tags: Array<[string, string]>,
    versionId?: string,
  ): Promise<void>;

  /** Records a new multipart upload. */
  createUpload(record: UploadRecord): Promise<void>;
  /** An upload, or `undefined`. */
  getUpload(id: string): UploadRecord | undefined;
  /** Records a part, replacing (and freeing) a part of the same number. */
  putPart(id: string, part: PartRecord): Promise<void>;
  /** Forgets an upload (AbortMultipartUpload) and frees the blobs of its parts. */
  deleteUpload(id: string): Promise<void>;
  /**
   * Turns an upload into an object made of (some of) its parts: the object is stored before the
   * upload is forgotten, and parts it does not use are freed. A concurrent abort or completion of
   * the same upload finds no upload.
   *
   * @returns The object as stored, with its version id.
   */
  completeUpload(id: string, record: ObjectRecord): Promise<ObjectRecord>;

  /** Releases resources (open files); the storage is unusable afterwards. */
  close(): Promise<void>;
}
