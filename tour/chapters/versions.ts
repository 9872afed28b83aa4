/**
 * Chapter "versions": how versioning saves an object from a bad overwrite or delete. Versioning
 * on (DreamObjects US-East 5 has it on for every bucket), an overwrite, the versions listed, an
 * old one read and restored, a delete that only adds a delete marker, the delete undone, then
 * every version deleted for good.
 *
 * @module
 */

import { type Step, step } from "../step.ts";
import { closeStep, optionsStep } from "./_common.ts";

/** The steps, in order. */
export const VERSIONS_STEPS: readonly Step[] = [
  step({
    id: "versions-intro",
    title: "Versions: undo an overwrite, undo a delete",
    prose: `
A versioned bucket keeps every version of every object: an overwrite adds a new one, a delete adds
a *delete marker*, and nothing is lost until you delete a version by its id. DreamObjects US-East 5
versions every bucket, always.`,
    code: `
import { connect, createBucket, setVersioning, getVersioning, putObject, getText } from "../lib/mod.ts";
import { listVersions, deleteObject, emptyBucket, deleteBucket } from "../lib/mod.ts";`,
  }),
  optionsStep("versions"),
  step({
    id: "versions-connect",
    title: "Connect and make a bucket",
    prose: `
A fresh bucket: on Ceph RGW it starts \`Unversioned\`, on US-East 5 already \`Enabled\`.`,
    code: `
const s3 = await connect(options);
const bucket = await createBucket(s3, { prefix: "versions" });
s3.trace.show(await getVersioning(s3, bucket))`,
  }),
  step({
    id: "versioning-on",
    title: "Turn versioning on",
    prose: `
\`PutBucketVersioning\` with \`Enabled\`; once on, it can only be suspended, never removed. Where it
is on already there is nothing to do.`,
    code: `
if (await getVersioning(s3, bucket) !== "Enabled") await setVersioning(s3, bucket, true);
s3.trace.show(await getVersioning(s3, bucket))`,
  }),
  step({
    id: "overwrite",
    title: "Write a file, then overwrite it",
    prose: `
Each PUT gets its own version id (the \`x-amz-version-id\` header): the second one does not replace
the first, it goes on top of it.`,
    code: `
const first = await putObject(s3, bucket, "notes.txt", "version 1: the good one");
const second = await putObject(s3, bucket, "notes.txt", "version 2: oops, overwritten");
s3.trace.show([first, second])`,
  }),
  step({
    id: "list-versions",
    title: "List its versions",
    prose: `
\`ListObjectVersions\` (\`GET /bucket?versions\`) shows both, newest first; only the latest is what
a plain GET returns.`,
    code: `
s3.trace.show(await Array.fromAsync(listVersions(s3, bucket, { prefix: "notes.txt" })))`,
  }),
  step({
    id: "read-old",
    title: "Read the old version",
    prose: `
A GET with \`versionId\` reads any version, not only the latest.`,
    code: `
s3.trace.show(await getText(s3, bucket, "notes.txt", { versionId: first.versionId }))`,
  }),
  step({
    id: "restore",
    title: "Restore it",
    prose: `
Restoring is writing the old bytes again as the newest version (a \`CopyObject\` from the old
version would do it server-side); version 2 stays in the history.`,
    code: `
const good = await getText(s3, bucket, "notes.txt", { versionId: first.versionId });
await putObject(s3, bucket, "notes.txt", good);
s3.trace.show(await getText(s3, bucket, "notes.txt"))`,
  }),
  step({
    id: "delete-marker",
    title: "Delete it: a delete marker",
    prose: `
A DELETE without a version id removes nothing: it adds a delete marker, which has a version id of
its own.`,
    code: `
const deleted = await deleteObject(s3, bucket, "notes.txt");
s3.trace.show(deleted)`,
  }),
  step({
    id: "hidden-not-gone",
    title: "Hidden, not gone",
    prose: `
With the marker on top, a plain GET answers \`404 NoSuchKey\`, yet every version is still listed
under it.`,
    code: `
const gone = await getText(s3, bucket, "notes.txt").catch((error) => error);
s3.trace.show(await Array.fromAsync(listVersions(s3, bucket, { prefix: "notes.txt" })))`,
  }),
  step({
    id: "undo-delete",
    title: "Undo the delete",
    prose: `
Deleting the delete marker itself, by its version id, brings the object back as it was.`,
    code: `
await deleteObject(s3, bucket, "notes.txt", { versionId: deleted.versionId });
s3.trace.show(await getText(s3, bucket, "notes.txt"))`,
  }),
  step({
    id: "delete-for-good",
    title: "Delete for good",
    prose: `
To really delete a versioned object, delete each of its versions by id; then nothing is listed.`,
    code: `
for await (const version of listVersions(s3, bucket, { prefix: "notes.txt" })) {
  await deleteObject(s3, bucket, version.key, { versionId: version.versionId });
}
s3.trace.show(await Array.fromAsync(listVersions(s3, bucket)))`,
  }),
  step({
    id: "versions-cleanup",
    title: "Delete the bucket",
    prose: `
\`emptyBucket()\` removes any version or marker left (one \`DeleteObjects\` per page), then the
bucket can go.`,
    code: `
await emptyBucket(s3, bucket);
await deleteBucket(s3, bucket);
s3.trace.show()`,
    cleanup: true,
  }),
  closeStep("versions"),
];
