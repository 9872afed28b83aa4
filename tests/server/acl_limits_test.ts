/**
 * An ACL holds at most 100 grants, as on Ceph RGW 16 (`rgw_acl_grants_max_num`) and AWS: more is
 * 400 `LimitExceeded`, whether the grants come as a policy document or as `x-amz-grant-*`
 * headers. Without the cap one request stored thousands of grants on a bucket or an object, and
 * every later permission check walked them.
 *
 * @module
 */

import assert from "node:assert/strict";
import { DEMO_USERS } from "../../server/demo_users.ts";
import { RawClient, type RawResponse, toWire } from "../support/raw_http.ts";
import { type RawRequest, signV4 } from "../support/signing.ts";
import { testServer } from "../support/server.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const GRANT = '<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ' +
  'xsi:type="CanonicalUser"><ID>demo</ID></Grantee><Permission>FULL_CONTROL</Permission></Grant>';

function policy(grants: number): Uint8Array {
  return encoder.encode(
    '<AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Owner><ID>demo</ID>' +
      `</Owner><AccessControlList>${
        GRANT.repeat(grants)
      }</AccessControlList></AccessControlPolicy>`,
  );
}

/** `x-amz-grant-full-control` naming the owner `grants` times. */
function grantHeader(grants: number): Record<string, string> {
  return { "x-amz-grant-full-control": Array(grants).fill('id="demo"').join(", ") };
}

Deno.test("an ACL of more than 100 grants is 400 LimitExceeded, as on RGW 16", async (t) => {
  await using server = await testServer();
  const send = async (request: Omit<RawRequest, "host">): Promise<RawResponse> => {
    const client = new RawClient("127.0.0.1", server.port);
    try {
      const host = `127.0.0.1:${server.port}`;
      return await client.send(
        toWire(await signV4({ ...request, host }, DEMO_USERS[0], new Date())),
      );
    } finally {
      client.close();
    }
  };
  const code = (r: RawResponse) => /<Code>([^<]+)/.exec(decoder.decode(r.body))?.[1];
  const grantCount = async (path: string) => {
    const r = await send({ method: "GET", path, query: { acl: "" } });
    assert.equal(r.status, 200);
    return decoder.decode(r.body).split("<Grant>").length - 1;
  };
  assert.equal((await send({ method: "PUT", path: "/grants" })).status, 200);
  assert.equal(
    (await send({ method: "PUT", path: "/grants/x", body: encoder.encode("x") })).status,
    200,
  );

  for (const path of ["/grants", "/grants/x"]) {
    await t.step(`PutAcl on ${path} with 100 grants is accepted`, async () => {
      const r = await send({ method: "PUT", path, query: { acl: "" }, body: policy(100) });
      assert.equal(r.status, 200);
    });
    for (const grants of [101, 5000]) {
      await t.step(`PutAcl on ${path} with ${grants} grants in XML is refused`, async () => {
        const before = await grantCount(path);
        const r = await send({ method: "PUT", path, query: { acl: "" }, body: policy(grants) });
        assert.equal(r.status, 400, `${grants} grants were stored`);
        assert.equal(code(r), "LimitExceeded");
        assert.equal(await grantCount(path), before);
      });
    }
    await t.step(`PutAcl on ${path} with 101 grants in headers is refused`, async () => {
      const r = await send({ method: "PUT", path, query: { acl: "" }, headers: grantHeader(101) });
      assert.equal(r.status, 400);
      assert.equal(code(r), "LimitExceeded");
    });
  }

  await t.step("PutObject with 101 header grants is refused and stores nothing", async () => {
    const r = await send({
      method: "PUT",
      path: "/grants/y",
      headers: grantHeader(101),
      body: encoder.encode("y"),
    });
    assert.equal(r.status, 400);
    assert.equal(code(r), "LimitExceeded");
    assert.equal((await send({ method: "GET", path: "/grants/y" })).status, 404);
  });

  await t.step("CreateBucket with 101 header grants is refused", async () => {
    const r = await send({ method: "PUT", path: "/grants-two", headers: grantHeader(101) });
    assert.equal(r.status, 400);
    assert.equal(code(r), "LimitExceeded");
  });
});
