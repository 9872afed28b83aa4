/**
 * The embedded S3-compatible server: start one in-process with {@linkcode startServer}, or run
 * `deno task server`. It behaves like Ceph RGW (what DreamObjects US-East 1 runs) for the
 * operations the tour and tests use, or, with `emulate: "us-east-5"`, follows DreamObjects
 * US-East 5's documented rules (`emulation.ts`).
 *
 * - Operations: ListBuckets; Create/Head/Delete Bucket; GetBucketLocation; Get/Put
 *   BucketVersioning; ListObjects v1/v2; ListObjectVersions; Put/Get/Head/Delete/Copy Object
 *   (with `versionId`, delete markers, the `null` version); DeleteObjects;
 *   multipart (Create, UploadPart, UploadPartCopy, Complete, Abort, ListParts,
 *   ListMultipartUploads); Get/Put Bucket and Object ACLs; Put/Get/Delete BucketCors, CORS
 *   preflights and POST Object (browser forms). The table is in `routes.ts`; other
 *   S3 subresources answer `501 NotImplemented`, other methods `405 MethodNotAllowed`.
 * - Requests are authenticated first (`auth/`), then routed by path shape, method and
 *   subresource; ACLs decide what users and anonymous requests may do.
 * - Storage is in memory, or in `dataDir` (atomic writes, survives restarts). Bodies stream.
 * - Addressing: path style (`/bucket/key`, read from the raw URL so `..` stays in keys) and
 *   virtual-host style (`Host: bucket.localhost:PORT`).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { startServer } from "./mod.ts";
 *
 * await using server = await startServer(); // port 0: any free port
 * assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
 * const response = await fetch(server.url); // anonymous ListBuckets: an empty list, as RGW says
 * assert.equal(response.status, 200);
 * assert.match(await response.text(), /<Buckets><\/Buckets>/);
 * ```
 *
 * @module
 */

import { parseTarget } from "./addressing.ts";
import { authenticate } from "./auth/mod.ts";
import type { RequestContext } from "./context.ts";
import { S3Error } from "./errors.ts";
import { errorXml } from "./xml.ts";
import { type HttpServer, type IncomingRequest, listen } from "./http/listen.ts";
import { requestIntegrity } from "./integrity.ts";
import { ConnectionDropped, HttpError } from "./http/_errors.ts";
import {
  cutShort,
  describeRule,
  type FaultKind,
  type FaultSpec,
  FaultSwitch,
  parseFaults,
} from "./faults.ts";
import { route, shapeOf } from "./router.ts";
import { ROUTES } from "./routes.ts";
import { DiskStorage } from "./storage/disk.ts";
import { MemoryStorage } from "./storage/memory.ts";
import type { Storage } from "./storage/types.ts";
import { DEMO_USERS, hasDemoKeys, isLoopbackAddress } from "./demo_users.ts";
import type { ServerUser } from "./types.ts";
import { type CorsRule, defaultCorsRules, parseCorsXml, responseCorsHeaders } from "./cors.ts";
import {
  type EmulationName,
  type EmulationProfile,
  emulationProfile,
  emulationRefusal,
  subresourceRefusal,
} from "./emulation.ts";

export { DEMO_USERS } from "./demo_users.ts";
export type { ServerUser } from "./types.ts";
export type { EmulationName } from "./emulation.ts";
export type { FaultKind, FaultRule, FaultSpec } from "./faults.ts";

