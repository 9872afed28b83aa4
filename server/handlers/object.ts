/**
 * Object-level requests: PutObject (and CopyObject), GetObject, HeadObject, DeleteObject.
 *
 * @module
 */

import { aclFromHeaders, cannedAcl } from "../acl.ts";
import type { RequestContext } from "../context.ts";
import { checksumAlgorithm, checksumField } from "../../core/checksum.ts";
import { checksumElements, checksumHeaders, checksumModeEnabled } from "../checksums.ts";
import { S3Error } from "../errors.ts";
import { checkBody } from "../integrity.ts";
import type { DeleteOutcome, ObjectRecord } from "../storage/types.ts";
import { tagsFromHeader } from "../tagging.ts";
import { xmlDocument, xmlResponse } from "../xml.ts";
import {
  encryptionHeaders,
  httpDate,
  loadBucket,
  loadObject,
  newObjectAcl,
  objectHeadersFrom,
  objectOwner,
  requestedVersion,
  uploadLimits,
  versionHeaders,
  xmlDate,
} from "./common.ts";
import {
  checkConditions,
  checkKey,
  checkWriteConditions,
  loadCopySource,
  parseRange,
} from "./request.ts";

/**
 * PutObject (`PUT /bucket/key`): streams the body to storage, checking length and Content-MD5,
 * then `If-Match`/`If-None-Match`; with `x-amz-copy-source` it is CopyObject (which, as on RGW 16,
 * ignores those two headers).
 *
 * @param context The request.
 * @returns 200 with the ETag.
 */
export async function putObject(context: RequestContext): Promise<Response> {
  if (context.headers.has("x-amz-copy-source")) return await copyObject(context);
  const bucket = loadBucket(context, "WRITE");
  const key = context.address.key!;
  checkKey(key);
  const owner = objectOwner(context, bucket.acl.owner);
  const acl = newObjectAcl(context, bucket, owner);
  const limits = uploadLimits(context);
  const { headers, metadata } = objectHeadersFrom(context.headers);
  Object.assign(headers, encryptionHeaders(context));
  const tags = tagsFromHeader(context.headers.get("x-amz-tagging"));
  const written = await context.storage.writeBlob(context.body, limits);
  const sum = context.bodyChecksum();
  const record: ObjectRecord = {
    key,
    size: written.segment.size,
    etag: written.md5,
    lastModified: new Date().toISOString(),
    headers,
    metadata,
    acl,
    ...(tags && tags.length > 0 ? { tags } : {}),
    ...(sum ? { checksum: { ...sum, type: "FULL_OBJECT" as const } } : {}),
    segments: [written.segment],
  };
  // Checked once the body is in, next to the write, so no other write comes in between.
  try {
    checkWriteConditions(context.headers, context.storage.getObject(bucket.name, key));
  } catch (error) {
    await context.storage.removeSegments(record.segments);
    throw error;
  }
  const stored = await context.storage.putObject(bucket.name, record);
  return new Response(null, {
    status: 200,
    headers: {
      etag: `"${record.etag}"`,
      ...versionHeaders(stored),
      ...checksumHeaders(record.checksum),
      ...encryptionHeaders(context),
    },
  });
}

async function copyObject(context: RequestContext): Promise<Response> {
  const bucket = loadBucket(context, "WRITE");
  const key = context.address.key!;
  checkKey(key);
  const source = loadCopySource(context);
  const directive = (context.headers.get("x-amz-metadata-directive") ?? "COPY").toUpperCase();
  if (directive !== "COPY" && directive !== "REPLACE") {
    throw new S3Error(
      "InvalidArgument",
      `Cannot use metadata directive "${directive}": use COPY or REPLACE`,
      {
        extra: { ArgumentName: "x-amz-metadata-directive", ArgumentValue: directive },
      },
    );
  }
  const owner = objectOwner(context, bucket.acl.owner);
  const requestedAcl = aclFromHeaders(context.headers, owner, context.users, bucket.acl.owner);
  if (requestedAcl) newObjectAcl(context, bucket, owner);
  // Copying an older version onto its own key is how a version is restored: allowed.
  if (
    source.bucket === bucket.name && source.object.key === key && directive === "COPY" &&
    requestedAcl === undefined && source.versionId === undefined
  ) {
    throw new S3Error(
      "InvalidRequest",
      "This copy request is illegal because it is trying to copy an object to itself without " +
        "changing the object's metadata, storage class, website redirect location or " +
        "encryption attributes.",
    );
  }
  await context.body?.cancel().catch(() => {});
  const { headers, metadata } = directive === "REPLACE"
    ? objectHeadersFrom(context.headers)
    : { headers: source.object.headers, metadata: source.object.metadata };
  // The copy keeps a checksum: the one asked for (`x-amz-checksum-algorithm`), or the
  // source's algorithm, computed again over the bytes copied (a composite one becomes whole).
  const asked = context.headers.get("x-amz-checksum-algorithm");
  const algorithm = asked === null ? source.object.checksum?.algorithm : checksumAlgorithm(asked);
  if (asked !== null && algorithm === undefined) {
    throw new S3Error("InvalidRequest", "Value for x-amz-checksum-algorithm header is invalid.");
  }
  const copied = checkBody(
    await context.storage.readSegments(source.object.segments, 0, source.object.size - 1),
    algorithm && { algorithm },
  );
  const written = await context.storage.writeBlob(copied.body);
  const sum = copied.checksum();
  const record: ObjectRecord = {
    key,
    size: written.segment.size,
    etag: written.md5,
    lastModified: new Date().toISOString(),
    headers,
    metadata,
    acl: requestedAcl ?? cannedAcl("private", owner),
    // RGW 16 copies the source's tags whatever x-amz-tagging(-directive) asks.
    ...(source.object.tags ? { tags: source.object.tags } : {}),
    ...(sum ? { checksum: { ...sum, type: "FULL_OBJECT" as const } } : {}),
    segments: [written.segment],
  };
  const stored = await context.storage.putObject(bucket.name, record);
  const response = xmlResponse(xmlDocument("CopyObjectResult", {
    LastModified: xmlDate(record.lastModified),
    ETag: `"${record.etag}"`,
    ...checksumElements(record.checksum),
  }));
  // S3 names the new version and the version copied from (RGW 16 sends neither header).
  for (const [name, value] of Object.entries(versionHeaders(stored))) {
    response.headers.set(name, value);
  }
  if (source.versionId !== undefined) {
    response.headers.set("x-amz-copy-source-version-id", source.versionId);
  }
  return response;
}

