/**
 * Chapter 1 of the course, "Getting started": create a bucket, upload a picture, share it with
 * links and ACLs, delete everything, each step first as the AWS SDK v3 call.
 *
 * A notebook in jupytext's "percent" format (described in `tour/percent.ts`): `deno task notebook`
 * writes `notebooks/tour.ipynb` from this file and `deno task tour` runs the same cells in a
 * terminal.
 *
 * @module
 */

// %% [markdown]
// # DreamObjects, hands on: S3 in TypeScript
//
// <notebook>This notebook</notebook><terminal>This tour</terminal> ports DreamHost's classic boto
// `demo.py` to TypeScript with the AWS SDK v3: connect, create a bucket, upload a picture, share
// it with links and ACLs, and clean up. Every cell shows the HTTP requests it made, signatures
// redacted.
//
// ## Where to connect
//
// With no options, `connect()` starts the project's embedded S3 server in-process, so nothing
// needs an account; `{ emulate: "us-east-5" }` makes it behave like DreamObjects US-East 5. For
// DreamObjects, set `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`, then use
// `{ dreamobjects: true }` (US-East 5) or `{ dreamobjects: true, cluster: "us-east-1" }`,
// whichever your DreamHost panel shows; any other S3 service takes `{ endpoint: "https://…" }`
// (or `AWS_ENDPOINT_URL`). The connection holds the SDK's `S3Client` as `s3.client`, set up
// for that service, and a trace of its traffic.

// %% id="setup" tags=["parameters"]
import { connect, type ConnectOptions } from "../lib/mod.ts";

const options: ConnectOptions = {}; // e.g. { dreamobjects: true }
const s3 = await connect(options);
s3;

// %% [markdown]
// ## List your buckets
//
// The SDK sends one command object per S3 operation: `ListBucketsCommand` is a signed `GET /`,
// and the signature proves who we are without sending the secret key. The course's
// `listBuckets(s3)` is the same call, its answer as plain records.

// %% id="list-buckets"
import { ListBucketsCommand } from "@aws-sdk/client-s3";

const { Buckets } = await s3.client.send(new ListBucketsCommand({}));
s3.trace.show(Buckets ?? []);

// %% [markdown]
// ## Create a bucket
//
// Bucket names are global and DNS-like: 3 to 63 lower-case letters, digits, `-` and `.` on Ceph
// RGW, 6 to 63 and no `.` on DreamObjects US-East 5. `uniqueBucketName()` adds the date and a
// random suffix to a prefix, valid on both; `createBucket(s3, { prefix })` is the shorthand that
// also tries another name when one is taken.

// %% id="create-bucket"
import { CreateBucketCommand } from "@aws-sdk/client-s3";
import { uniqueBucketName } from "../lib/mod.ts";

const bucket = uniqueBucketName("demo");
await s3.client.send(new CreateBucketCommand({ Bucket: bucket }));
s3.trace.show(bucket);

// %% [markdown]
// ## Upload a picture
//
// `PutObjectCommand` sends the bytes with their `Content-Type`. The picture sits in
// <notebook>this notebook's folder</notebook><terminal>`notebooks/`</terminal>. The course's
// `putFile(s3, bucket, key, path)` streams a file instead, sets the type from the extension and
// sends big files in parts (chapter 3).

// %% id="upload"
import { PutObjectCommand } from "@aws-sdk/client-s3";

const Body = await Deno.readFile("cloud.png");
const upload = { Bucket: bucket, Key: "cloud.png", Body, ContentType: "image/png" };
const { ETag } = await s3.client.send(new PutObjectCommand(upload));
s3.trace.show({ ETag });

// %% [markdown]
// ## Read it back
//
// `GetObjectCommand` answers with the object's bytes as a stream, read here to the end: the
// picture, fetched from the bucket. `getBytes(s3, bucket, key)` is the shorthand.

// %% id="download"
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { image } from "../lib/mod.ts";

const got = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: "cloud.png" }));
const picture = await got.Body!.transformToByteArray();
s3.trace.show(image(picture, "cloud.png"));

// %% [markdown]
// ## Its public link is refused
//
// Every object has a plain URL, but objects are private by default: an anonymous request, like a
// browser's, gets `403 AccessDenied`. `probe()` is such a request, with no credentials.

// %% id="public-link-denied"
import { probe, publicUrl } from "../lib/mod.ts";

const link = publicUrl(s3, bucket, "cloud.png");
s3.trace.show(await probe(link, { trace: s3.trace }));

// %% [markdown]
// ## A presigned link works
//
// `getSignedUrl()` signs a command into a URL, with an expiry (here one hour, at most seven days)
// in its query string, so anyone holding it may send that request until then.
// `presignGet(s3, bucket, key, { expiresIn })` is the shorthand.

