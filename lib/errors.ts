/**
 * One error class for failed S3 requests, {@linkcode S3RequestError}, and the translation of the
 * SDK's errors into it, with messages that say what happened and what to do.
 *
 * @module
 */

import { statusText } from "./status_text.ts";
import { type ClusterFacts, CLUSTERS } from "./clusters.ts";

/** What a lib call was doing, to name it in an error message. */
export interface CallContext {
  /** What could not be done, e.g. `delete bucket "demo-x"`. */
  action: string;
  /** The bucket the request named. */
  bucket?: string;
  /** The key the request named. */
  key?: string;
  /** What the service is like, when known (a connection notes it on its failures). */
  cluster?: ClusterFacts;
}

const CLUSTER_OF = new WeakMap<object, ClusterFacts>();

/**
 * Notes which service a failed request went to, so {@linkcode toS3RequestError} can explain the
 * failure for that service. `connect()` does this for every request of a connection.
 *
 * @param error What the SDK threw.
 * @param cluster The connection's facts.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { noteCluster, toS3RequestError } from "./errors.ts";
 * import { US_EAST_5 } from "./clusters.ts";
 *
 * const sdkError = Object.assign(new Error("InvalidAccessKeyId"), {
 *   name: "InvalidAccessKeyId",
 *   $metadata: { httpStatusCode: 403 },
 * });
 * noteCluster(sdkError, US_EAST_5);
 * const error = toS3RequestError(sdkError, { action: "list buckets" }) as Error;
 * assert.match(error.message, /US-East 1/);
 * ```
 */
export function noteCluster(error: unknown, cluster: ClusterFacts): void {
  if (error && typeof error === "object" && !CLUSTER_OF.has(error)) CLUSTER_OF.set(error, cluster);
}

/** The fields of an {@linkcode S3RequestError}. */
export interface S3RequestErrorFields {
  /** HTTP status, `0` when the server gave no response. */
  status: number;
  /** S3 error code, e.g. `BucketNotEmpty`, or `NetworkError` without a response. */
  code: string;
  /** The bucket the request named. */
  bucket?: string;
  /** The key the request named. */
  key?: string;
  /** The server's request id, for support tickets and logs. */
  requestId?: string;
  /** The underlying error. */
  cause?: unknown;
}

/**
 * A failed S3 request: carries the HTTP status, the S3 error code, the bucket and key, and the
 * request id. Its message says what failed, why, and what to do.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { S3RequestError } from "./errors.ts";
 *
 * const error = new S3RequestError("Cannot delete bucket \"b\"", { status: 409, code: "BucketNotEmpty" });
 * assert.equal(error.code, "BucketNotEmpty");
 * ```
 */
export class S3RequestError extends Error {
  /** HTTP status, `0` when the server gave no response. */
  readonly status: number;
  /** S3 error code, e.g. `NoSuchBucket`. */
  readonly code: string;
  /** The bucket the request named. */
  readonly bucket?: string;
  /** The key the request named. */
  readonly key?: string;
  /** The server's request id. */
  readonly requestId?: string;

  /**
   * Builds an error.
   *
   * @param message The full message.
   * @param fields Status, code and context.
   */
  constructor(message: string, fields: S3RequestErrorFields) {
    // One line, whatever the key holds: control characters (a key's CR or LF) written escaped.
    // deno-lint-ignore no-control-regex
    const oneLine = message.replace(/[\u0000-\u001f]/g, (c) => JSON.stringify(c).slice(1, -1));
    super(oneLine, { cause: fields.cause });
    this.name = "S3RequestError";
    this.status = fields.status;
    this.code = fields.code;
    this.bucket = fields.bucket;
    this.key = fields.key;
    this.requestId = fields.requestId;
  }
}

