/**
 * On-disk storage (`--data DIR`): a body is written to a new blob under a random id and flushed to
 * disk; only then does a JSON sidecar (written to a temporary file, flushed and renamed into
 * place) make it part of an object, so a crash never leaves a torn object, and blobs no sidecar
 * references are freed at the next start. A restart reloads every bucket, object, ACL and upload. No key or name is ever joined into a path: bucket names are hex-encoded, keys are
 * hashed (SHA-256), blobs get random ids, so nothing a client sends can escape DIR.
 *
 * Layout: `DIR/buckets/<hex name>.json`, `DIR/objects/<hex bucket>/<sha256 key>.json` (the `null`
 * version of a key: the only one in an unversioned bucket), `DIR/objects/<hex bucket>/<sha256
 * key>~<version id>.json` (other versions and delete markers; each record holds its `seq`, which
 * orders the versions of a key again at start), `DIR/uploads/<hex id>.json`, `DIR/blobs/<uuid>`,
 * `DIR/tmp/`. Every version is its own sidecar, so adding, replacing or removing one is one atomic
 * rename or unlink.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { sha256Hex } from "../../core/crypto.ts";
import { type BlobReader, type BlobWriter, IndexedStorage } from "./indexed.ts";
import { type BucketRecord, NULL_VERSION, type ObjectRecord, type UploadRecord } from "./types.ts";

const BLOB_REF = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Version ids the storage makes (base64url): safe in a file name. */
const VERSION_ID = /^[A-Za-z0-9_-]{1,64}$/;

function hex(text: string): string {
  return Buffer.from(text).toString("hex");
}

async function writeAll(file: Deno.FsFile, chunk: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < chunk.byteLength) offset += await file.write(chunk.subarray(offset));
}