const RESPONSE_OVERRIDES: Record<string, string> = {
  "response-content-type": "content-type",
  "response-content-language": "content-language",
  "response-expires": "expires",
  "response-cache-control": "cache-control",
  "response-content-disposition": "content-disposition",
  "response-content-encoding": "content-encoding",
};

/**
 * Refuses `response-*` overrides that must not be honoured: any from an anonymous request (a
 * public link would choose how the server labels someone's object, `text/html` making a page of
 * this origin: AWS and RGW 16 answer 400 `InvalidRequest`), and values that cannot be a header
 * (a control character or a byte beyond ASCII: 400 `InvalidArgument`, not a 500 when the
 * response is built).
 *
 * @param context The request.
 * @throws {S3Error} `InvalidRequest` or `InvalidArgument`.
 */
function checkResponseOverrides(context: RequestContext): void {
  for (const param of Object.keys(RESPONSE_OVERRIDES)) {
    const value = context.query.get(param);
    if (value === null) continue;
    if (context.principal.kind === "anonymous") {
      throw new S3Error(
        "InvalidRequest",
        "Request specific response headers cannot be used for anonymous GET requests.",
      );
    }
    if (!/^[\x20-\x7e\t]*$/.test(value)) {
      throw new S3Error(
        "InvalidArgument",
        `Cannot use "${param}": its value must be printable ASCII, got a control or non-ASCII character`,
        { extra: { ArgumentName: param } },
      );
    }
  }
}

function objectResponseHeaders(context: RequestContext, object: ObjectRecord): Headers {
  const headers = new Headers({
    etag: `"${object.etag}"`,
    "last-modified": httpDate(object.lastModified),
    "accept-ranges": "bytes",
    ...versionHeaders(object, requestedVersion(context)),
  });
  for (const [name, value] of Object.entries(object.headers)) headers.set(name, value);
  for (const [name, value] of Object.entries(object.metadata)) {
    headers.set(`x-amz-meta-${name}`, value);
  }
  const tagCount = object.tags?.length ?? 0;
  if (tagCount > 0) headers.set("x-amz-tagging-count", String(tagCount));
  for (const [param, header] of Object.entries(RESPONSE_OVERRIDES)) {
    const value = context.query.get(param);
    if (value !== null) headers.set(header, value);
  }
  return headers;
}

/**
 * GetObject and HeadObject (`GET`/`HEAD /bucket/key`, `?versionId=`): conditional headers, a
 * single `Range` (206, or 416 `InvalidRange`) and `response-*` overrides. A delete marker answers
 * 404 `NoSuchKey`, as RGW 16 does.
 *
 * @param context The request.
 * @returns The object (streamed) or its headers.
 */
export async function getObject(context: RequestContext): Promise<Response> {
  checkResponseOverrides(context);
  const object = loadObject(context, "READ");
  try {
    checkConditions(context.headers, object);
  } catch (error) {
    if (error instanceof S3Error && error.code === "NotModified") {
      return new Response(null, {
        status: 304,
        headers: { etag: `"${object.etag}"`, "last-modified": httpDate(object.lastModified) },
      });
    }
    throw error;
  }
  const headers = objectResponseHeaders(context, object);
  const range = parseRange(context.headers.get("range"), object.size);
  const start = range?.start ?? 0;
  const end = range?.end ?? object.size - 1;
  headers.set("content-length", String(end - start + 1));
  if (range) headers.set("content-range", `bytes ${start}-${end}/${object.size}`);
  // The checksum is of the whole object: not sent with a range, as S3 does.
  if (!range && checksumModeEnabled(context.headers)) {
    for (const [name, value] of Object.entries(checksumHeaders(object.checksum))) {
      headers.set(name, value);
    }
  }
  const status = range ? 206 : 200;
  if (context.method === "HEAD") return new Response(null, { status, headers });
  const body = await context.storage.readSegments(object.segments, start, end);
  return new Response(body, { status, headers });
}