/** How to start a server. */
export interface ServerOptions {
  /** TCP port; 0 picks a free one. @default 0 */
  port?: number;
  /** Interface to bind. @default "127.0.0.1" */
  hostname?: string;
  /** Keep buckets and objects in this directory (survives restarts); in memory when absent. */
  dataDir?: string;
  /** Users and their key pairs. @default DEMO_USERS */
  users?: readonly ServerUser[];
  /**
   * Serve the demo key pairs (whose secrets the README publishes) on an address other than
   * loopback anyway; without it, `startServer()` refuses. @default false
   */
  allowDemoKeysOnNetwork?: boolean;
  /** Region reported by GetBucketLocation. @default the emulation's: "us-east-1" for RGW */
  region?: string;
  /**
   * What to behave like: `rgw` (Ceph RGW) or `us-east-5` (DreamObjects US-East 5's documented
   * rules: V4 only, bucket-level permissions, its naming rules, region `us-east-005`; see
   * `emulation.ts`). @default "rgw"
   */
  emulate?: EmulationName;
  /**
   * Start every new bucket with versioning `Enabled` (as on a service that keeps every version,
   * like DreamObjects' US-East 5): a delete then only adds a delete marker, and a bucket can be
   * deleted only once no version or marker is left. PutBucketVersioning can still suspend it.
   * @default the emulation's: false for `rgw`, true for `us-east-5`
   */
  versioningOnCreate?: boolean;
  /** DNS name for virtual-host addressing: `Host: bucket.<dnsName>:PORT`. @default "localhost" */
  dnsName?: string;
  /**
   * Origins every bucket without CORS rules of its own lets in (`--cors-origin`): one rule
   * allowing these origins any method and header (see `cors.ts` `defaultCorsRules`). Each may
   * hold one `*`. @default [] (no default rule, as RGW)
   */
  corsOrigins?: readonly string[];
  /**
   * Default CORS rules for every bucket without its own, as a `CORSConfiguration` document (what
   * PutBucketCors takes), after the `corsOrigins` rule (`--cors-file`). @default none
   */
  corsXml?: string;
  /** Log nothing (not even internal errors). @default false */
  quiet?: boolean;
  /**
   * Log one line per request: time, method, path (never the query, which may hold a
   * signature), status, operation or error code, duration, who. @default false
   */
  logRequests?: boolean;
  /**
   * Misbehave on purpose, for teaching and testing retries: a fault spec such as
   * `"slowdown@PutObject:2,drop@GetObject,error:10%,seed=42"` (503 SlowDown, 500 InternalError,
   * `delay=SECONDS`, a dropped connection; see `faults.ts`), or the parsed form. Each injected
   * fault is logged unless `quiet`. @default no faults
   */
  faults?: string | FaultSpec;
  /**
   * Seconds to read a request head (from the connection's start or the head's first byte), then
   * 408 and close. @default 60 (nginx's `client_header_timeout`)
   */
  headTimeout?: number;
  /**
   * Seconds a request body may send nothing, then the upload fails (400 IncompleteBody) and the
   * connection closes. @default 60 (nginx's `client_body_timeout`)
   */
  bodyTimeout?: number;
  /** Seconds a keep-alive connection may wait for its next request. @default 75 (nginx's `keepalive_timeout`) */
  idleTimeout?: number;
  /**
   * Seconds an answer may wait for the client to read more of it, then the connection closes.
   * @default 60 (nginx's `send_timeout`)
   */
  sendTimeout?: number;
  /** Open connections at most; more wait in the kernel's queue until one ends. @default 1024 */
  maxConnections?: number;
}

