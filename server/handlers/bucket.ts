/**
 * Bucket-level requests: create, head, delete, location, versioning, listings (v1, v2, versions)
 * and DeleteObjects.
 *
 * @module
 */

import { aclFromHeaders, cannedAcl } from "../acl.ts";
import type { RequestContext } from "../context.ts";
import { S3Error } from "../errors.ts";
import { encodeListValue, listPage, pageSize } from "../listing.ts";
import { asArray, parseXml, readSmallBody, xmlDocument, xmlResponse } from "../xml.ts";
import { checkBucketAclRequest } from "./acl.ts";
import {
  bucketNameProblem,
  checkAnonymousListing,
  contentMd5,
  loadBucket,
  ownerXml,
  principalId,
  xmlDate,
} from "./common.ts";
import { createHash } from "node:crypto";

/**
 * CreateBucket (`PUT /bucket`). Re-creating one's own bucket answers 200, as RGW does; a name
 * another user owns is `BucketAlreadyExists`.
 *
 * @param context The request.
 * @returns 200 with a `Location` header.
 */
export async function createBucket(context: RequestContext): Promise<Response> {
  const name = context.address.bucket!;
  if (context.principal.kind !== "user") throw new S3Error("AccessDenied");
  const problem = bucketNameProblem(name, context.emulation.bucketNames);
  if (problem) {
    throw new S3Error("InvalidBucketName", `Cannot create bucket "${name}": ${problem}`, {
      bucketName: name,
    });
  }
  const body = await readSmallBody(context.body);
  if (body.trim() !== "") checkLocation(parseXml(body), context.region);
  const id = principalId(context.principal);
  const existing = context.storage.getBucket(name);
  if (existing) {
    if (existing.acl.owner !== id) {
      throw new S3Error("BucketAlreadyExists", undefined, { bucketName: name });
    }
  } else {
    checkBucketAclRequest(context);
    const acl = aclFromHeaders(context.headers, id, context.users) ?? cannedAcl("private", id);
    await context.storage.createBucket({ name, created: new Date().toISOString(), acl });
  }
  return new Response(null, { status: 200, headers: { location: `/${name}` } });
}

/**
 * Checks a `CreateBucketConfiguration`: its `LocationConstraint` must be empty or this server's
 * region, as RGW accepts only its own zone group.
 *
 * @param tree The parsed body.
 * @param region The server's region.
 * @throws {S3Error} `MalformedXML` or `InvalidLocationConstraint`.
 */
function checkLocation(tree: Record<string, unknown>, region: string): void {
  const config = tree.CreateBucketConfiguration;
  if (config === undefined) throw new S3Error("MalformedXML");
  const location = typeof config === "object" && config !== null
    ? (config as Record<string, unknown>).LocationConstraint
    : undefined;
  if (location === undefined || location === "" || location === region) return;
  throw new S3Error(
    "InvalidLocationConstraint",
    `Cannot create a bucket in "${String(location)}": this server's region is "${region}"`,
  );
}

/**
 * HeadBucket (`HEAD /bucket`): 200 when it exists and the requester may list it.
 *
 * @param context The request.
 * @returns 200 without a body.
 */
export function headBucket(context: RequestContext): Promise<Response> {
  loadBucket(context, "READ");
  return Promise.resolve(new Response(null, { status: 200 }));
}

/**
 * DeleteBucket (`DELETE /bucket`): owner only, and only when empty (409 `BucketNotEmpty`).
 *
 * @param context The request.
 * @returns 204.
 */
export async function deleteBucket(context: RequestContext): Promise<Response> {
  const bucket = loadBucket(context);
  if (bucket.acl.owner !== principalId(context.principal)) throw new S3Error("AccessDenied");
  if (context.storage.keys(bucket.name).length > 0) {
    throw new S3Error("BucketNotEmpty", undefined, { bucketName: bucket.name });
  }
  await context.storage.deleteBucket(bucket.name);
  return new Response(null, { status: 204 });
}

/**
 * GetBucketLocation (`GET /bucket?location`): empty for us-east-1, else the region.
 *
 * @param context The request.
 * @returns The `LocationConstraint` document.
 */
export function getBucketLocation(context: RequestContext): Promise<Response> {
  const bucket = loadBucket(context);
  if (bucket.acl.owner !== principalId(context.principal)) throw new S3Error("AccessDenied");
  const region = context.region === "us-east-1" ? "" : context.region;
  return Promise.resolve(xmlResponse(xmlDocument("LocationConstraint", region)));
}

