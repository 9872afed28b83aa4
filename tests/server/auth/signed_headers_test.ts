/**
 * `unsignedHeaders()`: which headers a SigV4 signature must cover: `host` and every `x-amz-*`
 * header sent, except the three envelope headers the fixed servers exempt.
 */

import assert from "node:assert/strict";
import { UNSIGNED_EXEMPT, unsignedHeaders } from "../../../server/auth/signed_headers.ts";

Deno.test("unsignedHeaders() exempts only x-amz-content-sha256, x-amz-decoded-content-length and x-amz-trailer", () => {
  assert.deepEqual(Object.keys(UNSIGNED_EXEMPT).sort(), [
    "x-amz-content-sha256",
    "x-amz-decoded-content-length",
    "x-amz-trailer",
  ]);
  const envelope = new Headers({
    host: "h",
    "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
    "x-amz-decoded-content-length": "5",
    "x-amz-trailer": "x-amz-checksum-crc32",
  });
  assert.deepEqual(unsignedHeaders(envelope, ["host"]), []);
});

Deno.test("unsignedHeaders() names host and every other unsigned x-amz-* header, sorted", () => {
  const headers = new Headers({
    host: "h",
    "x-amz-date": "20261207T120000Z",
    "x-amz-security-token": "t",
    "x-amz-checksum-crc32": "AAAAAA==",
    "content-type": "text/plain",
    "user-agent": "curl",
  });
  assert.deepEqual(unsignedHeaders(headers, ["x-amz-date"]), [
    "host",
    "x-amz-checksum-crc32",
    "x-amz-security-token",
  ]);
  assert.deepEqual(
    unsignedHeaders(headers, [
      "Host",
      "X-Amz-Date",
      "x-amz-checksum-crc32",
      "x-amz-security-token",
    ]),
    [],
    "SignedHeaders names are compared without case",
  );
});
