/**
 * The conformance table: request cases, as data, that the embedded server must answer as Ceph RGW
 * does. Each case names its setup, its request and the fields compared; `expect` records what RGW
 * answers (checked on RGW on every run).
 *
 * Variables in strings: `{run}` is this run's bucket prefix, `{b}` the case's own bucket, other
 * names are captured by setup steps. The shared fixture (`FIXTURE`) is created once per engine.
 *
 * @module
 */

import type { AuthSpec, Case, SetupStep, Who } from "./runner.ts";

/** The canned ACLs S3 defines for buckets and objects. */
export const CANNED_ACLS = [
  "private",
  "public-read",
  "public-read-write",
  "authenticated-read",
] as const;
type Canned = typeof CANNED_ACLS[number];

/** Length of a run prefix (`{run}`), so cases can build names of an exact length. */
export const RUN_LENGTH = 10;

/**
 * A new run prefix: `cf` and 8 base-36 characters, unique per run, the same on every engine.
 *
 * @returns The prefix, {@linkcode RUN_LENGTH} characters long.
 */
export function newRunPrefix(): string {
  const stamp = Date.now().toString(36).slice(-6).padStart(6, "0");
  const random = Math.floor(Math.random() * 36 ** 2).toString(36).padStart(2, "0");
  return `cf${stamp}${random}`;
}

/** The body of `{run}-data/data.txt`, the object ranges and conditionals read. */
export const DATA_BODY = "0123456789abcdefghij";
const DATA = "{run}-data";
const FIVE_MIB = { fill: "0123456789abcdef", bytes: 5 * 1024 * 1024 };

/** State every engine gets once before the cases: the ACL matrix and the data bucket. */
export const FIXTURE: SetupStep[] = [
  { method: "PUT", bucket: DATA },
  {
    method: "PUT",
    bucket: DATA,
    key: "data.txt",
    body: DATA_BODY,
    headers: { "content-type": "text/plain", "x-amz-meta-color": "blue" },
  },
  ...["list/a.txt", "list/b.txt", "list/c/d.txt", "list/c/e.txt", "list/f.txt"].map((key) => ({
    method: "PUT",
    bucket: DATA,
    key,
    body: `body of ${key}`,
  })),
  ...CANNED_ACLS.map((acl) => ({
    method: "PUT",
    bucket: DATA,
    key: `acl/${acl}.txt`,
    body: `object with ${acl}`,
    headers: { "x-amz-acl": acl },
  })),
  ...CANNED_ACLS.flatMap((acl): SetupStep[] => [
    { method: "PUT", bucket: `{run}-${acl}`, headers: { "x-amz-acl": acl } },
    { method: "PUT", bucket: `{run}-${acl}`, key: "object.txt", body: "matrix object" },
  ]),
];

const ANON: AuthSpec = { as: "anonymous" };
const OTHER: AuthSpec = { as: "other" };

function bucket(acl?: string): SetupStep {
  return { method: "PUT", bucket: "{b}", headers: acl ? { "x-amz-acl": acl } : undefined };
}

function put(key: string, body = "hello", extra: Partial<SetupStep> = {}): SetupStep {
  return { method: "PUT", bucket: "{b}", key, body, ...extra };
}

function createUpload(key = "mp.bin", name = "upload"): SetupStep {
  return {
    method: "POST",
    bucket: "{b}",
    key,
    query: { uploads: "" },
    capture: { [name]: "InitiateMultipartUploadResult.UploadId" },
  };
}

function uploadPart(n: number, body: SetupStep["body"], key = "mp.bin"): SetupStep {
  return {
    method: "PUT",
    bucket: "{b}",
    key,
    query: { partNumber: String(n), uploadId: "{upload}" },
    body,
    capture: { [`etag${n}`]: "header:etag" },
  };
}

function completeBody(parts: Array<[number, string]>): string {
  return "<CompleteMultipartUpload>" +
    parts.map(([n, etag]) => `<Part><PartNumber>${n}</PartNumber><ETag>${etag}</ETag></Part>`)
      .join("") +
    "</CompleteMultipartUpload>";
}

function complete(parts: Array<[number, string]>, key = "mp.bin"): SetupStep {
  return {
    method: "POST",
    bucket: "{b}",
    key,
    query: { uploadId: "{upload}" },
    body: completeBody(parts),
  };
}

function grantXml(otherPermission: string): string {
  return '<AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
    "<Owner><ID>demo</ID></Owner><AccessControlList>" +
    '<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ' +
    'xsi:type="CanonicalUser"><ID>demo</ID></Grantee><Permission>FULL_CONTROL</Permission>' +
    "</Grant>" +
    '<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ' +
    `xsi:type="CanonicalUser"><ID>other</ID></Grantee><Permission>${otherPermission}` +
    "</Permission></Grant></AccessControlList></AccessControlPolicy>";
}

function deleteXml(keys: string[], quiet = false): string {
  return `<Delete>${quiet ? "<Quiet>true</Quiet>" : ""}${
    keys.map((k) => `<Object><Key>${k}</Key></Object>`).join("")
  }</Delete>`;
}

// ---------------------------------------------------------------------------------------------
// The ACL matrix: owner, other user, anonymous × the four canned ACLs × bucket/object × operation.

const WHO: Who[] = ["demo", "other", "anonymous"];

/** Who may read (objects) or list (buckets) under a canned ACL, as S3 defines it. */
function canRead(acl: Canned, who: Who): boolean {
  if (who === "demo") return true;
  if (acl === "public-read" || acl === "public-read-write") return true;
  return acl === "authenticated-read" && who === "other";
}

function canWriteBucket(acl: Canned, who: Who): boolean {
  return who === "demo" || acl === "public-read-write";
}

function denied(status = 403): Case["expect"] {
  return { status, code: status === 403 ? "AccessDenied" : undefined };
}

/** "a private bucket", "an authenticated-read object". */
function an(acl: Canned, thing: string): string {
  return `${acl.startsWith("a") ? "an" : "a"} ${acl} ${thing}`;
}

