/**
 * What each S3 service this project targets is like, in one place: DreamObjects' two clusters
 * (US-East 1 on Ceph RGW, US-East 5 on Backblaze B2's S3-compatible API) and the Ceph RGW story
 * the embedded server tells by default. The lib, the embedded server, the tour and the error messages read these facts
 * instead of testing host names. A leaf module: it imports nothing.
 *
 * Sources (see README "DreamObjects today"): DreamHost's "DreamObjects Bucket Names" article
 * (help center 115001494772), Backblaze's "S3 Compatible API" and "Buckets" documentation. The
 * seed's host, `objects-us-west-1.dream.io`, is no longer served and appears here only in prose.
 *
 * @module
 */

/** A DreamObjects cluster a connection can pick. */
export type ClusterId = "us-east-1" | "us-east-5";

/** The DreamObjects cluster names `--cluster` accepts. */
export const CLUSTER_IDS: readonly ClusterId[] = ["us-east-1", "us-east-5"];

/** The cluster `--dreamobjects` means when no `--cluster` is given: the current one. */
export const DEFAULT_CLUSTER: ClusterId = "us-east-5";

/** Rules a bucket name must follow on one service. */
export interface BucketNameRules {
  /** Whose rules, for messages, e.g. `DreamObjects US-East 5`. */
  where: string;
  /** Fewest characters. */
  minLength: number;
  /** Most characters. */
  maxLength: number;
  /** Whether `.` may appear. */
  dots: boolean;
  /** Whether `.` and `-` may stand next to each other (`.-`, `-.`). */
  dotNextToHyphen: boolean;
  /** Prefixes reserved by the service, e.g. `b2-`. */
  reservedPrefixes: readonly string[];
  /** Suffixes reserved by the service, e.g. `-s3alias`. */
  reservedSuffixes: readonly string[];
}

/** What a service is like: where it is, how it signs, what its buckets and objects allow. */
export interface ClusterFacts {
  /** Short id: `us-east-1`, `us-east-5`, or `rgw` for Ceph RGW and generic S3 endpoints. */
  id: ClusterId | "rgw";
  /** Name for people, e.g. `DreamObjects US-East 5`. */
  name: string;
  /** What runs it, e.g. `Backblaze B2's S3-compatible API`. */
  runs: string;
  /** Its S3 endpoint, when it has a fixed one. */
  endpoint?: string;
  /** Signing region (`us-east-005` on US-East 5). */
  region: string;
  /**
   * How a DreamObjects connection addresses buckets unless told: `path` (`host/bucket/key`) or
   * `virtual` (`bucket.host/key`).
   */
  addressing: "path" | "virtual";
  /** Signature versions it accepts. */
  signatures: readonly ("v2" | "v4")[];
  /** Whether each object has an ACL of its own; when false, objects inherit their bucket's. */
  objectAcls: boolean;
  /** Canned ACLs a bucket may be given. */
  bucketCannedAcls: readonly string[];
  /** Whether an anonymous request may list a public bucket. */
  anonymousListing: boolean;
  /**
   * Whether deleting a key without a version id leaves the data behind (a delete marker over
   * the kept version), so a bucket can only be deleted once every version is removed.
   */
  deletesKeepVersions: boolean;
  /** Bucket naming rules. */
  bucketNames: BucketNameRules;
  /** The other DreamObjects cluster, whose keys do not work here (DreamObjects only). */
  otherCluster?: ClusterId;
}

/** S3's general bucket naming rules, as Ceph RGW and AWS apply them. */
export const S3_BUCKET_NAMES: BucketNameRules = {
  where: "S3",
  minLength: 3,
  maxLength: 63,
  dots: true,
  dotNextToHyphen: true,
  reservedPrefixes: ["xn--"],
  reservedSuffixes: ["-s3alias"],
};

/**
 * DreamObjects US-East 1: Ceph RGW, like the seed's cluster. Names: 3–63 characters, lower-case
 * letters, digits, `.` and `-`, no `.` next to `-`, not an IP address (DreamHost's article).
 */
export const US_EAST_1: ClusterFacts = {
  id: "us-east-1",
  name: "DreamObjects US-East 1",
  runs: "Ceph RGW",
  endpoint: "https://objects-us-east-1.dream.io",
  region: "us-east-1",
  // DreamHost's S3 API article prefers the bucket in the path on this cluster.
  addressing: "path",
  signatures: ["v2", "v4"],
  objectAcls: true,
  bucketCannedAcls: ["private", "public-read", "public-read-write", "authenticated-read"],
  anonymousListing: true,
  deletesKeepVersions: false,
  bucketNames: {
    where: "DreamObjects US-East 1",
    minLength: 3,
    maxLength: 63,
    dots: true,
    dotNextToHyphen: false,
    reservedPrefixes: [],
    reservedSuffixes: [],
  },
  otherCluster: "us-east-5",
};

