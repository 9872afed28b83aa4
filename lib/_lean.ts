/**
 * The lean path: the few S3 requests a sync makes by the thousand (PUT and GET of a small
 * object, a listing page, a batch delete), signed here (`_sigv4.ts`) and sent with Deno's
 * `fetch` (its Rust HTTP client, connections kept alive), the listing XML read with a few regular
 * expressions. Internal: `connect()` gives each connection one ({@linkcode setLeanClient}), and
 * `sync.ts` uses it for small files, listings and batch deletes when it applies
 * ({@linkcode leanClientOf}); `getFile()` for its ranged GETs (`_download.ts`), and `deno task cp`
 * downloads through it without loading the SDK at all ({@linkcode leanClientFor}: about 0.15 s
 * less start-up). Large uploads stay on the SDK (`putFile`): `fetch` copies each part, which cost
 * more memory (see `_http.ts`).
 *
 * Why: measured in a profile of `deno task sync` (1000 × 4 KiB, embedded server), a request
 * through the AWS SDK and Node's `http` cost about 2.2 ms of CPU (middleware stack, endpoint
 * rules, the XML parser, Node streams); on this path the whole `deno task sync` process used
 * 0.8 s of user CPU for them, file reads and start-up included, and the wall time fell from
 * 2.3-2.6 s to 1.4-1.8 s up and from 2.5 s to 0.9-1.3 s down (bench/README.md has the figures).
 *
 * What it keeps of the SDK's behaviour: Signature V4 (path-style or virtual-host addressing, any
 * region, session tokens), the same retries (network failures, 500, 502, 503, 504, `SlowDown`,
 * `RequestTimeout`: up to the connection's attempts, exponential backoff with jitter), the
 * connection's timeout, and failures shaped like the SDK's (`name` = the S3 code,
 * `$metadata.httpStatusCode`), so `errors.ts` explains them in the same one-line words.
 *
 * Tracing: each attempt is recorded in the connection's trace (when it records) by
 * `#record`, with the same fields as the SDK's recorder (`_exchange_fields.ts`): turning the
 * trace on or off changes what is recorded, never which path a request takes nor its bytes. The
 * SDK's log lines (`debug`, `logger`) cover only the SDK's requests.
 *
 * @module
 */

import { escapeXml, xmlText } from "../core/xml.ts";
import { type SigningPrimitives, WEB_SIGNING } from "../core/web_crypto.ts";
import { noteCluster } from "./errors.ts";
import type { ClusterFacts } from "./clusters.ts";
import type { ConnectOptions, ResolvedConnection } from "./connect_options.ts";
import type { RangeAnswer, RangeGetter, RangeRequest } from "./_download.ts";
import type { ExchangeSink } from "./_recorder.ts";
import { pickHeaders, REQUEST_HEADERS, RESPONSE_HEADERS } from "./_exchange_fields.ts";
import { checkWireKey } from "./key_paths.ts";
import { EMPTY_SHA256, s3Path, type SigningKeys, SigV4Signer, uriEncode } from "./_sigv4.ts";

/** Where and how a lean client connects. */
export interface LeanSettings {
  /** Endpoint URL, e.g. `http://127.0.0.1:7480`. */
  endpoint: string;
  /** Signing region. */
  region: string;
  /** Path-style addressing (`host/bucket/key`) rather than `bucket.host/key`. */
  pathStyle: boolean;
  /** Keys. */
  keys: SigningKeys;
  /** Attempts per request, retries included. @default 3 */
  maxAttempts?: number;
  /** Milliseconds a request may take; 0 for no limit. @default 0 */
  timeoutMs?: number;
  /** What the service is like, noted on failures for their messages. */
  cluster?: ClusterFacts;
  /** The trace each attempt is recorded in (when it is enabled), as the SDK's requests are. */
  trace?: ExchangeSink;
  /** The signing primitives (`core/web_crypto.ts`). @default Web Crypto's */
  crypto?: SigningPrimitives;
}

