/**
 * Bucket-level requests: create, head, delete, location, versioning, listings (v1, v2, versions)
 * and DeleteObjects.
 *
 * @module
 */

import { aclFromHeaders, cannedAcl } from "../acl.ts";
import type { RequestContext } from "../context.ts";
import { S3Error } from "../errors.ts";
import { encodeListValue, listPage, pageSize, walkKeys } from "../listing.ts";
import type { ObjectRecord } from "../storage/types.ts";
import { asArray, parseXml, readSmallBody, xmlDocument, xmlResponse } from "../xml.ts";
import { checkBucketAclRequest } from "./acl.ts";
import {
  bucketNameProblem,
  checkAnonymousListing,
  contentMd5,
  loadBucket,
  ownerXml,
  principalId,
  sameGrants,
  xmlDate,
} from "./common.ts";
import { createHash } from "node:crypto";

/**
 * CreateBucket (`PUT /bucket`). Re-creating one's own bucket answers 200 when it asks for the ACL
 * the bucket has, as RGW does; with another ACL, or a name another user owns, it is
 * `BucketAlreadyExists`.
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
  if (body.trim() !== "") checkLocation(parseXml(body), context);
  const id = principalId(context.principal);
  const existing = context.storage.getBucket(name);
  if (existing) {
    // RGW answers 200 to its owner only when the request asks for the ACL the bucket has.
    const asked = existing.acl.owner === id
      ? aclFromHeaders(context.headers, id, context.users) ?? cannedAcl("private", id)
      : undefined;
    if (asked === undefined || !sameGrants(asked, existing.acl)) {
      throw new S3Error("BucketAlreadyExists", undefined, { bucketName: name });
    }
  } else {
    checkBucketAclRequest(context);
    const acl = aclFromHeaders(context.headers, id, context.users) ?? cannedAcl("private", id);
    await context.storage.createBucket({
      name,
      created: new Date().toISOString(),
      acl,
      versioning: context.versioningOnCreate ? "Enabled" : undefined,
    });
  }
  return new Response(null, { status: 200, headers: { location: `/${name}` } });
}

/**
 * Checks a `CreateBucketConfiguration`: its `LocationConstraint` must be empty, one the emulated
 * service accepts (RGW: its zone group's name, `default`; `us-east-1` is refused, as RGW 16
 * answers), or a region the server was given other than `us-east-1`.
 *
 * @param tree The parsed body.
 * @param context The request.
 * @throws {S3Error} `MalformedXML` or `InvalidLocationConstraint`.
 */
