/**
 * A trace of HTTP traffic: every request an `S3Client` sends (through a middleware) and every
 * anonymous probe, with method, URL, status, key headers, bytes and duration. Signatures, session
 * tokens and registered secrets are redacted before anything is stored.
 *
 * @module
 */

import { STATUS_CODES } from "node:http";
import type { S3Client } from "@aws-sdk/client-s3";
import { escapeHtml, formatBytes, paint, Stack, toView, View } from "./display.ts";

/** What replaces a secret in anything recorded or printed. */
export const REDACTED = "REDACTED";

/** One request and its response, as recorded. */
export interface Exchange {
  /** Position in the trace, from 1. */
  seq: number;
  /** `"sdk"` for requests an `S3Client` sent, `"probe"` for anonymous probes. */
  source: "sdk" | "probe";
  /** The SDK command, e.g. `PutObject`, when known. */
  operation?: string;
  /** HTTP method. */
  method: string;
  /** Full URL, with signatures redacted. */
  url: string;
  /** HTTP status, `0` when no response came (network error). */
  status: number;
  /** S3 error code from the response body, e.g. `AccessDenied`. */
  code?: string;
  /** Key request headers, lower-case names, redacted. */
  requestHeaders: Record<string, string>;
  /** Key response headers, lower-case names. */
  responseHeaders: Record<string, string>;
  /** Request body size in bytes, from `content-length` when present. */
  bytesSent: number;
  /** Response body size in bytes, from `content-length` when present. */
  bytesReceived: number;
  /** Milliseconds from sending to the parsed response. */
  ms: number;
}

/** The fields a caller gives {@linkcode Traffic.prototype.record}. */
export type ExchangeInput = Omit<Exchange, "seq">;

const REQUEST_HEADERS = [
  "host",
  "content-type",
  "content-length",
  "content-md5",
  "range",
  "x-amz-acl",
  "x-amz-content-sha256",
  "x-amz-date",
  "x-amz-security-token",
  "amz-sdk-request",
  "authorization",
];
const RESPONSE_HEADERS = [
  "content-type",
  "content-length",
  "etag",
  "location",
  "x-amz-request-id",
];

/**
 * Redacts the signature and session-token values in a URL's query string.
 *
 * @param url A URL, e.g. a presigned link.
 * @returns The URL with `X-Amz-Signature`, `Signature` and `X-Amz-Security-Token` values replaced.
 *
 * @example Usage
 * ```ts
 * import { redactUrl } from "./traffic.ts";
 *
 * console.log(redactUrl("http://h/b/k?X-Amz-Signature=abc&x=1"));
 * // http://h/b/k?X-Amz-Signature=REDACTED&x=1
 * ```
 */
