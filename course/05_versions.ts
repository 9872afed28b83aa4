/**
 * Chapter 5 of the course, "Versions: undo an overwrite, undo a delete": versioning on, an
 * overwrite undone, a delete marker undone, every version deleted.
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
// A versioned bucket keeps every version of every object: an overwrite adds a new one, a delete adds
// a *delete marker*, and nothing is lost until you delete a version by its id. DreamObjects US-East 5
// versions every bucket, always.
//
// The set-up connects as in [chapter 1](tour.ipynb#Where-to-connect) (`options` says where), makes
// a fresh bucket and reads its versioning state: on Ceph RGW it starts unversioned (no `Status`),
// on US-East 5 already `Enabled`.

// %% id="versions-setup" tags=["parameters"]
import { connect, type ConnectOptions, createBucket } from "../lib/mod.ts";
import { GetBucketVersioningCommand } from "@aws-sdk/client-s3";

const options: ConnectOptions = {}; // where to connect: see chapter 1
const s3 = await connect(options);
const bucket = await createBucket(s3, { prefix: "versions" });
const { Status } = await s3.client.send(new GetBucketVersioningCommand({ Bucket: bucket }));
s3.trace.show(Status ?? "Unversioned");

// %% [markdown]
// ## Turn versioning on
//
// `PutBucketVersioningCommand` with `Enabled`; once on, it can only be suspended, never removed.
// Where it is on already there is nothing to do. `setVersioning(s3, bucket, true)` is the shorthand.

// %% id="versioning-on"
import { PutBucketVersioningCommand } from "@aws-sdk/client-s3";

const on = { Bucket: bucket, VersioningConfiguration: { Status: "Enabled" as const } };
if (Status !== "Enabled") await s3.client.send(new PutBucketVersioningCommand(on));
const now = await s3.client.send(new GetBucketVersioningCommand({ Bucket: bucket }));
s3.trace.show(now.Status);

// %% [markdown]
// ## Write a file, then overwrite it
//
// Each PUT gets its own `VersionId` (the `x-amz-version-id` header): the second one does not
// replace the first, it goes on top of it. A backup copy, `notes.txt.bak`, goes next to it.

// %% id="overwrite"
import { PutObjectCommand } from "@aws-sdk/client-s3";
const notes = { Bucket: bucket, Key: "notes.txt" };
const put = (Key: string, Body: string) =>
  s3.client.send(new PutObjectCommand({ ...notes, Key, Body }));
const first = await put("notes.txt", "version 1: the good one");
const second = await put("notes.txt", "version 2: oops, overwritten");
await put("notes.txt.bak", "a backup, whose key starts with notes.txt");
s3.trace.show([first, second].map(({ VersionId, ETag }) => ({ VersionId, ETag })));

// %% [markdown]
// ## List its versions
//
// `ListObjectVersionsCommand` (`GET /bucket?versions`) shows both, newest first; only the latest is
// what a plain GET returns. Its `Prefix` is a prefix, not a key: `notes.txt.bak` matches too.

// %% id="list-versions"
import { ListObjectVersionsCommand } from "@aws-sdk/client-s3";

const listing = { Bucket: bucket, Prefix: "notes.txt" };
const { Versions = [] } = await s3.client.send(new ListObjectVersionsCommand(listing));
s3.trace.show(
  Versions.map(({ Key, VersionId, IsLatest, Size }) => ({ Key, VersionId, IsLatest, Size })),
);

// %% [markdown]
// ## Read the old version
//
// A `GetObjectCommand` with a `VersionId` reads any version, not only the latest.

// %% id="read-old"
import { GetObjectCommand } from "@aws-sdk/client-s3";

const old = await s3.client.send(new GetObjectCommand({ ...notes, VersionId: first.VersionId }));
s3.trace.show(await old.Body!.transformToString());

// %% [markdown]
// ## Restore it, on the server
//
// `CopyObjectCommand` from the old version (`?versionId=` in its `CopySource`) onto the same key
// makes it the newest version again, inside the service: no byte comes through this machine, and
// version 2 stays in the history.

// %% id="restore"
import { CopyObjectCommand } from "@aws-sdk/client-s3";

const CopySource = `${bucket}/notes.txt?versionId=${first.VersionId}`;
await s3.client.send(new CopyObjectCommand({ ...notes, CopySource }));
const latest = await s3.client.send(new GetObjectCommand(notes));
s3.trace.show(await latest.Body!.transformToString());

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
// ## Hidden, not gone
//
// With the marker on top, a plain GET answers `404 NoSuchKey`, yet every version is still listed
// under it. The course's `listVersions(s3, bucket, { prefix })` lists versions and markers in one
// list, page after page.

// %% id="hidden-not-gone"
import { listVersions, Stack, toView } from "../lib/mod.ts";

const gone = await s3.client.send(new GetObjectCommand(notes)).catch((error) => error);
const hidden = await Array.fromAsync(listVersions(s3, bucket, { prefix: "notes.txt" }));
s3.trace.show(new Stack([toView(`${gone.name}: ${gone.message}`), toView(hidden)]));

// %% [markdown]
// ## Undo the delete
//
// Deleting the delete marker itself, by its version id, brings the object back as it was.

// %% id="undo-delete"
await s3.client.send(new DeleteObjectCommand({ ...notes, VersionId: deleted.VersionId }));
const back = await s3.client.send(new GetObjectCommand(notes));
s3.trace.show(await back.Body!.transformToString());

// %% [markdown]
// ## Delete for good
//
// To really delete a versioned object, delete each of its versions by id. The listing's prefix
// also matches `notes.txt.bak`, so we keep only the versions whose key is exactly `notes.txt`: the
// backup stays.

// %% id="delete-for-good"
const all = await Array.fromAsync(listVersions(s3, bucket, { prefix: "notes.txt" }));
const ours = all.filter((version) => version.key === "notes.txt"); // not notes.txt.bak
for (const { versionId } of ours) {
  await s3.client.send(new DeleteObjectCommand({ ...notes, VersionId: versionId }));
}
s3.trace.show(await Array.fromAsync(listVersions(s3, bucket)));

// %% [markdown]
// ## Delete the bucket and close
//
// `emptyBucket()` removes any version or marker left (one `DeleteObjects` per page), then the
// bucket can go; closing the connection stops the embedded server, if one was started.

// %% id="versions-close" tags=["cleanup"]
import { deleteBucket, emptyBucket } from "../lib/mod.ts";

await emptyBucket(s3, bucket);
await deleteBucket(s3, bucket);
await s3.close();
s3.trace.show();