async function readJsonDir<T>(dir: string): Promise<T[]> {
  const out: T[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (entry.isFile && entry.name.endsWith(".json")) {
        out.push(JSON.parse(await Deno.readTextFile(`${dir}/${entry.name}`)) as T);
      }
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return out;
}

/**
 * Storage in a directory that survives restarts.
 *
 * @example Usage
 * ```ts ignore
 * import { DiskStorage } from "./disk.ts";
 * const storage = await DiskStorage.open("./s3-data");
 * console.log(storage.listBuckets().map((b) => b.name));
 * ```
 */
export class DiskStorage extends IndexedStorage {
  readonly #dir: string;
  #queues = new Map<string, Promise<void>>();

  private constructor(dir: string) {
    super();
    this.#dir = dir;
  }

  /**
   * Opens (creating if needed) a data directory and loads its index.
   *
   * @param dir The directory.
   * @returns The storage.
   */
  static async open(dir: string): Promise<DiskStorage> {
    const storage = new DiskStorage(dir.replace(/\/+$/, "") || "/");
    await storage.#load();
    return storage;
  }

  async #load(): Promise<void> {
    const dir = this.#dir;
    for (const sub of ["buckets", "objects", "uploads", "blobs"]) {
      await Deno.mkdir(`${dir}/${sub}`, { recursive: true });
    }
    await Deno.remove(`${dir}/tmp`, { recursive: true }).catch(() => {});
    await Deno.mkdir(`${dir}/tmp`, { recursive: true });
    const referenced = new Set<string>();
    for (const record of await readJsonDir<BucketRecord>(`${dir}/buckets`)) {
      const state = this.indexBucket(record);
      for (const object of await readJsonDir<ObjectRecord>(`${dir}/objects/${hex(record.name)}`)) {
        this.indexVersion(state, object);
        for (const segment of object.segments) referenced.add(segment.ref);
      }
    }
    for (const upload of await readJsonDir<UploadRecord>(`${dir}/uploads`)) {
      if (!this.buckets.has(upload.bucket)) continue;
      this.uploads.set(upload.id, upload);
      for (const part of Object.values(upload.parts)) referenced.add(part.segment.ref);
    }
    // Blobs a crash left behind (written but never referenced) are freed.
    for await (const entry of Deno.readDir(`${dir}/blobs`)) {
      if (!referenced.has(entry.name)) await Deno.remove(`${dir}/blobs/${entry.name}`);
    }
  }

  #blobPath(ref: string): string {
    if (!BLOB_REF.test(ref)) throw new Error(`Cannot use blob reference "${ref}": malformed`);
    return `${this.#dir}/blobs/${ref}`;
  }

  protected async blobWriter(): Promise<BlobWriter> {
    // Straight to its final name: no sidecar points at it until finish(), and an unreferenced
    // blob is freed at start-up, so a rename would only cost time.
    const ref = crypto.randomUUID();
    const path = this.#blobPath(ref);
    const file = await Deno.open(path, { write: true, createNew: true });
    let closed = false;
    const closeFile = () => {
      if (!closed) file.close();
      closed = true;
    };
    return {
      write: (chunk) => writeAll(file, chunk),
      finish: async () => {
        await file.sync();
        closeFile();
        return ref;
      },
      abort: async () => {
        closeFile();
        await Deno.remove(path).catch(() => {});
      },
    };
  }

  protected async openBlob(ref: string, start: number, end: number): Promise<BlobReader> {
    const file = await Deno.open(this.#blobPath(ref), { read: true });
    let closed = false;
    const close = () => {
      if (!closed) file.close();
      closed = true;
    };
    try {
      if (start > 0) await file.seek(start, Deno.SeekMode.Start);
    } catch (error) {
      close();
      throw error;
    }
    let remaining = end - start + 1;
    return {
      read: async (into) => {
        if (remaining <= 0) return null;
        const n = await file.read(into.length > remaining ? into.subarray(0, remaining) : into);
        if (n === null) throw new Error(`Cannot read blob "${ref}": it ended early`);
        remaining -= n;
        return n;
      },
      close,
    };
  }

  protected async removeBlob(ref: string): Promise<void> {
    await Deno.remove(this.#blobPath(ref)).catch((error) => {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    });
  }

  /** Writes (or removes) a JSON file atomically, one write at a time per path. */
  #save(path: string, value: unknown | null, makeDir?: string): Promise<void> {
    const previous = this.#queues.get(path) ?? Promise.resolve();
    const next = previous.catch(() => {}).then(async () => {
      if (value === null) {
        await Deno.remove(path).catch((error) => {
          if (!(error instanceof Deno.errors.NotFound)) throw error;
        });
        return;
      }
      if (makeDir) await Deno.mkdir(makeDir, { recursive: true });
      const temp = `${this.#dir}/tmp/${crypto.randomUUID()}.json`;
      const file = await Deno.open(temp, { write: true, createNew: true });
      try {
        await writeAll(file, new TextEncoder().encode(JSON.stringify(value)));
        await file.sync();
      } finally {
        file.close();
      }
      await Deno.rename(temp, path);
    });
    this.#queues.set(path, next);
    next.finally(() => {
      if (this.#queues.get(path) === next) this.#queues.delete(path);
    }).catch(() => {});
    return next;
  }

  protected async saveBucket(name: string, record: BucketRecord | null): Promise<void> {
    await this.#save(`${this.#dir}/buckets/${hex(name)}.json`, record);
    if (record === null) {
      await Deno.remove(`${this.#dir}/objects/${hex(name)}`, { recursive: true }).catch(() => {});
    }
  }

  protected saveVersion(
    bucket: string,
    key: string,
    versionId: string,
    record: ObjectRecord | null,
  ): Promise<void> {
    const dir = `${this.#dir}/objects/${hex(bucket)}`;
    if (versionId === NULL_VERSION) return this.#save(`${dir}/${sha256Hex(key)}.json`, record, dir);
    if (!VERSION_ID.test(versionId)) {
      throw new Error(`Cannot save version "${versionId}": not an id this storage made`);
    }
    return this.#save(`${dir}/${sha256Hex(key)}~${versionId}.json`, record, dir);
  }

  protected saveUpload(id: string, record: UploadRecord | null): Promise<void> {
    return this.#save(`${this.#dir}/uploads/${hex(id)}.json`, record);
  }

  /** Waits for pending metadata writes. */
  override async close(): Promise<void> {
    await Promise.allSettled([...this.#queues.values()]);
  }
}
