/**
 * Conformance cases: object versioning. Enabling and suspending it, version ids on writes, reads
 * and deletes by `versionId`, delete markers, the `null` version, copies from old versions,
 * multipart uploads, ListObjectVersions and its two markers, DeleteObjects with version ids and
 * DeleteBucket while versions remain. Version ids differ between engines: setup steps capture
 * them (`{v1}`...) and the cases compare their shapes (`vid:` fields, `versions`).
 *
 * @module
 */

import type { Case, SetupStep } from "../runner.ts";
import { ANON, bucket, complete, createUpload, OTHER, put, uploadPart } from "./_common.ts";

function versioningXml(status: string): string {
  return '<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
    `<Status>${status}</Status></VersioningConfiguration>`;
}

function versioning(status: string): SetupStep {
  return { method: "PUT", bucket: "{b}", query: { versioning: "" }, body: versioningXml(status) };
}

/** A versioned bucket. */
const VERSIONED: SetupStep[] = [bucket(), versioning("Enabled")];

/** PUT that captures the version id it answers as `name`. */
function putVersion(key: string, body: string, name: string, extra: Partial<SetupStep> = {}) {
  return put(key, body, { ...extra, capture: { [name]: "header:x-amz-version-id" } });
}

/** DELETE that captures the delete marker's id as `name`. */
function deleteMarker(key: string, name: string): SetupStep {
  return {
    method: "DELETE",
    bucket: "{b}",
    key,
    capture: { [name]: "header:x-amz-version-id" },
  };
}

/** Two versions of `k` (`{v1}`, `{v2}`) in a versioned bucket. */
const TWO_VERSIONS: SetupStep[] = [
  ...VERSIONED,
  putVersion("k", "first body", "v1", { headers: { "x-amz-meta-n": "1" } }),
  putVersion("k", "second body!", "v2", { headers: { "x-amz-meta-n": "2" } }),
];

/** `k` written before versioning (the null version), then `{v1}` and a delete marker `{dm}`. */
const HISTORY: SetupStep[] = [
  bucket(),
  put("k", "before versioning"),
  versioning("Enabled"),
  putVersion("k", "first body", "v1"),
  deleteMarker("k", "dm"),
];

const VERSION_HEADERS = ["vid:header:x-amz-version-id", "header:x-amz-delete-marker"];

function deleteBody(items: Array<[string, string?]>): string {
  return `<Delete>${
    items.map(([key, id]) =>
      `<Object><Key>${key}</Key>${id === undefined ? "" : `<VersionId>${id}</VersionId>`}</Object>`
    ).join("")
  }</Delete>`;
}

function deleteObjects(items: Array<[string, string?]>) {
  return {
    method: "POST",
    bucket: "{b}",
    query: { delete: "" },
    body: deleteBody(items),
    md5: true,
  };
}

const DELETE_RESULT = [
  "xmlset:DeleteResult.Deleted.Key",
  "vid:xmlset:DeleteResult.Deleted.VersionId",
  "xmlset:DeleteResult.Deleted.DeleteMarker",
  "vid:xmlset:DeleteResult.Deleted.DeleteMarkerVersionId",
];

const LIST = { method: "GET", bucket: "{b}", query: { versions: "" } };

const PAGE = [
  "versions",
  "xml:ListVersionsResult.IsTruncated",
  "xml:ListVersionsResult.NextKeyMarker",
  "vid:xml:ListVersionsResult.NextVersionIdMarker",
];

/** Keys a (3 versions), b/1, b/2, c (a marker over one version). */
const MANY: SetupStep[] = [
  ...VERSIONED,
  putVersion("a", "a1", "a1"),
  putVersion("a", "a2", "a2"),
  putVersion("a", "a3", "a3"),
  putVersion("b/1", "b1", "b1"),
  putVersion("b/2", "b2", "b2"),
  putVersion("c", "c1", "c1"),
  deleteMarker("c", "cm"),
];

