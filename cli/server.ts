/**
 * `deno task server`: runs the embedded S3-compatible server until Ctrl-C and prints where it
 * listens and who may sign in: the demo users (whose keys the README publishes, so only on a
 * loopback address unless `--allow-demo-keys-on-network`), or one's own users from `--user`,
 * `--users-file` or `S3_SERVER_USERS`, whose secrets are never printed.
 *
 * @example Usage
 * ```sh
 * deno task server --port 9000 --data ./s3-data
 * deno task server --host 0.0.0.0 --user alice:ALICEACCESSKEY:$(openssl rand -hex 20)
 * ```
 *
 * @module
 */

import { lookup } from "node:dns/promises";
import { type EmulationName, emulationProfile } from "../server/emulation.ts";
import { type ServerOptions, startServer } from "../server/mod.ts";
import { describeRule, type FaultSpec, parseFaults } from "../server/faults.ts";
import type { ServerUser } from "../server/types.ts";
import { DEMO_USERS, isLoopbackAddress } from "../server/demo_users.ts";
import { loadServerUsers, MIN_SECRET_LENGTH, USERS_ENV } from "./server_users.ts";
import { parseCommandLine, reportError, UsageError } from "./usage.ts";

/** The port `deno task server` listens on unless told otherwise. */
export const DEFAULT_PORT = 9000;

/** The interface `deno task server` binds unless told otherwise. */
export const DEFAULT_HOST = "127.0.0.1";

const HELP = `Usage: deno task server [options]

Runs a local S3-compatible server, behaving like Ceph RGW (what DreamObjects US-East 1 runs) or,
with --emulate us-east-5, like DreamObjects US-East 5.

Options:
  --port N                   TCP port to listen on, 0 for any free port (default ${DEFAULT_PORT})
  --host ADDR                Interface to bind (default ${DEFAULT_HOST}; 0.0.0.0 for all)
  --data DIR                 Keep buckets and objects in DIR, surviving restarts (default: in memory)
  --region NAME              Region reported by GetBucketLocation (default us-east-1;
                             us-east-005 with --emulate us-east-5)
  --emulate NAME             Behave like rgw (Ceph RGW, default) or us-east-5 (DreamObjects
                             US-East 5: V4 only, bucket-level permissions, its bucket names)
  --user NAME:ACCESS_KEY:SECRET
                             A user with your own keys, instead of the demo users (repeatable)
  --users-file FILE          Users from FILE: one NAME:ACCESS_KEY:SECRET per line, # comments
  --cors-origin ORIGIN       Let a web app at ORIGIN (e.g. http://localhost:5173; one * allowed,
                             or * for any) call every bucket that has no CORS rules of its own:
                             any method and header, ETag exposed (repeatable)
  --cors-file FILE           Default CORS rules from FILE, a CORSConfiguration XML document (as
                             aws s3api put-bucket-cors takes), for buckets without their own
  --allow-demo-keys-on-network
                             Serve the demo keys on a --host other than loopback anyway
  --faults SPEC              Misbehave on purpose, to test retries: rules separated by commas,
                             KIND[=SECONDS][@OPERATION][:COUNT|:PERCENT%], KIND one of
                             slowdown (503 SlowDown), error (500 InternalError),
                             delay=SECONDS (hold the request), drop (close the connection
                             mid-answer); :COUNT = the next COUNT requests (default 1),
                             :PERCENT% = that share, drawn from seed=N (default 1).
                             E.g. slowdown@PutObject:2,drop@GetObject,error:10%,seed=42
  --head-timeout SECONDS     Time to send a request head, then 408 and close (default 60)
  --body-timeout SECONDS     Time a request body may send nothing, then the upload fails
                             and the connection closes (default 60)
  --idle-timeout SECONDS     Time a keep-alive connection may wait for its next request
                             (default 75)
  --send-timeout SECONDS     Time an answer may wait for the client to read more of it,
                             then the connection closes (default 60)
  --max-connections N        Open connections at most; more wait until one ends (default 1024)
  --quiet                    Do not log requests
  -h, --help                 Show this help

Users: --user, --users-file and the ${USERS_ENV} variable (entries separated by commas or
newlines) add up; with any of them the demo users are not loaded. A secret has at least
${MIN_SECRET_LENGTH} characters (e.g. openssl rand -hex 20) and is never printed. Without them the
server has the demo users, whose keys are published in the README: it then listens only on a
loopback address (127.0.0.0/8, ::1, localhost) unless --allow-demo-keys-on-network is given.

Virtual-host addressing works with Host: <bucket>.localhost:<port>.`;

