/**
 * `lib/signing.ts` against real servers: the signature rebuilt by hand equals the one the SDK put
 * on the wire for a GET, a PUT with a body and a presigned URL (embedded server, its US-East 5
 * stand-in, Ceph RGW), and the server accepts what was caught; each tampering gets the refusal
 * the signing chapter explains; nothing secret appears in what is shown.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  catchRequest,
  connect,
  type Connection,
  createBucket,
  deleteBucket,
  emptyBucket,
  getBytes,
  presignGet,
  putObject,
  resignAt,
  sendByHand,
  sendSignedV2,
  signByHand,
} from "../../lib/mod.ts";
import { DEMO_USERS } from "../../server/demo_users.ts";
import { rgwTest } from "../support/engines.ts";

const noEnv = { get: (_: string) => undefined };
const DEMO = DEMO_USERS[0];

/** Runs `fn` with a fresh bucket, emptied and deleted afterwards. */
async function withBucket(s3: Connection, fn: (bucket: string) => Promise<void>) {
  const bucket = await createBucket(s3, { prefix: "signing-test" });
  try {
    await fn(bucket);
  } finally {
    await emptyBucket(s3, bucket);
    await deleteBucket(s3, bucket);
  }
}

/** The wire signature of an Authorization header. */
function wireSignature(authorization: string): string {
  const found = /Signature=([0-9a-f]{64})$/.exec(authorization)?.[1];
  assert.ok(found, `no SigV4 signature in "${authorization.replace(/[0-9a-f]{64}/, "…")}"`);
  return found;
}

async function assertHandMadeEqualsWire(s3: Connection, label: string) {
  await withBucket(s3, async (bucket) => {
    const body = "Signed, not sealed. ".repeat(50);
    const caughtPut = catchRequest(s3, "PutObject");
    await putObject(s3, bucket, "dir/note.txt", body);
    const put = await caughtPut;
    const putSteps = await signByHand(s3, put);
    assert.equal(put.method, "PUT");
    assert.equal(new TextDecoder().decode(put.body), body, `${label}: the body was caught`);
    assert.equal(putSteps.sent, wireSignature(put.headers.authorization));
    assert.equal(putSteps.signature, putSteps.sent, `${label}: PUT signature by hand ≠ wire`);
    assert.equal(
      putSteps.payloadMatches,
      true,
      `${label}: the PUT's body hash is not the signed one`,
    );
    assert.match(putSteps.canonicalRequest.text, /^PUT\n\/[^\n]*dir\/note\.txt\n/);

    const caughtGet = catchRequest(s3, "GetObject");
    assert.equal(new TextDecoder().decode(await getBytes(s3, bucket, "dir/note.txt")), body);
    const get = await caughtGet;
    const getSteps = await signByHand(s3, get);
    assert.equal(get.method, "GET");
    assert.equal(getSteps.signature, wireSignature(get.headers.authorization), `${label}: GET`);
    assert.ok(getSteps.matches);

    const link = await presignGet(s3, bucket, "dir/note.txt", { expiresIn: 600 });
    const linkSteps = await signByHand(s3, link);
    assert.equal(
      linkSteps.signature,
      new URL(link).searchParams.get("X-Amz-Signature"),
      `${label}: presigned URL signature by hand ≠ the URL's`,
    );
    // What was checked is what the server accepts: the caught GET and the link, sent again.
    assert.equal((await sendByHand(s3, get)).status, 200, `${label}: the caught GET resent`);
    assert.equal((await sendByHand(s3, link)).status, 200, `${label}: the presigned link`);

    // A wrong secret gives a different signature: the comparison can fail.
    await using wrong = await connect({
      endpoint: s3.endpoint,
      accessKeyId: DEMO.accessKeyId,
      secretAccessKey: "not-the-secret-key-at-all",
      env: noEnv,
    });
    assert.equal((await signByHand(wrong, get)).matches, false);

    const shown = [put, putSteps.canonicalRequest, putSteps.stringToSign, putSteps.signingKey]
      .map(String).join("\n") + s3.trace.view().toText();
    for (const user of DEMO_USERS) assert.ok(!shown.includes(user.secretAccessKey), label);
    assert.doesNotMatch(shown, /Signature=[0-9a-f]{64}/, `${label}: a signature in the trace`);
    assert.ok(!shown.includes(putSteps.signature), `${label}: the signature outside comparison()`);
  });
}

