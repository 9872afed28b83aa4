/**
 * Which real engines the test run has. Ceph RGW is reached through `RGW_ENDPOINT` (set by
 * `.ci/run` after `tests/engines/ceph.sh start`); its users are the demo key pairs.
 *
 * On a developer machine without RGW its tests are skipped with a visible message; with
 * `CI=true` a missing engine fails the run instead.
 *
 * @module
 */

/** The RGW endpoint, e.g. `http://127.0.0.1:7480`, when the run has one. */
export const RGW_ENDPOINT: string | undefined = Deno.env.get("RGW_ENDPOINT") || undefined;

/** True when running in CI, where every engine is required. */
export const IN_CI: boolean = Deno.env.get("CI") === "true";

let warned = false;

/**
 * Registers a test that needs Ceph RGW: skipped with a message on a machine without it, failed
 * in CI.
 *
 * @param name The test name.
 * @param fn The test body, given the RGW endpoint.
 */
export function rgwTest(
  name: string,
  fn: (t: Deno.TestContext, endpoint: string) => Promise<void>,
) {
  if (RGW_ENDPOINT) {
    Deno.test(`[rgw] ${name}`, (t) => fn(t, RGW_ENDPOINT!));
  } else if (IN_CI) {
    Deno.test(`[rgw] ${name}`, () => {
      throw new Error(
        "Cannot run an RGW test in CI: RGW_ENDPOINT is not set; .ci/run must start Ceph RGW " +
          "with tests/engines/ceph.sh",
      );
    });
  } else {
    if (!warned) {
      warned = true;
      console.warn(
        "Skipping Ceph RGW tests: set RGW_ENDPOINT (start one with `bash tests/engines/ceph.sh start`)",
      );
    }
    Deno.test({ name: `[rgw] ${name}`, ignore: true, fn: () => {} });
  }
}
