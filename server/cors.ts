/**
 * CORS as Ceph RGW 16 does it (`rgw_cors.cc`, `rgw_cors_s3.cc`, `RGWOptionsCORS` in `rgw_op.cc`):
 * a bucket's rules read from and written as `CORSConfiguration` XML, the rule a request's
 * `Origin` picks, and the `Access-Control-*` headers of a preflight and of an ordinary answer.
 *
 * RGW's rules, kept here: at most 100 rules (`InvalidRequest` beyond); every rule names an origin;
 * an origin or allowed header has at most one `*`; methods are GET, PUT, POST, DELETE, HEAD (and
 * COPY); anything else is `MalformedXML`. The first rule whose origin matches decides, even when
 * its methods do not: a later rule is never tried.
 *
 * @module
 */

import { S3Error } from "./errors.ts";
import type { CorsRule } from "./storage/types.ts";
import { asArray, parseXml, type XmlElement } from "./xml.ts";

export type { CorsRule } from "./storage/types.ts";

/** Most rules a configuration may have (RGW's `rgw_cors_rules_max_num`). */
export const MAX_CORS_RULES = 100;

/** The methods a rule may allow, in the order RGW lists them. */
const METHOD_ORDER = ["GET", "PUT", "DELETE", "HEAD", "POST", "COPY"];

function text(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "object") {
    const inner = (value as Record<string, unknown>)["#text"];
    return inner === undefined ? "" : String(inner);
  }
  return String(value);
}

function oneStarAtMost(value: string): boolean {
  return value.split("*").length <= 2;
}

/**
 * Reads a `CORSConfiguration` document.
 *
 * @param xml The request body.
 * @returns The rules, in order.
 * @throws {S3Error} `MalformedXML` for a document RGW refuses, `InvalidRequest` beyond
 *   {@linkcode MAX_CORS_RULES} rules.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseCorsXml } from "./cors.ts";
 * const [rule] = parseCorsXml(
 *   "<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin>" +
 *     "<AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>",
 * );
 * assert.deepEqual(rule.methods, ["GET"]);
 * ```
 */
export function parseCorsXml(xml: string): CorsRule[] {
  const tree = parseXml(xml);
  const config = tree.CORSConfiguration;
  if (config === undefined || typeof config !== "object" || config === null) {
    throw new S3Error("MalformedXML", "Cannot read the CORS configuration: no CORSConfiguration");
  }
  const items = asArray((config as Record<string, unknown>).CORSRule);
  if (items.length === 0) {
    throw new S3Error("MalformedXML", "Cannot read the CORS configuration: it has no CORSRule");
  }
  if (items.length > MAX_CORS_RULES) {
    // RGW's own words.
    throw new S3Error(
      "InvalidRequest",
      `The number of CORS rules should not exceed allowed limit of ${MAX_CORS_RULES} rules.`,
    );
  }
  return items.map((item, i) => parseRule(item, i + 1));
}

function parseRule(item: unknown, n: number): CorsRule {
  const malformed = (why: string) =>
    new S3Error("MalformedXML", `Cannot read CORS rule ${n}: ${why}`);
  if (typeof item !== "object" || item === null) throw malformed("it is empty");
  const fields = item as Record<string, unknown>;
  const methods = new Set<string>();
  for (const value of asArray(fields.AllowedMethod).map(text)) {
    const method = value.toUpperCase();
    if (!METHOD_ORDER.includes(method)) {
      throw malformed(
        `"${value}" is not a method a rule can allow; use GET, PUT, POST, DELETE or HEAD`,
      );
    }
    methods.add(method);
  }
  const ids = asArray(fields.ID).map(text);
  if (ids[0] !== undefined && ids[0].length > 255) throw malformed("its ID is over 255 characters");
  const origins = asArray(fields.AllowedOrigin).map(text);
  if (origins.length === 0) throw malformed("it has no AllowedOrigin");
  const headers = asArray(fields.AllowedHeader).map(text);
  for (const value of [...origins, ...headers]) {
    if (!oneStarAtMost(value)) throw malformed(`"${value}" has more than one "*"`);
  }
  let maxAge: number | undefined;
  const ages = asArray(fields.MaxAgeSeconds).map(text);
  if (ages.length > 0) {
    if (!/^\d*$/.test(ages[0])) throw malformed(`MaxAgeSeconds "${ages[0]}" is not a number`);
    const age = Number(ages[0] || "0");
    maxAge = age < 2 ** 32 ? age : undefined;
  }
  return {
    id: ids[0] || undefined,
    origins: [...new Set(origins)].sort(),
    methods: METHOD_ORDER.filter((m) => methods.has(m)),
    allowedHeaders: [...new Set(headers)].sort(),
    exposeHeaders: asArray(fields.ExposeHeader).map(text),
    maxAge,
  };
}

/**
 * The rules as the `CORSRule` elements of a GetBucketCors answer, in RGW's element order.
 *
 * @param rules The stored rules.
 * @returns The elements for `xmlDocument("CORSConfiguration", …)`.
 */
export function corsXml(rules: readonly CorsRule[]): XmlElement {
  return {
    CORSRule: rules.map((rule) => ({
      ID: rule.id,
      AllowedMethod: rule.methods,
      AllowedOrigin: rule.origins,
      AllowedHeader: rule.allowedHeaders,
      MaxAgeSeconds: rule.maxAge,
      ExposeHeader: rule.exposeHeaders,
    })),
  };
}