/** A running server. */
export interface RunningServer {
  /**
   * An endpoint a client on this machine can use, e.g. `http://127.0.0.1:9000`. For a wildcard
   * binding (`0.0.0.0`, `::`), which no client can connect to, it is the loopback address
   * (`127.0.0.1`, `[::1]`): say where the server really listens with {@linkcode RunningServer.hostname}.
   */
  readonly url: string;
  /** The port it listens on. */
  readonly port: number;
  /**
   * The address it is really bound to: `0.0.0.0` or `::` for all interfaces, the resolved
   * address for a name (`localhost` → `127.0.0.1`).
   */
  readonly hostname: string;
  /** Its users (the demo key pairs unless told otherwise). */
  readonly users: readonly ServerUser[];
  /** Stops listening, waits for requests in flight, and releases storage. */
  close(): Promise<void>;
  /** Same as `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** Settings a request handler needs. */
interface HandlerSettings {
  storage: Storage;
  users: readonly ServerUser[];
  region: string;
  emulation: EmulationProfile;
  versioningOnCreate: boolean;
  defaultCors: readonly CorsRule[];
  dnsName: string;
  quiet: boolean;
  logRequests: boolean;
  faults: FaultSwitch | undefined;
  /** Aborted when the server closes: ends a fault's delay. */
  stopping: AbortSignal;
}

function logLine(
  method: string,
  path: string,
  status: number,
  what: string,
  started: number,
  who: string,
): void {
  const time = new Date().toISOString().slice(11, 19);
  const ms = (performance.now() - started).toFixed(0);
  console.log(`${time} ${method} ${path} ${status} ${what} ${ms}ms ${who}`);
}

function requestId(): string {
  return crypto.randomUUID().replaceAll("-", "").slice(0, 16).toUpperCase();
}

function errorResponse(
  error: S3Error,
  method: string,
  resource: string,
  id: string,
  headers: Headers = new Headers(),
): Response {
  headers.set("x-amz-request-id", id);
  if (method === "HEAD" || error.status === 304) {
    return new Response(null, { status: error.status, headers });
  }
  headers.set("content-type", "application/xml");
  return new Response(errorXml(error, resource, id), { status: error.status, headers });
}

/** What each fault kind does, for the log line. */
const FAULT_EFFECT: Record<FaultKind, (rule: { seconds?: number }) => string> = {
  slowdown: () => "503 SlowDown injected",
  error: () => "500 InternalError injected",
  delay: (rule) => `held ${rule.seconds} s`,
  drop: () => "connection dropped",
};

/** Waits `ms`, or less when the server stops. */
function pause(ms: number, stopping: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (stopping.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      stopping.removeEventListener("abort", done);
      resolve();
    }
    stopping.addEventListener("abort", done);
  });
}

/**
 * The `Access-Control-*` headers an answer gets (RGW adds them to errors too, once the request
 * is authenticated): those of the bucket's first rule matching the `Origin`, or of the server's
 * default rule for a bucket without any.
 */
function corsHeadersFor(
  request: IncomingRequest,
  method: string,
  bucketName: string | undefined,
  settings: HandlerSettings,
): Headers | undefined {
  const origin = request.headers.get("origin");
  if (origin === null || bucketName === undefined || method === "OPTIONS") return undefined;
  const bucket = settings.storage.getBucket(bucketName);
  if (!bucket) return undefined;
  const rules = bucket.cors ?? settings.defaultCors;
  if (rules.length === 0) return undefined;
  const asked = request.headers.get("access-control-request-method") ?? method;
  return responseCorsHeaders(rules, origin, asked, request.headers.has("authorization"));
}

/** The `corsXml` option's rules; an S3 refusal becomes a `TypeError` naming the problem. */
function defaultRulesFromXml(xml: string): CorsRule[] {
  try {
    return parseCorsXml(xml);
  } catch (error) {
    throw new TypeError(`Cannot use the default CORS rules: ${(error as Error).message}`);
  }
}

function addHeaders(to: Headers, from: Headers | undefined): void {
  for (const [name, value] of from ?? []) to.set(name, value);
}

/**
 * Answers one HTTP request: resolves the address, authenticates, routes, and turns errors into
 * S3's XML.
 *
 * @param request The request as received.
 * @param settings Storage, users and naming.
 * @returns The response.
 */
