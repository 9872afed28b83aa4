/**
 * Test helpers for running the terminal tour as a user does (`deno task tour ...`) and checking
 * its output: the statuses the tour teaches, in order, and that no secret leaks.
 *
 * @module
 */

import { DEMO_USERS } from "../../server/demo_users.ts";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { perform } from "../conformance/runner.ts";

/** The project root. */
export const ROOT: string = fileURLToPath(new URL("../..", import.meta.url));

/** What a finished tour run printed. */
/** The demo user's keys as the tour's flags, for a run against a server started by the test. */
export function demoKeyFlags(): string[] {
  const [demo] = DEMO_USERS;
  return ["--access-key", demo.accessKeyId, "--secret-key", demo.secretAccessKey];
}

export interface TourRun {
  /** Exit code. */
  code: number;
  /** Standard output and standard error, interleaved as captured (stdout first). */
  output: string;
}

/**
 * Runs `deno task tour` with some flags, without colour, and waits for it.
 *
 * @param args Flags for the tour, e.g. `["--endpoint", url]`.
 * @param timeoutMs Kill the tour after this long. @default 180000
 * @returns Exit code and output.
 */
export async function runTour(args: string[], timeoutMs = 180_000): Promise<TourRun> {
  const command = new Deno.Command(Deno.execPath(), {
    args: ["task", "--quiet", "tour", ...args],
    cwd: ROOT,
    // Wide, so that a line the test reads is never folded (tests/tour/terminal_test.ts checks 80).
    env: { NO_COLOR: "1", COLUMNS: "1000" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(timeoutMs),
  });
  const { code, stdout, stderr } = await command.output();
  const decoder = new TextDecoder();
  return { code, output: decoder.decode(stdout) + decoder.decode(stderr) };
}

/**
 * The milestones the tour must print, in this order (issue 4), read from its traffic lines
 * (`→ STATUS Reason [Code] … operation`, where anonymous probes show as `anonymous`): the public
 * link refused before the ACL, the presigned link working, the public link working after
 * `public-read`, the non-empty bucket refused, the object delete leaving nothing behind (the
 * version listing empty, no delete after it), and NoSuchBucket at the end.
 */
export const TOUR_MILESTONES: ReadonlyArray<{ what: string; pattern: RegExp }> = [
  { what: "403 AccessDenied for the public link", pattern: /→ 403\b[^\n]*AccessDenied/ },
  { what: "200 for the presigned link", pattern: /→ 200\b[^\n]*anonymous/ },
  { what: "200 for PutObjectAcl public-read", pattern: /→ 200\b[^\n]*PutObjectAcl/ },
  { what: "200 for the public link after public-read", pattern: /→ 200\b[^\n]*anonymous/ },
  { what: "409 BucketNotEmpty", pattern: /→ 409\b[^\n]*BucketNotEmpty/ },
  {
    what: "a plain 204 DeleteObject, no delete marker",
    pattern: /→ 204\b[^\n]*DeleteObject\n(?! {10})/,
  },
  {
    what: "no version left after the delete (ListObjectVersions)",
    pattern: /^\(none\)\n[^\n]*\n\s*→ 200\b[^\n]*ListObjectVersions\n(?!\s*DELETE)/m,
  },
  { what: "404 NoSuchBucket at the end", pattern: /→ 404\b[^\n]*NoSuchBucket/ },
];

/**
 * The milestones on DreamObjects US-East 5 and its stand-in, where objects inherit their
 * bucket's permission and deletes keep versions: PutBucketAcl (not PutObjectAcl) makes the public
 * link work; the object delete adds a delete marker (the trace names it); the version listing
 * shows the marker over the version still stored; both are removed by version id; then the bucket
 * goes and the link answers NoSuchBucket.
 */
export const US_EAST_5_MILESTONES: ReadonlyArray<{ what: string; pattern: RegExp }> = [
  ...TOUR_MILESTONES.slice(0, 2),
  { what: "200 for PutBucketAcl public-read", pattern: /→ 200\b[^\n]*PutBucketAcl/ },
  { what: "200 for the public link after public-read", pattern: /→ 200\b[^\n]*anonymous/ },
  { what: "409 BucketNotEmpty", pattern: /→ 409\b[^\n]*BucketNotEmpty/ },
  {
    what: "the object delete adding a delete marker",
    pattern: /→ 204\b[^\n]*DeleteObject\n {10}added delete marker \S+/,
  },
  {
    what: "the presigned link then 404 NoSuchKey",
    pattern: /→ 404\b[^\n]*NoSuchKey[^\n]*anonymous/,
  },
  {
    what: "the listing: the marker over the picture's version still stored, both removed",
    pattern:
      /^ {2}Key +VersionId +removed\n {2}cloud\.png +\S+ +true\n {2}cloud\.png +\S+ +true\n[^\n]*\n\s*→ 200\b[^\n]*ListObjectVersions/m,
  },
  {
    what: "the marker removed by its version id",
    pattern: /→ 204\b[^\n]*DeleteObject\n {10}removed delete marker \S+/,
  },
  {
    what: "the version removed by its version id",
    pattern: /→ 204\b[^\n]*DeleteObject\n {10}removed version \S+/,
  },
  { what: "204 DeleteBucket", pattern: /→ 204\b[^\n]*DeleteBucket/ },
  { what: "404 NoSuchBucket at the end", pattern: /→ 404\b[^\n]*NoSuchBucket/ },
];

/**
 * Asserts that the tour's output shows each milestone, in order, and every step's marker.
 *
 * @param output The tour's output.
 * @param label Which engine ran it, for messages.
 * @param milestones The story to find. @default TOUR_MILESTONES (the seed's)
 */
export function assertTourOutput(
  output: string,
  label: string,
  milestones: ReadonlyArray<{ what: string; pattern: RegExp }> = TOUR_MILESTONES,
): void {
  let at = 0;
  for (const { what, pattern } of milestones) {
    const match = pattern.exec(output.slice(at));
    assert.ok(
      match,
      `The tour on ${label} did not print "${what}" after offset ${at}; output:\n${output}`,
    );
    at += match.index + match[0].length;
  }
}

/**
 * The HTTP exchanges a tour run printed, one `status reason operation` line each (sizes, times
 * and URLs left out), and its anonymous probe results: what must be the same on every engine.
 *
 * @param output The tour's output.
 * @returns One line per exchange or probe, in order.
 */
export function trafficOf(output: string): string[] {
  const lines: string[] = [];
  for (const line of output.split("\n")) {
    const exchange = /^\s*→ (\d{3}) (.*?)\s+↑.*\s(\S+)\s*$/.exec(line);
    if (exchange) lines.push(`${exchange[1]} ${exchange[2]} ${exchange[3]}`);
    const probe = /^Anonymous GET → (.*?) \(/.exec(line);
    if (probe) lines.push(`probe: ${probe[1]}`);
  }
  return lines;
}

/**
 * Asserts that no secret key or raw signature appears in some text.
 *
 * @param text Printed text.
 * @param secrets Secret values that must not appear.
 * @param label What printed it, for messages.
 */
export function assertNoSecrets(text: string, secrets: string[], label: string): void {
  for (const secret of secrets) {
    assert.ok(!text.includes(secret), `${label} prints the secret key "${secret.slice(0, 4)}…"`);
  }
  const signature = /(X-Amz-Signature=|Signature=)([0-9a-f]{64}|[A-Za-z0-9%+/]{27,}=*)/.exec(text);
  assert.equal(signature, null, `${label} prints a raw signature: "${signature?.[0]}"`);
}

/**
 * Lists the buckets a demo user owns on an engine, through a signed raw ListBuckets.
 *
 * @param endpoint The engine's URL (loopback).
 * @param as Which demo user. @default "demo"
 * @returns Bucket names.
 */
export async function bucketNames(
  endpoint: string,
  as: "demo" | "other" = "demo",
): Promise<string[]> {
  const port = Number(new URL(endpoint).port);
  const response = await perform({ name: endpoint, port }, { method: "GET", auth: { as } }, {});
  assert.equal(response.status, 200, `Cannot list buckets on ${endpoint}: ${response.status}`);
  const text = new TextDecoder().decode(response.body);
  return [...text.matchAll(/<Name>([^<]*)<\/Name>/g)].map((m) => m[1]);
}

/**
 * The buckets a run left on an engine: named with the run's prefix and not there before it.
 *
 * @param endpoint The engine's URL (loopback).
 * @param prefix The prefix of the run's bucket names, e.g. `"versions-"`.
 * @param before The bucket names listed before the run.
 * @returns The names left behind.
 */
export async function bucketsLeft(
  endpoint: string,
  prefix: string,
  before: ReadonlySet<string>,
): Promise<string[]> {
  return (await bucketNames(endpoint))
    .filter((name) => name.startsWith(prefix) && !before.has(name));
}
