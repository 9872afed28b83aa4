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

import { parseArgs } from "node:util";
import { startServer } from "./mod.ts";
// ── --emulate (DreamObjects US-East 5 stand-in) ──────────────────────────────────────────────
import { type EmulationProfile, emulationProfile } from "./emulation.ts";

/** The `--emulate` line of `--help`. */
const EMULATE_HELP =
  "  --emulate NAME Behave like rgw (Ceph RGW, default) or us-east-5 (DreamObjects US-East 5:\n" +
  "                 V4 only, bucket-level permissions, its bucket names, region us-east-005)";

/** Reads `--emulate`, or says in one line why it cannot. */
function emulationFrom(value: string | undefined): EmulationProfile | string {
  try {
    return emulationProfile(value ?? "rgw");
  } catch (error) {
    return (error as Error).message;
  }
}
// ── end of --emulate ─────────────────────────────────────────────────────────────────────────

/** The port `deno task server` listens on unless told otherwise. */
export const DEFAULT_PORT = 9000;

const HELP = `Usage: deno task server [options]

Runs a local S3-compatible server, behaving like Ceph RGW (what DreamObjects US-East 1 runs) or,
with --emulate us-east-5, like DreamObjects US-East 5.

Options:
  --port N       TCP port to listen on, 0 for any free port (default ${DEFAULT_PORT})
  --host ADDR    Interface to bind (default 127.0.0.1)
  --data DIR     Keep buckets and objects in DIR, surviving restarts (default: in memory)
  --region NAME  Region reported by GetBucketLocation (default us-east-1; us-east-005 emulating
                 us-east-5)
${EMULATE_HELP}
  --quiet        Do not log requests
  -h, --help     Show this help

Virtual-host addressing works with Host: <bucket>.localhost:<port>.`;

/**
 * Keeps a negative number with the flag before it (`--port -1` → `--port=-1`), so it is read as
 * the flag's value and refused with the flag's own message instead of as an unknown option.
 */
function joinNegativeNumbers(args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (/^--[a-z]+$/.test(args[i]) && /^-\d/.test(args[i + 1] ?? "")) {
      out.push(`${args[i]}=${args[++i]}`);
    } else out.push(args[i]);
  }
  return out;
}

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

/**
 * Runs the CLI.
 *
 * @param args Command-line arguments.
 * @returns The process exit code (only returned on failure; success runs until Ctrl-C).
 */
export async function main(args: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: joinNegativeNumbers(args),
      options: {
        port: { type: "string" },
        host: { type: "string" },
        data: { type: "string" },
        region: { type: "string" },
        emulate: { type: "string" },
        quiet: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    // Node's message runs over several lines; its first sentence says what is wrong.
    const first = (error as Error).message.split("\n")[0].replace(/\.$/, "");
    console.error(`${first}; see --help`);
    return 2;
  }
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const port = values.port === undefined ? DEFAULT_PORT : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`Cannot listen on port "${values.port}": use a number from 0 to 65535`);
    return 2;
  }
  const emulation = emulationFrom(values.emulate);
  if (typeof emulation === "string") {
    console.error(`${emulation}; see --help`);
    return 2;
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
      emulate: emulation.name,
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
  console.log(`Behaves like: ${emulation.describes} (--emulate ${emulation.name})`);
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
