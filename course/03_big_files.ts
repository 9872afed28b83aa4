/**
 * Chapter 3 of the course, "Big files: multipart uploads and their leftovers": a multipart upload
 * by hand, putFile(), an interrupted upload, leftovers found and aborted.
 *
 * A notebook in jupytext's "percent" format (described in `tour/percent.ts`): `deno task notebook`
 * writes `notebooks/03-big-files.ipynb` from this file and `deno task tour big-files` runs the
 * same cells in a terminal.
 *
 * @module
 */

// %% [markdown]
// # Big files: multipart uploads and their leftovers
//
// Above a few megabytes, an object goes up in parts: each part is its own request (retried alone if
// it fails) and the server assembles them at the end. An upload that never ends keeps its parts, and
// their space, until someone aborts it.
//
// The set-up connects as in [chapter 1](tour.ipynb#Where-to-connect) (`options` says where) and
// makes a bucket for the big files; the last cell deletes it, with anything left in it.

// %% id="big-files-setup" tags=["parameters"]
import { connect, type ConnectOptions, createBucket } from "../lib/mod.ts";

const options: ConnectOptions = {}; // where to connect: see chapter 1
const s3 = await connect(options);
const bucket = await createBucket(s3, { prefix: "big-files" });
s3.trace.show(bucket);

// %% [markdown]
// ## 1. Start an upload
//
// `CreateMultipartUploadCommand` (`POST /bucket/key?uploads`) returns an `UploadId`; nothing shows
// under the key yet. The parts will be 5 MiB (5 × 1,048,576 bytes), the smallest a part may be
// except the last; the trace counts in decimal units, so it shows them as 5.2 MB.

// %% id="multipart-start"
import { CreateMultipartUploadCommand } from "@aws-sdk/client-s3";

const target = { Bucket: bucket, Key: "by-hand.bin" };
const { UploadId } = await s3.client.send(new CreateMultipartUploadCommand(target));
const chunk = new Uint8Array(5 * 1024 * 1024).fill(42); // 5 MiB
s3.trace.show({ UploadId });

// %% [markdown]
// ## 2. Send the parts
//
// Three parts, each an `UploadPartCommand` with its number, one after the other. The server
// answers each with an `ETag`, which completing the upload needs.

// %% id="multipart-parts"
import { UploadPartCommand } from "@aws-sdk/client-s3";
const parts = [];
for (const PartNumber of [1, 2, 3]) {
  const part = { ...target, UploadId, PartNumber, Body: chunk };
  const { ETag } = await s3.client.send(new UploadPartCommand(part));
  parts.push({ PartNumber, ETag });
}
s3.trace.show(parts);

// %% [markdown]
// ## 3. List the parts
//
// `ListPartsCommand` shows what the server holds for the upload: a client that lost track can
// resume from here.

// %% id="multipart-list"
import { ListPartsCommand } from "@aws-sdk/client-s3";

const { Parts = [] } = await s3.client.send(new ListPartsCommand({ ...target, UploadId }));
s3.trace.show(Parts.map(({ PartNumber, Size, ETag }) => ({ PartNumber, Size, ETag })));

// %% [markdown]
// ## 4. Complete it
//
// `CompleteMultipartUploadCommand` names the parts in order; the object appears, its ETag ending
// in `-3` for three parts, as a `HeadObjectCommand` shows.

// %% id="multipart-complete"
import { CompleteMultipartUploadCommand, HeadObjectCommand } from "@aws-sdk/client-s3";

const complete = { ...target, UploadId, MultipartUpload: { Parts: parts } };
await s3.client.send(new CompleteMultipartUploadCommand(complete));
const head = await s3.client.send(new HeadObjectCommand(target));
s3.trace.show({ ETag: head.ETag, ContentLength: head.ContentLength });

// %% [markdown]
// ## The same with the SDK's Upload
//
// `Upload` from `@aws-sdk/lib-storage` does all of it for a stream: it cuts 5 MiB parts, sends
// several at once and aborts on failure. We write a 12 MiB file
// <notebook>next to the notebook</notebook><terminal>in `notebooks/`</terminal> and stream it.

// %% id="upload-prepare"
import { Upload } from "@aws-sdk/lib-storage";

await Deno.writeFile("big-file.bin", new Uint8Array(12 * 1024 * 1024).fill(7));
const Body = (await Deno.open("big-file.bin")).readable;
const params = { Bucket: bucket, Key: "big-file.bin", Body };
const upload = new Upload({ client: s3.client, params, partSize: 5 * 1024 * 1024 });

// %% [markdown]
// ## Send it, with a progress bar
//
// Its parts are in flight together, so the trace lists them as their answers come, not in part
// order; the last part is the smallest (2 MiB). A `HeadObjectCommand` then reads what arrived.
// The course's `putFile(s3, bucket, key, path)` is the shorthand for a file on disk.

// %% id="upload-done"
import { ProgressBar } from "../lib/mod.ts";

const bar = new ProgressBar({ label: "big-file.bin", total: 12 * 1024 * 1024 });
upload.on("httpUploadProgress", ({ loaded = 0 }) => bar.update({ loaded }));
await upload.done();
bar.done();
const sent = await s3.client.send(new HeadObjectCommand({ Bucket: bucket, Key: "big-file.bin" }));
s3.trace.show({ ETag: sent.ETag, ContentLength: sent.ContentLength });

// %% [markdown]
// ## An upload interrupted on purpose
//
// A client that dies after its first part leaves the upload open on the server: no object, but a
// part that takes space. Here we start one and walk away.

// %% id="interrupted"
const abandoned = { Bucket: bucket, Key: "abandoned.bin" };
const started = await s3.client.send(new CreateMultipartUploadCommand(abandoned));
const first = { ...abandoned, UploadId: started.UploadId, PartNumber: 1, Body: chunk };
await s3.client.send(new UploadPartCommand(first));
s3.trace.show({ UploadId: started.UploadId });

// %% [markdown]
// ## Find the leftovers
//
// `ListMultipartUploadsCommand` (`GET /bucket?uploads`) lists the unfinished uploads.

// %% id="leftovers-listed"
import { ListMultipartUploadsCommand } from "@aws-sdk/client-s3";

const open = await s3.client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
const { Uploads = [] } = open;
s3.trace.show(Uploads.map(({ Key, UploadId, Initiated }) => ({ Key, UploadId, Initiated })));

// %% [markdown]
// ## What they hold
//
// The course's `leftoverUploads(s3, bucket)` lists them the same way, then sends `ListParts` for
// each and adds up the space its parts take.

// %% id="leftovers"
import { leftoverUploads } from "../lib/mod.ts";

s3.trace.show(await leftoverUploads(s3, bucket));

// %% [markdown]
// ## Abort them
//
// `AbortMultipartUploadCommand` deletes an upload's parts; afterwards none is left.

// %% id="abort-leftovers"
import { AbortMultipartUploadCommand } from "@aws-sdk/client-s3";

for (const { Key, UploadId } of Uploads) {
  await s3.client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key, UploadId }));
}
s3.trace.show(await leftoverUploads(s3, bucket));

// %% [markdown]
// ## Clean up and close
//
// The two objects and the bucket go, and so does the local file; closing the connection stops the
// embedded server, if one was started.

// %% id="big-files-close" tags=["cleanup"]
import { deleteBucket, emptyBucket } from "../lib/mod.ts";

await emptyBucket(s3, bucket);
await deleteBucket(s3, bucket);
await Deno.remove("big-file.bin");
await s3.close();
s3.trace.show();
