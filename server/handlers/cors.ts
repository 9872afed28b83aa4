/**
 * Bucket CORS requests: PutBucketCors, GetBucketCors and DeleteBucketCors (`?cors`, the bucket
 * owner only, as RGW), and the preflight `OPTIONS` a browser sends before a cross-origin
 * request (never signed: answered from the bucket's rules alone).
 *
 * @module
 */

import type { RequestContext } from "../context.ts";
import { corsXml, parseCorsXml, preflightHeaders } from "../cors.ts";
import { S3Error } from "../errors.ts";
import type { BucketRecord } from "../storage/types.ts";
import { readSmallBody, xmlDocument, xmlResponse } from "../xml.ts";
import { loadBucket, principalId } from "./common.ts";

function ownBucket(context: RequestContext): BucketRecord {
  const bucket = loadBucket(context);
  if (context.principal.kind !== "user" || principalId(context.principal) !== bucket.acl.owner) {
    throw new S3Error(
      "AccessDenied",
      "Cannot read or change CORS rules: only the bucket's owner may",
    );
  }
  return bucket;
}

/**
 * PutBucketCors (`PUT /bucket?cors`): replaces the bucket's rules.
 *
 * @param context The request.
 * @returns 200.
 */
export async function putBucketCors(context: RequestContext): Promise<Response> {
  context.skipContinue();
  const text = await readSmallBody(context.body);
  const bucket = ownBucket(context);
  const rules = parseCorsXml(text);
  await context.storage.setBucketCors(bucket.name, rules);
  return new Response(null, { status: 200 });
}

/**
 * GetBucketCors (`GET /bucket?cors`): the rules, in RGW's element order.
 *
 * @param context The request.
 * @returns `CORSConfiguration`.
 * @throws {S3Error} `NoSuchCORSConfiguration` when the bucket has none.
 */
export function getBucketCors(context: RequestContext): Promise<Response> {
  const bucket = ownBucket(context);
  if (!bucket.cors) {
    throw new S3Error("NoSuchCORSConfiguration", undefined, { bucketName: bucket.name });
  }
  return Promise.resolve(xmlResponse(xmlDocument("CORSConfiguration", corsXml(bucket.cors))));
}

/**
 * DeleteBucketCors (`DELETE /bucket?cors`): removes the rules (204 also when there were none).
 *
 * @param context The request.
 * @returns 204.
 */
export async function deleteBucketCors(context: RequestContext): Promise<Response> {
  const bucket = ownBucket(context);
  await context.storage.setBucketCors(bucket.name, undefined);
  return new Response(null, { status: 204 });
}

/**
 * A CORS preflight (`OPTIONS` on a bucket or object): 200 with the `Access-Control-*` headers
 * of the rule that allows the method and headers asked for; `InvalidArgument` without `Origin`
 * or `Access-Control-Request-Method`; else `403 AccessDenied`, as RGW answers. The rules are
 * the bucket's own, or the server's default (`--cors-origin`) for a bucket without any.
 *
 * @param context The request.
 * @returns 200 with the headers.
 */
export function preflight(context: RequestContext): Promise<Response> {
  const bucket = loadBucket(context);
  const origin = context.headers.get("origin");
  const method = context.headers.get("access-control-request-method");
  if (origin === null || method === null) {
    throw new S3Error(
      "InvalidArgument",
      "Cannot answer a CORS preflight without Origin and Access-Control-Request-Method",
    );
  }
  const rules = bucket.cors ?? context.defaultCors;
  const headers = preflightHeaders(
    rules,
    origin,
    method,
    context.headers.get("access-control-request-headers"),
  );
  if (!headers) {
    throw new S3Error(
      "AccessDenied",
      rules.length === 0
        ? `Cannot allow ${method} from "${origin}": the bucket has no CORS configuration`
        : `Cannot allow ${method} from "${origin}": no CORS rule allows that origin, method and headers`,
    );
  }
  return Promise.resolve(new Response(null, { status: 200, headers }));
}
