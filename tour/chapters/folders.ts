/**
 * Chapter "folders": keys with `/` seen as folders, and objects by the thousand. A folder listing
 * (prefix + delimiter), a listing past 1,000 keys, user metadata and content type, copy and
 * rename, a ranged and a conditional GET, the size of a bucket, a folder deleted in batches of
 * 1,000 and the ACL of many objects changed — DreamHost's "managing DreamObjects with boto
 * scripts" tutorial as code, with the request counts shown.
 *
 * @module
 */

import { type Step, step } from "../step.ts";
import { closeStep, optionsStep } from "./_common.ts";

/** The steps, in order. */
export const FOLDERS_STEPS: readonly Step[] = [
  step({
    id: "folders-intro",
    title: "Folders and many objects",
    prose: `
S3 has no folders: a bucket is a flat list of keys, and \`/\` in a key is just a character. Yet
listings can group keys by \`/\`, and the helpers below act on thousands of keys with as few
requests as S3 allows.`,
    code: `
import { connect, createBucket, putObject, headObject, emptyBucket, deleteBucket } from "../lib/mod.ts";
import { putMany, listFolder, copyObject, renameObject, getRange, getIfChanged } from "../lib/mod.ts";
import { bucketSize, deletePrefix, setAclUnder } from "../lib/mod.ts";`,
  }),
  optionsStep("folders"),
  step({
    id: "folders-connect",
    title: "Connect and make a bucket",
    prose: `
A bucket for this chapter's keys; it goes at the end, with everything in it.`,
    code: `
const s3 = await connect(options);
const bucket = await createBucket(s3, { prefix: "folders" });
s3.trace.show(bucket)`,
  }),
  step({
    id: "folders-top",
    title: "Keys with slashes, listed as folders",
    prose: `
\`ListObjectsV2\` with \`delimiter=/\` folds every key with a \`/\` after the prefix into a *common
prefix*: the top level shows two folders and one file.`,
    code: `
const tree = ["readme.txt", "docs/notes.txt", "photos/2025/beach.jpg", "photos/2026/cloud.jpg"];
await putMany(s3, bucket, tree, "some bytes");
s3.trace.show(await listFolder(s3, bucket))`,
  }),
  step({
    id: "folders-open",
    title: "Open a folder",
    prose: `
The same listing with \`prefix=photos/\` shows what is inside it: two more folders.`,
    code: `
s3.trace.show(await listFolder(s3, bucket, "photos/"))`,
  }),
  step({
    id: "folders-many",
    title: "Past 1,000 keys",
    prose: `
A listing answers at most 1,000 keys, then a continuation token for the next page. We write 1,100
small logs (the trace is paused for those 1,100 PUTs) and list them: two requests.`,
    code: `
const logs = Array.from({ length: 1100 }, (_, i) => \`logs/\${String(i).padStart(4, "0")}.log\`);
s3.trace.enabled = false;
await putMany(s3, bucket, logs, "a log line\\n").finally(() => (s3.trace.enabled = true));
const listed = await listFolder(s3, bucket, "logs/");
s3.trace.show({ written: logs.length, listed: listed.files.length, requests: listed.requests })`,
  }),
  step({
    id: "folders-metadata",
    title: "User metadata and content type",
    prose: `
An object carries a \`Content-Type\` (what a browser does with it) and any \`x-amz-meta-*\` headers
you give it; a HEAD reads them without the body.`,
    code: `
const html = "<h1>Report</h1>";
const about = { contentType: "text/html", metadata: { author: "ada" } };
await putObject(s3, bucket, "docs/report.html", html, about);
s3.trace.show(await headObject(s3, bucket, "docs/report.html"))`,
  }),
  step({
    id: "folders-copy",
    title: "Copy and rename",
    prose: `
\`CopyObject\` copies inside the service, metadata included, with no bytes through this machine.
S3 has no rename: it is a copy, then a delete of the old key.`,
    code: `
await copyObject(s3, bucket, "docs/report.html", "docs/draft.html");
await renameObject(s3, bucket, "docs/draft.html", "archive/report-2026.html");
s3.trace.show(await listFolder(s3, bucket, "archive/"))`,
  }),
  step({
    id: "folders-range",
    title: "A byte range",
    prose: `
\`Range: bytes=4-9\` reads only those bytes (\`206 Partial Content\`): how downloads resume and
how big files are read in parallel.`,
    code: `
const part = await getRange(s3, bucket, "docs/report.html", 4, 9);
s3.trace.show(new TextDecoder().decode(part))`,
  }),
  step({
    id: "folders-conditional",
    title: "A conditional GET",
    prose: `
With \`If-None-Match\` set to the ETag of the copy we hold, the server answers \`304 Not Modified\`
and sends no body: the cached copy is still good.`,
    code: `
const { etag } = await headObject(s3, bucket, "docs/report.html");
s3.trace.show(await getIfChanged(s3, bucket, "docs/report.html", etag ?? ""))`,
  }),
  step({
    id: "folders-size",
    title: "The size of a bucket",
    prose: `
S3 keeps no running total: the size of a bucket (or of a folder, with a prefix) is its listing
added up, one request per 1,000 keys.`,
    code: `
s3.trace.show(await bucketSize(s3, bucket))`,
  }),
  step({
    id: "folders-acl",
    title: "Change the ACL of many objects",
    prose: `
One \`PutObjectAcl\` per object makes a whole folder public. Where objects have no ACL of their own
(DreamObjects US-East 5) they take their bucket's, so there is nothing to do per object.`,
    code: `
const madePublic = s3.cluster.objectAcls
  ? await setAclUnder(s3, bucket, "photos/", "public-read")
  : "skipped: no per-object ACLs here, objects take their bucket's permission";
s3.trace.show({ madePublic })`,
  }),
  step({
    id: "folders-delete-prefix",
    title: "Delete a folder, 1,000 keys per request",
    prose: `
\`DeleteObjects\` deletes up to 1,000 keys in one request: the 1,100 logs go in two, after the
listing that names them.`,
    code: `
s3.trace.show(await deletePrefix(s3, bucket, "logs/"))`,
  }),
  step({
    id: "folders-cleanup",
    title: "Clean up",
    prose: `
\`emptyBucket()\` removes what is left (every version, where the service keeps them), then the
bucket goes.`,
    code: `
await emptyBucket(s3, bucket);
await deleteBucket(s3, bucket);
s3.trace.show()`,
    cleanup: true,
  }),
  closeStep("folders"),
];