/** One request. */
export interface LeanRequest {
  /** HTTP method. */
  method: "GET" | "PUT" | "POST" | "DELETE" | "HEAD";
  /** The bucket. */
  bucket: string;
  /** The key, if the request is about an object. */
  key?: string;
  /** Query parameters (decoded). */
  query?: Record<string, string>;
  /** Extra headers, lower-case names. */
  headers?: Record<string, string>;
  /** The body, whole in memory (so a retry can send it again). */
  body?: Uint8Array;
  /** Aborts the request. */
  signal?: AbortSignal;
  /** The SDK operation name, for error messages' sake (`PutObject`...). */
  operation?: string;
}

/** One object of a listing page. */
export interface LeanListed {
  /** Full key. */
  key: string;
  /** Size in bytes. */
  size: number;
  /** ETag, quotes included. */
  etag?: string;
  /** Last modification time. */
  lastModified?: Date;
}

const RETRY_STATUS = new Set([500, 502, 503, 504]);
const RETRY_CODES = new Set(["SlowDown", "RequestTimeout", "InternalError", "ServiceUnavailable"]);

/** Node's error codes for what Deno's `fetch` reports only in words (its error's cause). */
const NETWORK_ERRORS: [RegExp, string][] = [
  [/connection refused/i, "ECONNREFUSED"],
  [/temporary failure in name resolution/i, "EAI_AGAIN"],
  [/dns error|failed to lookup address|name or service not known/i, "ENOTFOUND"],
  [/timed out/i, "ETIMEDOUT"],
  [/connection reset|connection closed|broken pipe|unexpected eof/i, "ECONNRESET"],
];

/** The text of the first `<tag>` in `xml`, decoded, or `undefined`. */
function tag(xml: string, name: string): string | undefined {
  const open = xml.indexOf(`<${name}>`);
  if (open === -1) return undefined;
  const start = open + name.length + 2;
  const end = xml.indexOf(`</${name}>`, start);
  return end === -1 ? undefined : xmlText(xml.slice(start, end));
}

/** Each `<tag>...</tag>` block's inner XML. */
function* blocks(xml: string, name: string): Generator<string> {
  const open = `<${name}>`;
  const close = `</${name}>`;
  let at = xml.indexOf(open);
  while (at !== -1) {
    const end = xml.indexOf(close, at);
    if (end === -1) return;
    yield xml.slice(at + open.length, end);
    at = xml.indexOf(open, end + close.length);
  }
}

/** The base64 of a hex string. */
function hexToBase64(hex: string): string {
  let binary = "";
  for (let i = 0; i < hex.length; i += 2) {
    binary += String.fromCharCode(parseInt(hex.slice(i, i + 2), 16));
  }
  return btoa(binary);
}

/**
 * A failure shaped like the SDK's: `name` is the S3 code, `$metadata.httpStatusCode` the status,
 * so `toS3RequestError` words it as it words the SDK's.
 */
class LeanError extends Error {
  Code?: string;
  $metadata: { httpStatusCode?: number; requestId?: string };
  code?: string;

  constructor(
    message: string,
    fields: { name: string; status?: number; requestId?: string; code?: string; cause?: unknown },
  ) {
    super(message, { cause: fields.cause });
    this.name = fields.name;
    if (fields.status) this.Code = fields.name;
    this.$metadata = { httpStatusCode: fields.status, requestId: fields.requestId };
    if (fields.code) this.code = fields.code;
  }
}