/** Why each common S3 error happens and what to do about it. */
const EXPLAIN: Record<string, (c: CallContext) => string> = {
  AccessDenied: () =>
    "the server refused access; the object or bucket is private to its owner (check the ACL, " +
    "the keys, or that a presigned link has not expired)",
  BucketAlreadyExists: (c) =>
    `the name "${c.bucket}" is taken by another account; bucket names are global, choose another`,
  BucketAlreadyOwnedByYou: (c) =>
    `you already own a bucket named "${c.bucket}"; use it or choose another name`,
  BucketNotEmpty: (c) =>
    `bucket "${c.bucket}" still holds objects; delete them first (deleteObject() or ` +
    "emptyBucket()), then delete the bucket",
  AccessControlListNotSupported: (c) =>
    c.cluster && !c.cluster.objectAcls
      ? `objects have no ACL of their own on ${c.cluster.name}: they inherit their bucket's ` +
        "permission; set the bucket's ACL instead (setBucketAcl())"
      : "the bucket does not allow ACLs; share the object with a presigned link (presignGet()) " +
        "or check the bucket's settings",
  InvalidAccessKeyId: (c) => {
    const other = c.cluster?.otherCluster && CLUSTERS[c.cluster.otherCluster];
    return "the server does not know this access key; check --access-key or AWS_ACCESS_KEY_ID" +
      (other
        ? `; keys may belong to the other DreamObjects cluster (keys of ${other.name} do not ` +
          `work on ${c.cluster!.name}): your DreamHost panel shows yours, then pass ` +
          `--cluster ${other.id} (cluster: "${other.id}") if it is ${other.name}`
        : "");
  },
  InvalidBucketName: (c) => {
    const rules = c.cluster?.bucketNames;
    if (!rules || c.cluster!.id === "rgw") {
      return `"${c.bucket}" is not a valid bucket name; use 3 to 63 lower-case letters, ` +
        'digits, "-" and "."';
    }
    return `"${c.bucket}" is not a valid bucket name on ${rules.where}; use ${rules.minLength} ` +
      `to ${rules.maxLength} lower-case letters, digits, "-"${rules.dots ? ' and "."' : ""}` +
      (rules.reservedPrefixes.length ? `, not starting with "${rules.reservedPrefixes[0]}"` : "");
  },
  NoSuchBucket: (c) =>
    `bucket "${c.bucket}" does not exist; check the name or create it with createBucket()`,
  NoSuchKey: (c) =>
    `there is no object "${c.key}" in bucket "${c.bucket}"; check the key or list the bucket`,
  NoSuchUpload: () => "the multipart upload was aborted or completed already; start it again",
  NotImplemented: () => "the server does not support this operation",
  PreconditionFailed: (c) =>
    `the write's condition did not hold for "${c.key}": with ifNoneMatch "*" an object of that ` +
    "key exists already (nothing was replaced); with ifMatch its ETag changed since you read " +
    "it (someone else wrote it): read it again, then retry with the new ETag",
  BadDigest: () =>
    "the bytes the server received do not match the checksum (or Content-MD5) sent with them: " +
    "they changed on the way and nothing was stored; send them again",
  RequestTimeTooSkewed: () => "this machine's clock is more than 15 minutes off; set the clock",
  SignatureDoesNotMatch: () =>
    "the signature does not match; check that the secret key belongs to the access key " +
    "(--secret-key or AWS_SECRET_ACCESS_KEY)",
  SlowDown: () => "the server asks to slow down; retry later",
  InternalError: () => "the server failed; retry later",
};

const STATUS_CODES_BY_STATUS: Record<number, (c: CallContext) => string> = {
  301: () => "PermanentRedirect",
  304: () => "NotModified",
  400: () => "BadRequest",
  403: () => "AccessDenied",
  404: (c) => c.key === undefined ? "NoSuchBucket" : "NoSuchKey",
  409: () => "Conflict",
  412: () => "PreconditionFailed",
  500: () => "InternalError",
  501: () => "NotImplemented",
  503: () => "SlowDown",
};

const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: "nothing listens there (connection refused); check the endpoint and that the " +
    "server runs",
  ENOTFOUND: "the host name does not resolve; check the endpoint URL",
  EAI_AGAIN: "the host name does not resolve right now; check the network and the endpoint URL",
  ETIMEDOUT: "the connection timed out; check the endpoint and the network",
  ECONNRESET: "the server closed the connection; retry, or check the endpoint",
  EPIPE: "the connection broke while sending; retry, or check the endpoint and the network",
  TimeoutError: "the request timed out; check the endpoint and the network",
};