const MATRIX: Case[] = CANNED_ACLS.flatMap((acl) =>
  WHO.flatMap((who): Case[] => {
    const auth: AuthSpec = { as: who };
    const b = `{run}-${acl}`;
    return [
      {
        name: `HeadBucket by ${who} on ${an(acl, "bucket")}`,
        request: { method: "HEAD", bucket: b, auth },
        expect: canRead(acl, who) ? { status: 200 } : { status: 403 },
      },
      {
        name: `ListObjects by ${who} on ${an(acl, "bucket")}`,
        request: { method: "GET", bucket: b, query: { "list-type": "2" }, auth },
        expect: canRead(acl, who) ? { status: 200 } : denied(),
        compare: canRead(acl, who) ? ["xml:ListBucketResult.Contents.Key"] : [],
      },
      {
        name: `PutObject by ${who} into ${an(acl, "bucket")}`,
        request: { method: "PUT", bucket: b, key: `written-by-${who}.txt`, body: "x", auth },
        expect: canWriteBucket(acl, who) ? { status: 200 } : denied(),
      },
      {
        name: `GetBucketAcl by ${who} on ${an(acl, "bucket")}`,
        request: { method: "GET", bucket: b, query: { acl: "" }, auth },
        expect: who === "demo" ? { status: 200 } : denied(),
        compare: who === "demo" ? ["grants"] : [],
      },
    ];
  })
).concat(CANNED_ACLS.flatMap((acl) =>
  WHO.flatMap((who): Case[] => {
    const auth: AuthSpec = { as: who };
    const key = `acl/${acl}.txt`;
    return [
      {
        name: `GetObject by ${who} on ${an(acl, "object")}`,
        request: { method: "GET", bucket: DATA, key, auth },
        expect: canRead(acl, who) ? { status: 200 } : denied(),
        compare: canRead(acl, who) ? ["body", "header:etag"] : [],
      },
      {
        name: `GetObjectAcl by ${who} on ${an(acl, "object")}`,
        request: { method: "GET", bucket: DATA, key, query: { acl: "" }, auth },
        expect: who === "demo" ? { status: 200 } : denied(),
        compare: who === "demo" ? ["grants"] : [],
      },
      {
        name: `PutObjectAcl by ${who} on ${an(acl, "object")}`,
        request: {
          method: "PUT",
          bucket: DATA,
          key,
          query: { acl: "" },
          headers: { "x-amz-acl": acl },
          auth,
        },
        expect: who === "demo" ? { status: 200 } : denied(),
      },
    ];
  })
));

// ---------------------------------------------------------------------------------------------
// Operations and their error paths.

const SERVICE: Case[] = [
  {
    name: "ListBuckets names the owner",
    request: { method: "GET" },
    expect: { status: 200 },
    compare: [
      "xml:ListAllMyBucketsResult.Owner.ID",
      "xml:ListAllMyBucketsResult.Owner.DisplayName",
    ],
  },
  {
    name: "ListBuckets anonymously lists nothing",
    request: { method: "GET", auth: ANON },
    expect: { status: 200 },
    compare: ["xml:ListAllMyBucketsResult.Owner.ID", "has:ListAllMyBucketsResult.Buckets.Bucket"],
  },
  {
    name: "ListBuckets with an unknown access key is refused",
    request: { method: "GET", auth: { unknownKey: true } },
    expect: { status: 403, code: "InvalidAccessKeyId" },
  },
  {
    name: "ListBuckets with a wrong secret is refused",
    request: { method: "GET", auth: { wrongSecret: true } },
    expect: { status: 403, code: "SignatureDoesNotMatch" },
  },
  {
    name: "ListBuckets signed 20 minutes ago is refused as skewed",
    request: { method: "GET", auth: { signedSecondsAgo: 1200 } },
    expect: { status: 403, code: "RequestTimeTooSkewed" },
  },
  {
    name: "ListBuckets signed 20 minutes ahead is refused as skewed",
    request: { method: "GET", auth: { signedSecondsAgo: -1200 } },
    expect: { status: 403, code: "RequestTimeTooSkewed" },
  },
];

const BUCKETS: Case[] = [
  {
    name: "CreateBucket creates a bucket",
    request: { method: "PUT", bucket: "{b}" },
    expect: { status: 200 },
  },
  {
    name: "CreateBucket on the owner's own bucket succeeds again (as in us-east-1)",
    setup: [bucket()],
    request: { method: "PUT", bucket: "{b}" },
    expect: { status: 200 },
  },
  {
    name: "CreateBucket on another user's bucket is refused",
    setup: [{ ...bucket(), auth: OTHER }],
    request: { method: "PUT", bucket: "{b}" },
    expect: { status: 409, code: "BucketAlreadyExists" },
  },
  {
    name: "CreateBucket with a 2-character name is refused",
    request: { method: "PUT", bucket: "ab" },
    expect: { status: 400, code: "InvalidBucketName" },
  },
  {
    name: "CreateBucket with an underscore and capitals is refused",
    request: { method: "PUT", bucket: "{b}_Bad" },
    expect: { status: 400, code: "InvalidBucketName" },
  },
  {
    name: "CreateBucket with a leading dash is refused",
    request: { method: "PUT", bucket: "-{b}" },
    expect: { status: 400, code: "InvalidBucketName" },
  },
  {
    name: "CreateBucket with an IP address name is refused",
    request: { method: "PUT", bucket: "192.168.5.4" },
    expect: { status: 400, code: "InvalidBucketName" },
  },
  {
    name: "CreateBucket anonymously is refused",
    request: { method: "PUT", bucket: "{b}", auth: ANON },
    expect: { status: 403, code: "AccessDenied" },
  },
  {
    name: "CreateBucket with x-amz-acl public-read grants AllUsers READ",
    setup: [bucket("public-read")],
    request: { method: "GET", bucket: "{b}", query: { acl: "" } },
    expect: { status: 200 },
    compare: ["grants", "xml:AccessControlPolicy.Owner.ID"],
  },
  {
    name: "CreateBucket with an unknown canned ACL is refused",
    request: { method: "PUT", bucket: "{b}", headers: { "x-amz-acl": "bogus-acl" } },
    expect: { status: 400, code: "InvalidArgument" },
  },
  {
    name: "CreateBucket with dots in the name",
    request: { method: "PUT", bucket: "{b}.with.dots" },
    expect: { status: 200 },
  },
  {
    name: "CreateBucket with a 63-character name",
    request: { method: "PUT", bucket: `{run}-${"x".repeat(63 - RUN_LENGTH - 1)}` },
    expect: { status: 200 },
  },
  {
    name: "CreateBucket with a 64-character name is refused",
    request: { method: "PUT", bucket: `{run}-${"x".repeat(64 - RUN_LENGTH - 1)}` },
    expect: { status: 400, code: "InvalidBucketName" },
  },
  {
    name: "DeleteBucket with an open multipart upload",
    setup: [bucket(), createUpload()],
    request: { method: "DELETE", bucket: "{b}" },
    expect: { status: 204 },
  },
  {
    name: "HeadBucket on an existing bucket",
    request: { method: "HEAD", bucket: DATA },
    expect: { status: 200 },
  },
  {
    name: "HeadBucket on a missing bucket",
    request: { method: "HEAD", bucket: "{b}" },
    expect: { status: 404 },
  },
  {
    name: "DeleteBucket on an empty bucket",
    setup: [bucket()],
    request: { method: "DELETE", bucket: "{b}" },
    expect: { status: 204 },
  },
  {
    name: "DeleteBucket on a non-empty bucket is refused",
    setup: [bucket(), put("left.txt")],
    request: { method: "DELETE", bucket: "{b}" },
    expect: { status: 409, code: "BucketNotEmpty" },
    compare: ["xml:Error.BucketName"],
  },
  {
    name: "DeleteBucket on a missing bucket",
    request: { method: "DELETE", bucket: "{b}" },
    expect: { status: 404, code: "NoSuchBucket" },
    compare: ["xml:Error.BucketName"],
  },
  {
    name: "DeleteBucket by another user on a private bucket is refused",
    setup: [bucket()],
    request: { method: "DELETE", bucket: "{b}", auth: OTHER },
    expect: { status: 403, code: "AccessDenied" },
  },
  {
    name: "DeleteBucket by another user on a public-read-write bucket",
    setup: [bucket("public-read-write")],
    request: { method: "DELETE", bucket: "{b}", auth: OTHER },
    expect: { status: 204 },
  },
  {
    name: "DeleteBucket after its objects are gone",
    setup: [bucket(), put("gone.txt"), { method: "DELETE", bucket: "{b}", key: "gone.txt" }],
    request: { method: "DELETE", bucket: "{b}" },
    expect: { status: 204 },
  },
  {
    name: "GetBucketLocation answers the default location",
    request: { method: "GET", bucket: DATA, query: { location: "" } },
    expect: { status: 200 },
    compare: ["has:LocationConstraint"],
  },
  {
    name: "GetBucketLocation on a missing bucket",
    request: { method: "GET", bucket: "{b}", query: { location: "" } },
    expect: { status: 404, code: "NoSuchBucket" },
  },
];