function networkError(error: unknown): LeanError {
  const e = error as Error;
  const text = `${e?.message ?? e} ${(e?.cause as Error | undefined)?.message ?? ""}`;
  const code = NETWORK_ERRORS.find(([pattern]) => pattern.test(text))?.[1];
  return new LeanError(e?.message ?? String(e), {
    name: e?.name ?? "Error",
    code: (e as { code?: string })?.code ?? code,
    cause: error,
  });
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Sends S3 requests signed with Signature V4 through `fetch`.
 *
 * @example Usage
 * ```ts ignore
 * const lean = new LeanClient({ endpoint: "http://127.0.0.1:7480", region: "us-east-1",
 *   pathStyle: true, keys: { accessKeyId: "...", secretAccessKey: "..." } });
 * await lean.putObject("b1", "a.txt", new TextEncoder().encode("a"), { contentType: "text/plain" });
 * ```
 */
export class LeanClient {
  #endpoint: URL;
  #pathStyle: boolean;
  #signer: SigV4Signer;
  #maxAttempts: number;
  #timeoutMs: number;
  #cluster?: ClusterFacts;
  #trace?: ExchangeSink;
  #crypto: SigningPrimitives;

  /**
   * Builds a client.
   *
   * @param settings Endpoint, region, addressing, keys, attempts, timeout.
   */
  constructor(settings: LeanSettings) {
    this.#endpoint = new URL(settings.endpoint);
    this.#pathStyle = settings.pathStyle;
    this.#crypto = settings.crypto ?? WEB_SIGNING;
    this.#signer = new SigV4Signer(settings.keys, settings.region, this.#crypto);
    this.#maxAttempts = Math.max(1, settings.maxAttempts ?? 3);
    this.#timeoutMs = settings.timeoutMs ?? 0;
    this.#cluster = settings.cluster;
    this.#trace = settings.trace;
  }

  /**
   * The URL of a bucket or object, addressed as the connection is.
   *
   * @param bucket The bucket.
   * @param key The key, if any.
   * @param query Query parameters.
   * @returns The URL.
   */
  url(bucket: string, key?: string, query?: Record<string, string>): URL {
    if (key !== undefined) checkWireKey(key);
    const base = this.#endpoint;
    // As the SDK: a bucket name with dots cannot be a host name under TLS; address it in the path.
    const inPath = this.#pathStyle || (bucket.includes(".") && base.protocol === "https:");
    const host = inPath ? base.host : `${bucket}.${base.host}`;
    const prefix = base.pathname.replace(/\/+$/, "");
    const path = prefix + s3Path(inPath ? [bucket] : [], key);
    const qs = Object.entries(query ?? {}).map(([k, v]) =>
      v === "" ? uriEncode(k) : `${uriEncode(k)}=${uriEncode(v)}`
    ).join("&");
    return new URL(`${base.protocol}//${host}${path}${qs ? `?${qs}` : ""}`);
  }

  /**
   * Sends one request, retrying as the SDK does; resolves with a 2xx response (whose body the
   * caller must read or cancel), rejects with an SDK-shaped error otherwise.
   *
   * @param request What to send.
   * @returns The response.
   */
  async send(request: LeanRequest): Promise<Response> {
    const url = this.url(request.bucket, request.key, request.query);
    const body = request.body;
    // The body's SHA-256 is signed, so the server checks the bytes (as the SDK does over http).
    const payloadHash = body === undefined ? EMPTY_SHA256 : await this.#crypto.sha256Hex(body);
    for (let attempt = 1;; attempt++) {
      request.signal?.throwIfAborted();
      const headers: Record<string, string> = { ...request.headers };
      await this.#signer.sign({ method: request.method, url, headers, payloadHash });
      const started = performance.now();
      // The timeout covers the wait for the answer's headers, as the SDK's fetch handler's does;
      // a body still arriving is not cut (a large download may take longer).
      const timeout = this.#timeoutMs ? new AbortController() : undefined;
      const timer = timeout
        ? setTimeout(
          () => timeout.abort(new DOMException("The request timed out", "TimeoutError")),
          this.#timeoutMs,
        )
        : undefined;
      let failure: LeanError;
      try {
        const response = await fetch(url, {
          method: request.method,
          headers,
          body: body as BodyInit | undefined,
          // A redirect (a bucket in another region) is reported, not followed with this signature.
          redirect: "manual",
          signal: timeout && request.signal
            ? AbortSignal.any([request.signal, timeout.signal])
            : timeout?.signal ?? request.signal,
        }).finally(() => clearTimeout(timer));
        const tried = { attempt, started };
        if (response.ok) return this.#recorded(request, url, headers, tried, response);
        failure = await this.#failure(response, request);
        this.#record(request, url, headers, tried, response, failure);
      } catch (error) {
        if (request.signal?.aborted) throw request.signal.reason;
        if (error instanceof LeanError) throw error;
        failure = (error as Error)?.name === "TimeoutError"
          ? new LeanError("The request timed out", { name: "TimeoutError", cause: error })
          : networkError(error);
        this.#record(request, url, headers, { attempt, started }, undefined, failure);
      }
      const status = failure.$metadata.httpStatusCode ?? 0;
      const retry = status === 0 || RETRY_STATUS.has(status) || RETRY_CODES.has(failure.name);
      if (!retry || attempt >= this.#maxAttempts) {
        if (this.#cluster) noteCluster(failure, this.#cluster);
        throw failure;
      }
      await sleep(Math.random() * Math.min(20_000, 100 * 2 ** attempt), request.signal);
    }
  }

  /**
   * Records one attempt in the trace, when it records: the same fields the SDK's recorder keeps
   * (`_recorder.ts`), bytes received being the bytes the body holds (none for HEAD, 204, 304).
   */
  #record(
    request: LeanRequest,
    url: URL,
    headers: Record<string, string>,
    tried: { attempt: number; started: number },
    response: Response | undefined,
    failure?: LeanError,
    bytesReceived?: number,
  ) {
    if (!this.#trace?.enabled) return undefined;
    const sent = request.body?.byteLength ?? 0;
    const requestHeaders = pickHeaders(headers, REQUEST_HEADERS);
    if (request.body) requestHeaders["content-length"] = String(sent);
    const status = response?.status ?? 0;
    const length = response?.headers.get("content-length");
    return this.#trace.record({
      source: "lean",
      operation: request.operation,
      method: request.method,
      url: url.href,
      status,
      code: failure ? (status === 0 ? (failure.code ?? failure.name) : failure.name) : undefined,
      requestHeaders,
      responseHeaders: response ? pickHeaders(response.headers, RESPONSE_HEADERS) : {},
      bytesSent: sent,
      bytesReceived: bytesReceived ??
        (request.method === "HEAD" || status === 204 || status === 304 ? 0 : Number(length ?? 0)),
      ms: Math.round((performance.now() - tried.started) * 10) / 10,
      attempt: tried.attempt,
    });
  }

  /**
   * Records a 2xx answer; a body sent without a `content-length` (RGW's listings) is counted as
   * it is read, and its record completed at its end. Bodies with a length are left untouched.
   */
  #recorded(
    request: LeanRequest,
    url: URL,
    headers: Record<string, string>,
    tried: { attempt: number; started: number },
    response: Response,
  ): Response {
    if (!this.#trace?.enabled) return response;
    const bodiless = request.method === "HEAD" || response.status === 204 ||
      response.status === 304;
    if (bodiless || !response.body || response.headers.has("content-length")) {
      this.#record(request, url, headers, tried, response);
      return response;
    }
    const exchange = this.#record(request, url, headers, tried, response, undefined, 0);
    if (exchange) exchange.chunked = true;
    let bytes = 0;
    const counted = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          bytes += chunk.byteLength;
          controller.enqueue(chunk);
        },
        flush() {
          if (exchange) {
            exchange.bytesReceived = bytes;
            exchange.chunked = false;
          }
        },
      }),
    );
    return new Response(counted, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  }

  async #failure(response: Response, request: LeanRequest): Promise<LeanError> {
    const text = request.method === "HEAD" ? "" : await response.text().catch(() => "");
    const code = tag(text, "Code") ??
      (response.status === 404
        ? (request.key === undefined ? "NoSuchBucket" : "NoSuchKey")
        : "UnknownError");
    const message = tag(text, "Message") ?? code;
    return new LeanError(message, {
      name: code,
      status: response.status,
      requestId: tag(text, "RequestId") ?? response.headers.get("x-amz-request-id") ?? undefined,
    });
  }

  /**
   * Uploads bytes. Their SHA-256 is signed (`x-amz-content-sha256`), which the server checks;
   * their MD5 is sent too (`Content-MD5`) when given.
   *
   * @param bucket The bucket.
   * @param key The key.
   * @param body The bytes.
   * @param options Content type, MD5 (hex), more headers, abort signal.
   * @returns The ETag the server gave.
   */
  async putObject(
    bucket: string,
    key: string,
    body: Uint8Array,
    options: {
      contentType?: string;
      md5Hex?: string;
      signal?: AbortSignal;
      headers?: Record<string, string>;
    } = {},
  ): Promise<string | undefined> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.md5Hex) headers["content-md5"] = hexToBase64(options.md5Hex);
    if (options.contentType) headers["content-type"] = options.contentType;
    const response = await this.send({
      method: "PUT",
      bucket,
      key,
      headers,
      body,
      signal: options.signal,
      operation: "PutObject",
    });
    await response.body?.cancel();
    return response.headers.get("etag") ?? undefined;
  }

  /**
   * Sends one GET of (part of) an object: the lean side of a ranged download (`_download.ts`).
   *
   * A property bound to this client, so it can be handed to `downloadFile()` as it is.
   *
   * @param request Bucket, key, `Range`, `If-Match`, abort signal.
   * @returns The answer; its body is a byte stream to read or cancel.
   */
  readonly getRange: RangeGetter = async (request: RangeRequest): Promise<RangeAnswer> => {
    const headers: Record<string, string> = {};
    if (request.range) headers.range = request.range;
    if (request.ifMatch) headers["if-match"] = request.ifMatch;
    const response = await this.send({
      method: "GET",
      bucket: request.bucket,
      key: request.key,
      headers,
      signal: request.signal,
      operation: "GetObject",
    });
    const length = response.headers.get("content-length");
    return {
      body: response.body ?? new ReadableStream({ start: (c) => c.close() }),
      contentRange: response.headers.get("content-range") ?? undefined,
      contentLength: length === null ? undefined : Number(length),
      etag: response.headers.get("etag") ?? undefined,
    };
  };

  /**
   * Downloads a whole object into memory.
   *
   * @param bucket The bucket.
   * @param key The key.
   * @param options `ifMatch` (an ETag the object must still have), abort signal.
   * @returns The bytes and the ETag.
   */
  async getObject(
    bucket: string,
    key: string,
    options: { ifMatch?: string; signal?: AbortSignal } = {},
  ): Promise<{ bytes: Uint8Array; etag?: string }> {
    const response = await this.send({
      method: "GET",
      bucket,
      key,
      headers: options.ifMatch ? { "if-match": options.ifMatch } : {},
      signal: options.signal,
      operation: "GetObject",
    });
    const bytes = new Uint8Array(await response.arrayBuffer());
    return { bytes, etag: response.headers.get("etag") ?? undefined };
  }

  /**
   * Lists the objects under a prefix in key order (ListObjectsV2), a page at a time, the next
   * page asked for while the current one is consumed.
   *
   * @param bucket The bucket.
   * @param prefix Keys starting with this.
   * @param options Page size, abort signal.
   * @returns An async iterator of objects.
   */
  async *listObjects(
    bucket: string,
    prefix: string,
    options: { pageSize?: number; signal?: AbortSignal } = {},
  ): AsyncGenerator<LeanListed> {
    type Page = { objects: LeanListed[]; next?: string };
    const page = async (token?: string): Promise<Page> => {
      const query: Record<string, string> = {
        "list-type": "2",
        "max-keys": String(options.pageSize ?? 1000),
      };
      if (prefix) query.prefix = prefix;
      if (token) query["continuation-token"] = token;
      const response = await this.send({
        method: "GET",
        bucket,
        query,
        signal: options.signal,
        operation: "ListObjectsV2",
      });
      return parseListing(await response.text());
    };
    let next: Promise<Page> | undefined = page();
    while (next) {
      const current: Page = await next;
      next = current.next ? page(current.next) : undefined;
      // A failed prefetch is reported when it is awaited, not as an unhandled rejection.
      next?.catch(() => {});
      yield* current.objects;
    }
  }

  /**
   * Deletes up to 1000 keys in one request (DeleteObjects, quiet).
   *
   * @param bucket The bucket.
   * @param keys The keys.
   * @param signal Aborts the request.
   * @returns The keys the server refused, with its code and message.
   */
  async deleteObjects(
    bucket: string,
    keys: string[],
    signal?: AbortSignal,
  ): Promise<{ key: string; code?: string; message?: string }[]> {
    const xml = `<?xml version="1.0" encoding="UTF-8"?><Delete><Quiet>true</Quiet>${
      keys.map((k) => `<Object><Key>${escapeXml(k)}</Key></Object>`).join("")
    }</Delete>`;
    const body = new TextEncoder().encode(xml);
    // S3 wants the MD5 of a batch delete; loaded here, as `node:crypto` slows every start-up.
    const { md5Hex } = await import("./_etag.ts");
    const md5 = md5Hex(body);
    const response = await this.send({
      method: "POST",
      bucket,
      query: { delete: "" },
      headers: { "content-md5": hexToBase64(md5), "content-type": "application/xml" },
      body,
      signal,
      operation: "DeleteObjects",
    });
    const text = await response.text();
    return [...blocks(text, "Error")].map((e) => ({
      key: tag(e, "Key") ?? "",
      code: tag(e, "Code"),
      message: tag(e, "Message"),
    }));
  }
}