export const VERSIONING: Case[] = [
  // Turning it on and off.
  {
    name: "GetBucketVersioning of a new bucket has no status",
    setup: [bucket()],
    request: { method: "GET", bucket: "{b}", query: { versioning: "" } },
    expect: { status: 200 },
    compare: ["has:VersioningConfiguration.Status", "has:VersioningConfiguration.MfaDelete"],
  },
  {
    name: "PutBucketVersioning Enabled is accepted",
    setup: [bucket()],
    request: versioning("Enabled"),
    expect: { status: 200 },
  },
  {
    name: "GetBucketVersioning after enabling says Enabled",
    setup: VERSIONED,
    request: { method: "GET", bucket: "{b}", query: { versioning: "" } },
    expect: { status: 200 },
    compare: ["xml:VersioningConfiguration.Status", "xml:VersioningConfiguration.MfaDelete"],
  },
  {
    name: "GetBucketVersioning after suspending says Suspended",
    setup: [...VERSIONED, versioning("Suspended")],
    request: { method: "GET", bucket: "{b}", query: { versioning: "" } },
    expect: { status: 200 },
    compare: ["xml:VersioningConfiguration.Status"],
  },
  {
    name: "Suspending a never-versioned bucket is accepted",
    setup: [bucket(), versioning("Suspended")],
    request: { method: "GET", bucket: "{b}", query: { versioning: "" } },
    expect: { status: 200 },
    compare: ["xml:VersioningConfiguration.Status"],
  },
  {
    name: "PutBucketVersioning with an unknown status is refused",
    setup: [bucket()],
    request: versioning("On"),
    expect: { status: 400, code: "InvalidArgument" },
  },
  {
    name: "PutBucketVersioning with malformed XML is refused",
    setup: [bucket()],
    request: { method: "PUT", bucket: "{b}", query: { versioning: "" }, body: "<Versioning" },
    expect: { status: 400, code: "InvalidArgument" },
  },
  {
    name: "PutBucketVersioning by another user is refused",
    setup: [bucket("public-read-write")],
    request: { ...versioning("Enabled"), auth: OTHER },
    expect: { status: 403, code: "AccessDenied" },
  },
  {
    name: "GetBucketVersioning by another user is refused",
    setup: [bucket("public-read")],
    request: { method: "GET", bucket: "{b}", query: { versioning: "" }, auth: OTHER },
    expect: { status: 403, code: "AccessDenied" },
  },
  {
    name: "PutBucketVersioning on a missing bucket",
    request: versioning("Enabled"),
    expect: { status: 404, code: "NoSuchBucket" },
  },

  // Version ids on writes and reads.
  {
    name: "PutObject in a versioned bucket answers a version id",
    setup: VERSIONED,
    request: { method: "PUT", bucket: "{b}", key: "k", body: "x" },
    expect: { status: 200 },
    compare: ["vid:header:x-amz-version-id", "header:etag"],
  },
  {
    name: "PutObject in an unversioned bucket answers no version id",
    setup: [bucket()],
    request: { method: "PUT", bucket: "{b}", key: "k", body: "x" },
    expect: { status: 200 },
    compare: ["header:x-amz-version-id"],
  },
  {
    name: "PutObject in a suspended bucket answers no version id",
    setup: [...VERSIONED, versioning("Suspended")],
    request: { method: "PUT", bucket: "{b}", key: "k", body: "x" },
    expect: { status: 200 },
    compare: ["header:x-amz-version-id"],
  },
  {
    name: "GetObject answers the newest version and its id",
    setup: TWO_VERSIONS,
    request: { method: "GET", bucket: "{b}", key: "k" },
    expect: { status: 200 },
    compare: ["body", "vid:header:x-amz-version-id", "header:x-amz-meta-n", "header:etag"],
  },
  {
    name: "GetObject of an older version by id",
    setup: TWO_VERSIONS,
    request: { method: "GET", bucket: "{b}", key: "k", query: { versionId: "{v1}" } },
    expect: { status: 200 },
    compare: ["body", "vid:header:x-amz-version-id", "header:x-amz-meta-n", "header:etag"],
  },
  {
    name: "HeadObject of an older version by id",
    setup: TWO_VERSIONS,
    request: { method: "HEAD", bucket: "{b}", key: "k", query: { versionId: "{v1}" } },
    expect: { status: 200 },
    compare: ["vid:header:x-amz-version-id", "header:content-length", "header:etag"],
  },
  {
    name: "GetObject with an empty versionId reads the newest version",
    setup: TWO_VERSIONS,
    request: { method: "GET", bucket: "{b}", key: "k", query: { versionId: "" } },
    expect: { status: 200 },
    compare: ["body", "vid:header:x-amz-version-id"],
  },
  {
    name: "GetObject of an older version with a range",
    setup: TWO_VERSIONS,
    request: {
      method: "GET",
      bucket: "{b}",
      key: "k",
      query: { versionId: "{v1}" },
      headers: { range: "bytes=0-4" },
    },
    expect: { status: 206 },
    compare: ["body", "header:content-range", "vid:header:x-amz-version-id"],
  },
  {
    name: "GetObject of an older version with a failing If-Match",
    setup: TWO_VERSIONS,
    request: {
      method: "GET",
      bucket: "{b}",
      key: "k",
      query: { versionId: "{v1}" },
      headers: { "if-match": '"0123"' },
    },
    expect: { status: 412, code: "PreconditionFailed" },
  },
  {
    name: "GetObject with an unknown version id",
    setup: TWO_VERSIONS,
    request: { method: "GET", bucket: "{b}", key: "k", query: { versionId: "no-such-version" } },
    expect: { status: 404, code: "NoSuchKey" },
  },
  {
    name: "GetObject with the version id of another key",
    setup: [...TWO_VERSIONS, put("other", "x")],
    request: { method: "GET", bucket: "{b}", key: "other", query: { versionId: "{v1}" } },
    expect: { status: 404, code: "NoSuchKey" },
  },
  {
    name: "GetObject of the null version written before versioning was enabled",
    setup: HISTORY,
    request: { method: "GET", bucket: "{b}", key: "k", query: { versionId: "null" } },
    expect: { status: 200 },
    compare: ["body", "vid:header:x-amz-version-id"],
  },
  {
    name: "GetObject of a pre-versioning object in a versioned bucket has no version id",
    setup: [bucket(), put("k", "before"), versioning("Enabled")],
    request: { method: "GET", bucket: "{b}", key: "k" },
    expect: { status: 200 },
    compare: ["body", "header:x-amz-version-id"],
  },
  {
    name: "HeadObject with versionId null in an unversioned bucket",
    setup: [bucket(), put("k", "plain")],
    request: { method: "HEAD", bucket: "{b}", key: "k", query: { versionId: "null" } },
    expect: { status: 200 },
    compare: ["header:x-amz-version-id", "header:content-length"],
  },
  {
    name: "Anonymous GetObject of a public-read older version",
    setup: [
      ...VERSIONED,
      putVersion("k", "public", "v1", { headers: { "x-amz-acl": "public-read" } }),
      put("k", "private"),
    ],
    request: { method: "GET", bucket: "{b}", key: "k", query: { versionId: "{v1}" }, auth: ANON },
    expect: { status: 200 },
    compare: ["body", "vid:header:x-amz-version-id"],
  },
  {
    name: "Anonymous GetObject of a private older version is refused",
    setup: [...VERSIONED, putVersion("k", "private", "v1"), put("k", "newer")],
    request: { method: "GET", bucket: "{b}", key: "k", query: { versionId: "{v1}" }, auth: ANON },
    expect: { status: 403, code: "AccessDenied" },
  },

  // Delete markers.
  {
    name: "DeleteObject in a versioned bucket makes a delete marker",
    setup: TWO_VERSIONS,
    request: { method: "DELETE", bucket: "{b}", key: "k" },
    expect: { status: 204 },
    compare: VERSION_HEADERS,
  },
  {
    name: "GetObject on a delete marker",
    setup: HISTORY,
    request: { method: "GET", bucket: "{b}", key: "k" },
    expect: { status: 404, code: "NoSuchKey" },
    compare: VERSION_HEADERS,
  },
  {
    name: "HeadObject on a delete marker",
    setup: HISTORY,
    request: { method: "HEAD", bucket: "{b}", key: "k" },
    expect: { status: 404 },
    compare: VERSION_HEADERS,
  },
  {
    name: "GetObject of a delete marker by id",
    setup: HISTORY,
    request: { method: "GET", bucket: "{b}", key: "k", query: { versionId: "{dm}" } },
    expect: { status: 404, code: "NoSuchKey" },
    compare: VERSION_HEADERS,
  },
  {
    name: "HeadObject of a delete marker by id",
    setup: HISTORY,
    request: { method: "HEAD", bucket: "{b}", key: "k", query: { versionId: "{dm}" } },
    expect: { status: 404 },
    compare: VERSION_HEADERS,
  },
  {
    name: "GetObject of a version behind a delete marker",
    setup: HISTORY,
    request: { method: "GET", bucket: "{b}", key: "k", query: { versionId: "{v1}" } },
    expect: { status: 200 },
    compare: ["body", "vid:header:x-amz-version-id"],
  },
  {
    name: "DeleteObject on a delete marker adds no second marker",
    setup: HISTORY,
    request: { method: "DELETE", bucket: "{b}", key: "k" },
    expect: { status: 204 },
    compare: VERSION_HEADERS,
  },
  {
    name: "ListObjectVersions after two deletes shows one marker",
    setup: [...HISTORY, { method: "DELETE", bucket: "{b}", key: "k" }],
    request: LIST,
    expect: { status: 200 },
    compare: ["versions"],
  },
  {
    name: "DeleteObject of the delete marker by id",
    setup: HISTORY,
    request: { method: "DELETE", bucket: "{b}", key: "k", query: { versionId: "{dm}" } },
    expect: { status: 204 },
    compare: VERSION_HEADERS,
  },
  {
    name: "GetObject after the delete marker is removed answers the object again",
    setup: [...HISTORY, {
      method: "DELETE",
      bucket: "{b}",
      key: "k",
      query: { versionId: "{dm}" },
    }],
    request: { method: "GET", bucket: "{b}", key: "k" },
    expect: { status: 200 },
    compare: ["body", "vid:header:x-amz-version-id"],
  },
  {
    name: "DeleteObject of a version by id",
    setup: TWO_VERSIONS,
    request: { method: "DELETE", bucket: "{b}", key: "k", query: { versionId: "{v2}" } },
    expect: { status: 204 },
    compare: VERSION_HEADERS,
  },
  {
    name: "GetObject after the newest version is deleted answers the one before",
    setup: [...TWO_VERSIONS, {
      method: "DELETE",
      bucket: "{b}",
      key: "k",
      query: { versionId: "{v2}" },
    }],
    request: { method: "GET", bucket: "{b}", key: "k" },
    expect: { status: 200 },
    compare: ["body", "vid:header:x-amz-version-id"],
  },
  {
    name: "GetObject of a version deleted by id",
    setup: [...TWO_VERSIONS, {
      method: "DELETE",
      bucket: "{b}",
      key: "k",
      query: { versionId: "{v1}" },
    }],
    request: { method: "GET", bucket: "{b}", key: "k", query: { versionId: "{v1}" } },
    expect: { status: 404, code: "NoSuchKey" },
  },
  {
    name: "DeleteObject of a missing key in a versioned bucket makes a marker",
    setup: VERSIONED,
    request: { method: "DELETE", bucket: "{b}", key: "never-written" },
    expect: { status: 204 },
    compare: VERSION_HEADERS,
  },
  {
    name: "DeleteObject with an unknown version id",
    setup: TWO_VERSIONS,
    request: { method: "DELETE", bucket: "{b}", key: "k", query: { versionId: "no-such-version" } },
    expect: { status: 204 },
    compare: VERSION_HEADERS,
  },
  {
    name: "DeleteObject in an unversioned bucket answers no version headers",
    setup: [bucket(), put("k")],
    request: { method: "DELETE", bucket: "{b}", key: "k" },
    expect: { status: 204 },
    compare: VERSION_HEADERS,
  },
  {
    name: "ListObjectsV2 hides a key whose newest version is a delete marker",
    setup: [...HISTORY, put("kept", "x")],
    request: { method: "GET", bucket: "{b}", query: { "list-type": "2" } },
    expect: { status: 200 },
    compare: ["xml:ListBucketResult.Contents.Key", "xml:ListBucketResult.KeyCount"],
  },

  // The null version.
  {
    name: "A suspended overwrite replaces the null version only",
    setup: [...HISTORY, versioning("Suspended"), put("k", "suspended 1"), put("k", "suspended 2")],
    request: LIST,
    expect: { status: 200 },
    compare: ["versions", "xml:ListVersionsResult.Version.Size"],
  },
  {
    name: "GetObject of the null version after a suspended overwrite",
    setup: [...HISTORY, versioning("Suspended"), put("k", "suspended body")],
    request: { method: "GET", bucket: "{b}", key: "k", query: { versionId: "null" } },
    expect: { status: 200 },
    compare: ["body", "vid:header:x-amz-version-id"],
  },
  {
    name: "A version made while enabled survives suspension",
    setup: [...HISTORY, versioning("Suspended"), put("k", "suspended body")],
    request: { method: "GET", bucket: "{b}", key: "k", query: { versionId: "{v1}" } },
    expect: { status: 200 },
    compare: ["body", "vid:header:x-amz-version-id"],
  },
  {
    name: "DeleteObject in a suspended bucket makes a null delete marker",
    setup: [...TWO_VERSIONS, versioning("Suspended"), put("k", "null body")],
    request: { method: "DELETE", bucket: "{b}", key: "k" },
    expect: { status: 204 },
    compare: VERSION_HEADERS,
  },
  {
    name: "ListObjectVersions after a suspended delete",
    setup: [...TWO_VERSIONS, versioning("Suspended"), put("k", "null body"), {
      method: "DELETE",
      bucket: "{b}",
      key: "k",
    }],
    request: LIST,
    expect: { status: 200 },
    compare: ["versions"],
  },

  // Copies and multipart uploads.
  {
    name: "CopyObject from an older version copies its body",
    setup: [...TWO_VERSIONS, {
      method: "PUT",
      bucket: "{b}",
      key: "copy",
      headers: { "x-amz-copy-source": "/{b}/k?versionId={v1}" },
    }],
    request: { method: "GET", bucket: "{b}", key: "copy" },
    expect: { status: 200 },
    compare: ["body", "header:x-amz-meta-n"],
  },
  {
    name: "CopyObject from an older version answers the new version id",
    setup: TWO_VERSIONS,
    request: {
      method: "PUT",
      bucket: "{b}",
      key: "copy",
      headers: { "x-amz-copy-source": "/{b}/k?versionId={v1}" },
    },
    expect: { status: 200 },
    compare: ["vid:header:x-amz-version-id", "vid:header:x-amz-copy-source-version-id"],
  },
  {
    name: "CopyObject of an older version onto its own key restores it",
    setup: [...TWO_VERSIONS, {
      method: "PUT",
      bucket: "{b}",
      key: "k",
      headers: { "x-amz-copy-source": "/{b}/k?versionId={v1}" },
    }],
    request: LIST,
    expect: { status: 200 },
    compare: ["versions", "xml:ListVersionsResult.Version.Size"],
  },
  {
    name: "CopyObject from a delete marker",
    setup: HISTORY,
    request: {
      method: "PUT",
      bucket: "{b}",
      key: "copy",
      headers: { "x-amz-copy-source": "/{b}/k?versionId={dm}" },
    },
    expect: { status: 404, code: "NoSuchKey" },
  },
  {
    name: "CopyObject from a key whose newest version is a delete marker",
    setup: HISTORY,
    request: {
      method: "PUT",
      bucket: "{b}",
      key: "copy",
      headers: { "x-amz-copy-source": "/{b}/k" },
    },
    expect: { status: 404, code: "NoSuchKey" },
  },
  {
    name: "CopyObject from an unknown version id",
    setup: TWO_VERSIONS,
    request: {
      method: "PUT",
      bucket: "{b}",
      key: "copy",
      headers: { "x-amz-copy-source": "/{b}/k?versionId=no-such-version" },
    },
    expect: { status: 404, code: "NoSuchKey" },
  },
  {
    name: "UploadPartCopy from an older version copies its bytes",
    setup: [...TWO_VERSIONS, createUpload(), {
      method: "PUT",
      bucket: "{b}",
      key: "mp.bin",
      query: { partNumber: "1", uploadId: "{upload}" },
      headers: { "x-amz-copy-source": "/{b}/k?versionId={v1}" },
    }],
    request: { method: "GET", bucket: "{b}", key: "mp.bin", query: { uploadId: "{upload}" } },
    expect: { status: 200 },
    compare: ["xml:ListPartsResult.Part.Size", "xml:ListPartsResult.Part.ETag"],
  },
  {
    name: "UploadPartCopy from a delete marker",
    setup: [...HISTORY, createUpload()],
    request: {
      method: "PUT",
      bucket: "{b}",
      key: "mp.bin",
      query: { partNumber: "1", uploadId: "{upload}" },
      headers: { "x-amz-copy-source": "/{b}/k?versionId={dm}" },
    },
    expect: { status: 404, code: "NoSuchKey" },
  },
  {
    name: "CompleteMultipartUpload in a versioned bucket answers a version id",
    setup: [...VERSIONED, createUpload(), uploadPart(1, "only part")],
    request: complete([[1, "{etag1}"]]),
    expect: { status: 200 },
    compare: ["vid:header:x-amz-version-id", "xml:CompleteMultipartUploadResult.Key"],
  },
  {
    name: "A multipart upload adds a version over the object",
    setup: [
      ...VERSIONED,
      putVersion("mp.bin", "simple", "v1"),
      createUpload(),
      uploadPart(1, "only part"),
      complete([[1, "{etag1}"]]),
    ],
    request: LIST,
    expect: { status: 200 },
    compare: ["versions", "xml:ListVersionsResult.Version.Size"],
  },

  // ACLs of versions.
  {
    name: "GetObjectAcl of an older version",
    setup: [
      ...VERSIONED,
      putVersion("k", "x", "v1", { headers: { "x-amz-acl": "public-read" } }),
      put("k", "y"),
    ],
    request: { method: "GET", bucket: "{b}", key: "k", query: { acl: "", versionId: "{v1}" } },
    expect: { status: 200 },
    compare: ["grants"],
  },
  {
    name: "PutObjectAcl on an older version leaves the newest alone",
    setup: [...TWO_VERSIONS, {
      method: "PUT",
      bucket: "{b}",
      key: "k",
      query: { acl: "", versionId: "{v1}" },
      headers: { "x-amz-acl": "public-read" },
    }],
    request: { method: "GET", bucket: "{b}", key: "k", query: { acl: "" } },
    expect: { status: 200 },
    compare: ["grants"],
  },
  {
    name: "PutObjectAcl on an older version changes that version",
    setup: [...TWO_VERSIONS, {
      method: "PUT",
      bucket: "{b}",
      key: "k",
      query: { acl: "", versionId: "{v1}" },
      headers: { "x-amz-acl": "public-read" },
    }],
    request: { method: "GET", bucket: "{b}", key: "k", query: { acl: "", versionId: "{v1}" } },
    expect: { status: 200 },
    compare: ["grants"],
  },
  {
    name: "PutObjectAcl with an unknown version id",
    setup: TWO_VERSIONS,
    request: {
      method: "PUT",
      bucket: "{b}",
      key: "k",
      query: { acl: "", versionId: "no-such-version" },
      headers: { "x-amz-acl": "public-read" },
    },
    expect: { status: 404, code: "NoSuchKey" },
  },
  {
    name: "GetObjectAcl on a delete marker",
    setup: HISTORY,
    request: { method: "GET", bucket: "{b}", key: "k", query: { acl: "" } },
    expect: { status: 404, code: "NoSuchKey" },
  },

  // ListObjectVersions.
  {
    name: "ListObjectVersions lists versions newest first with markers between",
    setup: MANY,
    request: LIST,
    expect: { status: 200 },
    compare: ["versions", "xml:ListVersionsResult.IsTruncated"],
  },
  {
    name: "ListObjectVersions of an unversioned bucket lists null versions",
    setup: [bucket(), put("a"), put("b")],
    request: LIST,
    expect: { status: 200 },
    compare: ["versions"],
  },
  {
    name: "ListObjectVersions shows size, ETag and owner",
    setup: HISTORY,
    request: LIST,
    expect: { status: 200 },
    compare: [
      "xml:ListVersionsResult.Version.Size",
      "xml:ListVersionsResult.Version.ETag",
      "xml:ListVersionsResult.Version.Owner.ID",
      "xml:ListVersionsResult.Version.StorageClass",
      "xml:ListVersionsResult.DeleteMarker.Owner.ID",
      "has:ListVersionsResult.DeleteMarker.LastModified",
      "xml:ListVersionsResult.Name",
    ],
  },
  {
    name: "ListObjectVersions with a prefix",
    setup: MANY,
    request: { ...LIST, query: { versions: "", prefix: "b/" } },
    expect: { status: 200 },
    compare: ["versions", "xml:ListVersionsResult.Prefix"],
  },
  {
    name: "ListObjectVersions with a delimiter rolls keys up",
    setup: MANY,
    request: { ...LIST, query: { versions: "", delimiter: "/" } },
    expect: { status: 200 },
    compare: [
      "versions",
      "xml:ListVersionsResult.CommonPrefixes.Prefix",
      "xml:ListVersionsResult.Delimiter",
    ],
  },
  {
    name: "ListObjectVersions max-keys truncates inside a key's versions",
    setup: MANY,
    request: { ...LIST, query: { versions: "", "max-keys": "2" } },
    expect: { status: 200 },
    compare: [...PAGE, "xml:ListVersionsResult.MaxKeys"],
  },
  {
    name: "ListObjectVersions resumes after key-marker and version-id-marker",
    setup: MANY,
    request: {
      ...LIST,
      query: { versions: "", "key-marker": "a", "version-id-marker": "{a3}", "max-keys": "3" },
    },
    expect: { status: 200 },
    compare: [
      ...PAGE,
      "xml:ListVersionsResult.KeyMarker",
      "vid:xml:ListVersionsResult.VersionIdMarker",
    ],
  },
  {
    name: "ListObjectVersions pages across keys with both markers",
    setup: MANY,
    request: {
      ...LIST,
      query: { versions: "", "key-marker": "a", "version-id-marker": "{a1}", "max-keys": "3" },
    },
    expect: { status: 200 },
    compare: PAGE,
  },
  {
    name: "ListObjectVersions last page after a delete marker",
    setup: MANY,
    request: {
      ...LIST,
      query: { versions: "", "key-marker": "c", "version-id-marker": "{cm}", "max-keys": "3" },
    },
    expect: { status: 200 },
    compare: PAGE,
  },
  {
    name: "ListObjectVersions with an unknown version-id-marker skips that key",
    setup: MANY,
    request: {
      ...LIST,
      query: { versions: "", "key-marker": "a", "version-id-marker": "no-such-version" },
    },
    expect: { status: 200 },
    compare: ["versions"],
  },
  {
    name: "ListObjectVersions with a key-marker alone",
    setup: MANY,
    request: { ...LIST, query: { versions: "", "key-marker": "a" } },
    expect: { status: 200 },
    compare: ["versions"],
  },
  {
    name: "ListObjectVersions ignores a version-id-marker without a key-marker",
    setup: MANY,
    request: { ...LIST, query: { versions: "", "version-id-marker": "{a2}" } },
    expect: { status: 200 },
    compare: ["versions", "vid:xml:ListVersionsResult.VersionIdMarker"],
  },
  {
    name: "ListObjectVersions with max-keys 0",
    setup: MANY,
    request: { ...LIST, query: { versions: "", "max-keys": "0" } },
    expect: { status: 200 },
    compare: ["versions", "xml:ListVersionsResult.IsTruncated"],
  },
  {
    name: "ListObjectVersions by another user of a private bucket is refused",
    setup: MANY,
    request: { ...LIST, auth: OTHER },
    expect: { status: 403, code: "AccessDenied" },
  },

  // DeleteObjects with version ids.
  {
    name: "DeleteObjects without version ids makes delete markers",
    setup: MANY,
    request: deleteObjects([["a"], ["b/1"]]),
    expect: { status: 200 },
    compare: DELETE_RESULT,
  },
  {
    name: "DeleteObjects with version ids removes those versions",
    setup: MANY,
    request: deleteObjects([["a", "{a1}"], ["a", "{a2}"], ["b/1", "{b1}"]]),
    expect: { status: 200 },
    compare: DELETE_RESULT,
  },
  {
    name: "DeleteObjects removing a delete marker by id reports it",
    setup: MANY,
    request: deleteObjects([["c", "{cm}"]]),
    expect: { status: 200 },
    compare: DELETE_RESULT,
  },
  {
    name: "DeleteObjects with an unknown version id reports it deleted",
    setup: MANY,
    request: deleteObjects([["a", "no-such-version"]]),
    expect: { status: 200 },
    compare: DELETE_RESULT,
  },
  {
    name: "DeleteObjects of a key whose newest version is a delete marker",
    setup: MANY,
    request: deleteObjects([["c"]]),
    expect: { status: 200 },
    compare: DELETE_RESULT,
  },
  {
    name: "ListObjectVersions after DeleteObjects with version ids",
    setup: [...MANY, deleteObjects([["a", "{a3}"], ["c", "{cm}"]])],
    request: LIST,
    expect: { status: 200 },
    compare: ["versions"],
  },

  // DeleteBucket.
  {
    name: "DeleteBucket with older versions left is refused",
    setup: [...TWO_VERSIONS, {
      method: "DELETE",
      bucket: "{b}",
      key: "k",
      query: { versionId: "{v2}" },
    }],
    request: { method: "DELETE", bucket: "{b}" },
    expect: { status: 409, code: "BucketNotEmpty" },
  },
  {
    name: "DeleteBucket with only a delete marker left is refused",
    setup: [...VERSIONED, putVersion("k", "x", "v1"), deleteMarker("k", "dm"), {
      method: "DELETE",
      bucket: "{b}",
      key: "k",
      query: { versionId: "{v1}" },
    }],
    request: { method: "DELETE", bucket: "{b}" },
    expect: { status: 409, code: "BucketNotEmpty" },
  },
  {
    name: "DeleteBucket after every version and marker is removed",
    setup: [
      ...VERSIONED,
      putVersion("k", "x", "v1"),
      deleteMarker("k", "dm"),
      deleteObjects([["k", "{v1}"], ["k", "{dm}"]]),
    ],
    request: { method: "DELETE", bucket: "{b}" },
    expect: { status: 204 },
  },
];
