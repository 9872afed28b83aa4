/**
 * Request signing for the tests that build requests by hand (the conformance runner, the auth
 * fuzzer, the hardening tests): SigV4 in the header and presigned in the query through
 * `@smithy/signature-v4`, and Signature V2 (header and query string, the scheme boto 2 and s3cmd
 * use) over `node:crypto`. Signing is pure: the date is always passed in.
 *
 * The Signature V2 sub-resources come from the server (`server/auth/sigv2.ts`); the real
 * SigV2 clients in `tests/clients/clients_test.ts` and `tests/server/auth/sigv2_test.ts` still check that
 * list independently.
 *
 * @example Sign a GET and send it with the raw client
 * ```ts ignore
 * import { signV4 } from "./signing.ts";
 * import { RawClient, toWire } from "./raw_http.ts";
 * const request = { method: "GET", host: "127.0.0.1:7480", path: "/bucket/key" };
 * const signed = await signV4(request, DEMO_USERS[0], new Date());
 * const response = await new RawClient("127.0.0.1", 7480).send(toWire(signed));
 * ```
 *
 * @module
 */

import { createHash, createHmac } from "node:crypto";
import { SignatureV4 } from "@smithy/signature-v4";
import { V2_SUBRESOURCES } from "../../core/sigv2.ts";

/** A key pair to sign with. */
export interface Credentials {
  /** Access key id. */
  accessKeyId: string;
  /** Secret access key. */
  secretAccessKey: string;
}

/** A request to sign or send: path already URI-encoded, query values decoded. */
export interface RawRequest {
  /** HTTP method, upper case. */
  method: string;
  /** Host header value, e.g. `127.0.0.1:7480` or `bucket.localhost:7480`. */
  host: string;
  /** Encoded path, e.g. `/bucket/my%20key`. */
  path: string;
  /** Query parameters, decoded, in the order they are sent; `""` is a bare flag such as `?acl`. */
  query?: Record<string, string>;
  /** Headers to sign and send, names in lower case. */
  headers?: Record<string, string>;
  /** The body bytes. */
  body?: Uint8Array;
}

type Data = string | ArrayBuffer | ArrayBufferView;

function bytes(data: Data): Uint8Array {
  if (typeof data === "string") return new TextEncoder().encode(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * SHA-256 and HMAC-SHA256 from `node:crypto`, in the shape `@smithy/signature-v4` expects (its
 * `sha256` option): no key hashes, a key makes an HMAC.
 *
 * @example
 * ```ts ignore
 * new SignatureV4({ service: "s3", region: "us-east-1", credentials, sha256: Sha256 });
 * ```
 */
export class Sha256 {
  #secret?: Uint8Array;
  #hash: ReturnType<typeof createHash> | ReturnType<typeof createHmac>;

  constructor(secret?: Data) {
    this.#secret = secret === undefined ? undefined : bytes(secret);
    this.#hash = this.#fresh();
  }

  #fresh() {
    return this.#secret ? createHmac("sha256", this.#secret) : createHash("sha256");
  }

  update(data: Data): void {
    this.#hash.update(bytes(data));
  }

  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.#hash.digest()));
  }

  reset(): void {
    this.#hash = this.#fresh();
  }
}

/**
 * Hex SHA-256, as `x-amz-content-sha256` carries it.
 *
 * @param data The bytes or text.
 * @returns 64 hex digits.
 *
 * @example
 * ```ts ignore
 * sha256Hex(""); // "e3b0c442...b855"
 * ```
 */
export function sha256Hex(data: Uint8Array | string): string {
  return createHash("sha256").update(data).digest("hex");
}

/**
 * Base64 MD5, as `Content-MD5` carries it.
 *
 * @param data The bytes or text.
 * @returns The digest in base64.
 *
 * @example
 * ```ts ignore
 * md5Base64(""); // "1B2M2Y8AsgTpgAmY7PhCfg=="
 * ```
 */
export function md5Base64(data: Uint8Array | string): string {
  return createHash("md5").update(data).digest("base64");
}

function signer(credentials: Credentials, region: string): SignatureV4 {
  return new SignatureV4({
    service: "s3",
    region,
    credentials,
    sha256: Sha256,
    uriEscapePath: false,
    applyChecksum: false,
  });
}

function toHttpRequest(request: RawRequest, headers: Record<string, string>) {
  const [hostname, port] = request.host.split(":");
  return {
    method: request.method,
    protocol: "http:",
    hostname,
    port: port ? Number(port) : undefined,
    path: request.path,
    query: { ...(request.query ?? {}) },
    headers: { ...headers, host: request.host },
    body: request.body,
  };
}

