/**
 * Access control lists: canned ACLs (`x-amz-acl`), `x-amz-grant-*` headers and
 * `AccessControlPolicy` XML in; grants XML out; and the check that decides whether a principal
 * may do something to a bucket or object.
 *
 * @module
 */

import { S3Error } from "./errors.ts";
import type { Principal, ServerUser } from "./types.ts";
import type { Acl, Grant, Grantee, Permission } from "./storage/types.ts";
import { asArray, parseXml, xmlDocument, type XmlElement } from "./xml.ts";

/** The group of everyone, signed or not. */
export const ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers";
/** The group of every signed-in user. */
export const AUTHENTICATED_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";

const XSI = "http://www.w3.org/2001/XMLSchema-instance";
const PERMISSIONS: readonly Permission[] = [
  "FULL_CONTROL",
  "READ",
  "WRITE",
  "READ_ACP",
  "WRITE_ACP",
];

/**
 * Expands a canned ACL into grants.
 *
 * @param name The canned ACL, e.g. `public-read`.
 * @param owner Canonical id of the new owner.
 * @param bucketOwner Canonical id of the bucket's owner (for `bucket-owner-*` on objects).
 * @returns The ACL.
 * @throws {S3Error} `InvalidArgument` for an unknown name.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { cannedAcl } from "./acl.ts";
 *
 * const acl = cannedAcl("public-read", "demo");
 * assert.equal(acl.owner, "demo");
 * assert.deepEqual(acl.grants.map((g) => g.permission), ["READ", "FULL_CONTROL"]);
 * ```
 */
export function cannedAcl(name: string, owner: string, bucketOwner = owner): Acl {
  // RGW lists the group grants of a canned ACL before the owner's FULL_CONTROL.
  const grants: Grant[] = [];
  const group = (uri: string, permission: Permission) =>
    grants.push({ grantee: { type: "Group", uri }, permission });
  switch (name) {
    case "private":
      break;
    case "public-read":
      group(ALL_USERS, "READ");
      break;
    case "public-read-write":
      group(ALL_USERS, "READ");
      group(ALL_USERS, "WRITE");
      break;
    case "authenticated-read":
      group(AUTHENTICATED_USERS, "READ");
      break;
    case "bucket-owner-read":
    case "bucket-owner-full-control":
      if (bucketOwner !== owner) {
        grants.push({
          grantee: { type: "CanonicalUser", id: bucketOwner },
          permission: name === "bucket-owner-read" ? "READ" : "FULL_CONTROL",
        });
      }
      break;
    default:
      throw new S3Error("InvalidArgument", `Cannot apply canned ACL "${name}": unknown name`, {
        extra: { ArgumentName: "x-amz-acl", ArgumentValue: name },
      });
  }
  grants.push({ grantee: { type: "CanonicalUser", id: owner }, permission: "FULL_CONTROL" });
  return { owner, grants };
}

const GRANT_HEADERS: Record<string, Permission> = {
  "x-amz-grant-read": "READ",
  "x-amz-grant-write": "WRITE",
  "x-amz-grant-read-acp": "READ_ACP",
  "x-amz-grant-write-acp": "WRITE_ACP",
  "x-amz-grant-full-control": "FULL_CONTROL",
};

function grantee(kind: string, value: string, users: readonly ServerUser[]): Grantee {
  if (kind === "id") {
    if (!users.some((u) => u.id === value)) {
      throw new S3Error("InvalidArgument", `Cannot grant to user "${value}": no such user`);
    }
    return { type: "CanonicalUser", id: value };
  }
  if (kind === "uri") {
    if (value !== ALL_USERS && value !== AUTHENTICATED_USERS) {
      throw new S3Error("InvalidArgument", `Cannot grant to group "${value}": unknown group`);
    }
    return { type: "Group", uri: value };
  }
  if (kind === "emailaddress") return { type: "CanonicalUser", id: userByEmail(value, users) };
  throw new S3Error(
    "InvalidArgument",
    `Cannot grant to "${kind}=${value}": use id=, uri= or emailAddress=`,
  );
}

