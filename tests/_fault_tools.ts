/**
 * Test tools for the reliability tests: a raw HTTP/1.1 client over one TCP connection (full
 * control of the request line, Host header and framing, keep-alive), request signers
 * (SigV4 through `@smithy/signature-v4`, Signature V2 over `node:crypto`), a seeded PRNG, and
 * helpers to run the project's commands.
 *
 * @module
 */

import { createHash, createHmac } from "node:crypto";
import { SignatureV4 } from "@smithy/signature-v4";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A response as read off the wire. */
export interface RawResponse {
  /** HTTP status. */
  status: number;
  /** Response headers. */
  headers: Headers;
  /** The whole body. */
  body: Uint8Array;
  /** Whether the server said it closes the connection. */
  closing: boolean;
}

/** A request as it goes on the wire. */
export interface WireRequest {
  /** Method exactly as sent. */
  method: string;
  /** Request target exactly as sent: raw path and query, e.g. `/b/k?acl`. */
  target: string;
  /** Headers in order, names as sent. `content-length` is added from the body unless present. */
  headers: Array<[string, string]>;
  /** The body. */
  body?: Uint8Array;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function indexOfCrlfCrlf(buf: Uint8Array, from = 0): number {
  for (let i = from; i + 3 < buf.length; i++) {
    if (buf[i] === 13 && buf[i + 1] === 10 && buf[i + 2] === 13 && buf[i + 3] === 10) return i;
  }
  return -1;
}

function indexOfCrlf(buf: Uint8Array, from = 0): number {
  for (let i = from; i + 1 < buf.length; i++) {
    if (buf[i] === 13 && buf[i + 1] === 10) return i;
  }
  return -1;
}

/** Serialises a request to bytes. */
export function serialize(request: WireRequest): Uint8Array {
  const body = request.body ?? new Uint8Array();
  const lines = [`${request.method} ${request.target} HTTP/1.1`];
  let hasLength = false;
  for (const [name, value] of request.headers) {
    if (name.toLowerCase() === "content-length") hasLength = true;
    lines.push(`${name}: ${value}`);
  }
  if (!hasLength && (body.length > 0 || ["PUT", "POST"].includes(request.method.toUpperCase()))) {
    lines.push(`content-length: ${body.length}`);
  }
  return concat(encoder.encode(lines.join("\r\n") + "\r\n\r\n"), body);
}

/**
 * One keep-alive HTTP/1.1 connection, requests sent one after the other. Reconnects when the
 * server closed the previous connection.
 */
export class RawClient {
  #hostname: string;
  #port: number;
  #conn?: Deno.TcpConn;
  #buffer: Uint8Array = new Uint8Array();
  /** How many TCP connections this client opened. */
  connections = 0;

  /**
   * @param hostname Server address.
   * @param port Server port.
   */
  constructor(hostname: string, port: number) {
    this.#hostname = hostname;
    this.#port = port;
  }

  async #connect(): Promise<Deno.TcpConn> {
    if (!this.#conn) {
      this.#conn = await Deno.connect({ hostname: this.#hostname, port: this.#port });
      this.#buffer = new Uint8Array();
      this.connections++;
    }
    return this.#conn;
  }

