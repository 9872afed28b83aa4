/**
 * Chapter 8 of the course, "Data you can trust": checksums sent, checked and read back, a
 * corrupted upload refused, the multipart ETag and composite checksum computed by hand, the SDK's
 * checksum setting, conditional writes (`If-None-Match`, `If-Match`), and retries through the
 * embedded server's fault switch.
 *
 * A notebook in jupytext's "percent" format (described in `tour/percent.ts`): `deno task notebook`
 * writes `notebooks/08-integrity.ipynb` from this file and `deno task tour integrity` runs the
 * same cells in a terminal.
 *
 * @module
 */

// %% [markdown]
// # Data you can trust
//
// Bytes change on the way (a bad cable, a proxy, a bug), two programs write the same object, a
// request times out and is sent again. S3 has an answer for each: checksums the server checks
// before it stores anything, conditional writes, and retries that are safe when the request is.

// %% id="integrity-intro"
import { CompleteMultipartUploadCommand, CreateMultipartUploadCommand } from "@aws-sdk/client-s3";
import { GetObjectAttributesCommand, GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { HeadObjectCommand, PutObjectCommand, UploadPartCommand } from "@aws-sdk/client-s3";
import { createHash } from "node:crypto";
import { connect, createBucket, deleteBucket, emptyBucket, getText } from "../lib/mod.ts";
import { headObject, putObject, Stack, toView } from "../lib/mod.ts";

// %% [markdown]
// ## Where to connect
//
// As in the first chapter: `{}` is the embedded server, `{ emulate: "us-east-5" }` behaves like
// DreamObjects US-East 5, `{ dreamobjects: true }` is your account (keys from `AWS_ACCESS_KEY_ID`
// and `AWS_SECRET_ACCESS_KEY`).

// %% id="integrity-options" tags=["parameters"]
const options = {}; // e.g. { dreamobjects: true } or { emulate: "us-east-5" }

// %% [markdown]
// ## Connect and make a bucket
//
// One bucket for the whole chapter.

// %% id="integrity-connect"
const s3 = await connect(options);
const bucket = await createBucket(s3, { prefix: "integrity" });
s3.trace.show(bucket);

// %% [markdown]
// ## Upload with a SHA-256 checksum
//
// With `ChecksumAlgorithm: "SHA256"` the SDK computes the bytes' SHA-256 and sends it in the
// `x-amz-checksum-sha256` header; the server computes its own as the body arrives, stores the
// object only if both agree, and answers the value it kept. Ceph RGW 16 predates these headers:
// it ignores them, keeps no checksum and answers none. On DreamObjects US-East 5, Backblaze was
// reported to refuse them through 2025 and to accept a CRC32 in 2026; nobody here has measured
// it, and the stand-in (`emulate: "us-east-5"`) takes them, as the README's table says.

// %% id="put-sha256"
const hello = new TextEncoder().encode("Hello, checksums!\n");
const object = { Bucket: bucket, Key: "hello.txt" };
const put = new PutObjectCommand({ ...object, Body: hello, ChecksumAlgorithm: "SHA256" });
const sha = await s3.client.send(put);
s3.trace.show({ etag: sha.ETag, sha256: sha.ChecksumSHA256 ?? "(none answered)" });

// %% [markdown]
// ## The same with a CRC32, the library's shorthand
//
// `putObject(..., { checksum: "CRC32" })` computes the value itself and sends it the same way.
// A CRC32 is cheap and catches changed bytes; a SHA-256 also resists someone changing them on
// purpose.

// %% id="put-crc32"
s3.trace.show(await putObject(s3, bucket, "hello-crc.txt", hello, { checksum: "CRC32" }));

// %% [markdown]
// ## Read the stored checksum back
//
// `GetObjectAttributes` (`GET ?attributes`) answers the ETag, size and checksum in one small XML;
// `HeadObject` (or `GetObject`) with `ChecksumMode: "ENABLED"` answers it as a header. RGW 16 has
// no `?attributes`: it sends the object itself, which the SDK cannot read as attributes, and its
// HEAD answers no checksum.

// %% id="read-checksum"
const ObjectAttributes: ("ETag" | "Checksum" | "ObjectSize")[] = ["ETag", "Checksum", "ObjectSize"];
const attributes = s3.client.send(new GetObjectAttributesCommand({ ...object, ObjectAttributes }));
const answer = await attributes.then((a) => a.Checksum ?? a, (e) => e);
const head = await s3.client.send(new HeadObjectCommand({ ...object, ChecksumMode: "ENABLED" }));
s3.trace.show(new Stack([toView(answer), toView({ head: head.ChecksumSHA256 ?? "(none)" })]));

// %% [markdown]
// ## A corrupted upload is refused
//
// Here the SHA-256 is computed from the right bytes and one byte changes on the way: the server
// answers `400 BadDigest` and stores nothing, so the HEAD after it finds no object. RGW 16 ignores
// the checksum and stores the damaged bytes: there the HEAD finds them, and the next step is the
// check it does make.

// %% id="bad-digest"
const damaged = hello.with(0, 0x4a); // "Jello": one byte changed on the way
const ChecksumSHA256 = createHash("sha256").update(hello).digest("base64"); // of the right bytes
const bad = { Bucket: bucket, Key: "damaged.txt", Body: damaged, ChecksumSHA256 };
const refused = await s3.client.send(new PutObjectCommand(bad))
  .then((out) => `Stored, ETag ${out.ETag}`, (error) => error);
const stored = await headObject(s3, bucket, "damaged.txt").catch((error) => error);
s3.trace.show(new Stack([toView(refused), toView(stored)]));

// %% [markdown]
// ## Content-MD5: the check older services make
//
// S3's original integrity check, older than the checksums: a `Content-MD5` header with the body's
// MD5. AWS S3 documents the refusal of a body that does not match it, `400 BadDigest`, and Ceph
// RGW 16 answers it too (seen here); the US-East 5 stand-in does as S3 does.

// %% id="content-md5"
const ContentMD5 = createHash("md5").update(hello).digest("base64"); // of the right bytes
const badMd5 = { Bucket: bucket, Key: "damaged-md5.txt", Body: damaged, ContentMD5 };
const md5Refused = await s3.client.send(new PutObjectCommand(badMd5))
  .then((out) => `Stored, ETag ${out.ETag}`, (error) => error);
const md5Stored = await headObject(s3, bucket, "damaged-md5.txt").catch((error) => error);
s3.trace.show(new Stack([toView(md5Refused), toView(md5Stored)]));

// %% [markdown]
// ## A multipart upload with a checksum per part
//
// Two parts (every part but the last must be at least 5 MiB). Asked for SHA-256 when the upload
// starts, the SDK sends each part's own SHA-256, the server checks each part, and
// `CompleteMultipartUpload` names the parts by ETag and checksum.

// %% id="multipart"
const parts = [new Uint8Array(5 * 1024 * 1024).fill(97), new Uint8Array(1024).fill(98)];
const big = { Bucket: bucket, Key: "big.bin", ChecksumAlgorithm: "SHA256" } as const;
const { UploadId } = await s3.client.send(new CreateMultipartUploadCommand(big));
const upload = (Body: Uint8Array, i: number) =>
  s3.client.send(new UploadPartCommand({ ...big, UploadId, PartNumber: i + 1, Body }));
const sent = [await upload(parts[0], 0), await upload(parts[1], 1)];
s3.trace.show(sent.map((p) => ({ etag: p.ETag, sha256: p.ChecksumSHA256 ?? "(none)" })));

// %% [markdown]
// ## Finish it
//
// The list of parts, each with its ETag and checksum, in order. (RGW 16's answer gives the SDK
// no ETag here: the next step reads it with a HEAD, which works everywhere.)

// %% id="multipart-complete"
const Parts = sent.map(({ ETag, ChecksumSHA256: sha }, i) => ({
  PartNumber: i + 1,
  ETag,
  ChecksumSHA256: sha,
}));
const complete = { Bucket: bucket, Key: big.Key, UploadId, MultipartUpload: { Parts } };
const done = await s3.client.send(new CompleteMultipartUploadCommand(complete));
s3.trace.show({ etag: done.ETag, sha256: done.ChecksumSHA256 ?? "(none answered)" });

// %% [markdown]
// ## Why a multipart ETag is not an MD5
//
// The ETag of an upload made in parts is the MD5 of the parts' MD5s (as bytes, one after the
// other), then `-` and the number of parts: computed here by hand, it equals the one a HEAD
// answers, and it is not the MD5 of the whole object. To check a download against it, you need
// the part size.

// %% id="multipart-etag"
const md5Of = (bytes: Uint8Array) => createHash("md5").update(bytes).digest();
const byHand = `"${md5Of(Buffer.concat(parts.map(md5Of))).toString("hex")}-${parts.length}"`;
const wholeMd5 = md5Of(Buffer.concat(parts)).toString("hex");
const server = (await headObject(s3, bucket, big.Key)).etag;
s3.trace.show({ server, byHand, equal: byHand === server, wholeMd5 });

// %% [markdown]
// ## How a composite checksum is made
//
// The same recipe with SHA-256: the SHA-256 of the parts' SHA-256s, in base64, then `-2`. That is
// a *composite* checksum (`x-amz-checksum-type: COMPOSITE`); CRCs can instead be combined into
// the whole object's own CRC (`FULL_OBJECT`). A service without checksums (RGW 16) answers none.

// %% id="composite"
const shaOf = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest();
const composite = `${shaOf(Buffer.concat(parts.map(shaOf))).toString("base64")}-${parts.length}`;
s3.trace.show({ server: done.ChecksumSHA256 ?? "(none answered)", byHand: composite });

// %% [markdown]
// ## The SDK's checksum setting
//
// Since January 2025 the AWS SDKs send a CRC32 with every upload by default
// (`requestChecksumCalculation: "WHEN_SUPPORTED"`): below, a client with the SDK's defaults sends
// `x-amz-checksum-crc32` unasked. Services that predate checksums answered `400 InvalidArgument`
// "Unsupported header 'x-amz-checksum-crc32'" (Backblaze through 2025, R2, MinIO) or ignore it
// (RGW 16). So `connect()` keeps AWS's default for AWS only and sets `"WHEN_REQUIRED"` for every
// other endpoint: checksums go out when an operation requires one or you ask.

// %% id="sdk-defaults"
const config = { region: s3.region, endpoint: s3.endpoint, forcePathStyle: s3.pathStyle };
const defaults = new S3Client({ ...config, credentials: s3.client.config.credentials });
s3.trace.attach(defaults);
await defaults.send(new PutObjectCommand({ ...object, Key: "defaults.txt", Body: "unasked" }));
const sdkDefault = await defaults.config.requestChecksumCalculation();
const thisConnection = await s3.client.config.requestChecksumCalculation();
defaults.destroy();
s3.trace.show({ sdkDefault, thisConnection });

// %% [markdown]
// ## Create only: If-None-Match: *
//
// A PUT with `IfNoneMatch: "*"` stores the object only if no object has that key: the second
// writer gets `412 PreconditionFailed` and the first one's bytes stay. That is a lock file, or a
// "create, never overwrite". (On US-East 5, reports of Backblaze's answer conflict: the README's
// table says what the stand-in assumes.)

// %% id="if-none-match"
const lock = { Bucket: bucket, Key: "lock.txt", Body: "A holds it" };
const first = await s3.client.send(new PutObjectCommand({ ...lock, IfNoneMatch: "*" }));
const second = await putObject(s3, bucket, "lock.txt", "B holds it", { ifNoneMatch: "*" })
  .catch((error) => error);
s3.trace.show(new Stack([toView({ first: first.ETag }), toView(second)]));

// %% [markdown]
// ## Two writers, one object: If-Match
//
// A and B both read the object (its ETag), change it and write it back with `IfMatch: ETAG`,
// "only if it is still what I read". A's write lands and makes a new ETag, so B's is refused with
// `412` instead of silently undoing A's. Ceph RGW 16 refuses A's write too: it compares
// `If-Match` with its ETag *without* the quotes every S3 answer (and HTTP) puts around an ETag,
// so a quoted ETag never matches there, and an unquoted one does (measured on RGW 16.2; the
// embedded server and the US-East 5 stand-in follow S3 and match the quoted form only).

// %% id="if-match"
const read = await headObject(s3, bucket, "lock.txt"); // A and B both read this ETag
const change = { ...lock, Body: "A's change", IfMatch: read.etag };
const a = await s3.client.send(new PutObjectCommand(change)).catch((error) => error);
const b = await putObject(s3, bucket, "lock.txt", "B's change", { ifMatch: read.etag })
  .catch((error) => error);
s3.trace.show(new Stack([toView(a.ETag ?? a), toView(b)]));

// %% [markdown]
// ## The loser reads again and retries
//
// B reads the object again (A's version, a new ETag), applies its change on top and writes with
// the new ETag: now it lands, and nothing was lost. (On RGW 16 the quoted ETag is refused
// again, as above.)

// %% id="if-match-retry"
const now = await headObject(s3, bucket, "lock.txt");
const merged = `${await getText(s3, bucket, "lock.txt")}, then B's change`;
const retry = await putObject(s3, bucket, "lock.txt", merged, { ifMatch: now.etag })
  .catch((error) => error);
s3.trace.show(new Stack([toView(retry), toView(await getText(s3, bucket, "lock.txt"))]));

// %% [markdown]
// ## Retries: 503 SlowDown
//
// Every request above carried `amz-sdk-request: attempt=1; max=3`: the SDK sends a request up to
// 3 times when the answer says "try again" (`503 SlowDown`, `500`, a timeout, a dropped
// connection), waiting a little longer each time. The embedded server's fault switch answers the
// next two PutObjects `503 SlowDown`, on a second connection to a server of its own: the trace
// shows the three attempts. The fault switch is the embedded server's (`s3.server`); on any other
// service this step and the next do nothing.

// %% id="slowdown"
const faults = "slowdown@PutObject:2,delay=5@GetObject";
const flaky = s3.server && await connect({ ...options, faults, timeoutMs: 2000, trace: s3.trace });
const spare = flaky && await createBucket(flaky, { prefix: "retries" });
const body = "third time lucky";
await flaky?.client.send(new PutObjectCommand({ Bucket: spare, Key: "retried.txt", Body: body }));
s3.trace.show(flaky ?? "No fault switch here: it is the embedded server's");

// %% [markdown]
// ## A timeout
//
// The same connection gives up on a request after 2 seconds (`timeoutMs: 2000`), and the switch
// holds the next GetObject for 5: the first attempt times out (status 0, `TimeoutError`), the
// second reads the object.

// %% id="timeout"
const late = await flaky?.client.send(new GetObjectCommand({ Bucket: spare, Key: "retried.txt" }));
s3.trace.show(await late?.Body?.transformToString() ?? "No fault switch here");

// %% [markdown]
// ## Which requests are safe to retry
//
// A retry is safe when sending the request twice leaves the same result as once: a GET, a HEAD,
// a DELETE, a PUT of the same bytes (the same object again, the same ETag). A *conditional* write
// is not: if its first attempt landed and only the answer was lost, the retry meets the object it
// made and gets `412` (below, the second send plays that retry): after a 412 on a retried write,
// read the object before deciding it failed.

// %% id="safe-retries"
const report = new PutObjectCommand({ ...object, Key: "report.txt", Body: "same bytes" });
const twice = [await s3.client.send(report), await s3.client.send(report)];
const once = new PutObjectCommand({ ...object, Key: "once.txt", Body: "once", IfNoneMatch: "*" });
const landed = await s3.client.send(once); // suppose its answer were lost on the way
const retried = await s3.client.send(once).catch((error) => error); // the retry
const etags = { twice: twice.map((p) => p.ETag).join(" = "), landed: landed.ETag };
s3.trace.show(new Stack([toView(etags), toView(retried)]));

// %% [markdown]
// ## Delete the bucket
//
// `emptyBucket()` removes every object (and, where deletes keep versions, every version), then
// the bucket can go; the same for the second connection's bucket.

// %% id="integrity-cleanup" tags=["cleanup"]
await emptyBucket(s3, bucket);
await deleteBucket(s3, bucket);
if (flaky && spare) await emptyBucket(flaky, spare).then(() => deleteBucket(flaky, spare));
s3.trace.show();

// %% [markdown]
// ## Done
//
// Closing the connections stops the embedded servers they started.

// %% id="integrity-close"
await flaky?.close();
await s3.close();