/**
 * DreamObjects US-East 5: Backblaze B2's S3-compatible API. Signature V4 only; no per-object
 * ACLs (objects inherit their bucket's permission); buckets `private` or `public-read`; no
 * anonymous listing; deleting a key leaves a delete marker over the kept version.
 *
 * Names: 6–63 characters, `a-z`, digits and `-`, no `.`, not starting with `b2-`. DreamHost's
 * article says "(a-z) and (-)"; Backblaze, which runs the cluster, allows digits too (its own
 * example is `bucket-74358734`), so digits are allowed here.
 */
export const US_EAST_5: ClusterFacts = {
  id: "us-east-5",
  name: "DreamObjects US-East 5",
  runs: "Backblaze B2's S3-compatible API",
  endpoint: "https://s3.us-east-005.dream.io",
  region: "us-east-005",
  // DreamHost's bucket-names article gives US-East 5 URLs as https://BUCKET.s3.us-east-005.dream.io.
  addressing: "virtual",
  signatures: ["v4"],
  objectAcls: false,
  bucketCannedAcls: ["private", "public-read"],
  anonymousListing: false,
  deletesKeepVersions: true,
  bucketNames: {
    where: "DreamObjects US-East 5",
    minLength: 6,
    maxLength: 63,
    dots: false,
    dotNextToHyphen: false,
    reservedPrefixes: ["b2-"],
    reservedSuffixes: [],
  },
  otherCluster: "us-east-1",
};

/**
 * Ceph RGW and any S3-compatible endpoint not named as a DreamObjects cluster: the seed's story,
 * and what the embedded server does by default.
 */
export const RGW: ClusterFacts = {
  id: "rgw",
  name: "Ceph RGW",
  runs: "Ceph RGW or another S3-compatible service",
  region: "us-east-1",
  addressing: "path",
  signatures: ["v2", "v4"],
  objectAcls: true,
  bucketCannedAcls: ["private", "public-read", "public-read-write", "authenticated-read"],
  anonymousListing: true,
  deletesKeepVersions: false,
  bucketNames: S3_BUCKET_NAMES,
};

/** The DreamObjects clusters, by id. */
export const CLUSTERS: Readonly<Record<ClusterId, ClusterFacts>> = {
  "us-east-1": US_EAST_1,
  "us-east-5": US_EAST_5,
};

/**
 * Tells whether a string names a DreamObjects cluster.
 *
 * @param id The name, e.g. from `--cluster`.
 * @returns True for `us-east-1` and `us-east-5`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { isClusterId } from "./clusters.ts";
 *
 * assert.equal(isClusterId("us-east-5"), true);
 * assert.equal(isClusterId("us-west-1"), false); // the seed's cluster, retired
 * ```
 */
export function isClusterId(id: string): id is ClusterId {
  return (CLUSTER_IDS as readonly string[]).includes(id);
}

/**
 * Tells which rule a bucket name breaks, if any.
 *
 * @param name The proposed name.
 * @param rules The rules to follow. @default S3_BUCKET_NAMES
 * @returns Why the name is refused, in words that say what to do, or `undefined` when valid.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { bucketNameProblem, US_EAST_5 } from "./clusters.ts";
 *
 * assert.equal(bucketNameProblem("my.photos"), undefined);
 * assert.equal(
 *   bucketNameProblem("my.photos", US_EAST_5.bucketNames),
 *   'a name must not contain "." on DreamObjects US-East 5; use "-" instead',
 * );
 * ```
 */
export function bucketNameProblem(
  name: string,
  rules: BucketNameRules = S3_BUCKET_NAMES,
): string | undefined {
  const { where, minLength, maxLength } = rules;
  // S3's own rules need no name; a cluster's say whose rule it is.
  const on = rules === S3_BUCKET_NAMES ? "" : ` on ${where}`;
  if (name.length < minLength || name.length > maxLength) {
    return `a name must be ${minLength} to ${maxLength} characters${on}, got ${name.length}`;
  }
  const bad = name.match(rules.dots ? /[^a-z0-9.-]/ : /[^a-z0-9-]/);
  if (bad?.[0] === ".") return `a name must not contain "."${on}; use "-" instead`;
  if (bad) {
    const list = rules.dots
      ? 'lower-case letters, digits, "-" and "."'
      : 'lower-case letters, digits and "-"';
    return `only ${list} are allowed${on}, got "${bad[0]}"` +
      (/[A-Z]/.test(bad[0]) ? "; use lower case" : "");
  }
  if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name)) {
    return "a name must start and end with a letter or digit";
  }
  if (name.includes("..")) return 'a name must not contain ".."';
  if (!rules.dotNextToHyphen && /\.-|-\./.test(name)) {
    return `a name must not have "." next to "-"${on}; put a letter or digit between them`;
  }
  if (rules.dots && /^\d+\.\d+\.\d+\.\d+$/.test(name)) {
    return "a name must not look like an IP address";
  }
  const prefix = rules.reservedPrefixes.find((p) => name.startsWith(p));
  if (prefix) return `a name must not start with "${prefix}"${on} (reserved); choose another start`;
  const suffix = rules.reservedSuffixes.find((s) => name.endsWith(s));
  if (suffix) return `a name must not end with "${suffix}"${on} (reserved); choose another end`;
  return undefined;
}
