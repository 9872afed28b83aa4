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
