/**
 * Verifies a signed payload while it streams: the SHA-256 the client declared in
 * `x-amz-content-sha256` must match the bytes received, checked at the end of the body.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { S3Error } from "../errors.ts";
import { lazyPipe } from "./lazy_pipe.ts";

/**
 * Wraps a body so that it is hashed as it is read; at its end the stream errors with
 * `XAmzContentSHA256Mismatch` instead of closing when the digest differs from the declared one.
 * Nothing is buffered beyond the chunk in flight.
 *
 * @param body The raw body.
 * @param expectedHex The lower-case hex SHA-256 the client declared.
 * @returns The body to read in its place.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { verifySha256 } from "./payload.ts";
 *
 * const body = new Blob(["hello"]).stream();
 * const checked = verifySha256(body, "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
 * assert.equal(await new Response(checked).text(), "hello");
 * const wrong = verifySha256(new Blob(["hellO"]).stream(), "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
 * await assert.rejects(new Response(wrong).text());
 * ```
 */
export function verifySha256(
  body: ReadableStream<Uint8Array>,
  expectedHex: string,
): ReadableStream<Uint8Array> {
  const hash = createHash("sha256");
  return lazyPipe(
    body,
    {
      transform(chunk, controller) {
        hash.update(chunk);
        controller.enqueue(chunk);
      },
      flush() {
        const actual = hash.digest("hex");
        if (actual !== expectedHex.toLowerCase()) {
          throw new S3Error(
            "XAmzContentSHA256Mismatch",
            `The body's SHA-256 "${actual}" does not match the x-amz-content-sha256 header ` +
              `"${expectedHex}": the body was changed in transit or hashed wrongly`,
            {
              extra: { ClientComputedContentSHA256: expectedHex, S3ComputedContentSHA256: actual },
            },
          );
        }
      },
    },
  );
}
