/**
 * Sends a {@linkcode RawRequest} exactly as built, through `node:http`: unlike `fetch`, it sends
 * the Host header we give it, which virtual-host requests (`Host: bucket.localhost:PORT`) need.
 *
 * @module
 */

import http from "node:http";
import { uriEncode } from "../support/raw_http.ts";
import type { RawRequest } from "../support/signing.ts";

/** What came back. */
export interface RawResponse {
  /** HTTP status. */
  status: number;
  /** Response headers, names in lower case. */
  headers: Record<string, string>;
  /** The body bytes. */
  body: Uint8Array;
}

/** Builds the request target (`/path?query`) of a request. */
export function requestTarget(request: RawRequest): string {
  const query = Object.entries(request.query ?? {})
    .map(([name, value]) =>
      value === "" ? uriEncode(name) : `${uriEncode(name)}=${uriEncode(value)}`
    )
    .join("&");
  return query ? `${request.path}?${query}` : request.path;
}

/**
 * Sends a request to `127.0.0.1:port` with the request's own Host header.
 *
 * @param port The engine's port on 127.0.0.1.
 * @param request The request.
 * @param timeoutMs Give up after this long. @default 30000
 * @param hold Called once the headers and the first half of the body are sent (and 200 ms have
 *   passed, for the server to start on them); the rest of the body is sent when it settles. For
 *   requests that must overlap another.
 * @returns Status, headers and body.
 */
export function send(
  port: number,
  request: RawRequest,
  timeoutMs = 30_000,
  hold?: () => Promise<void>,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const body = request.body ?? new Uint8Array();
    const headers: Record<string, string> = { ...request.headers, host: request.host };
    const chunked = headers["transfer-encoding"] === "chunked";
    if (!chunked && (body.length > 0 || ["PUT", "POST"].includes(request.method))) {
      headers["content-length"] = String(body.length);
    }
    const req = http.request(
      {
        host: "127.0.0.1",
        port,
        method: request.method,
        path: requestTarget(request),
        headers,
        agent: false,
      },
      (res) => {
        const chunks: Uint8Array[] = [];
        res.on("data", (chunk: Uint8Array) => chunks.push(chunk));
        res.on("end", () => {
          const out: Record<string, string> = {};
          for (const [name, value] of Object.entries(res.headers)) {
            if (value !== undefined) out[name] = Array.isArray(value) ? value.join(", ") : value;
          }
          const body = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
          let at = 0;
          for (const c of chunks) {
            body.set(c, at);
            at += c.length;
          }
          resolve({ status: res.statusCode ?? 0, headers: out, body });
        });
        res.on("error", reject);
      },
    );
    req.setTimeout(timeoutMs, () => {
      req.destroy(
        new Error(
          `Cannot complete ${request.method} "${request.path}": no answer in ${timeoutMs}ms`,
        ),
      );
    });
    req.on("error", reject);
    if (hold === undefined) {
      req.end(body.length > 0 ? body : undefined);
      return;
    }
    const half = Math.floor(body.length / 2);
    req.write(body.subarray(0, half));
    new Promise((resolve) => setTimeout(resolve, 200)).then(hold).then(
      () => req.end(body.subarray(half)),
      (error) => req.destroy(error),
    );
  });
}
