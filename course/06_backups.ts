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
// way: that is a restore. Each is many requests, so the course's helpers do them.
//
// The set-up connects as in [chapter 1](tour.ipynb#Where-to-connect) (`options` says where) and
// makes a versioned bucket: it keeps the old copy of every file a backup overwrites, which lets us
// go back to yesterday at the end. On US-East 5 versioning is on already.

// %% id="backups-setup" tags=["parameters"]
import { connect, type ConnectOptions, createBucket } from "../lib/mod.ts";
import { getVersioning, setVersioning } from "../lib/mod.ts";

const options: ConnectOptions = {}; // where to connect: see chapter 1
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
import { syncUp } from "../lib/mod.ts";

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
// ## Same size, another MD5
//
// `budget.csv` kept its size, 19 bytes: its date aside, only its MD5 tells the new budget from the
// old one. A `HeadObjectCommand` reads the object's ETag, which for a file sent in one piece is
// the MD5 of its bytes.

// %% id="backups-md5"
import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { createHash } from "node:crypto";
const budget = { Bucket: bucket, Key: "backup/budget.csv" };
const head = await s3.client.send(new HeadObjectCommand(budget));
const local = await Deno.readFile("backup-source/budget.csv");
const md5 = createHash("md5").update(local).digest("hex");
const stored = { where: "bucket", bytes: head.ContentLength, md5: head.ETag };
s3.trace.show([{ where: "folder", bytes: local.length, md5 }, stored]);

// %% [markdown]
// ## Back up again: only the changes travel
//
// The same call: the listing shows what the bucket has, the unchanged files are skipped without a
// request, and only the three changed or new files are sent, `budget.csv` among them: the trace
// below shows one listing and three PUTs.

// %% id="backup-again"
const again = await syncUp(s3, "backup-source", bucket, "backup");
s3.trace.show(again);

// %% [markdown]
// ## Restore to a new folder
//
// `syncDown()` lists the prefix and GETs every object into `backup-restored/` (a file arrives under
// a temporary name and is renamed when complete).

// %% id="backups-restore"
import { syncDown } from "../lib/mod.ts";

const restore = await syncDown(s3, bucket, "backup", "backup-restored");
s3.trace.show(restore);

// %% [markdown]
// ## Compare, file by file
//
// Every file of the folder, byte for byte against its restored copy (`isDeepStrictEqual()` compares
// two byte arrays): all the same.

// %% id="backups-compare"
import { isDeepStrictEqual } from "node:util";
const compared = [];
for await (const { name } of Deno.readDir("backup-source")) {
  const mine = await Deno.readFile(`backup-source/${name}`);
  const back = await Deno.readFile(`backup-restored/${name}`);
  compared.push({ file: name, bytes: mine.length, same: isDeepStrictEqual(mine, back) });
}
compared.sort((a, b) => a.file.localeCompare(b.file));

// %% [markdown]
// ## Yesterday's versions of a file
//
// The second backup overwrote `notes.txt`, but the bucket is versioned: `ListObjectVersionsCommand`
// shows both copies, newest first.

// %% id="backups-versions"
import { ListObjectVersionsCommand } from "@aws-sdk/client-s3";

const listing = { Bucket: bucket, Prefix: "backup/notes.txt" };
const { Versions = [] } = await s3.client.send(new ListObjectVersionsCommand(listing));
s3.trace.show(
  Versions.map(({ Key, VersionId, IsLatest, Size }) => ({ Key, VersionId, IsLatest, Size })),
);

// %% [markdown]
// ## Restore yesterday's version
//
// A `GetObjectCommand` with the older version's id reads yesterday's bytes; writing them over the
// local file restores it (the bucket keeps both versions).

// %% id="backups-yesterday"
import { GetObjectCommand } from "@aws-sdk/client-s3";

const yesterday = { Bucket: bucket, Key: "backup/notes.txt", VersionId: Versions[1].VersionId };
const old = await s3.client.send(new GetObjectCommand(yesterday)); // [1]: the one before
await Deno.writeFile("backup-source/notes.txt", await old.Body!.transformToByteArray());
s3.trace.show(await Deno.readTextFile("backup-source/notes.txt"));

// %% [markdown]
// ## Clean up and close
//
// `emptyBucket()` deletes every version, then the bucket goes, and so do the two local folders;
// closing the connection stops the embedded server, if one was started.

// %% id="backups-close" tags=["cleanup"]
import { deleteBucket, emptyBucket } from "../lib/mod.ts";

await emptyBucket(s3, bucket);
await deleteBucket(s3, bucket);
await Deno.remove("backup-source", { recursive: true });
await Deno.remove("backup-restored", { recursive: true });
await s3.close();
s3.trace.show();
