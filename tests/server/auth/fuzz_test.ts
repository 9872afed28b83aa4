/**
 * Auth fuzzing: requests signed with the real signers (`@smithy/signature-v4` for SigV4 header,
 * presigned and streaming; Signature V2 header and query), then mutated one thing at a time and
 * sent to an embedded server. None may be accepted. Mutations that do not change what is signed
 * (an unsigned header, the body of an `UNSIGNED-PAYLOAD` request) are not counted as mutations:
 * they are sent as positive controls and must be accepted, so the test can tell the difference.
 */

import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { DEMO_USERS } from "../../../server/demo_users.ts";
import { s3Client, testServer } from "../../support/server.ts";
import { prng } from "../../support/prng.ts";
import {
  errorCode,
  RawClient,
  serialize,
  toWire,
  type WireRequest,
} from "../../support/raw_http.ts";
import {
  type Credentials,
  md5Base64,
  presignV2,
  presignV4,
  type RawRequest,
  sha256Hex,
  signV2,
  signV4,
} from "../../support/signing.ts";

const SEED = 0x5eed_2026;
const TARGET_MUTATIONS = 10_000;
const WORKERS = 8;
const DEMO: Credentials = DEMO_USERS[0];
const BUCKET = "fuzz-bucket";
const OTHER_BUCKET = "fuzz-other";
const OBJECT = "fuzz/object.txt";
const OBJECT_BODY = "The original object body.";
const encoder = new TextEncoder();

/** How a base request is authenticated: decides which mutations apply. */
type Scheme = "v4-header" | "v4-presigned" | "v4-chunked" | "v2-header" | "v2-query";

interface Base {
  name: string;
  scheme: Scheme;
  request: WireRequest;
  /** Whether sending the base itself changes state (DELETE, PUT ?acl): sent last. */
  destructive?: boolean;
}

interface Mutation {
  base: string;
  operator: string;
  request: WireRequest;
}

type Rand = () => number;

function pick<T>(rand: Rand, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)];
}

function int(rand: Rand, min: number, max: number): number {
  return min + Math.floor(rand() * (max - min + 1));
}

const SAFE = "abcdefghijklmnopqrstuvwxyz0123456789";

/** Replaces one character with a different one that is not the same letter in another case. */
function changeChar(rand: Rand, text: string, from = 0): string {
  if (text.length <= from) return text + pick(rand, SAFE.split(""));
  const at = int(rand, from, text.length - 1);
  let c: string;
  do c = pick(rand, SAFE.split("")); while (c.toLowerCase() === text[at].toLowerCase());
  return text.slice(0, at) + c + text.slice(at + 1);
}

function flipHex(rand: Rand, hex: string): string {
  const bytes = hex.match(/../g)!.map((b) => parseInt(b, 16));
  const at = int(rand, 0, bytes.length - 1);
  bytes[at] ^= 1 << int(rand, 0, 7);
  return bytes.map((b) => b.toString(16).padStart(2, "0")).join("");
}

function flipBase64(rand: Rand, b64: string): string {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  bytes[int(rand, 0, bytes.length - 1)] ^= 1 << int(rand, 0, 7);
  return btoa(String.fromCharCode(...bytes));
}

function clone(request: WireRequest): WireRequest {
  return {
    method: request.method,
    target: request.target,
    headers: request.headers.map(([n, v]) => [n, v]),
    body: request.body,
  };
}

function header(request: WireRequest, name: string): string | undefined {
  return request.headers.find(([n]) => n.toLowerCase() === name)?.[1];
}

function setHeader(request: WireRequest, name: string, value: string | undefined): WireRequest {
  const out = clone(request);
  const at = out.headers.findIndex(([n]) => n.toLowerCase() === name);
  if (value === undefined) {
    if (at >= 0) out.headers.splice(at, 1);
  } else if (at >= 0) out.headers[at][1] = value;
  else out.headers.push([name, value]);
  return out;
}

function splitTarget(target: string): { path: string; query: Array<[string, string]> } {
  const q = target.indexOf("?");
  const path = q < 0 ? target : target.slice(0, q);
  const query = q < 0 ? [] : target.slice(q + 1).split("&").filter(Boolean).map((p) => {
    const eq = p.indexOf("=");
    return (eq < 0 ? [p, ""] : [p.slice(0, eq), p.slice(eq + 1)]) as [string, string];
  });
  return { path, query };
}

function joinTarget(path: string, query: Array<[string, string]>): string {
  const qs = query.map(([k, v]) => v === "" ? k : `${k}=${v}`).join("&");
  return qs ? `${path}?${qs}` : path;
}

function withQuery(
  request: WireRequest,
  edit: (q: Array<[string, string]>) => Array<[string, string]>,
): WireRequest {
  const { path, query } = splitTarget(request.target);
  return { ...clone(request), target: joinTarget(path, edit(query.map(([k, v]) => [k, v]))) };
}

