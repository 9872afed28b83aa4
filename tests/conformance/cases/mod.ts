/**
 * The conformance table: every case, by area, in the order they run. Each case names its setup,
 * its request and the fields compared; `expect` records what Ceph RGW answers (checked on RGW on
 * every run). See `_common.ts` for the variables in strings and the shared fixture.
 *
 * @module
 */

import type { Case } from "../runner.ts";
import { MATRIX } from "./acl_matrix.ts";
import { ACL_DETAILS } from "./acl.ts";
import { VHOST } from "./addressing.ts";
import { PRESIGNED, SIGNATURES, UNSIGNED_HEADERS } from "./auth.ts";
import { LISTING } from "./listing.ts";
import { MULTIPART } from "./multipart.ts";
import { MORE_OBJECTS, OBJECTS, RANGES } from "./objects.ts";
import { CONDITIONAL_WRITES } from "./conditional_writes.ts";
import { CHECKSUMS } from "./checksums.ts";
import { RETRIES } from "./retries.ts";
import { OPERATIONS } from "./operations.ts";
import { TAGGING } from "./tagging.ts";
import { ACL_CORNERS } from "./acl_corners.ts";
import { LISTING_CORNERS } from "./listing_corners.ts";
import { BUCKETS, SERVICE } from "./service_buckets.ts";
import { UNSUPPORTED } from "./unsupported.ts";
import { VERSIONING } from "./versioning.ts";
import { EXPECT_CONTINUE } from "./expect_continue.ts";
import { CORS } from "./cors.ts";
import { POST_OBJECT } from "./post_object.ts";

export { DATA_BODY, FIXTURE, newRunPrefix, RUN_LENGTH } from "./_common.ts";

/** Every case, in the order they run. */
export const CASES: readonly Case[] = [
  ...SERVICE,
  ...BUCKETS,
  ...LISTING,
  ...OBJECTS,
  ...MORE_OBJECTS,
  ...RANGES,
  ...MULTIPART,
  ...ACL_DETAILS,
  ...PRESIGNED,
  ...SIGNATURES,
  ...UNSIGNED_HEADERS,
  ...VHOST,
  ...MATRIX,
  ...VERSIONING,
  ...CONDITIONAL_WRITES,
  ...CHECKSUMS,
  ...RETRIES,
  ...OPERATIONS,
  ...TAGGING,
  ...ACL_CORNERS,
  ...LISTING_CORNERS,
  ...EXPECT_CONTINUE,
  ...CORS,
  ...POST_OBJECT,
  ...UNSUPPORTED,
];
