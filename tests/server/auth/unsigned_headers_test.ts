/**
 * Signatures bind what they sign: attacks on the embedded server over raw sockets, one per way a
 * signed request could be made to do more than its signer signed (the CVE-2026-54330 class). A
 * presigned PUT turned into a copy of a private object, a signed PUT replayed with an unsigned
 * ACL or metadata header, a signature without `host` replayed against another bucket by
 * virtual-host name, a presigned URL dated years ahead. Each attack is refused with 403, and the
 * state it aimed at is checked afterwards (the private bytes never become readable anonymously).
 */

import assert from "node:assert/strict";
import { DEMO_USERS } from "../../../server/demo_users.ts";
import { errorCode, RawClient, type RawResponse, toWire } from "../../support/raw_http.ts";
import {
  type Credentials,
  presignV4,
  type RawRequest,
  signV4,
  signV4By,
} from "../../support/signing.ts";
import { testServer } from "../../support/server.ts";

const DEMO: Credentials = DEMO_USERS[0];
const SECRET_BYTES = "the private bytes of secret/key";
const decoder = new TextDecoder();
const encoder = new TextEncoder();

async function send(port: number, request: RawRequest): Promise<RawResponse> {
  const client = new RawClient("127.0.0.1", port);
  try {
    return await client.send(toWire(request));
  } finally {
    client.close();
  }
}

/** Sends a request signed by the demo user in the header, and checks it succeeded. */
async function setup(port: number, request: Omit<RawRequest, "host">): Promise<void> {
  const host = `127.0.0.1:${port}`;
  const response = await send(port, await signV4({ ...request, host }, DEMO, new Date()));
  assert.ok(
    response.status < 300,
    `Setup ${request.method} ${request.path}: ${response.status} ${decoder.decode(response.body)}`,
  );
}

/** Private buckets `secret` (holding `key`) and `drop`, both the demo user's. */
async function privateBuckets(port: number): Promise<void> {
  await setup(port, { method: "PUT", path: "/secret" });
  await setup(port, { method: "PUT", path: "/secret/key", body: encoder.encode(SECRET_BYTES) });
  await setup(port, { method: "PUT", path: "/drop" });
}

function anonymousGet(port: number, path: string, host = `127.0.0.1:${port}`) {
  return send(port, { method: "GET", host, path });
}

function assertUnsignedRefused(response: RawResponse, names: string[]): void {
  const body = decoder.decode(response.body);
  assert.equal(response.status, 403, body);
  assert.equal(errorCode(response.body), "AccessDenied", body);
  assert.match(body, /There were headers present in the request which were not signed/);
  const listed = body.match(/<HeadersNotSigned>([^<]*)<\/HeadersNotSigned>/)?.[1];
  assert.deepEqual(listed?.split(/\s*,\s*/).sort(), [...names].sort(), body);
}

Deno.test("a presigned PUT with an unsigned x-amz-copy-source cannot copy a private object", async () => {
  await using server = await testServer();
  const port = server.port;
  await privateBuckets(port);
  const host = `127.0.0.1:${port}`;
  // The signer shares an upload link for drop/upload.txt: SignedHeaders=host.
  const link = await presignV4(
    { method: "PUT", host, path: "/drop/upload.txt" },
    DEMO,
    new Date(),
    900,
  );
  assert.equal(link.query?.["X-Amz-SignedHeaders"], "host");
  const attack: RawRequest = {
    ...link,
    headers: { ...link.headers, "x-amz-copy-source": "/secret/key", "x-amz-acl": "public-read" },
  };
  assertUnsignedRefused(await send(port, attack), ["x-amz-acl", "x-amz-copy-source"]);

  const read = await anonymousGet(port, "/drop/upload.txt");
  assert.notEqual(read.status, 200);
  assert.ok(!decoder.decode(read.body).includes(SECRET_BYTES), "The private bytes leaked");
  // The link itself still does what it was made for.
  const upload = await send(port, { ...link, body: encoder.encode("an honest upload") });
  assert.equal(upload.status, 200, decoder.decode(upload.body));
});

