/**
 * The differential conformance runner: turns a {@linkcode Case} (data) into signed raw requests,
 * runs it on an engine, observes the fields the case compares, and compares two engines.
 *
 * @module
 */

import { XMLParser } from "fast-xml-parser";
import { DEMO_USERS } from "../../server/demo_users.ts";
import { type RawResponse, send } from "./http.ts";
import { sendExpectingContinue } from "./continue.ts";
import {
  type Credentials,
  md5Base64,
  presignV2,
  presignV4,
  type RawRequest,
  sha256Hex,
  signV2,
  signV4,
  signV4By,
} from "../support/signing.ts";
import { buildPostForm, type PostFormSpec } from "../support/post_form.ts";

/** Who sends a request: one of the two demo users, or nobody. */
export type Who = "demo" | "other" | "anonymous";

/** How a request is authenticated. */
export interface AuthSpec {
  /** The sender. @default "demo" */
  as?: Who;
  /** Signing scheme. @default "v4" */
  scheme?: "v4" | "v4-unsigned-payload" | "v2" | "v2-query" | "presign";
  /** Seconds a presigned URL is valid (presign, v2-query). @default 900 */
  expiresIn?: number;
  /** Sign as if it were this many seconds ago (skew, expired URLs). @default 0 */
  signedSecondsAgo?: number;
  /** Sign with a secret that is not the user's. */
  wrongSecret?: boolean;
  /** Sign with an access key no engine knows. */
  unknownKey?: boolean;
  /** Signing region (SigV4). @default "us-east-1" */
  region?: string;
  /** SigV4 (header) only: the service named in the credential scope. @default "s3" */
  service?: string;
  /**
   * Change the request after signing: `key` appends to the path, `expires` raises the expiry,
   * `method` signs GET but sends the request's method, `payload-hash` signs the hash of other
   * bytes than the body sent.
   */
  tamper?: "key" | "expires" | "method" | "payload-hash";
  /**
   * SigV4 (header) only: the `SignedHeaders` list, chosen by hand (e.g. leaving `host` out); the
   * other headers are sent unsigned. @default every header sent
   */
  signedHeaders?: string[];
  /** Headers added after signing, unsigned (lower-case names; `{var}` filled). */
  unsigned?: Record<string, string>;
}

/** A body given as text, or as `bytes` copies of `fill` (for large parts). */
export type BodySpec = string | { fill: string; bytes: number };

/** One request, as data. `{name}` in strings is replaced by a variable (see {@linkcode Vars}). */
export interface RequestSpec {
  /** HTTP method. */
  method: string;
  /** Bucket name; absent for service requests. */
  bucket?: string;
  /** Object key, unencoded. */
  key?: string;
  /** Query parameters; `""` for a bare flag like `acl`. */
  query?: Record<string, string>;
  /** Extra headers (lower-case names). */
  headers?: Record<string, string>;
  /** Body. @default "" */
  body?: BodySpec;
  /** Add a `Content-MD5` of the body. @default false */
  md5?: boolean;
  /** Addressing style. @default "path" */
  style?: "path" | "vhost";
  /** Authentication. @default { as: "demo", scheme: "v4" } */
  auth?: AuthSpec;
  /**
   * Send with `Expect: 100-continue`, the body only after `100 Continue`, then a ListBuckets on
   * the same connection (see `continue.ts`; compare `header:x-test-interim` and
   * `header:x-test-next-request`).
   */
  expectContinue?: boolean;
  /**
   * A browser form upload (POST Object) to `bucket`: built and its policy signed as `auth.as`
   * (see `tests/support/post_form.ts`), sent without an Authorization header. `{name}`
   * variables are filled in every string of it.
   */
  form?: Omit<PostFormSpec, "bucket">;
}

/** A setup request: must succeed (or answer `expectStatus`), may capture values for later. */
export interface SetupStep extends RequestSpec {
  /** Status the step must answer. @default any 2xx */
  expectStatus?: number;
  /** Variables to set from the response: `header:NAME`, or an XML path like `A.B.C`. */
  capture?: Record<string, string>;
  /**
   * A step run in full while this one is in flight: this step's headers and the first half of
   * its body are sent, then that step, then the rest of this body (so this one finishes last).
   */
  overlapWith?: SetupStep;
}

