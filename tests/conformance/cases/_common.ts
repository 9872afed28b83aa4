/**
 * Shared pieces of the conformance table (the run prefix, the fixture, setup-step builders); the cases
 * themselves are in the sibling modules, one per area, and `mod.ts` lists them in order. The table: request cases, as data, that the embedded server must answer as Ceph RGW
 * does. Each case names its setup, its request and the fields compared; `expect` records what RGW
 * answers (checked on RGW on every run).
 *
 * Variables in strings: `{run}` is this run's bucket prefix, `{b}` the case's own bucket, other
 * names are captured by setup steps. The shared fixture (`FIXTURE`) is created once per engine.
 *
 * @module
 */

import type { AuthSpec, SetupStep } from "../runner.ts";

/** The canned ACLs S3 defines for buckets and objects. */
export const CANNED_ACLS = [
  "private",
  "public-read",
  "public-read-write",
  "authenticated-read",
] as const;
export type Canned = typeof CANNED_ACLS[number];

/** Length of a run prefix (`{run}`), so cases can build names of an exact length. */
export const RUN_LENGTH = 10;

/**
 * A new run prefix: `cf` and 8 base-36 characters, unique per run, the same on every engine.
 *
 * @returns The prefix, {@linkcode RUN_LENGTH} characters long.
 */
export function newRunPrefix(): string {
  const stamp = Date.now().toString(36).slice(-6).padStart(6, "0");
  const random = Math.floor(Math.random() * 36 ** 2).toString(36).padStart(2, "0");
  return `cf${stamp}${random}`;
}

/** The body of `{run}-data/data.txt`, the object ranges and conditionals read. */
export const DATA_BODY = "0123456789abcdefghij";
export const DATA = "{run}-data";
export const FIVE_MIB = { fill: "0123456789abcdef", bytes: 5 * 1024 * 1024 };

/** State every engine gets once before the cases: the ACL matrix and the data bucket. */
export const FIXTURE: SetupStep[] = [
  { method: "PUT", bucket: DATA },
  {
    method: "PUT",
    bucket: DATA,
    key: "data.txt",
    body: DATA_BODY,
    headers: { "content-type": "text/plain", "x-amz-meta-color": "blue" },
  },
  ...["list/a.txt", "list/b.txt", "list/c/d.txt", "list/c/e.txt", "list/f.txt"].map((key) => ({
    method: "PUT",
    bucket: DATA,
    key,
    body: `body of ${key}`,
  })),
  ...CANNED_ACLS.map((acl) => ({
    method: "PUT",
    bucket: DATA,
    key: `acl/${acl}.txt`,
    body: `object with ${acl}`,
    headers: { "x-amz-acl": acl },
  })),
  ...CANNED_ACLS.flatMap((acl): SetupStep[] => [
    { method: "PUT", bucket: `{run}-${acl}`, headers: { "x-amz-acl": acl } },
    { method: "PUT", bucket: `{run}-${acl}`, key: "object.txt", body: "matrix object" },
  ]),
];

export const ANON: AuthSpec = { as: "anonymous" };
export const OTHER: AuthSpec = { as: "other" };

export function bucket(acl?: string): SetupStep {
  return { method: "PUT", bucket: "{b}", headers: acl ? { "x-amz-acl": acl } : undefined };
}

export function put(
  key: string,
  body: SetupStep["body"] = "hello",
  extra: Partial<SetupStep> = {},
): SetupStep {
  return { method: "PUT", bucket: "{b}", key, body, ...extra };
}

export function createUpload(key = "mp.bin", name = "upload"): SetupStep {
  return {
    method: "POST",
    bucket: "{b}",
    key,
    query: { uploads: "" },
    capture: { [name]: "InitiateMultipartUploadResult.UploadId" },
  };
}

export function uploadPart(n: number, body: SetupStep["body"], key = "mp.bin"): SetupStep {
  return {
    method: "PUT",
    bucket: "{b}",
    key,
    query: { partNumber: String(n), uploadId: "{upload}" },
    body,
    capture: { [`etag${n}`]: "header:etag" },
  };
}

export function completeBody(parts: Array<[number, string]>): string {
  return "<CompleteMultipartUpload>" +
    parts.map(([n, etag]) => `<Part><PartNumber>${n}</PartNumber><ETag>${etag}</ETag></Part>`)
      .join("") +
    "</CompleteMultipartUpload>";
}

export function complete(parts: Array<[number, string]>, key = "mp.bin"): SetupStep {
  return {
    method: "POST",
    bucket: "{b}",
    key,
    query: { uploadId: "{upload}" },
    body: completeBody(parts),
  };
}

export function grantXml(otherPermission: string): string {
  return '<AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
    "<Owner><ID>demo</ID></Owner><AccessControlList>" +
    '<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ' +
    'xsi:type="CanonicalUser"><ID>demo</ID></Grantee><Permission>FULL_CONTROL</Permission>' +
    "</Grant>" +
    '<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ' +
    `xsi:type="CanonicalUser"><ID>other</ID></Grantee><Permission>${otherPermission}` +
    "</Permission></Grant></AccessControlList></AccessControlPolicy>";
}

export function deleteXml(keys: string[], quiet = false): string {
  return `<Delete>${quiet ? "<Quiet>true</Quiet>" : ""}${
    keys.map((k) => `<Object><Key>${k}</Key></Object>`).join("")
  }</Delete>`;
}
