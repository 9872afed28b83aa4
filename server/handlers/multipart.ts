/**
 * Multipart upload requests: CreateMultipartUpload, UploadPart (and UploadPartCopy),
 * CompleteMultipartUpload, AbortMultipartUpload, ListParts, ListMultipartUploads.
 *
 * @module
 */

import type { RequestContext } from "../context.ts";
import {
  checkPartChecksum,
  checksumElements,
  completedChecksum,
  uploadChecksum,
} from "../checksums.ts";
import { checksumField, checksumHeader } from "../../core/checksum.ts";
import { S3Error } from "../errors.ts";
import { checkBody } from "../integrity.ts";
import { encodeListValue, pageSize } from "../listing.ts";
import { completionParts, listedEtag, multipartEtag, partNumber } from "../multipart.ts";
import type { ObjectRecord, PartRecord, UploadRecord } from "../storage/types.ts";
import { readSmallBody, xmlDocument, xmlResponse } from "../xml.ts";
import {
  encryptionHeaders,
  loadBucket,
  newObjectAcl,
  objectHeadersFrom,
  objectOwner,
  ownerXml,
  uploadLimits,
  versionHeaders,
  xmlDate,
} from "./common.ts";
import { checkKey, loadCopySource } from "./request.ts";

function loadUpload(context: RequestContext, permission: "READ" | "WRITE" = "WRITE"): UploadRecord {
  const bucket = loadBucket(context, permission);
  const id = context.query.get("uploadId") ?? "";
  const upload = context.storage.getUpload(id);
  if (!upload || upload.bucket !== bucket.name || upload.key !== context.address.key) {
    throw new S3Error("NoSuchUpload", undefined, { extra: { UploadId: id } });
  }
  return upload;
}

/**
 * CreateMultipartUpload (`POST /bucket/key?uploads`).
 *
 * @param context The request.
 * @returns `InitiateMultipartUploadResult`.
 */
export async function createUpload(context: RequestContext): Promise<Response> {
  const bucket = loadBucket(context, "WRITE");
  const key = context.address.key!;
  checkKey(key);
  await context.body?.cancel().catch(() => {});
  const owner = objectOwner(context, bucket.acl.owner);
  const { headers, metadata } = objectHeadersFrom(context.headers);
  Object.assign(headers, encryptionHeaders(context));
  const checksum = uploadChecksum(context.headers);
  // `x-amz-tagging` is not kept: RGW 16 completes the object untagged (measured).
  const upload: UploadRecord = {
    id: `2~${crypto.randomUUID().replaceAll("-", "")}`,
    bucket: bucket.name,
    key,
    initiated: new Date().toISOString(),
    initiator: owner,
    headers,
    metadata,
    acl: newObjectAcl(context, bucket, owner),
    ...(checksum ? { checksum } : {}),
    parts: {},
  };
  await context.storage.createUpload(upload);
  const response = xmlResponse(xmlDocument("InitiateMultipartUploadResult", {
    Bucket: bucket.name,
    Key: key,
    UploadId: upload.id,
  }));
  if (checksum) {
    response.headers.set("x-amz-checksum-algorithm", checksum.algorithm);
    response.headers.set("x-amz-checksum-type", checksum.type);
  }
  return response;
}

/**
 * Reads `x-amz-copy-source-range: bytes=a-b` against a source size.
 *
 * @param header The header value, or `null` for the whole object.
 * @param size The source object's size.
 * @returns The inclusive range.
 * @throws {S3Error} `InvalidRange`.
 */
export function copySourceRange(header: string | null, size: number) {
  if (header === null) return { start: 0, end: size - 1 };
  const m = /^bytes=(\d+)-(\d+)$/.exec(header.trim());
  // RGW 16 answers 416 InvalidRange to any range it cannot use, malformed ones included.
  if (!m || Number(m[2]) < Number(m[1])) {
    throw new S3Error("InvalidRange", `Cannot read copy range "${header}": use bytes=a-b`);
  }
  const start = Number(m[1]);
  const end = Number(m[2]);
  if (end >= size) throw new S3Error("InvalidRange");
  return { start, end };
}

/**
 * UploadPart (`PUT /bucket/key?partNumber=N&uploadId=ID`), or UploadPartCopy with
 * `x-amz-copy-source`.
 *
 * @param context The request.
 * @returns 200 with the part's ETag (or a `CopyPartResult`).
 */
