/**
 * Chapter 5 of the course, "Versions: undo an overwrite, undo a delete": versioning on, an
 * overwrite undone by a server-side copy of the old version, a delete marker undone, one object's
 * versions deleted for good, each step first as the AWS SDK v3 call.
 *
 * A notebook in jupytext's "percent" format (described in `tour/percent.ts`): `deno task notebook`
 * writes `notebooks/05-versions.ipynb` from this file and `deno task tour versions` runs the same
 * cells in a terminal.
 *
 * @module
 */

// %% [markdown]
// # Versions: undo an overwrite, undo a delete
//
// A versioned bucket keeps every version of every object: an overwrite adds a new one, a delete
// adds a *delete marker*, and nothing is lost until you delete a version by its id. DreamObjects
// US-East 5 versions every bucket, always.
//
// The set-up connects as in [chapter 1](tour.ipynb#Where-to-connect) (`options` says where) and
// makes a bucket; the last cell deletes it.

// %% id="versions-setup" tags=["parameters"]
import { connect, type ConnectOptions, createBucket } from "../lib/mod.ts";

const options: ConnectOptions = {}; // where to connect: see chapter 1
const s3 = await connect(options);
const bucket = await createBucket(s3, { prefix: "versions" });
s3.trace.show(bucket);

// %% [markdown]
// ## Is it versioned?
//
// `GetBucketVersioningCommand` answers with a `Status`: none for a bucket never versioned (Ceph
// RGW's new buckets), `Enabled` on US-East 5. The course's `getVersioning()` calls the first
// `Unversioned`.

// %% id="versions-state"
import { GetBucketVersioningCommand } from "@aws-sdk/client-s3";

const versioning = () => s3.client.send(new GetBucketVersioningCommand({ Bucket: bucket }));
const before = (await versioning()).Status;
s3.trace.show(before ?? "Unversioned");

// %% [markdown]
// ## Turn versioning on
//
// `PutBucketVersioningCommand` with `Enabled`; once on, it can only be suspended, never removed.
// Where it is on already there is nothing to send. `setVersioning(s3, bucket, true)` is the
// shorthand.

// %% id="versioning-on"
import { PutBucketVersioningCommand } from "@aws-sdk/client-s3";

const enable = { Bucket: bucket, VersioningConfiguration: { Status: "Enabled" as const } };
if (before !== "Enabled") await s3.client.send(new PutBucketVersioningCommand(enable));
s3.trace.show((await versioning()).Status);

// %% [markdown]
// ## Write a file, then overwrite it
//
// Each `PutObject` gets its own `VersionId` (the `x-amz-version-id` header): the second does not
// replace the first, it goes on top of it. A copy kept by hand, `notes.txt.bak`, sits beside it.

// %% id="overwrite"
import { PutObjectCommand } from "@aws-sdk/client-s3";

const put = (Key: string, Body: string) =>
  s3.client.send(new PutObjectCommand({ Bucket: bucket, Key, Body }));
const first = await put("notes.txt", "version 1: the good one");
const second = await put("notes.txt", "version 2: oops, overwritten");
await put("notes.txt.bak", "version 1: the good one");
s3.trace.show([first, second].map(({ VersionId }) => ({ VersionId })));

// %% [markdown]
// ## List its versions
//
// `ListObjectVersionsCommand` (`GET /bucket?versions`) lists every version, newest first; only the
// latest is what a plain GET returns. Its `Prefix` is a prefix, not a key: `notes.txt.bak` is
// listed too.

// %% id="list-versions"
import { ListObjectVersionsCommand } from "@aws-sdk/client-s3";

const prefix = { Bucket: bucket, Prefix: "notes.txt" };
const { Versions = [] } = await s3.client.send(new ListObjectVersionsCommand(prefix));
s3.trace.show(Versions.map(({ Key, VersionId, IsLatest }) => ({ Key, VersionId, IsLatest })));

// %% [markdown]
// ## Read the old version
//
// A `GetObjectCommand` with a `VersionId` reads any version, not only the latest. The course's
// `getText(s3, bucket, key, { versionId })` is the shorthand.