/** `value` against a pattern with at most one `*` (`*` alone matches anything). */
function wildcardMatch(pattern: string, value: string): boolean {
  const star = pattern.indexOf("*");
  if (star < 0) return pattern === value;
  const head = pattern.slice(0, star);
  const tail = pattern.slice(star + 1);
  return value.length >= head.length + tail.length && value.startsWith(head) &&
    value.endsWith(tail);
}

/**
 * The rule an origin picks: the first whose origins match it.
 *
 * @param rules The bucket's rules.
 * @param origin The request's `Origin`.
 * @returns The rule, or `undefined`.
 */
export function ruleFor(rules: readonly CorsRule[], origin: string): CorsRule | undefined {
  return rules.find((rule) => rule.origins.some((o) => wildcardMatch(o, origin)));
}

function headerAllowed(rule: CorsRule, header: string): boolean {
  const lower = header.toLowerCase();
  return rule.allowedHeaders.some((h) => wildcardMatch(h.toLowerCase(), lower));
}

function requestedHeaders(list: string | null): string[] {
  return (list ?? "").split(",").map((h) => h.trim()).filter((h) => h !== "");
}

function accessHeaders(
  origin: string,
  method: string,
  rule: CorsRule,
  allowed: string[],
): Headers {
  const headers = new Headers({ "access-control-allow-origin": origin });
  // A named origin (not `*`) varies by Origin, as RGW says and caches need.
  if (origin !== "*") headers.set("vary", "Origin");
  headers.set("access-control-allow-methods", method);
  if (allowed.length > 0) headers.set("access-control-allow-headers", allowed.join(","));
  if (rule.exposeHeaders.length > 0) {
    headers.set("access-control-expose-headers", rule.exposeHeaders.join(","));
  }
  if (rule.maxAge !== undefined) headers.set("access-control-max-age", String(rule.maxAge));
  return headers;
}

/**
 * Answers a preflight: the headers of the rule that allows it, or `undefined` when none does
 * (the origin matches no rule, the first matching rule lacks the method or one of the headers).
 *
 * @param rules The bucket's rules.
 * @param origin `Origin`.
 * @param method `Access-Control-Request-Method`.
 * @param requestHeaders `Access-Control-Request-Headers`, or `null`.
 * @returns The `Access-Control-*` headers (origin echoed, as RGW does), or `undefined`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { preflightHeaders } from "./cors.ts";
 * const rules = [{ origins: ["*"], methods: ["PUT"], allowedHeaders: ["*"], exposeHeaders: [] }];
 * const headers = preflightHeaders(rules, "http://app.test", "PUT", "content-type");
 * assert.equal(headers?.get("access-control-allow-origin"), "http://app.test");
 * ```
 */
export function preflightHeaders(
  rules: readonly CorsRule[],
  origin: string,
  method: string,
  requestHeaders: string | null,
): Headers | undefined {
  const rule = ruleFor(rules, origin);
  if (!rule || !rule.methods.includes(method)) return undefined;
  const asked = requestedHeaders(requestHeaders);
  if (!asked.every((h) => headerAllowed(rule, h))) return undefined;
  return accessHeaders(origin, method, rule, asked);
}

/**
 * The `Access-Control-*` headers of an ordinary answer (errors included) to a request with an
 * `Origin`: those of the first rule matching it, when that rule allows the request's method.
 * An anonymous request (no `Authorization` header) under a rule with origin `*` gets `*`.
 *
 * @param rules The bucket's rules.
 * @param origin `Origin`.
 * @param method The request's method (or its `Access-Control-Request-Method`).
 * @param signedByHeader Whether the request has an `Authorization` header.
 * @returns The headers, or `undefined` when no rule applies.
 */
export function responseCorsHeaders(
  rules: readonly CorsRule[],
  origin: string,
  method: string,
  signedByHeader: boolean,
): Headers | undefined {
  const rule = ruleFor(rules, origin);
  if (!rule || !rule.methods.includes(method)) return undefined;
  const shown = !signedByHeader && rule.origins.includes("*") ? "*" : origin;
  return accessHeaders(shown, method, rule, []);
}

/**
 * The rule `--cors-origin` gives every bucket without its own: these origins may send any
 * method with any header, and read the headers a web app needs (`ETag`, version id, request id).
 *
 * @param origins The allowed origins (each with at most one `*`).
 * @returns The rules (one rule, or none for no origins).
 * @throws {TypeError} For an origin with more than one `*`.
 */
export function defaultCorsRules(origins: readonly string[]): CorsRule[] {
  if (origins.length === 0) return [];
  for (const origin of origins) {
    if (!oneStarAtMost(origin) || origin === "") {
      throw new TypeError(
        `Cannot allow origin "${origin}": give a scheme, host and port with at most one "*"`,
      );
    }
  }
  return [{
    id: "cors-origin",
    origins: [...new Set(origins)].sort(),
    methods: ["GET", "PUT", "DELETE", "HEAD", "POST"],
    allowedHeaders: ["*"],
    exposeHeaders: ["ETag", "x-amz-version-id", "x-amz-request-id"],
    maxAge: 3000,
  }];
}
