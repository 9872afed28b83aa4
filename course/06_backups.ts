/**
 * Chapter 6 of the course, "Backups: a folder kept in a bucket": one file backed up with the AWS
 * SDK, the bucket listed with its ETags (each an MD5), the rest with `syncUp()`, a change only the
 * MD5 catches, only the changes sent again, a restore compared file by file, yesterday's version.
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
// A backup is a folder copied to a bucket prefix, then only what changed sent again; a restore is
// the way back. We do it once by hand with the AWS SDK, see how to tell a changed file from an
// unchanged one without downloading it, then let `syncUp()` and `syncDown()` do the whole folder.
//
// The set-up connects as in [chapter 1](tour.ipynb#Where-to-connect) (`options` says where) and
// makes a versioned bucket ([chapter 5](05-versions.ipynb)): it keeps the old copy of every file a
// backup overwrites, which takes us back to yesterday at the end. On US-East 5 versioning is on
// already.

// %% id="backups-setup" tags=["parameters"]
import { connect, type ConnectOptions, createBucket } from "../lib/mod.ts";
import { getVersioning, setVersioning } from "../lib/mod.ts";

const options: ConnectOptions = {}; // where to connect: see chapter 1
const s3 = await connect(options);
const bucket = await createBucket(s3, { prefix: "backups" });
if (await getVersioning(s3, bucket) !== "Enabled") await setVersioning(s3, bucket, true);
s3.trace.show(bucket);

// %% [markdown]
// ## A folder to back up
//
// Four small files in `backup-source/`, <notebook>next to the notebook</notebook><terminal>in
// `notebooks/`</terminal> (they go at the end).

// %% id="backups-folder"
await Deno.mkdir("backup-source", { recursive: true });
await Deno.writeTextFile("backup-source/notes.txt", "Monday: call the bank\n");
await Deno.writeTextFile("backup-source/todo.txt", "- water the plants\n");
await Deno.writeTextFile("backup-source/budget.csv", "rent,1200\nfood,400\n");
await Deno.writeFile("backup-source/photo.bin", new Uint8Array(200_000).fill(9));
(await Array.fromAsync(Deno.readDir("backup-source"))).map((entry) => entry.name).sort();

// %% [markdown]
// ## Back up one file by hand
//
// A backed-up file is an object whose key is the prefix and the file's name: one
// `PutObjectCommand` with the file's bytes.

// %% id="backups-put-one"
import { PutObjectCommand } from "@aws-sdk/client-s3";

const Body = await Deno.readFile("backup-source/notes.txt");
await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: "backup/notes.txt", Body }));
s3.trace.show();

// %% [markdown]
// ## What the bucket holds
//
// `paginateListObjectsV2` sends `ListObjectsV2` until the listing is complete (1,000 keys a page).
// Each object comes with its size and its `ETag`, which for an object sent in one `PutObject` is
// the MD5 of its bytes.

// %% id="backups-list"
import { paginateListObjectsV2 } from "@aws-sdk/client-s3";

const backedUp = async () => {
  const pages = paginateListObjectsV2({ client: s3.client }, { Bucket: bucket, Prefix: "backup/" });
  const objects = (await Array.fromAsync(pages)).flatMap((page) => page.Contents ?? []);
  return objects.map(({ Key, Size, ETag }) => ({ Key, Size, ETag }));
};
s3.trace.show(await backedUp());

// %% [markdown]
// ## The ETag is the file's MD5
//
// The same digest, computed here from the local file, equals the listed `ETag` (in quotes, as S3
// writes it). So a listing tells which files differ without downloading any. (An object uploaded
// in parts has an ETag ending in `-N` instead, chapter 3.)

// %% id="backups-md5"
import { createHash } from "node:crypto";

const md5 = (bytes: Uint8Array) => `"${createHash("md5").update(bytes).digest("hex")}"`;
md5(await Deno.readFile("backup-source/notes.txt"));

// %% [markdown]
// ## The whole folder: syncUp()
//
// `syncUp(s3, folder, bucket, prefix)` is the shorthand for what we did: one listing of the prefix,
// then a `PutObject` (several in flight) for each file that is new or whose size or MD5 differs.
// `notes.txt` is there already, same size and MD5: skipped, with no request.

// %% id="backup-first"
import { syncUp } from "../lib/mod.ts";

const first = await syncUp(s3, "backup-source", bucket, "backup");
const took = (ms: number) => `${Math.round(ms)} ms`;
s3.trace.show({ copied: first.copied, skipped: first.skipped, took: took(first.ms) });

// %% [markdown]
// ## Change a few files
//
// The next day: a note added, a new report, and the budget updated. The budget's new numbers have
// as many digits as the old ones: the file keeps its size, 19 bytes.

// %% id="backups-change"
await Deno.writeTextFile("backup-source/notes.txt", "Monday: call the bank\nTuesday: pay rent\n");
await Deno.writeTextFile("backup-source/budget.csv", "rent,1250\nfood,380\n");
await Deno.writeTextFile("backup-source/report.txt", "All good.\n");

// %% [markdown]
// ## Which files changed? Only the MD5 knows
//
// Each file's size and MD5 against the listing: `notes.txt` grew and `report.txt` is new, but
// `budget.csv` has the same size as its backup. Only its MD5 (the `ETag`) shows that it changed; a
// backup that compared sizes and dates alone could miss it.

// %% id="backups-changed"
const listed = new Map((await backedUp()).map((o) => [o.Key, o]));
const changes = [];
for await (const { name } of Deno.readDir("backup-source")) {
  const bytes = await Deno.readFile(`backup-source/${name}`);
  const { Size, ETag } = listed.get(`backup/${name}`) ?? {};
  changes.push({ file: name, sameSize: bytes.length === Size, sameMd5: md5(bytes) === ETag });
}
s3.trace.show(changes.sort((a, b) => a.file.localeCompare(b.file)));

// %% [markdown]
// ## Back up again: only the changes travel
//
// The same call: one listing, the two unchanged files skipped without a request, and a `PutObject`
// for each of the three changed or new files (`onFile` names each file sent).

// %% id="backup-again"
const sent: string[] = [];
const again = await syncUp(s3, "backup-source", bucket, "backup", {
  onFile: (event) => sent.push(event.key),
});
s3.trace.show({ copied: again.copied, skipped: again.skipped, sent: sent.sort().join(", ") });

// %% [markdown]
// ## Restore to a new folder
//
// `syncDown(s3, bucket, prefix, folder)` is the way back: one listing, then a `GetObject` for each
// object into `backup-restored/` (a file arrives under a temporary name, renamed when complete).

// %% id="backups-restore"
import { syncDown } from "../lib/mod.ts";

const restore = await syncDown(s3, bucket, "backup", "backup-restored");
s3.trace.show({ copied: restore.copied, bytes: restore.bytes, took: took(restore.ms) });

// %% [markdown]
// ## Compare, file by file
//
// Each of the five files, byte for byte against its restored copy (`isDeepStrictEqual` compares
// the two arrays' contents, where `===` would only ask whether they are the same array); a file
// that differs or is missing would show `same: false`.

// %% id="backups-compare"
import { isDeepStrictEqual } from "node:util";

const compare = async (file: string) => {
  const mine = await Deno.readFile(`backup-source/${file}`);
  const back = await Deno.readFile(`backup-restored/${file}`).catch(() => undefined);
  return { file, bytes: mine.length, same: isDeepStrictEqual(mine, back) };
};
s3.trace.show(await Promise.all(changes.map((change) => compare(change.file))));

// %% [markdown]
// ## Yesterday's versions of a file
//
// The second backup overwrote `notes.txt`, but the bucket is versioned: `ListObjectVersions` shows
// both copies, newest first (the course's `listVersions()` is the shorthand that pages through).

// %% id="backups-versions"
import { ListObjectVersionsCommand } from "@aws-sdk/client-s3";

const Key = "backup/notes.txt";
const listing = await s3.client.send(
  new ListObjectVersionsCommand({ Bucket: bucket, Prefix: Key }),
);
const versions = (listing.Versions ?? []).filter((version) => version.Key === Key);
s3.trace.show(versions.map(({ VersionId, IsLatest, Size }) => ({ VersionId, IsLatest, Size })));

// %% [markdown]
// ## Restore yesterday's version
//
// A `GetObject` with the older version's `VersionId` reads yesterday's bytes; writing them over the
// local file restores it (the bucket keeps both versions).

// %% id="backups-yesterday"
import { GetObjectCommand } from "@aws-sdk/client-s3";

const yesterday = versions.find((version) => !version.IsLatest)!;
const old = await s3.client.send(
  new GetObjectCommand({ Bucket: bucket, Key, VersionId: yesterday.VersionId }),
);
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