const LISTING_FIELDS = [
  "xml:ListBucketResult.Contents.Key",
  "xml:ListBucketResult.CommonPrefixes.Prefix",
  "xml:ListBucketResult.IsTruncated",
];

const LISTING: Case[] = [
  {
    name: "ListObjects v1 with prefix and delimiter groups common prefixes",
    request: { method: "GET", bucket: DATA, query: { prefix: "list/", delimiter: "/" } },
    expect: { status: 200 },
    compare: [...LISTING_FIELDS, "xml:ListBucketResult.Prefix", "xml:ListBucketResult.Delimiter"],
  },
  {
    name: "ListObjects v1 with max-keys truncates",
    request: { method: "GET", bucket: DATA, query: { prefix: "list/", "max-keys": "2" } },
    expect: { status: 200 },
    compare: [...LISTING_FIELDS, "xml:ListBucketResult.MaxKeys"],
  },
  {
    name: "ListObjects v1 with max-keys and delimiter gives a NextMarker",
    request: {
      method: "GET",
      bucket: DATA,
      query: { prefix: "list/", delimiter: "/", "max-keys": "2" },
    },
    expect: { status: 200 },
    compare: [...LISTING_FIELDS, "xml:ListBucketResult.NextMarker"],
  },
  {
    name: "ListObjects v1 resumes after a marker",
    request: { method: "GET", bucket: DATA, query: { prefix: "list/", marker: "list/b.txt" } },
    expect: { status: 200 },
    compare: [...LISTING_FIELDS, "xml:ListBucketResult.Marker"],
  },
  {
    name: "ListObjects v1 shows size, ETag and owner",
    request: { method: "GET", bucket: DATA, query: { prefix: "data.txt" } },
    expect: { status: 200 },
    compare: [
      "xml:ListBucketResult.Contents.Size",
      "xml:ListBucketResult.Contents.ETag",
      "xml:ListBucketResult.Contents.Owner.ID",
      "xml:ListBucketResult.Contents.StorageClass",
    ],
  },
  {
    name: "ListObjectsV2 with prefix and delimiter counts keys and prefixes",
    request: {
      method: "GET",
      bucket: DATA,
      query: { "list-type": "2", prefix: "list/", delimiter: "/" },
    },
    expect: { status: 200 },
    compare: [...LISTING_FIELDS, "xml:ListBucketResult.KeyCount"],
  },
  {
    name: "ListObjectsV2 with max-keys gives a continuation token",
    request: {
      method: "GET",
      bucket: DATA,
      query: { "list-type": "2", prefix: "list/", "max-keys": "2" },
    },
    expect: { status: 200 },
    compare: [
      ...LISTING_FIELDS,
      "xml:ListBucketResult.KeyCount",
      "has:ListBucketResult.NextContinuationToken",
    ],
  },
  {
    name: "ListObjectsV2 follows its continuation token",
    setup: [{
      method: "GET",
      bucket: DATA,
      query: { "list-type": "2", prefix: "list/", "max-keys": "2" },
      capture: { token: "ListBucketResult.NextContinuationToken" },
    }],
    request: {
      method: "GET",
      bucket: DATA,
      query: {
        "list-type": "2",
        prefix: "list/",
        "max-keys": "2",
        "continuation-token": "{token}",
      },
    },
    expect: { status: 200 },
    compare: [...LISTING_FIELDS, "xml:ListBucketResult.KeyCount"],
  },
  {
    name: "ListObjectsV2 starts after a key",
    request: {
      method: "GET",
      bucket: DATA,
      query: { "list-type": "2", prefix: "list/", "start-after": "list/b.txt" },
    },
    expect: { status: 200 },
    compare: [...LISTING_FIELDS, "xml:ListBucketResult.StartAfter"],
  },
  {
    name: "ListObjectsV2 omits the owner unless fetch-owner is set",
    request: { method: "GET", bucket: DATA, query: { "list-type": "2", prefix: "data.txt" } },
    expect: { status: 200 },
    compare: ["has:ListBucketResult.Contents.Owner", "xml:ListBucketResult.Contents.Size"],
  },
  {
    name: "ListObjectsV2 on an empty bucket",
    setup: [bucket()],
    request: { method: "GET", bucket: "{b}", query: { "list-type": "2" } },
    expect: { status: 200 },
    compare: ["xml:ListBucketResult.KeyCount", "has:ListBucketResult.Contents"],
  },
  {
    name: "ListObjects on a missing bucket",
    request: { method: "GET", bucket: "{b}", query: { "list-type": "2" } },
    expect: { status: 404, code: "NoSuchBucket" },
    compare: ["xml:Error.BucketName"],
  },
  {
    name: "ListObjectVersions on an unversioned bucket lists its objects",
    request: { method: "GET", bucket: DATA, query: { versions: "", prefix: "list/c/" } },
    expect: { status: 200 },
    compare: ["xml:ListVersionsResult.Version.Key"],
  },
];

const OBJECT_HEADERS = [
  "header:etag",
  "header:content-type",
  "header:content-length",
  "header:x-amz-meta-color",
];

