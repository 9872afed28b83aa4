/**
 * What the embedded server behaves like, as data the handlers consult: Ceph RGW (the default,
 * the seed's story) or DreamObjects US-East 5 (Backblaze B2's S3-compatible API), an offline
 * stand-in for the cluster DreamObjects users have today.
 *
 * The US-East 5 profile follows the documented rules (see docs/dreamobjects.md); where
 * Backblaze's documentation names no error code, the nearest S3 code is used and listed in the
 * the table of assumed codes in docs/dreamobjects.md. The cluster facts (region, naming rules) come from the shared
 * core (`core/clusters.ts`), so the client and the server cannot disagree about them.
 *
 * @module
 */

import { S3Error } from "./errors.ts";
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
  /**
   * Whether object tags are taken. When false, `x-amz-tagging` on an upload, PutObjectTagging
   * and DeleteObjectTagging are `400 InvalidArgument` in {@linkcode TAGGING_REFUSED}'s words.
   */
  objectTagging: boolean;
  /**
   * Subresources the service answers `501 NotImplemented` in its own words (`lifecycle`,
   * `policy`), by subresource.
   */
  refusedSubresources: Readonly<Record<string, string>>;
  /**
   * Whether `x-amz-server-side-encryption: AES256` is taken, kept and echoed (SSE-B2); other
   * values are `400 InvalidArgument`. When false the header is ignored, as RGW 16 without a key
   * service stores the object unencrypted.
   */
  serverSideEncryption: boolean;
  /**
   * Whether Object Lock headers (`x-amz-object-lock-*`, `x-amz-bucket-object-lock-enabled`) are
   * refused with `501 NotImplemented` instead of ignored: the service has Object Lock, the
   * embedded server does not, and an upload must not look locked when it is not.
   */
  refuseObjectLock: boolean;
}

/**
 * Backblaze B2's answer to object tagging on its S3 API (reported by its users, e.g. rclone and
 * restic threads), with `400 InvalidArgument`.
 */
export const TAGGING_REFUSED = "Unsupported header 'x-amz-tagging' received for this API call.";

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
  objectTagging: true,
  refusedSubresources: {},
  serverSideEncryption: false,
  refuseObjectLock: false,
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
  // Reported: tagging refused (DREAMOBJECTS.md); lifecycle and policy in B2's own words
  // (appleboy/docker-backup-database#14, minio/minio#12552); SSE-B2 documented by Backblaze.
  objectTagging: false,
  refusedSubresources: {
    lifecycle: "This API call is not supported.",
    policy: "Backblaze B2 does not support this API call",
  },
  serverSideEncryption: true,
  refuseObjectLock: true,
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
 * import assert from "node:assert/strict";
 * import { emulationProfile } from "./emulation.ts";
 *
 * assert.equal(emulationProfile("us-east-5").region, "us-east-005");
 * assert.equal(emulationProfile("rgw").region, "us-east-1");
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

/** Operations that can carry `x-amz-tagging` (tags for the object they make). */
const TAGGING_UPLOADS: ReadonlySet<string> = new Set(["PutObject", "CreateMultipartUpload"]);

/** Operations that set object tags directly. */
const TAGGING_WRITES: ReadonlySet<string> = new Set(["PutObjectTagging", "DeleteObjectTagging"]);

/**
 * What the emulated service refuses that the embedded server would otherwise do, decided from
 * the request's head before its body is read: object tagging and server-side encryption it does
 * not offer.
 *
 * @param profile The emulation.
 * @param operation The S3 operation (routing table name).
 * @param headers The request headers.
 * @returns The error to answer, or `undefined` when the request goes on.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { emulationRefusal, US_EAST_5_PROFILE } from "./emulation.ts";
 * const refusal = emulationRefusal(US_EAST_5_PROFILE, "PutObject", new Headers({ "x-amz-tagging": "a=1" }));
 * assert.equal(refusal?.code, "InvalidArgument");
 * ```
 */
export function emulationRefusal(
  profile: EmulationProfile,
  operation: string,
  headers: Headers,
): S3Error | undefined {
  if (!profile.objectTagging) {
    const tagged = TAGGING_UPLOADS.has(operation) && headers.has("x-amz-tagging");
    if (tagged || TAGGING_WRITES.has(operation)) {
      return new S3Error("InvalidArgument", TAGGING_REFUSED);
    }
  }
  if (profile.refuseObjectLock) {
    const lock = [...headers.keys()].find((name) =>
      name.startsWith("x-amz-object-lock-") || name === "x-amz-bucket-object-lock-enabled"
    );
    if (lock !== undefined) {
      return new S3Error(
        "NotImplemented",
        `Cannot honour "${lock}": ${profile.describes} has Object Lock, but the embedded server ` +
          "does not emulate it; try it on the service itself",
      );
    }
  }
  if (profile.serverSideEncryption) {
    const sse = headers.get("x-amz-server-side-encryption");
    if (sse !== null && sse.trim() !== "AES256") {
      return new S3Error(
        "InvalidArgument",
        `Cannot use server-side encryption "${sse}" on ${profile.describes}: use AES256 (SSE-B2)`,
        { extra: { ArgumentName: "x-amz-server-side-encryption", ArgumentValue: sse } },
      );
    }
    if (headers.has("x-amz-server-side-encryption-customer-algorithm")) {
      // S3's answer to SSE-C over plain HTTP; the embedded server speaks only HTTP.
      return new S3Error(
        "InvalidRequest",
        "Requests specifying Server Side Encryption with Customer provided keys must be made " +
          "over a secure connection.",
      );
    }
  }
  return undefined;
}

/**
 * The service's own answer to a subresource it does not have (`?lifecycle`, `?policy` on
 * US-East 5), checked before routing, whatever the method.
 *
 * @param profile The emulation.
 * @param query The query parameters of a bucket or object request.
 * @returns `501 NotImplemented` in the service's words, or `undefined`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { subresourceRefusal, US_EAST_5_PROFILE } from "./emulation.ts";
 * assert.equal(subresourceRefusal(US_EAST_5_PROFILE, new URLSearchParams("policy"))?.status, 501);
 * ```
 */
export function subresourceRefusal(
  profile: EmulationProfile,
  query: URLSearchParams,
): S3Error | undefined {
  for (const [sub, message] of Object.entries(profile.refusedSubresources)) {
    if (query.has(sub)) return new S3Error("NotImplemented", message);
  }
  return undefined;
}
