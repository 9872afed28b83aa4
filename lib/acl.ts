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
 * ```ts ignore
 * import { connect, setBucketAcl } from "./mod.ts";
 *
 * await using s3 = await connect();
 * await setBucketAcl(s3, "demo-20261125-k3x9q2", "private");
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
 * ```ts ignore
 * import { connect, setObjectAcl } from "./mod.ts";
 *
 * await using s3 = await connect();
 * await setObjectAcl(s3, "demo-20261125-k3x9q2", "cloud.png", "public-read");
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
 * ```ts ignore
 * import { connect, getBucketGrants } from "./mod.ts";
 *
 * await using s3 = await connect();
 * console.log((await getBucketGrants(s3, "demo-20261125-k3x9q2")).grants);
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
 * ```ts ignore
 * import { connect, getObjectGrants } from "./mod.ts";
 *
 * await using s3 = await connect();
 * console.log((await getObjectGrants(s3, "demo-20261125-k3x9q2", "cloud.png")).grants);
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
