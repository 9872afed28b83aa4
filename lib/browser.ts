/**
 * Requests as a web page's browser sends them, for scripts and chapters that show what the page
 * will meet: {@linkcode preflight} (the `OPTIONS` a browser sends before a cross-origin PUT) and
 * {@linkcode postForm} (a presigned POST form with its file). Both are unsigned, as a browser's
 * are, and recorded in a trace when given one, so the trace shows preflights and form uploads
 * beside the SDK's requests.
 *
 * @module
 */

import { escapeHtml, paint, View } from "./display.ts";
import { statusText } from "./status_text.ts";
import type { PresignedPost } from "./cors.ts";
import { redactUrl } from "./redact.ts";
import type { Traffic } from "./traffic.ts";

/** The `Access-Control-*` headers a response carried (and `Vary`), lower-case names. */
function corsHeadersOf(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of headers) {
    if (name.startsWith("access-control-") || name === "vary") out[name] = value;
  }
  return out;
}

const KEPT = ["content-type", "content-length", "etag", "location", "x-amz-request-id"];

/** What a browser-style request got: status, S3 error code and the CORS headers. */
export class BrowserResult extends View {
  /** `OPTIONS` (a preflight) or `POST` (a form upload). */
  readonly method: string;
  /** The URL, signatures redacted. */
  readonly url: string;
  /** The `Origin` sent. */
  readonly origin?: string;
  /** HTTP status, `0` when no response came. */
  readonly status: number;
  /** S3 error code from the XML body. */
  readonly code?: string;
  /** The `Access-Control-*` headers of the answer: what the browser decides on. */
  readonly cors: Record<string, string>;
  /** Why no response came, when `status` is 0. */
  readonly error?: string;

  /**
   * Builds a result; {@linkcode preflight} and {@linkcode postForm} do this.
   *
   * @param fields The fields.
   */
  constructor(fields: {
    method: string;
    url: string;
    origin?: string;
    status: number;
    code?: string;
    cors: Record<string, string>;
    error?: string;
  }) {
    super();
    this.method = fields.method;
    this.url = redactUrl(fields.url);
    this.origin = fields.origin;
    this.status = fields.status;
    this.code = fields.code;
    this.cors = fields.cors;
    this.error = fields.error;
  }

  /** Whether the status is 2xx (a 303 redirect after a form counts too). */
  get ok(): boolean {
    return (this.status >= 200 && this.status < 300) || this.status === 303;
  }

  /** Whether a browser at `origin` may read the answer (`Access-Control-Allow-Origin` fits). */
  get allowed(): boolean {
    const allow = this.cors["access-control-allow-origin"];
    return allow === "*" || (allow !== undefined && allow === this.origin);
  }

  /**
   * The result in one line.
   *
   * @param color Whether colours may be used.
   * @returns e.g. `OPTIONS from http://app.test → 403 Forbidden AccessDenied`.
   */
  toText(color = false): string {
    const outcome = this.status === 0
      ? `no response: ${this.error}`
      : `${statusText(this.status)}${this.code ? ` ${this.code}` : ""}`;
    const cors = Object.entries(this.cors).map(([n, v]) => `${n}: ${v}`).join("; ");
    return `${this.method}${this.origin ? ` from ${this.origin}` : ""} → ` +
      paint(outcome, this.ok ? "green" : this.status >= 500 ? "red" : "yellow", color) +
      (cors ? `\n  ${cors}` : "");
  }

  /**
   * The result as HTML.
   *
   * @returns A paragraph.
   */
  toHtml(): string {
    const colour = this.ok ? "#1a7f37" : "#9a6700";
    const cors = Object.entries(this.cors).map(([n, v]) =>
      `<br><code>${escapeHtml(n)}: ${escapeHtml(v)}</code>`
    ).join("");
    return `<p>${escapeHtml(this.method)}${
      this.origin ? ` from <code>${escapeHtml(this.origin)}</code>` : ""
    } → <b style="color:${colour}">${
      escapeHtml(statusText(this.status) + (this.code ? ` ${this.code}` : ""))
    }</b>${cors}</p>`;
  }
}

/** Where to record, and how long to wait. */
export interface BrowserOptions {
  /** Record the request in this trace. */
  trace?: Traffic;
  /** Give up after this many milliseconds. @default 10000 */
  timeoutMs?: number;
}

