/**
 * On-disk storage (`--data DIR`): a body is written to a new blob under a random id and flushed to
 * disk; only then does a JSON sidecar (written to a temporary file, flushed and renamed into
 * place, its directory flushed) make it part of an object, and only after that does the index
 * see it, so a crash never leaves a torn object and a refused write (a full disk: 503
 * `ServiceUnavailable`, see {@linkcode outOfSpace}) changes nothing. A restart reloads every
 * bucket, object, ACL and upload, and sweeps what a crash left: temporary files, blobs no sidecar
 * references, versions and uploads of deleted buckets, records of uploads already completed. No
 * key or name is ever joined into a path: bucket names are hex-encoded, keys are hashed (SHA-256),
 * blobs get random ids, so nothing a client sends can escape DIR.
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
import { S3Error } from "../errors.ts";
import { type BlobReader, type BlobWriter, IndexedStorage } from "./indexed.ts";
import { type BucketRecord, NULL_VERSION, type ObjectRecord, type UploadRecord } from "./types.ts";

const BLOB_REF = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Version ids the storage makes (base64url): safe in a file name. */
const VERSION_ID = /^[A-Za-z0-9_-]{1,64}$/;

function hex(text: string): string {
  return Buffer.from(text).toString("hex");
}

/** What a full file system (or a user's disk quota) makes a write fail with. */
const OUT_OF_SPACE = new Set(["ENOSPC", "EDQUOT"]);

/**
 * The answer to a write the file system refused for want of space: 503 `ServiceUnavailable`, a
 * code RGW's table has, which clients retry (space may be freed). Ceph RGW 16 maps no S3 code to
 * ENOSPC (`rgw_http_s3_errors`: it would answer 500 `UnknownError`), and on a full OSD librados
 * holds its writes until space is freed. The message names no path: clients may be remote.
 * Other errors are returned as they are.
 *
 * @param error What the write threw.
 * @returns The error to throw.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { outOfSpace } from "./disk.ts";
 * const full = Object.assign(new Error("No space left on device"), { code: "ENOSPC" });
 * assert.equal((outOfSpace(full) as { status: number }).status, 503);
 * ```
 */
export function outOfSpace(error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== "string" || !OUT_OF_SPACE.has(code)) return error;
  return new S3Error(
    "ServiceUnavailable",
    `The server is out of disk space (${code}): nothing was stored or changed; free space on ` +
      `its --data disk, then retry`,
  );
}

async function writeAll(file: Deno.FsFile, chunk: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < chunk.byteLength) offset += await file.write(chunk.subarray(offset));
}

/** Flushes a directory, so that a rename into it survives a power cut. */
async function syncDir(dir: string): Promise<void> {
  const handle = await Deno.open(dir, { read: true });
  try {
    await handle.sync();
  } finally {
    handle.close();
  }
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
 * ```ts
 * import assert from "node:assert/strict";
 * import { cannedAcl } from "../acl.ts";
 * import { DiskStorage } from "./disk.ts";
 *
 * const dir = await Deno.makeTempDir();
 * const storage = await DiskStorage.open(dir);
 * await storage.createBucket({
 *   name: "photos",
 *   created: new Date().toISOString(),
 *   acl: cannedAcl("private", "demo"),
 * });
 * await storage.close();
 * const reopened = await DiskStorage.open(dir); // a restart
 * assert.deepEqual(reopened.listBuckets().map((b) => b.name), ["photos"]);
 * await reopened.close();
 * await Deno.remove(dir, { recursive: true });
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
    // Half-written sidecars of a crash (or of a write the disk refused) are never read.
    await Deno.remove(`${dir}/tmp`, { recursive: true }).catch(() => {});
    await Deno.mkdir(`${dir}/tmp`, { recursive: true });
    const held = new Set<string>(); // blobs some version holds
    const loaded = new Set<string>();
    for (const record of await readJsonDir<BucketRecord>(`${dir}/buckets`)) {
      const state = this.indexBucket(record);
      loaded.add(hex(record.name));
      for (const object of await readJsonDir<ObjectRecord>(`${dir}/objects/${hex(record.name)}`)) {
        this.indexVersion(state, object);
        for (const segment of object.segments) held.add(segment.ref);
      }
    }
    // Versions of a bucket whose record is gone (a crash while deleting it) would come back
    // with a new bucket of that name.
    for await (const entry of Deno.readDir(`${dir}/objects`)) {
      if (!loaded.has(entry.name)) {
        await Deno.remove(`${dir}/objects/${entry.name}`, { recursive: true });
      }
    }
    const referenced = new Set(held);
    for (const upload of await readJsonDir<UploadRecord>(`${dir}/uploads`)) {
      const parts = Object.values(upload.parts);
      // An upload of a deleted bucket, or one completed before a crash removed its record (a
      // version holds its parts), is over.
      if (!this.buckets.has(upload.bucket) || parts.some((p) => held.has(p.segment.ref))) {
        await Deno.remove(`${dir}/uploads/${hex(upload.id)}.json`);
        continue;
      }
      this.uploads.set(upload.id, upload);
      for (const part of parts) referenced.add(part.segment.ref);
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
      write: (chunk) => writeAll(file, chunk).catch((error) => Promise.reject(outOfSpace(error))),
      finish: async () => {
        try {
          await file.sync();
        } catch (error) {
          throw outOfSpace(error);
        }
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

  /**
   * Writes (or removes) a JSON file atomically, one write at a time per path: a temporary file,
   * flushed, renamed into place, its directory flushed. A failed write removes its temporary
   * file at once.
   */
  #save(path: string, value: unknown | null, makeDir?: string): Promise<void> {
    const previous = this.#queues.get(path) ?? Promise.resolve();
    const next = previous.catch(() => {}).then(async () => {
      if (value === null) {
        await Deno.remove(path).catch((error) => {
          if (!(error instanceof Deno.errors.NotFound)) throw error;
        });
        return;
      }
      const temp = `${this.#dir}/tmp/${crypto.randomUUID()}.json`;
      try {
        if (makeDir) await Deno.mkdir(makeDir, { recursive: true });
        const file = await Deno.open(temp, { write: true, createNew: true });
        try {
          await writeAll(file, new TextEncoder().encode(JSON.stringify(value)));
          await file.sync();
        } finally {
          file.close();
        }
        await Deno.rename(temp, path);
        await syncDir(path.slice(0, path.lastIndexOf("/")));
      } catch (error) {
        await Deno.remove(temp).catch(() => {});
        throw outOfSpace(error);
      }
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
