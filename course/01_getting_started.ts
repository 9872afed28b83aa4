/**
 * Chapter 1 of the course, "Getting started": create a bucket, upload a picture, share it with
 * links and ACLs, delete everything.
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
// <notebook>This notebook</notebook><terminal>This tour</terminal> ports DreamHost's classic boto `demo.py` to TypeScript: connect, create a bucket,
// upload a picture, share it with links and ACLs, and clean up. Every cell shows the HTTP requests
// it made, signatures redacted. We import the helpers from the project's small library.

// %% id="intro"
import { connect, createBucket, getBytes, image, listBuckets, putFile } from "../lib/mod.ts";
import { getObjectGrants, presignGet, probe, publicUrl, setObjectAcl } from "../lib/mod.ts";
import { deleteBucket, deleteObject, getBucketGrants, listVersions } from "../lib/mod.ts";
import { setBucketAcl } from "../lib/mod.ts";

// %% [markdown]
// ## Where to connect
//
// With no options, `connect()` starts the project's embedded S3 server in-process, so nothing
// needs an account; `{ emulate: "us-east-5" }` makes it behave like DreamObjects US-East 5. For
// DreamObjects, set `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`, then use
// `{ dreamobjects: true }` (US-East 5, the current cluster) or
// `{ dreamobjects: true, cluster: "us-east-1" }`, whichever your DreamHost panel shows; any other S3
// service takes `{ endpoint: "https://…" }` (or `AWS_ENDPOINT_URL`).

// %% id="options" tags=["parameters"]
const options = {}; // e.g. { dreamobjects: true } for DreamObjects US-East 5,
// { dreamobjects: true, cluster: "us-east-1" } for US-East 1, { emulate: "us-east-5" } offline

// %% [markdown]
// ## Connect
//
// `connect()` returns a connection holding the AWS SDK's `S3Client` (as `s3.client`, for any
// command the helpers don't cover) and a trace of its traffic.

// %% id="connect"
const s3 = await connect(options);
s3;

// %% [markdown]
// ## List your buckets
//
// A bucket is a named container for objects. Listing them is a signed `GET /`: the signature
// proves who we are without sending the secret key.

// %% id="list-buckets"
const buckets = await listBuckets(s3);
s3.trace.show(buckets);

// %% [markdown]
// ## Create a bucket
//
// Bucket names are global and DNS-like: 3 to 63 lower-case letters, digits, `-` and `.` on Ceph
// RGW, 6 to 63 and no `.` on DreamObjects US-East 5. So the helper adds the date and a random suffix
// to our prefix, a name valid on both.

// %% id="create-bucket"
const bucket = await createBucket(s3, { prefix: "demo" });
s3.trace.show(bucket);

// %% [markdown]
// ## Upload a picture
//
// `putFile()` streams a file from disk and sets its `Content-Type` from the extension (large
// files go as a multipart upload). The picture sits in
// <notebook>this notebook's folder</notebook><terminal>`notebooks/`</terminal>.

// %% id="upload"
const uploaded = await putFile(s3, bucket, "cloud.png", "cloud.png");
s3.trace.show(uploaded);

// %% [markdown]
// ## Read it back
//
// A signed `GET` returns the object's bytes: here is the picture, fetched from the bucket.

// %% id="download"
const picture = await getBytes(s3, bucket, "cloud.png");
s3.trace.show(image(picture, "cloud.png"));

// %% [markdown]
// ## Its public link is refused
//
// Every object has a plain URL, but objects are private by default: an anonymous request, like a
// browser's, gets `403 AccessDenied`.

// %% id="public-link-denied"
const link = publicUrl(s3, bucket, "cloud.png");
s3.trace.show(await probe(link, { trace: s3.trace }));

// %% [markdown]
// ## A presigned link works
//
// A presigned URL carries a signature and an expiry (here one hour, at most seven days) in its
// query string, so anyone holding it may read the object until then.

// %% id="presigned-link"
const signed = await presignGet(s3, bucket, "cloud.png", { expiresIn: 3600 });
s3.trace.show(await probe(signed, { trace: s3.trace }));

// %% [markdown]
// ## Make it public
//
// The canned ACL `public-read` grants `READ` to everyone: now the plain link works. Where objects
// have no ACL of their own (DreamObjects US-East 5: `s3.cluster.objectAcls` is false), they inherit
// their bucket's permission, so there the cell makes the bucket `public-read` instead.

// %% id="public-read"
if (s3.cluster.objectAcls) await setObjectAcl(s3, bucket, "cloud.png", "public-read");
else await setBucketAcl(s3, bucket, "public-read"); // its objects inherit it
s3.trace.show(await probe(link, { trace: s3.trace }));

// %% [markdown]
// ## Who may do what
//
// An ACL is a list of grants: the owner keeps `FULL_CONTROL` and everyone (anonymous) got
// `READ`. Without object ACLs we read the bucket's grants, the ones its objects inherit.

// %% id="grants"
const grants = s3.cluster.objectAcls
  ? await getObjectGrants(s3, bucket, "cloud.png")
  : await getBucketGrants(s3, bucket);
s3.trace.show(grants);

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
// Deleting a bucket that still holds objects is refused with `409 BucketNotEmpty`; we catch the
// error to read its explanation.

// %% id="bucket-not-empty"
const refused = await deleteBucket(s3, bucket).catch((error) => error);
s3.trace.show(refused);

// %% [markdown]
// ## Delete the object
//
// Once the object is deleted, the presigned link answers `404 NoSuchKey` (a plain link says `403`
// while the bucket is private: S3 does not tell strangers which keys exist).

// %% id="delete-object" tags=["cleanup"]
await deleteObject(s3, bucket, "cloud.png");
s3.trace.show(await probe(signed, { trace: s3.trace }));

// %% [markdown]
// ## What the delete left behind
//
// Where deletes keep versions (DreamObjects US-East 5: `s3.cluster.deletesKeepVersions` is true),
// a delete without a version id only adds a delete marker over the picture, which stays stored, so
// the bucket is not empty yet. Listing the versions shows what is left; on Ceph RGW the delete removed
// the picture and nothing is.

// %% id="versions-left" tags=["cleanup"]
const left = await Array.fromAsync(listVersions(s3, bucket));
s3.trace.show(left.length ? left : "Nothing left: no version, no delete marker");

// %% [markdown]
// ## Remove every version
//
// A delete that names a version id removes that version or delete marker for good; a bucket can go
// only once none is left.

// %% id="remove-versions" tags=["cleanup"]
for (const v of left) await deleteObject(s3, bucket, v.key, { versionId: v.versionId });
const note = "Nothing to remove here: the delete already removed the picture";
s3.trace.show(left.length ? `Removed ${left.length} version(s) and delete marker(s)` : note);

// %% [markdown]
// ## Delete the bucket
//
// With nothing left in it, the bucket can go, and the link now says `404 NoSuchBucket`.

// %% id="delete-bucket" tags=["cleanup"]
await deleteBucket(s3, bucket);
s3.trace.show(await probe(link, { trace: s3.trace }));

// %% [markdown]
// ## Done
//
// Closing the connection stops the embedded server, if one was started. That is the whole tour!

// %% id="close"
await s3.close();
