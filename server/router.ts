/**
 * Routing as a table: each route is keyed by path shape (service, bucket, object), method and
 * subresource (`?acl`, `?uploads`, ...). Known S3 features the server lacks answer
 * `501 NotImplemented`; methods no route takes answer `405 MethodNotAllowed`.
 *
 * @module
 */

import { S3Error } from "./errors.ts";
import type { Handler } from "./context.ts";
import type { Address } from "./types.ts";

/** What a path names. */
export type Shape = "service" | "bucket" | "object";

/** One row of the routing table. */
export interface Route {
  /** Path shape. */
  shape: Shape;
  /** HTTP method. */
  method: string;
  /** Subresource query parameter that selects the route, or `null` for none. */
  sub: string | null;
  /** S3 operation name, for logs. */
  operation: string;
  /** The handler. */
  handler: Handler;
}

/** Subresources of S3 this server knows but does not implement (for the methods not routed). */
export const KNOWN_SUBRESOURCES: readonly string[] = [
  "accelerate",
  "acl",
  "analytics",
  "attributes",
  "cors",
  "delete",
  "encryption",
  "intelligent-tiering",
  "inventory",
  "legal-hold",
  "lifecycle",
  "location",
  "logging",
  "metrics",
  "notification",
  "object-lock",
  "ownershipControls",
  "policy",
  "policyStatus",
  "publicAccessBlock",
  "replication",
  "requestPayment",
  "restore",
  "retention",
  "select",
  "tagging",
  "torrent",
  "uploadId",
  "uploads",
  "versioning",
  "versions",
  "website",
];

/**
 * The shape of an address.
 *
 * @param address A resolved address.
 * @returns `service`, `bucket` or `object`.
 */
export function shapeOf(address: Address): Shape {
  if (address.bucket === undefined) return "service";
  return address.key === undefined ? "bucket" : "object";
}

/**
 * Picks the route for a request.
 *
 * @param table The routing table; for one shape and method, routes with a subresource are
 *   preferred over the route without.
 * @param method HTTP method.
 * @param shape Path shape.
 * @param query Query parameters.
 * @returns The route.
 * @throws {S3Error} `NotImplemented` for a known but unsupported subresource, else
 *   `MethodNotAllowed`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { route } from "./router.ts";
 * import { ROUTES } from "./routes.ts";
 * import { S3Error } from "./errors.ts";
 *
 * assert.equal(route(ROUTES, "GET", "bucket", new URLSearchParams("acl")).operation, "GetBucketAcl");
 * assert.equal(route(ROUTES, "GET", "bucket", new URLSearchParams()).operation, "ListObjects");
 * assert.throws(
 *   () => route(ROUTES, "GET", "bucket", new URLSearchParams("website")),
 *   (e) => e instanceof S3Error && e.code === "NotImplemented",
 * );
 * ```
 */
export function route(
  table: readonly Route[],
  method: string,
  shape: Shape,
  query: URLSearchParams,
): Route {
  const candidates = table.filter((r) => r.shape === shape && r.method === method);
  const withSub = candidates.find((r) => r.sub !== null && query.has(r.sub));
  if (withSub) return withSub;
  // RGW answers service-level requests whatever subresource they name.
  const unsupported = shape === "service"
    ? undefined
    : KNOWN_SUBRESOURCES.find((s) => query.has(s));
  if (unsupported !== undefined) {
    throw new S3Error(
      "NotImplemented",
      `Cannot ${method} "?${unsupported}": this server does not implement it`,
    );
  }
  const plain = candidates.find((r) => r.sub === null);
  if (plain) return plain;
  throw new S3Error("MethodNotAllowed");
}
