/**
 * ACL requests: GetBucketAcl, PutBucketAcl, GetObjectAcl, PutObjectAcl. A PUT takes a canned
 * `x-amz-acl`, `x-amz-grant-*` headers, or an `AccessControlPolicy` XML body. Where the
 * emulation has no object ACLs (US-East 5), an object's ACL is its bucket's, and a bucket takes
 * only the canned ACLs the profile lists.
 *
 * @module
 */

import { aclFromHeaders, aclFromXml, aclXml, requirePermission } from "../acl.ts";
import type { RequestContext } from "../context.ts";
import { S3Error } from "../errors.ts";
import type { Acl } from "../storage/types.ts";
import { readSmallBody, xmlResponse } from "../xml.ts";
import {
  loadBucket,
  loadObject,
  objectAclRefused,
  requestedVersion,
  sameGrants,
} from "./common.ts";

const GRANT_HEADER = /^x-amz-grant-/;

/**
 * Checks a CreateBucket's or PutBucketAcl's ACL headers against the canned ACLs the emulation
 * allows on a bucket (US-East 5: `private` and `public-read`). Codes are assumed (Backblaze
 * documents none): an unknown canned ACL is `400 InvalidArgument`, grant headers are
 * `501 NotImplemented`.
 *
 * @param context The request.
 * @throws {S3Error} `InvalidArgument` or `NotImplemented`.
 */
export function checkBucketAclRequest(context: RequestContext): void {
  const allowed = context.emulation.bucketAcls;
  if (allowed === "any") return;
  const list = allowed.map((a) => `"${a}"`).join(" or ");
  if ([...context.headers.keys()].some((h) => GRANT_HEADER.test(h))) {
    throw new S3Error(
      "NotImplemented",
      `Cannot grant permissions one by one on ${context.emulation.describes}: use x-amz-acl ${list}`,
    );
  }
  const canned = context.headers.get("x-amz-acl")?.trim();
  if (canned !== undefined && !allowed.includes(canned)) {
    throw new S3Error(
      "InvalidArgument",
      `Cannot give a bucket the ACL "${canned}" on ${context.emulation.describes}: use ${list}`,
      { extra: { ArgumentName: "x-amz-acl", ArgumentValue: canned } },
    );
  }
}

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
  checkBucketAclRequest(context);
  if (context.emulation.bucketAcls !== "any" && !context.headers.has("x-amz-acl")) {
    await context.body?.cancel().catch(() => {});
    throw new S3Error(
      "NotImplemented",
      `Cannot take an AccessControlPolicy body on ${context.emulation.describes}: use x-amz-acl ` +
        context.emulation.bucketAcls.map((a) => `"${a}"`).join(" or "),
    );
  }
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
  // Without object ACLs, an object's ACL is its bucket's (Backblaze: "GetObjectAcl returns the
  // ACL for the bucket the object is contained in").
  const acl = context.emulation.objectAcls ? object.acl : loadBucket(context).acl;
  return Promise.resolve(xmlResponse(aclXml(acl, context.users)));
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
  if (!context.emulation.objectAcls) {
    // Succeeds only when it asks for the bucket's own ACL, which the object already has.
    requirePermission(bucket.acl, context.principal, "WRITE_ACP");
    const acl = await requestedAcl(context, bucket.acl, bucket.acl.owner);
    if (!sameGrants(acl, bucket.acl)) throw objectAclRefused(context);
    return new Response(null, { status: 200 });
  }
  requirePermission(object.acl, context.principal, "WRITE_ACP");
  const acl = await requestedAcl(context, object.acl, bucket.acl.owner);
  await context.storage.setObjectAcl(bucket.name, object.key, acl, requestedVersion(context));
  return new Response(null, { status: 200 });
}
