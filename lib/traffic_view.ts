/**
 * The trace's view: recorded exchanges as one line each in a terminal and as an HTML table in a
 * notebook.
 *
 * @module
 */

import { escapeHtml, formatBytes, paint, View } from "./display.ts";
import { statusText } from "./status_text.ts";
import type { Exchange } from "./exchange.ts";

function statusColor(status: number): "green" | "cyan" | "yellow" | "red" {
  if (status >= 200 && status < 300) return "green";
  if (status >= 300 && status < 400) return "cyan";
  if (status >= 400 && status < 500) return "yellow";
  return "red";
}

/**
 * A URL cut around the AWS SDK's `x-id=Operation` query parameter, which the SDK adds to name the
 * operation and S3 ignores, so that views can show it quieter than the parts S3 reads.
 */
function splitXId(url: string): [string, string, string] {
  const match = /[?&]x-id=[^&#]*/.exec(url);
  if (!match) return [url, "", ""];
  const start = match.index + 1;
  const end = match.index + match[0].length;
  return [url.slice(0, start), url.slice(start, end), url.slice(end)];
}

/** The received size for people: bytes, or "chunked" while a chunked body is unread. */
function received(e: Exchange): string {
  return e.chunked ? "chunked" : formatBytes(e.bytesReceived);
}

/**
 * What an answer says about versions, for people, from `x-amz-version-id` and
 * `x-amz-delete-marker`: `version ID` (a write made it, a read served it), `added delete marker
 * ID` (a delete without a version id), `removed version ID` / `removed delete marker ID` (a
 * delete with one), `delete marker ID` (a read that met a marker); `undefined` when it says nothing.
 */
function versionNote(e: Exchange): string | undefined {
  const id = e.responseHeaders["x-amz-version-id"];
  const marker = e.responseHeaders["x-amz-delete-marker"] === "true";
  if (id === undefined && !marker) return undefined;
  const what = marker ? "delete marker" : "version";
  const named = id === undefined ? what : `${what} ${id}`;
  if (e.method !== "DELETE") return named;
  return /[?&]versionId=/.test(e.url) ? `removed ${named}` : marker ? `added ${named}` : named;
}

/**
 * What a request and its answer say about the data's integrity, for people: the conditions a
 * write set (`if-none-match: *`), the checksums it sent and the one the answer carries
 * (`sent SHA256 …`, `answered SHA256 …`), from the `if-*` and `x-amz-checksum-*` headers;
 * `undefined` when they say nothing.
 */
function integrityNote(e: Exchange): string | undefined {
  const notes: string[] = [];
  for (const name of ["if-match", "if-none-match"]) {
    const value = e.requestHeaders[name];
    if (value !== undefined) notes.push(`${name}: ${value}`);
  }
  const sums = (headers: Record<string, string>, verb: string) => {
    for (const [name, value] of Object.entries(headers)) {
      const algorithm = /^x-amz-checksum-(crc32c?|crc64nvme|sha1|sha256)$/.exec(name)?.[1];
      if (algorithm) notes.push(`${verb} ${algorithm.toUpperCase()} ${value}`);
    }
  };
  sums(e.requestHeaders, "sent");
  sums(e.responseHeaders, "answered");
  return notes.length ? notes.join("; ") : undefined;
}

/**
 * Exchanges as a view: one line each in a terminal, an HTML table in a notebook.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { TrafficView } from "./traffic_view.ts";
 *
 * assert.equal(new TrafficView([]).toText(), "  (no requests)");
 * const listing = new TrafficView([{
 *   seq: 1,
 *   source: "sdk",
 *   operation: "ListBuckets",
 *   method: "GET",
 *   url: "http://127.0.0.1:7480/",
 *   status: 200,
 *   requestHeaders: {},
 *   responseHeaders: { "content-type": "application/xml" },
 *   bytesSent: 0,
 *   bytesReceived: 1400,
 *   ms: 3,
 * }]);
 * assert.match(listing.toText(), /→ 200 OK +↑0 B ↓1\.4 kB +3 ms +ListBuckets/);
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
   * Two lines per exchange: method and URL, then status, code, bytes, time and operation; one
   * more when the answer names a version or a delete marker, and one when the request set a
   * condition or the request or answer carried a checksum.
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
      const size = `↑${formatBytes(e.bytesSent)} ↓${received(e)}`;
      const attempt = e.attempt !== undefined
        ? String(e.attempt)
        : /attempt=(\d+)/.exec(e.requestHeaders["amz-sdk-request"] ?? "")?.[1];
      const who = (e.operation ?? (e.source === "probe" ? "anonymous" : "")) +
        (attempt && attempt !== "1" ? ` (attempt ${attempt})` : "");
      const version = versionNote(e);
      const integrity = integrityNote(e);
      const [before, xId, after] = splitXId(e.url);
      const url = `${before}${xId && paint(xId, "dim", color)}${after}`;
      return `  ${paint(`${e.method.padEnd(6)} `, "bold", color)}${url}\n` +
        `        → ${status}  ${paint(`${size}  ${e.ms} ms  ${who}`, "dim", color)}` +
        (version ? `\n          ${paint(version, "cyan", color)}` : "") +
        (integrity ? `\n          ${paint(integrity, "cyan", color)}` : "");
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
      const version = [versionNote(e), integrityNote(e)].filter(Boolean).join("; ");
      const [before, xId, after] = splitXId(e.url);
      const url = escapeHtml(before) +
        (xId
          ? `<span style="opacity:0.45" title="added by the AWS SDK to name the operation; ` +
            `S3 does not read it">${escapeHtml(xId)}</span>`
          : "") +
        escapeHtml(after);
      const colour = { green: "#1a7f37", cyan: "#0969da", yellow: "#9a6700", red: "#cf222e" }[
        statusColor(e.status)
      ];
      return `<tr><td>${e.seq}</td><td>${escapeHtml(e.operation ?? "anonymous")}</td>` +
        `<td><code>${escapeHtml(e.method)}</code></td>` +
        `<td style="text-align:left;word-break:break-all"><code>${url}</code>` +
        `${version ? `<br><small>${escapeHtml(version)}</small>` : ""}</td>` +
        `<td style="color:${colour}"><b>${escapeHtml(statusText(e.status))}</b>` +
        `${e.code ? `<br>${escapeHtml(e.code)}` : ""}</td>` +
        `<td>${formatBytes(e.bytesSent)}</td><td>${received(e)}</td>` +
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