/**
 * Reads a ListObjectsV2 answer: its objects and the token of the next page.
 *
 * @param xml The response body.
 * @returns The objects and, when the listing is truncated, the next continuation token.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseListing } from "./_lean.ts";
 *
 * const page = parseListing(
 *   "<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>a &amp; b</Key>" +
 *     "<LastModified>2026-01-02T03:04:05.000Z</LastModified><ETag>&quot;x&quot;</ETag>" +
 *     "<Size>3</Size></Contents></ListBucketResult>",
 * );
 * assert.deepEqual(page.objects.map((o) => [o.key, o.size, o.etag]), [["a & b", 3, '"x"']]);
 * assert.equal(page.next, undefined);
 * ```
 */
export function parseListing(xml: string): { objects: LeanListed[]; next?: string } {
  const objects: LeanListed[] = [];
  for (const block of blocks(xml, "Contents")) {
    const modified = tag(block, "LastModified");
    objects.push({
      key: tag(block, "Key") ?? "",
      size: Number(tag(block, "Size") ?? 0),
      etag: tag(block, "ETag"),
      lastModified: modified ? new Date(modified) : undefined,
    });
  }
  // Only what precedes the first <Contents> can hold the page's own fields, keys cannot fool it.
  const head = xml.slice(0, Math.max(0, xml.indexOf("<Contents>")) || xml.length);
  const tail = xml.slice(xml.lastIndexOf("</Contents>") + 1);
  const truncated = (tag(head, "IsTruncated") ?? tag(tail, "IsTruncated")) === "true";
  const token = tag(head, "NextContinuationToken") ?? tag(tail, "NextContinuationToken");
  return { objects, next: truncated ? token : undefined };
}