export async function uploadPart(context: RequestContext): Promise<Response> {
  const copying = context.headers.has("x-amz-copy-source");
  let upload: ReturnType<typeof loadUpload>;
  try {
    upload = loadUpload(context);
  } catch (error) {
    // RGW finds out the upload is gone only after taking the part's bytes (`100 Continue`
    // first): read them, then refuse.
    const gone = error instanceof S3Error && error.code === "NoSuchUpload";
    if (gone && !copying && context.body) await context.body.pipeTo(new WritableStream());
    throw error;
  }
  const number = partNumber(context.query.get("partNumber"));
  let body = context.body;
  let options = {};
  let partChecksum = context.bodyChecksum;
  if (!copying) checkPartChecksum(upload, context.declaredChecksum);
  if (copying) {
    await context.body?.cancel().catch(() => {});
    const source = loadCopySource(context);
    const range = copySourceRange(
      context.headers.get("x-amz-copy-source-range"),
      source.object.size,
    );
    body = await context.storage.readSegments(source.object.segments, range.start, range.end);
    if (upload.checksum) {
      // A copied part gets its checksum computed from the bytes copied, as S3 does.
      const checked = checkBody(body, { algorithm: upload.checksum.algorithm });
      body = checked.body;
      partChecksum = checked.checksum;
    }
  } else {
    options = uploadLimits(context);
  }
  const written = await context.storage.writeBlob(body, options);
  const sum = partChecksum();
  const part: PartRecord = {
    number,
    etag: written.md5,
    size: written.segment.size,
    lastModified: new Date().toISOString(),
    ...(sum && sum.algorithm === upload.checksum?.algorithm ? { checksum: sum.value } : {}),
    segment: written.segment,
  };
  await context.storage.putPart(upload.id, part);
  if (copying) {
    return xmlResponse(xmlDocument("CopyPartResult", {
      LastModified: xmlDate(part.lastModified),
      ETag: `"${part.etag}"`,
      ...(sum ? { [checksumField(sum.algorithm)]: sum.value } : {}),
    }));
  }
  const headers: Record<string, string> = { etag: `"${part.etag}"` };
  if (sum) headers[checksumHeader(sum.algorithm)] = sum.value;
  return new Response(null, { status: 200, headers });
}

/**
 * CompleteMultipartUpload (`POST /bucket/key?uploadId=ID`): joins the listed parts, without
 * copying their bytes. Sent again once the upload has completed, it answers the same result.
 *
 * @param context The request.
 * @returns `CompleteMultipartUploadResult`.
 */
export async function completeUpload(context: RequestContext): Promise<Response> {
  const bucket = loadBucket(context, "WRITE");
  const upload = context.storage.getUpload(context.query.get("uploadId") ?? "");
  if (!upload || upload.bucket !== bucket.name || upload.key !== context.address.key) {
    return completedBefore(context, bucket.name, await readSmallBody(context.body));
  }
  const parts = completionParts(await readSmallBody(context.body), upload);
  const checksum = completedChecksum(upload, parts, context.headers);
  const record: ObjectRecord = {
    key: upload.key,
    size: parts.reduce((sum, p) => sum + p.size, 0),
    etag: multipartEtag(parts),
    lastModified: new Date().toISOString(),
    headers: upload.headers,
    metadata: upload.metadata,
    acl: upload.acl,
    ...(checksum ? { checksum } : {}),
    parts: parts.map((p) => ({
      number: p.number,
      size: p.size,
      ...(p.checksum ? { checksum: p.checksum } : {}),
    })),
    segments: parts.map((p) => p.segment),
  };
  const stored = await context.storage.completeUpload(upload.id, record);
  const response = xmlResponse(xmlDocument("CompleteMultipartUploadResult", {
    Location: `/${upload.bucket}/${encodeListValue(upload.key, true)}`,
    Bucket: upload.bucket,
    Key: upload.key,
    ETag: `"${record.etag}"`,
    ...checksumElements(checksum),
  }));
  for (const [name, value] of Object.entries(versionHeaders(stored))) {
    response.headers.set(name, value);
  }
  return response;
}

/**
 * Answers a CompleteMultipartUpload whose upload is gone, as RGW does: when the key's current
 * object has the ETag the listed parts make, the completion already happened (a retry after a
 * lost answer) and it answers 200 again; otherwise `NoSuchUpload` (S3's answer; RGW 16 answers
 * 500 `InternalError`, allowlisted).
 */
function completedBefore(context: RequestContext, bucket: string, body: string): Response {
  const key = context.address.key!;
  const etag = listedEtag(body);
  const current = context.storage.getObject(bucket, key);
  if (etag === undefined || current === undefined || current.etag !== etag) {
    throw new S3Error("NoSuchUpload", undefined, {
      extra: { UploadId: context.query.get("uploadId") ?? "" },
    });
  }
  const response = xmlResponse(xmlDocument("CompleteMultipartUploadResult", {
    Location: `/${bucket}/${encodeListValue(key, true)}`,
    Bucket: bucket,
    Key: key,
    ETag: `"${current.etag}"`,
    ...checksumElements(current.checksum),
  }));
  for (const [name, value] of Object.entries(versionHeaders(current))) {
    response.headers.set(name, value);
  }
  return response;
}

