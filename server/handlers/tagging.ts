/**
 * Object tagging requests: PutObjectTagging, GetObjectTagging and DeleteObjectTagging
 * (`?tagging`, `&versionId=` for one version), as Ceph RGW 16 answers them.
 *
 * @module
 */

import type { RequestContext } from "../context.ts";
import { tagSet, tagsFromXml } from "../tagging.ts";
import { readSmallBody, xmlDocument, xmlResponse } from "../xml.ts";
import { loadObject, requestedVersion } from "./common.ts";

/**
 * PutObjectTagging (`PUT /bucket/key?tagging`): replaces every tag of the object (or of the
 * version named). RGW 16 names no version in its answer.
 *
 * @param context The request.
 * @returns 200.
 */
export async function putObjectTagging(context: RequestContext): Promise<Response> {
  // RGW reads the whole body first, without `100 Continue`.
  context.skipContinue();
  const text = await readSmallBody(context.body);
  const object = loadObject(context, "WRITE");
  const tags = tagsFromXml(text);
  await context.storage.setObjectTags(
    context.address.bucket!,
    object.key,
    tags,
    requestedVersion(context),
  );
  return new Response(null, { status: 200 });
}

/**
 * GetObjectTagging (`GET /bucket/key?tagging`): the tags, sorted by key.
 *
 * @param context The request.
 * @returns `Tagging`.
 */
export function getObjectTagging(context: RequestContext): Promise<Response> {
  const object = loadObject(context, "READ");
  // RGW 16 names no version here either, even when the request did.
  return Promise.resolve(xmlResponse(xmlDocument("Tagging", { TagSet: tagSet(object.tags) })));
}

/**
 * DeleteObjectTagging (`DELETE /bucket/key?tagging`): removes every tag.
 *
 * @param context The request.
 * @returns 204.
 */
export async function deleteObjectTagging(context: RequestContext): Promise<Response> {
  const object = loadObject(context, "WRITE");
  await context.storage.setObjectTags(
    context.address.bucket!,
    object.key,
    [],
    requestedVersion(context),
  );
  return new Response(null, { status: 204 });
}
