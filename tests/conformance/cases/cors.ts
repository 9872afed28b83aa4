/**
 * Conformance cases: bucket CORS. PutBucketCors, GetBucketCors and DeleteBucketCors with RGW's
 * limits (100 rules, one `*` per origin or header, known methods, an origin per rule), the
 * preflight `OPTIONS` (allowed, denied, wildcard origins and headers, never signed), and the
 * `Access-Control-*` headers on ordinary answers, errors included.
 *
 * @module
 */

import type { Case, SetupStep } from "../runner.ts";
import { ANON, bucket, OTHER, put } from "./_common.ts";

/** A `CORSConfiguration` of the given rules (each a `CORSRule`'s inner XML). */
export function corsXml(...rules: string[]): string {
  return "<CORSConfiguration>" + rules.map((r) => `<CORSRule>${r}</CORSRule>`).join("") +
    "</CORSConfiguration>";
}

/** The app's rule: two origins (one wildcard), PUT and GET, headers, exposed headers, max age. */
const APP_RULE = "<ID>app</ID><AllowedOrigin>http://app.test</AllowedOrigin>" +
  "<AllowedOrigin>http://*.web.test</AllowedOrigin><AllowedMethod>PUT</AllowedMethod>" +
  "<AllowedMethod>GET</AllowedMethod><AllowedHeader>X-Amz-*</AllowedHeader>" +
  "<AllowedHeader>content-type</AllowedHeader><ExposeHeader>ETag</ExposeHeader>" +
  "<ExposeHeader>x-amz-request-id</ExposeHeader><MaxAgeSeconds>3000</MaxAgeSeconds>";
/** Anyone may HEAD. */
const ANY_HEAD = "<AllowedOrigin>*</AllowedOrigin><AllowedMethod>HEAD</AllowedMethod>";

export function putCors(...rules: string[]): SetupStep {
  return { method: "PUT", bucket: "{b}", query: { cors: "" }, body: corsXml(...rules) };
}

const WITH_CORS: SetupStep[] = [bucket(), putCors(APP_RULE, ANY_HEAD), put("k", "hello")];

/** The headers a CORS answer carries. */
export const CORS_HEADERS = [
  "header:access-control-allow-origin",
  "header:access-control-allow-methods",
  "header:access-control-allow-headers",
  "header:access-control-expose-headers",
  "header:access-control-max-age",
  "header:vary",
];

function preflight(origin: string, method: string, headers?: string): Case["request"] {
  return {
    method: "OPTIONS",
    bucket: "{b}",
    key: "k",
    auth: ANON,
    headers: {
      origin,
      "access-control-request-method": method,
      ...(headers ? { "access-control-request-headers": headers } : {}),
    },
  };
}

function putCorsRequest(body: string): Case["request"] {
  return { method: "PUT", bucket: "{b}", query: { cors: "" }, body };
}

const ONE_RULE = "<AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod>";