export function redactUrl(url: string): string {
  return url.replace(
    /([?&](?:X-Amz-Signature|Signature|X-Amz-Security-Token)=)[^&#]*/gi,
    `$1${REDACTED}`,
  );
}

/**
 * Redacts the signature in an `Authorization` header value (SigV4 and SigV2).
 *
 * @param value The header value.
 * @returns The value with the signature replaced; the access key id and scope stay visible.
 *
 * @example Usage
 * ```ts
 * import { redactAuthorization } from "./traffic.ts";
 *
 * console.log(redactAuthorization("AWS4-HMAC-SHA256 Credential=K/x, Signature=beef"));
 * // AWS4-HMAC-SHA256 Credential=K/x, Signature=REDACTED
 * ```
 */
export function redactAuthorization(value: string): string {
  if (/^AWS [^:\s]+:/.test(value)) return value.replace(/^(AWS [^:\s]+:).*$/, `$1${REDACTED}`);
  return value.replace(/(Signature=)[^,\s]*/gi, `$1${REDACTED}`);
}

/**
 * Replaces every occurrence of the given secrets in a text.
 *
 * @param text Any text.
 * @param secrets Values that must never be shown; values shorter than 4 characters are ignored.
 * @returns The text with each secret replaced by `REDACTED`.
 *
 * @example Usage
 * ```ts
 * import { redactSecrets } from "./traffic.ts";
 *
 * console.log(redactSecrets("key=hunter22", ["hunter22"])); // key=REDACTED
 * ```
 */
export function redactSecrets(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 4 && out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  return out;
}

/** A by-name getter over a plain header object whose names may be in any case. */
function lowerCaseLookup(
  headers: Record<string, string | string[] | undefined>,
): (name: string) => string | undefined {
  const byName = new Map<string, string | string[] | undefined>();
  for (const [k, v] of Object.entries(headers)) byName.set(k.toLowerCase(), v);
  return (name) => {
    const v = byName.get(name);
    return Array.isArray(v) ? v.join(", ") : v;
  };
}

function pickHeaders(
  headers: Record<string, string | string[] | undefined> | Headers | undefined,
  names: readonly string[],
): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  const get = headers instanceof Headers
    ? (n: string) => headers.get(n) ?? undefined
    : lowerCaseLookup(headers);
  for (const name of names) {
    const value = get(name);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/**
 * A recorder of HTTP exchanges. Attach it to an `S3Client` with
 * {@linkcode Traffic.prototype.attach}; pass it to `probe()` to record anonymous requests.
 *
 * @example Usage
 * ```ts
 * import { Traffic } from "./traffic.ts";
 *
 * const trace = new Traffic();
 * trace.record({
 *   source: "probe",
 *   method: "GET",
 *   url: "http://127.0.0.1:9000/b/k?X-Amz-Signature=abc",
 *   status: 200,
 *   requestHeaders: {},
 *   responseHeaders: {},
 *   bytesSent: 0,
 *   bytesReceived: 5,
 *   ms: 1,
 * });
 * console.log(trace.entries[0].url); // http://127.0.0.1:9000/b/k?X-Amz-Signature=REDACTED
 * ```
 */
export class Traffic {
  #entries: Exchange[] = [];
  #secrets = new Set<string>();
  #shown = 0;
  #seq = 0;
  /** Whether exchanges are recorded; set to `false` to trace nothing. */
  enabled = true;
  /** How many exchanges are kept; the oldest are dropped beyond it. */
  readonly limit: number;

  /**
   * Builds an empty trace.
   *
   * @param limit How many exchanges to keep.
   */
  constructor(limit = 1000) {
    this.limit = limit;
  }

  /** The recorded exchanges, oldest first. */
  get entries(): readonly Exchange[] {
    return this.#entries;
  }

  /**
   * Registers a value that must never appear in the trace (e.g. a secret key).
   *
   * @param secret The value to redact wherever it shows up.
   */
  addSecret(secret: string): void {
    if (secret) this.#secrets.add(secret);
  }

  /**
   * Records one exchange, redacting signatures, tokens and registered secrets first.
   *
   * @param input The exchange.
   * @returns The stored exchange, or `undefined` when tracing is disabled.
   */
  record(input: ExchangeInput): Exchange | undefined {
    if (!this.enabled) return undefined;
    const scrub = (text: string) => redactSecrets(text, this.#secrets);
    const requestHeaders: Record<string, string> = {};
    for (const [name, value] of Object.entries(input.requestHeaders)) {
      const n = name.toLowerCase();
      requestHeaders[n] = scrub(
        n === "authorization"
          ? redactAuthorization(value)
          : n === "x-amz-security-token"
          ? REDACTED
          : value,
      );
    }
    const responseHeaders: Record<string, string> = {};
    for (const [name, value] of Object.entries(input.responseHeaders)) {
      responseHeaders[name.toLowerCase()] = scrub(value);
    }
    const exchange: Exchange = {
      ...input,
      seq: ++this.#seq,
      url: scrub(redactUrl(input.url)),
      code: input.code === undefined ? undefined : scrub(input.code),
      requestHeaders,
      responseHeaders,
    };
    this.#entries.push(exchange);
    // shift() trims in place; splice(0, n) would copy the whole array on every request.
    while (this.#entries.length > this.limit) {
      this.#entries.shift();
      this.#shown = Math.max(0, this.#shown - 1);
    }
    return exchange;
  }

  /**
   * Adds a middleware to the client that records every HTTP attempt it makes (retries
   * included). Attaching twice to the same client replaces the first one. `connect()` does this.
   * (Hidden from `deno doc`, whose linter flags npm types as private: denoland/deno#27364.)
   *
   * @param client The SDK's `S3Client`.
   * @returns The same client.
   * @ignore
   */
  attach(client: S3Client): S3Client {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (!this.enabled) return next(args);
        // deno-lint-ignore no-explicit-any
        const request = args.request as any;
        const started = performance.now();
        const base = () => ({
          source: "sdk" as const,
          operation: typeof context.commandName === "string"
            ? context.commandName.replace(/Command$/, "")
            : undefined,
          method: String(request?.method ?? "?"),
          url: requestUrl(request),
          requestHeaders: pickHeaders(request?.headers, REQUEST_HEADERS),
          bytesSent: Number(request?.headers?.["content-length"] ?? bodyLength(request?.body)),
          ms: Math.round((performance.now() - started) * 10) / 10,
        });
        try {
          const result = await next(args);
          // deno-lint-ignore no-explicit-any
          const response = result.response as any;
          this.record({
            ...base(),
            status: Number(response?.statusCode ?? 0),
            responseHeaders: pickHeaders(response?.headers, RESPONSE_HEADERS),
            bytesReceived: Number(response?.headers?.["content-length"] ?? 0),
          });
          return result;
        } catch (error) {
          // deno-lint-ignore no-explicit-any
          const e = error as any;
          const response = e?.$response;
          const status = Number(response?.statusCode ?? e?.$metadata?.httpStatusCode ?? 0);
          this.record({
            ...base(),
            status,
            code: status === 0
              ? (e?.code ?? e?.name)
              : (e?.Code ?? (e?.name !== "UnknownError" ? e?.name : undefined)),
            responseHeaders: pickHeaders(response?.headers, RESPONSE_HEADERS),
            bytesReceived: Number(response?.headers?.["content-length"] ?? 0),
          });
          throw error;
        }
      },
      { step: "deserialize", priority: "high", name: "trafficRecorder", override: true },
    );
    return client;
  }

  /**
   * A view of exchanges: all of them, or those from `start` on.
   *
   * @param start Index of the first exchange to show.
   * @returns A view that prints as lines and renders as an HTML table.
   */
  view(start = 0): TrafficView {
    return new TrafficView(this.#entries.slice(start));
  }

  /**
   * Shows a value above the exchanges recorded since the previous `show()`, then moves the mark:
   * a notebook cell ending with `trace.show(x)` renders both.
   *
   * @param value The result to show first; omit it to show only the traffic.
   * @returns A view of the value and the new traffic.
   */
  show(value?: unknown): View {
    const traffic = this.view(this.#shown);
    this.#shown = this.#entries.length;
    return value === undefined ? traffic : new Stack([toView(value), traffic]);
  }

  /** Forgets every exchange. */
  clear(): void {
    this.#entries = [];
    this.#shown = 0;
  }
}

// deno-lint-ignore no-explicit-any
function requestUrl(request: any): string {
  if (!request) return "?";
  const port = request.port ? `:${request.port}` : "";
  const query = Object.entries(request.query ?? {}).flatMap(([k, v]) =>
    v === null || v === undefined
      ? [encodeURIComponent(k)]
      : (Array.isArray(v) ? v : [v]).map((x) =>
        `${encodeURIComponent(k)}=${encodeURIComponent(String(x))}`
      )
  );
  const qs = query.length ? `?${query.join("&")}` : "";
  return `${request.protocol ?? "http:"}//${request.hostname}${port}${request.path ?? "/"}${qs}`;
}

function bodyLength(body: unknown): number {
  if (typeof body === "string") return new TextEncoder().encode(body).length;
  if (body instanceof Uint8Array) return body.byteLength;
  return 0;
}

function statusColor(status: number): "green" | "cyan" | "yellow" | "red" {
  if (status >= 200 && status < 300) return "green";
  if (status >= 300 && status < 400) return "cyan";
  if (status >= 400 && status < 500) return "yellow";
  return "red";
}

/**
 * Describes an HTTP status for people: `403 Forbidden`.
 *
 * @param status The status code, `0` for no response.
 * @returns The code and its reason phrase.
 *
 * @example Usage
 * ```ts
 * import { statusText } from "./traffic.ts";
 *
 * console.log(statusText(409)); // 409 Conflict
 * ```
 */
export function statusText(status: number): string {
  return status === 0 ? "no response" : `${status} ${STATUS_CODES[status] ?? ""}`.trimEnd();
}

/**
 * Exchanges as a view: one line each in a terminal, an HTML table in a notebook.
 *
 * @example Usage
 * ```ts
 * import { TrafficView } from "./traffic.ts";
 *
 * console.log(new TrafficView([]).toText()); // (no requests)
 * ```
 */
export class TrafficView extends View {
  /** The exchanges shown. */
  readonly entries: readonly Exchange[];

  /**
   * Builds a view.
   *
   * @param entries The exchanges, oldest first.
   */
  constructor(entries: readonly Exchange[]) {
    super();
    this.entries = entries;
  }

  /**
   * One line per exchange: method, URL, status, code, bytes, time and operation.
   *
   * @param color Whether colours may be used.
   * @returns The lines.
   */
  toText(color = false): string {
    if (this.entries.length === 0) return paint("  (no requests)", "dim", color);
    return this.entries.map((e) => {
      const status = paint(
        `${statusText(e.status)}${e.code ? ` ${e.code}` : ""}`,
        statusColor(e.status),
        color,
      );
      const size = `↑${formatBytes(e.bytesSent)} ↓${formatBytes(e.bytesReceived)}`;
      const attempt = /attempt=(\d+)/.exec(e.requestHeaders["amz-sdk-request"] ?? "")?.[1];
      const who = (e.operation ?? (e.source === "probe" ? "anonymous" : "")) +
        (attempt && attempt !== "1" ? ` (attempt ${attempt})` : "");
      return `  ${paint(e.method.padEnd(7), "bold", color)}${e.url}\n` +
        `        → ${status}  ${paint(`${size}  ${e.ms} ms  ${who}`, "dim", color)}`;
    }).join("\n");
  }

  /**
   * The exchanges as an HTML table with the key headers of each.
   *
   * @returns A `<table>` element.
   */
  toHtml(): string {
    if (this.entries.length === 0) return "<p><i>(no requests)</i></p>";
    const headers = (h: Record<string, string>) =>
      Object.entries(h).map(([k, v]) => `${escapeHtml(k)}: ${escapeHtml(v)}`).join("<br>");
    const rows = this.entries.map((e) => {
      const colour = { green: "#1a7f37", cyan: "#0969da", yellow: "#9a6700", red: "#cf222e" }[
        statusColor(e.status)
      ];
      return `<tr><td>${e.seq}</td><td>${escapeHtml(e.operation ?? "anonymous")}</td>` +
        `<td><code>${escapeHtml(e.method)}</code></td>` +
        `<td style="text-align:left;word-break:break-all"><code>${escapeHtml(e.url)}</code></td>` +
        `<td style="color:${colour}"><b>${escapeHtml(statusText(e.status))}</b>` +
        `${e.code ? `<br>${escapeHtml(e.code)}` : ""}</td>` +
        `<td>${formatBytes(e.bytesSent)}</td><td>${formatBytes(e.bytesReceived)}</td>` +
        `<td>${e.ms}</td>` +
        `<td style="text-align:left;font-size:smaller"><details><summary>headers</summary>` +
        `<b>request</b><br>${headers(e.requestHeaders)}<br><b>response</b><br>` +
        `${headers(e.responseHeaders)}</details></td></tr>`;
    });
    return `<table><thead><tr><th>#</th><th>operation</th><th>method</th>` +
      `<th style="text-align:left">URL</th><th>status</th><th>sent</th><th>received</th>` +
      `<th>ms</th><th>headers</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
  }
}