function withPath(request: WireRequest, path: string): WireRequest {
  return { ...clone(request), target: joinTarget(path, splitTarget(request.target).query) };
}

function shiftAmzDate(value: string, seconds: number): string {
  const m = value.match(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/)!;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) + seconds * 1000);
  return d.toISOString().replace(/[-:]/g, "").replace(/\.\d+/, "");
}

/** Mutations of the path: another key or bucket, never a no-op re-encoding of the same one. */
function mutatePath(rand: Rand, path: string): string {
  const [, bucket, ...rest] = path.split("/");
  const key = rest.join("/");
  switch (int(rand, 0, 6)) {
    case 0:
      return `/${bucket}/${changeChar(rand, key)}`;
    case 1:
      return `/${changeChar(rand, bucket)}${key ? `/${key}` : ""}`;
    case 2:
      return `/${OTHER_BUCKET}${key ? `/${key}` : ""}`;
    case 3:
      return `${path}${pick(rand, ["x", "/", "~", "-1", ".bak"])}`;
    case 4:
      return key.length > 1
        ? `/${bucket}/${key.slice(0, int(rand, 1, key.length - 1))}`
        : `${path}z`;
    case 5:
      return `/${bucket}/${pick(rand, ["..", "x/..", "."])}/${key || "k"}`;
    default:
      return `/${bucket}/${key.toUpperCase() === key ? key + "Q" : key.toUpperCase()}`;
  }
}

function otherMethod(rand: Rand, method: string): string {
  return pick(rand, ["GET", "HEAD", "PUT", "POST", "DELETE"].filter((m) => m !== method));
}

const EXTRA_QUERY: Array<[string, string]> = [
  ["acl", ""],
  ["uploads", ""],
  ["tagging", ""],
  ["versionId", "1"],
  ["x-id", "PutObject"],
  ["response-content-type", "text%2Fhtml"],
  ["foo", "bar"],
  ["prefix", "a"],
  ["delete", ""],
];

/** SigV4 Authorization header parts. */
function authParts(value: string) {
  const m = value.match(
    /^AWS4-HMAC-SHA256 Credential=([^,]+), ?SignedHeaders=([^,]+), ?Signature=(\w+)$/,
  );
  assert.ok(m, `Unexpected Authorization header from the signer: ${value.slice(0, 40)}`);
  return { credential: m[1], signedHeaders: m[2].split(";"), signature: m[3] };
}

function authValue(p: { credential: string; signedHeaders: string[]; signature: string }) {
  return `AWS4-HMAC-SHA256 Credential=${p.credential}, SignedHeaders=${
    p.signedHeaders.join(";")
  }, Signature=${p.signature}`;
}

function mutateCredential(rand: Rand, credential: string): string {
  const parts = credential.split("/");
  const at = int(rand, 0, 4);
  const options = [
    ["OTHERACCESSKEY", "DEMOACCESSKEZ", "NOSUCHKEY", ""],
    [shiftAmzDate(parts[1] + "T000000Z", 86400).slice(0, 8), "20000101", "notadate"],
    ["us-west-2", "eu-central-1", "US-EAST-1", ""],
    ["iam", "s4", "sts", ""],
    ["aws4_requesT", "aws5_request", ""],
  ][at];
  const next = pick(rand, options.filter((o) => o !== parts[at]));
  parts[at] = next;
  return parts.join("/");
}

/** Changes a header value so the signed text differs (never only whitespace or case). */
function mutateValue(rand: Rand, name: string, value: string): string {
  if (name === "x-amz-date" && /^\d{8}T\d{6}Z$/.test(value)) {
    return shiftAmzDate(value, pick(rand, [-3600, -60, -1, 1, 60, 3600]) * int(rand, 1, 3));
  }
  if (name === "date") {
    return new Date(Date.parse(value) + pick(rand, [-60, -1, 1, 60]) * 1000).toUTCString();
  }
  switch (int(rand, 0, 3)) {
    case 0:
      return changeChar(rand, value);
    case 1:
      return value + pick(rand, SAFE.split(""));
    case 2:
      return value.length > 1 ? value.slice(0, -1) : value + "0";
    default:
      return pick(rand, [
        "0",
        "x",
        "UNSIGNED-PAYLOAD",
        "text/html",
        "bytes=0-",
        value + "," + value,
      ]);
  }
}

function mutateBody(rand: Rand, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(body);
  switch (int(rand, 0, 2)) {
    case 0: {
      out[int(rand, 0, out.length - 1)] ^= 1 << int(rand, 0, 7);
      return out;
    }
    case 1: {
      const longer = new Uint8Array(body.length + 1);
      longer.set(body);
      longer[body.length] = int(rand, 0, 255);
      return longer;
    }
    default:
      return body.slice(0, int(rand, 0, body.length - 1));
  }
}

