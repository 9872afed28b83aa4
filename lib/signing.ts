/**
 * Signatures by hand: catch a request the SDK signed on its way to the wire, rebuild its
 * Signature V4 step by step (canonical request, string to sign, signing key, signature) and
 * compare it with the one the SDK sent; sign a request with Signature V2 (HMAC-SHA1, boto 2's
 * scheme); send a caught request again, changed or signed at another time, to see what a server
 * says. The hashing and canonicalisation are the embedded server's own verifier code
 * (`server/auth/`), loaded on first use, so what is shown is what a server checks.
 *
 * The secret key is read from the connection's credentials and never shown; the signing key
 * only by its first bytes.
 *
 * @module
 */

import type { Connection } from "./connect.ts";
import { sha256Hex, signingKey, signV2, signV4 } from "../core/crypto.ts";
import {
  canonicalQuery,
  canonicalRequest,
  parseQuery,
  splitTarget,
  stringToSignV4,
} from "../core/sigv4.ts";
import { stringToSignV2 } from "../core/sigv2.ts";
import { xmlText } from "../core/xml.ts";
import { escapeHtml, paint, Text, View } from "./display.ts";
import { redactAuthorization, redactUrl } from "./redact.ts";

/** A request as the SDK sent it: signed, headers final. */
export class CaughtRequest extends View {
  /** The SDK command, e.g. `PutObject`. */
  readonly operation: string;
  /** HTTP method. */
  readonly method: string;
  /** The full URL, query included (as sent: a presigned URL keeps its signature). */
  readonly url: string;
  /** Headers, lower-case names (the `authorization` header as sent). */
  readonly headers: Readonly<Record<string, string>>;
  /** The body, when it was bytes or text (not a stream). */
  readonly body?: Uint8Array;

  /**
   * Builds a caught request; {@linkcode catchRequest} makes them.
   *
   * @param fields Its parts.
   */
  constructor(fields: {
    operation: string;
    method: string;
    url: string;
    headers: Record<string, string>;
    body?: Uint8Array;
  }) {
    super();
    this.operation = fields.operation;
    this.method = fields.method;
    this.url = fields.url;
    this.headers = fields.headers;
    this.body = fields.body;
  }

  /**
   * The request line and its headers, signature redacted.
   *
   * @param color Whether colours may be used.
   * @returns Lines.
   */
  toText(color = false): string {
    const lines = Object.entries(this.headers).sort().map(([name, value]) =>
      `  ${name}: ${name === "authorization" ? redactAuthorization(value) : value}`
    );
    return [paint(`${this.method} ${redactUrl(this.url)}`, "bold", color), ...lines].join("\n");
  }

  /**
   * The same as HTML.
   *
   * @returns A `<pre>` block.
   */
  toHtml(): string {
    return `<pre>${escapeHtml(this.toText(false))}</pre>`;
  }
}

function lowerHeaders(headers: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value !== undefined) out[name.toLowerCase()] = String(value);
  }
  return out;
}

/** The URL of an SDK `HttpRequest`, query encoded as the SDK's HTTP handler encodes it. */
// deno-lint-ignore no-explicit-any
function urlOf(request: any): string {
  const port = request.port ? `:${request.port}` : "";
  const pairs: string[] = [];
  for (const [name, value] of Object.entries(request.query ?? {})) {
    for (const one of Array.isArray(value) ? value : [value]) {
      pairs.push(
        one === null || one === undefined
          ? encodeQuery(name)
          : `${encodeQuery(name)}=${encodeQuery(String(one))}`,
      );
    }
  }
  return `${request.protocol}//${request.hostname}${port}${request.path}` +
    (pairs.length ? `?${pairs.join("&")}` : "");
}

