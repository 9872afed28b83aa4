/**
 * Decodes `aws-chunked` request bodies as they stream, verifying each chunk signature (chained
 * from the request's seed signature) or, for unsigned trailer uploads, the trailing checksum.
 *
 * Wire format: `hex-size[;chunk-signature=sig]\r\n<data>\r\n` repeated, then a zero-size chunk;
 * with a trailer, `name:value\r\n` lines (and `x-amz-trailer-signature` when signed) and an empty
 * line follow it. Only the chunk in flight is held in memory.
 *
 * @module
 */

import { createHash, type Hash } from "node:crypto";
import { S3Error } from "../errors.ts";
import { algorithmOfHeader, type Checksum, createChecksum } from "../../core/checksum.ts";
import { EMPTY_SHA256, sha256Hex, signaturesEqual, signV4 } from "../../core/crypto.ts";
import { lazyPipe } from "./lazy_pipe.ts";

/** The chain chunk signatures continue. */
export interface ChunkSigning {
  /** The SigV4 signing key of the request. */
  signingKey: Uint8Array;
  /** The request time, `YYYYMMDDTHHMMSSZ`. */
  amzDate: string;
  /** The credential scope. */
  scope: string;
  /** The request's own signature: the first "previous signature". */
  seedSignature: string;
}

/** How an aws-chunked body is decoded. */
export interface AwsChunkedOptions {
  /** Signature chain to verify; absent for `STREAMING-UNSIGNED-PAYLOAD-TRAILER`. */
  signing?: ChunkSigning;
  /** Whether trailing headers follow the final chunk. @default false */
  trailer?: boolean;
  /**
   * The trailing checksum header announced by `x-amz-trailer` (e.g. `x-amz-checksum-crc32`);
   * its value is verified against the decoded bytes.
   */
  checksumHeader?: string;
  /** The expected decoded length (`x-amz-decoded-content-length`), checked at the end. */
  decodedLength?: number;
}

/**
 * The SigV4 string to sign of one chunk.
 *
 * @param signing The chain (date, scope).
 * @param previous The previous signature (the seed for the first chunk).
 * @param chunkHashHex Hex SHA-256 of the chunk's data.
 * @returns The string to sign.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { EMPTY_SHA256, sha256Hex } from "../../core/crypto.ts";
 * import { chunkStringToSign } from "./chunked.ts";
 *
 * const signing = {
 *   signingKey: new Uint8Array(32),
 *   amzDate: "20130524T000000Z",
 *   scope: "20130524/us-east-1/s3/aws4_request",
 *   seedSignature: "4f23".repeat(16),
 * };
 * assert.equal(
 *   chunkStringToSign(signing, signing.seedSignature, sha256Hex("hello")),
 *   `AWS4-HMAC-SHA256-PAYLOAD\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n` +
 *     `${"4f23".repeat(16)}\n${EMPTY_SHA256}\n${sha256Hex("hello")}`,
 * );
 * ```
 */
export function chunkStringToSign(
  signing: ChunkSigning,
  previous: string,
  chunkHashHex: string,
): string {
  return [
    "AWS4-HMAC-SHA256-PAYLOAD",
    signing.amzDate,
    signing.scope,
    previous,
    EMPTY_SHA256,
    chunkHashHex,
  ].join("\n");
}

/** Longest accepted chunk header or trailer line. */
const MAX_LINE = 4096;

type State = "header" | "data" | "data-end" | "trailer" | "final-end" | "done";

/** The streaming decoder behind {@linkcode decodeAwsChunked}. */
class AwsChunkedDecoder implements Transformer<Uint8Array, Uint8Array> {
  #options: AwsChunkedOptions;
  #state: State = "header";
  #line = "";
  #remaining = 0;
  #chunkSignature = "";
  /** The current chunk's SHA-256, only when chunks are signed. */
  #chunkHash: Hash | undefined;
  #previous: string;
  #decoded = 0;
  #crlf = 0;
  #trailers: Array<[string, string]> = [];
  #checksum: Checksum | undefined;
  #blankAfterFinal = false;