Deno.test("a header-signed PUT replayed with an unsigned x-amz-acl or x-amz-meta-* is refused", async (t) => {
  await using server = await testServer();
  const port = server.port;
  await privateBuckets(port);
  const host = `127.0.0.1:${port}`;
  const signed = await signV4(
    { method: "PUT", host, path: "/drop/report.txt", body: encoder.encode("quarterly report") },
    DEMO,
    new Date(),
  );
  await t.step("x-amz-acl: public-read", async () => {
    const replay = { ...signed, headers: { ...signed.headers, "x-amz-acl": "public-read" } };
    assertUnsignedRefused(await send(port, replay), ["x-amz-acl"]);
    assert.equal((await anonymousGet(port, "/drop/report.txt")).status, 403);
  });
  await t.step("x-amz-meta-owner", async () => {
    const replay = { ...signed, headers: { ...signed.headers, "x-amz-meta-owner": "mallory" } };
    assertUnsignedRefused(await send(port, replay), ["x-amz-meta-owner"]);
    const head = await send(
      port,
      await signV4({ method: "HEAD", host, path: "/drop/report.txt" }, DEMO, new Date()),
    );
    assert.equal(head.status, 404, "The replay must not have stored the object");
  });
  await t.step("the same headers, signed, are accepted", async () => {
    const honest = await signV4(
      {
        method: "PUT",
        host,
        path: "/drop/report.txt",
        headers: { "x-amz-acl": "public-read", "x-amz-meta-owner": "demo" },
        body: encoder.encode("quarterly report"),
      },
      DEMO,
      new Date(),
    );
    assert.equal((await send(port, honest)).status, 200);
    const read = await anonymousGet(port, "/drop/report.txt");
    assert.equal(read.status, 200);
    assert.equal(read.headers.get("x-amz-meta-owner"), "demo");
  });
});

Deno.test("a signature that leaves host out cannot be replayed against another bucket", async () => {
  await using server = await testServer();
  const port = server.port;
  await setup(port, { method: "PUT", path: "/alpha" });
  await setup(port, { method: "PUT", path: "/alpha/doc.txt", body: encoder.encode("alpha's doc") });
  await setup(port, { method: "PUT", path: "/beta" });
  await setup(port, { method: "PUT", path: "/beta/doc.txt", body: encoder.encode("beta's doc") });
  // A GET of alpha's doc by virtual-host name, signed without host.
  const signed = signV4By(
    { method: "GET", host: `alpha.localhost:${port}`, path: "/doc.txt" },
    DEMO,
    { date: new Date(), signedHeaders: ["x-amz-content-sha256", "x-amz-date"] },
  );
  const replay = await send(port, { ...signed, host: `beta.localhost:${port}` });
  assertUnsignedRefused(replay, ["host"]);
  assert.ok(
    !decoder.decode(replay.body).includes("beta's doc"),
    "The other bucket's object leaked",
  );
  // Sent where it was meant to go it is refused as well: host is always signed.
  assertUnsignedRefused(await send(port, signed), ["host"]);
});

Deno.test("a request signed for one bucket cannot reach another through an absolute-form target", async () => {
  // RFC 9112 3.2.2: a server addresses an absolute-form request by the target's authority, not
  // by Host. Whatever names the bucket must be what the signature's host covers, else a
  // signature for alpha reads beta.
  await using server = await testServer();
  const port = server.port;
  await setup(port, { method: "PUT", path: "/alpha" });
  await setup(port, { method: "PUT", path: "/alpha/doc.txt", body: encoder.encode("alpha's doc") });
  await setup(port, { method: "PUT", path: "/beta" });
  await setup(port, { method: "PUT", path: "/beta/doc.txt", body: encoder.encode("beta's doc") });
  const signed = await signV4(
    { method: "GET", host: `alpha.localhost:${port}`, path: "/doc.txt" },
    DEMO,
    new Date(),
  );
  const wire = toWire(signed);
  const client = new RawClient("127.0.0.1", port);
  try {
    const response = await client.send({
      ...wire,
      target: `http://beta.localhost:${port}/doc.txt`,
    });
    const body = decoder.decode(response.body);
    assert.ok(
      !body.includes("beta's doc"),
      `Beta's object was read with alpha's signature: ${body}`,
    );
  } finally {
    client.close();
  }
});

Deno.test("a presigned URL dated ten years ahead is refused, one inside the clock skew is not", async (t) => {
  await using server = await testServer();
  const port = server.port;
  await privateBuckets(port);
  const host = `127.0.0.1:${port}`;
  const request: RawRequest = { method: "GET", host, path: "/secret/key" };
  await t.step("ten years ahead: 403 AccessDenied, Request is not valid yet", async () => {
    const ahead = new Date(Date.now() + 10 * 365 * 86_400_000);
    const response = await send(port, await presignV4(request, DEMO, ahead, 3600));
    const body = decoder.decode(response.body);
    assert.equal(response.status, 403, body);
    assert.equal(errorCode(response.body), "AccessDenied", body);
    assert.match(body, /Request is not valid yet/);
    assert.ok(!body.includes(SECRET_BYTES));
  });
  await t.step("five minutes ahead (a client clock a little fast) is accepted", async () => {
    const ahead = new Date(Date.now() + 5 * 60_000);
    const response = await send(port, await presignV4(request, DEMO, ahead, 3600));
    assert.equal(response.status, 200, decoder.decode(response.body));
  });
});
