/**
 * How to connect, without connecting: the options `connect()` takes, and what they resolve to
 * (target, cluster, region, endpoint, addressing, keys or profile). Loads neither the AWS SDK nor
 * the embedded server, so a command can decide how to connect before paying for either
 * (`deno task cp` downloads through the lean client without loading the SDK).
 *
 * @module
 */

import {
  CLUSTER_IDS,
  type ClusterFacts,
  type ClusterId,
  CLUSTERS,
  DEFAULT_CLUSTER,
  isClusterId,
  RGW,
} from "./clusters.ts";
import type { Traffic } from "./traffic.ts";

/**
 * What the embedded server can behave like: `rgw` (Ceph RGW, the default) or `us-east-5`
 * (DreamObjects US-East 5's documented rules, an offline stand-in for it).
 */
export type Emulation = "rgw" | "us-east-5";

/** The values {@linkcode ConnectOptions.emulate} accepts. */
export const EMULATIONS: readonly Emulation[] = ["rgw", "us-east-5"];

/** Where a connection goes. */
export type Target = "embedded" | "dreamobjects" | "aws" | "endpoint";

/** How to connect. Without `endpoint`, `dreamobjects` or `aws`, the embedded server is used. */
export interface ConnectOptions {
  /**
   * Any S3-compatible endpoint URL, e.g. `http://127.0.0.1:7480`.
   * @default AWS_ENDPOINT_URL_S3, else AWS_ENDPOINT_URL (unless `dreamobjects` or `aws` is set)
   */
  endpoint?: string;
  /**
   * Use DreamObjects: its current cluster, US-East 5 (`https://s3.us-east-005.dream.io`), unless
   * `cluster` names another. (The seed's `objects-us-west-1.dream.io` is no longer served.)
   * @default false
   */
  dreamobjects?: boolean;
  /**
   * Which DreamObjects cluster: `us-east-5` (Backblaze B2 underneath) or `us-east-1` (Ceph RGW);
   * your DreamHost panel shows yours. Alone it means DreamObjects; with `endpoint` it tells what
   * that endpoint behaves like (e.g. `deno task server --emulate us-east-5`).
   * @default DREAMOBJECTS_CLUSTER (for DreamObjects or an endpoint), else "us-east-5" with
   *   `dreamobjects`
   */
  cluster?: ClusterId;
  /**
   * For the embedded server: behave like Ceph RGW (`rgw`) or like DreamObjects US-East 5
   * (`us-east-5`: V4 only, bucket-level permissions, its naming rules, region `us-east-005`).
   * @default "rgw"
   */
  emulate?: Emulation;
  /**
   * For the embedded server: misbehave on purpose, to see retries at work. A fault spec such as
   * `"slowdown@PutObject:2"` (the next two PutObjects answer 503 SlowDown), `"error:10%,seed=7"`,
   * `"delay=30@GetObject"` or `"drop@GetObject"` (see `deno task server --help`).
   * @default no faults
   */
  faults?: string;
  /** Use AWS S3 (the seed's `--use-s3`). @default false */
  aws?: boolean;
  /** Signing region. @default the cluster's (DreamObjects), else AWS_REGION, else "us-east-1" */
  region?: string;
  /**
   * Address buckets in the path (`host/bucket/key`) instead of the host name
   * (`bucket.host/key`). @default true for the embedded server, custom endpoints and
   * DreamObjects US-East 1 (DreamHost prefers it there); false for US-East 5 and AWS
   */
  pathStyle?: boolean;
  /** Access key id. @default AWS_ACCESS_KEY_ID, else the profile, else the demo user's (embedded) */
  accessKeyId?: string;
  /** Secret access key. @default AWS_SECRET_ACCESS_KEY, else the profile */
  secretAccessKey?: string;
  /** Session token for temporary credentials. @default AWS_SESSION_TOKEN */
  sessionToken?: string;
  /** A profile of `~/.aws/credentials` and `~/.aws/config`. @default AWS_PROFILE */
  profile?: string;
  /** Record traffic; pass a `Traffic` to share one trace between connections. @default true */
  trace?: boolean | Traffic;
  /** Attempts per request, retries included. @default 3 */
  maxAttempts?: number;
  /** Milliseconds one request may wait for a connection or an answer; 0 waits forever. @default 0 */
  timeoutMs?: number;
  /** Environment to read `AWS_*` variables from. @default Deno.env */
  env?: { get(name: string): string | undefined };
  /**
   * Show the AWS SDK's own warnings and errors on stderr (prefixed "AWS SDK:"). Without it they
   * are dropped: the library's errors already say what failed, and the SDK would otherwise print
   * warnings such as "An error was encountered in a non-retryable streaming request." above them.
   * @default false
   */
  debug?: boolean;
  /** Where the AWS SDK's log lines go; overrides `debug`. @default dropped, or stderr with `debug` */
  logger?: SdkLogger;
}

