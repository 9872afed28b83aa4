/**
 * One recorded HTTP exchange: the record the trace keeps and its views show. A leaf module.
 *
 * @module
 */

/** One request and its response, as recorded. */
export interface Exchange {
  /** Position in the trace, from 1. */
  seq: number;
  /**
   * `"sdk"` for requests an `S3Client` sent, `"lean"` for those the library signs and sends
   * itself (syncs, downloads, listings and batch deletes of `_lean.ts`), `"probe"` for anonymous
   * probes.
   */
  source: "sdk" | "lean" | "probe";
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
  /**
   * Response body size in bytes: its `content-length` (0 for a HEAD, a 204 or a 304, which carry
   * no body), or, for a body sent chunked without one (Ceph RGW's listings), the bytes read.
   */
  bytesReceived: number;
  /**
   * `true` while a chunked body (no `content-length`) has not been read to its end, e.g. a
   * streamed download not consumed yet: `bytesReceived` is then unknown, and views say "chunked".
   * It turns `false` and `bytesReceived` final once the body has been read.
   */
  chunked?: boolean;
  /** Milliseconds from sending to the parsed response. */
  ms: number;
  /**
   * Which attempt of the request this was, from 1, when the sender numbers them itself (the lean
   * client; the SDK's attempts are read from its `amz-sdk-request` header).
   */
  attempt?: number;
}

/** The fields a caller gives the trace's `record()`. */
export type ExchangeInput = Omit<Exchange, "seq">;
