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
// listings can group keys by `/`, and a few calls act on thousands of keys with as few requests as
// S3 allows.
//
// The set-up connects as in [chapter 1](tour.ipynb#Where-to-connect) (`options` says where) and
// makes a bucket for this chapter's keys; the last cell deletes it, with everything in it.

// %% id="folders-setup" tags=["parameters"]
import { connect, type ConnectOptions, createBucket } from "../lib/mod.ts";

const options: ConnectOptions = {}; // where to connect: see chapter 1
const s3 = await connect(options);
const bucket = await createBucket(s3, { prefix: "folders" });
s3.trace.show(bucket);

// %% [markdown]
// ## Keys with slashes, listed as folders
//
// `ListObjectsV2Command` with `Delimiter: "/"` folds every key with a `/` after the prefix into a
// *common prefix*: the top level shows two folders and one file. The course's `putMany()` writes
// the keys first, one `PutObject` each.

// %% id="folders-top"
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { putMany } from "../lib/mod.ts";
const tree = ["readme.txt", "docs/notes.txt", "photos/2025/beach.jpg", "photos/2026/cloud.jpg"];
await putMany(s3, bucket, tree, "some bytes");
const top = await s3.client.send(new ListObjectsV2Command({ Bucket: bucket, Delimiter: "/" }));
const folders = (top.CommonPrefixes ?? []).map(({ Prefix }) => Prefix);
s3.trace.show({ folders, files: (top.Contents ?? []).map(({ Key }) => Key) });

// %% [markdown]
// ## Open a folder
//
// The same listing with `Prefix: "photos/"` shows what is inside it: two more folders.
// `listFolder(s3, bucket, prefix)` is the course's shorthand.

// %% id="folders-open"
import { listFolder } from "../lib/mod.ts";

s3.trace.show(await listFolder(s3, bucket, "photos/"));

// %% [markdown]
// ## Past 1,000 keys
//
// A listing answers at most 1,000 keys, then a continuation token for the next page; the SDK's
// `paginateListObjectsV2()` follows the tokens (writing each into the input it was given, so a
// second listing takes a fresh one). We write 1,100 small logs and list them: two requests (the
// trace counts the 1,100 PUTs in one line).

// %% id="folders-many"
import { paginateListObjectsV2 } from "@aws-sdk/client-s3";
const logs = Array.from({ length: 1100 }, (_, i) => `logs/${String(i).padStart(4, "0")}.log`);
await putMany(s3, bucket, logs, "a log line\n");
const pages = await Array.fromAsync(
  paginateListObjectsV2({ client: s3.client }, { Bucket: bucket, Prefix: "logs/" }),
);
const listed = pages.reduce((n, page) => n + (page.KeyCount ?? 0), 0);
s3.trace.show({ written: logs.length, listed, requests: pages.length });

// %% [markdown]
// ## User metadata and content type
//
// An object carries a `ContentType` (what a browser does with it) and any `Metadata` you give it,
// sent as `x-amz-meta-*` headers; a `HeadObjectCommand` reads them without the body.

// %% id="folders-metadata"
import { HeadObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
const report = { Bucket: bucket, Key: "docs/report.html" };
const about = { ContentType: "text/html", Metadata: { author: "ada" } };
await s3.client.send(new PutObjectCommand({ ...report, ...about, Body: "<h1>Report</h1>" }));
const head = await s3.client.send(new HeadObjectCommand(report));
s3.trace.show({ ContentType: head.ContentType, Metadata: head.Metadata, ETag: head.ETag });

// %% [markdown]
// ## Copy and rename
//
// `CopyObjectCommand` copies inside the service, metadata included, with no bytes through this
// machine. S3 has no rename: it is a copy, then a delete of the old key. `copyObject()` and
// `renameObject()` are the course's shorthands.

// %% id="folders-copy"
import { CopyObjectCommand, DeleteObjectCommand } from "@aws-sdk/client-s3";
const copy = (from: string, Key: string) =>
  s3.client.send(new CopyObjectCommand({ Bucket: bucket, Key, CopySource: `${bucket}/${from}` }));
await copy("docs/report.html", "docs/draft.html");
await copy("docs/draft.html", "archive/report-2026.html"); // a rename: the copy, then
await s3.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: "docs/draft.html" }));
s3.trace.show(await listFolder(s3, bucket, "archive/"));