/**
 * Where the AWS SDK's log lines go (its `Logger`, `S3ClientConfig.logger`): one method per level.
 * `console` is one.
 */
export interface SdkLogger {
  /** Finest detail. */
  trace?(...content: unknown[]): void;
  /** Detail for debugging (e.g. where each setting was looked up). */
  debug(...content: unknown[]): void;
  /** One entry per command: its input and output, sensitive fields filtered. */
  info(...content: unknown[]): void;
  /** Something went wrong but the SDK carries on or rethrows. */
  warn(...content: unknown[]): void;
  /** A failure. */
  error(...content: unknown[]): void;
}

function parseEndpoint(endpoint: string): URL {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new TypeError(
      `Cannot connect to "${endpoint}": it is not a URL; give one like "http://127.0.0.1:7480"`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new TypeError(
      `Cannot connect to "${endpoint}": the scheme must be http or https, got "${url.protocol}"`,
    );
  }
  return url;
}

/** Fixed keys: given, or read from the environment. */
export interface Keys {
  /** Access key id. */
  accessKeyId: string;
  /** Secret access key. */
  secretAccessKey: string;
  /** Session token of temporary credentials. */
  sessionToken?: string;
}

/** What {@linkcode ConnectOptions} resolve to. */
export interface ResolvedConnection {
  /** Where the connection goes. */
  target: Target;
  /** What the service is like. */
  cluster: ClusterFacts;
  /** Signing region. */
  region: string;
  /** Endpoint URL without a trailing slash; undefined for the embedded server (not started yet). */
  endpoint?: string;
  /** Whether buckets are addressed in the path. */
  pathStyle: boolean;
  /** Fixed keys; undefined for the embedded server's demo user, a profile or the SDK's chain. */
  keys?: Keys;
  /** The profile to read keys from, when no fixed keys were found. */
  profile?: string;
}

/**
 * Resolves connection options: checks them, then applies the environment (`AWS_ENDPOINT_URL_S3`,
 * `AWS_ENDPOINT_URL`, `DREAMOBJECTS_CLUSTER`, `AWS_REGION`, `AWS_ACCESS_KEY_ID`...) and the
 * defaults, as `connect()` does.
 *
 * @param options How to connect.
 * @returns Where and how the connection goes.
 * @throws {TypeError} When the options conflict, name an unknown cluster or emulation, or the
 *   endpoint is not an http(s) URL.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveConnectOptions } from "./connect_options.ts";
 *
 * const env = new Map<string, string>();
 * const resolved = resolveConnectOptions({ cluster: "us-east-1", env });
 * assert.equal(resolved.endpoint, "https://objects-us-east-1.dream.io");
 * assert.equal(resolved.pathStyle, true);
 * ```
 */
