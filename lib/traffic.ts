/**
 * The trace of HTTP traffic: every request an `S3Client` sends (recorded by a middleware, see
 * `_recorder.ts`), every request the library signs and sends itself (syncs, downloads: the lean
 * client of `_lean.ts` records its own) and every anonymous probe, with method, URL, status, key
 * headers, bytes and duration. All of them pass through {@linkcode Traffic.prototype.record},
 * which applies the rules once (no error label below 400, no bytes received for a HEAD, 204 or
 * 304). Signatures, session tokens and registered secrets are redacted (`redact.ts`) before
 * anything is stored; `traffic_view.ts` shows it in a terminal or a notebook.
 *
 * @module
 */

import type { S3Client } from "@aws-sdk/client-s3";
import { Stack, Text, toView, type View } from "./display.ts";
import { statusText } from "./status_text.ts";
import type { Exchange, ExchangeInput } from "./exchange.ts";
import { redactAuthorization, REDACTED, redactSecrets, redactUrl } from "./redact.ts";
import { addRecorder } from "./_recorder.ts";
import { TrafficView } from "./traffic_view.ts";

/**
 * A recorder of HTTP exchanges. Attach it to an `S3Client` with
 * {@linkcode Traffic.prototype.attach}; pass it to `probe()` to record anonymous requests.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
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
 * assert.equal(trace.entries[0].url, "http://127.0.0.1:9000/b/k?X-Amz-Signature=REDACTED");
 * assert.match(trace.view().toText(), /→ 200 OK +↑0 B ↓5 B/);
 * ```
 */
export class Traffic {
  #entries: Exchange[] = [];
  #secrets = new Set<string>();
  #shown = 0;
  #seq = 0;
  /** `#seq` at the last `show()`: how many exchanges it covers, even those no longer kept. */
  #shownSeq = 0;
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
    // The rules both recorders (the SDK's, the lean client's) follow, kept here once: an answer
    // below 400 is no error, whatever the SDK made of it (a 304 surfaces as an "Unknown" error),
    // and a HEAD, a 204 or a 304 carries no body, whatever its Content-Length says.
    const failed = input.status === 0 || input.status >= 400;
    const bodiless = input.method === "HEAD" || input.status === 204 || input.status === 304;
    const exchange: Exchange = {
      ...input,
      seq: ++this.#seq,
      url: scrub(redactUrl(input.url)),
      code: input.code === undefined || !failed ? undefined : scrub(input.code),
      bytesReceived: bodiless ? 0 : input.bytesReceived,
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
    addRecorder(client, this);
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
    const fresh = this.#entries.slice(this.#shown);
    const total = this.#seq - this.#shownSeq;
    this.#shown = this.#entries.length;
    this.#shownSeq = this.#seq;
    const traffic = total > SHOW_AT_MOST ? collapse(fresh, total) : new TrafficView(fresh);
    return value === undefined ? traffic : new Stack([toView(value), traffic]);
  }

  /** Forgets every exchange. */
  clear(): void {
    this.#entries = [];
    this.#shown = 0;
    this.#shownSeq = this.#seq;
  }
}

/**
 * Above this many exchanges, `show()` lists the first and last three and counts the others (1,100
 * PUTs would be 2,200 lines): a lesson needs no plumbing to keep its trace readable.
 */
const SHOW_AT_MOST = 12;

/** The first and last three exchanges, and one line counting the others by operation and status. */
function collapse(fresh: readonly Exchange[], total: number): View {
  const [head, middle, tail] = [fresh.slice(0, 3), fresh.slice(3, -3), fresh.slice(-3)];
  const counts = new Map<string, number>();
  for (const e of middle) {
    const what = `${e.operation ?? e.method} → ${statusText(e.status)}${
      e.code ? ` ${e.code}` : ""
    }`;
    counts.set(what, (counts.get(what) ?? 0) + 1);
  }
  const gone = total - fresh.length;
  const parts = [...counts].map(([what, n]) => `${n.toLocaleString("en-US")} × ${what}`);
  if (gone > 0) parts.push(`${gone.toLocaleString("en-US")} no longer kept`);
  const hidden = (middle.length + gone).toLocaleString("en-US");
  return new Stack([
    new TrafficView(head),
    new Text(`  … ${hidden} more exchanges: ${parts.join(", ")}`, "dim"),
    new TrafficView(tail),
  ]);
}
