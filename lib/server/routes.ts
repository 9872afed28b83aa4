/**
 * The embedded server's routing table: (path shape, method, subresource) → handler.
 *
 * @module
 */

import * as acl from "./handlers/acl.ts";
import * as bucket from "./handlers/bucket.ts";
import * as multipart from "./handlers/multipart.ts";
import * as object from "./handlers/object.ts";
import * as service from "./handlers/service.ts";
import type { Route } from "./router.ts";

/** Every operation the server implements. */
export const ROUTES: readonly Route[] = [
  {
    shape: "service",
    method: "GET",
    sub: null,
    operation: "ListBuckets",
    handler: service.listBuckets,
  },

  {
    shape: "bucket",
    method: "PUT",
    sub: null,
    operation: "CreateBucket",
    handler: bucket.createBucket,
  },
  {
    shape: "bucket",
    method: "HEAD",
    sub: null,
    operation: "HeadBucket",
    handler: bucket.headBucket,
  },
  {
    shape: "bucket",
    method: "DELETE",
    sub: null,
    operation: "DeleteBucket",
    handler: bucket.deleteBucket,
  },
  {
    shape: "bucket",
    method: "GET",
    sub: "location",
    operation: "GetBucketLocation",
    handler: bucket.getBucketLocation,
  },
  {
    shape: "bucket",
    method: "GET",
    sub: "versioning",
    operation: "GetBucketVersioning",
    handler: bucket.getBucketVersioning,
  },
  {
    shape: "bucket",
    method: "GET",
    sub: "versions",
    operation: "ListObjectVersions",
    handler: bucket.listObjectVersions,
  },
  {
    shape: "bucket",
    method: "GET",
    sub: null,
    operation: "ListObjects",
    handler: bucket.listObjects,
  },
  {
    shape: "bucket",
    method: "POST",
    sub: "delete",
    operation: "DeleteObjects",
    handler: bucket.deleteObjects,
  },

  {
    shape: "bucket",
    method: "GET",
    sub: "acl",
    operation: "GetBucketAcl",
    handler: acl.getBucketAcl,
  },
  {
    shape: "bucket",
    method: "PUT",
    sub: "acl",
    operation: "PutBucketAcl",
    handler: acl.putBucketAcl,
  },
  {
    shape: "bucket",
    method: "GET",
    sub: "uploads",
    operation: "ListMultipartUploads",
    handler: multipart.listUploads,
  },

  {
    shape: "object",
    method: "GET",
    sub: "acl",
    operation: "GetObjectAcl",
    handler: acl.getObjectAcl,
  },
  {
    shape: "object",
    method: "PUT",
    sub: "acl",
    operation: "PutObjectAcl",
    handler: acl.putObjectAcl,
  },
  {
    shape: "object",
    method: "POST",
    sub: "uploads",
    operation: "CreateMultipartUpload",
    handler: multipart.createUpload,
  },
  {
    shape: "object",
    method: "PUT",
    sub: "uploadId",
    operation: "UploadPart",
    handler: multipart.uploadPart,
  },
  {
    shape: "object",
    method: "POST",
    sub: "uploadId",
    operation: "CompleteMultipartUpload",
    handler: multipart.completeUpload,
  },
  {
    shape: "object",
    method: "DELETE",
    sub: "uploadId",
    operation: "AbortMultipartUpload",
    handler: multipart.abortUpload,
  },
  {
    shape: "object",
    method: "GET",
    sub: "uploadId",
    operation: "ListParts",
    handler: multipart.listParts,
  },
  { shape: "object", method: "PUT", sub: null, operation: "PutObject", handler: object.putObject },
  { shape: "object", method: "GET", sub: null, operation: "GetObject", handler: object.getObject },
  {
    shape: "object",
    method: "HEAD",
    sub: null,
    operation: "HeadObject",
    handler: object.getObject,
  },
  {
    shape: "object",
    method: "DELETE",
    sub: null,
    operation: "DeleteObject",
    handler: object.deleteObject,
  },
];