/**
 * One conformance case. Status and S3 error code are always compared; `compare` adds fields:
 * `header:NAME`, `xml:A.B.C` (all values at that path, in order), `xmlset:A.B.C` (the same,
 * sorted: for answers whose order S3 leaves open), `has:A.B.C` (present or not), `body`
 * (the body text), `match:REGEX` (every match of REGEX in the raw body, sorted, for bytes an XML
 * parser would normalise) and `grants` (an ACL's grants, sorted).
 *
 * Version ids differ between engines, so they are compared by shape: `vid:FIELD` observes FIELD
 * and writes each value a setup step captured as `{name}`, `null` as is, and any other id as
 * `<id>`; `versions` is a ListVersionsResult's entries in document order (`V` for a version, `D`
 * for a delete marker, then key, shaped id and IsLatest).
 */
export interface Case {
  /** What the case checks, as a sentence. */
  name: string;
  /** Requests that prepare the state (run as demo unless they say otherwise). */
  setup?: SetupStep[];
  /** The request whose answer is compared. */
  request: RequestSpec;
  /** What Ceph RGW answers: checked on RGW, so a broken case cannot pass by accident. */
  expect: { status: number; code?: string };
  /** Extra fields to compare. */
  compare?: string[];
  /**
   * Why the case is never sent to RGW (a request that crashes RGW 16): it runs on the embedded
   * server only, which must answer `expect`.
   */
  rgwSkip?: string;
}

/** Template variables: `run` (bucket prefix), `b` (this case's bucket) and captured values. */
export type Vars = Record<string, string>;

/** An engine under test. */
export interface Engine {
  /** Short name shown in the table. */
  name: string;
  /** Port on 127.0.0.1. */
  port: number;
}

/** What one engine answered to a case. */
export interface Observation {
  /** Field name → observed value (`undefined` when absent). */
  fields: Record<string, string | undefined>;
}

const USERS: Record<"demo" | "other", Credentials> = {
  demo: DEMO_USERS[0],
  other: DEMO_USERS[1],
};

const xml = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: true });

/** Replaces `{name}` with `vars[name]`; an unknown name is an error in the case. */
export function fill(text: string, vars: Vars): string {
  // `${filename}` is S3's own placeholder in a form's key, not a variable.
  return text.replace(/(?<!\$)\{(\w+)\}/g, (_, name: string) => {
    if (!(name in vars)) throw new Error(`Cannot fill "{${name}}" in "${text}": no such variable`);
    return vars[name];
  });
}

function bodyBytes(body: BodySpec | undefined, vars: Vars): Uint8Array {
  if (body === undefined) return new Uint8Array();
  if (typeof body === "string") return new TextEncoder().encode(fill(body, vars));
  return new TextEncoder().encode(body.fill.repeat(Math.ceil(body.bytes / body.fill.length)))
    .subarray(0, body.bytes);
}

