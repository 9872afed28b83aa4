/**
 * Does a local file hold what an S3 object's ETag says? A single-PUT object's ETag is the MD5 of
 * its bytes; a multipart object's is the MD5 of its parts' MD5s followed by `-N` (N parts), which
 * only the part size can reproduce. Internal to `sync.ts` (and `_lean.ts`, for a batch delete's
 * MD5); imports nothing of the library.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";

const MiB = 1024 * 1024;
/** Part sizes tools use: 5 MiB (S3's least, rclone), 8 MiB (aws cli, boto3, this library), 15/16
 * MiB (s3cmd, larger defaults), and a few round larger ones. */
/** The most whole-MiB part sizes tried beyond the common ones. */
const MAX_RANGE = 8;
const COMMON_PART_SIZES = [5, 8, 15, 16, 32, 64, 100, 128, 256, 512].map((n) => n * MiB);

/**
 * The MD5 of some bytes, as hex.
 *
 * @param bytes The bytes.
 * @returns 32 hex digits.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { md5Hex } from "./_etag.ts";
 *
 * assert.equal(md5Hex(new Uint8Array()), "d41d8cd98f00b204e9800998ecf8427e");
 * ```
 */
export function md5Hex(bytes: Uint8Array): string {
  return createHash("md5").update(bytes).digest("hex");
}

/**
 * The part sizes that could have made a multipart ETag of `parts` parts for `size` bytes: the one
 * asked for, common tools' defaults, and every whole-MiB size that gives `parts` parts when there
 * are at most 8 of them (else the smallest), keeping those that give exactly `parts` parts.
 *
 * @param size The object's size.
 * @param parts The ETag's part count.
 * @param preferred The part size this library uploads with.
 * @returns Candidate part sizes, the preferred first.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { partSizeCandidates } from "./_etag.ts";
 *
 * const MiB = 1024 * 1024;
 * assert.deepEqual(partSizeCandidates(20 * MiB, 3, 8 * MiB), [8 * MiB, 7 * MiB, 9 * MiB]);
 * ```
 */
export function partSizeCandidates(size: number, parts: number, preferred: number): number[] {
  // Whole-MiB sizes giving exactly `parts` parts run from size/parts up to (size-1)/(parts-1);
  // all of them are tried when there are few (each costs a hash of the file).
  const least = Math.ceil(size / parts / MiB);
  const most = parts > 1 ? Math.floor((size - 1) / (parts - 1) / MiB) : least;
  const range = most - least < MAX_RANGE
    ? Array.from({ length: Math.max(0, most - least + 1) }, (_, i) => (least + i) * MiB)
    : [least * MiB];
  const all = [preferred, ...COMMON_PART_SIZES, ...range];
  return [...new Set(all)].filter((p) => p > 0 && Math.ceil(size / p) === parts);
}

/**
 * Tells whether a file's bytes match an object's ETag, reading the file once: its MD5 for a plain
 * ETag, or its parts' MD5s for a multipart one, for every part size that could have made it.
 *
 * @param path The file.
 * @param size Its size (the object's too: compare sizes first).
 * @param etag The object's ETag, quotes included or not.
 * @param partSize The part size this library uploads with.
 * @returns `true` or `false`; `undefined` when the ETag is not an MD5 of either form (objects
 *   encrypted with a customer key, some services), or no part size fits its part count.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { fileMatchesEtag } from "./_etag.ts";
 *
 * const path = await Deno.makeTempFile();
 * await Deno.writeTextFile(path, "Hello World!");
 * assert.equal(await fileMatchesEtag(path, 12, '"ed076287532e86365e841e92bfc50d8c"', 8 << 20), true);
 * await Deno.remove(path);
 * ```
 */
export async function fileMatchesEtag(
  path: string,
  size: number,
  etag: string,
  partSize: number,
): Promise<boolean | undefined> {
  const m = /^"?([0-9a-f]{32})(?:-(\d+))?"?$/i.exec(etag);
  if (!m) return undefined;
  const want = m[1].toLowerCase();
  const parts = m[2] === undefined ? 0 : Number(m[2]);
  const sizes = parts ? partSizeCandidates(size, parts, partSize) : [];
  if (parts && sizes.length === 0) return undefined;
  const whole = parts ? undefined : createHash("md5");
  // Per candidate part size: the current part's hash and the MD5s of the parts done.
  const split = sizes.map((p) => ({
    p,
    hash: createHash("md5"),
    inPart: 0,
    digests: [] as Buffer[],
  }));
  // Small files are read synchronously: Deno's async file operations cost more than the read.
  const small = size < MiB;
  const file = small ? Deno.openSync(path) : await Deno.open(path);
  try {
    const buffer = new Uint8Array(Math.min(Math.max(size, 1), MiB));
    let read = 0;
    while (true) {
      const n = small ? file.readSync(buffer) : await file.read(buffer);
      if (n === null) break;
      read += n;
      const chunk = buffer.subarray(0, n);
      whole?.update(chunk);
      for (const s of split) {
        let offset = 0;
        while (offset < n) {
          const take = Math.min(n - offset, s.p - s.inPart);
          s.hash.update(chunk.subarray(offset, offset + take));
          s.inPart += take;
          offset += take;
          if (s.inPart === s.p) {
            s.digests.push(s.hash.digest());
            s.hash = createHash("md5");
            s.inPart = 0;
          }
        }
      }
    }
    if (read !== size) return false; // changed since it was listed
    if (whole) return whole.digest("hex") === want;
    return split.some((s) => {
      if (s.inPart > 0) s.digests.push(s.hash.digest());
      return s.digests.length === parts &&
        createHash("md5").update(Buffer.concat(s.digests)).digest("hex") === want;
    });
  } finally {
    file.close();
  }
}