/** One mutation of a SigV4 header-signed request. */
function mutateV4Header(rand: Rand, base: Base): [string, WireRequest] {
  const r = base.request;
  const auth = authParts(header(r, "authorization")!);
  const signed = auth.signedHeaders;
  const hasSignedBody = /^[0-9a-f]{64}$/.test(header(r, "x-amz-content-sha256") ?? "") &&
    (r.body?.length ?? 0) > 0;
  const ops = [
    "signature",
    "signed-header",
    "method",
    "path",
    "query",
    "credential",
    "signed-headers-list",
    "drop-auth",
    "scheme",
  ];
  if (hasSignedBody) ops.push("body", "body", "body");
  const op = pick(rand, ops);
  switch (op) {
    case "signature": {
      const variant = int(rand, 0, 3);
      const signature = variant === 0
        ? auth.signature.slice(0, -int(rand, 1, 8))
        : variant === 1
        ? auth.signature + pick(rand, "0123456789abcdef".split(""))
        : flipHex(rand, auth.signature);
      return [op, setHeader(r, "authorization", authValue({ ...auth, signature }))];
    }
    case "signed-header": {
      const name = pick(rand, signed);
      const value = header(r, name) ?? "";
      const variant = int(rand, 0, 5);
      if (variant === 0 && name !== "host") {
        return [`${op}:${name}:drop`, setHeader(r, name, undefined)];
      }
      if (variant === 1) {
        const out = clone(r);
        out.headers.push([name, mutateValue(rand, name, value)]);
        return [`${op}:${name}:duplicate`, out];
      }
      return [`${op}:${name}`, setHeader(r, name, mutateValue(rand, name, value))];
    }
    case "method":
      return [op, { ...clone(r), method: otherMethod(rand, r.method) }];
    case "path": {
      const { path } = splitTarget(r.target);
      return [op, withPath(r, mutatePath(rand, path))];
    }
    case "query":
      return [
        op,
        withQuery(r, (q) => {
          const variant = int(rand, 0, 2);
          if (variant === 0 || q.length === 0) {
            const extra = pick(rand, EXTRA_QUERY.filter(([k]) => !q.some(([n]) => n === k)));
            q.splice(int(rand, 0, q.length), 0, extra);
          } else if (variant === 1) {
            const at = int(rand, 0, q.length - 1);
            q[at] = [q[at][0], changeChar(rand, q[at][1])];
          } else q.splice(int(rand, 0, q.length - 1), 1);
          return q;
        }),
      ];
    case "credential":
      return [
        op,
        setHeader(
          r,
          "authorization",
          authValue({ ...auth, credential: mutateCredential(rand, auth.credential) }),
        ),
      ];
    case "signed-headers-list": {
      const list = [...signed];
      if (rand() < 0.5 && list.length > 1) list.splice(int(rand, 0, list.length - 1), 1);
      else {
        const extra = pick(
          rand,
          ["content-length", "user-agent", "x-amz-meta-extra", "accept"]
            .filter((h) => !list.includes(h)),
        );
        list.push(extra);
        list.sort();
      }
      const out = setHeader(r, "authorization", authValue({ ...auth, signedHeaders: list }));
      if (!header(out, "x-amz-meta-extra")) out.headers.push(["x-amz-meta-extra", "1"]);
      if (!header(out, "accept")) out.headers.push(["accept", "*/*"]);
      if (!header(out, "user-agent")) out.headers.push(["user-agent", "fuzz"]);
      return [op, out];
    }
    case "drop-auth":
      return [op, setHeader(r, "authorization", undefined)];
    case "scheme":
      return [
        op,
        setHeader(
          r,
          "authorization",
          pick(rand, [
            authValue(auth).replace("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA512"),
            authValue(auth).replace("Credential=", "Credential=X"),
            `AWS ${DEMO.accessKeyId}:${auth.signature}`,
            authValue(auth).replace(/, Signature=\w+$/, ""),
          ]),
        ),
      ];
    default:
      return ["body", { ...clone(r), body: mutateBody(rand, r.body!) }];
  }
}

