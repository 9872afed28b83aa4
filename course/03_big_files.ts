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

// %% id="big-files-intro"
import { connect, createBucket, deleteBucket, emptyBucket, headObject } from "../lib/mod.ts";
import { completeMultipart, listParts, ProgressBar, putFile, startMultipart } from "../lib/mod.ts";
import { abortMultipart, leftoverUploads, uploadPart } from "../lib/mod.ts";

// %% [markdown]
// ## Where to connect
//
// As in the first chapter: `{}` is the embedded server, `{ emulate: "us-east-5" }` behaves like
// DreamObjects US-East 5, `{ dreamobjects: true }` is your account (keys from `AWS_ACCESS_KEY_ID`
// and `AWS_SECRET_ACCESS_KEY`).

// %% id="big-files-options" tags=["parameters"]
const options = {}; // e.g. { dreamobjects: true } or { emulate: "us-east-5" }

// %% [markdown]
// ## Connect and make a bucket
//
// A bucket for the big files; it goes at the end, with anything left in it.

// %% id="big-files-connect"
const s3 = await connect(options);
const bucket = await createBucket(s3, { prefix: "big-files" });
s3.trace.show(bucket);

// %% [markdown]
// ## 1. Start an upload
//
// `CreateMultipartUpload` (`POST /bucket/key?uploads`) returns an upload id; nothing shows under
// the key yet.

// %% id="multipart-start"
const upload = await startMultipart(s3, bucket, "by-hand.bin");
const chunk = new Uint8Array(5 * 1024 * 1024).fill(42); // 5 MiB, for the parts
s3.trace.show(upload);

// %% [markdown]
// ## 2. Send the parts
//
// Three parts of 5 MiB, the smallest a part may be (except the last), each an `UploadPart` with its
// number; the bar shows the bytes sent.

// %% id="multipart-parts"
const bar = new ProgressBar({ label: "by-hand.bin", total: 3 * chunk.length });
const parts = [];
for (const n of [1, 2, 3]) {
  parts.push(await uploadPart(s3, upload, n, chunk));
  bar.update({ loaded: n * chunk.length });
}
bar.done();
s3.trace.show(parts);

// %% [markdown]
// ## 3. List the parts
//
// `ListParts` shows what the server holds for the upload: a client that lost track can resume from
// here.

// %% id="multipart-list"
s3.trace.show(await listParts(s3, upload));

// %% [markdown]
// ## 4. Complete it
//
// `CompleteMultipartUpload` names the parts in order; the object appears, its ETag ending in
// `-3` for three parts.

// %% id="multipart-complete"
await completeMultipart(s3, upload, parts);
s3.trace.show(await headObject(s3, bucket, "by-hand.bin"));

// %% [markdown]
// ## The same with putFile()
//
// `putFile()` does all of it for a file on disk: parts read in turn, several in flight, aborted on
// failure. We write a 12 MiB file
// <notebook>next to the notebook</notebook><terminal>in `notebooks/`</terminal> and send it in 5 MiB parts.

// %% id="put-file"
await Deno.writeFile("big-file.bin", new Uint8Array(12 * 1024 * 1024).fill(7));
const sent = await putFile(s3, bucket, "big-file.bin", "big-file.bin", {
  multipartThreshold: 5 * 1024 * 1024,
  partSize: 5 * 1024 * 1024,
});
s3.trace.show(sent);

// %% [markdown]
// ## An upload interrupted on purpose
//
// A client that dies after its first part leaves the upload open on the server: no object, but a
// part that takes space. Here we start one and walk away.

// %% id="interrupted"
const abandoned = await startMultipart(s3, bucket, "abandoned.bin");
await uploadPart(s3, abandoned, 1, chunk);
s3.trace.show(abandoned);

// %% [markdown]
// ## Find the leftovers
//
// `ListMultipartUploads` (`GET /bucket?uploads`) lists the unfinished uploads; `ListParts` on
// each adds up the space they hold.

// %% id="leftovers"
const leftovers = await leftoverUploads(s3, bucket);
s3.trace.show(leftovers);

// %% [markdown]
// ## Abort them
//
// `AbortMultipartUpload` deletes an upload's parts; afterwards none is left.

// %% id="abort-leftovers"
for (const leftover of leftovers) await abortMultipart(s3, leftover);
s3.trace.show(await leftoverUploads(s3, bucket));

// %% [markdown]
// ## Clean up
//
// The two objects and the bucket go, and so does the local file.

// %% id="big-files-cleanup" tags=["cleanup"]
await emptyBucket(s3, bucket);
await deleteBucket(s3, bucket);
await Deno.remove("big-file.bin");
s3.trace.show();

// %% [markdown]
// ## Done
//
// Closing the connection stops the embedded server, if one was started.

// %% id="big-files-close"
await s3.close();
