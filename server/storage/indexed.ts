/**
 * The part of storage both engines share: an in-memory index of buckets, keys and uploads, and
 * the streaming write that measures length and MD5. Engines supply blob I/O and persistence.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { S3Error } from "../errors.ts";
import { compareUtf8 } from "../../core/utf8.ts";
import { SortedKeys } from "./sorted_keys.ts";
import {
  type Acl,
  type BucketRecord,
  type DeleteOutcome,
  type KeyIndex,
  NULL_VERSION,
  type ObjectRecord,
  type PartRecord,
  type Segment,
  type Storage,
  type UploadRecord,
  type VersioningStatus,
  type WriteBlobOptions,
  type WrittenBlob,
} from "./types.ts";

/**
 * Reads one chunk of a request body. A verifier's refusal (an `S3Error`) stands; any other
 * failure means the client stopped sending: `IncompleteBody`.
 */
async function readChunk(
  reader: ReadableStreamDefaultReader<Uint8Array>,
): Promise<Uint8Array | undefined> {
  try {
    const { done, value } = await reader.read();
    return done ? undefined : value;
  } catch (error) {
    if (error instanceof S3Error) throw error;
    throw new S3Error("IncompleteBody");
  }
}

/** Receives the chunks of one new blob; nothing is visible until `finish()`. */
export interface BlobWriter {
  /** Appends bytes. */
  write(chunk: Uint8Array): Promise<void>;
  /** Makes the blob durable and returns its reference. */
  finish(): Promise<string>;
  /** Throws away what was written. */
  abort(): Promise<void>;
}

/** Reads one byte range of a blob into buffers it is handed (so a reader can reuse one). */
export interface BlobReader {
  /** Fills the start of `into` with the next bytes and says how many; `null` past the range. */
  read(into: Uint8Array): Promise<number | null>;
  /** Lets go of the blob (again is harmless). */
  close(): void;
}

/** A default reader of an object's bytes gets chunks of this size. */
const READ_CHUNK = 64 * 1024;

/** A bucket's versions and keys in memory. */
export interface BucketState {
  /** The bucket. */
  record: BucketRecord;
  /** Versions and markers by key, oldest first (ordered by `seq`). */
  versions: Map<string, ObjectRecord[]>;
  /** Keys whose newest version is an object, sorted: what ListObjects walks. */
  keys: SortedKeys;
  /** Keys with any version or marker, sorted: what ListObjectVersions walks. */
  versionKeys: SortedKeys;
  /** Every version and marker by {@linkcode idKey}, to find one in O(log n). */
  ids: Map<string, ObjectRecord>;
  /** The `seq` the next version gets. */
  nextSeq: number;
  /** Versions being saved, not indexed yet: the bucket is not empty while any is. */
  saving: number;
}

/**
 * The version id of a record: its id, or `null` for the version of an unversioned or suspended
 * bucket.
 *
 * @param record A version or delete marker.
 * @returns Its version id.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { cannedAcl } from "../acl.ts";
 * import { versionOf } from "./indexed.ts";
 *
 * const record = {
 *   key: "a.txt",
 *   size: 0,
 *   etag: "d41d8cd98f00b204e9800998ecf8427e",
 *   lastModified: "2026-01-01T00:00:00.000Z",
 *   headers: {},
 *   metadata: {},
 *   acl: cannedAcl("private", "demo"),
 *   segments: [],
 * };
 * assert.equal(versionOf(record), "null"); // written while versioning was never enabled
 * assert.equal(versionOf({ ...record, versionId: "v1" }), "v1");
 * ```
 */
export function versionOf(record: ObjectRecord): string {
  return record.versionId ?? NULL_VERSION;
}

/**
 * A new version id: 32 URL-safe characters (base64url of 24 random bytes), like the ids RGW
 * makes; never `null`.
 *
 * @returns The id.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { newVersionId } from "./indexed.ts";
 *
 * assert.equal(newVersionId().length, 32);
 * assert.notEqual(newVersionId(), newVersionId());
 * ```
 */