/**
 * The id of the user with an e-mail address (compared without case), as a grant by e-mail names
 * that user.
 *
 * @param email The address.
 * @param users Known users.
 * @returns The user's canonical id.
 * @throws {S3Error} `UnresolvableGrantByEmailAddress` when no user has it.
 */
export function userByEmail(email: string, users: readonly ServerUser[]): string {
  const user = users.find((u) => u.email?.toLowerCase() === email.trim().toLowerCase());
  if (!user) {
    throw new S3Error(
      "UnresolvableGrantByEmailAddress",
      `Cannot grant to "${email}": no user has that e-mail address`,
    );
  }
  return user.id;
}

/** Most grants an ACL may hold: RGW 16's `rgw_acl_grants_max_num` and AWS's documented limit. */
export const MAX_GRANTS = 100;

/** Refuses a grant list longer than {@linkcode MAX_GRANTS}, in RGW 16's words. */
function checkGrantCount(count: number): void {
  if (count <= MAX_GRANTS) return;
  throw new S3Error(
    "LimitExceeded",
    "The request is rejected, because the acl grants number you requested is larger than the " +
      `maximum ${MAX_GRANTS} grants allowed in an acl.`,
  );
}

/**
 * Reads the ACL a request asks for: `x-amz-acl`, else `x-amz-grant-*` headers, else `private`.
 *
 * @param headers The request headers.
 * @param owner Canonical id of the new owner.
 * @param users Known users (grants must name one).
 * @param bucketOwner The bucket's owner, for `bucket-owner-*` canned ACLs.
 * @returns The ACL, or `undefined` when the request names none.
 */
export function aclFromHeaders(
  headers: Headers,
  owner: string,
  users: readonly ServerUser[],
  bucketOwner = owner,
): Acl | undefined {
  const canned = headers.get("x-amz-acl");
  const grantHeaders = Object.keys(GRANT_HEADERS).filter((h) => headers.has(h));
  if (canned !== null && grantHeaders.length > 0) {
    throw new S3Error(
      "InvalidRequest",
      "Cannot combine x-amz-acl with x-amz-grant-* headers: use one or the other",
    );
  }
  if (canned !== null) return cannedAcl(canned.trim(), owner, bucketOwner);
  if (grantHeaders.length === 0) return undefined;
  const grants: Grant[] = [];
  for (const header of grantHeaders) {
    for (const match of headers.get(header)!.matchAll(/([A-Za-z]+)\s*=\s*"?([^",]*)"?/g)) {
      checkGrantCount(grants.length + 1);
      grants.push({
        grantee: grantee(match[1].toLowerCase(), match[2].trim(), users),
        permission: GRANT_HEADERS[header],
      });
    }
  }
  return { owner, grants };
}

/**
 * Reads an `AccessControlPolicy` XML document.
 *
 * @param text The XML.
 * @param owner The resource's current owner: the document may not change it.
 * @param users Known users.
 * @returns The ACL.
 * @throws {S3Error} `MalformedACLError` when the document is not a valid policy.
 */
export function aclFromXml(text: string, owner: string, users: readonly ServerUser[]): Acl {
  const tree = parseXml(text, "MalformedACLError");
  const policy = tree.AccessControlPolicy as XmlTree | undefined;
  if (!policy || typeof policy !== "object") throw new S3Error("MalformedACLError");
  const ownerId = (policy.Owner as XmlTree | undefined)?.ID;
  if (ownerId !== undefined && ownerId !== owner) {
    throw new S3Error("AccessDenied", `Cannot change the owner to "${ownerId}"`);
  }
  const list = policy.AccessControlList as XmlTree | "" | undefined;
  const grants: Grant[] = [];
  const items = asArray((list || {}).Grant as XmlTree | XmlTree[] | undefined);
  checkGrantCount(items.length);
  for (const item of items) {
    const who = item.Grantee as XmlTree | undefined;
    const permission = item.Permission as Permission;
    if (!who || !PERMISSIONS.includes(permission)) throw new S3Error("MalformedACLError");
    const type = who["@type"];
    if (type === "CanonicalUser" && typeof who.ID === "string") {
      grants.push({ grantee: grantee("id", who.ID, users), permission });
    } else if (type === "Group" && typeof who.URI === "string") {
      grants.push({ grantee: grantee("uri", who.URI, users), permission });
    } else if (type === "AmazonCustomerByEmail" && typeof who.EmailAddress === "string") {
      grants.push({
        grantee: { type: "CanonicalUser", id: userByEmail(who.EmailAddress, users) },
        permission,
      });
    } else {
      throw new S3Error("MalformedACLError");
    }
  }
  return { owner, grants };
}

