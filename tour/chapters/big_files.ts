/**
 * Chapter "big-files": multipart uploads. One done by hand (start, parts with a progress bar, the
 * parts listed, complete), then `putFile()` doing the same for a file; an upload interrupted on
 * purpose; the unfinished uploads of the bucket found, their size added up and aborted —
 * DreamHost's "remove multipart upload data" tutorial as code.
 *
 * @module
 */

import { type Step, step } from "../step.ts";
import { closeStep, optionsStep } from "./_common.ts";

/** The local file the chapter writes next to its notebook (the tour deletes it at the end). */
export const BIG_FILES: readonly string[] = ["big-file.bin"];

/** The steps, in order. */
export const BIG_FILES_STEPS: readonly Step[] = [
  step({
    id: "big-files-intro",
    title: "Big files: multipart uploads and their leftovers",
    prose: `
Above a few megabytes, an object goes up in parts: each part is its own request (retried alone if
it fails) and the server assembles them at the end. An upload that never ends keeps its parts, and
their space, until someone aborts it.`,
    code: `
import { connect, createBucket, headObject, putFile, ProgressBar, emptyBucket, deleteBucket } from "../lib/mod.ts";
import { startMultipart, uploadPart, listParts, completeMultipart } from "../lib/mod.ts";
import { abortMultipart, leftoverUploads } from "../lib/mod.ts";`,
  }),
  optionsStep("big-files"),
  step({
    id: "big-files-connect",
    title: "Connect and make a bucket",
    prose: `
A bucket for the big files; it goes at the end, with anything left in it.`,
    code: `
const s3 = await connect(options);
const bucket = await createBucket(s3, { prefix: "big-files" });
s3.trace.show(bucket)`,
  }),
  step({
    id: "multipart-start",
    title: "1. Start an upload",
    prose: `
\`CreateMultipartUpload\` (\`POST /bucket/key?uploads\`) returns an upload id; nothing shows under
the key yet.`,
    code: `
const upload = await startMultipart(s3, bucket, "by-hand.bin");
const chunk = new Uint8Array(5 * 1024 * 1024).fill(42); // 5 MiB, for the parts
s3.trace.show(upload)`,
  }),
  step({
    id: "multipart-parts",
    title: "2. Send the parts",
    prose: `
Three parts of 5 MiB, the smallest a part may be (except the last), each an \`UploadPart\` with its
number; the bar shows the bytes sent.`,
    code: `
const bar = new ProgressBar({ label: "by-hand.bin", total: 3 * chunk.length });
const parts = [];
for (const n of [1, 2, 3]) {
  parts.push(await uploadPart(s3, upload, n, chunk));
  bar.update({ loaded: n * chunk.length });
}
bar.done();
s3.trace.show(parts)`,
  }),
  step({
    id: "multipart-list",
    title: "3. List the parts",
    prose: `
\`ListParts\` shows what the server holds for the upload: a client that lost track can resume from
here.`,
    code: `
s3.trace.show(await listParts(s3, upload))`,
  }),
  step({
    id: "multipart-complete",
    title: "4. Complete it",
    prose: `
\`CompleteMultipartUpload\` names the parts in order; the object appears, its ETag ending in
\`-3\` for three parts.`,
    code: `
await completeMultipart(s3, upload, parts);
s3.trace.show(await headObject(s3, bucket, "by-hand.bin"))`,
  }),
  step({
    id: "put-file",
    title: "The same with putFile()",
    prose: `
\`putFile()\` does all of it for a file on disk: parts read in turn, several in flight, aborted on
failure. We write a 12 MiB file next to the notebook and send it in 5 MiB parts.`,
    code: `
await Deno.writeFile("big-file.bin", new Uint8Array(12 * 1024 * 1024).fill(7));
const sent = await putFile(s3, bucket, "big-file.bin", "big-file.bin", {
  multipartThreshold: 5 * 1024 * 1024,
  partSize: 5 * 1024 * 1024,
});
s3.trace.show(sent)`,
  }),
  step({
    id: "interrupted",
    title: "An upload interrupted on purpose",
    prose: `
A client that dies after its first part leaves the upload open on the server: no object, but a
part that takes space. Here we start one and walk away.`,
    code: `
const abandoned = await startMultipart(s3, bucket, "abandoned.bin");
await uploadPart(s3, abandoned, 1, chunk);
s3.trace.show(abandoned)`,
  }),
  step({
    id: "leftovers",
    title: "Find the leftovers",
    prose: `
\`ListMultipartUploads\` (\`GET /bucket?uploads\`) lists the unfinished uploads; \`ListParts\` on
each adds up the space they hold.`,
    code: `
const leftovers = await leftoverUploads(s3, bucket);
s3.trace.show(leftovers)`,
  }),
  step({
    id: "abort-leftovers",
    title: "Abort them",
    prose: `
\`AbortMultipartUpload\` deletes an upload's parts; afterwards none is left.`,
    code: `
for (const leftover of leftovers) await abortMultipart(s3, leftover);
s3.trace.show(await leftoverUploads(s3, bucket))`,
  }),
  step({
    id: "big-files-cleanup",
    title: "Clean up",
    prose: `
The two objects and the bucket go, and so does the local file.`,
    code: `
await emptyBucket(s3, bucket);
await deleteBucket(s3, bucket);
await Deno.remove("big-file.bin");
s3.trace.show()`,
    cleanup: true,
  }),
  closeStep("big-files"),
];