// %% [markdown]
// ## A byte range
//
// `Range: "bytes=4-9"` reads only those bytes, both ends included: six bytes, `206 Partial
// Content`. That is how downloads resume and how big files are read in parallel. `getRange()` is
// the shorthand.

// %% id="folders-range"
import { GetObjectCommand } from "@aws-sdk/client-s3";

const part = await s3.client.send(new GetObjectCommand({ ...report, Range: "bytes=4-9" }));
s3.trace.show(await part.Body!.transformToString());

// %% [markdown]
// ## A conditional GET
//
// With `IfNoneMatch` set to the ETag of the copy we hold, the server answers `304 Not Modified` and
// sends no body: the cached copy is still good. The SDK throws for a 304, its status in
// `$metadata`; `getIfChanged()` is the shorthand that answers `{ modified: false }` instead.

// %% id="folders-conditional"
const cached = await s3.client.send(new GetObjectCommand({ ...report, IfNoneMatch: head.ETag }))
  .catch((error) => error);
s3.trace.show({ status: cached.$metadata?.httpStatusCode });

// %% [markdown]
// ## The size of a bucket
//
// S3 keeps no running total: the size of a bucket (or of a folder, with a prefix) is its listing
// added up, one request per 1,000 keys.

// %% id="folders-size"
import { bucketSize } from "../lib/mod.ts";

s3.trace.show(await bucketSize(s3, bucket));

// %% [markdown]
// ## Change the ACL of many objects
//
// `PutObjectAclCommand` sets one object's ACL; a folder takes one per object, which
// `setAclUnder()` sends after listing the folder. Where objects have no ACL of their own
// (DreamObjects US-East 5) they take their bucket's, so there is nothing to do per object.

// %% id="folders-acl"
import { PutObjectAclCommand } from "@aws-sdk/client-s3";
import { setAclUnder } from "../lib/mod.ts";
const beach = { Bucket: bucket, Key: "photos/2025/beach.jpg", ACL: "public-read" as const };
if (s3.cluster.objectAcls) await s3.client.send(new PutObjectAclCommand(beach));
const madePublic = s3.cluster.objectAcls
  ? await setAclUnder(s3, bucket, "photos/", "public-read")
  : "skipped: no per-object ACLs here, objects take their bucket's permission";
s3.trace.show({ madePublic });

// %% [markdown]
// ## Delete a folder, 1,000 keys per request
//
// `DeleteObjectsCommand` deletes up to 1,000 keys in one request: the 1,100 logs go in two, one
// per listing page read above. It answers 200 even when some keys fail: read its `Errors`.
// `deletePrefix()` is the shorthand.
//
// Where the bucket keeps versions (US-East 5), a delete without version ids only adds delete
// markers: the logs stay stored until their versions go (chapter 5), which the close cell's
// `emptyBucket()` does.

// %% id="folders-delete-prefix"
import { DeleteObjectsCommand } from "@aws-sdk/client-s3";
const errors = [];
for (const { Contents = [] } of pages) {
  const Delete = { Objects: Contents.map(({ Key }) => ({ Key })) };
  const answer = await s3.client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete }));
  errors.push(...answer.Errors ?? []);
}
s3.trace.show({ left: await listFolder(s3, bucket, "logs/"), errors });

// %% [markdown]
// ## Clean up and close
//
// `emptyBucket()` removes what is left (every version, where the service keeps them), then the
// bucket goes; closing the connection stops the embedded server, if one was started.

// %% id="folders-close" tags=["cleanup"]
import { deleteBucket, emptyBucket } from "../lib/mod.ts";

await emptyBucket(s3, bucket);
await deleteBucket(s3, bucket);
await s3.close();
s3.trace.show();