function encodeQuery(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

let catches = 0;

/**
 * Catches the next request the connection's SDK client sends (of one command, if named): the
 * signed request exactly as it goes to the HTTP handler, after every middleware. The request is
 * sent as usual; the promise resolves once it has been.
 *
 * @param s3 The connection.
 * @param operation Only a request of this command, e.g. `"GetObject"`. @default the next one
 * @returns The caught request.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { catchRequest, connect, createBucket } from "./mod.ts";
 *
 * await using s3 = await connect();
 * const caught = catchRequest(s3, "CreateBucket");
 * await createBucket(s3);
 * const request = await caught;
 * assert.equal(request.method, "PUT");
 * assert.match(request.headers.authorization, /^AWS4-HMAC-SHA256 Credential=/);
 * assert.doesNotMatch(request.toText(), /Signature=[0-9a-f]/);
 * ```
 */
export function catchRequest(s3: Connection, operation?: string): Promise<CaughtRequest> {
  const name = `catchRequest${++catches}`;
  return new Promise((resolve) => {
    s3.client.middlewareStack.add(
      (next, context) => async (args) => {
        const command = String(context.commandName ?? "").replace(/Command$/, "");
        if (operation !== undefined && command !== operation) return next(args);
        s3.client.middlewareStack.remove(name);
        // deno-lint-ignore no-explicit-any
        const request = args.request as any;
        const body = request.body;
        const caught = new CaughtRequest({
          operation: command,
          method: String(request.method),
          url: urlOf(request),
          headers: lowerHeaders(request.headers),
          body: typeof body === "string"
            ? new TextEncoder().encode(body)
            : body instanceof Uint8Array
            ? body
            : undefined,
        });
        try {
          return await next(args);
        } finally {
          resolve(caught);
        }
      },
      { step: "deserialize", priority: "low", name },
    );
  });
}

/** A Signature V4, rebuilt by hand, and the one the SDK sent. */
export class SignatureSteps extends View {
  /** Step 1: method, path, query, signed headers and payload hash, one per line. */
  readonly canonicalRequest: Text;
  /** Step 2: algorithm, time, scope and the canonical request's SHA-256. */
  readonly stringToSign: Text;
  /** Step 3: how the signing key comes from the secret key (its first bytes only). */
  readonly signingKey: Text;
  /** Step 4: the hex HMAC-SHA256 of the string to sign under the signing key. */
  readonly signature: string;
  /** The signature the SDK sent (`Authorization` header or `X-Amz-Signature`). */
  readonly sent: string;
  /** Whether the body's SHA-256 is the payload hash signed (`undefined` when not checked). */
  readonly payloadMatches?: boolean;

  /**
   * Builds the steps; {@linkcode signByHand} makes them.
   *
   * @param fields The parts.
   */
  constructor(fields: {
    canonicalRequest: string;
    stringToSign: string;
    signingKey: string;
    signature: string;
    sent: string;
    payloadMatches?: boolean;
  }) {
    super();
    this.canonicalRequest = new Text(fields.canonicalRequest);
    this.stringToSign = new Text(fields.stringToSign);
    this.signingKey = new Text(fields.signingKey);
    this.signature = fields.signature;
    this.sent = fields.sent;
    this.payloadMatches = fields.payloadMatches;
  }

  /** Whether the signature made by hand is the one the SDK sent. */
  get matches(): boolean {
    return this.signature === this.sent;
  }

  /**
   * Both signatures (their first 8 hex digits), one under the other, whether they are equal,
   * and (for a body sent as bytes) whether the body's SHA-256 is the payload hash signed.
   *
   * @returns The comparison, as text.
   */
  comparison(): Text {
    // Only the first 8 of the 64 hex digits: enough to see them equal, never a usable signature.
    const short = (signature: string) => `${signature.slice(0, 8)}… (64 hex digits)`;
    return new Text(
      `by hand:         ${short(this.signature)}\nsent by the SDK: ${short(this.sent)}\n` +
        (this.matches ? "equal: the signature made by hand is the one on the wire" : "DIFFERENT") +
        (this.payloadMatches === undefined
          ? ""
          : this.payloadMatches
          ? "\nthe body's SHA-256 is the x-amz-content-sha256 signed"
          : "\nthe body's SHA-256 is NOT the x-amz-content-sha256 signed"),
    );
  }

  /**
   * Every step, one after the other.
   *
   * @param color Whether colours may be used.
   * @returns Text.
   */
  toText(color = false): string {
    return [
      paint("canonical request", "bold", color),
      this.canonicalRequest.text,
      paint("string to sign", "bold", color),
      this.stringToSign.text,
      paint("signing key", "bold", color),
      this.signingKey.text,
      paint("signature", "bold", color),
      this.comparison().text,
    ].join("\n");
  }

  /**
   * Every step as HTML.
   *
   * @returns Headings and `<pre>` blocks.
   */
  toHtml(): string {
    return `<pre>${escapeHtml(this.toText(false))}</pre>`;
  }
}

/** The secret key of a connection, from its SDK credentials (never shown). */
async function secretOf(s3: Connection): Promise<string> {
  const credentials = await s3.client.config.credentials();
  return credentials.secretAccessKey;
}

const V4_HEADER =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/;

/**
 * Rebuilds the Signature V4 of a request the SDK signed (caught with {@linkcode catchRequest}) or
 * of a presigned URL, step by step, with the embedded server's verifier code and the
 * connection's secret key, and compares it with the signature that was sent.
 *
 * @param s3 The connection whose keys signed it.
 * @param request The caught request, or a presigned URL.
 * @returns The four steps and both signatures.
 * @throws {TypeError} When the request carries no Signature V4.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { catchRequest, connect, listBuckets, signByHand } from "./mod.ts";
 *
 * await using s3 = await connect();
 * const caught = catchRequest(s3);
 * await listBuckets(s3);
 * const steps = await signByHand(s3, await caught);
 * assert.ok(steps.matches);
 * assert.match(steps.canonicalRequest.text, /^GET\n\/\n/);
 * ```
 */
export async function signByHand(
  s3: Connection,
  request: CaughtRequest | string,
): Promise<SignatureSteps> {
  const url = typeof request === "string" ? request : request.url;
  const target = splitTarget(url);
  const pairs = parseQuery(target.query);
  let scope: string[], amzDate: string, signedHeaders: string[], sent: string;
  let headers: Headers, payloadHash: string, query: string;
  let payloadMatches: boolean | undefined;
  if (typeof request === "string") {
    const param = (name: string) => pairs.find(([n]) => n === name)?.[1] ?? "";
    if (!param("X-Amz-Signature")) {
      throw new TypeError("Cannot sign this URL by hand: it has no X-Amz-Signature (SigV4)");
    }
    scope = param("X-Amz-Credential").split("/").slice(1, 4);
    amzDate = param("X-Amz-Date");
    signedHeaders = param("X-Amz-SignedHeaders").split(";");
    sent = param("X-Amz-Signature");
    headers = new Headers({ host: new URL(url).host });
    payloadHash = "UNSIGNED-PAYLOAD";
    query = canonicalQuery(pairs, "X-Amz-Signature");
  } else {
    const match = V4_HEADER.exec(request.headers.authorization ?? "");
    if (!match) {
      throw new TypeError(
        `Cannot sign the ${request.operation} request by hand: it has no SigV4 Authorization`,
      );
    }
    scope = [match[2], match[3], match[4]];
    amzDate = request.headers["x-amz-date"];
    signedHeaders = match[5].split(";");
    sent = match[6];
    headers = new Headers(request.headers);
    payloadHash = request.headers["x-amz-content-sha256"];
    query = canonicalQuery(pairs);
    if (request.body) payloadMatches = sha256Hex(request.body) === payloadHash;
  }
  const canonical = canonicalRequest({
    method: typeof request === "string" ? "GET" : request.method,
    path: target.path,
    query,
    headers,
    signedHeaders,
    payloadHash,
  });
  const [date, region, service] = scope;
  const stringToSign = stringToSignV4(
    amzDate,
    `${date}/${region}/${service}/aws4_request`,
    sha256Hex(canonical),
  );
  const key = signingKey(await secretOf(s3), date, region, service);
  const hex = [...key].map((b) => b.toString(16).padStart(2, "0")).join("");
  const derivation = [
    `kDate    = HMAC-SHA256("AWS4" + secret key, "${date}")`,
    `kRegion  = HMAC-SHA256(kDate, "${region}")`,
    `kService = HMAC-SHA256(kRegion, "${service}")`,
    `kSigning = HMAC-SHA256(kService, "aws4_request") = ${hex.slice(0, 8)}… ` +
    "(32 bytes; the rest is not shown: it signs anything for that day)",
  ].join("\n");
  return new SignatureSteps({
    canonicalRequest: canonical,
    stringToSign,
    signingKey: derivation,
    signature: signV4(key, stringToSign),
    sent,
    payloadMatches,
  });
}

/** What a server answered to a request sent by hand. */
export class SentResult extends View {
  /** What was sent, e.g. `GetObject, one header changed`. */
  readonly label: string;
  /** HTTP status, 0 when no answer came. */
  readonly status: number;
  /** The S3 error code, when it failed. */
  readonly code?: string;
  /** The S3 error message, when it failed. */
  readonly message?: string;
  /** The string to sign the server built, when a `SignatureDoesNotMatch` answer carries it. */
  readonly stringToSign?: string;

  /**
   * Builds a result; {@linkcode sendByHand} and {@linkcode sendSignedV2} make them.
   *
   * @param fields The parts.
   */
  constructor(
    fields: {
      label: string;
      status: number;
      code?: string;
      message?: string;
      stringToSign?: string;
    },
  ) {
    super();
    this.label = fields.label;
    this.status = fields.status;
    this.code = fields.code;
    this.message = fields.message;
    this.stringToSign = fields.stringToSign;
  }

  /** Whether the server accepted it (2xx). */
  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  /**
   * One line: what was sent, the status and the error code.
   *
   * @param color Whether colours may be used.
   * @returns The line.
   */
  toText(color = false): string {
    const outcome = `${this.status}${this.code ? ` ${this.code}` : this.ok ? " OK" : ""}`;
    return `${this.label} → ${paint(outcome, this.ok ? "green" : "yellow", color)}` +
      (this.message ? ` (${this.message})` : "") + this.#below(color);
  }

  /** What the message says is "below": the server's string to sign, or that it sent none. */
  #below(color: boolean): string {
    if (this.code !== "SignatureDoesNotMatch") return "";
    if (this.stringToSign === undefined) return "\n(the server sent no StringToSign to compare)";
    return `\n${paint("the server's string to sign", "bold", color)}\n${this.stringToSign}`;
  }

  /**
   * The same as HTML.
   *
   * @returns A paragraph, and the server's string to sign when it sent one.
   */
  toHtml(): string {
    const [line, ...below] = this.toText(false).split("\n");
    const label = this.stringToSign === undefined ? "" : "<b>the server's string to sign</b>";
    return `<p>${escapeHtml(line)}</p>` +
      (below.length
        ? `${label}<pre>${escapeHtml(below.slice(label ? 1 : 0).join("\n"))}</pre>`
        : "");
  }
}

