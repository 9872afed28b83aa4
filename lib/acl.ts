/**
 * Access control lists: set a canned ACL on a bucket or object, and read the grants as a table.
 *
 * @module
 */

import {
  type BucketCannedACL,
  GetBucketAclCommand,
  GetObjectAclCommand,
  type Grant,
  type ObjectCannedACL,
  type Owner,
  PutBucketAclCommand,
  PutObjectAclCommand,
} from "@aws-sdk/client-s3";
import { type CannedAcl, validateBucketName, validateCannedAcl, validateKey } from "./validate.ts";
import type { Connection } from "./connect.ts";
import { Table } from "./display.ts";
import { request } from "./errors.ts";

/**
 * Gives a bucket a canned ACL (`public-read` lets anyone list it).
 *
 * @param s3 The connection.
 * @param bucket The bucket.
 * @param acl The canned ACL.
 * @throws {RangeError} For an unknown ACL name.
 * @throws {S3RequestError} When the server refuses.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { connect, createBucket, getBucketGrants, setBucketAcl } from "./mod.ts";
 *
 * await using s3 = await connect(); // the embedded server
 * const bucket = await createBucket(s3);
 * await setBucketAcl(s3, bucket, "public-read");
 * const { grants } = await getBucketGrants(s3, bucket);
 * assert.ok(grants.some((g) => g.grantee === "Everyone (anonymous)" && g.permission === "READ"));
 * ```
 */
export async function setBucketAcl(s3: Connection, bucket: string, acl: CannedAcl): Promise<void> {
  validateBucketName(bucket, s3.cluster.bucketNames);
  validateCannedAcl(acl);
  await request(
    { action: `set ACL "${acl}" on bucket "${bucket}"`, bucket },
    () => s3.client.send(new PutBucketAclCommand({ Bucket: bucket, ACL: acl as BucketCannedACL })),
  );
}

/**
 * Gives an object a canned ACL (`public-read` makes its public URL work).
 *
 * @param s3 The connection.
 * @param bucket The bucket.
 * @param key The object key.
 * @param acl The canned ACL.
 * @throws {RangeError} For an unknown ACL name.
 * @throws {S3RequestError} When the server refuses.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { connect, createBucket, probe, publicUrl, putObject, setObjectAcl } from "./mod.ts";
 *
 * await using s3 = await connect();
 * const bucket = await createBucket(s3);
 * await putObject(s3, bucket, "hello.txt", "Hello World!");
 * assert.equal((await probe(publicUrl(s3, bucket, "hello.txt"))).status, 403);
 * await setObjectAcl(s3, bucket, "hello.txt", "public-read");
 * assert.equal((await probe(publicUrl(s3, bucket, "hello.txt"))).status, 200);
 * ```
 */
export async function setObjectAcl(
  s3: Connection,
  bucket: string,
  key: string,
  acl: CannedAcl,
): Promise<void> {
  validateBucketName(bucket, s3.cluster.bucketNames);
  validateKey(key);
  validateCannedAcl(acl);
  await request(
    { action: `set ACL "${acl}" on "${bucket}/${key}"`, bucket, key },
    () =>
      s3.client.send(
        new PutObjectAclCommand({ Bucket: bucket, Key: key, ACL: acl as ObjectCannedACL }),
      ),
  );
}

/** One grant: who may do what. */
export interface GrantRow {
  /** Who: a user's display name or id, `Everyone` or `Authenticated users`. */
  grantee: string;
  /** What: `READ`, `WRITE`, `READ_ACP`, `WRITE_ACP` or `FULL_CONTROL`. */
  permission: string;
}

/** The grants of a bucket or object, shown as a table. */
export class Grants extends Table {
  /** The owner's display name or id. */
  readonly owner: string;
  /** The grants, in the server's order. */
  readonly grants: readonly GrantRow[];

  /**
   * Builds the table; {@linkcode getBucketGrants} and {@linkcode getObjectGrants} do this.
   *
   * @param owner The owner's name.
   * @param grants The grants.
   */
  constructor(owner: string, grants: readonly GrantRow[]) {
    super(["grantee", "permission"], grants.map((g) => [g.grantee, g.permission]));
    this.owner = owner;
    this.grants = grants;
  }
}

function who(grantee: Grant["Grantee"]): string {
  if (!grantee) return "?";
  if (grantee.URI?.endsWith("/global/AllUsers")) return "Everyone (anonymous)";
  if (grantee.URI?.endsWith("/global/AuthenticatedUsers")) return "Authenticated users";
  return grantee.DisplayName || grantee.ID || grantee.EmailAddress || grantee.URI || "?";
}

function toGrants(owner: Owner | undefined, grants: Grant[] | undefined): Grants {
  return new Grants(
    owner?.DisplayName || owner?.ID || "?",
    (grants ?? []).map((g) => ({ grantee: who(g.Grantee), permission: g.Permission ?? "?" })),
  );
}

/**
 * Reads a bucket's grants.
 *
 * @param s3 The connection.
 * @param bucket The bucket.
 * @returns The owner and the grants, as a table.
 * @throws {S3RequestError} When the server refuses.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { connect, createBucket, getBucketGrants } from "./mod.ts";
 *
 * await using s3 = await connect();
 * const grants = await getBucketGrants(s3, await createBucket(s3));
 * assert.equal(grants.owner, "Demo User");
 * assert.deepEqual(grants.grants, [{ grantee: "Demo User", permission: "FULL_CONTROL" }]);
 * ```
 */
export async function getBucketGrants(s3: Connection, bucket: string): Promise<Grants> {
  validateBucketName(bucket, s3.cluster.bucketNames);
  const out = await request(
    { action: `read the ACL of bucket "${bucket}"`, bucket },
    () => s3.client.send(new GetBucketAclCommand({ Bucket: bucket })),
  );
  return toGrants(out.Owner, out.Grants);
}

/**
 * Reads an object's grants.
 *
 * @param s3 The connection.
 * @param bucket The bucket.
 * @param key The object key.
 * @returns The owner and the grants, as a table.
 * @throws {S3RequestError} When the server refuses.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { connect, createBucket, getObjectGrants, putObject } from "./mod.ts";
 *
 * await using s3 = await connect();
 * const bucket = await createBucket(s3);
 * await putObject(s3, bucket, "hello.txt", "Hello World!", { acl: "public-read" });
 * const { grants } = await getObjectGrants(s3, bucket, "hello.txt");
 * assert.deepEqual(grants.map((g) => g.permission).sort(), ["FULL_CONTROL", "READ"]);
 * ```
 */
export async function getObjectGrants(
  s3: Connection,
  bucket: string,
  key: string,
): Promise<Grants> {
  validateBucketName(bucket, s3.cluster.bucketNames);
  validateKey(key);
  const out = await request(
    { action: `read the ACL of "${bucket}/${key}"`, bucket, key },
    () => s3.client.send(new GetObjectAclCommand({ Bucket: bucket, Key: key })),
  );
  return toGrants(out.Owner, out.Grants);
}