export const CORS: Case[] = [
  {
    name: "PutBucketCors stores the rules",
    setup: [bucket()],
    request: putCorsRequest(corsXml(APP_RULE, ANY_HEAD)),
    expect: { status: 200 },
  },
  {
    name: "GetBucketCors lists the rules in RGW's order",
    setup: WITH_CORS,
    request: { method: "GET", bucket: "{b}", query: { cors: "" } },
    expect: { status: 200 },
    compare: [
      "xml:CORSConfiguration.CORSRule.ID",
      "xml:CORSConfiguration.CORSRule.AllowedMethod",
      "xml:CORSConfiguration.CORSRule.AllowedOrigin",
      "xml:CORSConfiguration.CORSRule.AllowedHeader",
      "xml:CORSConfiguration.CORSRule.ExposeHeader",
      "xml:CORSConfiguration.CORSRule.MaxAgeSeconds",
      "match:<[A-Za-z]+>",
    ],
  },
  {
    name: "GetBucketCors of a bucket without rules is NoSuchCORSConfiguration",
    setup: [bucket()],
    request: { method: "GET", bucket: "{b}", query: { cors: "" } },
    expect: { status: 404, code: "NoSuchCORSConfiguration" },
  },
  {
    name: "DeleteBucketCors removes the rules",
    setup: WITH_CORS,
    request: { method: "DELETE", bucket: "{b}", query: { cors: "" } },
    expect: { status: 204 },
  },
  {
    name: "GetBucketCors after DeleteBucketCors",
    setup: [...WITH_CORS, { method: "DELETE", bucket: "{b}", query: { cors: "" } }],
    request: { method: "GET", bucket: "{b}", query: { cors: "" } },
    expect: { status: 404, code: "NoSuchCORSConfiguration" },
  },
  {
    name: "PutBucketCors with malformed XML is MalformedXML",
    setup: [bucket()],
    request: putCorsRequest("<CORSConfiguration><CORSRule>"),
    expect: { status: 400, code: "MalformedXML" },
  },
  {
    name: "PutBucketCors with 101 rules is InvalidRequest",
    setup: [bucket()],
    request: putCorsRequest(corsXml(...Array(101).fill(ONE_RULE))),
    expect: { status: 400, code: "InvalidRequest" },
  },
  {
    name: "PutBucketCors with 100 rules is accepted",
    setup: [bucket()],
    request: putCorsRequest(corsXml(...Array(100).fill(ONE_RULE))),
    expect: { status: 200 },
  },
  {
    name: "PutBucketCors with two * in an origin is MalformedXML",
    setup: [bucket()],
    request: putCorsRequest(
      corsXml("<AllowedOrigin>http://*.*.test</AllowedOrigin><AllowedMethod>GET</AllowedMethod>"),
    ),
    expect: { status: 400, code: "MalformedXML" },
  },
  {
    name: "PutBucketCors with an unknown method is MalformedXML",
    setup: [bucket()],
    request: putCorsRequest(
      corsXml("<AllowedOrigin>*</AllowedOrigin><AllowedMethod>PATCH</AllowedMethod>"),
    ),
    expect: { status: 400, code: "MalformedXML" },
  },
  {
    name: "PutBucketCors with a rule without an origin is MalformedXML",
    setup: [bucket()],
    request: putCorsRequest(corsXml("<AllowedMethod>GET</AllowedMethod>")),
    expect: { status: 400, code: "MalformedXML" },
  },
  {
    name: "PutBucketCors with no rule is MalformedXML",
    setup: [bucket()],
    request: putCorsRequest("<CORSConfiguration></CORSConfiguration>"),
    expect: { status: 400, code: "MalformedXML" },
  },
  {
    name: "PutBucketCors by a user who does not own the bucket is refused",
    setup: [bucket("public-read-write")],
    request: { ...putCorsRequest(corsXml(ONE_RULE)), auth: OTHER },
    expect: { status: 403, code: "AccessDenied" },
  },
  {
    name: "A preflight a rule allows answers its Access-Control headers",
    setup: WITH_CORS,
    request: preflight("http://app.test", "PUT", "Content-Type, x-amz-date"),
    expect: { status: 200 },
    compare: CORS_HEADERS,
  },
  {
    name: "A preflight from an origin matching a wildcard origin is allowed",
    setup: WITH_CORS,
    request: preflight("http://shop.web.test", "GET"),
    expect: { status: 200 },
    compare: CORS_HEADERS,
  },
  {
    name: "A preflight under a rule for origin * echoes the origin",
    setup: WITH_CORS,
    request: preflight("http://anyone.test", "HEAD"),
    expect: { status: 200 },
    compare: CORS_HEADERS,
  },
  {
    name: "A preflight from an origin no rule names is denied",
    setup: WITH_CORS,
    request: preflight("http://evil.test", "PUT"),
    expect: { status: 403, code: "AccessDenied" },
    compare: CORS_HEADERS,
  },
  {
    name: "A preflight for a method the rule lacks is denied",
    setup: WITH_CORS,
    request: preflight("http://app.test", "DELETE"),
    expect: { status: 403, code: "AccessDenied" },
  },
  {
    name: "A preflight asking for a header the rule lacks is denied",
    setup: WITH_CORS,
    request: preflight("http://app.test", "PUT", "content-type, x-custom"),
    expect: { status: 403, code: "AccessDenied" },
  },
  {
    name: "A preflight is decided by the first rule matching the origin",
    setup: [
      bucket(),
      putCors(
        "<AllowedOrigin>http://app.test</AllowedOrigin><AllowedMethod>GET</AllowedMethod>",
        "<AllowedOrigin>http://app.test</AllowedOrigin><AllowedMethod>PUT</AllowedMethod>",
      ),
    ],
    request: preflight("http://app.test", "PUT"),
    expect: { status: 403, code: "AccessDenied" },
  },
  {
    name: "A preflight on a bucket without CORS rules is denied",
    setup: [bucket(), put("k")],
    request: preflight("http://app.test", "PUT"),
    expect: { status: 403, code: "AccessDenied" },
  },
  {
    name: "A preflight without Access-Control-Request-Method is InvalidArgument",
    setup: WITH_CORS,
    request: {
      method: "OPTIONS",
      bucket: "{b}",
      key: "k",
      auth: ANON,
      headers: { origin: "http://app.test" },
    },
    expect: { status: 400, code: "InvalidArgument" },
  },
  {
    name: "A preflight with a wrong signature is answered from the rules alone",
    setup: WITH_CORS,
    request: {
      ...preflight("http://app.test", "GET"),
      auth: { wrongSecret: true },
    },
    expect: { status: 200 },
    compare: CORS_HEADERS,
  },
  {
    name: "A GET from an allowed origin gets the exposed headers",
    setup: WITH_CORS,
    request: { method: "GET", bucket: "{b}", key: "k", headers: { origin: "http://app.test" } },
    expect: { status: 200 },
    compare: CORS_HEADERS,
  },
  {
    name: "An error answer to an allowed origin carries the CORS headers",
    setup: WITH_CORS,
    request: {
      method: "GET",
      bucket: "{b}",
      key: "missing",
      headers: { origin: "http://app.test" },
    },
    expect: { status: 404, code: "NoSuchKey" },
    compare: CORS_HEADERS,
  },
  {
    name: "An anonymous request under a rule for origin * gets Access-Control-Allow-Origin *",
    setup: WITH_CORS,
    request: {
      method: "HEAD",
      bucket: "{b}",
      key: "k",
      auth: ANON,
      headers: { origin: "http://anyone.test" },
    },
    expect: { status: 403 },
    compare: CORS_HEADERS,
  },
  {
    name: "A request from an origin no rule names gets no CORS headers",
    setup: WITH_CORS,
    request: { method: "GET", bucket: "{b}", key: "k", headers: { origin: "http://evil.test" } },
    expect: { status: 200 },
    compare: CORS_HEADERS,
  },
  {
    name: "A request whose method the matching rule lacks gets no CORS headers",
    setup: WITH_CORS,
    request: { method: "DELETE", bucket: "{b}", key: "k", headers: { origin: "http://app.test" } },
    expect: { status: 204 },
    compare: CORS_HEADERS,
  },
  {
    name: "A request refused for its signature gets no CORS headers",
    setup: WITH_CORS,
    request: {
      method: "GET",
      bucket: "{b}",
      key: "k",
      auth: { wrongSecret: true },
      headers: { origin: "http://app.test" },
    },
    expect: { status: 403, code: "SignatureDoesNotMatch" },
    compare: CORS_HEADERS,
  },
];
