/**
 * Builds browser-form uploads (POST Object) by hand, for the tests that must send what no SDK
 * sends: a V4 or V2 POST policy signed, then a field dropped, an unsigned field added, a policy
 * that is not base64 JSON, an expired one. Pure: the date is passed in.
 *
 * @module
 */

import { signingKey, signV2, signV4 } from "../../core/crypto.ts";
import type { Credentials } from "./signing.ts";

/** A form upload, as data. */
export interface PostFormSpec {
  /** Bucket (a `{bucket}` condition is added). */
  bucket: string;
  /** The `key` field (an exact `key` condition is added unless `keyCondition` says otherwise). */
  key: string;
  /** Condition on the key instead of an exact match, e.g. `["starts-with", "$key", "up/"]`. */
  keyCondition?: unknown;
  /** More fields, each covered by an exact condition. */
  fields?: Record<string, string>;
  /** More conditions (`["content-length-range", 1, 10]`...). */
  conditions?: unknown[];
  /** Seconds until the policy expires (negative: expired). @default 600 */
  expiresIn?: number;
  /** How the policy is signed. @default "v4" */
  scheme?: "v4" | "v2";
  /** Fields removed after signing (`x-amz-signature`, `policy`...). */
  omit?: string[];
  /** Fields added after signing, which the policy does not cover. */
  unsigned?: Record<string, string>;
  /** The `policy` field as sent, instead of the signed policy (it is still what is signed). */
  policyText?: string;
  /** The file's bytes; `null` sends no file field. @default "hello form" */
  file?: string | Uint8Array | null;
  /** The file part's Content-Type. @default "text/plain" */
  fileType?: string;
  /** Signing region. @default "us-east-1" */
  region?: string;
}

/** A built form: the body and its Content-Type (with the boundary). */
export interface PostForm {
  /** `multipart/form-data; boundary=…`. */
  contentType: string;
  /** The encoded body. */
  body: Uint8Array<ArrayBuffer>;
  /** The fields, in the order sent (without the file). */
  fields: Array<[string, string]>;
}

function amzDate(now: Date): string {
  return now.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

/**
 * Encodes fields and a file as `multipart/form-data` (the file last, as browsers and S3 want).
 *
 * @param fields Name and value pairs.
 * @param file The file bytes, or `null` for none.
 * @param fileType The file part's Content-Type.
 * @returns Body and Content-Type.
 */
export function encodeForm(
  fields: Array<[string, string]>,
  file: Uint8Array | null,
  fileType = "text/plain",
): { contentType: string; body: Uint8Array<ArrayBuffer> } {
  const boundary = `----h25form${crypto.randomUUID().replaceAll("-", "")}`;
  const parts: Uint8Array[] = [];
  const text = (s: string) => parts.push(new TextEncoder().encode(s));
  for (const [name, value] of fields) {
    text(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`);
  }
  if (file !== null) {
    text(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="upload.txt"\r\n` +
        `Content-Type: ${fileType}\r\n\r\n`,
    );
    parts.push(file);
    text("\r\n");
  }
  text(`--${boundary}--\r\n`);
  const size = parts.reduce((n, p) => n + p.length, 0);
  const body = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    body.set(part, at);
    at += part.length;
  }
  return { contentType: `multipart/form-data; boundary=${boundary}`, body };
}

/**
 * Builds and signs a form upload.
 *
 * @param spec What to send.
 * @param credentials The key pair.
 * @param now The signing time.
 * @returns The form.
 */
export function buildPostForm(spec: PostFormSpec, credentials: Credentials, now: Date): PostForm {
  const scheme = spec.scheme ?? "v4";
  const region = spec.region ?? "us-east-1";
  const fields: Array<[string, string]> = [["key", spec.key]];
  const conditions: unknown[] = [
    { bucket: spec.bucket },
    spec.keyCondition ?? { key: spec.key },
  ];
  for (const [name, value] of Object.entries(spec.fields ?? {})) {
    fields.push([name, value]);
    conditions.push({ [name]: value });
  }
  const date = amzDate(now);
  const credential = `${credentials.accessKeyId}/${date.slice(0, 8)}/${region}/s3/aws4_request`;
  if (scheme === "v4") {
    fields.push(
      ["x-amz-algorithm", "AWS4-HMAC-SHA256"],
      ["x-amz-credential", credential],
      ["x-amz-date", date],
    );
    conditions.push(
      { "x-amz-algorithm": "AWS4-HMAC-SHA256" },
      { "x-amz-credential": credential },
      { "x-amz-date": date },
    );
  } else {
    fields.push(["AWSAccessKeyId", credentials.accessKeyId]);
  }
  conditions.push(...(spec.conditions ?? []));
  const expiration = new Date(now.getTime() + (spec.expiresIn ?? 600) * 1000).toISOString();
  const policy = btoa(JSON.stringify({ expiration, conditions }));
  const sent = spec.policyText ?? policy;
  fields.push(["policy", sent]);
  if (scheme === "v4") {
    const key = signingKey(credentials.secretAccessKey, date.slice(0, 8), region, "s3");
    fields.push(["x-amz-signature", signV4(key, sent)]);
  } else {
    fields.push(["signature", signV2(credentials.secretAccessKey, sent)]);
  }
  for (const [name, value] of Object.entries(spec.unsigned ?? {})) fields.push([name, value]);
  const kept = fields.filter(([name]) => !(spec.omit ?? []).includes(name));
  const file = spec.file === null
    ? null
    : typeof spec.file === "string" || spec.file === undefined
    ? new TextEncoder().encode(spec.file ?? "hello form")
    : spec.file;
  return { ...encodeForm(kept, file, spec.fileType), fields: kept };
}