// %% id="read-old"
import { GetObjectCommand } from "@aws-sdk/client-s3";

const notes = { Bucket: bucket, Key: "notes.txt" };
const read = (VersionId?: string) =>
  s3.client.send(new GetObjectCommand({ ...notes, VersionId }))
    .then((got) => got.Body!.transformToString());
s3.trace.show(await read(first.VersionId));

// %% [markdown]
// ## Restore it, on the server
//
// `CopyObjectCommand` with `CopySource` set to `bucket/key?versionId=…` copies the old version
// over the key as its newest version, without the bytes leaving the server (a key with special
// characters goes `encodeURIComponent`-ed there). Version 2 stays in the history.

// %% id="restore"
import { CopyObjectCommand } from "@aws-sdk/client-s3";

const CopySource = `${bucket}/notes.txt?versionId=${first.VersionId}`;
const restored = await s3.client.send(new CopyObjectCommand({ ...notes, CopySource }));
const { CopySourceVersionId: from, VersionId } = restored;
s3.trace.show({ from, VersionId, now: await read() });

// %% [markdown]
// ## Delete it: a delete marker
//
// A `DeleteObjectCommand` without a `VersionId` removes nothing: it adds a delete marker, which has
// a version id of its own.

// %% id="delete-marker"
import { DeleteObjectCommand } from "@aws-sdk/client-s3";

const deleted = await s3.client.send(new DeleteObjectCommand(notes));
s3.trace.show({ DeleteMarker: deleted.DeleteMarker, VersionId: deleted.VersionId });

// %% [markdown]
// ## Hidden
//
// With the marker on top, a plain GET answers `404`: the SDK throws an error named after S3's code,
// `NoSuchKey`, as if the object were gone.

// %% id="hidden"
const gone = await read().catch((error) => error);
s3.trace.show({ error: gone.name, status: gone.$metadata?.httpStatusCode });

// %% [markdown]
// ## Not gone
//
// Yet every version is still listed, under the marker. The course's `listVersions()` is the
// shorthand for `ListObjectVersions`: it pages through long listings and puts the delete markers
// among the versions, newest first.

// %% id="hidden-not-gone"
import { listVersions } from "../lib/mod.ts";

const all = await Array.fromAsync(listVersions(s3, bucket, { prefix: "notes.txt" }));
s3.trace.show(all.map(({ lastModified: _when, etag: _etag, ...version }) => version));

// %% [markdown]
// ## Undo the delete
//
// Deleting the delete marker itself, by its version id, brings the object back as it was.

// %% id="undo-delete"
await s3.client.send(new DeleteObjectCommand({ ...notes, VersionId: deleted.VersionId }));
s3.trace.show(await read());

// %% [markdown]
// ## Delete for good
//
// To really delete a versioned object, delete each of its versions by id: `DeleteObjectsCommand`
// takes up to 1,000 at once. The listing's prefix also matches `notes.txt.bak`, so we keep only
// the exact key, and read `Errors`: a 200 answer can still refuse some of them.

// %% id="delete-for-good"
import { DeleteObjectsCommand } from "@aws-sdk/client-s3";

const listed = await Array.fromAsync(listVersions(s3, bucket, { prefix: "notes.txt" }));
const exact = listed.filter((v) => v.key === "notes.txt"); // not notes.txt.bak
const Delete = { Objects: exact.map((v) => ({ Key: v.key, VersionId: v.versionId })) };
const done = await s3.client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete }));
const left = (await Array.fromAsync(listVersions(s3, bucket))).map((v) => v.key);
s3.trace.show({ deleted: done.Deleted?.length, errors: done.Errors?.length ?? 0, left });

// %% [markdown]
// ## Clean up and close
//
// `emptyBucket()` removes any version or marker left (one `DeleteObjects` per page), then the
// bucket goes; closing the connection stops the embedded server, if one was started.

// %% id="versions-close" tags=["cleanup"]
import { deleteBucket, emptyBucket } from "../lib/mod.ts";

await emptyBucket(s3, bucket);
await deleteBucket(s3, bucket);
await s3.close();
s3.trace.show();
