/**
 * Chapter "backups": a folder kept in a bucket with `syncUp()`. A first backup, a few files
 * changed and only those sent again (the PUTs counted from the trace), a restore to a new folder
 * with `syncDown()` compared file by file, and, on a versioned bucket (DreamObjects US-East 5
 * versions every bucket), yesterday's version of one file brought back by its version id.
 *
 * @module
 */

import { type Step, step } from "../step.ts";
import { closeStep, optionsStep } from "./_common.ts";

/** The folder the chapter backs up and the one it restores to, next to the notebook. */
const SOURCE = "backup-source";
const RESTORED = "backup-restored";
const NAMES = ["budget.csv", "notes.txt", "photo.bin", "report.txt", "todo.txt"];

/**
 * The local files and folders the chapter writes next to its notebook, files before their
 * folder (the tour deletes them in this order at the end, also after a failure or Ctrl-C).
 */
export const BACKUPS_FILES: readonly string[] = [
  ...NAMES.map((name) => `${SOURCE}/${name}`),
  SOURCE,
  ...NAMES.map((name) => `${RESTORED}/${name}`),
  RESTORED,
];

/** The steps, in order. */
export const BACKUPS_STEPS: readonly Step[] = [
  step({
    id: "backups-intro",
    title: "Backups: a folder kept in a bucket",
    prose: `
\`syncUp()\` makes a bucket prefix hold what a folder holds, sending only the files that are new or
differ (same size and MD5 as the object's ETag: skipped). \`syncDown()\` does the same the other
way: that is a restore.`,
    code: `
import { connect, createBucket, getVersioning, setVersioning, syncUp, syncDown } from "../lib/mod.ts";
import { listVersions, getBytes, emptyBucket, deleteBucket } from "../lib/mod.ts";`,
  }),
  optionsStep("backups"),
  step({
    id: "backups-connect",
    title: "Connect and make a versioned bucket",
    prose: `
A versioned bucket keeps the old copy of every file a backup overwrites: that is what lets us go
back to yesterday at the end. On US-East 5 versioning is on already.`,
    code: `
const s3 = await connect(options);
const bucket = await createBucket(s3, { prefix: "backups" });
if (await getVersioning(s3, bucket) !== "Enabled") await setVersioning(s3, bucket, true);
s3.trace.show(await getVersioning(s3, bucket))`,
  }),
  step({
    id: "backups-folder",
    title: "A folder to back up",
    prose: `
Four small files in \`${SOURCE}/\`, next to the notebook (they go at the end).`,
    code: `
await Deno.mkdir("${SOURCE}", { recursive: true });
await Deno.writeTextFile("${SOURCE}/notes.txt", "Monday: call the bank\\n");
await Deno.writeTextFile("${SOURCE}/todo.txt", "- water the plants\\n");
await Deno.writeTextFile("${SOURCE}/budget.csv", "rent,1200\\nfood,400\\n");
await Deno.writeFile("${SOURCE}/photo.bin", new Uint8Array(200_000).fill(9));
(await Array.fromAsync(Deno.readDir("${SOURCE}"))).map((entry) => entry.name).sort()`,
  }),
  step({
    id: "backup-first",
    title: "The first backup: everything goes",
    prose: `
One listing of the prefix (empty), then one \`PutObject\` per file, several in flight.`,
    code: `
const first = await syncUp(s3, "${SOURCE}", bucket, "backup");
s3.trace.show(first)`,
  }),
  step({
    id: "backups-change",
    title: "Change a few files",
    prose: `
The next day: a note edited, the budget updated, a new report; the todo list and the photo stay
as they were.`,
    code: `
await Deno.writeTextFile("${SOURCE}/notes.txt", "Monday: call the bank\\nTuesday: pay rent\\n");
await Deno.writeTextFile("${SOURCE}/budget.csv", "rent,1250\\nfood,380\\n");
await Deno.writeTextFile("${SOURCE}/report.txt", "All good.\\n");`,
  }),
  step({
    id: "backup-again",
    title: "Back up again: only the changes travel",
    prose: `
The same call: the listing shows what the bucket has, the unchanged files are skipped without a
request, and only the three changed or new files are PUT (counted from the trace).`,
    code: `
const mark = s3.trace.entries.length;
const again = await syncUp(s3, "${SOURCE}", bucket, "backup");
const requests = s3.trace.entries.slice(mark);
const puts = requests.filter((exchange) => exchange.method === "PUT").length;
s3.trace.show({ copied: again.copied, skipped: again.skipped, requests: requests.length, puts })`,
  }),
  step({
    id: "backups-restore",
    title: "Restore to a new folder",
    prose: `
\`syncDown()\` lists the prefix and GETs every object into \`${RESTORED}/\` (a file arrives under
a temporary name and is renamed when complete).`,
    code: `
const restore = await syncDown(s3, bucket, "backup", "${RESTORED}");
s3.trace.show(restore)`,
  }),
  step({
    id: "backups-compare",
    title: "Compare, file by file",
    prose: `
Every file of the folder, byte for byte against its restored copy: all the same.`,
    code: `
const compared = [];
for await (const entry of Deno.readDir("${SOURCE}")) {
  const mine = await Deno.readFile(\`${SOURCE}/\${entry.name}\`);
  const back = await Deno.readFile(\`${RESTORED}/\${entry.name}\`);
  compared.push({ file: entry.name, bytes: mine.length, same: mine.join() === back.join() });
}
compared.sort((a, b) => a.file.localeCompare(b.file))`,
  }),
  step({
    id: "backups-versions",
    title: "Yesterday's versions of a file",
    prose: `
The second backup overwrote \`notes.txt\`, but the bucket is versioned: \`ListObjectVersions\`
shows both copies, newest first.`,
    code: `
const versions = await Array.fromAsync(listVersions(s3, bucket, { prefix: "backup/notes.txt" }));
s3.trace.show(versions)`,
  }),
  step({
    id: "backups-yesterday",
    title: "Restore yesterday's version",
    prose: `
A GET with the older version's id reads yesterday's bytes; writing them over the local file
restores it (the bucket keeps both versions).`,
    code: `
const yesterday = versions[1]; // newest first: [1] is the one before
const old = await getBytes(s3, bucket, "backup/notes.txt", { versionId: yesterday.versionId });
await Deno.writeFile("${SOURCE}/notes.txt", old);
s3.trace.show(await Deno.readTextFile("${SOURCE}/notes.txt"))`,
  }),
  step({
    id: "backups-cleanup",
    title: "Clean up",
    prose: `
\`emptyBucket()\` deletes every version, then the bucket goes, and so do the two local folders.`,
    code: `
await emptyBucket(s3, bucket);
await deleteBucket(s3, bucket);
await Deno.remove("${SOURCE}", { recursive: true });
await Deno.remove("${RESTORED}", { recursive: true });
s3.trace.show()`,
    cleanup: true,
  }),
  closeStep("backups"),
];