export function resolveConnectOptions(options: ConnectOptions = {}): ResolvedConnection {
  const env = options.env ?? Deno.env;
  if (options.cluster !== undefined && !isClusterId(options.cluster)) {
    throw new TypeError(
      `Cannot connect to cluster "${options.cluster}": use ${
        CLUSTER_IDS.map((c) => `"${c}"`).join(" or ")
      } (your DreamHost panel shows which)`,
    );
  }
  if (options.emulate !== undefined && !EMULATIONS.includes(options.emulate)) {
    throw new TypeError(
      `Cannot emulate "${options.emulate}": use ${EMULATIONS.map((e) => `"${e}"`).join(" or ")}`,
    );
  }
  if (options.cluster && !options.endpoint && !options.aws) {
    options = { ...options, dreamobjects: true };
  }
  if (!options.endpoint && !options.dreamobjects && !options.aws && !options.emulate) {
    const fromEnv = env.get("AWS_ENDPOINT_URL_S3") || env.get("AWS_ENDPOINT_URL");
    if (fromEnv) options = { ...options, endpoint: fromEnv };
  }
  // DREAMOBJECTS_CLUSTER tells which cluster DreamObjects or an endpoint is, as AWS_ENDPOINT_URL
  // tells where; it never changes where the connection goes.
  const clusterFromEnv = env.get("DREAMOBJECTS_CLUSTER");
  if (!options.cluster && clusterFromEnv && (options.dreamobjects || options.endpoint)) {
    if (!isClusterId(clusterFromEnv)) {
      throw new TypeError(
        `Cannot connect to cluster "${clusterFromEnv}" (DREAMOBJECTS_CLUSTER): use ${
          CLUSTER_IDS.map((c) => `"${c}"`).join(" or ")
        }`,
      );
    }
    options = { ...options, cluster: clusterFromEnv };
  }
  const chosen = [options.endpoint, options.dreamobjects, options.aws, options.emulate]
    .filter(Boolean).length;
  if (chosen > 1) {
    throw new TypeError(
      "Cannot connect: choose one of an endpoint, DreamObjects, AWS S3 or an emulation, got " +
        "several",
    );
  }
  const target: Target = options.endpoint
    ? "endpoint"
    : options.dreamobjects
    ? "dreamobjects"
    : options.aws
    ? "aws"
    : "embedded";
  if (options.faults !== undefined && target !== "embedded") {
    throw new TypeError(
      `Cannot inject faults "${options.faults}" into a ${target}: faults are the embedded ` +
        "server's; connect without an endpoint, or start deno task server --faults",
    );
  }
  // What the service is like. A DreamObjects cluster signs with its own region (us-east-005 on
  // US-East 5), whatever AWS_REGION says for other services.
  const cluster: ClusterFacts = options.emulate === "us-east-5"
    ? CLUSTERS["us-east-5"]
    : options.cluster
    ? CLUSTERS[options.cluster]
    : target === "dreamobjects"
    ? CLUSTERS[DEFAULT_CLUSTER]
    : RGW;
  const region = options.region ??
    (cluster !== RGW
      ? cluster.region
      : env.get("AWS_REGION") ?? env.get("AWS_DEFAULT_REGION") ?? "us-east-1");
  if (Boolean(options.accessKeyId) !== Boolean(options.secretAccessKey)) {
    throw new TypeError(
      "Cannot connect: give both an access key and a secret key (--access-key and --secret-key)",
    );
  }
  // Keys: options, then an explicit profile, then the environment, then AWS_PROFILE / the SDK's
  // default chain. The embedded server knows only its own users, so it ignores the environment.
  let keys: Keys | undefined;
  let profile: string | undefined;
  if (options.accessKeyId && options.secretAccessKey) {
    keys = {
      accessKeyId: options.accessKeyId,
      secretAccessKey: options.secretAccessKey,
      sessionToken: options.sessionToken,
    };
  } else if (target === "embedded") {
    // the demo user's keys, once the server is loaded (connect())
  } else if (options.profile) {
    profile = options.profile;
  } else if (env.get("AWS_ACCESS_KEY_ID") && env.get("AWS_SECRET_ACCESS_KEY")) {
    keys = {
      accessKeyId: env.get("AWS_ACCESS_KEY_ID")!,
      secretAccessKey: env.get("AWS_SECRET_ACCESS_KEY")!,
      sessionToken: options.sessionToken ?? env.get("AWS_SESSION_TOKEN"),
    };
  } else {
    profile = env.get("AWS_PROFILE");
  }

  let endpoint: string | undefined;
  if (target === "dreamobjects") {
    endpoint = cluster.endpoint!;
  } else if (target === "aws") {
    endpoint = `https://s3.${region}.amazonaws.com`;
  } else if (target === "endpoint") {
    endpoint = parseEndpoint(options.endpoint!).href.replace(/\/+$/, "");
  }
  const pathStyle = options.pathStyle ??
    (target === "dreamobjects" ? cluster.addressing === "path" : target !== "aws");
  return { target, cluster, region, endpoint, pathStyle, keys, profile };
}
