/**
 * Conformance cases: The ACL matrix: owner, other user and anonymous × the four canned ACLs × bucket or object × operation.
 *
 * @module
 */

import type { AuthSpec, Case, Who } from "../runner.ts";
import { type Canned, CANNED_ACLS, DATA } from "./_common.ts";

// The ACL matrix: owner, other user, anonymous × the four canned ACLs × bucket/object × operation.

const WHO: Who[] = ["demo", "other", "anonymous"];

/** Who may read (objects) or list (buckets) under a canned ACL, as S3 defines it. */
function canRead(acl: Canned, who: Who): boolean {
  if (who === "demo") return true;
  if (acl === "public-read" || acl === "public-read-write") return true;
  return acl === "authenticated-read" && who === "other";
}

function canWriteBucket(acl: Canned, who: Who): boolean {
  return who === "demo" || acl === "public-read-write";
}

function denied(status = 403): Case["expect"] {
  return { status, code: status === 403 ? "AccessDenied" : undefined };
}

/** "a private bucket", "an authenticated-read object". */
function an(acl: Canned, thing: string): string {
  return `${acl.startsWith("a") ? "an" : "a"} ${acl} ${thing}`;
}

export const MATRIX: Case[] = CANNED_ACLS.flatMap((acl) =>
  WHO.flatMap((who): Case[] => {
    const auth: AuthSpec = { as: who };
    const b = `{run}-${acl}`;
    return [
      {
        name: `HeadBucket by ${who} on ${an(acl, "bucket")}`,
        request: { method: "HEAD", bucket: b, auth },
        expect: canRead(acl, who) ? { status: 200 } : { status: 403 },
      },
      {
        name: `ListObjects by ${who} on ${an(acl, "bucket")}`,
        request: { method: "GET", bucket: b, query: { "list-type": "2" }, auth },
        expect: canRead(acl, who) ? { status: 200 } : denied(),
        compare: canRead(acl, who) ? ["xml:ListBucketResult.Contents.Key"] : [],
      },
      {
        name: `PutObject by ${who} into ${an(acl, "bucket")}`,
        request: { method: "PUT", bucket: b, key: `written-by-${who}.txt`, body: "x", auth },
        expect: canWriteBucket(acl, who) ? { status: 200 } : denied(),
      },
      {
        name: `GetBucketAcl by ${who} on ${an(acl, "bucket")}`,
        request: { method: "GET", bucket: b, query: { acl: "" }, auth },
        expect: who === "demo" ? { status: 200 } : denied(),
        compare: who === "demo" ? ["grants"] : [],
      },
    ];
  })
).concat(CANNED_ACLS.flatMap((acl) =>
  WHO.flatMap((who): Case[] => {
    const auth: AuthSpec = { as: who };
    const key = `acl/${acl}.txt`;
    return [
      {
        name: `GetObject by ${who} on ${an(acl, "object")}`,
        request: { method: "GET", bucket: DATA, key, auth },
        expect: canRead(acl, who) ? { status: 200 } : denied(),
        compare: canRead(acl, who) ? ["body", "header:etag"] : [],
      },
      {
        name: `GetObjectAcl by ${who} on ${an(acl, "object")}`,
        request: { method: "GET", bucket: DATA, key, query: { acl: "" }, auth },
        expect: who === "demo" ? { status: 200 } : denied(),
        compare: who === "demo" ? ["grants"] : [],
      },
      {
        name: `PutObjectAcl by ${who} on ${an(acl, "object")}`,
        request: {
          method: "PUT",
          bucket: DATA,
          key,
          query: { acl: "" },
          headers: { "x-amz-acl": acl },
          auth,
        },
        expect: who === "demo" ? { status: 200 } : denied(),
      },
    ];
  })
));
