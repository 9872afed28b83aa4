/**
 * SigV4 presigned URLs made by `@aws-sdk/s3-request-presigner` are accepted until they expire;
 * a changed key, method or expiry is refused.
 */

import assert from "node:assert/strict";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { authenticate, type AuthRequest } from "../../../server/auth/mod.ts";
import { S3Error } from "../../../server/errors.ts";
import { DEMO_USERS } from "../../../server/demo_users.ts";

const SIGNED_AT = new Date("2026-11-25T10:00:00Z");

const client = new S3Client({
  endpoint: "http://127.0.0.1:9000",
  region: "us-east-1",
  forcePathStyle: true,
  credentials: { accessKeyId: "DEMOACCESSKEY", secretAccessKey: "DEMOSECRETKEY" },
});

function presignGet(key = "a/../b c.txt", expiresIn = 3600): Promise<string> {
  return getSignedUrl(client, new GetObjectCommand({ Bucket: "a1-bucket", Key: key }), {
    expiresIn,
    signingDate: SIGNED_AT,
  });
}

function request(url: string, method = "GET"): AuthRequest {
  return {
    method,
    url,
    headers: new Headers({ host: new URL(url).host }),
    address: { bucket: "a1-bucket", virtualHost: false },
    body: null,
  };
}

function at(secondsAfterSigning: number) {
  return {
    users: DEMO_USERS,
    now: () => new Date(SIGNED_AT.getTime() + secondsAfterSigning * 1000),
  };
}

async function refused(promise: Promise<unknown>, code: string): Promise<S3Error> {
  const error = await promise.then(
    () => assert.fail(`Expected ${code}, the request was accepted`),
    (e) => e,
  );
  assert.ok(error instanceof S3Error, `Expected an S3Error, got ${error}`);
  assert.equal(error.code, code, error.message);
  return error;
}

Deno.test("authenticate() accepts a presigned GET from @aws-sdk/s3-request-presigner", async () => {
  const url = await presignGet();
  const auth = await authenticate(request(url), at(10));
  assert.equal(auth.principal.kind === "user" && auth.principal.user.id, "demo");
});

Deno.test("authenticate() accepts a presigned PUT and passes its body unsigned", async () => {
  const url = await getSignedUrl(
    client,
    new PutObjectCommand({ Bucket: "a1-bucket", Key: "up.txt" }),
    { expiresIn: 60, signingDate: SIGNED_AT },
  );
  const auth = await authenticate(
    { ...request(url, "PUT"), body: new Blob(["data"]).stream() },
    at(59),
  );
  assert.equal(await new Response(auth.body).text(), "data");
});

Deno.test("authenticate() refuses an expired presigned URL with 403 AccessDenied", async () => {
  const url = await presignGet("k.txt", 60);
  const error = await refused(authenticate(request(url), at(61)), "AccessDenied");
  assert.equal(error.status, 403);
  assert.match(error.message, /^Request has expired/);
});

Deno.test("authenticate() refuses a tampered presigned URL", async (t) => {
  const url = await presignGet("k.txt", 60);
  await t.step("key changed", async () => {
    await refused(
      authenticate(request(url.replace("/k.txt", "/x.txt")), at(1)),
      "SignatureDoesNotMatch",
    );
  });
  await t.step("method changed", async () => {
    await refused(authenticate(request(url, "DELETE"), at(1)), "SignatureDoesNotMatch");
  });
  await t.step("expiry extended", async () => {
    await refused(
      authenticate(request(url.replace("X-Amz-Expires=60", "X-Amz-Expires=600")), at(1)),
      "SignatureDoesNotMatch",
    );
  });
  await t.step("signature changed", async () => {
    const tampered = url.replace(
      /X-Amz-Signature=([0-9a-f])/,
      (_, c) => `X-Amz-Signature=${c === "0" ? "1" : "0"}`,
    );
    await refused(authenticate(request(tampered), at(1)), "SignatureDoesNotMatch");
  });
});

Deno.test("authenticate() refuses X-Amz-Expires outside 1..604800 with 403 AccessDenied as RGW", async (t) => {
  const url = await presignGet("k.txt", 60);
  for (const expires of ["0", "604801", "abc", "-5"]) {
    await t.step(expires, async () => {
      const error = await refused(
        authenticate(request(url.replace("X-Amz-Expires=60", `X-Amz-Expires=${expires}`)), at(1)),
        "AccessDenied",
      );
      assert.equal(error.status, 403);
      assert.match(error.message, /X-Amz-Expires must be 1 to 604800/);
    });
  }
});

Deno.test("authenticate() refuses a presigned URL for an unknown key id", async () => {
  const url = (await presignGet("k.txt", 60)).replace("DEMOACCESSKEY", "NOSUCHKEY");
  await refused(authenticate(request(url), at(1)), "InvalidAccessKeyId");
});