const SERVER_FLAGS = {
  "port": { type: "string" },
  "host": { type: "string" },
  "data": { type: "string" },
  "region": { type: "string" },
  "emulate": { type: "string" },
  "user": { type: "string", multiple: true },
  "users-file": { type: "string" },
  "cors-origin": { type: "string", multiple: true },
  "cors-file": { type: "string" },
  "allow-demo-keys-on-network": { type: "boolean" },
  "faults": { type: "string" },
  "head-timeout": { type: "string" },
  "body-timeout": { type: "string" },
  "idle-timeout": { type: "string" },
  "send-timeout": { type: "string" },
  "max-connections": { type: "string" },
  "quiet": { type: "boolean" },
  "help": { type: "boolean", short: "h" },
} as const;

/** Whether an IP address is a loopback one (moved to the server, which checks it too). */
export { isLoopbackAddress };

/** Whether an address means every interface. */
function isWildcard(address: string): boolean {
  return address === "0.0.0.0" || /^(0{0,4}:){2,7}0{0,4}$/.test(address) || address === "::";
}

/** A `--*-timeout` flag's seconds (fractions allowed), `undefined` when absent. */
function secondsFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n <= 0) {
    throw new UsageError(
      "server",
      `Cannot use --${name} "${value}": give a number of seconds over 0`,
    );
  }
  return n;
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
 * `S3_SERVER_USERS`, read only when the permission is granted (`deno task server` grants it), so
 * a plain `deno run` without `--allow-env` does not stop at a prompt.
 */
function usersFromEnv(): string | undefined {
  const { state } = Deno.permissions.querySync({ name: "env", variable: USERS_ENV });
  return state === "granted" ? Deno.env.get(USERS_ENV) : undefined;
}

/**
 * The addresses a `--host` resolves to, as the system resolver gives them (hosts file included).
 *
 * @throws {Error} A one-line message when the name does not resolve.
 */
async function resolveHost(host: string, port: number): Promise<string[]> {
  try {
    return (await lookup(host, { all: true })).map((a) => a.address);
  } catch {
    throw new Error(
      `Cannot start the server on ${host}:${port}: the host "${host}" does not resolve; ` +
        `give --host an IP address such as ${DEFAULT_HOST} or a name that resolves`,
    );
  }
}

/** The refusal to serve the published demo keys beyond this machine. */
function demoKeysRefusal(where: string): UsageError {
  return new UsageError(
    "server",
    `Cannot serve the demo keys on ${where}: their secrets are published in the README, so ` +
      "anyone on the network could use them; pass --user NAME:ACCESS_KEY:SECRET (or " +
      `--users-file, ${USERS_ENV}), or --allow-demo-keys-on-network to accept that`,
  );
}

/** `0.0.0.0 (all interfaces)`, `192.168.1.5`, `"myhost" (192.168.1.5)`. */
function describeHost(host: string, addresses: readonly string[]): string {
  if (addresses.length === 1 && isWildcard(addresses[0])) return `${host} (all interfaces)`;
  return addresses.length === 1 && addresses[0] === host
    ? host
    : `"${host}" (${addresses.join(", ")})`;
}