/** Changes to a caught request before sending it again. */
export interface SendChanges {
  /** What to call it in the trace and the result. @default the operation, "by hand" */
  label?: string;
  /** Headers to set (lower-case names); their signature is not updated. */
  headers?: Record<string, string>;
  /** Another URL (e.g. a presigned one with a changed parameter). */
  url?: string;
  /** Another method (e.g. `PUT` for a presigned upload link). @default the caught one, or GET */
  method?: string;
}

/**
 * Sends a caught request (or a URL, as a GET unless told) again by hand, changed or not, records it in the
 * connection's trace (signatures redacted) and reports the server's answer.
 *
 * @param s3 The connection (for its trace).
 * @param request A caught request, or a URL to GET without headers (e.g. a presigned link).
 * @param changes Headers or URL to change first.
 * @returns The status and S3 error code.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { catchRequest, connect, listBuckets, sendByHand } from "./mod.ts";
 *
 * await using s3 = await connect();
 * const caught = catchRequest(s3);
 * await listBuckets(s3);
 * const request = await caught;
 * assert.equal((await sendByHand(s3, request)).status, 200);
 * const changed = await sendByHand(s3, request, { headers: { "x-amz-date": "20200101T000000Z" } });
 * assert.equal(changed.status, 403);
 * ```
 */
