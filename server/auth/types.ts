/**
 * The shapes authentication works on: the request as received, the options, and the outcome.
 * A leaf module, so the verifiers and the body decoders can share them without a cycle.
 *
 * @module
 */

import type { Address, Principal, ServerUser } from "../types.ts";

/** A request as the server received it. */
export interface AuthRequest {
  /** HTTP method, upper case. */
  method: string;
  /**
   * The request target exactly as received (`/bucket/key?acl`, as `server/http/listen.ts`
   * hands it over). Read its path from the
   * string: `new URL()` would remove `..` and `.` segments that are legal in object keys.
   */
  url: string;
  /** Request headers. */
  headers: Headers;
  /** The bucket and key the request names (SigV2 signs them in its canonical resource). */
  address: Address;
  /** The raw request body. */
  body: ReadableStream<Uint8Array> | null;
}

/** How requests are checked. */
export interface AuthOptions {
  /** Users and their key pairs. */
  users: readonly ServerUser[];
  /** The clock, injected for tests. @default () => new Date() */
  now?: () => Date;
  /** Largest accepted difference between request time and server time. @default 900_000 */
  maxSkewMs?: number;
  /**
   * Whether Signature V2 is accepted; when false a V2 request is `400 InvalidRequest`, as
   * Backblaze B2 answers it. @default true
   */
  signatureV2?: boolean;
  /**
   * The service a SigV4 credential must be scoped to; another is refused as AWS refuses it (the
   * SigV4 test suite's requests are scoped to `service`). @default "s3"
   */
  service?: string;
}

/** The outcome of a successful authentication. */
export interface Authenticated {
  /** Who sent the request. */
  principal: Principal;
  /** The body to read: decoded and verified as it streams. `null` when there is none. */
  body: ReadableStream<Uint8Array> | null;
  /** Length of the decoded body when known (`x-amz-decoded-content-length` or Content-Length). */
  contentLength?: number;
}
