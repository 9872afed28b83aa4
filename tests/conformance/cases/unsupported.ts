/**
 * Conformance cases: Requests for features the embedded server does not have yet, and how they answer.
 *
 * @module
 */

import type { Case } from "../runner.ts";
import { DATA } from "./_common.ts";

export const UNSUPPORTED: Case[] = [
  {
    name: "GetBucketVersioning on a bucket never versioned",
    request: { method: "GET", bucket: DATA, query: { versioning: "" } },
    expect: { status: 200 },
    compare: ["has:VersioningConfiguration.Status"],
  },
  {
    name: "GetBucketLifecycle on a bucket without one",
    request: { method: "GET", bucket: DATA, query: { lifecycle: "" } },
    expect: { status: 404, code: "NoSuchLifecycleConfiguration" },
  },
];