async function handle(request: IncomingRequest, settings: HandlerSettings): Promise<Response> {
  const id = requestId();
  const started = performance.now();
  let who = "-";
  const method = request.method.toUpperCase();
  let resource = "/";
  let bucketName: string | undefined;
  let body: ReadableStream<Uint8Array> | null = request.body;
  let authenticated = false;
  try {
    const target = parseTarget(request.url, request.headers.get("host"), settings.dnsName);
    resource = target.rawPath;
    bucketName = target.address.bucket;
    // A preflight is never signed (a browser sends no credentials with it): the rules decide.
    const auth = method === "OPTIONS"
      ? { principal: { kind: "anonymous" } as const, body: request.body, contentLength: undefined }
      : await authenticate({
        method,
        url: request.url,
        headers: request.headers,
        address: target.address,
        body: request.body,
      }, { users: settings.users, signatureV2: settings.emulation.signatureV2 });
    body = auth.body;
    authenticated = true;
    who = auth.principal.kind === "user" ? auth.principal.user.id : "anonymous";
    const shape = shapeOf(target.address);
    const unsupported = shape === "service"
      ? undefined
      : subresourceRefusal(settings.emulation, target.query);
    if (unsupported) throw unsupported;
    const found = route(ROUTES, method, shape, target.query);
    const fault = settings.faults?.pick(found.operation);
    if (fault) {
      if (!settings.quiet) {
        const left = fault.left === Infinity ? "" : `, ${fault.left} left`;
        console.log(
          `fault: ${FAULT_EFFECT[fault.kind](fault)} for ${found.operation} ${resource} ` +
            `(rule ${describeRule(fault)}${left})`,
        );
      }
      if (fault.kind === "slowdown") throw new S3Error("SlowDown");
      if (fault.kind === "error") throw new S3Error("InternalError");
      if (fault.kind === "delay") await pause((fault.seconds ?? 0) * 1000, settings.stopping);
      // A dropped upload never reaches storage; a download is cut after half its body.
      if (fault.kind === "drop" && (method === "HEAD" || request.body !== null)) {
        throw new ConnectionDropped();
      }
    }
    const refusal = emulationRefusal(
      settings.emulation,
      found.operation,
      request.headers,
    );
    if (refusal) throw refusal;
    const integrity = requestIntegrity(found.operation, request.headers, auth.body);
    body = integrity.body;
    const context: RequestContext = {
      method,
      headers: request.headers,
      address: target.address,
      rawPath: target.rawPath,
      query: target.query,
      principal: auth.principal,
      body: integrity.body,
      declaredChecksum: integrity.declared,
      bodyChecksum: integrity.checksum,
      skipContinue: request.skipContinue,
      contentLength: auth.contentLength,
      storage: settings.storage,
      users: settings.users,
      region: settings.region,
      emulation: settings.emulation,
      versioningOnCreate: settings.versioningOnCreate,
      defaultCors: settings.defaultCors,
      requestId: id,
    };
    let response = await found.handler(context);
    if (fault?.kind === "drop") {
      const length = Number(response.headers.get("content-length") ?? 0);
      response = new Response(cutShort(response.body, length), response);
    }
    response.headers.set("x-amz-request-id", id);
    addHeaders(response.headers, corsHeadersFor(request, method, bucketName, settings));
    if (settings.logRequests) {
      logLine(method, resource, response.status, found.operation, started, who);
    }
    return response;
  } catch (caught) {
    await body?.cancel().catch(() => {});
    if (caught instanceof ConnectionDropped) throw caught;
    // A body cut short or badly framed (the client went away mid-upload) is the client's fault.
    const error = caught instanceof HttpError
      ? new S3Error("IncompleteBody", `Cannot read the request body: ${caught.message}`)
      : caught;
    if (error instanceof S3Error) {
      const headers = new Headers();
      if (authenticated) addHeaders(headers, corsHeadersFor(request, method, bucketName, settings));
      if (error.code === "InvalidRange") headers.set("accept-ranges", "bytes");
      // RGW names the request's bucket in every error about one.
      const named = bucketName === undefined || error.fields.bucketName !== undefined
        ? error
        : new S3Error(error.code, error.message, { ...error.fields, bucketName });
      if (settings.logRequests) logLine(method, resource, error.status, error.code, started, who);
      return errorResponse(named, method, resource, id, headers);
    }
    if (settings.logRequests) logLine(method, resource, 500, "InternalError", started, who);
    if (!settings.quiet) console.error(`Cannot answer ${method} ${resource}:`, error);
    return errorResponse(new S3Error("InternalError"), method, resource, id);
  }
}

/** The refusal to serve the published demo keys beyond this machine. */
function demoKeysRefusal(hostname: string): Error {
  return new Error(
    `Cannot serve the demo keys on "${hostname}": their secrets are published in the README, ` +
      "so anyone on the network could use them; give users of your own (users) or set " +
      "allowDemoKeysOnNetwork to accept that",
  );
}

function faultSwitch(faults: string | FaultSpec | undefined): FaultSwitch | undefined {
  if (faults === undefined) return undefined;
  const spec = typeof faults === "string" ? parseFaults(faults) : faults;
  return spec.rules.length === 0 ? undefined : new FaultSwitch(spec);
}

