/**
 * Known, accepted differences between the embedded server and Ceph RGW, each with its reason.
 * A case listed here may differ in the listed fields (or in any field when `fields` is absent);
 * any other difference fails the suite, and so does an entry whose case no longer differs.
 *
 * What goes here: RGW bugs (an empty ETag, a 500) and places where RGW departs from S3's
 * documented behaviour while the embedded server follows S3; never a shortcoming of the
 * embedded server.
 *
 * @module
 */

const CHECKSUMS_PREDATE =
  "Ceph RGW 16 predates x-amz-checksum-* (added in later Ceph, ceph/ceph#55076): it ignores " +
  "the headers, stores the body whatever checksum comes with it and returns none. The embedded " +
  "server answers as AWS S3 documents (Checking object integrity; S3's answers as recorded in " +
  "OpenStack Swift's s3api tests): a checksum verified, stored and returned, a mismatch 400 " +
  "BadDigest with nothing stored";

const NO_ATTRIBUTES =
  "Ceph RGW 16 has no GetObjectAttributes: it answers GET ?attributes with the object itself. " +
  "The embedded server answers S3's GetObjectAttributesResponse (ETag, Checksum, ObjectParts, " +
  "StorageClass, ObjectSize), which SDKs and the checksum chapter read";

function checksumAllowances(): Record<string, Allowance> {
  const out: Record<string, Allowance> = {};
  for (const name of ["crc32", "crc32c", "crc64nvme", "sha1", "sha256"]) {
    out[`PutObject with the right x-amz-checksum-${name} is stored`] = {
      reason: CHECKSUMS_PREDATE,
      fields: [`header:x-amz-checksum-${name}`],
    };
    out[`PutObject with a wrong x-amz-checksum-${name} is refused and stores nothing`] = {
      reason: CHECKSUMS_PREDATE,
      fields: ["status", "code"],
      embedded: { status: 400, code: "BadDigest" },
    };
    out[`HeadObject with x-amz-checksum-mode returns the stored ${name}`] = {
      reason: CHECKSUMS_PREDATE,
      fields: [`header:x-amz-checksum-${name}`, "header:x-amz-checksum-type"],
    };
  }
  return out;
}

/** Why a case may differ, and in which fields. */
export interface Allowance {
  /** Why the difference is accepted (not a bug to fix). */
  reason: string;
  /** The fields allowed to differ (`status`, `code`, `header:etag`, ...). @default all */
  fields?: string[];
  /** What the embedded server must answer instead (checked), where it is stricter than RGW. */
  embedded?: { status: number; code?: string };
}

const COMPLETE_ETAG =
  "RGW 16.2 answers an empty <ETag/> in CompleteMultipartUploadResult (an RGW bug); the " +
  "embedded server sends the multipart ETag as S3 does. The ETag itself is compared through " +
  '"GetObject of a completed multipart object"';

const QUOTED_ETAG =
  "RGW 16.2 compares If-Match/If-None-Match on PutObject with the unquoted ETag, so the quoted " +
  "ETag every client sends (and a list of ETags) never matches (an RGW bug); S3 matches quoted " +
  "and unquoted ETags (RFC 9110), as the embedded server does. Unquoted ETags answer the same on " +
  'both ("PutObject with If-Match of the ETag unquoted")';

const VERSIONED_CONDITION =
  "RGW 16.2 checks If-Match/If-None-Match on PutObject in a versioning-enabled bucket against " +
  "the new version it is writing (which never exists), not against the key's current version " +
  "(an RGW bug: suspended and unversioned buckets check the current object); S3 and the " +
  "embedded server check the current version";

const RETRY_MISMATCH =
  "RGW 16.2 answers a CompleteMultipartUpload whose upload is gone with 500 InternalError " +
  "('This multipart completion is already in progress', an RGW bug) unless the key's current " +
  "object has the ETag the listed parts make (a retry, answered 200 on both engines); S3 and the " +
  "embedded server answer 404 NoSuchUpload";

