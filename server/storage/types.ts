/**
 * The storage interface of the embedded server: buckets, objects, multipart uploads and the blobs
 * that hold their bytes. {@linkcode MemoryStorage} keeps everything in memory;
 * {@linkcode DiskStorage} keeps it in a directory and survives a restart.
 *
 * @module
 */

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
}

/** A run of bytes stored as one blob. */
export interface Segment {
  /** Blob reference, chosen by the storage. */
  ref: string;
  /** Length in bytes. */
  size: number;
}

/** An object as stored: its metadata and the segments that hold its bytes, in order. */
export interface ObjectRecord {
  /** Object key. */
  key: string;
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
 */
export interface Storage {
  /** All buckets, sorted by name. */
  listBuckets(): BucketRecord[];
  /** A bucket, or `undefined` when there is none of that name. */
  getBucket(name: string): BucketRecord | undefined;
  /** Adds a bucket; the caller has checked the name is free. */
  createBucket(record: BucketRecord): Promise<void>;
  /** Removes an empty bucket. */
  deleteBucket(name: string): Promise<void>;
  /** Replaces a bucket's ACL. */
  setBucketAcl(name: string, acl: Acl): Promise<void>;
  /** The keys of a bucket in S3 order. */
  keys(bucket: string): KeyIndex;
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

  /** An object, or `undefined`. */
  getObject(bucket: string, key: string): ObjectRecord | undefined;
  /** Stores an object, replacing (and freeing the blobs of) any object of the same key. */
  putObject(bucket: string, record: ObjectRecord): Promise<void>;
  /** Removes an object and frees its blobs; false when there was none. */
  deleteObject(bucket: string, key: string): Promise<boolean>;
  /** Replaces an object's ACL. */
  setObjectAcl(bucket: string, key: string, acl: Acl): Promise<void>;

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
   */
  completeUpload(id: string, record: ObjectRecord): Promise<void>;

  /** Releases resources (open files); the storage is unusable afterwards. */
  close(): Promise<void>;
}
