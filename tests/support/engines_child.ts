/**
 * A test module for `tests/e2e/engines_test.ts`, run in a child `deno test` with a chosen
 * environment: one test needs Ceph RGW (present only when the child's `RGW_ENDPOINT` is set), one
 * needs nothing. Not named `_test.ts`, so `deno task test` does not pick it up.
 *
 * @module
 */

import { engineTest, rgwEndpoint } from "./engines.ts";

engineTest("rgw", "the child reaches its RGW endpoint", () => {
  console.log(`endpoint: ${rgwEndpoint()}`);
});

Deno.test("the child runs a test that needs no engine", () => {});