export async function sendByHand(
  s3: Connection,
  request: CaughtRequest | string,
  changes: SendChanges = {},
): Promise<SentResult> {
  const caught = typeof request === "string" ? undefined : request;
  const url = changes.url ?? (typeof request === "string" ? request : request.url);
  const method = changes.method ?? caught?.method ?? "GET";
  const headers: Record<string, string> = { ...caught?.headers, ...changes.headers };
  delete headers.host; // fetch sets it from the URL, to the same value
  const label = changes.label ?? `${caught?.operation ?? "GET"} by hand`;
  return await send(s3, { label, method, url, headers, body: caught?.body });
}

async function send(
  s3: Connection,
  request: {
    label: string;
    method: string;
    url: string;
    headers: Record<string, string>;
    body?: Uint8Array;
  },
): Promise<SentResult> {
  const started = performance.now();
  let status = 0, text = "", failure: string | undefined;
  let responseHeaders: Record<string, string> = {};
  try {
    const response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body as BodyInit | undefined,
    });
    status = response.status;
    responseHeaders = Object.fromEntries(response.headers);
    text = await response.text();
  } catch (error) {
    failure = (error as Error).message;
  }
  const code = status >= 300 ? /<Code>([^<]+)<\/Code>/.exec(text)?.[1] : undefined;
  const xml = status >= 300 ? /<Message>([^<]*)<\/Message>/.exec(text)?.[1] : undefined;
  const message = xml === undefined ? failure : xmlText(xml);
  const toSign = status >= 300
    ? /<StringToSign>([^<]*)<\/StringToSign>/.exec(text)?.[1]
    : undefined;
  s3.trace.record({
    source: "probe",
    operation: request.label,
    method: request.method,
    url: request.url,
    status,
    code: code ?? (failure ? "NetworkError" : undefined),
    requestHeaders: { host: new URL(request.url).host, ...request.headers },
    responseHeaders: Object.fromEntries(
      ["content-type", "content-length", "etag", "x-amz-request-id"]
        .filter((n) => responseHeaders[n] !== undefined)
        .map((n) => [n, responseHeaders[n]]),
    ),
    bytesSent: request.body?.byteLength ?? 0,
    bytesReceived: Number(responseHeaders["content-length"] ?? text.length),
    ms: Math.round((performance.now() - started) * 10) / 10,
  });
  return new SentResult({
    label: request.label,
    status,
    code,
    message: message || undefined,
    stringToSign: toSign === undefined ? undefined : xmlText(toSign),
  });
}