/**
 * Builds the message for an S3 error: `Cannot <action>: <status> <code>: <why and what to do>`.
 *
 * @param context What was being done.
 * @param status HTTP status.
 * @param code S3 error code.
 * @param serverMessage The server's own message, used when the code is not one we explain.
 * @returns The message.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { explain } from "./errors.ts";
 *
 * assert.equal(
 *   explain({ action: 'delete bucket "b"', bucket: "b" }, 409, "BucketNotEmpty"),
 *   'Cannot delete bucket "b": 409 Conflict BucketNotEmpty: bucket "b" still holds objects; ' +
 *     "delete them first (deleteObject() or emptyBucket()), then delete the bucket",
 * );
 * ```
 */
export function explain(
  context: CallContext,
  status: number,
  code: string,
  serverMessage?: string,
): string {
  const why = EXPLAIN[code]?.(context) ?? (serverMessage || "the server refused the request");
  return `Cannot ${context.action}: ${statusText(status)} ${code}: ${why}`;
}

/**
 * Turns whatever the SDK threw into an {@linkcode S3RequestError}. Errors the SDK could not
 * model (HEAD responses have no body; it calls them `UnknownError`) get their code from the
 * HTTP status. Errors that are not about a request (a `TypeError` from bad input) pass through.
 *
 * @param error What the SDK threw.
 * @param context What the call was doing.
 * @returns The typed error, or `error` itself when it is not a request failure.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { toS3RequestError } from "./errors.ts";
 *
 * const sdkError = Object.assign(new Error("UnknownError"), {
 *   name: "UnknownError",
 *   $metadata: { httpStatusCode: 404 },
 * });
 * const error = toS3RequestError(sdkError, { action: 'read "b/k"', bucket: "b", key: "k" });
 * assert.ok((error as Error).message.startsWith("Cannot read"));
 * ```
 */
export function toS3RequestError(error: unknown, context: CallContext): unknown {
  if (error instanceof S3RequestError) return error;
  // deno-lint-ignore no-explicit-any
  const e = error as any;
  if (!e || typeof e !== "object") return error;
  const status = Number(e.$metadata?.httpStatusCode ?? e.$response?.statusCode ?? 0);
  const requestId = e.$metadata?.requestId ?? e.RequestId;
  const fields = { bucket: context.bucket, key: context.key, requestId, cause: error };
  if (!context.cluster && CLUSTER_OF.has(e)) context = { ...context, cluster: CLUSTER_OF.get(e) };
  if (status === 0) {
    const errno = [e.code, e.cause?.code, /\b(E[A-Z]{3,})\b/.exec(String(e.message))?.[1], e.name]
      .find((c) => typeof c === "string" && NETWORK_CODES[c]);
    if (errno || e.$metadata) {
      const why = errno
        ? NETWORK_CODES[errno]
        : `the connection failed (${e.name}: ${e.message}); check the endpoint and the network`;
      return new S3RequestError(`Cannot ${context.action}: ${why}`, {
        ...fields,
        status: 0,
        code: "NetworkError",
      });
    }
    return error;
  }
  let code: string = e.Code ?? e.name ?? "UnknownError";
  // Names the SDK gives errors it could not read a code for (bodiless HEAD answers...).
  const unnamed = ["UnknownError", "Unknown", "Error", "NotFound"];
  if (unnamed.includes(code) || !/^[A-Z]/.test(code)) {
    code = STATUS_CODES_BY_STATUS[status]?.(context) ?? "UnknownError";
  }
  const serverMessage = typeof e.message === "string" && e.message !== code &&
      !unnamed.includes(e.message)
    ? e.message
    : undefined;
  return new S3RequestError(explain(context, status, code, serverMessage), {
    ...fields,
    status,
    code,
  });
}

/**
 * Runs an SDK call and rethrows its failure as an {@linkcode S3RequestError}.
 *
 * @param context What the call does, for the message.
 * @param call The call.
 * @returns What the call returns.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { HeadBucketCommand } from "@aws-sdk/client-s3";
 * import { connect, S3RequestError } from "./mod.ts";
 * import { request } from "./errors.ts";
 *
 * await using s3 = await connect();
 * await assert.rejects(
 *   request({ action: 'check bucket "nope-nope"', bucket: "nope-nope" }, () =>
 *     s3.client.send(new HeadBucketCommand({ Bucket: "nope-nope" }))),
 *   (error) => error instanceof S3RequestError && error.status === 404,
 * );
 * ```
 */
export async function request<T>(context: CallContext, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toS3RequestError(error, context);
  }
}
