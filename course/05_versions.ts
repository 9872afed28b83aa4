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

// %% id="versions-intro"
import { connect, createBucket, getText, getVersioning, putObject } from "../lib/mod.ts";
import { deleteBucket, deleteObject, emptyBucket, setVersioning } from "../lib/mod.ts";
import { listVersions, Stack, toView } from "../lib/mod.ts";

// %% [markdown]
// ## Where to connect
//
// As in the first chapter: `{}` is the embedded server, `{ emulate: "us-east-5" }` behaves like
// DreamObjects US-East 5, `{ dreamobjects: true }` is your account (keys from `AWS_ACCESS_KEY_ID`
// and `AWS_SECRET_ACCESS_KEY`).

// %% id="versions-options" tags=["parameters"]
const options = {}; // e.g. { dreamobjects: true } or { emulate: "us-east-5" }

// %% [markdown]
// ## Connect and make a bucket
//
// A fresh bucket: on Ceph RGW it starts `Unversioned`, on US-East 5 already `Enabled`.

// %% id="versions-connect"
const s3 = await connect(options);
const bucket = await createBucket(s3, { prefix: "versions" });
s3.trace.show(await getVersioning(s3, bucket));

// %% [markdown]
// ## Turn versioning on
//
// `PutBucketVersioning` with `Enabled`; once on, it can only be suspended, never removed. Where it
// is on already there is nothing to do.

// %% id="versioning-on"
if (await getVersioning(s3, bucket) !== "Enabled") await setVersioning(s3, bucket, true);
s3.trace.show(await getVersioning(s3, bucket));

// %% [markdown]
// ## Write a file, then overwrite it
//
// Each PUT gets its own version id (the `x-amz-version-id` header): the second one does not replace
// the first, it goes on top of it.

// %% id="overwrite"
const first = await putObject(s3, bucket, "notes.txt", "version 1: the good one");
const second = await putObject(s3, bucket, "notes.txt", "version 2: oops, overwritten");
s3.trace.show([first, second]);

// %% [markdown]
// ## List its versions
//
// `ListObjectVersions` (`GET /bucket?versions`) shows both, newest first; only the latest is what
// a plain GET returns.

// %% id="list-versions"
s3.trace.show(await Array.fromAsync(listVersions(s3, bucket, { prefix: "notes.txt" })));

// %% [markdown]
// ## Read the old version
//
// A GET with `versionId` reads any version, not only the latest.

// %% id="read-old"
s3.trace.show(await getText(s3, bucket, "notes.txt", { versionId: first.versionId }));

// %% [markdown]
// ## Restore it
//
// Restoring is writing the old bytes again as the newest version (a `CopyObject` from the old
// version would do it server-side); version 2 stays in the history.

// %% id="restore"
const good = await getText(s3, bucket, "notes.txt", { versionId: first.versionId });
await putObject(s3, bucket, "notes.txt", good);
s3.trace.show(await getText(s3, bucket, "notes.txt"));

// %% [markdown]
// ## Delete it: a delete marker
//
// A DELETE without a version id removes nothing: it adds a delete marker, which has a version id of
// its own.

// %% id="delete-marker"
const deleted = await deleteObject(s3, bucket, "notes.txt");
s3.trace.show(deleted);

// %% [markdown]
// ## Hidden, not gone
//
// With the marker on top, a plain GET answers `404 NoSuchKey`, yet every version is still listed
// under it.

// %% id="hidden-not-gone"
const gone = await getText(s3, bucket, "notes.txt").catch((error) => error);
const hidden = await Array.fromAsync(listVersions(s3, bucket, { prefix: "notes.txt" }));
s3.trace.show(new Stack([toView(gone), toView(hidden)]));

// %% [markdown]
// ## Undo the delete
//
// Deleting the delete marker itself, by its version id, brings the object back as it was.

// %% id="undo-delete"
await deleteObject(s3, bucket, "notes.txt", { versionId: deleted.versionId });
s3.trace.show(await getText(s3, bucket, "notes.txt"));

// %% [markdown]
// ## Delete for good
//
// To really delete a versioned object, delete each of its versions by id; then nothing is listed.

// %% id="delete-for-good"
for await (const version of listVersions(s3, bucket, { prefix: "notes.txt" })) {
  await deleteObject(s3, bucket, version.key, { versionId: version.versionId });
}
s3.trace.show(await Array.fromAsync(listVersions(s3, bucket)));

// %% [markdown]
// ## Delete the bucket
//
// `emptyBucket()` removes any version or marker left (one `DeleteObjects` per page), then the
// bucket can go.

// %% id="versions-cleanup" tags=["cleanup"]
await emptyBucket(s3, bucket);
await deleteBucket(s3, bucket);
s3.trace.show();

// %% [markdown]
// ## Done
//
// Closing the connection stops the embedded server, if one was started.

// %% id="versions-close"
await s3.close();