  async #fill(conn: Deno.TcpConn): Promise<boolean> {
    const chunk = new Uint8Array(64 * 1024);
    const n = await conn.read(chunk);
    if (n === null) return false;
    this.#buffer = concat(this.#buffer, chunk.subarray(0, n));
    return true;
  }

  async #readExact(conn: Deno.TcpConn, length: number): Promise<Uint8Array> {
    while (this.#buffer.length < length) {
      if (!await this.#fill(conn)) throw new Error("Connection closed inside a response body");
    }
    const out = this.#buffer.slice(0, length);
    this.#buffer = this.#buffer.slice(length);
    return out;
  }

  async #readLine(conn: Deno.TcpConn): Promise<string> {
    let at: number;
    while ((at = indexOfCrlf(this.#buffer)) < 0) {
      if (!await this.#fill(conn)) throw new Error("Connection closed inside a chunked body");
    }
    const line = decoder.decode(this.#buffer.subarray(0, at));
    this.#buffer = this.#buffer.slice(at + 2);
    return line;
  }

  /**
   * Sends raw bytes and reads one response.
   *
   * @param bytes The request bytes.
   * @param method The method (a HEAD response has no body).
   * @returns The response.
   */
  async sendBytes(bytes: Uint8Array, method = "GET"): Promise<RawResponse> {
    let lastError: unknown;
    for (let attempt = 0; attempt < 2; attempt++) {
      const fresh = !this.#conn;
      const conn = await this.#connect();
      try {
        await writeAll(conn, bytes);
        return await this.#readResponse(conn, method);
      } catch (error) {
        lastError = error;
        this.close();
        // A stale keep-alive connection fails at once: retry on a fresh one, once.
        if (fresh || !(error instanceof StaleConnection)) throw error;
      }
    }
    throw lastError;
  }

  /**
   * Sends a request and reads its response.
   *
   * @param request The request.
   * @returns The response.
   */
  send(request: WireRequest): Promise<RawResponse> {
    return this.sendBytes(serialize(request), request.method.toUpperCase());
  }

  async #readResponse(conn: Deno.TcpConn, method: string): Promise<RawResponse> {
    let end: number;
    let first = true;
    while ((end = indexOfCrlfCrlf(this.#buffer)) < 0) {
      let more: boolean;
      try {
        more = await this.#fill(conn);
      } catch (error) {
        if (first && this.#buffer.length === 0) throw new StaleConnection(String(error));
        throw error;
      }
      if (!more) {
        if (first && this.#buffer.length === 0) throw new StaleConnection("closed");
        throw new Error("Connection closed inside response headers");
      }
      first = false;
    }
    const head = decoder.decode(this.#buffer.subarray(0, end)).split("\r\n");
    this.#buffer = this.#buffer.slice(end + 4);
    const status = Number(head[0].split(" ")[1]);
    const headers = new Headers();
    for (const line of head.slice(1)) {
      const colon = line.indexOf(":");
      headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
    }
    let body: Uint8Array = new Uint8Array();
    if (status === 100) return await this.#readResponse(conn, method);
    if (method !== "HEAD" && status !== 204 && status !== 304) {
      if ((headers.get("transfer-encoding") ?? "").toLowerCase().includes("chunked")) {
        while (true) {
          const size = parseInt(await this.#readLine(conn), 16);
          if (size === 0) {
            while ((await this.#readLine(conn)) !== "");
            break;
          }
          body = concat(body, await this.#readExact(conn, size));
          await this.#readExact(conn, 2);
        }
      } else if (headers.has("content-length")) {
        body = await this.#readExact(conn, Number(headers.get("content-length")));
      } else {
        while (await this.#fill(conn));
        body = this.#buffer;
        this.#buffer = new Uint8Array();
        this.close();
      }
    }
    const closing = (headers.get("connection") ?? "").toLowerCase() === "close";
    if (closing) this.close();
    return { status, headers, body, closing };
  }

  /** Closes the connection (the next request opens a new one). */
  close(): void {
    try {
      this.#conn?.close();
    } catch {
      // already closed
    }
    this.#conn = undefined;
    this.#buffer = new Uint8Array();
  }
}

class StaleConnection extends Error {}

/**
 * Writes all bytes to a connection.
 *
 * @param conn The connection.
 * @param bytes The bytes.
 */
export async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let at = 0;
  while (at < bytes.length) at += await conn.write(bytes.subarray(at));
}

/** The S3 error code in an XML body, if any. */
export function errorCode(body: Uint8Array): string | undefined {
  return decoder.decode(body).match(/<Code>([^<]*)<\/Code>/)?.[1];
}

/** A deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Hex SHA-256. */
export function sha256Hex(data: Uint8Array | string): string {
  return createHash("sha256").update(data).digest("hex");
}

/** Base64 MD5. */
export function md5Base64(data: Uint8Array | string): string {
  return createHash("md5").update(data).digest("base64");
}

type Data = string | ArrayBuffer | ArrayBufferView;

function toBytes(data: Data): Uint8Array {
  if (typeof data === "string") return encoder.encode(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** SHA-256 / HMAC from `node:crypto` in the shape `@smithy/signature-v4` expects. */
class NodeSha256 {
  #secret?: Uint8Array;
  #hash: ReturnType<typeof createHash> | ReturnType<typeof createHmac>;
  constructor(secret?: Data) {
    this.#secret = secret === undefined ? undefined : toBytes(secret);
    this.#hash = this.#fresh();
  }
  #fresh() {
    return this.#secret ? createHmac("sha256", this.#secret) : createHash("sha256");
  }
  update(data: Data): void {
    this.#hash.update(toBytes(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.#hash.digest()));
  }
  reset(): void {
    this.#hash = this.#fresh();
  }
}

/** A key pair. */
export interface Keys {
  /** Access key id. */
  accessKeyId: string;
  /** Secret access key. */
  secretAccessKey: string;
}

/** An unsigned request to sign: path encoded, query decoded. */
export interface PlainRequest {
  /** Method. */
  method: string;
  /** Host header, `127.0.0.1:PORT`. */
  host: string;
  /** Encoded path. */
  path: string;
  /** Decoded query pairs (empty value for a bare flag). */
  query?: Record<string, string>;
  /** Lower-case headers to sign. */
  headers?: Record<string, string>;
  /** Body. */
  body?: Uint8Array;
}

/** Percent-encodes as SigV4 does. */
export function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** Builds a query string from pairs, SigV4-encoded, in the given order. */
export function queryString(query: Record<string, string>): string {
  return Object.entries(query).map(([k, v]) =>
    v === "" && !k.startsWith("X-Amz-") ? uriEncode(k) : `${uriEncode(k)}=${uriEncode(v)}`
  ).join("&");
}

function signer(keys: Keys, region = "us-east-1"): SignatureV4 {
  return new SignatureV4({
    service: "s3",
    region,
    credentials: keys,
    sha256: NodeSha256,
    uriEscapePath: false,
    applyChecksum: false,
  });
}

function smithyRequest(request: PlainRequest, headers: Record<string, string>) {
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

function wire(
  request: PlainRequest,
  headers: Record<string, string>,
  query: Record<string, string>,
): WireRequest {
  const qs = queryString(query);
  const list: Array<[string, string]> = [["host", request.host]];
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() !== "host") list.push([name, value]);
  }
  return {
    method: request.method,
    target: request.path + (qs ? `?${qs}` : ""),
    headers: list,
    body: request.body,
  };
}

/**
 * Signs with SigV4 in the Authorization header (payload hash computed unless the
 * `x-amz-content-sha256` header is given).
 *
 * @param request The request.
 * @param keys The key pair.
 * @param date The signing date.
 * @returns The request as it goes on the wire.
 */
export async function signV4(request: PlainRequest, keys: Keys, date: Date): Promise<WireRequest> {
  const headers = { ...(request.headers ?? {}) };
  headers["x-amz-content-sha256"] ??= sha256Hex(request.body ?? new Uint8Array());
  const signed = await signer(keys).sign(smithyRequest(request, headers), { signingDate: date });
  const out = { ...(signed.headers as Record<string, string>) };
  return wire(request, out, request.query ?? {});
}

/**
 * Presigns with SigV4 query parameters (`UNSIGNED-PAYLOAD`).
 *
 * @param request The request.
 * @param keys The key pair.
 * @param date The signing date.
 * @param expiresIn Lifetime in seconds.
 * @returns The request as it goes on the wire.
 */
export async function presignV4(
  request: PlainRequest,
  keys: Keys,
  date: Date,
  expiresIn: number,
): Promise<WireRequest> {
  const signed = await signer(keys).presign(
    smithyRequest(request, {
      ...(request.headers ?? {}),
      "x-amz-content-sha256": "UNSIGNED-PAYLOAD",
    }),
    { signingDate: date, expiresIn },
  );
  const headers = { ...(signed.headers as Record<string, string>) };
  delete headers["x-amz-content-sha256"];
  return wire(request, headers, signed.query as Record<string, string>);
}

/** S3 subresources that Signature V2 signs in the canonical resource. */
export const V2_SUBRESOURCES: readonly string[] = [
  "accelerate",
  "acl",
  "cors",
  "delete",
  "encryption",
  "legal-hold",
  "lifecycle",
  "location",
  "logging",
  "notification",
  "object-lock",
  "partNumber",
  "policy",
  "policyStatus",
  "publicAccessBlock",
  "replication",
  "requestPayment",
  "response-cache-control",
  "response-content-disposition",
  "response-content-encoding",
  "response-content-language",
  "response-content-type",
  "response-expires",
  "restore",
  "retention",
  "select",
  "tagging",
  "torrent",
  "uploadId",
  "uploads",
  "versionId",
  "versioning",
  "versions",
  "website",
];

function stringToSignV2(
  method: string,
  headers: Record<string, string>,
  dateOrExpires: string,
  path: string,
  query: Record<string, string>,
): string {
  const amz = Object.entries(headers)
    .filter(([n]) => n.toLowerCase().startsWith("x-amz-"))
    .map(([n, v]) => [n.toLowerCase(), v.trim()])
    .sort(([a], [b]) => a < b ? -1 : 1)
    .map(([n, v]) => `${n}:${v}\n`).join("");
  const subs = Object.entries(query).filter(([k]) => V2_SUBRESOURCES.includes(k))
    .sort(([a], [b]) => a < b ? -1 : 1)
    .map(([k, v]) => v === "" ? k : `${k}=${v}`);
  const resource = path + (subs.length ? `?${subs.join("&")}` : "");
  return [
    method,
    headers["content-md5"] ?? "",
    headers["content-type"] ?? "",
    dateOrExpires,
  ].join("\n") + "\n" + amz + resource;
}

function hmacSha1(secret: string, text: string): string {
  return createHmac("sha1", secret).update(text).digest("base64");
}

/**
 * Signs with Signature V2 in the Authorization header (`AWS key:signature`), dated by `Date`.
 *
 * @param request The request (path-style).
 * @param keys The key pair.
 * @param date The date.
 * @returns The request as it goes on the wire.
 */
export function signV2(request: PlainRequest, keys: Keys, date: Date): WireRequest {
  const headers: Record<string, string> = { ...(request.headers ?? {}), date: date.toUTCString() };
  const query = request.query ?? {};
  const sts = stringToSignV2(request.method, headers, date.toUTCString(), request.path, query);
  headers.authorization = `AWS ${keys.accessKeyId}:${hmacSha1(keys.secretAccessKey, sts)}`;
  return wire(request, headers, query);
}

/**
 * Presigns with Signature V2 query parameters (`AWSAccessKeyId`, `Expires`, `Signature`).
 *
 * @param request The request (path-style).
 * @param keys The key pair.
 * @param expires Expiry, seconds since the epoch.
 * @returns The request as it goes on the wire.
 */
export function presignV2(request: PlainRequest, keys: Keys, expires: number): WireRequest {
  const headers = { ...(request.headers ?? {}) };
  const query = request.query ?? {};
  const sts = stringToSignV2(request.method, headers, String(expires), request.path, query);
  return wire(request, headers, {
    ...query,
    AWSAccessKeyId: keys.accessKeyId,
    Expires: String(expires),
    Signature: hmacSha1(keys.secretAccessKey, sts),
  });
}

/** What a finished command printed. */
export interface CommandResult {
  /** Exit code. */
  code: number;
  /** Standard output. */
  stdout: string;
  /** Standard error. */
  stderr: string;
}

/**
 * Runs `deno` with arguments in the repository root, with a timeout.
 *
 * @param args Arguments after `deno`.
 * @param options Environment, stdin text, timeout.
 * @returns Exit code and output.
 */
export async function runDeno(
  args: string[],
  options: { env?: Record<string, string>; timeoutMs?: number; cwd?: string } = {},
): Promise<CommandResult> {
  const child = new Deno.Command(Deno.execPath(), {
    args,
    cwd: options.cwd ?? REPO_ROOT,
    env: { NO_COLOR: "1", ...(options.env ?? {}) },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch {
      // gone
    }
  }, options.timeoutMs ?? 60_000);
  const out = await child.output();
  clearTimeout(timer);
  return {
    code: out.code,
    stdout: decoder.decode(out.stdout),
    stderr: decoder.decode(out.stderr),
  };
}

/** The repository root. */
export const REPO_ROOT: string = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

/**
 * Waits until a child process prints a line matching a pattern on stdout, collecting output.
 *
 * @param stream The child's stdout.
 * @param pattern What to wait for.
 * @param timeoutMs Give up after this long.
 * @returns The match and a function returning everything read so far (reading continues).
 */
export async function waitForLine(
  stream: ReadableStream<Uint8Array>,
  pattern: RegExp,
  timeoutMs = 30_000,
): Promise<{ match: RegExpMatchArray; output: () => string; done: Promise<void> }> {
  let text = "";
  const reader = stream.getReader();
  let resolveMatch!: (m: RegExpMatchArray) => void;
  let rejectMatch!: (e: Error) => void;
  const found = new Promise<RegExpMatchArray>((res, rej) => {
    resolveMatch = res;
    rejectMatch = rej;
  });
  const timer = setTimeout(
    () => rejectMatch(new Error(`No output matching ${pattern} within ${timeoutMs} ms: ${text}`)),
    timeoutMs,
  );
  const done = (async () => {
    try {
      while (true) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
        const m = text.match(pattern);
        if (m) resolveMatch(m);
      }
    } catch {
      // stream cancelled
    }
    rejectMatch(new Error(`Output ended without matching ${pattern}: ${text}`));
  })();
  try {
    const match = await found;
    return { match, output: () => text, done };
  } finally {
    clearTimeout(timer);
  }
}

/** Words that say what to do (or the rule to follow). */
const ADVICE =
  /\b(check|use|give|choose|pick|set|pass|create|delete|start|see|retry|try|name an?|must|only|empty|wait|ask|allowed|lower case|expected|run)\b|\d+ to \d+/i;

/** Secrets that must never show in a message: the demo users' and the tests' wrong one. */
export const TEST_SECRETS: readonly string[] = [
  "DEMOSECRETKEY",
  "OTHERSECRETKEY",
  "WRONGSECRETKEY123",
];

/**
 * Asserts a message is one line, starts with a capital letter, has no final period, says what
 * to do, and holds no secret and no stack trace.
 *
 * @param message The message.
 * @param what The case, for the assertion message.
 */
export function assertGoodMessage(message: string, what: string): void {
  if (message.trim().length === 0) throw new Error(`${what}: empty message`);
  const fail = (why: string) => {
    throw new Error(`${what}: ${why}: ${message}`);
  };
  if (message.trim().includes("\n")) fail("the message spans lines");
  if (!/^[A-Z"]/.test(message.trim())) fail("starts in lower case");
  if (/[^.]\.$/.test(message.trim())) fail("ends with a period");
  // The advice is looked for after "what could not be done:", e.g. not in "Cannot start ...".
  const why = message.includes(": ") ? message.slice(message.indexOf(": ") + 2) : message;
  if (!ADVICE.test(why)) fail("does not say what to do");
  if (/\n\s+at /.test(message)) fail("holds a stack trace");
  for (const secret of TEST_SECRETS) {
    if (message.includes(secret)) throw new Error(`${what}: the message shows a secret key`);
  }
}

/** A TCP proxy in front of a server, to delay traffic or cut connections. */
export interface Proxy {
  /** The port it listens on (127.0.0.1). */
  port: number;
  /** Bytes forwarded from clients to the server so far. */
  readonly bytesUp: number;
  /** Closes every open connection (clients see a reset), new ones still pass. */
  dropAll(): void;
  /** Stops the proxy. */
  close(): Promise<void>;
}

/**
 * Starts a TCP proxy on 127.0.0.1 in front of `127.0.0.1:targetPort`.
 *
 * @param targetPort The server's port.
 * @param options `delayMs` delays each chunk a client sends; `onUp` sees the running byte count;
 *   `onUpData` sees each chunk a client sends.
 * @returns The proxy.
 */
export function startProxy(
  targetPort: number,
  options: {
    delayMs?: number;
    onUp?: (total: number) => void;
    onUpData?: (chunk: Uint8Array) => void;
  } = {},
): Proxy {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const open = new Set<Deno.Conn>();
  const tasks = new Set<Promise<void>>();
  let bytesUp = 0;
  const closeQuietly = (c: Deno.Conn) => {
    try {
      c.close();
    } catch {
      // already closed
    }
    open.delete(c);
  };
  const pump = async (from: Deno.Conn, to: Deno.Conn, up: boolean) => {
    const buffer = new Uint8Array(64 * 1024);
    try {
      while (true) {
        const n = await from.read(buffer);
        if (n === null) break;
        if (up && options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
        const chunk = buffer.slice(0, n);
        if (up) options.onUpData?.(chunk);
        await writeAll(to, chunk);
        if (up) {
          bytesUp += n;
          options.onUp?.(bytesUp);
        }
      }
    } catch {
      // a side closed
    } finally {
      closeQuietly(from);
      closeQuietly(to);
    }
  };
  const accepting = (async () => {
    try {
      for await (const client of listener) {
        open.add(client);
        const task = (async () => {
          let server: Deno.Conn;
          try {
            server = await Deno.connect({ hostname: "127.0.0.1", port: targetPort });
          } catch {
            closeQuietly(client);
            return;
          }
          open.add(server);
          await Promise.all([pump(client, server, true), pump(server, client, false)]);
        })();
        tasks.add(task);
        task.finally(() => tasks.delete(task));
      }
    } catch {
      // listener closed
    }
  })();
  return {
    port: (listener.addr as Deno.NetAddr).port,
    get bytesUp() {
      return bytesUp;
    },
    dropAll() {
      for (const c of [...open]) closeQuietly(c);
    },
    async close() {
      listener.close();
      for (const c of [...open]) closeQuietly(c);
      await accepting;
      await Promise.allSettled([...tasks]);
    },
  };
}

/** A `deno task server` process. */
export interface ServerProcess {
  /** Its endpoint. */
  url: string;
  /** Its port. */
  port: number;
  /** The child process. */
  child: Deno.ChildProcess;
  /** Everything it printed so far. */
  output: () => string;
  /** Kills it (SIGKILL by default) and waits for it to exit. */
  kill(signal?: Deno.Signal): Promise<Deno.CommandStatus>;
}

/**
 * Starts `deno task server` (with the task's own permissions) and waits for its endpoint line.
 *
 * @param args Extra arguments, e.g. `["--data", dir]`.
 * @param quiet Pass `--quiet` (no request log). @default true
 * @returns The running process.
 */
export async function spawnServer(args: string[], quiet = true): Promise<ServerProcess> {
  const config = JSON.parse(await Deno.readTextFile(`${REPO_ROOT}/deno.json`));
  const words = (config.tasks.server as string).split(/\s+/).slice(1);
  const child = new Deno.Command(Deno.execPath(), {
    args: [...words, "--port", "0", ...(quiet ? ["--quiet"] : []), ...args],
    cwd: REPO_ROOT,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let errors = "";
  const stderrDone = (async () => {
    for await (const chunk of child.stderr) errors += decoder.decode(chunk);
  })();
  let line;
  try {
    line = await waitForLine(child.stdout, /S3 endpoint:\s+(http:\/\/\S+)/, 30_000);
  } catch (error) {
    child.kill("SIGKILL");
    await child.status;
    await stderrDone;
    throw new Error(`deno task server did not start: ${(error as Error).message} ${errors}`);
  }
  const url = line.match[1];
  let status: Deno.CommandStatus | undefined;
  return {
    url,
    port: Number(new URL(url).port),
    child,
    output: () => line.output() + errors,
    async kill(signal: Deno.Signal = "SIGKILL") {
      if (!status) {
        try {
          child.kill(signal);
        } catch {
          // already gone
        }
        status = await child.status;
        await line.done;
        await stderrDone;
      }
      return status;
    },
  };
}