const OBJECTS: Case[] = [
  {
    name: "GetObject returns the body, ETag, type and metadata",
    request: { method: "GET", bucket: DATA, key: "data.txt" },
    expect: { status: 200 },
    compare: ["body", ...OBJECT_HEADERS, "header:accept-ranges"],
  },
  {
    name: "HeadObject returns ETag, type and metadata",
    request: { method: "HEAD", bucket: DATA, key: "data.txt" },
    expect: { status: 200 },
    compare: OBJECT_HEADERS,
  },
  {
    name: "GetObject on a missing key",
    request: { method: "GET", bucket: DATA, key: "no-such-key.txt" },
    expect: { status: 404, code: "NoSuchKey" },
  },
  {
    name: "HeadObject on a missing key",
    request: { method: "HEAD", bucket: DATA, key: "no-such-key.txt" },
    expect: { status: 404 },
  },
  {
    name: "GetObject in a missing bucket",
    request: { method: "GET", bucket: "{b}", key: "x.txt" },
    expect: { status: 404, code: "NoSuchBucket" },
  },
  {
    name: "PutObject answers the MD5 ETag",
    setup: [bucket()],
    request: { method: "PUT", bucket: "{b}", key: "hello.txt", body: "hello" },
    expect: { status: 200 },
    compare: ["header:etag"],
  },
  {
    name: "PutObject with a correct Content-MD5",
    setup: [bucket()],
    request: { method: "PUT", bucket: "{b}", key: "md5.txt", body: "checked", md5: true },
    expect: { status: 200 },
    compare: ["header:etag"],
  },
  {
    name: "PutObject with a wrong Content-MD5 is refused",
    setup: [bucket()],
    request: {
      method: "PUT",
      bucket: "{b}",
      key: "md5.txt",
      body: "checked",
      headers: { "content-md5": "XrY7u+Ae7tCTyyK7j1rNww==" },
    },
    expect: { status: 400, code: "BadDigest" },
  },
  {
    name: "PutObject with a malformed Content-MD5 is refused",
    setup: [bucket()],
    request: {
      method: "PUT",
      bucket: "{b}",
      key: "md5.txt",
      body: "checked",
      headers: { "content-md5": "AAAA" },
    },
    expect: { status: 400, code: "InvalidDigest" },
  },
  {
    name: "PutObject with a wrong Content-MD5 stores nothing",
    setup: [bucket(), {
      method: "PUT",
      bucket: "{b}",
      key: "md5.txt",
      body: "checked",
      headers: { "content-md5": "XrY7u+Ae7tCTyyK7j1rNww==" },
      expectStatus: 400,
    }],
    request: { method: "HEAD", bucket: "{b}", key: "md5.txt" },
    expect: { status: 404 },
  },
  {
    name: "PutObject into a missing bucket",
    request: { method: "PUT", bucket: "{b}", key: "x.txt", body: "x" },
    expect: { status: 404, code: "NoSuchBucket" },
  },
  {
    name: "PutObject with a key over 1024 bytes is refused",
    setup: [bucket()],
    request: { method: "PUT", bucket: "{b}", key: "k".repeat(1025), body: "x" },
    expect: { status: 400, code: "InvalidObjectName" },
  },
  {
    name: "PutObject and GetObject with spaces, plus and non-ASCII in the key",
    setup: [bucket(), put("dir/ä b+c=d.txt", "odd key")],
    request: { method: "GET", bucket: "{b}", key: "dir/ä b+c=d.txt" },
    expect: { status: 200 },
    compare: ["body", "header:etag"],
  },
  {
    name: "PutObject and GetObject with dot segments in the key",
    setup: [bucket(), put("dots/../x.txt", "dot segments stay")],
    request: { method: "GET", bucket: "{b}", key: "dots/../x.txt" },
    expect: { status: 200 },
    compare: ["body", "header:etag"],
  },
  {
    name: "ListObjects shows a key with dot segments as stored",
    setup: [bucket(), put("dots/../x.txt", "dot segments stay"), put("dots/./y.txt")],
    request: { method: "GET", bucket: "{b}", query: { "list-type": "2" } },
    expect: { status: 200 },
    compare: ["xml:ListBucketResult.Contents.Key"],
  },
  {
    name: "User metadata names come back in lower case",
    setup: [bucket(), put("meta.txt", "m", { headers: { "x-amz-meta-Mixed-Case": "Value Kept" } })],
    request: { method: "HEAD", bucket: "{b}", key: "meta.txt" },
    expect: { status: 200 },
    compare: ["header:x-amz-meta-mixed-case"],
  },
  {
    name: "ListObjectsV2 with encoding-type url encodes keys",
    setup: [bucket(), put("a b/ä.txt")],
    request: { method: "GET", bucket: "{b}", query: { "list-type": "2", "encoding-type": "url" } },
    expect: { status: 200 },
    compare: ["xml:ListBucketResult.Contents.Key", "xml:ListBucketResult.EncodingType"],
  },
  {
    name: "ListObjectsV2 with max-keys 0",
    request: { method: "GET", bucket: DATA, query: { "list-type": "2", "max-keys": "0" } },
    expect: { status: 200 },
    compare: ["xml:ListBucketResult.KeyCount", "has:ListBucketResult.Contents"],
  },
  {
    name: "HeadObject with a Range",
    request: { method: "HEAD", bucket: DATA, key: "data.txt", headers: { range: "bytes=0-4" } },
    expect: { status: 206 },
    compare: ["header:content-range", "header:content-length"],
  },
  {
    name: "PATCH on an object is not allowed",
    request: { method: "PATCH", bucket: DATA, key: "data.txt", body: "x" },
    expect: { status: 405, code: "MethodNotAllowed" },
  },
  {
    name: "PutObject of an empty body",
    setup: [bucket(), put("empty.txt", "")],
    request: { method: "GET", bucket: "{b}", key: "empty.txt" },
    expect: { status: 200 },
    compare: ["body", "header:etag", "header:content-length"],
  },
  {
    name: "GetObject without a stored Content-Type",
    setup: [bucket(), put("untyped", "bytes")],
    request: { method: "GET", bucket: "{b}", key: "untyped" },
    expect: { status: 200 },
    compare: ["header:content-type"],
  },
  {
    name: "GetObject with response-content-type overrides the type",
    request: {
      method: "GET",
      bucket: DATA,
      key: "data.txt",
      query: { "response-content-type": "application/x-demo" },
    },
    expect: { status: 200 },
    compare: ["header:content-type"],
  },
  {
    name: "PutObject overwrites an object",
    setup: [bucket(), put("o.txt", "first"), put("o.txt", "second")],
    request: { method: "GET", bucket: "{b}", key: "o.txt" },
    expect: { status: 200 },
    compare: ["body", "header:etag"],
  },
  {
    name: "DeleteObject removes an object",
    setup: [bucket(), put("d.txt")],
    request: { method: "DELETE", bucket: "{b}", key: "d.txt" },
    expect: { status: 204 },
  },
  {
    name: "DeleteObject on a missing key succeeds",
    setup: [bucket()],
    request: { method: "DELETE", bucket: "{b}", key: "never.txt" },
    expect: { status: 204 },
  },
  {
    name: "DeleteObject in a missing bucket",
    request: { method: "DELETE", bucket: "{b}", key: "x.txt" },
    expect: { status: 404, code: "NoSuchBucket" },
  },
  {
    name: "DeleteObjects reports each deleted key",
    setup: [bucket(), put("one.txt"), put("two.txt")],
    request: {
      method: "POST",
      bucket: "{b}",
      query: { delete: "" },
      body: deleteXml(["one.txt", "two.txt", "missing.txt"]),
      md5: true,
    },
    expect: { status: 200 },
    compare: ["xmlset:DeleteResult.Deleted.Key", "has:DeleteResult.Error"],
  },
  {
    name: "DeleteObjects in quiet mode reports nothing",
    setup: [bucket(), put("one.txt")],
    request: {
      method: "POST",
      bucket: "{b}",
      query: { delete: "" },
      body: deleteXml(["one.txt"], true),
      md5: true,
    },
    expect: { status: 200 },
    compare: ["has:DeleteResult.Deleted"],
  },
  {
    name: "DeleteObjects with malformed XML is refused",
    setup: [bucket()],
    request: {
      method: "POST",
      bucket: "{b}",
      query: { delete: "" },
      body: "<Delete><Object>",
      md5: true,
    },
    expect: { status: 400 },
  },
  {
    name: "CopyObject copies the body and answers its ETag",
    setup: [bucket()],
    request: {
      method: "PUT",
      bucket: "{b}",
      key: "copy.txt",
      headers: { "x-amz-copy-source": `/${DATA}/data.txt` },
    },
    expect: { status: 200 },
    compare: ["xml:CopyObjectResult.ETag"],
  },
  {
    name: "CopyObject keeps the metadata by default",
    setup: [bucket(), {
      method: "PUT",
      bucket: "{b}",
      key: "copy.txt",
      headers: { "x-amz-copy-source": `/${DATA}/data.txt` },
    }],
    request: { method: "HEAD", bucket: "{b}", key: "copy.txt" },
    expect: { status: 200 },
    compare: OBJECT_HEADERS,
  },
  {
    name: "CopyObject with REPLACE sets new metadata",
    setup: [bucket(), {
      method: "PUT",
      bucket: "{b}",
      key: "copy.txt",
      headers: {
        "x-amz-copy-source": `/${DATA}/data.txt`,
        "x-amz-metadata-directive": "REPLACE",
        "content-type": "application/x-copied",
        "x-amz-meta-color": "red",
      },
    }],
    request: { method: "HEAD", bucket: "{b}", key: "copy.txt" },
    expect: { status: 200 },
    compare: OBJECT_HEADERS,
  },
  {
    name: "CopyObject from a missing key",
    setup: [bucket()],
    request: {
      method: "PUT",
      bucket: "{b}",
      key: "copy.txt",
      headers: { "x-amz-copy-source": `/${DATA}/no-such-key.txt` },
    },
    expect: { status: 404, code: "NoSuchKey" },
  },
  {
    name: "CopyObject by another user from a private object is refused",
    setup: [{ ...bucket(), auth: OTHER }],
    request: {
      method: "PUT",
      bucket: "{b}",
      key: "stolen.txt",
      headers: { "x-amz-copy-source": `/${DATA}/acl/private.txt` },
      auth: OTHER,
    },
    expect: { status: 403, code: "AccessDenied" },
  },
];