/**
 * Signs a request with SigV4 in the Authorization header. The payload hash is taken from an
 * `x-amz-content-sha256` header when one is set (e.g. `UNSIGNED-PAYLOAD`), else computed.
 *
 * @param request The request to sign.
 * @param credentials The key pair.
 * @param date The signing date.
 * @param region The signing region. @default "us-east-1"
 * @returns The request with `host`, `authorization`, `x-amz-date` and `x-amz-content-sha256`
 *   headers.
 *
 * @example
 * ```ts ignore
 * const signed = await signV4({ method: "GET", host, path: "/b/k" }, DEMO_USERS[0], new Date());
 * signed.headers?.authorization; // "AWS4-HMAC-SHA256 Credential=DEMOACCESSKEY/..."
 * ```
 */
export async function signV4(
  request: RawRequest,
  credentials: Credentials,
  date: Date,
  region = "us-east-1",
): Promise<RawRequest> {
  const headers = { ...(request.headers ?? {}) };
  headers["x-amz-content-sha256"] ??= sha256Hex(request.body ?? new Uint8Array());
  const signed = await signer(credentials, region).sign(toHttpRequest(request, headers), {
    signingDate: date,
  });
  return { ...request, headers: { ...(signed.headers as Record<string, string>) } };
}

/**
 * Presigns a request with SigV4 query parameters (`UNSIGNED-PAYLOAD`, as SDK presigners do).
 *
 * @param request The request to presign.
 * @param credentials The key pair.
 * @param date The signing date.
 * @param expiresIn Seconds the URL stays valid, 1..604800.
 * @returns The request with `X-Amz-*` query parameters.
 *
 * @example
 * ```ts ignore
 * const url = await presignV4({ method: "GET", host, path: "/b/k" }, DEMO_USERS[0], now, 900);
 * url.query?.["X-Amz-Expires"]; // "900"
 * ```
 */
export async function presignV4(
  request: RawRequest,
  credentials: Credentials,
  date: Date,
  expiresIn: number,
): Promise<RawRequest> {
  const signed = await signer(credentials, "us-east-1").presign(
    toHttpRequest(request, {
      ...(request.headers ?? {}),
      "x-amz-content-sha256": "UNSIGNED-PAYLOAD",
    }),
    { signingDate: date, expiresIn },
  );
  const headers = { ...(signed.headers as Record<string, string>) };
  delete headers["x-amz-content-sha256"];
  return { ...request, headers, query: signed.query as Record<string, string> };
}

/**
 * The Signature V2 string to sign: method, Content-MD5, Content-Type, date (or expiry), the
 * `x-amz-*` headers sorted, and the canonical resource with its signed sub-resources.
 *
 * @param request The request.
 * @param resource The canonical resource path, `/bucket/key` (also for virtual-host requests).
 * @param dateOrExpires The Date header, or the Expires value for query authentication.
 * @returns The string to sign.
 *
 * @example
 * ```ts ignore
 * stringToSignV2({ method: "GET", host, path: "/b/k", query: { acl: "" } }, "/b/k", date);
 * // "GET\n\n\n<date>\n/b/k?acl"
 * ```
 */
