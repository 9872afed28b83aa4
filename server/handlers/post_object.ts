/**
 * POST Object: S3's browser-based upload, an HTML form (`multipart/form-data`) posted to a
 * bucket, as Ceph RGW 16 answers it. The form's fields come first, then the file, which streams
 * into storage; the POST policy (`post_policy.ts`) decides who uploads and what is allowed. A
 * form without a policy is anonymous (the bucket's ACL decides).
 *
 * Where RGW 16 differs from AWS and is unsafe or surprising, AWS is followed and the README says
 * so: a form without a file part is refused (`InvalidArgument`), where RGW stores an empty object.
 *
 * @module
 */

import type { RequestContext } from "../context.ts";
import { S3Error } from "../errors.ts";
import { formBoundary, readForm } from "../form.ts";
import { checkPolicy } from "../post_policy.ts";
import type { ObjectRecord } from "../storage/types.ts";
import type { Principal } from "../types.ts";
import { escapeXml } from "../../core/xml.ts";
import { checkKey } from "./request.ts";
import {
  loadBucket,
  MAX_PUT_SIZE,
  newObjectAcl,
  objectHeadersFrom,
  objectOwner,
  versionHeaders,
} from "./common.ts";

/** Form fields stored as the object's headers (the file part's own Content-Type is not). */
const HEADER_FIELDS = [
  "cache-control",
  "content-type",
  "content-disposition",
  "content-encoding",
  "expires",
];

function headersOf(fields: Array<[string, string]>): Headers {
  const headers = new Headers();
  for (const [name, value] of fields) {
    const lower = name.toLowerCase();
    if (HEADER_FIELDS.includes(lower)) headers.set(lower, value);
    // RGW keeps metadata fields named in lower case only.
    else if (name.startsWith("x-amz-meta-")) headers.set(name, value);
    else if (lower === "acl") headers.set("x-amz-acl", value);
  }
  return headers;
}

function fieldOf(fields: Array<[string, string]>, name: string): string | undefined {
  return fields.find(([n]) => n.toLowerCase() === name)?.[1];
}

/**
 * POST Object (`POST /bucket` with a form): stores the form's file under its `key` field.
 *
 * @param context The request.
 * @returns 204 (or `success_action_status` 200 or 201 with a `PostResponse`), or 303 to
 *   `success_action_redirect`.
 */
export async function postObject(context: RequestContext): Promise<Response> {
  const boundary = formBoundary(context.headers.get("content-type") ?? "");
  if (boundary === undefined) {
    // RGW 16 takes a signed POST without a form for an operation it lacks.
    if (context.principal.kind === "user") {
      throw new S3Error(
        "NotImplemented",
        "Cannot POST to a bucket without a subresource unless it is a form upload",
      );
    }
    throw new S3Error("InvalidArgument", "Request Content-Type is not multipart/form-data");
  }
  loadBucket(context);
  if (!context.emulation.postObject) {
    throw new S3Error(
      "NotImplemented",
      `Cannot accept a browser form upload on ${context.emulation.describes}: use a presigned PUT`,
    );
  }
  if (!context.body) throw new S3Error("InvalidArgument", "Cannot read the form upload: no body");
  const form = await readForm(context.body, boundary);
  try {
    return await store(context, form.fields, form.file);
  } finally {
    await form.file?.stream.cancel().catch(() => {});
  }
}

async function store(
  context: RequestContext,
  fields: Array<[string, string]>,
  file: Awaited<ReturnType<typeof readForm>>["file"],
): Promise<Response> {
  const bucketName = context.address.bucket!;
  let key = fieldOf(fields, "key");
  if (key === undefined) throw new S3Error("InvalidArgument", "Key not specified");
  let principal: Principal = { kind: "anonymous" };
  let lengthRange: [number, number] | undefined;
  if (fieldOf(fields, "policy") !== undefined) {
    // The bucket posted to is the one checked: a `bucket` field (the SDK sends one) never
    // stands in for it, so a policy for one bucket cannot upload to another.
    const sent = fields.filter(([name]) => name.toLowerCase() !== "bucket");
    const bucketField = fields.some(([name]) => name.toLowerCase() === "bucket");
    const checked = checkPolicy(
      [...sent, ["bucket", bucketName]],
      context.users,
      new Date(),
    );
    if (bucketField && fieldOf(fields, "bucket") !== bucketName) {
      throw new S3Error("AccessDenied", "Policy check failed, variable not met condition: bucket");
    }
    principal = { kind: "user", user: checked.user };
    lengthRange = checked.lengthRange;
  }
  if (!file) {
    throw new S3Error(
      "InvalidArgument",
      'POST requires exactly one file upload per request: add a form field named "file", last',
    );
  }
  key = key.replaceAll("${filename}", file.filename);
  checkKey(key);
  const formContext: RequestContext = { ...context, principal, headers: headersOf(fields) };
  const bucket = loadBucket(formContext, "WRITE");
  const owner = objectOwner(formContext, bucket.acl.owner);
  const acl = newObjectAcl(formContext, bucket, owner);
  const { headers, metadata } = objectHeadersFrom(formContext.headers);
  const max = Math.min(lengthRange?.[1] ?? MAX_PUT_SIZE, MAX_PUT_SIZE);
  const written = await context.storage.writeBlob(file.stream, { maxLength: max });
  await file.finish();
  if (lengthRange && written.segment.size < lengthRange[0]) {
    await context.storage.removeSegments([written.segment]);
    throw new S3Error("EntityTooSmall");
  }
  const record: ObjectRecord = {
    key,
    size: written.segment.size,
    etag: written.md5,
    lastModified: new Date().toISOString(),
    headers,
    metadata,
    acl,
    segments: [written.segment],
  };
  const stored = await context.storage.putObject(bucket.name, record);
  const etag = `"${record.etag}"`;
  const answer = { etag, ...versionHeaders(stored) };
  const redirect = fieldOf(fields, "success_action_redirect");
  if (redirect !== undefined && /^https?:\/\//i.test(redirect)) {
    const to = new URL(redirect);
    to.searchParams.append("bucket", bucket.name);
    to.searchParams.append("key", key);
    to.searchParams.append("etag", etag);
    return new Response(null, { status: 303, headers: { ...answer, location: to.href } });
  }
  const status = fieldOf(fields, "success_action_status");
  if (status === "201") {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<PostResponse><Location>${
      escapeXml(`${context.headers.get("host") ?? "localhost"}/${bucket.name}/${key}`)
    }</Location><Bucket>${escapeXml(bucket.name)}</Bucket><Key>${
      escapeXml(key)
    }</Key><ETag>${record.etag}</ETag></PostResponse>`;
    return new Response(xml, {
      status: 201,
      headers: { ...answer, "content-type": "application/xml" },
    });
  }
  return new Response(null, { status: status === "200" ? 200 : 204, headers: answer });
}
