/**
 * `response-*` query overrides on GetObject: who may use them and what values they may carry.
 * An anonymous reader of a public object must not choose how the server labels it (a link with
 * `?response-content-type=text/html` would turn anyone's public text into a page of this origin),
 * and a value that cannot be a header is a 400, not an internal error.
 *
 * @module
 */

import assert from "node:assert/strict";
import { DEMO_USERS } from "../../server/demo_users.ts";
import { RawClient, type RawResponse, toWire, type WireRequest } from "../support/raw_http.ts";
import { type RawRequest, signV4 } from "../support/signing.ts";
import { testServer } from "../support/server.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

async function once(port: number, request: WireRequest): Promise<RawResponse> {
  const client = new RawClient("127.0.0.1", port);
  try {
    return await client.send(request);
  } finally {
    client.close();
  }
}

async function signed(port: number, request: Omit<RawRequest, "host">): Promise<WireRequest> {
  return toWire(
    await signV4({ ...request, host: `127.0.0.1:${port}` }, DEMO_USERS[0], new Date()),
  );
}

function code(response: RawResponse): string {
  return /<Code>([^<]+)<\/Code>/.exec(decoder.decode(response.body))?.[1] ?? "";
}

Deno.test("response-* overrides: refused to anonymous readers, checked for header-safe values", async (t) => {
  await using server = await testServer();
  const { port } = server;
  const host = `127.0.0.1:${port}`;
  const put = (path: string, body = "") =>
    signed(port, {
      method: "PUT",
      path,
      headers: { "x-amz-acl": "public-read" },
      body: encoder.encode(body),
    });
  assert.equal((await once(port, await put("/overrides"))).status, 200);
  const page = "<script>document.title='owned'</script>";
  assert.equal((await once(port, await put("/overrides/note.txt", page))).status, 200);

  await t.step("an anonymous GET of a public object is served as stored", async () => {
    const response = await once(port, {
      method: "GET",
      target: "/overrides/note.txt",
      headers: [["host", host]],
    });
    assert.equal(response.status, 200);
    assert.equal(decoder.decode(response.body), page);
  });

  for (const method of ["GET", "HEAD"]) {
    await t.step(
      `an anonymous ${method} with response-content-type is 400 InvalidRequest`,
      async () => {
        const response = await once(port, {
          method,
          target: "/overrides/note.txt?response-content-type=text%2Fhtml",
          headers: [["host", host]],
        });
        assert.equal(response.status, 400, "an anonymous link relabelled a public object");
        assert.notEqual(response.headers.get("content-type"), "text/html");
        if (method === "GET") assert.equal(code(response), "InvalidRequest");
      },
    );
  }

  await t.step("the owner, signed, may still override", async () => {
    const response = await once(
      port,
      await signed(port, {
        method: "GET",
        path: "/overrides/note.txt",
        query: { "response-content-type": "text/plain; charset=utf-8" },
      }),
    );
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "text/plain; charset=utf-8");
  });

  for (const value of ["a\r\nSet-Cookie: x=1", "a\nb", "a\u0000b", "caf\u00e9\u4e2d"]) {
    await t.step(`a response-content-disposition of ${JSON.stringify(value)} is 400`, async () => {
      const response = await once(
        port,
        await signed(port, {
          method: "GET",
          path: "/overrides/note.txt",
          query: { "response-content-disposition": value },
        }),
      );
      assert.equal(response.status, 400, "a value that cannot be a header was not refused");
      assert.equal(code(response), "InvalidArgument");
      assert.equal(response.headers.get("set-cookie"), null);
    });
  }
});