async function assertTampering(s3: Connection, label: string, v2: "accepted" | "refused") {
  await withBucket(s3, async (bucket) => {
    const caught = catchRequest(s3, "PutObject");
    await putObject(s3, bucket, "note.txt", "original");
    const put = await caught;
    const changed = await sendByHand(s3, put, { headers: { "content-type": "text/html" } });
    assert.deepEqual([changed.status, changed.code], [403, "SignatureDoesNotMatch"], label);
    const link = await presignGet(s3, bucket, "note.txt", { expiresIn: 3600 });
    const longer = await sendByHand(s3, link.replace("X-Amz-Expires=3600", "X-Amz-Expires=604800"));
    assert.deepEqual([longer.status, longer.code], [403, "SignatureDoesNotMatch"], label);
    const older = await sendByHand(s3, link.replace(/X-Amz-Date=\d{8}/, "X-Amz-Date=20200101"));
    assert.deepEqual([older.status, older.code], [403, "AccessDenied"], label);
    const late = await resignAt(s3, put, new Date(Date.now() - 20 * 60_000));
    const skewed = await sendByHand(s3, late);
    assert.deepEqual([skewed.status, skewed.code], [403, "RequestTimeTooSkewed"], label);
    // The re-signed request differs from the caught one only by its time: signed by hand again
    // at the current time, the server takes it.
    const now = await sendByHand(s3, await resignAt(s3, put, new Date()));
    assert.equal(now.status, 200, `${label}: a request re-signed now is refused: ${now}`);
    const signedV2 = await sendSignedV2(s3, bucket, "note.txt");
    if (v2 === "accepted") {
      assert.equal(signedV2.result.status, 200, `${label}: V2 refused: ${signedV2.result}`);
    } else {
      assert.deepEqual([signedV2.result.status, signedV2.result.code], [400, "InvalidRequest"]);
    }
    assert.match(
      signedV2.stringToSign.text,
      new RegExp(`^GET\n\n\n[^\n]+ GMT\n/${bucket}/note\\.txt$`),
    );
    assert.equal(
      await getBytes(s3, bucket, "note.txt").then((b) => new TextDecoder().decode(b)),
      "original",
    );
  });
}

Deno.test("by hand = on the wire (GET, PUT with a body, presigned URL) on the embedded server", async () => {
  await using s3 = await connect({ env: noEnv });
  await assertHandMadeEqualsWire(s3, "the embedded server");
});

Deno.test("by hand = on the wire on the US-East 5 stand-in (region us-east-005)", async () => {
  await using s3 = await connect({ emulate: "us-east-5", env: noEnv });
  assert.equal(s3.region, "us-east-005");
  await assertHandMadeEqualsWire(s3, "the US-East 5 stand-in");
});

Deno.test("tampering is refused as the chapter explains; V2 is taken by the embedded server", async () => {
  await using s3 = await connect({ env: noEnv });
  await assertTampering(s3, "the embedded server", "accepted");
});

Deno.test("the US-East 5 stand-in refuses V2 with 400 InvalidRequest", async () => {
  await using s3 = await connect({ emulate: "us-east-5", env: noEnv });
  await assertTampering(s3, "the US-East 5 stand-in", "refused");
});

rgwTest(
  "by hand = on the wire on Ceph RGW, and its refusals are the same",
  async (_t, endpoint) => {
    await using s3 = await connect({
      endpoint,
      accessKeyId: DEMO.accessKeyId,
      secretAccessKey: DEMO.secretAccessKey,
      env: noEnv,
    });
    await assertHandMadeEqualsWire(s3, "RGW");
    await assertTampering(s3, "RGW", "accepted");
  },
);
