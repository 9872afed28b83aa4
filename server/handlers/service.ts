/**
 * Service-level requests: ListBuckets.
 *
 * @module
 */

import type { RequestContext } from "../context.ts";
import { xmlDocument, xmlResponse } from "../xml.ts";
import { ownerXml, principalId, xmlDate } from "./common.ts";

/**
 * ListBuckets (`GET /`): the buckets the requester owns. Anonymous requests get an empty list
 * owned by `anonymous`, as RGW answers.
 *
 * @param context The request.
 * @returns The `ListAllMyBucketsResult` response.
 */
export function listBuckets(context: RequestContext): Promise<Response> {
  const id = principalId(context.principal);
  const owned = context.principal.kind === "user"
    ? context.storage.listBuckets().filter((b) => b.acl.owner === id)
    : [];
  const xml = xmlDocument("ListAllMyBucketsResult", {
    Owner: ownerXml(id, context.users),
    Buckets: { Bucket: owned.map((b) => ({ Name: b.name, CreationDate: xmlDate(b.created) })) },
  });
  return Promise.resolve(xmlResponse(xml));
}

/**
 * HEAD on the service (`HEAD /`): 200 without a body, as RGW answers.
 *
 * @param _context The request.
 * @returns 200.
 */
export function headService(_context: RequestContext): Promise<Response> {
  return Promise.resolve(
    new Response(null, { status: 200, headers: { "content-type": "application/xml" } }),
  );
}