/** One mutation of a SigV4 presigned request. */
function mutateV4Presigned(rand: Rand, base: Base): [string, WireRequest] {
  const r = base.request;
  const op = pick(rand, [
    "X-Amz-Signature",
    "X-Amz-Expires",
    "X-Amz-Date",
    "X-Amz-Credential",
    "X-Amz-SignedHeaders",
    "X-Amz-Algorithm",
    "drop-param",
    "add-param",
    "method",
    "path",
    "host",
    "add-authorization",
  ]);
  const editParam = (name: string, change: (v: string) => string) =>
    withQuery(r, (q) => q.map(([k, v]) => [k, k === name ? change(v) : v]));
  switch (op) {
    case "X-Amz-Signature":
      return [op, editParam(op, (v) => flipHex(rand, v))];
    case "X-Amz-Expires":
      return [
        op,
        editParam(op, (v) =>
          pick(
            rand,
            [
              String(Number(v) + int(rand, 1, 5000)),
              String(Math.max(1, Number(v) - int(rand, 1, 3000))),
              "604800",
              "604801",
              "0",
              "-1",
              "abc",
              "",
            ].filter((x) => x !== v),
          )),
      ];
    case "X-Amz-Date":
      return [op, editParam(op, (v) => shiftAmzDate(v, pick(rand, [-7200, -61, -1, 1, 59, 601])))];
    case "X-Amz-Credential":
      return [
        op,
        editParam(op, (v) => encodeURIComponent(mutateCredential(rand, decodeURIComponent(v)))),
      ];
    case "X-Amz-SignedHeaders":
      return [
        op,
        editParam(op, () => pick(rand, ["", "host%3Brange", "range", "host%3Bx-amz-date"])),
      ];
    case "X-Amz-Algorithm":
      return [
        op,
        editParam(op, () => pick(rand, ["AWS4-HMAC-SHA512", "AWS4-HMAC-SHA25", "", "AWS"])),
      ];
    case "drop-param": {
      const name = pick(rand, [
        "X-Amz-Signature",
        "X-Amz-Expires",
        "X-Amz-Date",
        "X-Amz-Credential",
        "X-Amz-SignedHeaders",
        "X-Amz-Algorithm",
      ]);
      return [`${op}:${name}`, withQuery(r, (q) => q.filter(([k]) => k !== name))];
    }
    case "add-param":
      return [
        op,
        withQuery(r, (q) => {
          const extra = pick(rand, EXTRA_QUERY);
          q.splice(int(rand, 0, q.length), 0, [extra[0], extra[1] || String(int(rand, 0, 9))]);
          return q;
        }),
      ];
    case "method":
      return [op, { ...clone(r), method: otherMethod(rand, r.method) }];
    case "path":
      return [op, withPath(r, mutatePath(rand, splitTarget(r.target).path))];
    case "host":
      return [op, setHeader(r, "host", mutateValue(rand, "host", header(r, "host")!))];
    default:
      return [
        op,
        setHeader(
          r,
          "authorization",
          `AWS4-HMAC-SHA256 Credential=${DEMO.accessKeyId}/20260101/us-east-1/s3/aws4_request, ` +
            `SignedHeaders=host, Signature=${"0".repeat(64)}`,
        ),
      ];
  }
}

/** Splits an aws-chunked body into its chunks: header line, data, CRLF each. */
function segments(body: Uint8Array): string[] {
  const text = new TextDecoder("latin1").decode(body);
  const out: string[] = [];
  let at = 0;
  while (at < text.length) {
    const eol = text.indexOf("\r\n", at);
    const size = parseInt(text.slice(at, eol), 16);
    const end = eol + 2 + size + 2;
    out.push(text.slice(at, end));
    at = end;
  }
  return out;
}

/** One mutation of an aws-chunked streaming upload (chunks keep their original signatures). */
function mutateChunked(rand: Rand, base: Base): [string, WireRequest] {
  const op = pick(rand, ["chunk-data", "chunk-signature", "framing", "header"]);
  if (op === "header") return mutateV4Header(rand, base);
  const parts = segments(base.request.body!);
  const data = parts.slice(0, -1);
  if (op === "chunk-data") {
    const at = int(rand, 0, data.length - 1);
    const start = data[at].indexOf("\r\n") + 2;
    const length = data[at].length - start - 2;
    const pos = start + int(rand, 0, length - 1);
    const flipped = String.fromCharCode(data[at].charCodeAt(pos) ^ (1 << int(rand, 0, 7)));
    parts[at] = data[at].slice(0, pos) + flipped + data[at].slice(pos + 1);
  } else if (op === "chunk-signature") {
    const at = int(rand, 0, parts.length - 1);
    const m = parts[at].match(/chunk-signature=([0-9a-f]{64})/)!;
    parts[at] = parts[at].replace(m[1], flipHex(rand, m[1]));
  } else {
    const variant = int(rand, 0, 2);
    if (variant === 0) parts.pop();
    else if (variant === 1) [parts[0], parts[1]] = [parts[1], parts[0]];
    else parts.splice(int(rand, 0, data.length - 1), 1);
    return [`${op}:${variant}`, { ...clone(base.request), body: latin1(parts.join("")) }];
  }
  return [op, { ...clone(base.request), body: latin1(parts.join("")) }];
}

