/**
 * Chapter 2 of the course, "How a request is signed": a SigV4 signature built by hand and checked
 * against the SDK's, SigV2, tampering.
 *
 * A notebook in jupytext's "percent" format (described in `tour/percent.ts`): `deno task notebook`
 * writes `notebooks/02-signing.ipynb` from this file and `deno task tour signing` runs the same
 * cells in a terminal.
 *
 * @module
 */

// %% [markdown]
// # How a request is signed
//
// Every S3 request carries a signature: an HMAC of the request made with your secret key, which the
// server recomputes with its copy of the key. Here we catch one request the SDK is about to send,
// sign it again by hand, and then see how servers refuse a request that was changed.
//
// The set-up connects as in [chapter 1](tour.ipynb#Where-to-connect) (`options` says where) and
// makes a bucket for one small object; the last cell deletes it.

// %% id="signing-setup" tags=["parameters"]
import { connect, type ConnectOptions, createBucket } from "../lib/mod.ts";

const options: ConnectOptions = {}; // where to connect: see chapter 1
const s3 = await connect(options);
const bucket = await createBucket(s3, { prefix: "signing" });
s3.trace.show(bucket);

// %% [markdown]
// ## Catch a request on its way out
//
// `catchRequest()` hooks into the SDK's middleware stack, after signing, and hands us the next
// `PutObject` exactly as it goes on the wire. The `Authorization` header holds the signature
// (redacted here: it is the next steps' point).

// %% id="catch-request"
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { catchRequest } from "../lib/mod.ts";

const caught = catchRequest(s3, "PutObject");
const note = { Bucket: bucket, Key: "note.txt", Body: "Signed, not sealed." };
await s3.client.send(new PutObjectCommand(note));
const put = await caught;
s3.trace.show(put);

// %% [markdown]
// ## 1. The canonical request
//
// The request is rewritten in one fixed form: method, path, sorted query, the signed headers (name
// and trimmed value), their names, and the body's SHA-256. Both sides must build this text byte for
// byte the same; `signByHand()` uses the embedded server's own verifier code.

// %% id="canonical-request"
import { signByHand } from "../lib/mod.ts";

const steps = await signByHand(s3, put);
steps.canonicalRequest;

// %% [markdown]
// ## 2. The string to sign
//
// The algorithm, the request time, the scope (date, region, service) and the SHA-256 of the
// canonical request: a short text that stands for the whole request.

// %% id="string-to-sign"
steps.stringToSign;

// %% [markdown]
// ## 3. The signing key
//
// The secret key never leaves your machine: a chain of HMACs turns it into a key valid for one day,
// one region and one service. We show only its first bytes.

// %% id="signing-key"
steps.signingKey;

// %% [markdown]
// ## 4. The signature, and the SDK's
//
// The signature is the HMAC-SHA256 of the string to sign under the signing key. Ours is the one the
// SDK put in the `Authorization` header, and the body's hash is the one signed.

// %% id="signature"
steps.comparison();

// %% [markdown]
// ## A presigned URL is signed the same way
//
// A presigned link carries the same four steps in its query string (`X-Amz-Credential`,
// `X-Amz-Date`, `X-Amz-Expires`, `X-Amz-SignedHeaders`, `X-Amz-Signature`), with the body
// left unsigned. The SDK's `getSignedUrl()` makes it from a command, here a `GetObjectCommand`.

// %% id="presigned"
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";

const read = new GetObjectCommand({ Bucket: bucket, Key: "note.txt" });
const link = await getSignedUrl(s3.client, read, { expiresIn: 3600 });
(await signByHand(s3, link)).comparison();

// %% [markdown]
// ## Signature V2, the older scheme
//
// DreamObjects' API reference (and boto 2) describe Signature V2: a base64 HMAC-SHA1 of method,
// `Content-MD5`, `Content-Type`, date and resource, sent as `Authorization: AWS key:signature`.
// Ceph RGW (US-East 1) still takes it; a V4-only service such as US-East 5 refuses it.

// %% id="signature-v2"
import { sendSignedV2 } from "../lib/mod.ts";

const v2 = await sendSignedV2(s3, bucket, "note.txt");
s3.trace.show(v2);

// %% [markdown]
// ## Change one header: SignatureDoesNotMatch
//
// We send the caught `PutObject` again with another `Content-Type`. The server's canonical
// request now differs from the one signed, so its signature does too: `403 SignatureDoesNotMatch`,
// and nothing is written. Where the server sends its own string to sign, compare it with step 2's:
// only the last line, the canonical request's hash, differs.

// %% id="tamper-header"
import { sendByHand } from "../lib/mod.ts";

const changed = await sendByHand(s3, put, { headers: { "content-type": "text/html" } });
s3.trace.show(changed);

// %% [markdown]
// ## Change a presigned URL: SignatureDoesNotMatch, AccessDenied
//
// Stretching the link's expiry to seven days breaks its signature, since the query is signed. Moving
// its `X-Amz-Date` back makes it expired, which the server checks first: `403 AccessDenied`.

// %% id="tamper-presigned"
import { Stack } from "../lib/mod.ts";

const longer = link.replace("X-Amz-Expires=3600", "X-Amz-Expires=604800");
const older = link.replace(/X-Amz-Date=\d{8}/, "X-Amz-Date=20200101");
s3.trace.show(new Stack([await sendByHand(s3, longer), await sendByHand(s3, older)]));

// %% [markdown]
// ## A clock 20 minutes off: RequestTimeTooSkewed
//
// Signed correctly but 20 minutes ago, as by a machine whose clock is late, the request is refused:
// servers accept 15 minutes either way, so a captured request cannot be replayed much later.

// %% id="clock-skew"
import { resignAt } from "../lib/mod.ts";

const twentyMinutesAgo = new Date(Date.now() - 20 * 60 * 1000);
const late = await resignAt(s3, put, twentyMinutesAgo);
s3.trace.show(await sendByHand(s3, late));

// %% [markdown]
// ## What a presigned link binds, and what it does not
//
// A presigned upload link binds its method, bucket, key, query and the headers named in
// `X-Amz-SignedHeaders` (here only `host`), but not the body nor any header it does not name. Add
// `x-amz-copy-source` and the upload becomes a copy of any object the signer can read: the
// embedded server refuses it as AWS does (`403 AccessDenied`, headers not signed). Ceph RGW 16 runs
// the copy (the CVE-2026-54330 class), so hand such links only to people you would let read your
// bucket.

// %% id="presigned-binds"
import { presignPut } from "../lib/mod.ts";

const upload = await presignPut(s3, bucket, "drop.txt", { expiresIn: 600 });
const copy = { "x-amz-copy-source": `/${bucket}/note.txt` };
const label = "PUT link + unsigned x-amz-copy-source";
s3.trace.show(await sendByHand(s3, upload, { method: "PUT", headers: copy, label }));

// %% [markdown]
// ## Clean up and close
//
// `emptyBucket()` deletes the note (every version of it, where the service keeps versions), then
// the bucket goes; closing the connection stops the embedded server, if one was started.

// %% id="signing-close" tags=["cleanup"]
import { deleteBucket, emptyBucket } from "../lib/mod.ts";

await emptyBucket(s3, bucket);
await deleteBucket(s3, bucket);
await s3.close();
s3.trace.show();
