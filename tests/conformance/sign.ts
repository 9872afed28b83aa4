/**
 * Request signing for the conformance suite: SigV4 (header and presigned query) through
 * `@smithy/signature-v4`, and a small Signature V2 signer (header and query string), the scheme
 * boto 2 and s3cmd use. Signing is pure: the date is always passed in.
 *
 * @module
 */

import { createHash, createHmac } from "node:crypto";
import { SignatureV4 } from "@smithy/signature-v4";

/** A key pair to sign with. */
export interface Credentials {
  /** Access key id. */
  accessKeyId: string;
  /** Secret access key. */
  secretAccessKey: string;
}

/** A request ready to sign or send: path already URI-encoded, query values decoded. */
export interface RawRequest {
  /** HTTP method, upper case. */
  method: string;
  /** Host header value, e.g. `127.0.0.1:7480` or `bucket.localhost:7480`. */
  host: string;
  /** Encoded path, e.g. `/bucket/my%20key`. */
  path: string;
  /** Query parameters, decoded; an empty string is a bare flag such as `?acl`. */
  query: Record<string, string>;
  /** Header names in lower case. */
  headers: Record<string, string>;
  /** The body bytes. */
  body: Uint8Array;
}

type Data = string | ArrayBuffer | ArrayBufferView;

function bytes(data: Data): Uint8Array {
  if (typeof data === "string") return new TextEncoder().encode(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** SHA-256 and HMAC-SHA256 from `node:crypto`, in the shape `@smithy/signature-v4` expects. */
class NodeSha256 {
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

/** Hex SHA-256 of some bytes, as `x-amz-content-sha256` carries it. */
export function sha256Hex(body: Uint8Array | string): string {
  return createHash("sha256").update(typeof body === "string" ? body : bytes(body)).digest("hex");
}

/** Base64 MD5 of some bytes, as `Content-MD5` carries it. */
export function md5Base64(body: Uint8Array | string): string {
  return createHash("md5").update(typeof body === "string" ? body : bytes(body)).digest("base64");
}

function signer(credentials: Credentials, region: string): SignatureV4 {
  return new SignatureV4({
    service: "s3",
    region,
    credentials,
    sha256: NodeSha256,
    uriEscapePath: false,
    applyChecksum: false,
  });
}

function toHttpRequest(request: RawRequest) {
  const [hostname, port] = request.host.split(":");
  return {
    method: request.method,
    protocol: "http:",
    hostname,
    port: port ? Number(port) : undefined,
    path: request.path,
    query: { ...request.query },
    headers: { ...request.headers, host: request.host },
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
 * @returns The request with `authorization`, `x-amz-date` and `x-amz-content-sha256` headers.
 */
export async function signV4(
  request: RawRequest,
  credentials: Credentials,
  date: Date,
  region = "us-east-1",
): Promise<RawRequest> {
  const headers = { ...request.headers };
  headers["x-amz-content-sha256"] ??= sha256Hex(request.body);
  const signed = await signer(credentials, region).sign(
    toHttpRequest({ ...request, headers }),
    { signingDate: date },
  );
  return { ...request, headers: signed.headers as Record<string, string> };
}

/**
 * Presigns a request with SigV4 query parameters (`UNSIGNED-PAYLOAD`, as SDK presigners do).
 *
 * @param request The request to presign.
 * @param credentials The key pair.
 * @param date The signing date.
 * @param expiresIn Seconds the URL stays valid, 1..604800.
 * @returns The request with `X-Amz-*` query parameters.
 */
export async function presignV4(
  request: RawRequest,
  credentials: Credentials,
  date: Date,
  expiresIn: number,
): Promise<RawRequest> {
  const headers = { ...request.headers, "x-amz-content-sha256": "UNSIGNED-PAYLOAD" };
  const signed = await signer(credentials, "us-east-1").presign(
    toHttpRequest({ ...request, headers }),
    { signingDate: date, expiresIn },
  );
  const outHeaders = { ...signed.headers } as Record<string, string>;
  delete outHeaders["x-amz-content-sha256"];
  return {
    ...request,
    headers: outHeaders,
    query: signed.query as Record<string, string>,
  };
}

/** Sub-resources that Signature V2 includes in the canonical resource. */
const V2_SUBRESOURCES = new Set([
  "acl",
  "delete",
  "lifecycle",
  "location",
  "logging",
  "notification",
  "partNumber",
  "policy",
  "requestPayment",
  "tagging",
  "torrent",
  "uploadId",
  "uploads",
  "versionId",
  "versioning",
  "versions",
  "website",
  "response-cache-control",
  "response-content-disposition",
  "response-content-encoding",
  "response-content-language",
  "response-content-type",
  "response-expires",
]);

/**
 * The Signature V2 string to sign.
 *
 * @param request The request.
 * @param resource The canonical resource path, `/bucket/key` (also for virtual-host requests).
 * @param dateOrExpires The Date header, or the Expires value for query authentication.
 * @returns The string to sign.
 */
export function stringToSignV2(
  request: RawRequest,
  resource: string,
  dateOrExpires: string,
): string {
  const amz = Object.entries(request.headers)
    .filter(([name]) => name.startsWith("x-amz-"))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}:${value.trim()}\n`)
    .join("");
  const sub = Object.keys(request.query)
    .filter((name) => V2_SUBRESOURCES.has(name))
    .sort()
    .map((name) => (request.query[name] === "" ? name : `${name}=${request.query[name]}`))
    .join("&");
  return [
    request.method,
    request.headers["content-md5"] ?? "",
    request.headers["content-type"] ?? "",
    dateOrExpires,
    amz + resource + (sub ? `?${sub}` : ""),
  ].join("\n");
}

function hmacSha1(secret: string, text: string): string {
  return createHmac("sha1", secret).update(text).digest("base64");
}

/**
 * Signs a request with Signature V2 in the Authorization header (`AWS key:signature`).
 *
 * @param request The request to sign.
 * @param resource The canonical resource, `/bucket/key`.
 * @param credentials The key pair.
 * @param date The request date (sent as the `Date` header).
 * @returns The signed request.
 */
export function signV2(
  request: RawRequest,
  resource: string,
  credentials: Credentials,
  date: Date,
): RawRequest {
  const headers: Record<string, string> = { ...request.headers, date: date.toUTCString() };
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
 * @param resource The canonical resource, `/bucket/key`.
 * @param credentials The key pair.
 * @param expires When the URL expires.
 * @returns The presigned request.
 */
export function presignV2(
  request: RawRequest,
  resource: string,
  credentials: Credentials,
  expires: Date,
): RawRequest {
  const epoch = String(Math.floor(expires.getTime() / 1000));
  const signature = hmacSha1(credentials.secretAccessKey, stringToSignV2(request, resource, epoch));
  return {
    ...request,
    query: {
      ...request.query,
      AWSAccessKeyId: credentials.accessKeyId,
      Expires: epoch,
      Signature: signature,
    },
  };
}