const LOCATION_NAME =
  "The RGW under test reports its zone group's name, 'default', as every bucket's location; " +
  "the embedded server reports its region the way S3 does for us-east-1 (an empty " +
  "LocationConstraint), which SDKs read as a region they can sign for ('default' is none). " +
  "Both accept 'default' in CreateBucket and refuse other names alike";

const UNKNOWN_GRANTEE =
  "RGW 16.2 answers an x-amz-grant-* header naming an unknown user or e-mail address with 404 " +
  "NoSuchKey (an RGW bug: the same grantee in an XML body is 400 UnresolvableGrantByEmailAddress " +
  "on both engines); S3 documents 400 UnresolvableGrantByEmailAddress for an unknown address " +
  "and 400 InvalidArgument for an unknown id, which the embedded server answers";

const RAW_ECHO =
  "With encoding-type=url, RGW 16.2 encodes keys and common prefixes but echoes Prefix, " +
  "Delimiter and StartAfter raw; S3 encodes all of them, and clients (botocore) url-decode " +
  "all of them when EncodingType is url, so a raw '%' or '+' would come back changed. The " +
  "embedded server encodes them as S3 does; keys and common prefixes are compared as sent";

const CONTINUE_CLOSE =
  "RGW 16 answers a request refused before 100 Continue and keeps the connection, so body bytes " +
  "the client sends anyway are parsed as the next request (request smuggling behind a proxy " +
  "that reuses connections); the embedded server closes the connection after the answer, as " +
  "RFC 9110 §10.1.1 allows, so the next request goes on a new connection";

const UNSIGNED_HOLE =
  "RGW 16.2.15 has the CVE-2026-54330 class unsigned-header hole: it acts on x-amz-* headers " +
  "and a Host that the signature does not cover. AWS and the fixed servers (s3s, SeaweedFS, " +
  "RustFS, s3proxy 4.1.1) refuse: 403 AccessDenied, There were headers present in the request " +
  "which were not signed (docs/security.md)";

const STRICTER_UNSIGNED: Allowance = {
  reason: UNSIGNED_HOLE,
  fields: ["status", "code"],
  embedded: { status: 403, code: "AccessDenied" },
};

const GRANT_CAP =
  "RGW 16 caps an ACL at 100 grants (rgw_acl_grants_max_num: 400 LimitExceeded) only in " +
  "PutBucketAcl and PutObjectAcl; CreateBucket and PutObject store any number of x-amz-grant-* " +
  "grants. The embedded server applies the cap wherever an ACL is set, so one request cannot " +
  "store thousands of grants that every later permission check walks";

