/**
 * Connecting: an `S3Client` (AWS SDK v3) for the embedded server (the default, started
 * in-process), DreamObjects, AWS S3 or any S3-compatible endpoint, with keys from options,
 * the environment or a profile, and a traffic trace attached.
 *
 * @module
 */

import { S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";
import { View } from "./display.ts";
import { escapeHtml, paint } from "./display.ts";
import { Traffic } from "./traffic.ts";
import { SplitHttpHandler } from "./_http.ts";
import { LeanClient, setLeanClient } from "./_lean.ts";
import {
  CLUSTER_IDS,
  type ClusterFacts,
  type ClusterId,
  CLUSTERS,
  DEFAULT_CLUSTER,
  isClusterId,
  RGW,
} from "./clusters.ts";
import { noteCluster } from "./errors.ts";

/**
 * What the embedded server can behave like: `rgw` (Ceph RGW, the default) or `us-east-5`
 * (DreamObjects US-East 5's documented rules, an offline stand-in for it).
 */
export type Emulation = "rgw" | "us-east-5";

/** The values {@linkcode ConnectOptions.emulate} accepts. */
export const EMULATIONS: readonly Emulation[] = ["rgw", "us-east-5"];

/**
 * The embedded server a connection started: where it listens, and how to stop it. (The server
 * itself lives in `../server/`, loaded only when a connection needs it.)
 */
export interface EmbeddedServer {
  /** Endpoint, e.g. `http://127.0.0.1:9000`. */
  readonly url: string;
  /** Stops listening and releases its storage. */
  close(): Promise<void>;
}

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

/** Drops every line. (Not the SDK's `NoOpLogger`: with that one, some warnings go to `console`.) */
const SILENT_LOGGER: SdkLogger = {
  trace() {},
  debug() {},
  info() {},
  warn() {},
  error() {},
};

/**
 * Writes the SDK's warnings and errors on stderr, prefixed so they are told apart from the
 * program's own lines; drops its trace, debug and info lines (dozens per request: config lookups,
 * each command's input and output). Pass `logger: console` to see those too.
 */
const STDERR_LOGGER: SdkLogger = {
  trace() {},
  debug() {},
  info() {},
  warn: (...content: unknown[]) => console.error("AWS SDK:", ...content),
  error: (...content: unknown[]) => console.error("AWS SDK:", ...content),
};

/**
 * A connected client: the raw `S3Client` for any SDK command, where it points, its trace, and the
 * embedded server when one was started. Close it when done (or use `await using`).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { ListBucketsCommand } from "@aws-sdk/client-s3";
 * import { connect, createBucket } from "./mod.ts";
 *
 * await using s3 = await connect();
 * await createBucket(s3);
 * const { Buckets } = await s3.client.send(new ListBucketsCommand({}));
 * assert.equal(Buckets?.length, 1);
 * ```
 */
export class Connection extends View {
  /**
   * The AWS SDK's `S3Client`; send it any command.
   *
   * Hidden from `deno doc` only because its linter flags every npm type as private
   * (denoland/deno#27364); it is public API.
   *
   * @ignore
   */
  readonly client: S3Client;
  /** Where the connection goes. */
  readonly target: Target;
  /** Endpoint URL without a trailing slash, e.g. `https://s3.us-east-1.amazonaws.com`. */
  readonly endpoint: string;
  /** Signing region. */
  readonly region: string;
  /**
   * What the service is like (signatures, object ACLs, naming rules...): a DreamObjects cluster,
   * or `RGW` for Ceph RGW, generic endpoints and the embedded server's default.
   */
  readonly cluster: ClusterFacts;
  /** Whether buckets are addressed in the path. */
  readonly pathStyle: boolean;
  /** The access key id in use (not a secret; the secret key is never kept here). */
  readonly accessKeyId: string;
  /** Every request this client made. */
  readonly trace: Traffic;
  /** Buckets created through this connection and not deleted yet, for cleanup. */
  readonly createdBuckets: Set<string> = new Set();
  #server?: EmbeddedServer;

  /**
   * Wraps a client; use {@linkcode connect} rather than calling this.
   *
   * @param fields The client and what it points at.
   */
  constructor(fields: {
    client: S3Client;
    target: Target;
    endpoint: string;
    region: string;
    cluster?: ClusterFacts;
    pathStyle: boolean;
    accessKeyId: string;
    trace: Traffic;
    server?: EmbeddedServer;
  }) {
    super();
    this.client = fields.client;
    this.target = fields.target;
    this.endpoint = fields.endpoint.replace(/\/+$/, "");
    this.region = fields.region;
    this.cluster = fields.cluster ?? RGW;
    this.pathStyle = fields.pathStyle;
    this.accessKeyId = fields.accessKeyId;
    this.trace = fields.trace;
    this.#server = fields.server;
  }

  /** The embedded server this connection started, if any. */
  get server(): EmbeddedServer | undefined {
    return this.#server;
  }

  /**
   * One sentence on where this connection goes.
   *
   * @param color Whether colours may be used.
   * @returns The description.
   */
  toText(color = false): string {
    const like = this.cluster.id === "rgw" ? "" : `, emulating ${this.cluster.name}`;
    const where = {
      embedded: `the embedded S3 server (started in-process, in memory${like})`,
      dreamobjects: this.cluster.name,
      aws: "AWS S3",
      endpoint: `the S3 endpoint${like ? ` (${this.cluster.name})` : ""}`,
    }[this.target];
    return `Connected to ${where} at ${paint(this.endpoint, "bold", color)} as ` +
      `${this.accessKeyId}, region ${this.region}, ` +
      `${this.pathStyle ? "path-style" : "virtual-host-style"} addressing`;
  }

  /**
   * The description as HTML.
   *
   * @returns A paragraph.
   */
  toHtml(): string {
    return `<p>${escapeHtml(this.toText(false))}</p>`;
  }

  /** Destroys the client and stops the embedded server, if one was started. */
  async close(): Promise<void> {
    this.client.destroy();
    const server = this.#server;
    this.#server = undefined;
    await server?.close();
  }

  /** Same as {@linkcode Connection.prototype.close}, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
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

/**
 * Connects to an S3 service. Without an endpoint (option, `AWS_ENDPOINT_URL_S3` or
 * `AWS_ENDPOINT_URL`), it starts the embedded server in-process (`emulate` picks its behaviour)
 * and signs in as its demo user; `dreamobjects: true` goes to DreamObjects US-East 5 (or the
 * `cluster` named), `aws: true` to AWS S3, `endpoint` anywhere else. Checksums are only computed when required for non-AWS endpoints
 * (Ceph RGW and older gateways reject the SDK's default trailing checksums).
 *
 * @param options Where to connect and with which keys.
 * @returns A connection holding the raw `S3Client` and its trace.
 * @throws {TypeError} When the endpoint is not an http(s) URL or options conflict.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { connect } from "./mod.ts";
 *
 * await using s3 = await connect(); // embedded server, demo keys
 * assert.match(s3.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
 * ```
 *
 * @example DreamObjects (no request is sent until you make one)
 * ```ts
 * import assert from "node:assert/strict";
 * import { connect } from "./mod.ts";
 *
 * const keys = { accessKeyId: "YOUR_KEY", secretAccessKey: "YOUR_SECRET" }; // or AWS_* variables
 * await using s3 = await connect({ dreamobjects: true, ...keys });
 * assert.equal(s3.endpoint, "https://s3.us-east-005.dream.io");
 * assert.equal(s3.region, "us-east-005");
 * ```
 */
export async function connect(options: ConnectOptions = {}): Promise<Connection> {
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
  let keys: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | undefined;
  let profile: string | undefined;
  if (options.accessKeyId && options.secretAccessKey) {
    keys = {
      accessKeyId: options.accessKeyId,
      secretAccessKey: options.secretAccessKey,
      sessionToken: options.sessionToken,
    };
  } else if (target === "embedded") {
    // the demo user's keys, once the server is loaded below
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

  let server: EmbeddedServer | undefined;
  let endpoint: string;
  if (target === "embedded") {
    // Loaded here, not imported above: scripts that talk to a real service never load the server.
    const { startServer, DEMO_USERS } = await import("../server/mod.ts");
    keys ??= {
      accessKeyId: DEMO_USERS[0].accessKeyId,
      secretAccessKey: DEMO_USERS[0].secretAccessKey,
    };
    server = await startServer({ port: 0, quiet: true, region, emulate: options.emulate });
    endpoint = server.url;
  } else if (target === "dreamobjects") {
    endpoint = cluster.endpoint!;
  } else if (target === "aws") {
    endpoint = `https://s3.${region}.amazonaws.com`;
  } else {
    endpoint = parseEndpoint(options.endpoint!).href.replace(/\/+$/, "");
  }

  const pathStyle = options.pathStyle ??
    (target === "dreamobjects" ? cluster.addressing === "path" : target !== "aws");
  const trace = options.trace instanceof Traffic ? options.trace : new Traffic();
  if (options.trace === false) trace.enabled = false;

  const config: S3ClientConfig = {
    region,
    forcePathStyle: pathStyle,
    maxAttempts: options.maxAttempts ?? 3,
    logger: options.logger ?? (options.debug ? STDERR_LOGGER : SILENT_LOGGER),
  };
  // Downloads through Deno's fetch, uploads through Node's http: see _http.ts for why.
  config.requestHandler = new SplitHttpHandler(
    options.timeoutMs
      ? {
        connectionTimeout: options.timeoutMs,
        requestTimeout: options.timeoutMs,
        throwOnRequestTimeout: true,
      }
      : {},
  );
  if (target !== "aws") {
    config.endpoint = endpoint;
    config.requestChecksumCalculation = "WHEN_REQUIRED";
    config.responseChecksumValidation = "WHEN_REQUIRED";
  }
  if (keys) {
    config.credentials = {
      accessKeyId: keys.accessKeyId,
      secretAccessKey: keys.secretAccessKey,
      sessionToken: keys.sessionToken,
    };
  } else if (profile) {
    config.profile = profile;
  }
  const client = new S3Client(config);
  trace.attach(client);
  // Failures carry the cluster's facts, so errors can say e.g. that keys may belong to the other
  // DreamObjects cluster.
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        noteCluster(error, cluster);
        throw error;
      }
    },
    { step: "initialize", name: "clusterFacts" },
  );

  let accessKeyId = keys?.accessKeyId ?? "";
  try {
    const resolved = await client.config.credentials();
    accessKeyId = resolved.accessKeyId;
    trace.addSecret(resolved.secretAccessKey);
    if (resolved.sessionToken) trace.addSecret(resolved.sessionToken);
  } catch (error) {
    client.destroy();
    await server?.close();
    const where = profile ? ` in profile "${profile}"` : "";
    throw new TypeError(
      `Cannot connect to ${endpoint}: no access key found${where}; pass --access-key and ` +
        "--secret-key, set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or name a --profile",
      { cause: error },
    );
  }
  const connection = new Connection({
    client,
    target,
    endpoint,
    region,
    cluster,
    pathStyle,
    accessKeyId,
    trace,
    server,
  });
  // The lean path (_lean.ts) for syncs and copies with the trace off; only with fixed keys
  // (a profile's may be temporary ones the SDK refreshes), and not when the SDK's own log lines
  // were asked for (`debug`, `logger`): those come from the SDK's request path.
  if (keys && !options.debug && !options.logger) {
    setLeanClient(
      connection,
      new LeanClient({
        endpoint,
        region,
        pathStyle,
        keys,
        maxAttempts: options.maxAttempts ?? 3,
        timeoutMs: options.timeoutMs,
        cluster,
      }),
    );
  }
  return connection;
}