/**
 * Starts an S3-compatible server in this process.
 *
 * @param options Port, interface, storage directory, users, region, DNS name.
 * @returns The running server; `close()` it (or `await using`) when done.
 * @throws {RangeError} For a port outside 0..65535, a timeout not over 0 or `maxConnections`
 *   under 1.
 * @throws {TypeError} When two users share an id or access key, or `emulate` is unknown.
 * @throws {SyntaxError} For a `faults` spec that does not read.
 * @throws {Deno.errors.AddrInUse} When the port is taken.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { startServer } from "./mod.ts";
 *
 * const dataDir = await Deno.makeTempDir();
 * const server = await startServer({ port: 0, dataDir });
 * assert.equal(new URL(server.url).hostname, "127.0.0.1");
 * await server.close();
 * await Deno.remove(dataDir, { recursive: true });
 * ```
 */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const users = options.users ?? DEMO_USERS;
  const emulation = emulationProfile(options.emulate);
  const wanted = options.port ?? 0;
  if (!Number.isInteger(wanted) || wanted < 0 || wanted > 65535) {
    throw new RangeError(`Cannot listen on port "${wanted}": use an integer from 0 to 65535`);
  }
  for (const [i, user] of users.entries()) {
    const clash = users.findIndex((u) => u.id === user.id || u.accessKeyId === user.accessKeyId);
    if (clash !== i) {
      throw new TypeError(
        `Cannot start with user "${user.id}": its id or access key repeats user "${
          users[clash].id
        }"; give each user its own`,
      );
    }
  }
  const guardDemoKeys = hasDemoKeys(users) && !options.allowDemoKeysOnNetwork;
  const wantedHost = (options.hostname ?? "127.0.0.1").replace(/^\[(.*)\]$/, "$1");
  if (guardDemoKeys && /^[\d.]+$|:/.test(wantedHost) && !isLoopbackAddress(wantedHost)) {
    throw demoKeysRefusal(wantedHost);
  }
  const stop = new AbortController();
  const storage: Storage = options.dataDir === undefined
    ? new MemoryStorage()
    : await DiskStorage.open(options.dataDir);
  const settings: HandlerSettings = {
    storage,
    users,
    region: options.region ?? emulation.region,
    emulation,
    versioningOnCreate: options.versioningOnCreate ?? emulation.versioningFromCreation,
    defaultCors: [
      ...defaultCorsRules(options.corsOrigins ?? []),
      ...(options.corsXml === undefined ? [] : defaultRulesFromXml(options.corsXml)),
    ],
    dnsName: options.dnsName ?? "localhost",
    quiet: options.quiet ?? false,
    logRequests: options.logRequests ?? false,
    faults: faultSwitch(options.faults),
    stopping: stop.signal,
  };
  let server: HttpServer;
  try {
    server = listen(
      {
        port: wanted,
        hostname: options.hostname ?? "127.0.0.1",
        headTimeout: options.headTimeout,
        bodyTimeout: options.bodyTimeout,
        idleTimeout: options.idleTimeout,
        sendTimeout: options.sendTimeout,
        maxConnections: options.maxConnections,
        log: settings.quiet ? () => {} : (line) => console.error(line),
      },
      (request) => handle(request, settings),
    );
  } catch (error) {
    await storage.close();
    throw error;
  }
  const { port, hostname } = server.addr;
  // A name (not an address) is checked on the address it was bound to.
  if (guardDemoKeys && !isLoopbackAddress(hostname)) {
    await server.shutdown();
    await storage.close();
    throw demoKeysRefusal(hostname);
  }
  // A wildcard address is not one a client can connect to: point the URL at loopback instead.
  const reachable = hostname === "0.0.0.0" ? "127.0.0.1" : hostname === "::" ? "::1" : hostname;
  const host = reachable.includes(":") ? `[${reachable}]` : reachable;
  let closing: Promise<void> | undefined;
  const close = () =>
    closing ??= (async () => {
      stop.abort();
      await server.shutdown();
      await storage.close();
    })();
  return {
    url: `http://${host}:${port}`,
    port,
    hostname,
    users,
    close,
    [Symbol.asyncDispose]: close,
  };
}