/**
 * GetBucketVersioning (`GET /bucket?versioning`): buckets here are never versioned, so the
 * configuration is empty, as for a bucket whose versioning was never set. Owner only, as in RGW.
 *
 * @param context The request.
 * @returns The `VersioningConfiguration` document.
 */
export function getBucketVersioning(context: RequestContext): Promise<Response> {
  const bucket = loadBucket(context);
  if (bucket.acl.owner !== principalId(context.principal)) throw new S3Error("AccessDenied");
  return Promise.resolve(xmlResponse(xmlDocument("VersioningConfiguration", {})));
}

function listingBasics(context: RequestContext) {
  const q = context.query;
  // Like RGW, any encoding type but "url" is ignored.
  const encodingType = q.get("encoding-type");
  return {
    prefix: q.get("prefix") ?? "",
    delimiter: q.get("delimiter") ?? "",
    maxKeys: pageSize(q),
    url: encodingType === "url",
  };
}

/**
 * ListObjects v1 and v2 (`GET /bucket`, `GET /bucket?list-type=2`).
 *
 * @param context The request.
 * @returns `ListBucketResult`.
 */
export function listObjects(context: RequestContext): Promise<Response> {
  const bucket = loadBucket(context, "READ");
  checkAnonymousListing(context);
  const q = context.query;
  const v2 = q.get("list-type") === "2";
  const { prefix, delimiter, maxKeys, url } = listingBasics(context);
  const token = q.get("continuation-token");
  const startAfter = q.get("start-after") ?? "";
  const marker = q.get("marker") ?? "";
  // Continuation tokens are the last key or prefix of the page, as RGW makes them.
  const after = v2 ? (token ?? startAfter) : marker;
  const page = listPage(context.storage.keys(bucket.name), { prefix, delimiter, after, maxKeys });
  const withOwner = !v2 || q.get("fetch-owner") === "true";
  const contents = page.keys.map((key) => {
    const object = context.storage.getObject(bucket.name, key)!;
    return {
      Key: encodeListValue(key, url),
      LastModified: xmlDate(object.lastModified),
      ETag: `"${object.etag}"`,
      Size: object.size,
      StorageClass: "STANDARD",
      Owner: withOwner ? ownerXml(object.acl.owner, context.users) : undefined,
    };
  });
  const common = {
    Name: bucket.name,
    Prefix: encodeListValue(prefix, url),
  };
  const tail = {
    Delimiter: delimiter === "" ? undefined : encodeListValue(delimiter, url),
    EncodingType: url ? "url" : undefined,
    IsTruncated: page.isTruncated,
    Contents: contents,
    CommonPrefixes: page.commonPrefixes.map((p) => ({ Prefix: encodeListValue(p, url) })),
  };
  const xml = v2
    ? xmlDocument("ListBucketResult", {
      ...common,
      ContinuationToken: token ?? undefined,
      StartAfter: startAfter === "" ? undefined : encodeListValue(startAfter, url),
      KeyCount: page.keys.length + page.commonPrefixes.length,
      MaxKeys: maxKeys,
      NextContinuationToken: page.isTruncated ? page.last : undefined,
      ...tail,
    })
    : xmlDocument("ListBucketResult", {
      ...common,
      Marker: encodeListValue(marker, url),
      NextMarker: page.isTruncated ? encodeListValue(page.last, url) : undefined,
      MaxKeys: maxKeys,
      ...tail,
    });
  return Promise.resolve(xmlResponse(xml));
}

/**
 * ListObjectVersions (`GET /bucket?versions`). Buckets here are unversioned, so every object is
 * its only version, `null`, as S3 lists objects of an unversioned bucket.
 *
 * @param context The request.
 * @returns `ListVersionsResult`.
 */
