/**
 * The recording of Ceph RGW's answers to the conformance cases (`rgw_answers.json`), so that a
 * machine without RGW still compares the embedded server with RGW: per case name, the fields RGW
 * answered (status, S3 error code, and the fields the case compares), normalised so that nothing
 * that varies from run to run is kept verbatim. `deno task conformance:record` (with
 * `RGW_ENDPOINT`) rewrites it; with RGW present the suite checks the recording is still what RGW
 * answers.
 *
 * Normalised: the run's bucket prefix becomes `{run}`, the case's bucket `{b}`, and each value a
 * setup step captured (upload ids, version ids, continuation tokens) `{name}`, except MD5 ETags,
 * which depend on the bytes only. The recorder runs every case twice and refuses to write a
 * field that still differs between the two runs.
 *
 * @module
 */

import type { Observation, Vars } from "./runner.ts";

/** Where the recording is kept. */
export const RECORDING_PATH: URL = new URL("./rgw_answers.json", import.meta.url);

/** The command that rewrites the recording (it needs Ceph RGW). */
export const RECORD_COMMAND =
  "RGW_ENDPOINT=http://127.0.0.1:7480 deno task conformance:record --missing";

/** Fields of one recorded answer: absent fields are left out. */
export type RecordedFields = Record<string, string>;

/** The recording as stored. */
export interface Recording {
  /** What the file is and how to refresh it. */
  about: string;
  /** Recorded answers by case name, in case order. */
  cases: Record<string, RecordedFields>;
}

/** A captured value that is an MD5 ETag (quoted or not, multipart too): the same every run. */
const MD5_ETAG = /^"?[0-9a-f]{32}(-\d+)?"?$/;

/**
 * Rewrites an observation so that what differs from run to run reads the same: the values of
 * `vars` (run prefix, case bucket, captured ids; not MD5 ETags) become `{name}`, longest first.
 *
 * @param observation What an engine answered.
 * @param vars The variables of that run.
 * @returns The fields, normalised, absent ones left out.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { normalise } from "./recording.ts";
 * const fields = normalise(
 *   { fields: { status: "200", "header:location": "/cf0a1b2c3d-c3", code: undefined } },
 *   { run: "cf0a1b2c3d", b: "cf0a1b2c3d-c3" },
 * );
 * assert.deepEqual(fields, { status: "200", "header:location": "/{b}" });
 * ```
 */
export function normalise(observation: Observation, vars: Vars): RecordedFields {
  const names = Object.entries(vars)
    .filter(([, value]) => value.length >= 8 && !MD5_ETAG.test(value))
    .sort(([, a], [, b]) => b.length - a.length);
  const out: RecordedFields = {};
  for (const [field, value] of Object.entries(observation.fields)) {
    if (value === undefined) continue;
    let text = value;
    for (const [name, raw] of names) text = text.replaceAll(raw, `{${name}}`);
    out[field] = text;
  }
  return out;
}

/**
 * Reads the recording; an empty one when the file does not exist yet.
 *
 * @returns The recording.
 */
export function readRecording(): Recording {
  try {
    return JSON.parse(Deno.readTextFileSync(RECORDING_PATH)) as Recording;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return { about: "", cases: {} };
    throw new Error(
      `Cannot read the RGW recording "${RECORDING_PATH.pathname}": ${
        (error as Error).message
      }; rewrite it with ${RECORD_COMMAND.replace(" --missing", "")}`,
    );
  }
}

/**
 * The message for a case that has no recording yet.
 *
 * @param name The case's name.
 * @returns One line naming the command that records it.
 */
export function notRecorded(name: string): string {
  return `Case "${name}" has no recorded RGW answer in tests/conformance/rgw_answers.json: ` +
    `record it with ${RECORD_COMMAND}`;
}
