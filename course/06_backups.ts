/**
 * Chapter 6 of the course, "Backups: a folder kept in a bucket": a folder backed up, only the
 * changes sent again, restored, yesterday's version back.
 *
 * A notebook in jupytext's "percent" format (described in `tour/percent.ts`): `deno task notebook`
 * writes `notebooks/06-backups.ipynb` from this file and `deno task tour backups` runs the same
 * cells in a terminal.
 *
 * @module
 */

// %% [markdown]
// # Backups: a folder kept in a bucket
//
// `syncUp()` makes a bucket prefix hold what a folder holds, sending only the files that are new or
// differ (same size and MD5 as the object's ETag: skipped). `syncDown()` does the same the other
// way: that is a restore.

// %% id="backups-intro"
import { connect, createBucket, getVersioning, setVersioning, syncDown } from "../lib/mod.ts";
import { deleteBucket, emptyBucket, getBytes, listVersions, syncUp } from "../lib/mod.ts";

// %% [markdown]
// ## Where to connect
//
// As in the first chapter: `{}` is the embedded server, `{ emulate: "us-east-5" }` behaves like
// DreamObjects US-East 5, `{ dreamobjects: true }` is your account (keys from `AWS_ACCESS_KEY_ID`
// and `AWS_SECRET_ACCESS_KEY`).

// %% id="backups-options" tags=["parameters"]
const options = {}; // e.g. { dreamobjects: true } or { emulate: "us-east-5" }

// %% [markdown]
// ## Connect and make a versioned bucket
//
// A versioned bucket keeps the old copy of every file a backup overwrites: that is what lets us go
// back to yesterday at the end. On US-East 5 versioning is on already.

// %% id="backups-connect"
const s3 = await connect(options);
const bucket = await createBucket(s3, { prefix: "backups" });
if (await getVersioning(s3, bucket) !== "Enabled") await setVersioning(s3, bucket, true);
s3.trace.show(await getVersioning(s3, bucket));

// %% [markdown]
// ## A folder to back up
//
// Four small files in `backup-source/`, <notebook>next to the notebook</notebook><terminal>in `notebooks/`</terminal> (they go at the end).

// %% id="backups-folder"
await Deno.mkdir("backup-source", { recursive: true });
await Deno.writeTextFile("backup-source/notes.txt", "Monday: call the bank\n");
await Deno.writeTextFile("backup-source/todo.txt", "- water the plants\n");
await Deno.writeTextFile("backup-source/budget.csv", "rent,1200\nfood,400\n");
await Deno.writeFile("backup-source/photo.bin", new Uint8Array(200_000).fill(9));
(await Array.fromAsync(Deno.readDir("backup-source"))).map((entry) => entry.name).sort();

// %% [markdown]
// ## The first backup: everything goes
//
// One listing of the prefix (empty), then one `PutObject` per file, several in flight.

// %% id="backup-first"
const first = await syncUp(s3, "backup-source", bucket, "backup");
s3.trace.show(first);

// %% [markdown]
// ## Change a few files
//
// The next day: a note edited, the budget updated, a new report; the todo list and the photo stay
// as they were.

// %% id="backups-change"
await Deno.writeTextFile("backup-source/notes.txt", "Monday: call the bank\nTuesday: pay rent\n");
await Deno.writeTextFile("backup-source/budget.csv", "rent,1250\nfood,380\n");
await Deno.writeTextFile("backup-source/report.txt", "All good.\n");

// %% [markdown]
// ## Back up again: only the changes travel
//
// The same call: the listing shows what the bucket has, the unchanged files are skipped without a
// request, and only the three changed or new files are PUT (counted from the trace).

// %% id="backup-again"
const mark = s3.trace.entries.length;
const again = await syncUp(s3, "backup-source", bucket, "backup");
const requests = s3.trace.entries.slice(mark);
const puts = requests.filter((exchange) => exchange.method === "PUT").length;
s3.trace.show({ copied: again.copied, skipped: again.skipped, requests: requests.length, puts });

// %% [markdown]
// ## Restore to a new folder
//
// `syncDown()` lists the prefix and GETs every object into `backup-restored/` (a file arrives under
// a temporary name and is renamed when complete).

// %% id="backups-restore"
const restore = await syncDown(s3, bucket, "backup", "backup-restored");
s3.trace.show(restore);

// %% [markdown]
// ## Compare, file by file
//
// Every file of the folder, byte for byte against its restored copy: all the same.

// %% id="backups-compare"
const compared = [];
for await (const entry of Deno.readDir("backup-source")) {
  const mine = await Deno.readFile(`backup-source/${entry.name}`);
  const back = await Deno.readFile(`backup-restored/${entry.name}`);
  compared.push({ file: entry.name, bytes: mine.length, same: mine.join() === back.join() });
}
compared.sort((a, b) => a.file.localeCompare(b.file));

// %% [markdown]
// ## Yesterday's versions of a file
//
// The second backup overwrote `notes.txt`, but the bucket is versioned: `ListObjectVersions`
// shows both copies, newest first.

// %% id="backups-versions"
const versions = await Array.fromAsync(listVersions(s3, bucket, { prefix: "backup/notes.txt" }));
s3.trace.show(versions);

// %% [markdown]
// ## Restore yesterday's version
//
// A GET with the older version's id reads yesterday's bytes; writing them over the local file
// restores it (the bucket keeps both versions).

// %% id="backups-yesterday"
const yesterday = versions[1]; // newest first: [1] is the one before
const old = await getBytes(s3, bucket, "backup/notes.txt", { versionId: yesterday.versionId });
await Deno.writeFile("backup-source/notes.txt", old);
s3.trace.show(await Deno.readTextFile("backup-source/notes.txt"));

// %% [markdown]
// ## Clean up
//
// `emptyBucket()` deletes every version, then the bucket goes, and so do the two local folders.

// %% id="backups-cleanup" tags=["cleanup"]
await emptyBucket(s3, bucket);
await deleteBucket(s3, bucket);
await Deno.remove("backup-source", { recursive: true });
await Deno.remove("backup-restored", { recursive: true });
s3.trace.show();

// %% [markdown]
// ## Done
//
// Closing the connection stops the embedded server, if one was started.

// %% id="backups-close"
await s3.close();