async function exchange(
  url: string,
  init: { method: string; headers: Record<string, string>; body?: FormData },
  options: BrowserOptions,
  bytesSent: number,
): Promise<BrowserResult> {
  const started = performance.now();
  let status = 0;
  let headers = new Headers();
  let text = "";
  let error: string | undefined;
  try {
    const response = await fetch(url, {
      ...init,
      redirect: "manual",
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
    status = response.status;
    headers = response.headers;
    text = await response.text();
  } catch (caught) {
    error = (caught as Error).message;
  }
  const code = status >= 300 && status !== 303
    ? text.match(/<Code>([^<]+)<\/Code>/)?.[1]
    : undefined;
  const cors = corsHeadersOf(headers);
  options.trace?.record({
    source: "probe",
    operation: init.method === "OPTIONS" ? "Preflight" : "PostObject",
    method: init.method,
    url,
    status,
    code: code ?? (error ? "NetworkError" : undefined),
    requestHeaders: { host: new URL(url).host, ...init.headers },
    responseHeaders: {
      ...Object.fromEntries(KEPT.filter((n) => headers.has(n)).map((n) => [n, headers.get(n)!])),
      ...cors,
    },
    bytesSent,
    bytesReceived: Number(headers.get("content-length") ?? text.length),
    ms: Math.round((performance.now() - started) * 10) / 10,
  });
  return new BrowserResult({
    method: init.method,
    url,
    origin: init.headers.origin,
    status,
    code,
    cors,
    error,
  });
}

/** What a preflight asks. */
export interface PreflightOptions extends BrowserOptions {
  /** The method the page wants to send. @default "PUT" */
  method?: string;
  /** The headers the page wants to send (`Access-Control-Request-Headers`). */
  headers?: string[];
}

/**
 * Sends the preflight a browser at `origin` sends before a cross-origin request: `OPTIONS` with
 * `Origin` and `Access-Control-Request-Method`, never signed. 200 with
 * `Access-Control-Allow-Origin` means the browser goes on; 403 means the page sees a CORS error.
 *
 * @param url The URL the page will call (an object's, or a presigned one).
 * @param origin The page's origin, e.g. `http://localhost:5173`.
 * @param options Method and headers asked for, trace, timeout.
 * @returns The answer and its CORS headers.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { connect, createBucket, deleteBucket, preflight, publicUrl, setBucketCors } from "./mod.ts";
 *
 * await using s3 = await connect();
 * const bucket = await createBucket(s3);
 * const url = publicUrl(s3, bucket, "photo.png", { style: "path" });
 * assert.equal((await preflight(url, "http://app.test", { trace: s3.trace })).status, 403);
 * await setBucketCors(s3, bucket, [{ AllowedOrigins: ["http://app.test"], AllowedMethods: ["PUT"] }]);
 * assert.ok((await preflight(url, "http://app.test")).allowed);
 * await deleteBucket(s3, bucket);
 * ```
 */
export function preflight(
  url: string,
  origin: string,
  options: PreflightOptions = {},
): Promise<BrowserResult> {
  const headers: Record<string, string> = {
    origin,
    "access-control-request-method": options.method ?? "PUT",
  };
  if (options.headers?.length) {
    headers["access-control-request-headers"] = options.headers.join(", ");
  }
  return exchange(url, { method: "OPTIONS", headers }, options, 0);
}

/** A form upload's file and origin. */
export interface PostFormOptions extends BrowserOptions {
  /** The page's origin, sent as `Origin` as a browser does. */
  origin?: string;
  /** The file's name in the form. @default "upload" */
  filename?: string;
}

/**
 * Posts a presigned POST form with its file, as a browser's `<form>` or `FormData` does: the
 * fields first, the `file` field last.
 *
 * @param post From `presignPost()`.
 * @param file The file's bytes.
 * @param options Origin, file name, trace, timeout.
 * @returns The answer: 204 (or the form's `success_action_status`), 303 for a redirect.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { connect, createBucket, deleteBucket, deleteObject, postForm, presignPost } from "./mod.ts";
 *
 * await using s3 = await connect();
 * const bucket = await createBucket(s3);
 * const post = await presignPost(s3, bucket, "note.txt", { contentLengthRange: [1, 100] });
 * assert.equal((await postForm(post, "hello", { trace: s3.trace })).status, 204);
 * assert.equal(s3.trace.entries.at(-1)?.operation, "PostObject");
 * await deleteObject(s3, bucket, "note.txt");
 * await deleteBucket(s3, bucket);
 * ```
 */
export function postForm(
  post: PresignedPost,
  file: string | Uint8Array<ArrayBuffer> | Blob,
  options: PostFormOptions = {},
): Promise<BrowserResult> {
  const form = new FormData();
  for (const [name, value] of Object.entries(post.fields)) form.append(name, value);
  const blob = file instanceof Blob ? file : new Blob([file]);
  form.append("file", blob, options.filename ?? "upload");
  const headers: Record<string, string> = options.origin ? { origin: options.origin } : {};
  return exchange(post.url, { method: "POST", headers, body: form }, options, blob.size);
}