function amzDate(at: Date): string {
  return at.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

/**
 * Signs a caught request again by hand (Signature V4, the same signed headers) as if sent at
 * another time: a new `x-amz-date` and `Authorization`. A correct signature with a wrong clock.
 *
 * @param s3 The connection whose keys sign it.
 * @param request A caught request.
 * @param at The time to sign it at.
 * @returns The re-signed request.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { catchRequest, connect, listBuckets, resignAt, sendByHand } from "./mod.ts";
 *
 * await using s3 = await connect();
 * const caught = catchRequest(s3);
 * await listBuckets(s3);
 * const late = await resignAt(s3, await caught, new Date(Date.now() - 20 * 60_000));
 * assert.equal((await sendByHand(s3, late)).code, "RequestTimeTooSkewed");
 * ```
 */
export async function resignAt(
  s3: Connection,
  request: CaughtRequest,
  at: Date,
): Promise<CaughtRequest> {
  const time = amzDate(at);
  const date = time.slice(0, 8);
  const authorization = request.headers.authorization ?? "";
  const withDate = new CaughtRequest({
    ...request,
    headers: {
      ...request.headers,
      "x-amz-date": time,
      authorization: authorization.replace(/Credential=([^/]+)\/\d{8}\//, `Credential=$1/${date}/`),
    },
  });
  const steps = await signByHand(s3, withDate);
  return new CaughtRequest({
    ...withDate,
    headers: {
      ...withDate.headers,
      authorization: withDate.headers.authorization.replace(
        /Signature=[0-9a-f]{64}/,
        `Signature=${steps.signature}`,
      ),
    },
  });
}

/** A Signature V2 request: its string to sign and the server's answer. */
export class SignedV2 extends View {
  /** The string to sign: method, Content-MD5, Content-Type, date, resource. */
  readonly stringToSign: Text;
  /** What the server answered. */
  readonly result: SentResult;

  /**
   * Builds one; {@linkcode sendSignedV2} makes them.
   *
   * @param stringToSign The string to sign.
   * @param result The answer.
   */
  constructor(stringToSign: string, result: SentResult) {
    super();
    this.stringToSign = new Text(stringToSign);
    this.result = result;
  }

  /**
   * The string to sign, then the answer.
   *
   * @param color Whether colours may be used.
   * @returns Text.
   */
  toText(color = false): string {
    return `${paint("string to sign (V2)", "bold", color)}\n${this.stringToSign.text}\n` +
      this.result.toText(color);
  }

  /**
   * The same as HTML.
   *
   * @returns HTML.
   */
  toHtml(): string {
    return `<b>string to sign (V2)</b><pre>${escapeHtml(this.stringToSign.text)}</pre>` +
      this.result.toHtml();
  }
}

/**
 * Gets an object with Signature V2, as DreamObjects' API reference describes it (and boto 2
 * does): `Authorization: AWS <access key>:<base64 HMAC-SHA1(secret, string to sign)>`, the
 * string to sign being method, Content-MD5, Content-Type, Date and the resource. Sent by hand
 * and recorded in the trace (signature redacted). Servers that speak only V4 (DreamObjects
 * US-East 5) refuse it.
 *
 * @param s3 The connection (keys, endpoint, addressing, trace).
 * @param bucket The bucket.
 * @param key The object's key.
 * @returns The string to sign and the server's answer.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { connect, createBucket, putObject, sendSignedV2 } from "./mod.ts";
 *
 * await using s3 = await connect();
 * const bucket = await createBucket(s3);
 * await putObject(s3, bucket, "a.txt", "a");
 * const v2 = await sendSignedV2(s3, bucket, "a.txt");
 * assert.equal(v2.result.status, 200);
 * assert.match(v2.stringToSign.text, /^GET\n\n\n[A-Z][a-z]{2}, /);
 * ```
 */
export async function sendSignedV2(
  s3: Connection,
  bucket: string,
  key: string,
): Promise<SignedV2> {
  const { publicUrl } = await import("./links.ts");
  const url = publicUrl(s3, bucket, key);
  const date = new Date().toUTCString();
  const headers = new Headers({ date });
  const text = stringToSignV2({
    method: "GET",
    url,
    headers,
    address: { bucket, key, virtualHost: !s3.pathStyle },
  }, date);
  const signature = signV2(await secretOf(s3), text);
  const result = await send(s3, {
    label: "GetObject signed with V2",
    method: "GET",
    url,
    headers: { date, authorization: `AWS ${s3.accessKeyId}:${signature}` },
  });
  return new SignedV2(text, result);
}