function checkLocation(tree: Record<string, unknown>, context: RequestContext): void {
  const region = context.region;
  const config = tree.CreateBucketConfiguration;
  if (config === undefined) throw new S3Error("MalformedXML");
  const location = typeof config === "object" && config !== null
    ? (config as Record<string, unknown>).LocationConstraint
    : undefined;
  if (location === undefined || location === "") return;
  const accepted = [
    ...context.emulation.locationConstraints,
    ...(region === "us-east-1" ? [] : [region]),
  ];
  if (accepted.includes(String(location))) return;
  throw new S3Error(
    "InvalidLocationConstraint",
    `Cannot create a bucket in "${String(location)}": this server takes ${
      accepted.map((a) => `"${a}"`).join(" or ")
    } (or no LocationConstraint)`,
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
 * DeleteBucket (`DELETE /bucket`): owner only, and only when no object, version or delete marker
 * is left (409 `BucketNotEmpty`).
 *
 * @param context The request.
 * @returns 204.
 */
export async function deleteBucket(context: RequestContext): Promise<Response> {
  const bucket = loadBucket(context);
  if (bucket.acl.owner !== principalId(context.principal)) throw new S3Error("AccessDenied");
  if (context.storage.versionKeys(bucket.name).length > 0) {
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
 * GetBucketVersioning (`GET /bucket?versioning`): `Enabled` or `Suspended` with `MfaDelete`
 * `Disabled`, as RGW answers; an empty configuration for a bucket whose versioning was never set.
 * Owner only, as in RGW.
 *
 * @param context The request.
 * @returns The `VersioningConfiguration` document.
 */
export function getBucketVersioning(context: RequestContext): Promise<Response> {
  const bucket = loadBucket(context);
  if (bucket.acl.owner !== principalId(context.principal)) throw new S3Error("AccessDenied");
  const content = bucket.versioning === undefined
    ? {}
    : { Status: bucket.versioning, MfaDelete: "Disabled" };
  return Promise.resolve(xmlResponse(xmlDocument("VersioningConfiguration", content)));
}

/**
 * PutBucketVersioning (`PUT /bucket?versioning`): `Enabled` or `Suspended`. Owner only; a body
 * without one of them is `InvalidArgument`, as RGW answers (malformed XML included).
 *
 * @param context The request.
 * @returns 200.
 */
export async function putBucketVersioning(context: RequestContext): Promise<Response> {
  const bucket = loadBucket(context);
  if (bucket.acl.owner !== principalId(context.principal)) throw new S3Error("AccessDenied");
  const text = await readSmallBody(context.body);
  let status: unknown;
  try {
    const config = parseXml(text).VersioningConfiguration;
    status = typeof config === "object" && config !== null
      ? (config as Record<string, unknown>).Status
      : undefined;
  } catch {
    status = undefined;
  }
  if (status !== "Enabled" && status !== "Suspended") {
    throw new S3Error(
      "InvalidArgument",
      "Cannot set versioning: send a VersioningConfiguration whose Status is Enabled or Suspended",
    );
  }
  await context.storage.setVersioning(bucket.name, status);
  return new Response(null, { status: 200 });
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
      // S3 names the algorithm (and type) of an object's checksum in listings.
      ChecksumAlgorithm: object.checksum?.algorithm,
      ChecksumType: object.checksum?.type,
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
 * ListObjectVersions (`GET /bucket?versions`): every version and delete marker, keys in S3 order
 * and each key's versions newest first, from `key-marker` (and `version-id-marker`, which starts
 * after that version of that key; an unknown one skips the key, as RGW does). A page walks the
 * sorted keys and each key's ordered versions from the markers, so it costs O(page + log n).
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
  // Like RGW, a version-id-marker without a key-marker is ignored (but echoed).
  const idMarker = q.get("version-id-marker") ?? "";
  const resume = keyMarker !== "" && idMarker !== "";
  const storage = context.storage;
  const entries: { record: ObjectRecord; latest: boolean }[] = [];
  const prefixes: string[] = [];
  let truncated = false;
  let next: { key: string; versionId?: string } | undefined;
  const full = () => entries.length + prefixes.length >= maxKeys;
  walk: for (
    const entry of walkKeys(storage.versionKeys(bucket.name), {
      prefix,
      delimiter,
      after: keyMarker,
      inclusive: resume,
    })
  ) {
    if (entry.kind === "prefix") {
      if (full()) {
        truncated = maxKeys > 0;
        break;
      }
      prefixes.push(entry.value);
      next = { key: entry.value };
      continue;
    }
    const key = entry.value;
    const list = storage.versionsOf(bucket.name, key);
    let from = list.length - 1;
    if (resume && key === keyMarker) from = storage.versionIndex(bucket.name, key, idMarker) - 1;
    for (let i = from; i >= 0; i--) {
      if (full()) {
        truncated = maxKeys > 0;
        break walk;
      }
      entries.push({ record: list[i], latest: i === list.length - 1 });
      next = { key, versionId: list[i].versionId ?? "null" };
    }
  }
  const owner = (record: ObjectRecord) => ownerXml(record.acl.owner, context.users);
  const xml = xmlDocument("ListVersionsResult", {
    Name: bucket.name,
    Prefix: encodeListValue(prefix, url),
    KeyMarker: encodeListValue(keyMarker, url),
    VersionIdMarker: idMarker,
    NextKeyMarker: truncated ? encodeListValue(next?.key, url) : undefined,
    NextVersionIdMarker: truncated ? next?.versionId : undefined,
    MaxKeys: maxKeys,
    Delimiter: delimiter === "" ? undefined : encodeListValue(delimiter, url),
    EncodingType: url ? "url" : undefined,
    IsTruncated: truncated,
    // One list in order, markers and versions interleaved as S3 sends them.
    "": entries.map(({ record, latest }) => ({
      [record.deleteMarker ? "DeleteMarker" : "Version"]: record.deleteMarker
        ? {
          Key: encodeListValue(record.key, url),
          VersionId: record.versionId ?? "null",
          IsLatest: latest,
          LastModified: xmlDate(record.lastModified),
          Owner: owner(record),
        }
        : {
          Key: encodeListValue(record.key, url),
          VersionId: record.versionId ?? "null",
          IsLatest: latest,
          LastModified: xmlDate(record.lastModified),
          ETag: `"${record.etag}"`,
          Size: record.size,
          StorageClass: "STANDARD",
          Owner: owner(record),
          ChecksumAlgorithm: record.checksum?.algorithm,
          ChecksumType: record.checksum?.type,
        },
    })),
    CommonPrefixes: prefixes.map((p) => ({ Prefix: encodeListValue(p, url) })),
  });
  return Promise.resolve(xmlResponse(xml));
}

/** Most keys one DeleteObjects request may name. */
const MAX_DELETE_KEYS = 1000;

/**
 * DeleteObjects (`POST /bucket?delete`): deletes up to 1000 keys, or versions of them (each
 * `<Object>` may name a `<VersionId>`); `Quiet` leaves out the successes. A delete marker made or
 * removed is reported with `DeleteMarker` and `DeleteMarkerVersionId`, as S3 and RGW do.
 *
 * @param context The request.
 * @returns `DeleteResult`.
 */
export async function deleteObjects(context: RequestContext): Promise<Response> {
  // RGW reads the whole body first (without `100 Continue`), then refuses the whole request,
  // not each key, to a requester without WRITE.
  context.skipContinue();
  const text = await readSmallBody(context.body);
  const bucket = loadBucket(context, "WRITE");
  const md5 = contentMd5(context.headers);
  if (md5 && !createHash("md5").update(text).digest().equals(md5)) {
    throw new S3Error("BadDigest");
  }
  const root = parseXml(text, "MalformedXML", false).Delete as Record<string, unknown> | undefined;
  if (!root || typeof root !== "object") throw new S3Error("MalformedXML");
  const objects = asArray(root.Object as Record<string, unknown> | Record<string, unknown>[]);
  if (objects.length === 0 || objects.length > MAX_DELETE_KEYS) throw new S3Error("MalformedXML");
  const quiet = String(root.Quiet).trim().toLowerCase() === "true";
  const deleted: Record<string, string | boolean | undefined>[] = [];
  const items = objects.map((item) => ({
    key: typeof item.Key === "string" ? item.Key : "",
    versionId: typeof item.VersionId === "string" && item.VersionId.trim() !== ""
      ? item.VersionId.trim()
      : undefined,
  }));
  if (items.some((item) => item.key === "")) throw new S3Error("MalformedXML");
  for (const { key, versionId } of items) {
    const outcome = versionId === undefined
      ? await context.storage.deleteObject(bucket.name, key)
      : await context.storage.deleteVersion(bucket.name, key, versionId);
    if (quiet) continue;
    // RGW 16 does not report the `null` delete marker it removes by id as a marker.
    const marker = outcome.deleteMarker && versionId !== "null";
    deleted.push({
      Key: key,
      VersionId: versionId,
      DeleteMarker: marker ? true : undefined,
      DeleteMarkerVersionId: marker ? outcome.versionId : undefined,
    });
  }
  return xmlResponse(xmlDocument("DeleteResult", { Deleted: deleted }));
}
