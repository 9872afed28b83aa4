/**
 * The command-line pieces shared by the commands that move data between this machine and a
 * bucket (`cp`, `sync`): the `s3://` URLs, the two ends (one local, one in S3) and a real service
 * to connect to, each mistake as one {@linkcode UsageError}.
 *
 * @module
 */

import type { ConnectOptions } from "../lib/connect_options.ts";
import { type ConnectionFlagValues, connectOptionsFrom } from "./flags.ts";
import { UsageError } from "./usage.ts";

/** An S3 location. */
export interface S3Location {
  /** Bucket name. */
  bucket: string;
  /** Object key; empty when the URL names only the bucket. */
  key: string;
}

/**
 * Reads an `s3://bucket/key` URL.
 *
 * @param text The argument.
 * @returns The bucket and key, or `undefined` when it is not an `s3://` URL (a local path).
 * @throws {TypeError} When it starts with `s3://` but names no bucket.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseS3Url } from "./transfer_args.ts";
 *
 * assert.deepEqual(parseS3Url("s3://photos/2026/cloud.png"), { bucket: "photos", key: "2026/cloud.png" });
 * assert.equal(parseS3Url("./cloud.png"), undefined);
 * ```
 */
export function parseS3Url(text: string): S3Location | undefined {
  if (!/^s3:\/\//i.test(text)) return undefined;
  const rest = text.slice(5);
  const slash = rest.indexOf("/");
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  const key = slash === -1 ? "" : rest.slice(slash + 1);
  if (bucket === "") {
    throw new TypeError(`Invalid S3 URL "${text}": it names no bucket; use s3://BUCKET/KEY`);
  }
  return { bucket, key };
}

/** The two ends of a transfer: one local path, one S3 location. */
export interface TransferEnds {
  /** True when the local side is the source (an upload). */
  upload: boolean;
  /** The local file or folder. */
  local: string;
  /** The S3 side. */
  remote: S3Location;
  /** Where to connect: a real service (an embedded server would vanish with the command). */
  connect: ConnectOptions;
}

/** How a command names what it does, for its messages. */
export interface TransferWords {
  /** The command, as in `deno task <command>`, e.g. `"cp"`. */
  command: string;
  /** The verb, e.g. `"copy"`. */
  verb: string;
  /** The local side, e.g. `"a local file"`. */
  local: string;
  /** The URL's shape, e.g. `"s3://BUCKET/KEY"`. */
  url: string;
}

/**
 * Reads SRC and DEST and the connection flags of a transfer command.
 *
 * @param words How the command names things in its messages.
 * @param values The parsed connection flags.
 * @param positionals The positional arguments (SRC and DEST).
 * @returns The two ends and where to connect.
 * @throws {UsageError} For anything but one local path and one `s3://` URL on a real service.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { transferEnds } from "./transfer_args.ts";
 *
 * const words = { command: "cp", verb: "copy", local: "a local file", url: "s3://BUCKET/KEY" };
 * const ends = transferEnds(words, { endpoint: "http://127.0.0.1:9000" }, ["a.txt", "s3://b1/a"]);
 * assert.deepEqual([ends.upload, ends.local, ends.remote], [true, "a.txt", { bucket: "b1", key: "a" }]);
 * assert.throws(() => transferEnds(words, {}, ["a.txt", "s3://b1/a"]), /No S3 service given/);
 * ```
 */
export function transferEnds(
  words: TransferWords,
  values: ConnectionFlagValues,
  positionals: string[],
): TransferEnds {
  const { command, verb } = words;
  if (positionals.length !== 2) {
    throw new UsageError(command, `Expected SRC and DEST, got ${positionals.length} argument(s)`);
  }
  let connect: ConnectOptions;
  try {
    connect = connectOptionsFrom(values);
  } catch (error) {
    throw new UsageError(command, (error as Error).message);
  }
  if (!connect.endpoint && !connect.dreamobjects && !connect.cluster && !connect.aws) {
    throw new UsageError(
      command,
      "No S3 service given: pass --endpoint URL, --dreamobjects or --use-s3 " +
        "(an embedded server would vanish with the command)",
    );
  }
  const [source, dest] = positionals;
  let from: S3Location | undefined;
  let to: S3Location | undefined;
  try {
    from = parseS3Url(source);
    to = parseS3Url(dest);
  } catch (error) {
    throw new UsageError(command, (error as Error).message);
  }
  if (from && to) {
    throw new UsageError(
      command,
      `Cannot ${verb} from S3 to S3: one of SRC and DEST must be ${words.local}`,
    );
  }
  if (!from && !to) {
    throw new UsageError(
      command,
      `Cannot ${verb} "${source}" to "${dest}": one of them must be an ${words.url} URL`,
    );
  }
  return { upload: to !== undefined, local: to ? source : dest, remote: to ?? from!, connect };
}

/**
 * Reads a whole-number flag.
 *
 * @param command The command, for the hint to its `--help`.
 * @param name The flag, without `--`.
 * @param text Its value, if given.
 * @param min The smallest value allowed.
 * @returns The number, or `undefined` when the flag was not given.
 * @throws {UsageError} When it is not a whole number of at least `min`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { wholeNumber } from "./transfer_args.ts";
 *
 * assert.equal(wholeNumber("sync", "concurrency", "8", 1), 8);
 * assert.throws(() => wholeNumber("sync", "concurrency", "0", 1), /at least 1/);
 * ```
 */
export function wholeNumber(
  command: string,
  name: string,
  text: string | undefined,
  min: number,
): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) {
    throw new UsageError(
      command,
      `Invalid --${name} "${text}": use a whole number of at least ${min}`,
    );
  }
  return n;
}
