/**
 * The command-line flags every command that connects to S3 shares (`deno task tour`,
 * `deno task cp`): their `parseArgs` options, their help text and their meaning as
 * `ConnectOptions`; and the one-line form of a `parseArgs` error.
 *
 * @module
 */

import type { ConnectOptions } from "../lib/connect.ts";
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
  --profile NAME         Profile from ~/.aws/credentials (default: AWS_PROFILE)`;

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
 * import { connectOptionsFrom } from "./flags.ts";
 *
 * console.log(connectOptionsFrom({ "use-s3": true, region: "eu-west-1" }));
 * // { aws: true, region: "eu-west-1" }
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
  };
  for (const key of Object.keys(options) as (keyof ConnectOptions)[]) {
    if (options[key] === undefined) delete options[key];
  }
  return options;
}

/**
 * The first sentence of a `parseArgs` error, in one line with double quotes (Node's message runs
 * over several lines and suggests `--` for positionals, which these commands do not take).
 *
 * @param error What `parseArgs` threw.
 * @returns The message, without a final period.
 *
 * @example Usage
 * ```ts
 * import { parseArgs } from "node:util";
 * import { usageMessage } from "./flags.ts";
 *
 * try {
 *   parseArgs({ args: ["--bogus"], options: {} });
 * } catch (error) {
 *   console.log(usageMessage(error)); // Unknown option "--bogus"
 * }
 * ```
 */
export function usageMessage(error: unknown): string {
  return String((error as Error).message ?? error).split("\n")[0]
    .replace(/\. To specify a positional argument.*$/, "")
    .replace(/'/g, '"')
    .replace(/\.$/, "");
}