/**
 * AbortMultipartUpload (`DELETE /bucket/key?uploadId=ID`).
 *
 * @param context The request.
 * @returns 204.
 */
export async function abortUpload(context: RequestContext): Promise<Response> {
  const upload = loadUpload(context);
  await context.storage.deleteUpload(upload.id);
  return new Response(null, { status: 204 });
}

/**
 * ListParts (`GET /bucket/key?uploadId=ID`).
 *
 * @param context The request.
 * @returns `ListPartsResult`.
 */
export function listParts(context: RequestContext): Promise<Response> {
  const upload = loadUpload(context, "READ");
  const marker = Number(context.query.get("part-number-marker") ?? 0) || 0;
  const maxParts = pageSize(context.query, "max-parts");
  const all = Object.values(upload.parts).filter((p) => p.number > marker)
    .sort((a, b) => a.number - b.number);
  const page = all.slice(0, maxParts);
  const truncated = all.length > page.length;
  return Promise.resolve(xmlResponse(xmlDocument("ListPartsResult", {
    Bucket: upload.bucket,
    Key: upload.key,
    UploadId: upload.id,
    Initiator: ownerXml(upload.initiator, context.users),
    Owner: ownerXml(upload.acl.owner, context.users),
    StorageClass: "STANDARD",
    ...(upload.checksum
      ? { ChecksumAlgorithm: upload.checksum.algorithm, ChecksumType: upload.checksum.type }
      : {}),
    PartNumberMarker: marker,
    NextPartNumberMarker: page.length > 0 ? page[page.length - 1].number : marker,
    MaxParts: maxParts,
    IsTruncated: truncated,
    Part: page.map((p) => ({
      PartNumber: p.number,
      LastModified: xmlDate(p.lastModified),
      ETag: `"${p.etag}"`,
      Size: p.size,
      ...(p.checksum && upload.checksum
        ? { [checksumField(upload.checksum.algorithm)]: p.checksum }
        : {}),
    })),
  })));
}

/**
 * ListMultipartUploads (`GET /bucket?uploads`): uploads in progress, by key then start time,
 * with prefix, delimiter (common prefixes), markers and page size.
 *
 * @param context The request.
 * @returns `ListMultipartUploadsResult`.
 */
export function listUploads(context: RequestContext): Promise<Response> {
  const bucket = loadBucket(context, "READ");
  const q = context.query;
  const prefix = q.get("prefix") ?? "";
  const keyMarker = q.get("key-marker") ?? "";
  const idMarker = q.get("upload-id-marker") ?? "";
  const maxUploads = pageSize(q, "max-uploads");
  const url = q.get("encoding-type") === "url";
  const all = context.storage.listUploads(bucket.name).filter((u) =>
    u.key.startsWith(prefix) &&
    (keyMarker === "" || u.key > keyMarker || (u.key === keyMarker && idMarker !== "" &&
      u.id > idMarker))
  );
  const delimiter = q.get("delimiter") ?? "";
  const page: UploadRecord[] = [];
  const prefixes: string[] = [];
  let truncated = false;
  let lastKey = "";
  let lastId = "";
  for (const upload of all) {
    const cut = delimiter === "" ? -1 : upload.key.indexOf(delimiter, prefix.length);
    const common = cut < 0 ? undefined : upload.key.slice(0, cut + delimiter.length);
    if (common !== undefined && (common === prefixes.at(-1) || common <= keyMarker)) continue;
    if (page.length + prefixes.length >= maxUploads) {
      truncated = true;
      break;
    }
    if (common !== undefined) {
      prefixes.push(common);
      lastKey = common;
      lastId = "";
    } else {
      page.push(upload);
      lastKey = upload.key;
      lastId = upload.id;
    }
  }
  return Promise.resolve(xmlResponse(xmlDocument("ListMultipartUploadsResult", {
    Bucket: bucket.name,
    KeyMarker: encodeListValue(keyMarker, url),
    UploadIdMarker: idMarker,
    NextKeyMarker: truncated ? encodeListValue(lastKey, url) : undefined,
    NextUploadIdMarker: truncated ? lastId : undefined,
    Prefix: encodeListValue(prefix, url),
    Delimiter: delimiter === "" ? undefined : encodeListValue(delimiter, url),
    EncodingType: url ? "url" : undefined,
    MaxUploads: maxUploads,
    IsTruncated: truncated,
    Upload: page.map((u) => ({
      Key: encodeListValue(u.key, url),
      UploadId: u.id,
      Initiator: ownerXml(u.initiator, context.users),
      Owner: ownerXml(u.acl.owner, context.users),
      StorageClass: "STANDARD",
      Initiated: xmlDate(u.initiated),
    })),
    CommonPrefixes: prefixes.map((p) => ({ Prefix: encodeListValue(p, url) })),
  })));
}