function latin1(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

/** One mutation of a Signature V2 header-signed request. */
function mutateV2Header(rand: Rand, base: Base): [string, WireRequest] {
  const r = base.request;
  const [akid, signature] = header(r, "authorization")!.slice(4).split(":");
  const ops = [
    "signature",
    "access-key",
    "date",
    "content-type",
    "amz-header",
    "method",
    "path",
    "subresource",
    "drop-auth",
  ];
  if (header(r, "content-md5")) ops.push("content-md5", "body");
  const op = pick(rand, ops);
  switch (op) {
    case "signature":
      return [op, setHeader(r, "authorization", `AWS ${akid}:${flipBase64(rand, signature)}`)];
    case "access-key":
      return [
        op,
        setHeader(
          r,
          "authorization",
          `AWS ${pick(rand, ["OTHERACCESSKEY", "NOSUCHKEY", changeChar(rand, akid)])}:${signature}`,
        ),
      ];
    case "date":
      return [op, setHeader(r, "date", mutateValue(rand, "date", header(r, "date")!))];
    case "content-type":
      return [
        op,
        setHeader(
          r,
          "content-type",
          header(r, "content-type")
            ? mutateValue(rand, "content-type", header(r, "content-type")!)
            : "text/html",
        ),
      ];
    case "content-md5":
      return [op, setHeader(r, "content-md5", flipBase64(rand, header(r, "content-md5")!))];
    case "amz-header": {
      const existing = r.headers.filter(([n]) => n.toLowerCase().startsWith("x-amz-"));
      if (existing.length && rand() < 0.5) {
        const [name, value] = pick(rand, existing);
        return [`${op}:${name}`, setHeader(r, name, mutateValue(rand, name, value))];
      }
      const name = pick(rand, ["x-amz-meta-added", "x-amz-acl", "x-amz-date", "x-amz-copy-source"]);
      const value = name === "x-amz-date"
        ? new Date().toUTCString()
        : name === "x-amz-acl"
        ? "public-read"
        : `v${int(rand, 0, 99999)}`;
      return [`${op}:add:${name}`, setHeader(r, name, value)];
    }
    case "method":
      return [op, { ...clone(r), method: otherMethod(rand, r.method) }];
    case "path":
      return [op, withPath(r, mutatePath(rand, splitTarget(r.target).path))];
    case "subresource":
      return [
        op,
        withQuery(r, (q) => {
          const sub = pick(
            rand,
            [["acl", ""], ["uploads", ""], ["tagging", ""], ["versionId", "x"], [
              "response-content-type",
              "text%2Fhtml",
            ], ["torrent", ""]] as Array<[string, string]>,
          );
          q.push(sub);
          return q;
        }),
      ];
    case "drop-auth":
      return [op, setHeader(r, "authorization", undefined)];
    default:
      return ["body", { ...clone(r), body: mutateBody(rand, r.body!) }];
  }
}

/** One mutation of a Signature V2 query-signed request. */
function mutateV2Query(rand: Rand, base: Base): [string, WireRequest] {
  const r = base.request;
  const op = pick(rand, [
    "Signature",
    "Expires",
    "AWSAccessKeyId",
    "drop-param",
    "method",
    "path",
    "subresource",
    "content-type",
    "amz-header",
  ]);
  const edit = (name: string, change: (v: string) => string) =>
    withQuery(r, (q) => q.map(([k, v]) => [k, k === name ? change(v) : v]));
  switch (op) {
    case "Signature":
      return [op, edit(op, (v) => encodeURIComponent(flipBase64(rand, decodeURIComponent(v))))];
    case "Expires":
      return [
        op,
        edit(op, (v) =>
          pick(
            rand,
            [
              String(Number(v) + int(rand, 1, 100000)),
              String(Number(v) - int(rand, 1, 600)),
              "0",
              "-1",
              "abc",
              "",
            ].filter((x) => x !== v),
          )),
      ];
    case "AWSAccessKeyId":
      return [
        op,
        edit(op, (v) => pick(rand, ["OTHERACCESSKEY", "NOSUCHKEY", changeChar(rand, v)])),
      ];
    case "drop-param": {
      const name = pick(rand, ["Signature", "Expires", "AWSAccessKeyId"]);
      return [`${op}:${name}`, withQuery(r, (q) => q.filter(([k]) => k !== name))];
    }
    case "method":
      return [op, { ...clone(r), method: otherMethod(rand, r.method) }];
    case "path":
      return [op, withPath(r, mutatePath(rand, splitTarget(r.target).path))];
    case "subresource":
      return [
        op,
        withQuery(r, (q) => {
          q.unshift(
            pick(
              rand,
              [["acl", ""], ["uploads", ""], ["tagging", ""], [
                "response-content-type",
                `text%2F${int(rand, 0, 999)}`,
              ]] as Array<[string, string]>,
            ),
          );
          return q;
        }),
      ];
    case "content-type":
      return [op, setHeader(r, "content-type", `text/x${int(rand, 0, 9999)}`)];
    default:
      return [op, setHeader(r, `x-amz-meta-f${int(rand, 0, 99)}`, String(int(rand, 0, 9999)))];
  }
}

const MUTATORS: Record<Scheme, (rand: Rand, base: Base) => [string, WireRequest]> = {
  "v4-header": mutateV4Header,
  "v4-presigned": mutateV4Presigned,
  "v4-chunked": mutateChunked,
  "v2-header": mutateV2Header,
  "v2-query": mutateV2Query,
};

function signingKey(secret: string, date: string): Uint8Array {
  const h = (key: string | Uint8Array, text: string) =>
    new Uint8Array(createHmac("sha256", key).update(text).digest());
  return h(h(h(h(`AWS4${secret}`, date), "us-east-1"), "s3"), "aws4_request");
}

async function chunkedBase(host: string, now: Date): Promise<Base> {
  const chunks = [encoder.encode("a".repeat(70)), encoder.encode("chunk two, the end")];
  const decodedLength = chunks.reduce((n, c) => n + c.length, 0);
  const signed = toWire(
    await signV4(
      {
        method: "PUT",
        host,
        path: `/${BUCKET}/fuzz/chunked.txt`,
        headers: {
          "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
          "content-encoding": "aws-chunked",
          "x-amz-decoded-content-length": String(decodedLength),
        },
      },
      DEMO,
      now,
    ),
  );
  const seed = authParts(header(signed, "authorization")!).signature;
  const amzDate = header(signed, "x-amz-date")!;
  const scope = `${amzDate.slice(0, 8)}/us-east-1/s3/aws4_request`;
  const key = signingKey(DEMO.secretAccessKey, amzDate.slice(0, 8));
  const sign = (list: Uint8Array[]) => {
    let previous = seed;
    let text = "";
    for (const chunk of [...list, new Uint8Array()]) {
      const sts = [
        "AWS4-HMAC-SHA256-PAYLOAD",
        amzDate,
        scope,
        previous,
        sha256Hex(""),
        sha256Hex(chunk),
      ].join("\n");
      previous = createHmac("sha256", key).update(sts).digest("hex");
      text += `${chunk.length.toString(16)};chunk-signature=${previous}\r\n` +
        new TextDecoder("latin1").decode(chunk) + "\r\n";
    }
    return latin1(text);
  };
  return {
    name: "SigV4 aws-chunked PUT",
    scheme: "v4-chunked",
    request: { ...signed, body: sign(chunks) },
  };
}

async function bases(host: string, now: Date): Promise<Base[]> {
  const putBody = encoder.encode("Signed body for the fuzzer.");
  const v2Body = encoder.encode("Signature V2 body.");
  // Each base is signed by the demo user at `now`, then laid out as it goes on the wire.
  const v4 = async (request: RawRequest) => toWire(await signV4(request, DEMO, now));
  const v4Presigned = async (request: RawRequest, expiresIn: number) =>
    toWire(await presignV4(request, DEMO, now, expiresIn));
  const v2 = (request: RawRequest) => toWire(signV2(request, DEMO, now));
  const v2Query = (request: RawRequest, expires: Date) => toWire(presignV2(request, DEMO, expires));
  return [
    {
      name: "SigV4 GET object with Range",
      scheme: "v4-header",
      request: await v4({
        method: "GET",
        host,
        path: `/${BUCKET}/${OBJECT}`,
        headers: { range: "bytes=0-7" },
      }),
    },
    {
      name: "SigV4 PUT object, signed payload and metadata",
      scheme: "v4-header",
      request: await v4({
        method: "PUT",
        host,
        path: `/${BUCKET}/fuzz/put.txt`,
        headers: {
          "content-type": "text/plain",
          "content-md5": md5Base64(putBody),
          "x-amz-meta-color": "blue",
          "x-amz-acl": "private",
        },
        body: putBody,
      }),
    },
    {
      name: "SigV4 ListObjectsV2 with prefix and max-keys",
      scheme: "v4-header",
      request: await v4({
        method: "GET",
        host,
        path: `/${BUCKET}`,
        query: { "list-type": "2", prefix: "fuzz/", "max-keys": "5" },
      }),
    },
    {
      name: "SigV4 DELETE object",
      scheme: "v4-header",
      destructive: true,
      request: await v4({ method: "DELETE", host, path: `/${BUCKET}/fuzz/victim.txt` }),
    },
    {
      name: "SigV4 PUT object ACL public-read",
      scheme: "v4-header",
      destructive: true,
      request: await v4({
        method: "PUT",
        host,
        path: `/${BUCKET}/${OBJECT}`,
        query: { acl: "" },
        headers: { "x-amz-acl": "public-read" },
      }),
    },
    {
      name: "SigV4 virtual-host GET object",
      scheme: "v4-header",
      request: await v4({
        method: "GET",
        host: `${BUCKET}.localhost:${host.split(":")[1]}`,
        path: `/${OBJECT}`,
      }),
    },
    await chunkedBase(host, now),
    {
      name: "SigV4 presigned GET",
      scheme: "v4-presigned",
      request: await v4Presigned({ method: "GET", host, path: `/${BUCKET}/${OBJECT}` }, 3600),
    },
    {
      name: "SigV4 presigned PUT",
      scheme: "v4-presigned",
      request: {
        ...await v4Presigned(
          { method: "PUT", host, path: `/${BUCKET}/fuzz/presigned-put.txt` },
          900,
        ),
        body: encoder.encode("presigned upload"),
      },
    },
    {
      name: "Signature V2 GET object",
      scheme: "v2-header",
      request: v2({ method: "GET", host, path: `/${BUCKET}/${OBJECT}` }),
    },
    {
      name: "Signature V2 PUT object with Content-MD5, type and metadata",
      scheme: "v2-header",
      request: v2({
        method: "PUT",
        host,
        path: `/${BUCKET}/fuzz/v2.txt`,
        headers: {
          "content-type": "text/plain",
          "content-md5": md5Base64(v2Body),
          "x-amz-meta-color": "green",
        },
        body: v2Body,
      }),
    },
    {
      name: "Signature V2 GET object ACL",
      scheme: "v2-header",
      request: v2({ method: "GET", host, path: `/${BUCKET}/${OBJECT}`, query: { acl: "" } }),
    },
    {
      name: "Signature V2 query-string GET",
      scheme: "v2-query",
      request: v2Query(
        { method: "GET", host, path: `/${BUCKET}/${OBJECT}` },
        new Date(now.getTime() + 3600_000),
      ),
    },
  ];
}

interface Outcome {
  status: number;
  code?: string;
  error?: string;
}

async function sendAll(
  hostname: string,
  port: number,
  requests: WireRequest[],
): Promise<Outcome[]> {
  const outcomes: Outcome[] = new Array(requests.length);
  let next = 0;
  const worker = async () => {
    const client = new RawClient(hostname, port);
    try {
      while (next < requests.length) {
        const i = next++;
        let timer: ReturnType<typeof setTimeout> | undefined;
        try {
          const response = await Promise.race([
            client.send(requests[i]),
            new Promise<never>((_, reject) => {
              timer = setTimeout(() => reject(new Error("no response within 10 s")), 10_000);
            }),
          ]);
          outcomes[i] = { status: response.status, code: errorCode(response.body) };
        } catch (error) {
          client.close();
          outcomes[i] = { status: 0, error: (error as Error).message };
        } finally {
          clearTimeout(timer);
        }
      }
    } finally {
      client.close();
    }
  };
  await Promise.all(Array.from({ length: WORKERS }, worker));
  return outcomes;
}

function fingerprint(request: WireRequest): string {
  return sha256Hex(serialize(request));
}

Deno.test("auth fuzzing: 10,000 mutated signed requests are all refused", async () => {
  await using server = await testServer();
  const host = `127.0.0.1:${server.port}`;
  const sdk = s3Client(server.url);
  try {
    await sdk.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await sdk.send(new CreateBucketCommand({ Bucket: OTHER_BUCKET }));
    for (const Key of [OBJECT, "fuzz/victim.txt"]) {
      await sdk.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: OBJECT_BODY }));
      await sdk.send(new PutObjectCommand({ Bucket: OTHER_BUCKET, Key, Body: OBJECT_BODY }));
    }
    const now = new Date();
    const all = await bases(host, now);
    const byName = (name: string) => all.find((b) => b.name === name)!.request;

    // Controls: every base as signed is accepted (destructive ones last), so a refusal below
    // means the mutation was refused, not that the signer is wrong.
    const safe = all.filter((b) => !b.destructive);
    const safeOutcomes = await sendAll("127.0.0.1", server.port, safe.map((b) => b.request));
    safe.forEach((b, i) =>
      assert.ok(
        safeOutcomes[i].status >= 200 && safeOutcomes[i].status < 300,
        `Control "${b.name}" was refused: ${JSON.stringify(safeOutcomes[i])}`,
      )
    );

    // Positive controls: changes outside what is signed are accepted.
    const noOps: Array<[string, WireRequest]> = [
      [
        "unsigned header on SigV4 GET",
        setHeader(byName("SigV4 GET object with Range"), "x-fuzz-unsigned", "1"),
      ],
      [
        "unsigned header on presigned GET",
        setHeader(byName("SigV4 presigned GET"), "x-fuzz-unsigned", "1"),
      ],
      ["another body for a presigned (UNSIGNED-PAYLOAD) PUT", {
        ...clone(byName("SigV4 presigned PUT")),
        body: encoder.encode("another upload"),
      }],
      [
        "unsigned header on SigV2 GET",
        setHeader(byName("Signature V2 GET object"), "user-agent", "fuzz/1"),
      ],
    ];
    const noOpOutcomes = await sendAll("127.0.0.1", server.port, noOps.map(([, r]) => r));
    noOps.forEach(([name], i) =>
      assert.ok(
        noOpOutcomes[i].status >= 200 && noOpOutcomes[i].status < 300,
        `No-op change "${name}" should be accepted: ${JSON.stringify(noOpOutcomes[i])}`,
      )
    );

    // Mutations: one change each, deterministic, no duplicates, no no-ops.
    const rand = prng(SEED);
    const seen = new Set(all.map((b) => fingerprint(b.request)));
    for (const [, r] of noOps) seen.add(fingerprint(r));
    const mutations: Mutation[] = [];
    let duplicates = 0;
    while (mutations.length < TARGET_MUTATIONS) {
      const base = pick(rand, all);
      const [operator, request] = MUTATORS[base.scheme](rand, base);
      const print = fingerprint(request);
      if (seen.has(print)) {
        duplicates++;
        assert.ok(duplicates < TARGET_MUTATIONS * 5, "The mutators run out of distinct mutations");
        continue;
      }
      seen.add(print);
      mutations.push({ base: base.name, operator, request });
    }

    const started = performance.now();
    const outcomes = await sendAll("127.0.0.1", server.port, mutations.map((m) => m.request));
    const seconds = (performance.now() - started) / 1000;

    const accepted = mutations.filter((_, i) =>
      outcomes[i].status >= 200 && outcomes[i].status < 400
    );
    const serverErrors = mutations.filter((_, i) => outcomes[i].status >= 500);
    const noAnswer = mutations.filter((_, i) => outcomes[i].status === 0);
    const byCode = new Map<string, number>();
    outcomes.forEach((o) => {
      const k = `${o.status} ${o.code ?? (o.error ? "no answer" : "")}`.trim();
      byCode.set(k, (byCode.get(k) ?? 0) + 1);
    });
    const byOperator = new Map<string, number>();
    for (const m of mutations) {
      const k = `${m.base} / ${m.operator.split(":")[0]}`;
      byOperator.set(k, (byOperator.get(k) ?? 0) + 1);
    }
    console.log(
      `Auth fuzzing (seed 0x${SEED.toString(16)}): ${mutations.length} distinct mutations of ` +
        `${all.length} signed requests sent in ${
          seconds.toFixed(1)
        } s; accepted: ${accepted.length}; ` +
        `5xx: ${serverErrors.length}; no answer: ${noAnswer.length}; ${duplicates} duplicates skipped`,
    );
    console.log(
      `  answers: ${
        [...byCode].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ×${n}`).join(", ")
      }`,
    );
    console.log(`  mutation kinds: ${byOperator.size}`);

    const describe = (list: Mutation[]) =>
      list.slice(0, 10).map((m) => {
        const o = outcomes[mutations.indexOf(m)];
        return `${m.base} / ${m.operator}: ${m.request.method} ${m.request.target} → ${o.status} ${
          o.code ?? o.error ?? ""
        }`;
      }).join("\n");
    assert.equal(accepted.length, 0, `Mutated requests were accepted:\n${describe(accepted)}`);
    assert.equal(serverErrors.length, 0, `Mutated requests caused 5xx:\n${describe(serverErrors)}`);
    assert.equal(noAnswer.length, 0, `Mutated requests got no answer:\n${describe(noAnswer)}`);

    // Nothing a mutation targeted changed: the object keeps its body and stays private, the
    // victim is still there, and the only keys are the ones the controls wrote.
    const body = await (await sdk.send(new GetObjectCommand({ Bucket: BUCKET, Key: OBJECT })))
      .Body!.transformToString();
    assert.equal(body, OBJECT_BODY);
    const anonymous = await fetch(`${server.url}/${BUCKET}/${OBJECT}`);
    await anonymous.body?.cancel();
    assert.equal(anonymous.status, 403, "The object must still be private");
    const keys = await listKeys(server.url);
    assert.deepEqual(keys, [
      "fuzz/chunked.txt",
      "fuzz/object.txt",
      "fuzz/presigned-put.txt",
      "fuzz/put.txt",
      "fuzz/v2.txt",
      "fuzz/victim.txt",
    ]);
    const chunked = await (await sdk.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: "fuzz/chunked.txt" }),
    )).Body!.transformToString();
    assert.equal(chunked, "a".repeat(70) + "chunk two, the end");

    // The destructive bases, unmutated, are accepted: their mutations were refused on merit.
    const destructive = all.filter((b) => b.destructive);
    const last = await sendAll("127.0.0.1", server.port, destructive.map((b) => b.request));
    destructive.forEach((b, i) =>
      assert.ok(last[i].status >= 200 && last[i].status < 300, `Control "${b.name}" refused`)
    );
    assert.ok(seconds < 60, `Fuzzing took ${seconds.toFixed(1)} s`);
  } finally {
    sdk.destroy();
  }
});

async function listKeys(url: string): Promise<string[]> {
  const sdk = s3Client(url);
  try {
    const { ListObjectsV2Command } = await import("@aws-sdk/client-s3");
    const out = await sdk.send(new ListObjectsV2Command({ Bucket: BUCKET }));
    return (out.Contents ?? []).map((o) => o.Key!).sort();
  } finally {
    sdk.destroy();
  }
}
