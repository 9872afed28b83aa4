/**
 * Test helpers for the embedded server: start one on a free port, and S3 clients for it.
 *
 * @module
 */

import { S3Client } from "@aws-sdk/client-s3";
import { type RunningServer, type ServerOptions, startServer } from "../../server/mod.ts";
import { DEMO_USERS } from "../../server/demo_users.ts";
import type { ServerUser } from "../../server/types.ts";

/**
 * Starts an embedded server on port 0 (quiet), for `await using`.
 *
 * @param options Extra server options.
 * @returns The running server.
 */
export function testServer(options: ServerOptions = {}): Promise<RunningServer> {
  return startServer({ port: 0, quiet: true, ...options });
}

/**
 * An AWS SDK v3 client for a server, signed as a user, path style, checksums only when required.
 *
 * @param url The server's endpoint.
 * @param user The user to sign as. @default DEMO_USERS[0]
 * @returns The client.
 */
export function s3Client(url: string, user: ServerUser = DEMO_USERS[0]): S3Client {
  return new S3Client({
    endpoint: url,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey },
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    maxAttempts: 1,
  });
}

/** The other demo user, for ACL checks. */
export const OTHER_USER: ServerUser = DEMO_USERS[1];

/**
 * Reads the status and S3 error code of a rejected SDK call.
 *
 * @param promise The call.
 * @returns Its HTTP status and error name (`UnknownError` when the SDK cannot model it).
 */
export async function s3Failure(
  promise: Promise<unknown>,
): Promise<{ status: number | undefined; code: string }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { name: string; Code?: string; $metadata?: { httpStatusCode?: number } };
    return { status: e.$metadata?.httpStatusCode, code: e.Code ?? e.name };
  }
  throw new Error("Expected the S3 call to fail, but it succeeded");
}

/**
 * The `deno run` arguments of `deno task server` (from deno.json, so tests start the server with
 * exactly the task's permissions and V8 flags), with the config and main module made absolute.
 *
 * @param extra Arguments for the server itself, e.g. `["--port", "0"]`.
 * @returns Arguments for `Deno.execPath()`.
 */
export function serverTaskArgs(extra: string[] = []): string[] {
  const configUrl = new URL("../../deno.json", import.meta.url);
  const config = JSON.parse(Deno.readTextFileSync(configUrl)) as { tasks: { server: string } };
  const [deno, run, ...rest] = config.tasks.server.trim().split(/\s+/);
  if (deno !== "deno" || run !== "run") {
    throw new Error(`Cannot read the server task: expected "deno run ...", got "${deno} ${run}"`);
  }
  const main = new URL("../../cli/server.ts", import.meta.url).pathname;
  const args = rest.map((word) => word === "cli/server.ts" ? main : word);
  return ["run", "--config", configUrl.pathname, ...args, ...extra];
}
