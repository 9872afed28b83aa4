/**
 * The size of a file about to be uploaded, or a one-line error that says why it cannot be, and the
 * size from which an upload goes in parts: a leaf shared by `putFile()`, `syncUp()` and `deno task
 * cp`'s upload without the SDK (not exported by `mod.ts`).
 *
 * @module
 */

/** Files at least this large are uploaded in parts unless `multipartThreshold` says otherwise. */
export const DEFAULT_MULTIPART_THRESHOLD = 16 * 1024 * 1024;

/**
 * The size of a regular file, for an upload as `key`.
 *
 * @param path The file.
 * @param key The key it is uploaded as, for the message.
 * @returns Its size in bytes.
 * @throws {Deno.errors.NotFound} When it does not exist or cannot be read.
 * @throws {Deno.errors.IsADirectory} When it is not a regular file.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { fileSize } from "./file_size.ts";
 *
 * assert.ok(await fileSize("deno.json", "deno.json") > 0);
 * await assert.rejects(fileSize("nope.bin", "k"), /does not exist/);
 * ```
 */
export async function fileSize(path: string | URL, key: string): Promise<number> {
  let info;
  try {
    info = await Deno.stat(path);
  } catch (error) {
    const why = error instanceof Deno.errors.NotFound
      ? "the file does not exist; check the path"
      : error instanceof Deno.errors.PermissionDenied
      ? "the file cannot be read (permission denied)"
      : (error as Error).message;
    throw new Deno.errors.NotFound(`Cannot upload "${path}" as "${key}": ${why}`, {
      cause: error,
    });
  }
  if (!info.isFile) {
    throw new Deno.errors.IsADirectory(
      `Cannot upload "${path}" as "${key}": it is not a regular file; give a file path`,
    );
  }
  return info.size;
}