/** The lines that say where the server listens and how to reach it. */
function endpointLines(hostname: string, port: number, url: string): string[] {
  if (!isWildcard(hostname)) return [`S3 endpoint:  ${url}`];
  const shown = hostname.includes(":") ? `[${hostname}]` : hostname;
  return [
    `Listening:    ${shown}:${port} (all interfaces)`,
    `S3 endpoint:  ${url} from this machine; from others, http://<this machine's address>:${port}`,
  ];
}

/** The lines that say who may sign in; a secret only for the demo users, which are public. */
function userLines(users: readonly ServerUser[], demo: boolean): string[] {
  if (demo) {
    return [
      "Demo users (local, throwaway credentials published in the README):",
      ...users.map((u) =>
        `  ${u.displayName.padEnd(12)} access key ${u.accessKeyId}  secret ${u.secretAccessKey}`
      ),
    ];
  }
  return [
    "Users (your keys; secrets not shown):",
    ...users.map((u) => `  ${u.displayName.padEnd(12)} access key ${u.accessKeyId}`),
  ];
}

/**
 * Runs the CLI.
 *
 * @param args Command-line arguments.
 * @returns The process exit code: 2 for a usage mistake (including the demo keys on a network
 *   address), 1 when the server cannot start, 0 after Ctrl-C or SIGTERM.
 */
export async function main(args: string[]): Promise<number> {
  try {
    const { values } = parseCommandLine("server", args, { options: SERVER_FLAGS });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    const port = values.port === undefined ? DEFAULT_PORT : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new UsageError(
        "server",
        `Cannot listen on port "${values.port}": use a number from 0 to 65535`,
      );
    }
    let emulation;
    try {
      emulation = emulationProfile(values.emulate ?? "rgw");
    } catch (error) {
      throw new UsageError("server", (error as Error).message);
    }
    let faults: FaultSpec | undefined;
    try {
      faults = values.faults === undefined ? undefined : parseFaults(values.faults);
    } catch (error) {
      throw new UsageError("server", (error as Error).message);
    }
    const limits = {
      headTimeout: secondsFlag("head-timeout", values["head-timeout"]),
      bodyTimeout: secondsFlag("body-timeout", values["body-timeout"]),
      idleTimeout: secondsFlag("idle-timeout", values["idle-timeout"]),
      sendTimeout: secondsFlag("send-timeout", values["send-timeout"]),
      maxConnections: values["max-connections"] === undefined
        ? undefined
        : Number(values["max-connections"]),
    };
    if (
      limits.maxConnections !== undefined &&
      (!Number.isInteger(limits.maxConnections) || limits.maxConnections < 1)
    ) {
      throw new UsageError(
        "server",
        `Cannot use --max-connections "${values["max-connections"]}": give a whole number from 1`,
      );
    }
    const ownUsers = await loadServerUsers({
      flags: values.user,
      env: usersFromEnv(),
      file: values["users-file"],
    });
    if (values.data !== undefined) {
      const problem = await dataDirProblem(values.data);
      if (problem) throw new Error(`Cannot use --data "${values.data}": ${problem}`);
    }
    const corsOrigins = values["cors-origin"] ?? [];
    for (const origin of corsOrigins) {
      if (origin !== "*" && (!/^https?:\/\/[^/]+$/.test(origin) || origin.split("*").length > 2)) {
        throw new UsageError(
          "server",
          `Cannot allow --cors-origin "${origin}": give a scheme and host (and port) with at ` +
            "most one *, e.g. http://localhost:5173, or * for any origin",
        );
      }
    }
    let corsXml: string | undefined;
    if (values["cors-file"] !== undefined) {
      try {
        corsXml = await Deno.readTextFile(values["cors-file"]);
      } catch (error) {
        throw new Error(
          `Cannot read --cors-file "${values["cors-file"]}": ${(error as Error).message}`,
        );
      }
    }
    const host = (values.host ?? DEFAULT_HOST).replace(/^\[(.*)\]$/, "$1");
    const demo = ownUsers === undefined;
    const allowDemo = values["allow-demo-keys-on-network"] ?? false;
    const addresses = await resolveHost(host, port);
    if (demo && !addresses.every(isLoopbackAddress)) {
      const where = describeHost(host, addresses);
      if (!allowDemo) throw demoKeysRefusal(where);
      console.error(
        `Warning: serving the demo keys on ${where}; their secrets are published in the ` +
          "README, so anyone who can reach this machine may read, write and delete its buckets",
      );
    }
    return await serve({
      port,
      host,
      dataDir: values.data,
      region: values.region,
      emulate: emulation.name,
      quiet: values.quiet ?? false,
      faults,
      limits,
      users: ownUsers,
      allowDemo,
      corsOrigins,
      corsXml,
    });
  } catch (error) {
    return reportError(error);
  }
}