export function listObjectVersions(context: RequestContext): Promise<Response> {
  const bucket = loadBucket(context, "READ");
  checkAnonymousListing(context);
  const q = context.query;
  const { prefix, delimiter, maxKeys, url } = listingBasics(context);
  const keyMarker = q.get("key-marker") ?? "";
  const page = listPage(context.storage.keys(bucket.name), {
    prefix,
    delimiter,
    after: keyMarker,
    maxKeys,
  });
  const xml = xmlDocument("ListVersionsResult", {
    Name: bucket.name,
    Prefix: encodeListValue(prefix, url),
    KeyMarker: encodeListValue(keyMarker, url),
    VersionIdMarker: q.get("version-id-marker") ?? "",
    NextKeyMarker: page.isTruncated ? encodeListValue(page.last, url) : undefined,
    NextVersionIdMarker: page.isTruncated ? "null" : undefined,
    MaxKeys: maxKeys,
    Delimiter: delimiter === "" ? undefined : encodeListValue(delimiter, url),
    EncodingType: url ? "url" : undefined,
    IsTruncated: page.isTruncated,
    Version: page.keys.map((key) => {
      const object = context.storage.getObject(bucket.name, key)!;
      return {
        Key: encodeListValue(key, url),
        VersionId: "null",
        IsLatest: true,
        LastModified: xmlDate(object.lastModified),
        ETag: `"${object.etag}"`,
        Size: object.size,
        StorageClass: "STANDARD",
        Owner: ownerXml(object.acl.owner, context.users),
      };
    }),
    CommonPrefixes: page.commonPrefixes.map((p) => ({ Prefix: encodeListValue(p, url) })),
  });
  return Promise.resolve(xmlResponse(xml));
}

/** Most keys one DeleteObjects request may name. */
const MAX_DELETE_KEYS = 1000;

/**
 * DeleteObjects (`POST /bucket?delete`): deletes up to 1000 keys; `Quiet` leaves out the
 * successes.
 *
 * @param context The request.
 * @returns `DeleteResult`.
 */
export async function deleteObjects(context: RequestContext): Promise<Response> {
  // RGW refuses the whole request, not each key, to a requester without WRITE.
  const bucket = loadBucket(context, "WRITE");
  const text = await readSmallBody(context.body);
  const md5 = contentMd5(context.headers);
  if (md5 && !createHash("md5").update(text).digest().equals(md5)) {
    throw new S3Error("BadDigest");
  }
  const root = parseXml(text, "MalformedXML", false).Delete as Record<string, unknown> | undefined;
  if (!root || typeof root !== "object") throw new S3Error("MalformedXML");
  const objects = asArray(root.Object as Record<string, unknown> | Record<string, unknown>[]);
  if (objects.length === 0 || objects.length > MAX_DELETE_KEYS) throw new S3Error("MalformedXML");
  const quiet = String(root.Quiet).trim().toLowerCase() === "true";
  const deleted: Record<string, string>[] = [];
  const keys = objects.map((item) => typeof item.Key === "string" ? item.Key : "");
  if (keys.includes("")) throw new S3Error("MalformedXML");
  for (const key of keys) {
    await context.storage.deleteObject(bucket.name, key);
    if (!quiet) deleted.push({ Key: key });
  }
  return xmlResponse(xmlDocument("DeleteResult", { Deleted: deleted }));
}

/**
 * POST to a bucket or object without a subresource: S3's browser-based upload (an HTML form).
 * RGW refuses other bodies with `InvalidArgument`; form uploads are not implemented here.
 *
 * @param context The request.
 * @returns Never: always throws.
 */
export function postUpload(context: RequestContext): Promise<Response> {
  loadBucket(context);
  const type = context.headers.get("content-type") ?? "";
  if (!type.toLowerCase().startsWith("multipart/form-data")) {
    throw new S3Error(
      "InvalidArgument",
      "Cannot accept a POST that is not a form upload: the Content-Type must be multipart/form-data",
    );
  }
  throw new S3Error("NotImplemented", "Cannot accept a browser-based POST upload: use PUT");
}

/**
 * OPTIONS (a CORS preflight) on a bucket or object. No bucket here has a CORS configuration, so
 * a preflight is refused as RGW refuses one: `InvalidArgument` without `Origin` and
 * `Access-Control-Request-Method`, else `AccessDenied`.
 *
 * @param context The request.
 * @returns Never: always throws.
 */
export function preflight(context: RequestContext): Promise<Response> {
  loadBucket(context);
  const origin = context.headers.get("origin");
  const method = context.headers.get("access-control-request-method");
  if (origin === null || method === null) {
    throw new S3Error(
      "InvalidArgument",
      "Cannot answer a CORS preflight without Origin and Access-Control-Request-Method",
    );
  }
  throw new S3Error(
    "AccessDenied",
    `Cannot allow ${method} from "${origin}": the bucket has no CORS configuration`,
  );
}