const LEAN = new WeakMap<object, LeanClient>();

/**
 * The lean client for a connection, when the lean path applies: an endpoint known and fixed
 * keys (a profile's may be temporary ones the SDK refreshes). Nothing else decides it: neither
 * the trace (which the client records itself into) nor `debug` or a `logger` (whose SDK log
 * lines then cover the SDK's requests only), so what goes on the wire does not depend on them.
 *
 * @param resolved Where the connection goes and its keys (`connect_options.ts`).
 * @param options The options, for attempts and timeout.
 * @param trace The trace to record each attempt in.
 * @param crypto The signing primitives: Web Crypto's unless given (`core/web_crypto.ts`).
 * @returns The client, or undefined when the SDK must be used.
 */
export function leanClientFor(
  resolved: ResolvedConnection,
  options: ConnectOptions,
  trace?: ExchangeSink,
  crypto?: SigningPrimitives,
): LeanClient | undefined {
  const { endpoint, keys } = resolved;
  if (!endpoint || !keys) return undefined;
  return new LeanClient({
    endpoint,
    region: resolved.region,
    pathStyle: resolved.pathStyle,
    keys,
    maxAttempts: options.maxAttempts ?? 3,
    timeoutMs: options.timeoutMs,
    cluster: resolved.cluster,
    trace,
    crypto,
  });
}

/**
 * Gives a connection its lean client. `connect()` does this when it knows the keys.
 *
 * @param connection The connection.
 * @param client Its lean client.
 */
export function setLeanClient(connection: object, client: LeanClient): void {
  LEAN.set(connection, client);
}

/**
 * The lean client of a connection, when it has one; whether the trace is on plays no part (the
 * lean client records into the same trace).
 *
 * @param connection The connection.
 * @returns The lean client, or `undefined`.
 */
export function leanClientOf(connection: object): LeanClient | undefined {
  return LEAN.get(connection);
}