const MORE_OBJECTS: Case[] = [
  {
    name: "PutObject without Content-Length (chunked transfer) is refused",
    setup: [bucket()],
    request: {
      method: "PUT",
      bucket: "{b}",
      key: "chunked.txt",
      body: "sent in chunks",
      headers: { "transfer-encoding": "chunked" },
      auth: { scheme: "v4-unsigned-payload" },
    },
    expect: { status: 411, code: "MissingContentLength" },
  },
  {
    name: "CopyObject onto itself without new metadata is refused",
    setup: [bucket(), put("self.txt")],
    request: {
      method: "PUT",
      bucket: "{b}",
      key: "self.txt",
      headers: { "x-amz-copy-source": "/{b}/self.txt" },
    },
    expect: { status: 400, code: "InvalidRequest" },
  },
  {
    name: "CopyObject from a URL-encoded source key",
    setup: [bucket(), put("src dir/ä b.txt", "encoded source"), {
      method: "PUT",
      bucket: "{b}",
      key: "copy.txt",
      headers: { "x-amz-copy-source": "/{b}/src%20dir/%C3%A4%20b.txt" },
    }],
    request: { method: "GET", bucket: "{b}", key: "copy.txt" },
    expect: { status: 200 },
    compare: ["body", "header:etag"],
  },
  {
    name: "ListMultipartUploads with a prefix",
    setup: [bucket(), createUpload("a/one.bin"), createUpload("b/two.bin", "upload2")],
    request: { method: "GET", bucket: "{b}", query: { uploads: "", prefix: "b/" } },
    expect: { status: 200 },
    compare: ["xml:ListMultipartUploadsResult.Upload.Key"],
  },
  {
    name: "A malformed SigV4 Authorization header is refused",
    request: {
      method: "GET",
      bucket: DATA,
      key: "data.txt",
      headers: { authorization: "AWS4-HMAC-SHA256 garbage", "x-amz-date": "20200101T000000Z" },
      auth: ANON,
    },
    expect: { status: 400, code: "InvalidArgument" },
  },
  {
    name: "SigV4 signed for another region",
    request: { method: "GET", bucket: DATA, key: "data.txt", auth: { region: "eu-west-1" } },
    expect: { status: 200 },
  },
];

const RANGES: Case[] = [
  ...[["0-4", 206], ["15-", 206], ["-5", 206], ["18-100", 206]].map(([range, status]): Case => ({
    name: `GetObject with Range bytes=${range}`,
    request: { method: "GET", bucket: DATA, key: "data.txt", headers: { range: `bytes=${range}` } },
    expect: { status: status as number },
    compare: ["body", "header:content-range", "header:content-length", "header:etag"],
  })),
  {
    name: "GetObject with an unsatisfiable Range",
    request: { method: "GET", bucket: DATA, key: "data.txt", headers: { range: "bytes=50-60" } },
    expect: { status: 416, code: "InvalidRange" },
  },
  {
    name: "GetObject with If-None-Match of the current ETag is not modified",
    setup: [{ method: "HEAD", bucket: DATA, key: "data.txt", capture: { etag: "header:etag" } }],
    request: {
      method: "GET",
      bucket: DATA,
      key: "data.txt",
      headers: { "if-none-match": "{etag}" },
    },
    expect: { status: 304 },
    compare: ["header:etag"],
  },
  {
    name: "GetObject with If-None-Match of another ETag",
    request: {
      method: "GET",
      bucket: DATA,
      key: "data.txt",
      headers: { "if-none-match": '"00000000000000000000000000000000"' },
    },
    expect: { status: 200 },
  },
  {
    name: "GetObject with If-Match of another ETag fails the precondition",
    request: {
      method: "GET",
      bucket: DATA,
      key: "data.txt",
      headers: { "if-match": '"00000000000000000000000000000000"' },
    },
    expect: { status: 412, code: "PreconditionFailed" },
  },
  {
    name: "GetObject with If-Match of the current ETag",
    setup: [{ method: "HEAD", bucket: DATA, key: "data.txt", capture: { etag: "header:etag" } }],
    request: { method: "GET", bucket: DATA, key: "data.txt", headers: { "if-match": "{etag}" } },
    expect: { status: 200 },
    compare: ["body"],
  },
  {
    name: "HeadObject with If-None-Match of the current ETag is not modified",
    setup: [{ method: "HEAD", bucket: DATA, key: "data.txt", capture: { etag: "header:etag" } }],
    request: {
      method: "HEAD",
      bucket: DATA,
      key: "data.txt",
      headers: { "if-none-match": "{etag}" },
    },
    expect: { status: 304 },
  },
  {
    name: "GetObject with If-Unmodified-Since in the past fails the precondition",
    request: {
      method: "GET",
      bucket: DATA,
      key: "data.txt",
      headers: { "if-unmodified-since": "Sat, 01 Jan 2000 00:00:00 GMT" },
    },
    expect: { status: 412, code: "PreconditionFailed" },
  },
  {
    name: "GetObject with If-Modified-Since in the past",
    request: {
      method: "GET",
      bucket: DATA,
      key: "data.txt",
      headers: { "if-modified-since": "Sat, 01 Jan 2000 00:00:00 GMT" },
    },
    expect: { status: 200 },
  },
];

