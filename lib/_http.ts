/**
 * The HTTP handler `connect()` gives its `S3Client` under Deno: downloads (GET, HEAD) go through
 * Deno's own `fetch`, everything else through the SDK's Node handler. Internal.
 *
 * Why: with the Node handler, a response body arrives as many small buffers that the garbage
 * collector frees late: a streamed 1 GiB download peaked at 318 MB RSS. Deno's `fetch` gives a
 * web stream that Deno pipes into a file without JavaScript (`_download.ts`: 67 MB peak RSS for a
 * 1 GiB `deno task cp`, and faster). Uploads stay on the Node handler, which accepts the Node
 * file streams `putFile` sends and used less memory for part buffers (119 MB vs 289 MB for 1 GiB
 * through `fetch`).
 *
 * @module
 */

import { FetchHttpHandler } from "@smithy/fetch-http-handler";
import { NodeHttpHandler } from "@smithy/node-http-handler";

/** Node's error codes for what Deno's `fetch` reports only in words (its error's cause). */
const NETWORK_ERRORS: [RegExp, string][] = [
  [/connection refused/i, "ECONNREFUSED"],
  [/temporary failure in name resolution/i, "EAI_AGAIN"],
  [/dns error|failed to lookup address|name or service not known/i, "ENOTFOUND"],
  [/timed out/i, "ETIMEDOUT"],
  [/connection reset|connection closed|broken pipe/i, "ECONNRESET"],
];

/**
 * Gives a `fetch` network failure the `code` the Node handler's errors carry (`ECONNREFUSED`...),
 * so the SDK's retry rules and the library's messages treat both handlers alike.
 *
 * @param error What `fetch` threw.
 * @returns The same error, with `code` set when the cause is recognised.
 */
function withNodeCode(error: unknown): unknown {
  if (!(error instanceof Error) || "code" in error) return error;
  const text = `${error.message} ${(error.cause as Error | undefined)?.message ?? ""}`;
  const code = NETWORK_ERRORS.find(([pattern]) => pattern.test(text))?.[1];
  if (code) Object.assign(error, { code });
  return error;
}

/**
 * Sends GET and HEAD requests with `fetch` and the rest with Node's `http`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { S3Client } from "@aws-sdk/client-s3";
 * import { SplitHttpHandler } from "./_http.ts";
 *
 * const handler = new SplitHttpHandler();
 * const client = new S3Client({ requestHandler: handler, region: "us-east-1" });
 * assert.equal(client.config.requestHandler, handler);
 * client.destroy();
 * ```
 */
export class SplitHttpHandler {
  #fetch: FetchHttpHandler;
  #node: NodeHttpHandler;

  /**
   * Builds both handlers.
   *
   * @param options The Node handler's options (timeouts...); `fetch` gets the request timeout.
   */
  constructor(options: ConstructorParameters<typeof NodeHttpHandler>[0] = {}) {
    const requestTimeout = typeof options === "object" ? options.requestTimeout : undefined;
    this.#fetch = new FetchHttpHandler({ requestTimeout });
    this.#node = new NodeHttpHandler(options);
  }

  /**
   * Sends one request.
   *
   * @param request The signed request.
   * @param options Abort signal and timeout.
   * @returns The response.
   */
  handle(
    request: Parameters<NodeHttpHandler["handle"]>[0],
    options?: Parameters<NodeHttpHandler["handle"]>[1],
  ): ReturnType<NodeHttpHandler["handle"]> {
    const method = request.method.toUpperCase();
    if (method !== "GET" && method !== "HEAD") return this.#node.handle(request, options);
    return this.#fetch.handle(request, options).catch((error) => {
      throw withNodeCode(error);
    });
  }

  /**
   * Passes a setting to both handlers.
   *
   * @param key The setting.
   * @param value Its value.
   */
  updateHttpClientConfig(key: never, value: never): void {
    this.#fetch.updateHttpClientConfig(key, value);
    this.#node.updateHttpClientConfig(key, value);
  }

  /**
   * The Node handler's settings.
   *
   * @returns The settings.
   */
  httpHandlerConfigs(): Record<string, unknown> {
    return this.#node.httpHandlerConfigs() as Record<string, unknown>;
  }

  /** Closes both handlers' connections. */
  destroy(): void {
    this.#fetch.destroy();
    this.#node.destroy();
  }
}
