/**
 * A SigV4 signature binds only the headers its `SignedHeaders` names, yet the handlers read the
 * headers that arrived: `x-amz-copy-source` turns a PUT into a copy, `x-amz-acl` and
 * `x-amz-grant-*` publish it, `x-amz-meta-*`, `x-amz-tagging`, `x-amz-checksum-*` and
 * `x-amz-metadata-directive` are stored, and `host` names the bucket of a virtual-host request.
 * So every `x-amz-*` header present must be signed, and `host` always (the CVE-2026-54330 class:
 * a presigned upload link turned into a copy of any object its signer can read). AWS S3 refuses
 * such a request with 403 AccessDenied, as s3s (`reject_unsigned_amz_headers`), SeaweedFS
 * (`verifySignedHeadersCoverage`) and RustFS now do; Ceph RGW 16.2.15 accepts it.
 *
 * SigV2 needs no such check: its string to sign covers every `x-amz-*` header by construction.
 *
 * @module
 */

import { S3Error } from "../errors.ts";

/**
 * `x-amz-*` headers that may be sent without being in `SignedHeaders`, with the reason each is
 * safe. Nothing else is exempt: not `x-amz-date` (s3s and SeaweedFS refuse it unsigned too), not
 * `x-amz-security-token`, not the presigned query parameters echoed as headers (SeaweedFS lets
 * those through; no client we test sends them, and s3s and RustFS refuse them). Measured: none of
 * the clients the tests run (aws cli v2, boto3, boto 2, rclone, s3cmd, the AWS SDK v3) sends even
 * these three unsigned; the exemptions are for other signers.
 */
export const UNSIGNED_EXEMPT: Readonly<Record<string, string>> = {
  // s3s, SeaweedFS and RustFS: a header-signed request's payload hash is the last line of the
  // canonical request, so its value is signed whether or not it is listed; a presigned request
  // signs UNSIGNED-PAYLOAD and the server never reads the header.
  "x-amz-content-sha256": "bound by the canonical request's payload line",
  // RustFS (header-signed requests): the envelope of an aws-chunked body. The decoder checks the
  // decoded length against the chunks it reads, so a changed value only fails the upload.
  "x-amz-decoded-content-length": "checked against the aws-chunked body as it is decoded",
  // RustFS (header-signed requests): names the checksum the trailer carries; the decoder
  // verifies that checksum against the decoded bytes, so a changed name only fails the upload.
  "x-amz-trailer": "checked against the aws-chunked trailer as it is decoded",
};

/** AWS's sentence for the refusal. */
export const HEADERS_NOT_SIGNED = "There were headers present in the request which were not signed";

/**
 * The headers a request carries that its signature must cover but does not: `host` when it is not
 * in `SignedHeaders`, and every `x-amz-*` header neither signed nor exempt.
 *
 * @param headers The request headers as received.
 * @param signedHeaders The lower-case names from `SignedHeaders` / `X-Amz-SignedHeaders`.
 * @returns The unsigned names, lower case, sorted; empty when the signature covers everything.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { unsignedHeaders } from "./signed_headers.ts";
 *
 * const headers = new Headers({ host: "h", "x-amz-acl": "public-read" });
 * assert.deepEqual(unsignedHeaders(headers, ["host"]), ["x-amz-acl"]);
 * assert.deepEqual(unsignedHeaders(headers, ["host", "x-amz-acl"]), []);
 * ```
 */
export function unsignedHeaders(headers: Headers, signedHeaders: readonly string[]): string[] {
  const signed = new Set(signedHeaders.map((name) => name.trim().toLowerCase()));
  const missing = signed.has("host") ? [] : ["host"];
  for (const name of headers.keys()) {
    if (name.startsWith("x-amz-") && !signed.has(name) && !(name in UNSIGNED_EXEMPT)) {
      missing.push(name);
    }
  }
  return missing.sort();
}

/**
 * Refuses a SigV4 request whose signature leaves out `host` or an `x-amz-*` header it carries.
 *
 * @param headers The request headers as received.
 * @param signedHeaders The lower-case names the signature covers.
 * @throws {S3Error} `AccessDenied` (403) with AWS's message and a `HeadersNotSigned` element
 * naming the headers.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { requireSignedHeaders } from "./signed_headers.ts";
 *
 * const headers = new Headers({ host: "h", "x-amz-copy-source": "/secret/key" });
 * assert.throws(() => requireSignedHeaders(headers, ["host"]), /not signed/);
 * ```
 */
export function requireSignedHeaders(headers: Headers, signedHeaders: readonly string[]): void {
  const missing = unsignedHeaders(headers, signedHeaders);
  if (missing.length === 0) return;
  throw new S3Error(
    "AccessDenied",
    `${HEADERS_NOT_SIGNED}: ${missing.join(", ")}; sign them (list them in SignedHeaders) or ` +
      "do not send them",
    { extra: { HeadersNotSigned: missing.join(", ") } },
  );
}
