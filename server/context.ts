/**
 * What a request handler is given: the authenticated request, its address and the server's
 * state.
 *
 * @module
 */

import type { EmulationProfile } from "./emulation.ts";
import type { BodyChecksum, ChecksumValue } from "./integrity.ts";
import type { CorsRule, Storage } from "./storage/types.ts";
import type { Address, Principal, ServerUser } from "./types.ts";

/** An authenticated request on its way to a handler. */
export interface RequestContext {
  /** HTTP method, upper case. */
  method: string;
  /** Request headers. */
  headers: Headers;
  /** Bucket and key. */
  address: Address;
  /** The raw (percent-encoded) path, used as the error `Resource`. */
  rawPath: string;
  /** Query parameters. */
  query: URLSearchParams;
  /** Who sent the request. */
  principal: Principal;
  /** The body to read (decoded and verified by auth), or `null`. */
  body: ReadableStream<Uint8Array> | null;
  /**
   * Read the body without sending `100 Continue` first, as RGW does for the operations that
   * read their whole XML body before anything else (DeleteObjects, PutObjectTagging): a client
   * that sent `Expect: 100-continue` then sends its body after its own wait.
   */
  skipContinue(): void;
  /** The checksum the request declared for its body (`x-amz-checksum-*` header or trailer). */
  declaredChecksum?: BodyChecksum;
  /**
   * The body's checksum in the declared algorithm, computed as it was read (and equal to the
   * declared value, or the body errored with `BadDigest`); `undefined` before the body is read
   * whole or when none was declared.
   */
  bodyChecksum(): ChecksumValue | undefined;
  /** Length of the decoded body when known. */
  contentLength?: number;
  /** Where buckets and objects live. */
  storage: Storage;
  /** Known users. */
  users: readonly ServerUser[];
  /** Region reported by GetBucketLocation. */
  region: string;
  /** What the server behaves like (Ceph RGW, or DreamObjects US-East 5's rules). */
  emulation: EmulationProfile;
  /** True when new buckets start with versioning `Enabled`. */
  versioningOnCreate: boolean;
  /** CORS rules for a bucket without its own (`--cors-origin`); empty for none. */
  defaultCors: readonly CorsRule[];
  /** This request's id. */
  requestId: string;
}

/** Answers one kind of request. */
export type Handler = (context: RequestContext) => Promise<Response>;