export function stringToSignV2(
  request: RawRequest,
  resource: string,
  dateOrExpires: string,
): string {
  const amz = Object.entries(request.headers ?? {})
    .filter(([name]) => name.toLowerCase().startsWith("x-amz-"))
    .map(([name, value]) => [name.toLowerCase(), value.trim()])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}:${value}\n`)
    .join("");
  const query = request.query ?? {};
  const sub = Object.keys(query)
    .filter((name) => V2_SUBRESOURCES.has(name))
    .sort()
    .map((name) => (query[name] === "" ? name : `${name}=${query[name]}`))
    .join("&");
  return [
    request.method,
    request.headers?.["content-md5"] ?? "",
    request.headers?.["content-type"] ?? "",
    dateOrExpires,
    amz + resource + (sub ? `?${sub}` : ""),
  ].join("\n");
}

function hmacSha1(secret: string, text: string): string {
  return createHmac("sha1", secret).update(text).digest("base64");
}

/**
 * Signs a request with Signature V2 in the Authorization header (`AWS key:signature`), dated by
 * a `Date` header.
 *
 * @param request The request to sign.
 * @param credentials The key pair.
 * @param date The request date (sent as the `Date` header).
 * @param resource The canonical resource, `/bucket/key`. @default request.path
 * @returns The request with `date` and `authorization` headers.
 *
 * @example
 * ```ts ignore
 * const signed = signV2({ method: "GET", host, path: "/b/k" }, DEMO_USERS[0], new Date());
 * signed.headers?.authorization; // "AWS DEMOACCESSKEY:..."
 * ```
 */
export function signV2(
  request: RawRequest,
  credentials: Credentials,
  date: Date,
  resource: string = request.path,
): RawRequest {
  const headers: Record<string, string> = { ...(request.headers ?? {}), date: date.toUTCString() };
  const toSign = stringToSignV2({ ...request, headers }, resource, headers.date);
  headers.authorization = `AWS ${credentials.accessKeyId}:${
    hmacSha1(credentials.secretAccessKey, toSign)
  }`;
  return { ...request, headers };
}

/**
 * Presigns a request with Signature V2 query parameters (`AWSAccessKeyId`, `Expires`,
 * `Signature`).
 *
 * @param request The request to presign.
 * @param credentials The key pair.
 * @param expires When the URL expires (whole seconds are signed).
 * @param resource The canonical resource, `/bucket/key`. @default request.path
 * @returns The request with the three query parameters added.
 *
 * @example
 * ```ts ignore
 * const expires = new Date(Date.now() + 3600_000);
 * const url = presignV2({ method: "GET", host, path: "/b/k" }, DEMO_USERS[0], expires);
 * url.query?.AWSAccessKeyId; // "DEMOACCESSKEY"
 * ```
 */
export function presignV2(
  request: RawRequest,
  credentials: Credentials,
  expires: Date,
  resource: string = request.path,
): RawRequest {
  const epoch = String(Math.floor(expires.getTime() / 1000));
  const signature = hmacSha1(credentials.secretAccessKey, stringToSignV2(request, resource, epoch));
  return {
    ...request,
    headers: { ...(request.headers ?? {}) },
    query: {
      ...(request.query ?? {}),
      AWSAccessKeyId: credentials.accessKeyId,
      Expires: epoch,
      Signature: signature,
    },
  };
}

/** What {@linkcode signV4By} lets an attack test choose that a real signer never would. */
export interface SignV4ByOptions {
  /** The request time sent as `x-amz-date`. */
  date: Date;
  /** The day named in the credential scope. @default the day of `date` */
  scopeDate?: Date;
  /**
   * The header names to sign, lower case; the others are sent unsigned.
   * @default every header sent, `host` included
   */
  signedHeaders?: string[];
  /** The service named in the credential scope. @default "s3" */
  service?: string;
}

function amzDate(date: Date): string {
  return date.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

/**
 * Signs a request with SigV4 in the Authorization header, by hand over `node:crypto`, with the
 * signed header list and the credential's day chosen by the caller: what an attacker (or a broken
 * client) can send and `@smithy/signature-v4` never produces. The signature is correct for what
 * it covers, so a server that refuses the request refuses it for what it leaves out.
 *
 * @param request The request (its `host` is signed as a header like the others).
 * @param credentials The key pair.
 * @param options The time, the scope's day and the headers to sign.
 * @returns The request with `host`, `x-amz-date`, `x-amz-content-sha256` and `authorization`.
 *
 * @example
 * ```ts ignore
 * const noHost = signV4By(request, DEMO_USERS[0], {
 *   date: new Date(),
 *   signedHeaders: ["x-amz-content-sha256", "x-amz-date"],
 * });
 * ```
 */
export function signV4By(
  request: RawRequest,
  credentials: Credentials,
  options: SignV4ByOptions,
): RawRequest {
  const stamp = amzDate(options.date);
  const day = amzDate(options.scopeDate ?? options.date).slice(0, 8);
  const headers: Record<string, string> = {
    ...(request.headers ?? {}),
    host: request.host,
    "x-amz-date": stamp,
  };
  headers["x-amz-content-sha256"] ??= sha256Hex(request.body ?? new Uint8Array());
  const names = (options.signedHeaders ?? Object.keys(headers)).map((n) => n.toLowerCase()).sort();
  const query = Object.entries(request.query ?? {})
    .map(([name, value]) => [rfc3986(name), rfc3986(value)])
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join("&");
  const canonical = [
    request.method,
    request.path,
    query,
    names.map((name) => `${name}:${(headers[name] ?? "").trim().replace(/\s+/g, " ")}\n`).join(""),
    names.join(";"),
    headers["x-amz-content-sha256"],
  ].join("\n");
  const scope = `${day}/us-east-1/${options.service ?? "s3"}/aws4_request`;
  const toSign = `AWS4-HMAC-SHA256\n${stamp}\n${scope}\n${sha256Hex(canonical)}`;
  let key: Uint8Array = new TextEncoder().encode(`AWS4${credentials.secretAccessKey}`);
  for (const part of [day, "us-east-1", options.service ?? "s3", "aws4_request"]) {
    key = new Uint8Array(createHmac("sha256", key).update(part).digest());
  }
  const signature = createHmac("sha256", key).update(toSign).digest("hex");
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, ` +
    `SignedHeaders=${names.join(";")}, Signature=${signature}`;
  return { ...request, headers };
}

function rfc3986(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}
