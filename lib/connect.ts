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
import { leanClientFor, setLeanClient } from "./_lean.ts";
import { NODE_SIGNING } from "../core/crypto.ts";
import { type ClusterFacts, RGW } from "./clusters.ts";
import {
  type ConnectOptions,
  resolveConnectOptions,
  type SdkLogger,
  type Target,
} from "./connect_options.ts";
import { noteCluster } from "./errors.ts";
import { checkWireKey } from "./key_paths.ts";

// What connect() takes, defined beside their resolution (loadable without the SDK).
export type { ConnectOptions, Emulation, SdkLogger, Target } from "./connect_options.ts";
export { EMULATIONS } from "./connect_options.ts";

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
 * What goes on the wire depends on the operation only, never on the trace, `debug` or a logger:
 * the library's syncs (small files, listings, batch deletes) and `getFile()`'s GETs are signed
 * and sent by its lean client (`_lean.ts`) when the keys are fixed (not a profile's), every other
 * call through the SDK; both record each attempt into {@linkcode Connection.trace}.
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
  const resolved = resolveConnectOptions(options);
  const { target, cluster, region, pathStyle, profile } = resolved;
  let keys = resolved.keys;

  let server: EmbeddedServer | undefined;
  let endpoint: string;
  if (target === "embedded") {
    // Loaded here, not imported above: scripts that talk to a real service never load the server.
    const { startServer, DEMO_USERS } = await import("../server/mod.ts");
    keys ??= {
      accessKeyId: DEMO_USERS[0].accessKeyId,
      secretAccessKey: DEMO_USERS[0].secretAccessKey,
    };
    server = await startServer({
      port: 0,
      quiet: true,
      region,
      emulate: options.emulate,
      faults: options.faults,
    });
    endpoint = server.url;
  } else {
    endpoint = resolved.endpoint!;
  }

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
  // A key a URL cannot carry is refused before anything is signed (see key_paths.ts), for the
  // commands a reader sends through `s3.client` too.
  client.middlewareStack.add(
    (next) => (args) => {
      const key = (args.input as { Key?: unknown }).Key;
      if (typeof key === "string") checkWireKey(key);
      return next(args);
    },
    { step: "initialize", name: "wireKeyCheck" },
  );

  let accessKeyId = keys?.accessKeyId ?? "";
  try {
    const found = await client.config.credentials();
    accessKeyId = found.accessKeyId;
    trace.addSecret(found.secretAccessKey);
    if (found.sessionToken) trace.addSecret(found.sessionToken);
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
  // The lean path (_lean.ts) for syncs, listings, batch deletes and downloads, when the keys are
  // fixed; trace on or off, debug or not (it records into the same trace).
  // The SDK has loaded Node's modules: node:crypto signs faster per request than Web Crypto.
  const lean = leanClientFor({ ...resolved, endpoint, keys }, options, trace, NODE_SIGNING);
  if (lean) setLeanClient(connection, lean);
  return connection;
}
