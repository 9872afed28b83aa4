/**
 * The demo users: two local, throwaway key pairs that every embedded server starts with unless
 * told otherwise, and that the project's Ceph RGW script creates too.
 *
 * @module
 */

import type { ServerUser } from "./types.ts";

/**
 * The demo users every embedded server starts with unless told otherwise. They are the same
 * key pairs (and e-mail addresses) the project's Ceph RGW script creates, so tests run unchanged
 * on both engines.
 * These are local, throwaway credentials: they open nothing but a server on 127.0.0.1.
 */
export const DEMO_USERS: readonly ServerUser[] = [
  {
    id: "demo",
    displayName: "Demo User",
    accessKeyId: "DEMOACCESSKEY",
    secretAccessKey: "DEMOSECRETKEY",
    email: "demo@example.com",
  },
  {
    id: "other",
    displayName: "Other User",
    accessKeyId: "OTHERACCESSKEY",
    secretAccessKey: "OTHERSECRETKEY",
    email: "other@example.com",
  },
];

/**
 * Whether an IP address is a loopback one, reachable only from this machine: `127.0.0.0/8`,
 * `::1`, or an IPv4-mapped `::ffff:127.x.y.z`. (`0.0.0.0` and `::` mean every interface.)
 *
 * @param address An IPv4 or IPv6 address, without brackets.
 * @returns `true` for a loopback address.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { isLoopbackAddress } from "./demo_users.ts";
 *
 * assert.equal(isLoopbackAddress("127.0.0.5"), true);
 * assert.equal(isLoopbackAddress("::1"), true);
 * assert.equal(isLoopbackAddress("0.0.0.0"), false);
 * assert.equal(isLoopbackAddress("192.168.1.5"), false);
 * ```
 */
export function isLoopbackAddress(address: string): boolean {
  const a = address.toLowerCase();
  const v4 = /^(?:::ffff:)?(\d{1,3})\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.exec(a);
  if (v4) return v4[1] === "127";
  return /^(0{0,4}:){2,7}0{0,3}1$/.test(a) || a === "::1";
}

/**
 * Whether a list of users holds one of the published demo key pairs.
 *
 * @param users The users a server would accept.
 * @returns `true` when any has a demo access key.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEMO_USERS, hasDemoKeys } from "./demo_users.ts";
 *
 * assert.equal(hasDemoKeys(DEMO_USERS), true);
 * assert.equal(hasDemoKeys([]), false);
 * ```
 */
export function hasDemoKeys(users: readonly ServerUser[]): boolean {
  return users.some((user) => DEMO_USERS.some((demo) => demo.accessKeyId === user.accessKeyId));
}