function encodeKey(key: string): string {
  return key.split("/").map((part) =>
    encodeURIComponent(part).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16)}`)
  ).join("/");
}

/**
 * Builds, signs and sends one request on an engine.
 *
 * @param engine The engine.
 * @param spec The request as data.
 * @param vars Template variables.
 * @param hold Run while the request is half sent (see `send()`).
 * @returns The raw response.
 */
export async function perform(
  engine: Engine,
  spec: RequestSpec,
  vars: Vars,
  hold?: () => Promise<void>,
): Promise<RawResponse> {
  const bucket = spec.bucket === undefined ? undefined : fill(spec.bucket, vars);
  const key = spec.key === undefined ? undefined : encodeKey(fill(spec.key, vars));
  const vhost = spec.style === "vhost" && bucket !== undefined;
  const host = vhost ? `${bucket}.localhost:${engine.port}` : `127.0.0.1:${engine.port}`;
  let path: string;
  if (vhost) path = key === undefined ? "/" : `/${key}`;
  else if (bucket === undefined) path = "/";
  else path = key === undefined ? `/${bucket}` : `/${bucket}/${key}`;
  const resource = vhost ? `/${bucket}${path}` : path;

  const query: Record<string, string> = {};
  for (const [name, value] of Object.entries(spec.query ?? {})) query[name] = fill(value, vars);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(spec.headers ?? {})) {
    headers[name.toLowerCase()] = fill(value, vars);
  }
  const body = bodyBytes(spec.body, vars);
  if (spec.md5) headers["content-md5"] = md5Base64(body);

  const auth = spec.auth ?? {};
  const who = auth.as ?? "demo";
  if (spec.form !== undefined) {
    const filled = JSON.parse(fill(JSON.stringify(spec.form), vars)) as typeof spec.form;
    const form = buildPostForm(
      { ...filled, bucket: bucket! },
      USERS[who === "anonymous" ? "demo" : who],
      new Date(),
    );
    const request = {
      method: spec.method,
      host,
      path,
      query,
      headers: { ...headers, "content-type": form.contentType },
      body: form.body,
    };
    return send(engine.port, request, undefined, hold);
  }
  let request: RawRequest = { method: spec.method, host, path, query, headers, body };
  if (who !== "anonymous") {
    request = await authorize(request, resource, who, auth);
  }
  if (auth.unsigned !== undefined) {
    const added = Object.entries(auth.unsigned).map(([name, value]) => [name, fill(value, vars)]);
    request = { ...request, headers: { ...request.headers, ...Object.fromEntries(added) } };
  }
  if (spec.expectContinue) {
    const list: RawRequest = { method: "GET", host, path: "/", query: {}, headers: {} };
    const next = await authorize(list, "/", "demo", {});
    return sendExpectingContinue(engine.port, request, next);
  }
  return send(engine.port, request, undefined, hold);
}

async function authorize(
  request: RawRequest,
  resource: string,
  who: "demo" | "other",
  auth: AuthSpec,
): Promise<RawRequest> {
  const user = USERS[who];
  const credentials: Credentials = {
    accessKeyId: auth.unknownKey ? "NOSUCHACCESSKEY" : user.accessKeyId,
    secretAccessKey: auth.wrongSecret ? "WRONGSECRETKEY" : user.secretAccessKey,
  };
  const date = new Date(Date.now() - (auth.signedSecondsAgo ?? 0) * 1000);
  const expiresIn = auth.expiresIn ?? 900;
  const toSign = auth.tamper === "method" ? { ...request, method: "GET" } : { ...request };
  if (auth.scheme === "v4-unsigned-payload") {
    toSign.headers = { ...toSign.headers, "x-amz-content-sha256": "UNSIGNED-PAYLOAD" };
  }
  if (auth.tamper === "payload-hash") {
    toSign.headers = { ...toSign.headers, "x-amz-content-sha256": sha256Hex("other bytes") };
  }

  let signed: RawRequest;
  switch (auth.scheme ?? "v4") {
    case "v4":
    case "v4-unsigned-payload":
      signed = auth.signedHeaders || auth.service
        ? signV4By(toSign, credentials, {
          date,
          signedHeaders: auth.signedHeaders,
          service: auth.service,
        })
        : await signV4(toSign, credentials, date, auth.region);
      break;
    case "presign":
      signed = await presignV4(toSign, credentials, date, expiresIn);
      break;
    case "v2":
      signed = signV2(toSign, credentials, date, resource);
      break;
    case "v2-query":
      signed = presignV2(
        toSign,
        credentials,
        new Date(date.getTime() + expiresIn * 1000),
        resource,
      );
      break;
  }
  signed = { ...signed, method: request.method };
  if (auth.tamper === "key") signed = { ...signed, path: `${signed.path}-tampered` };
  if (auth.tamper === "expires") {
    const query = { ...signed.query };
    if ("X-Amz-Expires" in query) query["X-Amz-Expires"] = String(expiresIn + 3600);
    if ("Expires" in query) query.Expires = String(Number(query.Expires) + 3600);
    signed = { ...signed, query };
  }
  return signed;
}

/** Parses an XML body; `undefined` when the body is not XML. */
function parseXml(response: RawResponse): Record<string, unknown> | undefined {
  const text = new TextDecoder().decode(response.body).trim();
  if (!text.startsWith("<")) return undefined;
  try {
    return xml.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** All values at a dotted path; arrays along the way are flattened. */
function xmlValues(doc: unknown, path: string): unknown[] {
  let nodes: unknown[] = [doc];
  for (const step of path.split(".")) {
    nodes = nodes.flatMap((node) => {
      if (node === null || typeof node !== "object") return [];
      const next = (node as Record<string, unknown>)[step];
      if (next === undefined) return [];
      return Array.isArray(next) ? next : [next];
    });
  }
  return nodes;
}

function grantsOf(doc: unknown): string | undefined {
  const grants = xmlValues(doc, "AccessControlPolicy.AccessControlList.Grant");
  if (grants.length === 0) return undefined;
  return grants.map((grant) => {
    const g = grant as { Grantee?: Record<string, string>; Permission?: string };
    const who = g.Grantee?.ID ?? g.Grantee?.URI?.replace(/.*\//, "") ?? "?";
    return `${who}=${g.Permission}`;
  }).sort().join(" ");
}

function text(value: unknown): string {
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

/** Names of the variables setup steps captured (not the run prefix or the bucket). */
function captured(vars: Vars): [string, string][] {
  return Object.entries(vars).filter(([name]) => name !== "run" && name !== "b");
}

/** A version id as compared: `{name}` when a setup step captured it, `null`, or `<id>`. */
function shapeOfId(id: string, vars: Vars): string {
  const name = captured(vars).find(([, value]) => value === id)?.[0];
  if (name !== undefined) return `{${name}}`;
  return id === "null" || id === "" ? id : "<id>";
}

/** The entries of a ListVersionsResult in document order, ids shaped. */
function versionEntries(response: RawResponse, vars: Vars): string | undefined {
  const body = new TextDecoder().decode(response.body);
  const out: string[] = [];
  for (const m of body.matchAll(/<(Version|DeleteMarker)>(.*?)<\/\1>/gs)) {
    const get = (name: string) => new RegExp(`<${name}>(.*?)</${name}>`, "s").exec(m[2])?.[1];
    out.push(
      `${m[1] === "Version" ? "V" : "D"}:${get("Key")}:${shapeOfId(get("VersionId") ?? "", vars)}:${
        get("IsLatest")
      }`,
    );
  }
  return out.length ? out.join(",") : undefined;
}

/**
 * Observes a response: status, S3 error code and the fields a case compares.
 *
 * @param response The response.
 * @param compare The extra fields (see {@linkcode Case}).
 * @param vars Variables, for shaping the version ids setup steps captured.
 * @returns The observation.
 */
export function observe(
  response: RawResponse,
  compare: readonly string[] = [],
  vars: Vars = {},
): Observation {
  const doc = parseXml(response);
  const code = doc ? xmlValues(doc, "Error.Code")[0] : undefined;
  const fields: Record<string, string | undefined> = {
    status: String(response.status),
    code: code === undefined ? undefined : text(code),
  };
  for (const field of compare) {
    if (field.startsWith("vid:")) {
      const inner = observe(response, [field.slice(4)]).fields[field.slice(4)];
      const shaped = inner?.split(",").map((id) => shapeOfId(id, vars));
      // A set is sorted again once its ids are shaped (random ids sort differently per engine).
      if (field.startsWith("vid:xmlset:")) shaped?.sort();
      fields[field] = shaped?.join(",");
    } else if (field === "versions") {
      fields[field] = versionEntries(response, vars);
    } else if (field.startsWith("header:")) {
      fields[field] = response.headers[field.slice(7).toLowerCase()];
    } else if (field.startsWith("xml:")) {
      const values = doc ? xmlValues(doc, field.slice(4)) : [];
      fields[field] = values.length ? values.map(text).join(",") : undefined;
    } else if (field.startsWith("xmlset:")) {
      const values = doc ? xmlValues(doc, field.slice(7)).map(text).sort() : [];
      fields[field] = values.length ? values.join(",") : undefined;
    } else if (field.startsWith("has:")) {
      fields[field] = doc && xmlValues(doc, field.slice(4)).length ? "present" : "absent";
    } else if (field === "grants") {
      fields[field] = doc ? grantsOf(doc) : undefined;
    } else if (field.startsWith("match:")) {
      // Raw text, as sent: XML parsers normalise what these cases compare (\r, control bytes).
      // Sorted: element order is not significant in XML (key order is compared by `xml:`).
      const found = new TextDecoder().decode(response.body).match(new RegExp(field.slice(6), "g"));
      fields[field] = found ? JSON.stringify(found.sort()) : undefined;
    } else if (field === "body") {
      fields[field] = new TextDecoder().decode(response.body);
    } else {
      throw new Error(`Cannot compare "${field}": unknown field kind`);
    }
  }
  return { fields };
}

/**
 * Runs a setup step and captures its variables; throws when the step does not answer as
 * expected, naming the engine and the answer.
 *
 * @param engine The engine.
 * @param step The step.
 * @param vars Variables, updated with the captures.
 */
export async function runSetup(engine: Engine, step: SetupStep, vars: Vars): Promise<void> {
  const overlap = step.overlapWith;
  const response = await perform(
    engine,
    step,
    vars,
    overlap && (() => runSetup(engine, overlap, vars)),
  );
  const ok = step.expectStatus === undefined
    ? response.status >= 200 && response.status < 300
    : response.status === step.expectStatus;
  if (!ok) {
    const { fields } = observe(response);
    throw new Error(
      `Cannot prepare on ${engine.name}: setup ${step.method} "${step.bucket ?? ""}/${
        step.key ?? ""
      }" answered ${fields.status} ${fields.code ?? ""}`.trimEnd(),
    );
  }
  const doc = parseXml(response);
  for (const [name, from] of Object.entries(step.capture ?? {})) {
    const value = from.startsWith("header:")
      ? response.headers[from.slice(7)]
      : doc
      ? xmlValues(doc, from).map(text)[0]
      : undefined;
    if (value === undefined) {
      throw new Error(`Cannot capture "${name}" from "${from}" on ${engine.name}: not in response`);
    }
    vars[name] = value;
  }
}

