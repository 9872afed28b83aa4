/**
 * Redaction: what the trace, probes and error messages show instead of signatures, session
 * tokens and secret keys.
 *
 * @module
 */

/** What replaces a secret in anything recorded or printed. */
export const REDACTED = "REDACTED";

/**
 * Redacts the signature and session-token values in a URL's query string.
 *
 * @param url A URL, e.g. a presigned link.
 * @returns The URL with `X-Amz-Signature`, `Signature` and `X-Amz-Security-Token` values replaced.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { redactUrl } from "./redact.ts";
 *
 * assert.equal(
 *   redactUrl("http://h/b/k?X-Amz-Signature=abc&x=1"),
 *   "http://h/b/k?X-Amz-Signature=REDACTED&x=1",
 * );
 * ```
 */
export function redactUrl(url: string): string {
  return url.replace(
    /([?&](?:X-Amz-Signature|Signature|X-Amz-Security-Token)=)[^&#]*/gi,
    `$1${REDACTED}`,
  );
}

/**
 * Redacts the signature in an `Authorization` header value (SigV4 and SigV2).
 *
 * @param value The header value.
 * @returns The value with the signature replaced; the access key id and scope stay visible.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { redactAuthorization } from "./redact.ts";
 *
 * assert.equal(
 *   redactAuthorization("AWS4-HMAC-SHA256 Credential=K/x, Signature=beef"),
 *   "AWS4-HMAC-SHA256 Credential=K/x, Signature=REDACTED",
 * );
 * assert.equal(redactAuthorization("AWS K:c2ln"), "AWS K:REDACTED");
 * ```
 */
export function redactAuthorization(value: string): string {
  if (/^AWS [^:\s]+:/.test(value)) return value.replace(/^(AWS [^:\s]+:).*$/, `$1${REDACTED}`);
  return value.replace(/(Signature=)[^,\s]*/gi, `$1${REDACTED}`);
}

/**
 * Replaces every occurrence of the given secrets in a text.
 *
 * @param text Any text.
 * @param secrets Values that must never be shown; values shorter than 4 characters are ignored.
 * @returns The text with each secret replaced by `REDACTED`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { redactSecrets } from "./redact.ts";
 *
 * assert.equal(redactSecrets("key=hunter22", ["hunter22"]), "key=REDACTED");
 * ```
 */
export function redactSecrets(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 4 && out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  return out;
}
