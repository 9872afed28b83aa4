/**
 * Anonymous requests: {@linkcode probe} fetches a URL with no signature, as a browser would, and
 * reports the status, the S3 error code and the content type, recording it in a trace if given.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import type { LookupFunction } from "node:net";
import { escapeHtml, paint, View } from "./display.ts";
import { statusText } from "./status_text.ts";
import { redactUrl } from "./redact.ts";
import type { Traffic } from "./traffic.ts";

/**
 * What an anonymous request got: the status, the S3 error code and the content type. Its URL is
 * redacted, so it is safe to print.
 */
export class ProbeResult extends View {
  /** HTTP method used. */
  readonly method: string;
  /** The URL, signatures redacted. */
  readonly url: string;
  /** HTTP status, `0` when the request failed without a response. */
  readonly status: number;
  /** S3 error code from the XML body, e.g. `AccessDenied`. */
  readonly code?: string;
  /** The response's content type. */
  readonly contentType?: string;
  /** Bytes in the response body. */
  readonly bytes: number;
  /** Why no response came, when `status` is 0. */
  readonly error?: string;

  /**
   * Builds a result; {@linkcode probe} does this.
   *
   * @param fields The fields.
   */
  constructor(fields: {
    method: string;
    url: string;
    status: number;
    code?: string;
    contentType?: string;
    bytes: number;
    error?: string;
  }) {
    super();
    this.method = fields.method;
    this.url = redactUrl(fields.url);
    this.status = fields.status;
    this.code = fields.code;
    this.contentType = fields.contentType;
    this.bytes = fields.bytes;
    this.error = fields.error;
  }

  /** Whether the status is 2xx. */
  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  /**
   * The result in one line.
   *
   * @param color Whether colours may be used.
   * @returns e.g. `GET http://… → 403 Forbidden AccessDenied (application/xml)`.
   */
  toText(color = false): string {
    const outcome = this.status === 0
      ? `no response: ${this.error}`
      : `${statusText(this.status)}${this.code ? ` ${this.code}` : ""}` +
        (this.contentType ? ` (${this.contentType}, ${this.bytes} bytes)` : "");
    return `Anonymous ${this.method} → ` +
      paint(outcome, this.ok ? "green" : this.status >= 500 ? "red" : "yellow", color);
  }

  /**
   * The result as HTML.
   *
   * @returns A paragraph.
   */
  toHtml(): string {
    const colour = this.ok ? "#1a7f37" : "#9a6700";
    return `<p>Anonymous ${escapeHtml(this.method)} → <b style="color:${colour}">` +
      `${escapeHtml(this.toText(false).split("→ ")[1] ?? "")}</b></p>`;
  }
}

/** How to probe. */
export interface ProbeOptions {
  /** Record the request in this trace. */
  trace?: Traffic;
  /** HTTP method. @default "GET" */
  method?: "GET" | "HEAD";
  /** Give up after this many milliseconds. @default 10000 */
  timeoutMs?: number;
}

/** RFC 6761: every `*.localhost` name is loopback. */
const localhostLookup: LookupFunction = (hostname, options, callback) => {
  // deno-lint-ignore no-explicit-any
  const cb = callback as any;
  if (hostname === "localhost" || hostname.endsWith(".localhost")) {
    if ((options as { all?: boolean }).all) cb(null, [{ address: "127.0.0.1", family: 4 }]);
    else cb(null, "127.0.0.1", 4);
    return;
  }
  import("node:dns").then((dns) => dns.lookup(hostname, options, callback));
};

/**
 * Fetches a URL anonymously (no signature, like a browser) and reports the status, the S3
 * error code and the content type. The body is read and dropped. Names under `.localhost`
 * resolve to 127.0.0.1, so virtual-host URLs of a local server work.
 *
 * @param url The URL, e.g. from `publicUrl()` or `presignGet()`.
 * @param options Trace to record in, method, timeout.
 * @returns The outcome; a network failure gives status 0 and `error`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { connect, probe, publicUrl } from "./mod.ts";
 *
 * await using s3 = await connect();
 * const result = await probe(publicUrl(s3, "photos", "cloud.png"), { trace: s3.trace });
 * assert.deepEqual([result.status, result.code], [404, "NoSuchBucket"]);
 * assert.equal(s3.trace.entries.at(-1)?.source, "probe");
 * ```
 */
export async function probe(url: string, options: ProbeOptions = {}): Promise<ProbeResult> {
  const method = options.method ?? "GET";
  const target = new URL(url);
  const started = performance.now();
  let status = 0;
  let headers: Record<string, string> = {};
  let body: Uint8Array = new Uint8Array();
  let failure: string | undefined;
  try {
    ({ status, headers, body } = await send(target, method, options.timeoutMs ?? 10_000));
  } catch (error) {
    failure = (error as Error).message;
  }
  const text = new TextDecoder().decode(body.subarray(0, 64 * 1024));
  const code = status >= 300 ? text.match(/<Code>([^<]+)<\/Code>/)?.[1] : undefined;
  const contentType = headers["content-type"];
  const bytes = Number(headers["content-length"] ?? body.byteLength);
  options.trace?.record({
    source: "probe",
    method,
    url,
    status,
    code: code ?? (failure ? "NetworkError" : undefined),
    requestHeaders: { host: target.host },
    responseHeaders: Object.fromEntries(
      [
        "content-type",
        "content-length",
        "etag",
        "x-amz-request-id",
        "x-amz-version-id",
        "x-amz-delete-marker",
      ]
        .filter((n) => headers[n] !== undefined)
        .map((n) => [n, headers[n]]),
    ),
    bytesSent: 0,
    bytesReceived: bytes,
    ms: Math.round((performance.now() - started) * 10) / 10,
  });
  return new ProbeResult({ method, url, status, code, contentType, bytes, error: failure });
}

function send(
  url: URL,
  method: string,
  timeoutMs: number,
): Promise<{ status: number; headers: Record<string, string>; body: Uint8Array }> {
  return new Promise((resolve, reject) => {
    const requester = url.protocol === "https:" ? httpsRequest : httpRequest;
    const req = requester(url, { method, lookup: localhostLookup, timeout: timeoutMs }, (res) => {
      const chunks: Uint8Array[] = [];
      res.on("data", (chunk: Uint8Array) => chunks.push(chunk));
      res.on("error", reject);
      res.on("end", () => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) {
          if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : v;
        }
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers, body });
      });
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end();
  });
}