/**
 * Headers that tell what a delete did: the version removed or the marker made
 * (`x-amz-version-id`), and `x-amz-delete-marker: true` when that was a marker.
 *
 * @param outcome What the storage did.
 * @returns The headers.
 */
export function deleteHeaders(outcome: DeleteOutcome): Record<string, string> {
  const headers: Record<string, string> = {};
  if (outcome.versionId !== undefined) headers["x-amz-version-id"] = outcome.versionId;
  if (outcome.deleteMarker) headers["x-amz-delete-marker"] = "true";
  return headers;
}

/**
 * DeleteObject (`DELETE /bucket/key`): 204 whether or not the key existed. Without `versionId`
 * it removes the object (unversioned) or adds a delete marker (versioned); with one, it removes
 * that version or marker for good.
 *
 * @param context The request.
 * @returns 204, with the version headers.
 */
export async function deleteObject(context: RequestContext): Promise<Response> {
  const bucket = loadBucket(context, "WRITE");
  const key = context.address.key!;
  const versionId = requestedVersion(context);
  const outcome = versionId === undefined
    ? await context.storage.deleteObject(bucket.name, key)
    : await context.storage.deleteVersion(bucket.name, key, versionId);
  // RGW names the `null` version even when there was none to remove.
  if (versionId === "null") outcome.versionId = "null";
  return new Response(null, { status: 204, headers: deleteHeaders(outcome) });
}

/** The attributes GetObjectAttributes can be asked for (`x-amz-object-attributes`). */
const OBJECT_ATTRIBUTES = ["ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize"];

/**
 * GetObjectAttributes (`GET /bucket/key?attributes`, `x-amz-object-attributes`), as S3
 * documents it: the ETag, checksum, parts (of a multipart object, with their checksums), storage
 * class and size asked for, without the bytes. (RGW 16 has no such operation and answers the
 * object itself; allowlisted in the conformance suite.)
 *
 * @param context The request.
 * @returns `GetObjectAttributesResponse`.
 */
export function getObjectAttributes(context: RequestContext): Promise<Response> {
  const object = loadObject(context, "READ");
  const asked = (context.headers.get("x-amz-object-attributes") ?? "").split(",")
    .map((a) => a.trim()).filter((a) => a !== "");
  if (asked.length === 0) {
    throw new S3Error(
      "InvalidArgument",
      "The x-amz-object-attributes header specifying the attributes to be retrieved is either " +
        "missing or empty",
    );
  }
  const unknown = asked.find((a) => !OBJECT_ATTRIBUTES.includes(a));
  if (unknown !== undefined) {
    throw new S3Error("InvalidArgument", "Invalid attribute name specified.", {
      extra: { ArgumentName: "x-amz-object-attributes", ArgumentValue: unknown },
    });
  }
  const want = new Set(asked);
  const parts = object.parts ?? [];
  const marker = Number(context.query.get("part-number-marker") ?? 0) || 0;
  const maxParts = Math.min(Number(context.headers.get("x-amz-max-parts") ?? 1000) || 1000, 1000);
  const page = parts.filter((p) => p.number > marker).slice(0, maxParts);
  const algorithm = object.checksum?.algorithm;
  const content = {
    ETag: want.has("ETag") ? object.etag : undefined,
    Checksum: want.has("Checksum") && object.checksum
      ? checksumElements(object.checksum)
      : undefined,
    ObjectParts: want.has("ObjectParts") && parts.length > 0
      ? {
        PartsCount: parts.length,
        PartNumberMarker: marker,
        NextPartNumberMarker: page.at(-1)?.number ?? marker,
        MaxParts: maxParts,
        IsTruncated: page.length > 0 && page.at(-1)!.number < parts.at(-1)!.number,
        Part: page.map((p) => ({
          PartNumber: p.number,
          Size: p.size,
          ...(p.checksum && algorithm ? { [checksumField(algorithm)]: p.checksum } : {}),
        })),
      }
      : undefined,
    StorageClass: want.has("StorageClass") ? "STANDARD" : undefined,
    ObjectSize: want.has("ObjectSize") ? object.size : undefined,
  };
  const response = xmlResponse(xmlDocument("GetObjectAttributesResponse", content));
  response.headers.set("last-modified", httpDate(object.lastModified));
  for (const [name, value] of Object.entries(versionHeaders(object, requestedVersion(context)))) {
    response.headers.set(name, value);
  }
  return Promise.resolve(response);
}