const MULTIPART: Case[] = [
  {
    name: "CreateMultipartUpload names bucket and key",
    setup: [bucket()],
    request: { method: "POST", bucket: "{b}", key: "mp.bin", query: { uploads: "" } },
    expect: { status: 200 },
    compare: [
      "xml:InitiateMultipartUploadResult.Key",
      "has:InitiateMultipartUploadResult.UploadId",
    ],
  },
  {
    name: "CreateMultipartUpload in a missing bucket",
    request: { method: "POST", bucket: "{b}", key: "mp.bin", query: { uploads: "" } },
    expect: { status: 404, code: "NoSuchBucket" },
  },
  {
    name: "UploadPart answers the part's MD5 ETag",
    setup: [bucket(), createUpload()],
    request: {
      method: "PUT",
      bucket: "{b}",
      key: "mp.bin",
      query: { partNumber: "1", uploadId: "{upload}" },
      body: "part one",
    },
    expect: { status: 200 },
    compare: ["header:etag"],
  },
  {
    name: "UploadPart with an unknown upload id",
    setup: [bucket()],
    request: {
      method: "PUT",
      bucket: "{b}",
      key: "mp.bin",
      query: { partNumber: "1", uploadId: "2~no-such-upload" },
      body: "x",
    },
    expect: { status: 404, code: "NoSuchUpload" },
  },
  {
    name: "ListParts lists the uploaded parts",
    setup: [bucket(), createUpload(), uploadPart(1, "part one"), uploadPart(2, "part two!")],
    request: { method: "GET", bucket: "{b}", key: "mp.bin", query: { uploadId: "{upload}" } },
    expect: { status: 200 },
    compare: [
      "xml:ListPartsResult.Part.PartNumber",
      "xml:ListPartsResult.Part.Size",
      "xml:ListPartsResult.Part.ETag",
      "xml:ListPartsResult.Key",
    ],
  },
  {
    name: "ListMultipartUploads lists open uploads",
    setup: [bucket(), createUpload("a.bin"), createUpload("b.bin", "upload2")],
    request: { method: "GET", bucket: "{b}", query: { uploads: "" } },
    expect: { status: 200 },
    compare: ["xml:ListMultipartUploadsResult.Upload.Key"],
  },
  {
    name: "CompleteMultipartUpload of one part answers a multipart ETag",
    setup: [bucket(), createUpload(), uploadPart(1, "only part")],
    request: {
      method: "POST",
      bucket: "{b}",
      key: "mp.bin",
      query: { uploadId: "{upload}" },
      body: completeBody([[1, "{etag1}"]]),
    },
    expect: { status: 200 },
    compare: ["xml:CompleteMultipartUploadResult.ETag", "xml:CompleteMultipartUploadResult.Key"],
  },
  {
    name: "CompleteMultipartUpload of a 5 MiB part and a small part",
    setup: [bucket(), createUpload(), uploadPart(1, FIVE_MIB), uploadPart(2, "tail")],
    request: {
      method: "POST",
      bucket: "{b}",
      key: "mp.bin",
      query: { uploadId: "{upload}" },
      body: completeBody([[1, "{etag1}"], [2, "{etag2}"]]),
    },
    expect: { status: 200 },
    compare: ["xml:CompleteMultipartUploadResult.ETag"],
  },
  {
    name: "GetObject of a completed multipart object",
    setup: [
      bucket(),
      createUpload(),
      uploadPart(1, FIVE_MIB),
      uploadPart(2, "tail"),
      complete([[1, "{etag1}"], [2, "{etag2}"]]),
    ],
    request: { method: "GET", bucket: "{b}", key: "mp.bin", headers: { range: "bytes=5242878-" } },
    expect: { status: 206 },
    compare: ["body", "header:etag", "header:content-range"],
  },
  {
    name: "CompleteMultipartUpload with a small first part is refused",
    setup: [bucket(), createUpload(), uploadPart(1, "small"), uploadPart(2, "tail")],
    request: {
      method: "POST",
      bucket: "{b}",
      key: "mp.bin",
      query: { uploadId: "{upload}" },
      body: completeBody([[1, "{etag1}"], [2, "{etag2}"]]),
    },
    expect: { status: 400, code: "EntityTooSmall" },
  },
  {
    name: "CompleteMultipartUpload with a wrong part ETag is refused",
    setup: [bucket(), createUpload(), uploadPart(1, "only part")],
    request: {
      method: "POST",
      bucket: "{b}",
      key: "mp.bin",
      query: { uploadId: "{upload}" },
      body: completeBody([[1, '"00000000000000000000000000000000"']]),
    },
    expect: { status: 400, code: "InvalidPart" },
  },
  {
    name: "CompleteMultipartUpload with parts listed out of order",
    setup: [bucket(), createUpload(), uploadPart(1, FIVE_MIB), uploadPart(2, "tail")],
    request: {
      method: "POST",
      bucket: "{b}",
      key: "mp.bin",
      query: { uploadId: "{upload}" },
      body: completeBody([[2, "{etag2}"], [1, "{etag1}"]]),
    },
    expect: { status: 200 },
  },
  {
    name: "CompleteMultipartUpload with malformed XML is refused",
    setup: [bucket(), createUpload(), uploadPart(1, "only part")],
    request: {
      method: "POST",
      bucket: "{b}",
      key: "mp.bin",
      query: { uploadId: "{upload}" },
      body: "<CompleteMultipartUpload><Part>",
    },
    expect: { status: 400, code: "MalformedXML" },
  },
  {
    name: "CompleteMultipartUpload with an unknown upload id",
    setup: [bucket()],
    request: {
      method: "POST",
      bucket: "{b}",
      key: "mp.bin",
      query: { uploadId: "2~no-such-upload" },
      body: completeBody([[1, '"00000000000000000000000000000000"']]),
    },
    expect: { status: 500, code: "InternalError" },
  },
  {
    name: "AbortMultipartUpload ends an upload",
    setup: [bucket(), createUpload(), uploadPart(1, "part")],
    request: { method: "DELETE", bucket: "{b}", key: "mp.bin", query: { uploadId: "{upload}" } },
    expect: { status: 204 },
  },
  {
    name: "ListParts after an abort",
    setup: [bucket(), createUpload(), {
      method: "DELETE",
      bucket: "{b}",
      key: "mp.bin",
      query: { uploadId: "{upload}" },
    }],
    request: { method: "GET", bucket: "{b}", key: "mp.bin", query: { uploadId: "{upload}" } },
    expect: { status: 404, code: "NoSuchKey" },
  },
];

