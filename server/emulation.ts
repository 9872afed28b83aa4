/**
 * What the embedded server behaves like, as data the handlers consult: Ceph RGW (the default,
 * the seed's story) or DreamObjects US-East 5 (Backblaze B2's S3-compatible API), an offline
 * stand-in for the cluster DreamObjects users have today.
 *
 * The US-East 5 profile follows the documented rules (see README "DreamObjects today"); where
 * Backblaze's documentation names no error code, the nearest S3 code is used and listed in the
 * README's table of assumed codes. The cluster facts (region, naming rules) come from the shared
 * core (`core/clusters.ts`), so the client and the server cannot disagree about them.
 *
 * @module
 */

import { type BucketNameRules, US_EAST_1, US_EAST_5 } from "../core/clusters.ts";

/** The behaviours `--emulate` accepts. */
export type EmulationName = "rgw" | "us-east-5";

/** How the server behaves, read by authentication and the handlers. */
export interface EmulationProfile {
  /** The name `--emulate` takes. */
  name: EmulationName;
  /** What it stands in for, for people. */
  describes: string;
  /** Region reported by GetBucketLocation unless the server is given one. */
  region: string;
  /** Whether Signature V2 (header or query) is accepted; when false it is `400 InvalidRequest`. */
  signatureV2: boolean;
  /**
   * Whether objects have ACLs of their own. When false, objects inherit their bucket's
   * permission: GetObjectAcl returns the bucket's ACL, and an object ACL other than the
   * bucket's (PutObjectAcl, or `x-amz-acl` on an upload) is `400 AccessControlListNotSupported`.
   */
  objectAcls: boolean;
  /**
   * Canned ACLs a bucket may be given (CreateBucket, PutBucketAcl), or `"any"` for every ACL
   * S3 knows (canned, grant headers, XML bodies).
   */
  bucketAcls: readonly string[] | "any";
  /** Whether an anonymous request may list a bucket whose ACL lets everyone read. */
  anonymousListing: boolean;
  /** Bucket naming rules; a name that breaks one is `400 InvalidBucketName`. */
  bucketNames: BucketNameRules;
  /**
   * Buckets are versioned from creation, so a DeleteObject without a version id leaves a delete
   * marker over the kept version, and a bucket can be deleted only when no version is left — as
   * on US-East 5 (the default of `ServerOptions.versioningOnCreate`).
   */
  versioningFromCreation: boolean;
  /**
   * `LocationConstraint` values CreateBucket accepts besides none (and besides a region the
   * server is given): Ceph RGW takes its zone group's name, `default`, and refuses `us-east-1`.
   */
  locationConstraints: readonly string[];
  /**
   * Whether POST Object (browser form uploads) is served; when false it is `501 NotImplemented`
   * (US-East 5: assumed from user reports, listed in the README's "assumed, not measured" table).
   */
  postObject: boolean;
}

/** Ceph RGW, as the embedded server has always behaved. */
export const RGW_PROFILE: EmulationProfile = {
  name: "rgw",
  describes: "Ceph RGW",
  region: "us-east-1",
  signatureV2: true,
  objectAcls: true,
  bucketAcls: "any",
  anonymousListing: true,
  bucketNames: { ...US_EAST_1.bucketNames, where: "Ceph RGW" },
  versioningFromCreation: false,
  locationConstraints: ["default"],
  postObject: true,
};

/** DreamObjects US-East 5: Backblaze B2's S3-compatible API, by its documented rules. */
export const US_EAST_5_PROFILE: EmulationProfile = {
  name: "us-east-5",
  describes: US_EAST_5.name,
  region: US_EAST_5.region,
  signatureV2: false,
  objectAcls: false,
  bucketAcls: US_EAST_5.bucketCannedAcls,
  anonymousListing: false,
  bucketNames: US_EAST_5.bucketNames,
  // Documented: "deletes keep versions" (Backblaze: hide markers; b2_delete_bucket needs none left).
  versioningFromCreation: true,
  locationConstraints: [US_EAST_5.region],
  // Reported by Backblaze B2 users (presigned POST answered 501); not in its documentation.
  postObject: false,
};

/** The profiles, by name. */
export const EMULATION_PROFILES: Readonly<Record<EmulationName, EmulationProfile>> = {
  "rgw": RGW_PROFILE,
  "us-east-5": US_EAST_5_PROFILE,
};

/**
 * The profile for a name, checked.
 *
 * @param name `rgw` or `us-east-5`. @default "rgw"
 * @returns The profile.
 * @throws {TypeError} For an unknown name.
 *
 * @example Usage
 * ```ts
 * import { emulationProfile } from "./emulation.ts";
 *
 * console.log(emulationProfile("us-east-5").region); // us-east-005
 * ```
 */
export function emulationProfile(name: string = "rgw"): EmulationProfile {
  if (!Object.hasOwn(EMULATION_PROFILES, name)) {
    throw new TypeError(
      `Cannot emulate "${name}": use ${
        Object.keys(EMULATION_PROFILES).map((n) => `"${n}"`).join(" or ")
      }`,
    );
  }
  return EMULATION_PROFILES[name as EmulationName];
}

/**
 * The message Backblaze B2's S3-compatible API answers a Signature V2 request with (reported by
 * its users, e.g. nfrastack/db-backup#57), with `400 InvalidRequest`.
 */
export const V2_REFUSED =
  "The V2 signature authorization mechanism you have provided is not supported. Please use " +
  "AWS4-HMAC-SHA256";
