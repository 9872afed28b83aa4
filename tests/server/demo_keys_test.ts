/**
 * `startServer()` keeps the published demo keys on loopback, as `deno task server` does: a
 * library caller who binds a network address must give their own users or say they accept it.
 * The addresses used here are from TEST-NET-1 (RFC 5737), which no interface of this machine has,
 * so nothing ever listens beyond loopback: a refusal must come before the bind is tried.
 *
 * @module
 */

import assert from "node:assert/strict";
import { DEMO_USERS, startServer } from "../../server/mod.ts";

const NETWORK = "192.0.2.1";
const OWN = [{
  id: "me",
  displayName: "Me",
  accessKeyId: "MYOWNACCESSKEY",
  secretAccessKey: "my-own-secret-of-some-length",
  email: "me@example.com",
}];

Deno.test("startServer() refuses the demo keys on a network address", async (t) => {
  for (
    const [what, users] of [["by default", undefined], ["given explicitly", DEMO_USERS]] as const
  ) {
    await t.step(`the demo users ${what} on ${NETWORK} are refused before binding`, async () => {
      await assert.rejects(
        startServer({ port: 0, quiet: true, hostname: NETWORK, users }),
        (error: Error) => {
          assert.ok(!(error instanceof Deno.errors.AddrNotAvailable), "it tried to bind");
          assert.match(error.message, /demo keys/);
          assert.match(error.message, /allowDemoKeysOnNetwork/);
          return true;
        },
      );
    });
  }

  await t.step("own users on a network address get as far as the bind", async () => {
    await assert.rejects(
      startServer({ port: 0, quiet: true, hostname: NETWORK, users: OWN }),
      Deno.errors.AddrNotAvailable,
    );
  });

  await t.step("allowDemoKeysOnNetwork gets as far as the bind", async () => {
    await assert.rejects(
      startServer({ port: 0, quiet: true, hostname: NETWORK, allowDemoKeysOnNetwork: true }),
      Deno.errors.AddrNotAvailable,
    );
  });

  await t.step("any loopback address serves the demo keys", async () => {
    for (const hostname of ["127.0.0.1", "127.0.0.2"]) {
      await using server = await startServer({ port: 0, quiet: true, hostname });
      assert.equal(server.hostname, hostname);
    }
  });
});