// %% id="presigned-link"
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";

const read = new GetObjectCommand({ Bucket: bucket, Key: "cloud.png" });
const signed = await getSignedUrl(s3.client, read, { expiresIn: 3600 });
s3.trace.show(await probe(signed, { trace: s3.trace }));

// %% [markdown]
// ## Make it public
//
// The canned ACL `public-read` grants `READ` to everyone: now the plain link works. Where objects
// have no ACL of their own (DreamObjects US-East 5: `s3.cluster.objectAcls` is false), they inherit
// their bucket's permission, so there the cell makes the bucket `public-read` instead.

// %% id="public-read"
import { PutBucketAclCommand, PutObjectAclCommand } from "@aws-sdk/client-s3";

const publicRead = { Bucket: bucket, ACL: "public-read" as const };
if (s3.cluster.objectAcls) {
  await s3.client.send(new PutObjectAclCommand({ ...publicRead, Key: "cloud.png" }));
} else await s3.client.send(new PutBucketAclCommand(publicRead)); // objects inherit it
s3.trace.show(await probe(link, { trace: s3.trace }));

// %% [markdown]
// ## Who may do what
//
// An ACL is a list of grants: the owner keeps `FULL_CONTROL` and everyone (anonymous) got `READ`.
// Without object ACLs we read the bucket's grants, the ones its objects inherit.
// `getObjectGrants()` and `getBucketGrants()` send the same and name each grantee.

// %% id="grants"
import { GetBucketAclCommand, GetObjectAclCommand } from "@aws-sdk/client-s3";

const { Grants = [] } = s3.cluster.objectAcls
  ? await s3.client.send(new GetObjectAclCommand({ Bucket: bucket, Key: "cloud.png" }))
  : await s3.client.send(new GetBucketAclCommand({ Bucket: bucket }));
const grantee = ({ Grantee }: (typeof Grants)[number]) => Grantee?.URI ?? Grantee?.DisplayName;
s3.trace.show(Grants.map((g) => ({ grantee: grantee(g), permission: g.Permission })));

// %% [markdown]
// ## The other URL style
//
// The same object also has a virtual-host-style URL, with the bucket in the host name
// (`bucket.host/key`), which is what S3 prefers.

// %% id="virtual-host"
const virtualLink = publicUrl(s3, bucket, "cloud.png", { style: "virtual" });
s3.trace.show(await probe(virtualLink, { trace: s3.trace }));

// %% [markdown]
// ## A bucket must be empty to go
//
// Deleting a bucket that still holds objects is refused with `409 BucketNotEmpty`: the SDK throws
// an error named after S3's code. `deleteBucket(s3, bucket)` is the shorthand, whose error also
// says what to do.

// %% id="bucket-not-empty"
import { DeleteBucketCommand } from "@aws-sdk/client-s3";

const refused = await s3.client.send(new DeleteBucketCommand({ Bucket: bucket }))
  .catch((error) => error);
s3.trace.show(`${refused.name}: ${refused.message}`);

// %% [markdown]
// ## Delete the object
//
// Once the object is deleted, the presigned link answers `404 NoSuchKey` (a plain link says `403`
// while the bucket is private: S3 does not tell strangers which keys exist).

// %% id="delete-object" tags=["cleanup"]
import { DeleteObjectCommand } from "@aws-sdk/client-s3";

await s3.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: "cloud.png" }));
s3.trace.show(await probe(signed, { trace: s3.trace }));

// %% [markdown]
// ## What the delete left behind
//
// On Ceph RGW the delete removed the picture: the bucket's version listing is empty. Where deletes
// keep versions (DreamObjects US-East 5: `s3.cluster.deletesKeepVersions`), it only added a delete
// marker over the picture, which stays stored; deleting each by its `VersionId` removes it for good.

// %% id="versions-left" tags=["cleanup"]
import { ListObjectVersionsCommand } from "@aws-sdk/client-s3";

const left = await s3.client.send(new ListObjectVersionsCommand({ Bucket: bucket }));
const stored = [...(left.DeleteMarkers ?? []), ...(left.Versions ?? [])];
for (const { Key, VersionId } of stored) {
  await s3.client.send(new DeleteObjectCommand({ Bucket: bucket, Key, VersionId }));
}
s3.trace.show(stored.map(({ Key, VersionId }) => ({ Key, VersionId, removed: true })));

// %% [markdown]
// ## Delete the bucket, close
//
// With nothing left in it, the bucket can go, and the link now says `404 NoSuchBucket`. Closing
// the connection stops the embedded server, if one was started. That is the whole tour!

// %% id="close" tags=["cleanup"]
await s3.client.send(new DeleteBucketCommand({ Bucket: bucket }));
const afterwards = await probe(link, { trace: s3.trace });
await s3.close();
s3.trace.show(afterwards);