const ACL_DETAILS: Case[] = [
  {
    name: "PutBucketAcl with a policy document grants another user READ",
    setup: [bucket(), {
      method: "PUT",
      bucket: "{b}",
      query: { acl: "" },
      body: grantXml("READ"),
    }],
    request: { method: "GET", bucket: "{b}", query: { acl: "" } },
    expect: { status: 200 },
    compare: ["grants"],
  },
  {
    name: "ListObjects by a user granted READ on the bucket",
    setup: [bucket(), put("x.txt"), {
      method: "PUT",
      bucket: "{b}",
      query: { acl: "" },
      body: grantXml("READ"),
    }],
    request: { method: "GET", bucket: "{b}", query: { "list-type": "2" }, auth: OTHER },
    expect: { status: 200 },
    compare: ["xml:ListBucketResult.Contents.Key"],
  },
  {
    name: "PutObjectAcl with a policy document lets another user read",
    setup: [bucket(), put("x.txt", "granted"), {
      method: "PUT",
      bucket: "{b}",
      key: "x.txt",
      query: { acl: "" },
      body: grantXml("READ"),
    }],
    request: { method: "GET", bucket: "{b}", key: "x.txt", auth: OTHER },
    expect: { status: 200 },
    compare: ["body"],
  },
  {
    name: "PutObjectAcl granting READ_ACP lets another user read the ACL",
    setup: [bucket(), put("x.txt"), {
      method: "PUT",
      bucket: "{b}",
      key: "x.txt",
      query: { acl: "" },
      body: grantXml("READ_ACP"),
    }],
    request: { method: "GET", bucket: "{b}", key: "x.txt", query: { acl: "" }, auth: OTHER },
    expect: { status: 200 },
    compare: ["grants"],
  },
  {
    name: "PutBucketAcl with malformed XML is refused",
    setup: [bucket()],
    request: { method: "PUT", bucket: "{b}", query: { acl: "" }, body: "<AccessControlPolicy>" },
    expect: { status: 400, code: "InvalidArgument" },
  },
  {
    name: "PutObjectAcl with a canned ACL makes an object public",
    setup: [bucket(), put("p.txt", "now public"), {
      method: "PUT",
      bucket: "{b}",
      key: "p.txt",
      query: { acl: "" },
      headers: { "x-amz-acl": "public-read" },
    }],
    request: { method: "GET", bucket: "{b}", key: "p.txt", auth: ANON },
    expect: { status: 200 },
    compare: ["body"],
  },
  {
    name: "PutObject with x-amz-acl public-read is readable anonymously",
    setup: [bucket(), put("p.txt", "public at once", { headers: { "x-amz-acl": "public-read" } })],
    request: { method: "GET", bucket: "{b}", key: "p.txt", auth: ANON },
    expect: { status: 200 },
    compare: ["body"],
  },
  {
    name: "An object written by another user into a public-read-write bucket",
    setup: [bucket("public-read-write"), put("theirs.txt", "theirs", { auth: OTHER })],
    request: { method: "GET", bucket: "{b}", key: "theirs.txt", query: { acl: "" }, auth: OTHER },
    expect: { status: 200 },
    compare: ["grants", "xml:AccessControlPolicy.Owner.ID"],
  },
  {
    name: "A public-read bucket does not make its objects public",
    setup: [bucket("public-read"), put("x.txt")],
    request: { method: "GET", bucket: "{b}", key: "x.txt", auth: ANON },
    expect: { status: 403, code: "AccessDenied" },
  },
  {
    name: "GetObject anonymously in a missing bucket",
    request: { method: "GET", bucket: "{b}", key: "x.txt", auth: ANON },
    expect: { status: 404, code: "NoSuchBucket" },
  },
];

const PRESIGNED: Case[] = [
  {
    name: "Presigned GET works without credentials",
    request: { method: "GET", bucket: DATA, key: "acl/private.txt", auth: { scheme: "presign" } },
    expect: { status: 200 },
    compare: ["body"],
  },
  {
    name: "Presigned GET that has expired is refused",
    request: {
      method: "GET",
      bucket: DATA,
      key: "acl/private.txt",
      auth: { scheme: "presign", expiresIn: 60, signedSecondsAgo: 3600 },
    },
    expect: { status: 403, code: "AccessDenied" },
  },
  {
    name: "Presigned GET with the key changed is refused",
    request: {
      method: "GET",
      bucket: DATA,
      key: "acl/private.txt",
      auth: { scheme: "presign", tamper: "key" },
    },
    expect: { status: 403, code: "SignatureDoesNotMatch" },
  },
  {
    name: "Presigned GET with the expiry changed is refused",
    request: {
      method: "GET",
      bucket: DATA,
      key: "acl/private.txt",
      auth: { scheme: "presign", tamper: "expires" },
    },
    expect: { status: 403, code: "SignatureDoesNotMatch" },
  },
  {
    name: "Presigned GET used for a DELETE is refused",
    setup: [bucket(), put("keep.txt")],
    request: {
      method: "DELETE",
      bucket: "{b}",
      key: "keep.txt",
      auth: { scheme: "presign", tamper: "method" },
    },
    expect: { status: 403, code: "SignatureDoesNotMatch" },
  },
  {
    name: "Presigned URL with an expiry over 7 days is refused",
    request: {
      method: "GET",
      bucket: DATA,
      key: "acl/private.txt",
      auth: { scheme: "presign", expiresIn: 604800, tamper: "expires" },
    },
    expect: { status: 403, code: "AccessDenied" },
  },
  {
    name: "Presigned GET with an unknown access key is refused",
    request: {
      method: "GET",
      bucket: DATA,
      key: "acl/private.txt",
      auth: { scheme: "presign", unknownKey: true },
    },
    expect: { status: 403, code: "InvalidAccessKeyId" },
  },
  {
    name: "Presigned GET by a user without access is refused",
    request: {
      method: "GET",
      bucket: DATA,
      key: "acl/private.txt",
      auth: { scheme: "presign", as: "other" },
    },
    expect: { status: 403, code: "AccessDenied" },
  },
  {
    name: "Presigned PUT stores an object",
    setup: [bucket()],
    request: {
      method: "PUT",
      bucket: "{b}",
      key: "uploaded.txt",
      body: "via presigned PUT",
      auth: { scheme: "presign" },
    },
    expect: { status: 200 },
    compare: ["header:etag"],
  },
];