type XmlTree = Record<string, unknown>;

/**
 * Serialises an ACL as S3's `AccessControlPolicy` document, as RGW sends it.
 *
 * @param acl The ACL.
 * @param users Known users, for display names.
 * @returns The XML text.
 */
export function aclXml(acl: Acl, users: readonly ServerUser[]): string {
  const displayName = (id: string) => users.find((u) => u.id === id)?.displayName ?? id;
  // RGW keeps grants in a map keyed by user id, group grants under an empty key: groups come
  // first (in the order given), then users by id.
  const key = (g: Grant) => g.grantee.type === "Group" ? "" : g.grantee.id;
  const sorted = [...acl.grants].sort((a, b) => key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
  const grants: XmlElement[] = sorted.map((g) => ({
    Grantee: g.grantee.type === "CanonicalUser"
      ? {
        "@": { "xmlns:xsi": XSI, "xsi:type": "CanonicalUser" },
        ID: g.grantee.id,
        DisplayName: displayName(g.grantee.id),
      }
      : { "@": { "xmlns:xsi": XSI, "xsi:type": "Group" }, URI: g.grantee.uri },
    Permission: g.permission,
  }));
  return xmlDocument("AccessControlPolicy", {
    Owner: { ID: acl.owner, DisplayName: displayName(acl.owner) },
    AccessControlList: { Grant: grants },
  });
}

/**
 * Tells whether a principal holds a permission under an ACL: a grant of the permission or of
 * `FULL_CONTROL`, to them or to a group they belong to. As in S3 and RGW, the owner may always
 * read and write the ACL itself, but reads and writes data only through grants (an owner who
 * replaces their own `FULL_CONTROL` grant loses it).
 *
 * @param acl The ACL.
 * @param principal Who asks.
 * @param permission What they want to do.
 * @returns True when allowed.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { allows, cannedAcl } from "./acl.ts";
 *
 * assert.equal(allows(cannedAcl("public-read", "demo"), { kind: "anonymous" }, "READ"), true);
 * assert.equal(allows(cannedAcl("public-read", "demo"), { kind: "anonymous" }, "WRITE"), false);
 * assert.equal(allows(cannedAcl("private", "demo"), { kind: "anonymous" }, "READ"), false);
 * ```
 */
export function allows(acl: Acl, principal: Principal, permission: Permission): boolean {
  const id = principal.kind === "user" ? principal.user.id : undefined;
  const acp = permission === "READ_ACP" || permission === "WRITE_ACP";
  if (acp && id !== undefined && id === acl.owner) return true;
  return acl.grants.some((g) => {
    if (g.permission !== permission && g.permission !== "FULL_CONTROL") return false;
    if (g.grantee.type === "CanonicalUser") return g.grantee.id === id;
    if (g.grantee.uri === ALL_USERS) return true;
    return g.grantee.uri === AUTHENTICATED_USERS && id !== undefined;
  });
}

/**
 * Throws `AccessDenied` unless a principal holds a permission.
 *
 * @param acl The ACL.
 * @param principal Who asks.
 * @param permission What they want to do.
 * @throws {S3Error} `AccessDenied`.
 */
export function requirePermission(acl: Acl, principal: Principal, permission: Permission): void {
  if (!allows(acl, principal, permission)) throw new S3Error("AccessDenied");
}
