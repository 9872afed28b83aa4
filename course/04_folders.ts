/**
 * Chapter 4 of the course, "Folders and many objects": folders, 1,000+ keys, metadata, copy,
 * rename, ranges, 304, sizes, bulk deletes and ACLs.
 *
 * A notebook in jupytext's "percent" format (described in `tour/percent.ts`): `deno task notebook`
 * writes `notebooks/04-folders.ipynb` from this file and `deno task tour folders` runs the same
 * cells in a terminal.
 *
 * @module
 */

// %% [markdown]
// # Folders and many objects
//
// S3 has no folders: a bucket is a flat list of keys, and `/` in a key is just a character. Yet
// listings can group keys by `/`, and the helpers below act on thousands of keys with as few
// requests as S3 allows.

// %% id="folders-intro"
import { connect, createBucket, deleteBucket, emptyBucket, headObject } from "../lib/mod.ts";
import { copyObject, getIfChanged, getRange, listFolder, putMany, putObject } from "../lib/mod.ts";
import { bucketSize, deletePrefix, renameObject, setAclUnder } from "../lib/mod.ts";

// %% [markdown]
// ## Where to connect
//
// As in the first chapter: `{}` is the embedded server, `{ emulate: "us-east-5" }` behaves like
// DreamObjects US-East 5, `{ dreamobjects: true }` is your account (keys from `AWS_ACCESS_KEY_ID`
// and `AWS_SECRET_ACCESS_KEY`).

// %% id="folders-options" tags=["parameters"]
const options = {}; // e.g. { dreamobjects: true } or { emulate: "us-east-5" }

// %% [markdown]
// ## Connect and make a bucket
//
// A bucket for this chapter's keys; it goes at the end, with everything in it.

// %% id="folders-connect"
const s3 = await connect(options);
const bucket = await createBucket(s3, { prefix: "folders" });
s3.trace.show(bucket);

// %% [markdown]
// ## Keys with slashes, listed as folders
//
// `ListObjectsV2` with `delimiter=/` folds every key with a `/` after the prefix into a *common
// prefix*: the top level shows two folders and one file.

// %% id="folders-top"
const tree = ["readme.txt", "docs/notes.txt", "photos/2025/beach.jpg", "photos/2026/cloud.jpg"];
await putMany(s3, bucket, tree, "some bytes");
s3.trace.show(await listFolder(s3, bucket));

// %% [markdown]
// ## Open a folder
//
// The same listing with `prefix=photos/` shows what is inside it: two more folders.

// %% id="folders-open"
s3.trace.show(await listFolder(s3, bucket, "photos/"));

// %% [markdown]
// ## Past 1,000 keys
//
// A listing answers at most 1,000 keys, then a continuation token for the next page. We write 1,100
// small logs (the trace is paused for those 1,100 PUTs) and list them: two requests.

// %% id="folders-many"
const logs = Array.from({ length: 1100 }, (_, i) => `logs/${String(i).padStart(4, "0")}.log`);
s3.trace.enabled = false;
await putMany(s3, bucket, logs, "a log line\n").finally(() => (s3.trace.enabled = true));
const listed = await listFolder(s3, bucket, "logs/");
s3.trace.show({ written: logs.length, listed: listed.files.length, requests: listed.requests });

// %% [markdown]
// ## User metadata and content type
//
// An object carries a `Content-Type` (what a browser does with it) and any `x-amz-meta-*` headers
// you give it; a HEAD reads them without the body.

// %% id="folders-metadata"
const html = "<h1>Report</h1>";
const about = { contentType: "text/html", metadata: { author: "ada" } };
await putObject(s3, bucket, "docs/report.html", html, about);
s3.trace.show(await headObject(s3, bucket, "docs/report.html"));

// %% [markdown]
// ## Copy and rename
//
// `CopyObject` copies inside the service, metadata included, with no bytes through this machine.
// S3 has no rename: it is a copy, then a delete of the old key.

// %% id="folders-copy"
await copyObject(s3, bucket, "docs/report.html", "docs/draft.html");
await renameObject(s3, bucket, "docs/draft.html", "archive/report-2026.html");
s3.trace.show(await listFolder(s3, bucket, "archive/"));

// %% [markdown]
// ## A byte range
//
// `Range: bytes=4-9` reads only those bytes (`206 Partial Content`): how downloads resume and
// how big files are read in parallel.

// %% id="folders-range"
const part = await getRange(s3, bucket, "docs/report.html", 4, 9);
s3.trace.show(new TextDecoder().decode(part));

// %% [markdown]
// ## A conditional GET
//
// With `If-None-Match` set to the ETag of the copy we hold, the server answers `304 Not Modified`
// and sends no body: the cached copy is still good.

// %% id="folders-conditional"
const { etag } = await headObject(s3, bucket, "docs/report.html");
s3.trace.show(await getIfChanged(s3, bucket, "docs/report.html", etag ?? ""));

// %% [markdown]
// ## The size of a bucket
//
// S3 keeps no running total: the size of a bucket (or of a folder, with a prefix) is its listing
// added up, one request per 1,000 keys.

// %% id="folders-size"
s3.trace.show(await bucketSize(s3, bucket));

// %% [markdown]
// ## Change the ACL of many objects
//
// One `PutObjectAcl` per object makes a whole folder public. Where objects have no ACL of their own
// (DreamObjects US-East 5) they take their bucket's, so there is nothing to do per object.

// %% id="folders-acl"
const madePublic = s3.cluster.objectAcls
  ? await setAclUnder(s3, bucket, "photos/", "public-read")
  : "skipped: no per-object ACLs here, objects take their bucket's permission";
s3.trace.show({ madePublic });

// %% [markdown]
// ## Delete a folder, 1,000 keys per request
//
// `DeleteObjects` deletes up to 1,000 keys in one request: the 1,100 logs go in two, after the
// listing that names them.

// %% id="folders-delete-prefix"
s3.trace.show(await deletePrefix(s3, bucket, "logs/"));

// %% [markdown]
// ## Clean up
//
// `emptyBucket()` removes what is left (every version, where the service keeps them), then the
// bucket goes.

// %% id="folders-cleanup" tags=["cleanup"]
await emptyBucket(s3, bucket);
await deleteBucket(s3, bucket);
s3.trace.show();

// %% [markdown]
// ## Done
//
// Closing the connection stops the embedded server, if one was started.

// %% id="folders-close"
await s3.close();