export function newVersionId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_");
}

/** Where a version is filed in `BucketState.ids`: its id, or for a `null` version its key. */
function idKey(key: string, versionId: string): string {
  return versionId === NULL_VERSION ? `\0${key}` : versionId;
}

/** Position of the first version whose `seq` is not less than `seq` in a list ordered by seq. */
function seqPosition(list: readonly ObjectRecord[], seq: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((list[mid].seq ?? 0) < seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Storage with an in-memory index; subclasses decide where blobs go and whether metadata is
 * persisted.
 */
export abstract class IndexedStorage implements Storage {
  /** Buckets by name. */
  protected readonly buckets: Map<string, BucketState> = new Map();
  /** Uploads in progress by id. */
  protected readonly uploads: Map<string, UploadRecord> = new Map();

  /** Starts a new blob. */
  protected abstract blobWriter(): Promise<BlobWriter>;
  /** Opens a byte range of one blob (the blob is opened before this resolves). */
  protected abstract openBlob(ref: string, start: number, end: number): Promise<BlobReader>;
  /** Frees one blob. */
  protected abstract removeBlob(ref: string): Promise<void>;
  /** Saves (or with `null`, forgets) a bucket's record. */
  protected abstract saveBucket(name: string, record: BucketRecord | null): Promise<void>;
  /** Saves (or with `null`, forgets) one version's record. */
  protected abstract saveVersion(
    bucket: string,
    key: string,
    versionId: string,
    record: ObjectRecord | null,
  ): Promise<void>;
  /** Saves (or with `null`, forgets) an upload's record. */
  protected abstract saveUpload(id: string, record: UploadRecord | null): Promise<void>;

  #turns = new Map<string, Promise<unknown>>();
  #creating = new Set<string>();

  /**
   * Runs `step` once every earlier step on the same resource (one key of a bucket, one upload,
   * one bucket record) has settled, so each reads the index as the last one left it.
   */
  #serial<T>(resource: string, step: () => Promise<T>): Promise<T> {
    const previous = this.#turns.get(resource) ?? Promise.resolve();
    const next = previous.then(step);
    const settled = next.catch(() => {});
    this.#turns.set(resource, settled);
    settled.then(() => {
      if (this.#turns.get(resource) === settled) this.#turns.delete(resource);
    });
    return next;
  }

  /** Adds a loaded bucket to the index. */
  protected indexBucket(record: BucketRecord): BucketState {
    const state: BucketState = {
      record,
      versions: new Map(),
      keys: new SortedKeys(),
      versionKeys: new SortedKeys(),
      ids: new Map(),
      nextSeq: 1,
      saving: 0,
    };
    this.buckets.set(record.name, state);
    return state;
  }

  /** Adds a version (loaded, or just written) to the index, in `seq` order. */
  protected indexVersion(state: BucketState, record: ObjectRecord): void {
    const seq = record.seq ?? 0;
    state.nextSeq = Math.max(state.nextSeq, seq + 1);
    let list = state.versions.get(record.key);
    if (!list) state.versions.set(record.key, list = []);
    if (list.length === 0 || (list[list.length - 1].seq ?? 0) <= seq) list.push(record);
    else list.splice(seqPosition(list, seq), 0, record);
    state.ids.set(idKey(record.key, versionOf(record)), record);
    this.#reindexKey(state, record.key);
  }

  /** Brings both key indexes up to date with a key's versions. */
  #reindexKey(state: BucketState, key: string): void {
    const list = state.versions.get(key);
    if (!list || list.length === 0) {
      state.versions.delete(key);
      state.versionKeys.delete(key);
      state.keys.delete(key);
      return;
    }
    state.versionKeys.insert(key);
    if (list[list.length - 1].deleteMarker) state.keys.delete(key);
    else state.keys.insert(key);
  }

  /** Takes a version out of the index; returns it, or `undefined` when absent. */
  #unindexVersion(state: BucketState, key: string, versionId: string): ObjectRecord | undefined {
    const at = this.#indexIn(state, key, versionId);
    if (at < 0) return undefined;
    const [removed] = state.versions.get(key)!.splice(at, 1);
    state.ids.delete(idKey(key, versionId));
    this.#reindexKey(state, key);
    return removed;
  }

  /** Position of a version among its key's versions, or -1: O(log n) through its `seq`. */
  #indexIn(state: BucketState | undefined, key: string, versionId: string): number {
    const record = state?.ids.get(idKey(key, versionId));
    if (!record || record.key !== key) return -1;
    const list = state!.versions.get(key)!;
    const at = seqPosition(list, record.seq ?? 0);
    // Records loaded without a seq share 0: look along the run of equal ones.
    for (let i = at; i < list.length && (list[i].seq ?? 0) === (record.seq ?? 0); i++) {
      if (list[i] === record) return i;
    }
    return -1;
  }

  #bucket(name: string): BucketState {
    const state = this.buckets.get(name);
    if (!state) throw new S3Error("NoSuchBucket", undefined, { bucketName: name });
    return state;
  }

  listBuckets(): BucketRecord[] {
    return [...this.buckets.values()].map((b) => b.record).sort((a, b) =>
      compareUtf8(a.name, b.name)
    );
  }

  getBucket(name: string): BucketRecord | undefined {
    return this.buckets.get(name)?.record;
  }

  async createBucket(record: BucketRecord): Promise<void> {
    // The name is taken from the caller's check on, but indexed only once its record is saved.
    if (this.#creating.has(record.name) || this.buckets.has(record.name)) {
      throw new S3Error("OperationAborted", undefined, { bucketName: record.name });
    }
    this.#creating.add(record.name);
    try {
      await this.saveBucket(record.name, record);
      this.indexBucket(record);
    } finally {
      this.#creating.delete(record.name);
    }
  }

  setVersioning(name: string, status: VersioningStatus): Promise<void> {
    return this.#changeBucket(name, (record) => ({ ...record, versioning: status }));
  }

  async deleteBucket(name: string): Promise<void> {
    if (this.buckets.get(name)?.saving) {
      throw new S3Error("BucketNotEmpty", undefined, { bucketName: name });
    }
    for (const upload of this.listUploads(name)) await this.deleteUpload(upload.id);
    await this.#serial(`b\0${name}`, async () => {
      await this.saveBucket(name, null);
      this.buckets.delete(name);
    });
  }

  setBucketAcl(name: string, acl: Acl): Promise<void> {
    return this.#changeBucket(name, (record) => ({ ...record, acl }));
  }

  /** Saves `change(record)` as a bucket's record, then puts it in the index. */
  #changeBucket(name: string, change: (record: BucketRecord) => BucketRecord): Promise<void> {
    return this.#serial(`b\0${name}`, async () => {
      const state = this.#bucket(name);
      const record = change(state.record);
      await this.saveBucket(name, record);
      state.record = record;
    });
  }

  keys(bucket: string): KeyIndex {
    return this.#bucket(bucket).keys;
  }

  versionKeys(bucket: string): KeyIndex {
    return this.#bucket(bucket).versionKeys;
  }

  versionsOf(bucket: string, key: string): readonly ObjectRecord[] {
    return this.buckets.get(bucket)?.versions.get(key) ?? [];
  }

  versionIndex(bucket: string, key: string, versionId: string): number {
    return this.#indexIn(this.buckets.get(bucket), key, versionId);
  }

  listUploads(bucket: string): UploadRecord[] {
    return [...this.uploads.values()].filter((u) => u.bucket === bucket).sort((a, b) =>
      compareUtf8(a.key, b.key) || a.initiated.localeCompare(b.initiated) ||
      a.id.localeCompare(b.id)
    );
  }

  async writeBlob(
    body: ReadableStream<Uint8Array> | null,
    options: WriteBlobOptions = {},
  ): Promise<WrittenBlob> {
    const { expectedLength, expectedMd5, maxLength } = options;
    const hash = createHash("md5");
    let size = 0;
    const writer = await this.blobWriter();
    const reader = body?.getReader();
    try {
      while (reader) {
        const chunk = await readChunk(reader);
        if (chunk === undefined) break;
        size += chunk.byteLength;
        if (maxLength !== undefined && size > maxLength) throw new S3Error("EntityTooLarge");
        if (expectedLength !== undefined && size > expectedLength) {
          throw new S3Error("IncompleteBody");
        }
        hash.update(chunk);
        await writer.write(chunk);
      }
      if (expectedLength !== undefined && size !== expectedLength) {
        throw new S3Error("IncompleteBody");
      }
      const md5 = hash.digest();
      if (expectedMd5 && !md5.equals(expectedMd5)) throw new S3Error("BadDigest");
      const ref = await writer.finish();
      return { segment: { ref, size }, md5: md5.toString("hex") };
    } catch (error) {
      await writer.abort();
      await reader?.cancel().catch(() => {});
      throw error;
    }
  }

  async readSegments(
    segments: Segment[],
    start: number,
    end: number,
  ): Promise<ReadableStream<Uint8Array>> {
    const ranges: { ref: string; from: number; to: number }[] = [];
    let offset = 0;
    for (const segment of segments) {
      const from = Math.max(start, offset);
      const to = Math.min(end, offset + segment.size - 1);
      if (from <= to) ranges.push({ ref: segment.ref, from: from - offset, to: to - offset });
      offset += segment.size;
    }
    // Pin the blobs so a concurrent overwrite or delete frees them only after this read; open
    // them one at a time (an object of 10,000 parts must not need 10,000 open files).
    const refs = ranges.map((r) => r.ref);
    this.#pin(refs);
    let released = false;
    const release = () => {
      if (!released) this.#unpin(refs);
      released = true;
    };
    let index = 0;
    let blob: BlobReader | undefined;
    try {
      if (ranges.length > 0) {
        blob = await this.openBlob(ranges[0].ref, ranges[0].from, ranges[0].to);
      }
    } catch (error) {
      release();
      throw error;
    }
    // A byte stream: a BYOB reader (the response writer) has the file read straight into its
    // own buffer, reused from chunk to chunk; a default reader gets new 64 KiB chunks.
    return new ReadableStream({
      type: "bytes",
      autoAllocateChunkSize: READ_CHUNK,
      pull: async (controller) => {
        const request = controller.byobRequest!;
        try {
          while (index < ranges.length) {
            const range = ranges[index];
            blob ??= await this.openBlob(range.ref, range.from, range.to);
            const n = await blob.read(request.view as Uint8Array);
            if (n !== null) {
              request.respond(n);
              return;
            }
            blob.close();
            blob = undefined;
            index++;
          }
          release();
          controller.close();
          request.respond(0);
        } catch (error) {
          blob?.close();
          release();
          controller.error(error);
        }
      },
      cancel: () => {
        release();
        blob?.close();
      },
    });
  }

  #readers = new Map<string, number>();
  #doomed = new Set<string>();

  #pin(refs: string[]): void {
    for (const ref of refs) this.#readers.set(ref, (this.#readers.get(ref) ?? 0) + 1);
  }

  #unpin(refs: string[]): void {
    for (const ref of refs) {
      const count = (this.#readers.get(ref) ?? 1) - 1;
      if (count > 0) {
        this.#readers.set(ref, count);
        continue;
      }
      this.#readers.delete(ref);
      if (this.#doomed.delete(ref)) this.removeBlob(ref).catch(() => {});
    }
  }

  /** Frees a blob now, or when the last reader of it is done. */
  async #free(ref: string): Promise<void> {
    if (this.#readers.has(ref)) this.#doomed.add(ref);
    else await this.removeBlob(ref);
  }

  async removeSegments(segments: Segment[]): Promise<void> {
    for (const segment of segments) await this.#free(segment.ref);
  }

  getObject(bucket: string, key: string): ObjectRecord | undefined {
    const latest = this.buckets.get(bucket)?.versions.get(key)?.at(-1);
    return latest?.deleteMarker ? undefined : latest;
  }

  getVersion(bucket: string, key: string, versionId: string): ObjectRecord | undefined {
    const record = this.buckets.get(bucket)?.ids.get(idKey(key, versionId));
    return record?.key === key ? record : undefined;
  }

  /**
   * Saves a record as the newest version of its key (a new id when versioning is enabled, else
   * the `null` version, replacing the old one), and only then puts it in the index and frees the
   * version it replaced. When the save fails, the index is as it was.
   */
  async #addVersion(state: BucketState, record: ObjectRecord): Promise<ObjectRecord> {
    const enabled = state.record.versioning === "Enabled";
    const stored: ObjectRecord = {
      ...record,
      versionId: enabled ? newVersionId() : undefined,
      seq: state.nextSeq++,
    };
    state.saving++;
    try {
      await this.saveVersion(state.record.name, stored.key, versionOf(stored), stored);
    } finally {
      state.saving--;
    }
    const replaced = enabled ? undefined : this.#unindexVersion(state, record.key, NULL_VERSION);
    this.indexVersion(state, stored);
    if (replaced) await this.removeSegments(replaced.segments);
    return stored;
  }

  /** Runs `step` in its key's turn (see `#serial`), with the bucket's state. */
  #keyTurn<T>(
    bucket: string,
    key: string,
    step: (state: BucketState) => Promise<T>,
  ): Promise<T> {
    return this.#serial(`o\0${bucket}\0${key}`, () => step(this.#bucket(bucket)));
  }

  async putObject(bucket: string, record: ObjectRecord): Promise<ObjectRecord> {
    try {
      return await this.#keyTurn(bucket, record.key, (state) => this.#addVersion(state, record));
    } catch (error) {
      // Nothing refers to the new bytes: free them now rather than at the next start.
      await this.removeSegments(record.segments).catch(() => {});
      throw error;
    }
  }

  deleteObject(bucket: string, key: string): Promise<DeleteOutcome> {
    return this.#keyTurn(bucket, key, async (state) => {
      const latest = state.versions.get(key)?.at(-1);
      if (state.record.versioning === undefined) {
        if (latest) await this.#removeVersion(state, key, NULL_VERSION);
        return { deleteMarker: false };
      }
      // RGW adds no second marker on a key whose newest version already is one.
      if (latest?.deleteMarker) return { deleteMarker: false };
      const marker: ObjectRecord = {
        key,
        deleteMarker: true,
        size: 0,
        etag: "",
        lastModified: new Date().toISOString(),
        headers: {},
        metadata: {},
        acl: latest?.acl ?? { owner: state.record.acl.owner, grants: [] },
        segments: [],
      };
      const stored = await this.#addVersion(state, marker);
      return { versionId: versionOf(stored), deleteMarker: true };
    });
  }

  deleteVersion(bucket: string, key: string, versionId: string): Promise<DeleteOutcome> {
    return this.#keyTurn(bucket, key, (state) => this.#removeVersion(state, key, versionId));
  }

  /** Removes a version's record, then takes it out of the index and frees its bytes. */
  async #removeVersion(
    state: BucketState,
    key: string,
    versionId: string,
  ): Promise<DeleteOutcome> {
    const at = this.#indexIn(state, key, versionId);
    if (at < 0) return { deleteMarker: false };
    await this.saveVersion(state.record.name, key, versionId, null);
    const removed = this.#unindexVersion(state, key, versionId)!;
    await this.removeSegments(removed.segments);
    return { versionId, deleteMarker: removed.deleteMarker === true };
  }

  setObjectAcl(bucket: string, key: string, acl: Acl, versionId?: string): Promise<void> {
    return this.#changeVersion(bucket, key, versionId, (record) => ({ ...record, acl }));
  }

  setObjectTags(
    bucket: string,
    key: string,
    tags: Array<[string, string]>,
    versionId?: string,
  ): Promise<void> {
    return this.#changeVersion(bucket, key, versionId, (record) => ({ ...record, tags }));
  }

  /** Saves `change(version)` over the current version (or the one named), then indexes it. */
  #changeVersion(
    bucket: string,
    key: string,
    versionId: string | undefined,
    change: (record: ObjectRecord) => ObjectRecord,
  ): Promise<void> {
    return this.#keyTurn(bucket, key, async (state) => {
      const list = state.versions.get(key);
      const at = versionId === undefined
        ? (list && !list[list.length - 1].deleteMarker ? list.length - 1 : -1)
        : this.#indexIn(state, key, versionId);
      if (at < 0 || list![at].deleteMarker) throw new S3Error("NoSuchKey", undefined, { key });
      const record = change(list![at]);
      await this.saveVersion(bucket, key, versionOf(record), record);
      list![at] = record;
      state.ids.set(idKey(key, versionOf(record)), record);
    });
  }

  async createUpload(record: UploadRecord): Promise<void> {
    await this.saveUpload(record.id, record);
    this.uploads.set(record.id, record);
  }

  getUpload(id: string): UploadRecord | undefined {
    return this.uploads.get(id);
  }

  putPart(id: string, part: PartRecord): Promise<void> {
    return this.#serial(`u\0${id}`, async () => {
      const upload = this.uploads.get(id);
      try {
        if (!upload) throw new S3Error("NoSuchUpload");
        const next = { ...upload, parts: { ...upload.parts, [part.number]: part } };
        await this.saveUpload(id, next);
        this.uploads.set(id, next);
      } catch (error) {
        await this.#free(part.segment.ref).catch(() => {});
        throw error;
      }
      const old = upload.parts[part.number];
      if (old) await this.#free(old.segment.ref);
    });
  }

  deleteUpload(id: string): Promise<void> {
    return this.#serial(`u\0${id}`, async () => {
      const upload = this.uploads.get(id);
      if (!upload) return;
      await this.saveUpload(id, null);
      this.uploads.delete(id);
      for (const part of Object.values(upload.parts)) await this.#free(part.segment.ref);
    });
  }

  completeUpload(id: string, record: ObjectRecord): Promise<ObjectRecord> {
    // In the upload's turn: a concurrent abort or completion waits, then finds no upload.
    return this.#serial(`u\0${id}`, async () => {
      const upload = this.uploads.get(id);
      if (!upload) throw new S3Error("NoSuchUpload");
      const current = new Set(Object.values(upload.parts).map((p) => p.segment.ref));
      // A part replaced since the caller chose it is no longer the part listed.
      if (!record.segments.every((s) => current.has(s.ref))) throw new S3Error("InvalidPart");
      // When the object cannot be saved, the upload stays as it was, parts and all: the client
      // may complete it again.
      const stored = await this.#keyTurn(
        upload.bucket,
        record.key,
        (state) => this.#addVersion(state, record),
      );
      this.uploads.delete(id);
      // Stored: the upload is over. A sidecar left behind names parts the object holds; the
      // next start recognises it and drops it (DiskStorage), so a failure here changes nothing.
      await this.saveUpload(id, null).catch(() => {});
      const kept = new Set(record.segments.map((s) => s.ref));
      for (const part of Object.values(upload.parts)) {
        if (!kept.has(part.segment.ref)) await this.#free(part.segment.ref);
      }
      return stored;
    });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
