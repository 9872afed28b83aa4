/**
 * The embedded server's routing table: (path shape, method, subresource) → handler.
 *
 * @module
 */

import * as acl from "./handlers/acl.ts";
import * as bucket from "./handlers/bucket.ts";
import * as cors from "./handlers/cors.ts";
import * as multipart from "./handlers/multipart.ts";
import * as object from "./handlers/object.ts";
import * as post from "./handlers/post_object.ts";
import * as service from "./handlers/service.ts";
import * as tagging from "./handlers/tagging.ts";
import type { Handler } from "./context.ts";
import type { Route, Shape } from "./router.ts";

function row(
  shape: Shape,
  method: string,
  sub: string | null,
  operation: string,
  handler: Handler,
): Route {
  return { shape, method, sub, operation, handler };
}

/** Every operation the server implements: (path shape, method, subresource) → handler. */
export const ROUTES: readonly Route[] = [
  row("service", "GET", null, "ListBuckets", service.listBuckets),
  row("service", "HEAD", null, "HeadService", service.headService),

  row("bucket", "PUT", null, "CreateBucket", bucket.createBucket),
  row("bucket", "HEAD", null, "HeadBucket", bucket.headBucket),
  row("bucket", "DELETE", null, "DeleteBucket", bucket.deleteBucket),
  row("bucket", "GET", "location", "GetBucketLocation", bucket.getBucketLocation),
  row("bucket", "GET", "versioning", "GetBucketVersioning", bucket.getBucketVersioning),
  row("bucket", "PUT", "versioning", "PutBucketVersioning", bucket.putBucketVersioning),
  row("bucket", "GET", "versions", "ListObjectVersions", bucket.listObjectVersions),
  row("bucket", "GET", null, "ListObjects", bucket.listObjects),
  row("bucket", "POST", "delete", "DeleteObjects", bucket.deleteObjects),
  row("bucket", "POST", null, "PostObject", post.postObject),
  row("bucket", "OPTIONS", null, "PreflightRequest", cors.preflight),
  row("bucket", "PUT", "cors", "PutBucketCors", cors.putBucketCors),
  row("bucket", "GET", "cors", "GetBucketCors", cors.getBucketCors),
  row("bucket", "DELETE", "cors", "DeleteBucketCors", cors.deleteBucketCors),
  row("bucket", "GET", "acl", "GetBucketAcl", acl.getBucketAcl),
  row("bucket", "PUT", "acl", "PutBucketAcl", acl.putBucketAcl),
  row("bucket", "GET", "uploads", "ListMultipartUploads", multipart.listUploads),

  row("object", "GET", "acl", "GetObjectAcl", acl.getObjectAcl),
  row("object", "PUT", "acl", "PutObjectAcl", acl.putObjectAcl),
  row("object", "PUT", "tagging", "PutObjectTagging", tagging.putObjectTagging),
  row("object", "GET", "tagging", "GetObjectTagging", tagging.getObjectTagging),
  row("object", "DELETE", "tagging", "DeleteObjectTagging", tagging.deleteObjectTagging),
  row("object", "POST", "uploads", "CreateMultipartUpload", multipart.createUpload),
  row("object", "PUT", "uploadId", "UploadPart", multipart.uploadPart),
  row("object", "POST", "uploadId", "CompleteMultipartUpload", multipart.completeUpload),
  row("object", "DELETE", "uploadId", "AbortMultipartUpload", multipart.abortUpload),
  row("object", "GET", "uploadId", "ListParts", multipart.listParts),
  row("object", "PUT", null, "PutObject", object.putObject),
  // RGW 16 has no GetObjectAttributes (it answers the object itself); this follows S3.
  row("object", "GET", "attributes", "GetObjectAttributes", object.getObjectAttributes),
  row("object", "GET", null, "GetObject", object.getObject),
  row("object", "HEAD", null, "HeadObject", object.getObject),
  row("object", "DELETE", null, "DeleteObject", object.deleteObject),
  row("object", "POST", null, "PostObject", post.postObject),
  row("object", "OPTIONS", null, "PreflightRequest", cors.preflight),
];
