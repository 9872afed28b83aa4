/**
 * The command-line flags every command that connects to S3 shares (`deno task tour`,
 * `deno task cp`): their `parseArgs` options, their help text and their meaning as
 * `ConnectOptions`. (Usage errors are `usage.ts`'s.)
 *
 * @module
 */

import type { ConnectOptions } from "../lib/connect_options.ts";
import { CLUSTER_IDS, isClusterId } from "../lib/clusters.ts";

/** `node:util` `parseArgs` options for the connection flags. */
export const CONNECTION_FLAGS = {
  "dreamobjects": { type: "boolean" },
  "cluster": { type: "string" },
  "use-s3": { type: "boolean" },
  "endpoint": { type: "string" },
  "region": { type: "string" },
  "path-style": { type: "boolean" },
  "access-key": { type: "string" },
  "secret-key": { type: "string" },
  "profile": { type: "string" },
  "debug": { type: "boolean" },
} as const;

/** The connection flags' lines for `--help`. */
export const CONNECTION_HELP =
  `  --dreamobjects         Use DreamObjects US-East 5 (https://s3.us-east-005.dream.io)
  --cluster NAME         DreamObjects cluster: us-east-5 (default) or us-east-1, as your
                         DreamHost panel shows; with --endpoint, what that endpoint is like
  --use-s3               Use AWS S3
  --endpoint URL         Use any S3-compatible endpoint, e.g. http://127.0.0.1:7480
  --region NAME          Signing region (default: the DreamObjects cluster's, else
                         AWS_REGION, else us-east-1)
  --path-style           Put the bucket in the URL path, not the host name
  --access-key KEY       Access key id (default: AWS_ACCESS_KEY_ID, else the profile)
  --secret-key SECRET    Secret access key (default: AWS_SECRET_ACCESS_KEY, else the profile)
  --profile NAME         Profile from ~/.aws/credentials (default: AWS_PROFILE)
  --debug                Print stack traces of failures and the AWS SDK's own log lines`;

/** The connection flags' values, as `parseArgs` returns them. */
export interface ConnectionFlagValues {
  /** `--dreamobjects`. */
  "dreamobjects"?: boolean;
  /** `--cluster NAME` (checked by `connect()`). */
  "cluster"?: string;
  /** `--use-s3`. */
  "use-s3"?: boolean;
  /** `--endpoint URL`. */
  "endpoint"?: string;
  /** `--region NAME`. */
  "region"?: string;
  /** `--path-style`. */
  "path-style"?: boolean;
  /** `--access-key KEY`. */
  "access-key"?: string;
  /** `--secret-key SECRET`. */
  "secret-key"?: string;
  /** `--profile NAME`. */
  "profile"?: string;
  /** `--debug`: the AWS SDK's log lines on stderr. */
  "debug"?: boolean;
}

/**
 * Turns the connection flags into `connect()` options (flags not given are left out, so the
 * environment and the defaults apply).
 *
 * @param values The parsed flags.
 * @returns The options for `connect()`.
 * @throws {TypeError} For a `--cluster` that is not a DreamObjects cluster, in one line.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { connectOptionsFrom } from "./flags.ts";
 *
 * assert.deepEqual(connectOptionsFrom({ "use-s3": true, region: "eu-west-1" }), {
 *   aws: true,
 *   region: "eu-west-1",
 * });
 * ```
 */
export function connectOptionsFrom(values: ConnectionFlagValues): ConnectOptions {
  const cluster = values.cluster;
  if (cluster !== undefined && !isClusterId(cluster)) {
    throw new TypeError(
      `Unknown --cluster "${cluster}": use ${CLUSTER_IDS.join(" or ")}, as your DreamHost ` +
        "panel shows",
    );
  }
  const options: ConnectOptions = {
    endpoint: values.endpoint,
    dreamobjects: values.dreamobjects,
    cluster,
    aws: values["use-s3"],
    region: values.region,
    pathStyle: values["path-style"] ? true : undefined,
    accessKeyId: values["access-key"],
    secretAccessKey: values["secret-key"],
    profile: values.profile,
    debug: values.debug ? true : undefined,
  };
  for (const key of Object.keys(options) as (keyof ConnectOptions)[]) {
    if (options[key] === undefined) delete options[key];
  }
  return options;
}