/** Case name → allowance. */
export const ALLOWLIST: Record<string, Allowance> = {
  "PutObject with 101 x-amz-grant-* grants": {
    reason: GRANT_CAP,
    fields: ["status", "code"],
    embedded: { status: 400, code: "LimitExceeded" },
  },
  "POST Object without a file field": {
    reason: "RGW 16 stores an empty object for a form without a file part and answers 204; S3 " +
      'refuses it (400 InvalidArgument, "POST requires exactly one file upload per request"), ' +
      "as the embedded server does, so a broken web form fails loudly instead of leaving empty objects",
    fields: ["status", "code"],
    embedded: { status: 400, code: "InvalidArgument" },
  },
  ...checksumAllowances(),
  "PutObject with two checksum headers is refused": {
    reason: CHECKSUMS_PREDATE,
    fields: ["status", "code"],
    embedded: { status: 400, code: "InvalidRequest" },
  },
  "CompleteMultipartUpload of a composite CRC32 upload answers its checksum": {
    reason: CHECKSUMS_PREDATE,
    fields: ["xml:CompleteMultipartUploadResult.ChecksumCRC32"],
  },
  "CompleteMultipartUpload of a full-object CRC32 upload answers its checksum": {
    reason: CHECKSUMS_PREDATE,
    fields: ["xml:CompleteMultipartUploadResult.ChecksumCRC32"],
  },
  "CompleteMultipartUpload listing a wrong part checksum is refused": {
    reason: CHECKSUMS_PREDATE,
    fields: ["status", "code"],
    embedded: { status: 400, code: "InvalidPart" },
  },
  "GetObjectAttributes answers the checksum and size": { reason: NO_ATTRIBUTES, fields: ["body"] },
  "GetObjectAttributes of an object": {
    reason: NO_ATTRIBUTES,
    fields: ["body", "header:content-length", "header:etag"],
  },
  "Presigned PUT with an unsigned x-amz-copy-source and x-amz-acl is refused": STRICTER_UNSIGNED,
  "SigV4 PUT replayed with an unsigned x-amz-acl is refused": STRICTER_UNSIGNED,
  "SigV4 GET signed for the iam service is refused": {
    reason: "RGW 16 accepts a SigV4 credential scoped to any service, so a request signed for " +
      "its IAM or STS API (same endpoint, same keys) can be replayed as S3; AWS refuses it: 400 " +
      'AuthorizationHeaderMalformed, incorrect service "iam" (docs/security.md)',
    fields: ["status", "code"],
    embedded: { status: 400, code: "AuthorizationHeaderMalformed" },
  },
  "SigV4 PUT replayed with an unsigned x-amz-meta-* is refused": STRICTER_UNSIGNED,
  "SigV4 GET whose SignedHeaders leaves out host is refused": STRICTER_UNSIGNED,
  "Presigned GET dated ten years ahead is refused": {
    reason: "RGW 16.2.15 checks only the end of a presigned URL's validity, so a URL dated ten " +
      "years ahead stays valid for ten years; AWS and MinIO refuse an X-Amz-Date later than " +
      "the clock skew allows: 403 AccessDenied, Request is not valid yet (docs/security.md)",
    fields: ["status", "code"],
    embedded: { status: 403, code: "AccessDenied" },
  },
  "DeleteBucket by another user on a public-read-write bucket": {
    reason: "RGW 16.2 lets any user holding WRITE on a bucket delete it; S3 lets only the " +
      "owner delete a bucket, and the embedded server keeps S3's rule rather than teach the hole",
    fields: ["status", "code"],
  },
  "PutObject with a key over 1024 bytes is refused": {
    reason: "Both answer 400; RGW names it InvalidObjectName, S3 documents KeyTooLongError, " +
      "which the embedded server sends",
    fields: ["code"],
  },
  "ListObjectsV2 with encoding-type url encodes keys": {
    reason: "RGW also encodes '/' as %2F; S3 leaves '/' as is (measured on AWS, see " +
      "ceph/s3-tests#478). Clients decode both the same way",
    fields: ["xml:ListBucketResult.Contents.Key"],
  },
  "DeleteObjects with malformed XML is refused": {
    reason: "Both answer 400; RGW 16.2 sends an empty body, the embedded server names the " +
      "error (MalformedXML) as S3 does",
    fields: ["code"],
  },
  "CopyObject copies the body and answers its ETag": {
    reason: "RGW 16.2 writes the ETag in CopyObjectResult without quotes; S3 quotes it, as " +
      "in every other ETag, and the embedded server does too",
    fields: ["xml:CopyObjectResult.ETag"],
  },
  "GetObject with If-None-Match of the current ETag is not modified": {
    reason: "RGW 16.2 omits the ETag header on 304; RFC 9110 says a 304 carries it and S3 " +
      "sends it, as the embedded server does",
    fields: ["header:etag"],
  },
  "CompleteMultipartUpload of one part answers a multipart ETag": {
    reason: COMPLETE_ETAG,
    fields: ["xml:CompleteMultipartUploadResult.ETag"],
  },
  "CompleteMultipartUpload of a 5 MiB part and a small part": {
    reason: COMPLETE_ETAG,
    fields: ["xml:CompleteMultipartUploadResult.ETag"],
  },
  "CompleteMultipartUpload with parts listed out of order": {
    reason: "RGW 16.2 sorts the parts and completes; S3 refuses with 400 InvalidPartOrder, " +
      "which the embedded server answers",
    fields: ["status", "code"],
  },
  "CompleteMultipartUpload with an unknown upload id": {
    reason: "RGW 16.2 answers 500 InternalError ('This multipart completion is already in " +
      "progress', an RGW bug); S3 and the embedded server answer 404 NoSuchUpload",
    fields: ["status", "code"],
  },
  "ListParts after an abort": {
    reason: "Both answer 404; RGW 16.2 names it NoSuchKey, S3 documents NoSuchUpload, which " +
      "the embedded server sends",
    fields: ["code"],
  },
  "PutBucketAcl with malformed XML is refused": {
    reason: "Both answer 400; RGW 16.2 names it InvalidArgument, S3 documents " +
      "MalformedACLError, which the embedded server sends",
    fields: ["code"],
  },
  "CopyObject from an older version answers the new version id": {
    reason: "RGW 16.2 sends neither x-amz-version-id nor x-amz-copy-source-version-id on a " +
      "CopyObject into a versioned bucket (an RGW bug: it answers x-amz-version-id on PutObject " +
      "and CompleteMultipartUpload); S3 documents both headers and the embedded server sends " +
      'them. The copied version itself is compared by "CopyObject from an older version copies ' +
      'its body" and "CopyObject of an older version onto its own key restores it"',
    fields: ["vid:header:x-amz-version-id", "vid:header:x-amz-copy-source-version-id"],
  },
  "ListObjectVersions with a key-marker alone": {
    reason: "RGW 16.2 starts at the key-marker itself when no version-id-marker is given; S3 " +
      "(and S3-compatible stores such as OSS) start after it, as ListObjects does with a " +
      "marker, and the embedded server does too. Clients page with both markers, which match " +
      '("ListObjectVersions pages across keys with both markers")',
    fields: ["versions"],
  },
  "GetBucketLifecycle on a bucket without one": {
    reason: "Lifecycle rules are outside the embedded server's scope: by design it answers " +
      "501 NotImplemented for S3 features it does not implement (issue 3)",
    fields: ["status", "code"],
  },
  "PutObject with If-Match of the current ETag replaces it": {
    reason: QUOTED_ETAG,
    fields: ["status", "code", "header:etag"],
  },
  "PutObject with If-None-Match of the current ETag is refused": {
    reason: QUOTED_ETAG,
    fields: ["status", "code"],
  },
  "PutObject with If-Match listing the current ETag among others": {
    reason: QUOTED_ETAG,
    fields: ["status", "code"],
  },
  "PutObject with If-Match in a versioned bucket adds a version": {
    reason: `${QUOTED_ETAG}. ${VERSIONED_CONDITION}`,
    fields: ["status", "code", "header:etag", "vid:header:x-amz-version-id"],
  },
  "PutObject with If-None-Match * in a versioned bucket with a current version": {
    reason: VERSIONED_CONDITION,
    fields: ["status", "code"],
  },
  "PutObject with If-Match of the ETag unquoted in a versioned bucket": {
    reason: VERSIONED_CONDITION,
    fields: ["status", "code"],
  },
  "CompleteMultipartUpload sent again with a wrong part ETag": {
    reason: RETRY_MISMATCH,
    fields: ["status", "code"],
  },
  "CompleteMultipartUpload sent again on another key": {
    reason: RETRY_MISMATCH,
    fields: ["status", "code"],
  },
  "CompleteMultipartUpload sent again after the object was overwritten": {
    reason: RETRY_MISMATCH,
    fields: ["status", "code"],
  },
  "CompleteMultipartUpload sent again after the object was deleted": {
    reason: RETRY_MISMATCH,
    fields: ["status", "code"],
  },
  "CompleteMultipartUpload after an abort": {
    reason: RETRY_MISMATCH,
    fields: ["status", "code"],
  },
  "ListParts of an upload that completed": {
    reason: "Both answer 404; RGW 16.2 names it NoSuchKey, S3 documents NoSuchUpload, which " +
      'the embedded server sends (as for "ListParts after an abort")',
    fields: ["code"],
  },
  "UploadPartCopy with a failing x-amz-copy-source-if-match": {
    reason: "RGW 16.2 ignores x-amz-copy-source-if-* on UploadPartCopy and copies anyway (an RGW " +
      "bug: it honours them on CopyObject); S3 documents them for UploadPartCopy and the " +
      "embedded server answers 412 PreconditionFailed",
    fields: ["status", "code"],
  },
  "GetBucketLocation of a bucket created in default": {
    reason: LOCATION_NAME,
    fields: ["xml:LocationConstraint"],
  },
  "GetBucketLocation of a bucket created without a LocationConstraint": {
    reason: LOCATION_NAME,
    fields: ["xml:LocationConstraint"],
  },
  "PutBucketAcl with x-amz-grant-read by an unknown e-mail address": {
    reason: UNKNOWN_GRANTEE,
    fields: ["status", "code"],
  },
  "CreateBucket with x-amz-grant-write by an unknown e-mail address": {
    reason: UNKNOWN_GRANTEE,
    fields: ["status", "code"],
  },
  "PutObjectAcl with x-amz-grant-full-control by an unknown e-mail address": {
    reason: UNKNOWN_GRANTEE,
    fields: ["status", "code"],
  },
  "x-amz-grant-read with an unknown user id": {
    reason: UNKNOWN_GRANTEE,
    fields: ["status", "code"],
  },
  "ListObjectsV2 with a prefix ending in a newline, url-encoded": {
    reason: RAW_ECHO,
    fields: ["match:<(Key|Prefix|Delimiter|Marker|StartAfter|NextMarker)>[^<]*</\\1>"],
  },
  "ListObjectsV2 with a newline as delimiter, url-encoded": {
    reason: RAW_ECHO,
    fields: ["match:<(Key|Prefix|Delimiter|Marker|StartAfter|NextMarker)>[^<]*</\\1>"],
  },
  "ListObjectsV2 with start-after holding a newline, url-encoded": {
    reason: RAW_ECHO,
    fields: ["match:<(Key|Prefix|Delimiter|Marker|StartAfter|NextMarker)>[^<]*</\\1>"],
  },
  "Expect: 100-continue on an anonymous PutObject into a private bucket is refused first": {
    reason: CONTINUE_CLOSE,
    fields: ["header:x-test-next-request"],
  },
  "Expect: 100-continue on another user's PutObject into a private bucket is refused first": {
    reason: CONTINUE_CLOSE,
    fields: ["header:x-test-next-request"],
  },
  "Expect: 100-continue with a wrong secret is refused before the body": {
    reason: CONTINUE_CLOSE,
    fields: ["header:x-test-next-request"],
  },
  "Expect: 100-continue with an unknown access key is refused before the body": {
    reason: CONTINUE_CLOSE,
    fields: ["header:x-test-next-request"],
  },
  "Expect: 100-continue signed an hour ago is refused before the body": {
    reason: CONTINUE_CLOSE,
    fields: ["header:x-test-next-request"],
  },
  "Expect: 100-continue on a PutObject into a missing bucket is refused first": {
    reason: CONTINUE_CLOSE,
    fields: ["header:x-test-next-request"],
  },
  "Expect: 100-continue on a PutObject announcing over 5 GiB is refused first": {
    reason: CONTINUE_CLOSE,
    fields: ["header:x-test-next-request"],
  },
  "Expect: 100-continue on another user's PutObjectAcl is refused first": {
    reason: CONTINUE_CLOSE,
    fields: ["header:x-test-next-request"],
  },
};
