/**
 * ACL requests: GetBucketAcl, PutBucketAcl, GetObjectAcl, PutObjectAcl. A PUT takes a canned
 * `x-amz-acl`, `x-amz-grant-*` headers, or an `AccessControlPolicy` XML body.
 *
 * @module
 */

import { aclFromHeaders, aclFromXml, aclXml, requirePermission } from "../acl.ts";
import type { RequestContext } from "../context.ts";
import { S3Error } from "../errors.ts";
import type { Acl } from "../storage/types.ts";
import { readSmallBody, xmlResponse } from "../xml.ts";
import { loadBucket, loadObject, requestedVersion } from "./common.ts";

async function requestedAcl(context: RequestContext, current: Acl, bucketOwner: string) {
  const fromHeaders = aclFromHeaders(context.headers, current.owner, context.users, bucketOwner);
  const body = await readSmallBody(context.body);
  if (fromHeaders && body.trim() !== "") {
    throw new S3Error(
      "InvalidRequest",
      "Cannot take both an ACL header and an AccessControlPolicy body: send one",
    );
  }
  if (fromHeaders) return fromHeaders;
  if (body.trim() === "") throw new S3Error("MalformedACLError");
  return aclFromXml(body, current.owner, context.users);
}

/**
 * GetBucketAcl (`GET /bucket?acl`).
 *
 * @param context The request.
 * @returns `AccessControlPolicy`.
 */
export function getBucketAcl(context: RequestContext): Promise<Response> {
  const bucket = loadBucket(context, "READ_ACP");
  return Promise.resolve(xmlResponse(aclXml(bucket.acl, context.users)));
}

/**
 * PutBucketAcl (`PUT /bucket?acl`).
 *
 * @param context The request.
 * @returns 200.
 */
export async function putBucketAcl(context: RequestContext): Promise<Response> {
  const bucket = loadBucket(context, "WRITE_ACP");
  const acl = await requestedAcl(context, bucket.acl, bucket.acl.owner);
  await context.storage.setBucketAcl(bucket.name, acl);
  return new Response(null, { status: 200 });
}

/**
 * GetObjectAcl (`GET /bucket/key?acl`, `&versionId=` for one version).
 *
 * @param context The request.
 * @returns `AccessControlPolicy`.
 */
export function getObjectAcl(context: RequestContext): Promise<Response> {
  const object = loadObject(context, "READ_ACP");
  return Promise.resolve(xmlResponse(aclXml(object.acl, context.users)));
}

/**
 * PutObjectAcl (`PUT /bucket/key?acl`, `&versionId=` for one version).
 *
 * @param context The request.
 * @returns 200.
 */
export async function putObjectAcl(context: RequestContext): Promise<Response> {
  const bucket = loadBucket(context);
  const object = loadObject(context);
  requirePermission(object.acl, context.principal, "WRITE_ACP");
  const acl = await requestedAcl(context, object.acl, bucket.acl.owner);
  await context.storage.setObjectAcl(bucket.name, object.key, acl, requestedVersion(context));
  return new Response(null, { status: 200 });
}
