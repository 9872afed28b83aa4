/**
 * The part of storage both engines share: an in-memory index of buckets, keys and uploads, and
 * the streaming write that measures length and MD5. Engines supply blob I/O and persistence.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { S3Error } from "../errors.ts";
import { compareKeys, SortedKeys } from "./sorted_keys.ts";
import type {
  Acl,
  BucketRecord,
  KeyIndex,
  ObjectRecord,
  PartRecord,
  Segment,
  Storage,
  UploadRecord,
  WriteBlobOptions,
  WrittenBlob,
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

/** A bucket's objects and keys in memory. */
export interface BucketState {
  /** The bucket. */
  record: BucketRecord;
  /** Objects by key. */
  objects: Map<string, ObjectRecord>;
  /** The same keys, sorted. */
  keys: SortedKeys;
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
  /** Streams a byte range of one blob (the blob is opened before this resolves). */
  protected abstract openBlob(
    ref: string,
    start: number,
    end: number,
  ): Promise<ReadableStream<Uint8Array>>;
  /** Frees one blob. */
  protected abstract removeBlob(ref: string): Promise<void>;
  /** Saves (or with `null`, forgets) a bucket's record. */
  protected abstract saveBucket(name: string, record: BucketRecord | null): Promise<void>;
  /** Saves (or with `null`, forgets) an object's record. */
  protected abstract saveObject(
    bucket: string,
    key: string,
    record: ObjectRecord | null,
  ): Promise<void>;
  /** Saves (or with `null`, forgets) an upload's record. */
  protected abstract saveUpload(id: string, record: UploadRecord | null): Promise<void>;

  /** Adds a loaded bucket to the index. */
  protected indexBucket(record: BucketRecord): BucketState {
    const state = { record, objects: new Map(), keys: new SortedKeys() };
    this.buckets.set(record.name, state);
    return state;
  }

  /** Adds a loaded object to the index. */
  protected indexObject(state: BucketState, record: ObjectRecord): void {
    state.objects.set(record.key, record);
    state.keys.insert(record.key);
  }

  #bucket(name: string): BucketState {
    const state = this.buckets.get(name);
    if (!state) throw new S3Error("NoSuchBucket", undefined, { bucketName: name });
    return state;
  }

  listBuckets(): BucketRecord[] {
    return [...this.buckets.values()].map((b) => b.record).sort((a, b) =>
      compareKeys(a.name, b.name)
    );
  }

  getBucket(name: string): BucketRecord | undefined {
    return this.buckets.get(name)?.record;
  }

  async createBucket(record: BucketRecord): Promise<void> {
    this.indexBucket(record);
    await this.saveBucket(record.name, record);
  }

  async deleteBucket(name: string): Promise<void> {
    this.buckets.delete(name);
    for (const upload of this.listUploads(name)) await this.deleteUpload(upload.id);
    await this.saveBucket(name, null);
  }

  async setBucketAcl(name: string, acl: Acl): Promise<void> {
    const state = this.#bucket(name);
    state.record = { ...state.record, acl };
    await this.saveBucket(name, state.record);
  }

  keys(bucket: string): KeyIndex {
    return this.#bucket(bucket).keys;
  }

  listUploads(bucket: string): UploadRecord[] {
    return [...this.uploads.values()].filter((u) => u.bucket === bucket).sort((a, b) =>
      compareKeys(a.key, b.key) || a.initiated.localeCompare(b.initiated) ||
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
    let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
    try {
      if (ranges.length > 0) {
        const first = ranges[0];
        reader = (await this.openBlob(first.ref, first.from, first.to)).getReader();
      }
    } catch (error) {
      release();
      throw error;
    }
    return new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        try {
          while (index < ranges.length) {
            if (!reader) {
              const range = ranges[index];
              reader = (await this.openBlob(range.ref, range.from, range.to)).getReader();
            }
            const { done, value } = await reader.read();
            if (!done) {
              controller.enqueue(value);
              return;
            }
            reader = undefined;
            index++;
          }
          release();
          controller.close();
        } catch (error) {
          release();
          controller.error(error);
        }
      },
      cancel: async (reason) => {
        release();
        await reader?.cancel(reason);
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
    return this.buckets.get(bucket)?.objects.get(key);
  }

  async putObject(bucket: string, record: ObjectRecord): Promise<void> {
    const state = this.buckets.get(bucket);
    if (!state) {
      await this.removeSegments(record.segments);
      throw new S3Error("NoSuchBucket", undefined, { bucketName: bucket });
    }
    const old = state.objects.get(record.key);
    this.indexObject(state, record);
    await this.saveObject(bucket, record.key, record);
    if (old) await this.removeSegments(old.segments);
  }

  async deleteObject(bucket: string, key: string): Promise<boolean> {
    const state = this.#bucket(bucket);
    const old = state.objects.get(key);
    if (!old) return false;
    state.objects.delete(key);
    state.keys.delete(key);
    await this.saveObject(bucket, key, null);
    await this.removeSegments(old.segments);
    return true;
  }

  async setObjectAcl(bucket: string, key: string, acl: Acl): Promise<void> {
    const state = this.#bucket(bucket);
    const old = state.objects.get(key);
    if (!old) throw new S3Error("NoSuchKey", undefined, { key });
    const record = { ...old, acl };
    state.objects.set(key, record);
    await this.saveObject(bucket, key, record);
  }

  async createUpload(record: UploadRecord): Promise<void> {
    this.uploads.set(record.id, record);
    await this.saveUpload(record.id, record);
  }

  getUpload(id: string): UploadRecord | undefined {
    return this.uploads.get(id);
  }

  async putPart(id: string, part: PartRecord): Promise<void> {
    const upload = this.uploads.get(id);
    if (!upload) {
      await this.#free(part.segment.ref);
      throw new S3Error("NoSuchUpload");
    }
    const old = upload.parts[part.number];
    upload.parts[part.number] = part;
    await this.saveUpload(id, upload);
    if (old) await this.#free(old.segment.ref);
  }

  async deleteUpload(id: string): Promise<void> {
    const upload = this.uploads.get(id);
    if (!upload) return;
    this.uploads.delete(id);
    await this.saveUpload(id, null);
    for (const part of Object.values(upload.parts)) await this.#free(part.segment.ref);
  }

  async completeUpload(id: string, record: ObjectRecord): Promise<void> {
    const upload = this.uploads.get(id);
    if (!upload) throw new S3Error("NoSuchUpload");
    const current = new Set(Object.values(upload.parts).map((p) => p.segment.ref));
    // A part replaced since the caller chose it is no longer the part listed.
    if (!record.segments.every((s) => current.has(s.ref))) throw new S3Error("InvalidPart");
    // Leave the index at once, so a concurrent abort cannot free the parts the object takes.
    this.uploads.delete(id);
    const kept = new Set(record.segments.map((s) => s.ref));
    try {
      await this.putObject(upload.bucket, record);
    } catch (error) {
      for (const part of Object.values(upload.parts)) {
        if (!kept.has(part.segment.ref)) await this.#free(part.segment.ref);
      }
      await this.saveUpload(id, null);
      throw error;
    }
    await this.saveUpload(id, null);
    for (const part of Object.values(upload.parts)) {
      if (!kept.has(part.segment.ref)) await this.#free(part.segment.ref);
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