const SIGNATURES: Case[] = [
  {
    name: "Signature V2 header auth reads an object",
    request: { method: "GET", bucket: DATA, key: "data.txt", auth: { scheme: "v2" } },
    expect: { status: 200 },
    compare: ["body", "header:etag"],
  },
  {
    name: "Signature V2 header auth stores an object with type and MD5",
    setup: [bucket()],
    request: {
      method: "PUT",
      bucket: "{b}",
      key: "v2.txt",
      body: "signed with v2",
      md5: true,
      headers: { "content-type": "text/plain", "x-amz-meta-color": "green" },
      auth: { scheme: "v2" },
    },
    expect: { status: 200 },
    compare: ["header:etag"],
  },
  {
    name: "Signature V2 header auth lists buckets",
    request: { method: "GET", auth: { scheme: "v2" } },
    expect: { status: 200 },
    compare: ["xml:ListAllMyBucketsResult.Owner.ID"],
  },
  {
    name: "Signature V2 header auth reads a bucket ACL",
    request: { method: "GET", bucket: DATA, query: { acl: "" }, auth: { scheme: "v2" } },
    expect: { status: 200 },
    compare: ["grants"],
  },
  {
    name: "Signature V2 header auth with a wrong secret is refused",
    request: {
      method: "GET",
      bucket: DATA,
      key: "data.txt",
      auth: { scheme: "v2", wrongSecret: true },
    },
    expect: { status: 403, code: "SignatureDoesNotMatch" },
  },
  {
    name: "Signature V2 header auth with an unknown key is refused",
    request: {
      method: "GET",
      bucket: DATA,
      key: "data.txt",
      auth: { scheme: "v2", unknownKey: true },
    },
    expect: { status: 403, code: "InvalidAccessKeyId" },
  },
  {
    name: "Signature V2 header auth dated 20 minutes ago is refused as skewed",
    request: {
      method: "GET",
      bucket: DATA,
      key: "data.txt",
      auth: { scheme: "v2", signedSecondsAgo: 1200 },
    },
    expect: { status: 403, code: "RequestTimeTooSkewed" },
  },
  {
    name: "Signature V2 query auth reads an object",
    request: { method: "GET", bucket: DATA, key: "acl/private.txt", auth: { scheme: "v2-query" } },
    expect: { status: 200 },
    compare: ["body"],
  },
  {
    name: "Signature V2 query auth that has expired is refused",
    request: {
      method: "GET",
      bucket: DATA,
      key: "acl/private.txt",
      auth: { scheme: "v2-query", expiresIn: 60, signedSecondsAgo: 3600 },
    },
    expect: { status: 403, code: "AccessDenied" },
  },
  {
    name: "Signature V2 query auth with the key changed is refused",
    request: {
      method: "GET",
      bucket: DATA,
      key: "acl/private.txt",
      auth: { scheme: "v2-query", tamper: "key" },
    },
    expect: { status: 403, code: "SignatureDoesNotMatch" },
  },
  {
    name: "Signature V2 query auth with the expiry changed is refused",
    request: {
      method: "GET",
      bucket: DATA,
      key: "acl/private.txt",
      auth: { scheme: "v2-query", tamper: "expires" },
    },
    expect: { status: 403, code: "SignatureDoesNotMatch" },
  },
  {
    name: "SigV4 with UNSIGNED-PAYLOAD stores an object",
    setup: [bucket()],
    request: {
      method: "PUT",
      bucket: "{b}",
      key: "unsigned.txt",
      body: "unsigned payload",
      auth: { scheme: "v4-unsigned-payload" },
    },
    expect: { status: 200 },
    compare: ["header:etag"],
  },
  {
    name: "SigV4 with a payload hash that does not match the body is refused",
    setup: [bucket()],
    request: {
      method: "PUT",
      bucket: "{b}",
      key: "mismatch.txt",
      body: "these bytes",
      auth: { tamper: "payload-hash" },
    },
    expect: { status: 400, code: "XAmzContentSHA256Mismatch" },
  },
  {
    name: "SigV4 with a payload hash that does not match stores nothing",
    setup: [bucket(), {
      method: "PUT",
      bucket: "{b}",
      key: "mismatch.txt",
      body: "these bytes",
      auth: { tamper: "payload-hash" },
      expectStatus: 400,
    }],
    request: { method: "HEAD", bucket: "{b}", key: "mismatch.txt" },
    expect: { status: 404 },
  },
  {
    name: "SigV4 with a wrong secret on a PUT is refused and stores nothing",
    setup: [bucket()],
    request: {
      method: "PUT",
      bucket: "{b}",
      key: "nope.txt",
      body: "x",
      auth: { wrongSecret: true },
    },
    expect: { status: 403, code: "SignatureDoesNotMatch" },
  },
];

const VHOST: Case[] = [
  {
    name: "Virtual-host GetObject",
    request: { method: "GET", bucket: DATA, key: "data.txt", style: "vhost" },
    expect: { status: 200 },
    compare: ["body", "header:etag", "header:content-type"],
  },
  {
    name: "Virtual-host ListObjectsV2",
    request: {
      method: "GET",
      bucket: DATA,
      query: { "list-type": "2", prefix: "list/", delimiter: "/" },
      style: "vhost",
    },
    expect: { status: 200 },
    compare: [...LISTING_FIELDS, "xml:ListBucketResult.Name"],
  },
  {
    name: "Virtual-host PutObject",
    setup: [bucket()],
    request: { method: "PUT", bucket: "{b}", key: "vh.txt", body: "virtual host", style: "vhost" },
    expect: { status: 200 },
    compare: ["header:etag"],
  },
  {
    name: "Virtual-host HeadBucket",
    request: { method: "HEAD", bucket: DATA, style: "vhost" },
    expect: { status: 200 },
  },
  {
    name: "Virtual-host GetBucketAcl",
    request: { method: "GET", bucket: DATA, query: { acl: "" }, style: "vhost" },
    expect: { status: 200 },
    compare: ["grants"],
  },
  {
    name: "Virtual-host anonymous GetObject on a private object",
    request: { method: "GET", bucket: DATA, key: "acl/private.txt", style: "vhost", auth: ANON },
    expect: { status: 403, code: "AccessDenied" },
  },
  {
    name: "Virtual-host anonymous GetObject on a public-read object",
    request: {
      method: "GET",
      bucket: DATA,
      key: "acl/public-read.txt",
      style: "vhost",
      auth: ANON,
    },
    expect: { status: 200 },
    compare: ["body"],
  },
  {
    name: "Virtual-host GetObject in a missing bucket",
    request: { method: "GET", bucket: "{b}", key: "x.txt", style: "vhost" },
    expect: { status: 404, code: "NoSuchBucket" },
    compare: ["xml:Error.BucketName"],
  },
  {
    name: "Virtual-host Signature V2 GetObject",
    request: {
      method: "GET",
      bucket: DATA,
      key: "data.txt",
      style: "vhost",
      auth: { scheme: "v2" },
    },
    expect: { status: 200 },
    compare: ["body"],
  },
  {
    name: "Virtual-host presigned GET",
    request: {
      method: "GET",
      bucket: DATA,
      key: "acl/private.txt",
      style: "vhost",
      auth: { scheme: "presign" },
    },
    expect: { status: 200 },
    compare: ["body"],
  },
];

const UNSUPPORTED: Case[] = [
  {
    name: "GetBucketVersioning on a bucket never versioned",
    request: { method: "GET", bucket: DATA, query: { versioning: "" } },
    expect: { status: 200 },
    compare: ["has:VersioningConfiguration.Status"],
  },
  {
    name: "GetBucketLifecycle on a bucket without one",
    request: { method: "GET", bucket: DATA, query: { lifecycle: "" } },
    expect: { status: 404, code: "NoSuchLifecycleConfiguration" },
  },
];

/** Every case, in the order they run. */
export const CASES: readonly Case[] = [
  ...SERVICE,
  ...BUCKETS,
  ...LISTING,
  ...OBJECTS,
  ...MORE_OBJECTS,
  ...RANGES,
  ...MULTIPART,
  ...ACL_DETAILS,
  ...PRESIGNED,
  ...SIGNATURES,
  ...VHOST,
  ...MATRIX,
  ...UNSUPPORTED,
];