/**
 * Runs a case on one engine: its setup, then its request, observed.
 *
 * @param engine The engine.
 * @param testCase The case.
 * @param vars Variables (`run`, `b`); captures are added.
 * @returns The observation of the case's request.
 */
export async function runCase(engine: Engine, testCase: Case, vars: Vars): Promise<Observation> {
  for (const step of testCase.setup ?? []) await runSetup(engine, step, vars);
  const response = await perform(engine, testCase.request, vars);
  return observe(response, testCase.compare, vars);
}

/**
 * Lists the fields whose values differ between two observations.
 *
 * @param a The first observation.
 * @param b The second.
 * @returns One line per differing field: `field: a=… b=…`.
 */
export function differences(a: Observation, b: Observation): string[] {
  const names = new Set([...Object.keys(a.fields), ...Object.keys(b.fields)]);
  const out: string[] = [];
  for (const name of names) {
    if (a.fields[name] !== b.fields[name]) {
      out.push(`${name}: ${show(a.fields[name])} vs ${show(b.fields[name])}`);
    }
  }
  return out;
}

function show(value: string | undefined): string {
  if (value === undefined) return "(none)";
  const short = value.length > 80 ? `${value.slice(0, 77)}...` : value;
  return JSON.stringify(short);
}

/** A short `status code` summary of an observation, for the table. */
export function summary(observation: Observation | undefined): string {
  if (!observation) return "-";
  const { status, code } = observation.fields;
  return code ? `${status} ${code}` : `${status}`;
}

