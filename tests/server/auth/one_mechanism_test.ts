/**
 * A request carries one kind of credentials: an `Authorization` header together with a signed
 * query string (SigV4 presigned or SigV2 query) is refused, 403 `AccessDenied` as RGW answers,
 * even when the header's signature covers the query (so that no other check refuses it).
 *
 * @module
 */

import assert from "node:assert/strict";
import { DEMO_USERS } from "../../../server/demo_users.ts";
import { RawClient, toWire } from "../../support/raw_http.ts";
import { signV4 } from "../../support/signing.ts";
import { testServer } from "../../support/server.ts";

const decoder = new TextDecoder();

const SIGNED_QUERIES: Record<string, Record<string, string>> = {
  "SigV2 query": { AWSAccessKeyId: "OTHERACCESSKEY", Expires: "4102444800", Signature: "x" },
  "SigV4 presigned": {
    "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
    "X-Amz-Credential": "OTHERACCESSKEY/20260101/us-east-1/s3/aws4_request",
    "X-Amz-Signature": "00",
  },
};

Deno.test("an Authorization header with a signed query string is 403 AccessDenied", async (t) => {
  await using server = await testServer();
  const host = `127.0.0.1:${server.port}`;
  const send = async (query: Record<string, string>) => {
    const client = new RawClient("127.0.0.1", server.port);
    try {
      return await client.send(
        toWire(await signV4({ method: "GET", host, path: "/", query }, DEMO_USERS[0], new Date())),
      );
    } finally {
      client.close();
    }
  };
  assert.equal((await send({})).status, 200, "the header-signed request alone is served");
  for (const [what, query] of Object.entries(SIGNED_QUERIES)) {
    await t.step(`header-signed, with a ${what} signed in too`, async () => {
      const response = await send(query);
      const body = decoder.decode(response.body);
      assert.equal(response.status, 403, `served with two kinds of credentials: ${body}`);
      assert.match(body, /<Code>AccessDenied<\/Code>/);
      assert.match(body, /Only one auth mechanism allowed/);
    });
  }
});
