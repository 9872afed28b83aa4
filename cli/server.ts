/**
 * `deno task server`: runs the embedded S3-compatible server until Ctrl-C and prints its
 * endpoint and the demo credentials.
 *
 * @example Usage
 * ```sh
 * deno task server --port 9000 --data ./s3-data
 * ```
 *
 * @module
 */

import { startServer } from "../server/mod.ts";
import { parseCommandLine, reportError, UsageError } from "./usage.ts";

/** The port `deno task server` listens on unless told otherwise. */
export const DEFAULT_PORT = 9000;

const HELP = `Usage: deno task server [options]

Runs a local S3-compatible server (behaving like Ceph RGW, which DreamObjects runs).

Options:
  --port N       TCP port to listen on, 0 for any free port (default ${DEFAULT_PORT})
  --host ADDR    Interface to bind (default 127.0.0.1)
  --data DIR     Keep buckets and objects in DIR, surviving restarts (default: in memory)
  --region NAME  Region reported by GetBucketLocation (default us-east-1)
  --quiet        Do not log requests
  -h, --help     Show this help

Virtual-host addressing works with Host: <bucket>.localhost:<port>.`;

/** Why `--data DIR` cannot be used (an existing file, not a folder), or undefined when it can. */
async function dataDirProblem(dir: string): Promise<string | undefined> {
  try {
    const info = await Deno.stat(dir);
    if (!info.isDirectory) {
      return "it is a file, not a directory; give a directory (it is created if missing)";
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    if (error instanceof Deno.errors.PermissionDenied) {
      return "permission denied; give a directory you can write to";
    }
  }
  return undefined;
}

const SERVER_FLAGS = {
  port: { type: "string" },
  host: { type: "string" },
  data: { type: "string" },
  region: { type: "string" },
  quiet: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

/**
 * Runs the CLI.
 *
 * @param args Command-line arguments.
 * @returns The process exit code (only returned on failure; success runs until Ctrl-C).
 */
export async function main(args: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseCommandLine("server", args, { options: SERVER_FLAGS }));
  } catch (error) {
    return reportError(error);
  }
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const port = values.port === undefined ? DEFAULT_PORT : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    return reportError(
      new UsageError(
        "server",
        `Cannot listen on port "${values.port}": use a number from 0 to 65535`,
      ),
    );
  }
  if (values.data !== undefined) {
    const problem = await dataDirProblem(values.data);
    if (problem) {
      console.error(`Cannot use --data "${values.data}": ${problem}`);
      return 1;
    }
  }
  let server;
  try {
    server = await startServer({
      port,
      hostname: values.host,
      dataDir: values.data,
      region: values.region,
      quiet: values.quiet,
      logRequests: !values.quiet,
    });
  } catch (error) {
    const where = `${values.host ?? "127.0.0.1"}:${port}`;
    if (error instanceof Deno.errors.AddrInUse) {
      console.error(`Cannot listen on ${where}: the port is in use; pick another with --port`);
    } else if (error instanceof Deno.errors.PermissionDenied) {
      console.error(`Cannot start the server: ${(error as Error).message}`);
    } else if (/lookup address|name or service not known|name resolution/i.test(String(error))) {
      console.error(
        `Cannot start the server on ${where}: the host "${values.host}" does not resolve; ` +
          "give --host an IP address such as 127.0.0.1 or a name that resolves",
      );
    } else {
      console.error(`Cannot start the server on ${where}: ${(error as Error).message}`);
    }
    return 1;
  }
  console.log(`S3 endpoint:  ${server.url}`);
  console.log(`Storage:      ${values.data ? `directory "${values.data}"` : "in memory"}`);
  console.log("Demo users (local, throwaway credentials):");
  for (const user of server.users) {
    console.log(
      `  ${
        user.displayName.padEnd(12)
      } access key ${user.accessKeyId}  secret ${user.secretAccessKey}`,
    );
  }
  console.log(
    "Path style: <endpoint>/<bucket>/<key>; virtual host: <bucket>.localhost:" +
      server.port,
  );
  console.log("Press Ctrl-C to stop.");
  await new Promise<void>((resolve) => {
    Deno.addSignalListener("SIGINT", () => resolve());
    if (Deno.build.os !== "windows") Deno.addSignalListener("SIGTERM", () => resolve());
  });
  await server.close();
  console.log("Stopped.");
  return 0;
}

if (import.meta.main) {
  const code = await main(Deno.args);
  if (code !== 0) Deno.exit(code);
}