/** Starts the server, prints where and who, and waits for Ctrl-C or SIGTERM. */
async function serve(settings: {
  port: number;
  host: string;
  dataDir?: string;
  region?: string;
  emulate: EmulationName;
  quiet: boolean;
  faults?: FaultSpec;
  limits: Pick<
    ServerOptions,
    "headTimeout" | "bodyTimeout" | "idleTimeout" | "sendTimeout" | "maxConnections"
  >;
  users?: ServerUser[];
  allowDemo: boolean;
  corsOrigins: string[];
  corsXml?: string;
}): Promise<number> {
  const { port, host } = settings;
  let server;
  try {
    server = await startServer({
      port,
      hostname: host,
      dataDir: settings.dataDir,
      region: settings.region,
      emulate: settings.emulate,
      users: settings.users ?? DEMO_USERS,
      quiet: settings.quiet,
      logRequests: !settings.quiet,
      corsOrigins: settings.corsOrigins,
      corsXml: settings.corsXml,
      faults: settings.faults,
      allowDemoKeysOnNetwork: settings.allowDemo,
      ...settings.limits,
    });
  } catch (error) {
    const where = `${host}:${port}`;
    if (error instanceof Deno.errors.AddrInUse) {
      throw new Error(`Cannot listen on ${where}: the port is in use; pick another with --port`);
    }
    if (error instanceof Deno.errors.AddrNotAvailable) {
      throw new Error(
        `Cannot listen on ${where}: no interface of this machine has that address; give --host ` +
          `one of its addresses, ${DEFAULT_HOST} or 0.0.0.0`,
      );
    }
    if (error instanceof Deno.errors.PermissionDenied) {
      throw new Error(`Cannot start the server: ${(error as Error).message}`);
    }
    throw new Error(`Cannot start the server on ${where}: ${(error as Error).message}`);
  }
  // Checked again on the address really bound, in case the name resolved differently.
  if (settings.users === undefined && !settings.allowDemo && !isLoopbackAddress(server.hostname)) {
    await server.close();
    throw demoKeysRefusal(describeHost(host, [server.hostname]));
  }
  for (const line of endpointLines(server.hostname, server.port, server.url)) console.log(line);
  console.log(
    `Storage:      ${settings.dataDir ? `directory "${settings.dataDir}"` : "in memory"}`,
  );
  console.log(
    `Behaves like: ${emulationProfile(settings.emulate).describes} (--emulate ${settings.emulate})`,
  );
  if (settings.corsOrigins.length > 0) {
    console.log(`CORS:         buckets without rules let in ${settings.corsOrigins.join(", ")}`);
  }
  if (settings.corsXml !== undefined) {
    console.log("CORS:         buckets without rules follow the rules of --cors-file");
  }
  for (const line of userLines(server.users, settings.users === undefined)) console.log(line);
  if (settings.faults) {
    console.log(
      `Faults:       ${
        settings.faults.rules.map(describeRule).join(", ")
      } (seed ${settings.faults.seed}): ` +
        "requests fail on purpose",
    );
  }
  console.log(
    `Path style: <endpoint>/<bucket>/<key>; virtual host: <bucket>.localhost:${server.port}`,
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