/** A key from a listing with `encoding-type=url` (keys with control characters survive XML so). */
function urlDecoded(value: unknown): string {
  return decodeURIComponent(text(value).replaceAll("+", "%20"));
}

/**
 * Deletes every bucket whose name starts with `prefix` (uploads, versions, delete markers and
 * objects first), as each demo user. Tolerates buckets already gone.
 *
 * @param engine The engine.
 * @param prefix The run's bucket prefix.
 */
export async function cleanup(engine: Engine, prefix: string): Promise<void> {
  for (const as of ["demo", "other"] as const) {
    const auth = { as };
    const list = parseXml(await perform(engine, { method: "GET", auth }, {}));
    const names = xmlValues(list, "ListAllMyBucketsResult.Buckets.Bucket.Name").map(text)
      .filter((name) => name.startsWith(prefix));
    for (const bucket of names) {
      // A grant header replaces the whole ACL, owner's grant included: give it back first.
      await perform(engine, {
        method: "PUT",
        bucket,
        query: { acl: "" },
        headers: { "x-amz-acl": "private" },
        auth,
      }, {});
      const uploads = parseXml(
        await perform(engine, { method: "GET", bucket, query: { uploads: "" }, auth }, {}),
      );
      for (const upload of xmlValues(uploads, "ListMultipartUploadsResult.Upload")) {
        const { Key, UploadId } = upload as { Key: string; UploadId: string };
        await perform(engine, {
          method: "DELETE",
          bucket,
          key: text(Key),
          query: { uploadId: String(UploadId) },
          auth,
        }, {});
      }
      // Every version and delete marker (an unversioned object is its null version).
      for (let page = 0; page < 100; page++) {
        const listing = parseXml(
          await perform(engine, {
            method: "GET",
            bucket,
            query: { versions: "", "encoding-type": "url" },
            auth,
          }, {}),
        );
        const entries = [
          ...xmlValues(listing, "ListVersionsResult.Version"),
          ...xmlValues(listing, "ListVersionsResult.DeleteMarker"),
        ] as { Key: string; VersionId: string }[];
        if (entries.length === 0) break;
        for (const { Key, VersionId } of entries) {
          await perform(engine, {
            method: "DELETE",
            bucket,
            key: urlDecoded(Key),
            query: { versionId: String(VersionId) },
            auth,
          }, {});
        }
      }
      for (let page = 0; page < 100; page++) {
        const listing = parseXml(
          await perform(engine, {
            method: "GET",
            bucket,
            query: { "list-type": "2", "encoding-type": "url" },
            auth,
          }, {}),
        );
        const keys = xmlValues(listing, "ListBucketResult.Contents.Key").map(urlDecoded);
        if (keys.length === 0) break;
        for (const key of keys) {
          await perform(engine, { method: "DELETE", bucket, key, auth }, {});
        }
      }
      await perform(engine, { method: "DELETE", bucket, auth }, {});
    }
  }
}
