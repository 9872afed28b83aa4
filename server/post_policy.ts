/**
 * The POST policy of a browser form upload, checked as Ceph RGW 16 checks it (`rgw_policy_s3.cc`,
 * `RGWPostObj_ObjStore_S3::get_policy`): who signed it (Signature V4 `x-amz-*` fields, or V2
 * `AWSAccessKeyId` + `signature`), that it is base64 JSON and not expired, that every condition
 * holds, and that every field sent is covered by a condition (an added field is refused).
 * Errors carry RGW's codes and, where RGW has them, its messages.
 *
 * @module
 */

import { signaturesEqual, signingKey, signV2, signV4 } from "../core/crypto.ts";
import { S3Error } from "./errors.ts";
import type { ServerUser } from "./types.ts";

/** A checked policy: who signed it and the length range it allows. */
export interface CheckedPolicy {
  /** The user whose key signed the policy. */
  user: ServerUser;
  /** `content-length-range`, when the policy has one. */
  lengthRange?: [number, number];
}

/** Fields no condition needs to cover (the signature itself, the file, `x-ignore-*`). */
function exempt(name: string): boolean {
  const lower = name.toLowerCase();
  return ["policy", "signature", "x-amz-signature", "awsaccesskeyid", "file"].includes(lower) ||
    lower.startsWith("x-ignore-");
}

function field(fields: Map<string, string>, name: string): string | undefined {
  return fields.get(name.toLowerCase());
}

function signer(
  fields: Map<string, string>,
  policy: string,
  users: readonly ServerUser[],
): ServerUser {
  const algorithm = field(fields, "x-amz-algorithm");
  const v2Key = field(fields, "awsaccesskeyid");
  if (algorithm !== undefined) {
    const credential = field(fields, "x-amz-credential");
    if (credential === undefined) throw new S3Error("InvalidArgument", "Missing aws4 credential");
    const signature = field(fields, "x-amz-signature");
    if (signature === undefined) throw new S3Error("InvalidArgument", "Missing aws4 signature");
    if (algorithm !== "AWS4-HMAC-SHA256") {
      throw new S3Error(
        "InvalidArgument",
        `Cannot use algorithm "${algorithm}": use AWS4-HMAC-SHA256`,
      );
    }
    const [accessKey, date, region, service] = credential.split("/");
    const user = users.find((u) => u.accessKeyId === accessKey);
    if (!user) throw new S3Error("InvalidAccessKeyId");
    // RGW derives the key from the credential's own date and region.
    const key = signingKey(user.secretAccessKey, date ?? "", region ?? "", service ?? "s3");
    if (!signaturesEqual(signV4(key, policy), signature)) throw new S3Error("AccessDenied");
    return user;
  }
  if (v2Key !== undefined) {
    const signature = field(fields, "signature");
    if (signature === undefined) throw new S3Error("InvalidArgument", "Missing aws2 signature");
    const user = users.find((u) => u.accessKeyId === v2Key);
    if (!user) throw new S3Error("InvalidAccessKeyId");
    if (!signaturesEqual(signV2(user.secretAccessKey, policy), signature)) {
      throw new S3Error("AccessDenied");
    }
    return user;
  }
  throw new S3Error("AccessDenied", "Cannot accept the policy: the form names no access key");
}

function decodePolicy(policy: string): { expiration?: unknown; conditions?: unknown } {
  const compact = policy.replace(/\s/g, "");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 === 1) {
    throw new S3Error("InvalidArgument", "Could not decode policy");
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(
      Uint8Array.from(atob(compact), (c) => c.charCodeAt(0)),
    );
  } catch {
    throw new S3Error("InvalidArgument", "Could not decode policy");
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new S3Error("InvalidArgument", "Malformed JSON");
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new S3Error("InvalidArgument", "Malformed JSON");
  }
  return parsed as { expiration?: unknown; conditions?: unknown };
}

function failed(message: string): S3Error {
  return new S3Error("AccessDenied", message);
}

/**
 * Checks a form's policy and signature against its fields.
 *
 * @param fields The form's fields (before the file), names as sent, plus `bucket`.
 * @param users The server's users.
 * @param now The time to check expiry against.
 * @returns The signer and the allowed length range.
 * @throws {S3Error} `InvalidArgument` (a missing signature field, a policy that is not base64
 *   JSON, an unreadable expiration), `InvalidAccessKeyId`, or `AccessDenied` (a wrong
 *   signature, an expired policy, a condition that fails, a field no condition covers).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkPolicy } from "./post_policy.ts";
 * import { DEMO_USERS } from "./demo_users.ts";
 *
 * // A form that names no access key (nor signature) is refused before anything is stored.
 * const policy = btoa(JSON.stringify({ expiration: "2099-01-01T00:00:00Z", conditions: [] }));
 * const fields: Array<[string, string]> = [["key", "k.txt"], ["policy", policy], ["bucket", "b"]];
 * assert.throws(() => checkPolicy(fields, DEMO_USERS, new Date()), /names no access key/);
 * ```
 */
export function checkPolicy(
  fields: Array<[string, string]>,
  users: readonly ServerUser[],
  now: Date,
): CheckedPolicy {
  const byName = new Map(fields.map(([name, value]) => [name.toLowerCase(), value]));
  const policy = byName.get("policy")!;
  const user = signer(byName, policy, users);
  const document = decodePolicy(policy);
  const expiration = typeof document.expiration === "string"
    ? Date.parse(document.expiration)
    : NaN;
  if (Number.isNaN(expiration)) {
    throw new S3Error("InvalidArgument", "Failed to parse policy expiration");
  }
  if (expiration <= now.getTime()) throw failed("Policy expired");
  const covered = new Set<string>();
  let lengthRange: [number, number] | undefined;
  const conditions = Array.isArray(document.conditions) ? document.conditions : [];
  for (const condition of conditions) {
    if (Array.isArray(condition)) {
      const [op, target, value] = condition.map((c) => String(c));
      if (op.toLowerCase() === "content-length-range") {
        const [min, max] = [Number(condition[1]), Number(condition[2])];
        if (!Number.isFinite(min) || !Number.isFinite(max)) {
          throw new S3Error(
            "InvalidArgument",
            "Cannot read content-length-range: give two numbers",
          );
        }
        lengthRange = [min, max];
        continue;
      }
      const name = target.replace(/^\$/, "");
      const actual = byName.get(name.toLowerCase());
      if (actual === undefined) throw failed(`Policy check failed, variable not found: ${name}`);
      covered.add(name.toLowerCase());
      const holds = op.toLowerCase() === "eq"
        ? actual === value
        : op.toLowerCase() === "starts-with"
        ? actual.startsWith(value)
        : false;
      if (!holds) throw failed(`Policy condition failed: ${op}: ${target}, ${value}`);
    } else if (condition !== null && typeof condition === "object") {
      for (const [name, value] of Object.entries(condition)) {
        const actual = byName.get(name.toLowerCase());
        if (actual === undefined) throw failed(`Policy check failed, variable not found: ${name}`);
        covered.add(name.toLowerCase());
        if (actual !== String(value)) {
          throw failed(`Policy check failed, variable not met condition: ${name}`);
        }
      }
    }
  }
  const names = [...fields.map(([name]) => name)].sort();
  const uncovered = names.find((name) => !exempt(name) && !covered.has(name.toLowerCase()));
  if (uncovered !== undefined) throw failed(`Policy missing condition: ${uncovered}`);
  return { user, lengthRange };
}