  constructor(options: AwsChunkedOptions) {
    this.#options = options;
    this.#previous = options.signing?.seedSignature ?? "";
    const algorithm = algorithmOfHeader(options.checksumHeader ?? "");
    if (algorithm !== undefined) this.#checksum = createChecksum(algorithm);
  }

  transform(chunk: Uint8Array, controller: TransformStreamDefaultController<Uint8Array>) {
    let i = 0;
    while (i < chunk.length) {
      switch (this.#state) {
        case "header":
        case "trailer": {
          const line = this.#readLine(chunk, i);
          i = line.next;
          if (line.text !== undefined) {
            if (this.#state === "header") this.#startChunk(line.text);
            else this.#trailerLine(line.text);
          }
          break;
        }
        case "data": {
          const take = Math.min(this.#remaining, chunk.length - i);
          const part = chunk.subarray(i, i + take);
          this.#chunkHash?.update(part);
          this.#checksum?.update(part);
          this.#decoded += take;
          this.#remaining -= take;
          i += take;
          controller.enqueue(part);
          if (this.#remaining === 0) {
            this.#state = "data-end";
            this.#crlf = 0;
          }
          break;
        }
        case "data-end":
        case "final-end": {
          const expected = this.#crlf === 0 ? 13 : 10;
          if (chunk[i] !== expected) {
            throw this.#malformed("a chunk's data is not followed by CRLF");
          }
          i++;
          if (++this.#crlf === 2) {
            if (this.#state === "data-end") {
              this.#endChunk();
              this.#state = "header";
            } else {
              this.#state = "done";
            }
          }
          break;
        }
        case "done":
          throw this.#malformed("bytes follow the final chunk");
      }
    }
  }

  flush() {
    const trailerEnded = this.#trailers.length > 0 || this.#blankAfterFinal;
    if (this.#state === "trailer" && trailerEnded && this.#line === "") {
      // The trailer may end with the body instead of an empty line, and may be empty.
      this.#verifyTrailers();
      this.#state = "done";
    }
    if (this.#state !== "done" && this.#state !== "final-end") {
      throw new S3Error(
        "IncompleteBody",
        "The aws-chunked body ended before its final zero-size chunk: the upload was cut short",
      );
    }
    const expected = this.#options.decodedLength;
    if (expected !== undefined && expected !== this.#decoded) {
      throw new S3Error(
        "IncompleteBody",
        `The aws-chunked body decoded to ${this.#decoded} bytes, but x-amz-decoded-content-length ` +
          `says ${expected}`,
      );
    }
  }

  #readLine(chunk: Uint8Array, start: number): { text?: string; next: number } {
    for (let i = start; i < chunk.length; i++) {
      const byte = chunk[i];
      if (byte === 10 && this.#line.endsWith("\r")) {
        const text = this.#line.slice(0, -1);
        this.#line = "";
        return { text, next: i + 1 };
      }
      this.#line += String.fromCharCode(byte);
      if (this.#line.length > MAX_LINE) throw this.#malformed("a chunk header line is too long");
    }
    return { next: chunk.length };
  }

  #startChunk(line: string) {
    const [sizeText, ...extensions] = line.split(";");
    if (!/^[0-9a-fA-F]{1,13}$/.test(sizeText.trim())) {
      throw this.#malformed(`the chunk size "${sizeText}" is not hexadecimal`);
    }
    const size = parseInt(sizeText.trim(), 16);
    if (this.#options.signing !== undefined) {
      const signature = extensions
        .map((e) => e.trim())
        .find((e) => e.startsWith("chunk-signature="))
        ?.slice("chunk-signature=".length);
      if (signature === undefined) {
        throw this.#malformed(`the chunk header "${line}" has no chunk-signature`);
      }
      this.#chunkSignature = signature.toLowerCase();
      this.#chunkHash = createHash("sha256");
    }
    this.#remaining = size;
    if (size > 0) {
      this.#state = "data";
      return;
    }
    this.#endChunk();
    this.#crlf = 0;
    this.#state = this.#options.trailer ? "trailer" : "final-end";
  }

  #endChunk() {
    const signing = this.#options.signing;
    if (signing === undefined) return;
    const toSign = chunkStringToSign(signing, this.#previous, this.#chunkHash!.digest("hex"));
    const expected = signV4(signing.signingKey, toSign);
    if (!signaturesEqual(expected, this.#chunkSignature)) {
      throw new S3Error(
        "SignatureDoesNotMatch",
        `The signature of the chunk ending at decoded byte ${this.#decoded} does not match: ` +
          "the chunk was changed in transit or signed with another key",
        { extra: { StringToSign: toSign } },
      );
    }
    this.#previous = this.#chunkSignature;
  }

  #trailerLine(line: string) {
    // Some writers put an empty line between the final chunk and the trailer: skip it.
    if (line === "" && this.#trailers.length === 0) {
      this.#blankAfterFinal = true;
      return;
    }
    if (line !== "") {
      const colon = line.indexOf(":");
      if (colon === -1) throw this.#malformed(`the trailer line "${line}" has no colon`);
      this.#trailers.push([
        line.slice(0, colon).trim().toLowerCase(),
        line.slice(colon + 1).trim(),
      ]);
      return;
    }
    this.#verifyTrailers();
    this.#state = "done";
  }

  #verifyTrailers() {
    const signing = this.#options.signing;
    const headers = this.#trailers.filter(([name]) => name !== "x-amz-trailer-signature");
    if (signing !== undefined) {
      const provided = this.#trailers.find(([name]) => name === "x-amz-trailer-signature")?.[1];
      const canonical = headers.map(([name, value]) => `${name}:${value}\n`).join("");
      const toSign = [
        "AWS4-HMAC-SHA256-TRAILER",
        signing.amzDate,
        signing.scope,
        this.#previous,
        sha256Hex(canonical),
      ].join("\n");
      const expected = signV4(signing.signingKey, toSign);
      if (provided === undefined || !signaturesEqual(expected, provided.toLowerCase())) {
        throw new S3Error(
          "SignatureDoesNotMatch",
          "The trailer signature of the aws-chunked body does not match",
          { extra: { StringToSign: toSign } },
        );
      }
    }
    const name = this.#options.checksumHeader?.toLowerCase();
    if (name === undefined) return;
    const declared = headers.find(([n]) => n === name)?.[1];
    if (declared === undefined) {
      throw new S3Error(
        "InvalidRequest",
        `The trailer announced by x-amz-trailer ("${name}") is missing after the final chunk`,
      );
    }
    const actual = this.#checksum?.digest();
    if (actual !== undefined && actual !== declared) {
      throw new S3Error(
        "BadDigest",
        // AWS's words (its answer recorded in OpenStack Swift's s3api tests).
        `The ${algorithmOfHeader(name)} you specified did not match the calculated checksum.`,
        { extra: { ExpectedChecksum: declared, CalculatedChecksum: actual } },
      );
    }
  }

  #malformed(why: string): S3Error {
    return new S3Error("IncompleteBody", `Cannot decode the aws-chunked body: ${why}`);
  }
}

/**
 * Decodes an aws-chunked body as it streams. The returned stream yields the payload and errors
 * with an `S3Error` instead of closing when a chunk signature (`SignatureDoesNotMatch`), the
 * trailing checksum (`BadDigest`) or the framing (`IncompleteBody`) is wrong.
 *
 * @param body The raw request body.
 * @param options Signature chain, trailer and expected length.
 * @returns The decoded payload.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeAwsChunked } from "./chunked.ts";
 *
 * const raw = new Blob(["5\r\nhello\r\n0\r\n\r\n"]).stream();
 * const decoded = decodeAwsChunked(raw, { trailer: true });
 * assert.equal(await new Response(decoded).text(), "hello");
 * ```
 */
export function decodeAwsChunked(
  body: ReadableStream<Uint8Array>,
  options: AwsChunkedOptions,
): ReadableStream<Uint8Array> {
  return lazyPipe(body, new AwsChunkedDecoder(options));
}
