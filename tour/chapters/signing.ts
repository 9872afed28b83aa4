/**
 * Chapter "signing": how a request is signed. A real request the SDK sends is caught and its
 * Signature V4 rebuilt by hand, step by step, then compared with the SDK's; a presigned URL the
 * same way; a Signature V2 request as DreamObjects' API reference describes it; then three ways a
 * signed request is refused (a changed header, a changed presigned URL, a clock 20 minutes off),
 * and what a presigned link binds: an unsigned header added to a presigned PUT.
 *
 * @module
 */

import { type Step, step } from "../step.ts";
import { closeStep, optionsStep } from "./_common.ts";

/** The steps, in order. */
export const SIGNING_STEPS: readonly Step[] = [
  step({
    id: "signing-intro",
    title: "How a request is signed",
    prose: `
Every S3 request carries a signature: an HMAC of the request made with your secret key, which the
server recomputes with its copy of the key. Here we catch one request the SDK is about to send,
sign it again by hand, and then see how servers refuse a request that was changed.`,
    code: `
import { connect, createBucket, putObject, presignGet, presignPut, emptyBucket, deleteBucket } from "../lib/mod.ts";
import { catchRequest, signByHand, sendByHand, resignAt, sendSignedV2, Stack } from "../lib/mod.ts";`,
  }),
  optionsStep("signing"),
  step({
    id: "signing-connect",
    title: "Connect and make a bucket",
    prose: `
A bucket to write one small object in; it goes at the end.`,
    code: `
const s3 = await connect(options);
const bucket = await createBucket(s3, { prefix: "signing" });
s3.trace.show(bucket)`,
  }),
  step({
    id: "catch-request",
    title: "Catch a request on its way out",
    prose: `
\`catchRequest()\` hooks into the SDK's middleware stack, after signing, and hands us the next
\`PutObject\` exactly as it goes on the wire. The \`Authorization\` header holds the signature
(redacted here: it is the next steps' point).`,
    code: `
const caught = catchRequest(s3, "PutObject");
await putObject(s3, bucket, "note.txt", "Signed, not sealed.");
const put = await caught;
s3.trace.show(put)`,
  }),
  step({
    id: "canonical-request",
    title: "1. The canonical request",
    prose: `
The request is rewritten in one fixed form: method, path, sorted query, the signed headers (name
and trimmed value), their names, and the body's SHA-256. Both sides must build this text byte for
byte the same; \`signByHand()\` uses the embedded server's own verifier code.`,
    code: `
const steps = await signByHand(s3, put);
steps.canonicalRequest`,
  }),
  step({
    id: "string-to-sign",
    title: "2. The string to sign",
    prose: `
The algorithm, the request time, the scope (date, region, service) and the SHA-256 of the
canonical request: a short text that stands for the whole request.`,
    code: `
steps.stringToSign`,
  }),
  step({
    id: "signing-key",
    title: "3. The signing key",
    prose: `
The secret key never leaves your machine: a chain of HMACs turns it into a key valid for one day,
one region and one service. We show only its first bytes.`,
    code: `
steps.signingKey`,
  }),
  step({
    id: "signature",
    title: "4. The signature, and the SDK's",
    prose: `
The signature is the HMAC-SHA256 of the string to sign under the signing key. Ours is the one the
SDK put in the \`Authorization\` header, and the body's hash is the one signed.`,
    code: `
steps.comparison()`,
  }),
  step({
    id: "presigned",
    title: "A presigned URL is signed the same way",
    prose: `
A presigned link carries the same four steps in its query string (\`X-Amz-Credential\`,
\`X-Amz-Date\`, \`X-Amz-Expires\`, \`X-Amz-SignedHeaders\`, \`X-Amz-Signature\`), with the body
left unsigned.`,
    code: `
const link = await presignGet(s3, bucket, "note.txt", { expiresIn: 3600 });
(await signByHand(s3, link)).comparison()`,
  }),
  step({
    id: "signature-v2",
    title: "Signature V2, the older scheme",
    prose: `
DreamObjects' API reference (and boto 2) describe Signature V2: a base64 HMAC-SHA1 of method,
\`Content-MD5\`, \`Content-Type\`, date and resource, sent as \`Authorization: AWS key:signature\`.
Ceph RGW (US-East 1) still takes it; a V4-only service such as US-East 5 refuses it.`,
    code: `
const v2 = await sendSignedV2(s3, bucket, "note.txt");
s3.trace.show(v2)`,
  }),
  step({
    id: "tamper-header",
    title: "Change one header: SignatureDoesNotMatch",
    prose: `
We send the caught \`PutObject\` again with another \`Content-Type\`. The server's canonical
request now differs from the one signed, so its signature does too: \`403 SignatureDoesNotMatch\`,
and nothing is written.`,
    code: `
const changed = await sendByHand(s3, put, { headers: { "content-type": "text/html" } });
s3.trace.show(changed)`,
  }),
  step({
    id: "tamper-presigned",
    title: "Change a presigned URL: SignatureDoesNotMatch, AccessDenied",
    prose: `
Stretching the link's expiry to seven days breaks its signature, since the query is signed. Moving
its \`X-Amz-Date\` back makes it expired, which the server checks first: \`403 AccessDenied\`.`,
    code: `
const longer = link.replace("X-Amz-Expires=3600", "X-Amz-Expires=604800");
const older = link.replace(/X-Amz-Date=\\d{8}/, "X-Amz-Date=20200101");
s3.trace.show(new Stack([await sendByHand(s3, longer), await sendByHand(s3, older)]))`,
  }),
  step({
    id: "clock-skew",
    title: "A clock 20 minutes off: RequestTimeTooSkewed",
    prose: `
Signed correctly but 20 minutes ago, as by a machine whose clock is late, the request is refused:
servers accept 15 minutes either way, so a captured request cannot be replayed much later.`,
    code: `
const twentyMinutesAgo = new Date(Date.now() - 20 * 60 * 1000);
const late = await resignAt(s3, put, twentyMinutesAgo);
s3.trace.show(await sendByHand(s3, late))`,
  }),
  step({
    id: "presigned-binds",
    title: "What a presigned link binds, and what it does not",
    prose: `
A presigned upload link binds its method, bucket, key, query and the headers named in
\`X-Amz-SignedHeaders\` (here only \`host\`), but not the body nor any header it does not name.
Add \`x-amz-copy-source\` and the upload becomes a copy of any object the signer can read: the
embedded server refuses it as AWS does (\`403 AccessDenied\`, headers not signed). Ceph RGW 16
runs the copy (the CVE-2026-54330 class), so hand such links only to people you would let read
your bucket.`,
    code: `
const upload = await presignPut(s3, bucket, "drop.txt", { expiresIn: 600 });
const copy = { "x-amz-copy-source": \`/\${bucket}/note.txt\` };
const label = "PUT link + unsigned x-amz-copy-source";
s3.trace.show(await sendByHand(s3, upload, { method: "PUT", headers: copy, label }))`,
  }),
  step({
    id: "signing-cleanup",
    title: "Clean up",
    prose: `
\`emptyBucket()\` deletes the note (every version of it, where the service keeps versions), then
the bucket goes.`,
    code: `
await emptyBucket(s3, bucket);
await deleteBucket(s3, bucket);
s3.trace.show()`,
    cleanup: true,
  }),
  closeStep("signing"),
];
