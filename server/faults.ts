/**
 * The fault switch: makes the embedded server misbehave on purpose, for teaching and testing
 * retries. A spec is a list of rules separated by commas, each
 * `KIND[=SECONDS][@OPERATION][:COUNT|:PERCENT%]`, plus an optional `seed=N`:
 *
 * - `slowdown` answers `503 SlowDown` (S3's "reduce your request rate"), `error` answers
 *   `500 InternalError`, `delay=SECONDS` holds the request that long before serving it (past a
 *   client's timeout, the client gives up while the server still does the work), `drop` closes
 *   the connection mid-answer (half of the body sent, or nothing when there is no body).
 * - `@OPERATION` limits a rule to one S3 operation (`PutObject`, `GetObject`, `UploadPart`...: the
 *   names the server's routing table and the trace use); without it, every request counts.
 * - `:COUNT` hits the next COUNT matching requests and then stops (the default is `:1`);
 *   `:PERCENT%` hits that share of matching requests, drawn from a PRNG seeded by `seed=N`
 *   (default 1), so a run repeats exactly.
 *
 * The first rule that matches a request decides it. Every injected fault is logged as such.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { FaultSwitch, parseFaults } from "./faults.ts";
 *
 * const faults = new FaultSwitch(parseFaults("slowdown@PutObject:2,error:50%,seed=7"));
 * assert.equal(faults.pick("PutObject")?.kind, "slowdown");
 * assert.equal(faults.pick("PutObject")?.kind, "slowdown");
 * // The third PutObject falls through to the 50% rule: decided by the seeded PRNG.
 * const draws = Array.from({ length: 20 }, () => faults.pick("GetObject")?.kind ?? "none");
 * assert.ok(draws.includes("error") && draws.includes("none"));
 * ```
 *
 * @module
 */

import { prng } from "../core/prng.ts";

/** What a fault does to a request. */
export type FaultKind = "slowdown" | "error" | "delay" | "drop";

/** The kinds, for messages and parsing. */
export const FAULT_KINDS: readonly FaultKind[] = ["slowdown", "error", "delay", "drop"];

/** One rule of a fault spec. */
export interface FaultRule {
  /** What it does. */
  kind: FaultKind;
  /** The S3 operation it applies to; every request when absent. */
  operation?: string;
  /** How many matching requests it hits (then it is spent); ignored when `percent` is set. */
  count?: number;
  /** The share of matching requests it hits, 0 to 100. */
  percent?: number;
  /** For `delay`: how long to hold the request, in seconds. */
  seconds?: number;
}

/** A parsed fault spec: its rules and the PRNG seed. */
export interface FaultSpec {
  /** The rules, first match wins. */
  rules: FaultRule[];
  /** The seed of the PRNG that decides percentage rules. @default 1 */
  seed: number;
}

const RULE = /^(slowdown|error|delay|drop)(?:=(\d+(?:\.\d+)?))?(?:@([A-Za-z]+))?(?::(\d+)(%)?)?$/;

/**
 * Parses a fault spec such as `slowdown@PutObject:2,drop@GetObject,error:10%,seed=42`.
 *
 * @param spec The spec (see the module documentation).
 * @returns Its rules and seed.
 * @throws {SyntaxError} For a rule that does not read, naming it and the form expected.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseFaults } from "./faults.ts";
 *
 * assert.deepEqual(parseFaults("delay=30@HeadObject"), {
 *   rules: [{ kind: "delay", seconds: 30, operation: "HeadObject", count: 1 }],
 *   seed: 1,
 * });
 * assert.throws(() => parseFaults("slow"), /Cannot read fault rule "slow"/);
 * ```
 */
export function parseFaults(spec: string): FaultSpec {
  const rules: FaultRule[] = [];
  let seed = 1;
  for (const raw of spec.split(",").map((part) => part.trim()).filter((part) => part !== "")) {
    const seedMatch = /^seed=(\d+)$/.exec(raw);
    if (seedMatch) {
      seed = Number(seedMatch[1]);
      continue;
    }
    const m = RULE.exec(raw);
    if (!m) {
      throw new SyntaxError(
        `Cannot read fault rule "${raw}": write KIND[=SECONDS][@OPERATION][:COUNT|:PERCENT%] ` +
          `with KIND one of ${FAULT_KINDS.join(", ")} (e.g. "slowdown@PutObject:2", "error:10%")`,
      );
    }
    const [, kind, seconds, operation, amount, percent] = m;
    if (kind === "delay" && seconds === undefined) {
      throw new SyntaxError(
        `Cannot read fault rule "${raw}": a delay needs its seconds, e.g. delay=30`,
      );
    }
    if (kind !== "delay" && seconds !== undefined) {
      throw new SyntaxError(`Cannot read fault rule "${raw}": only a delay takes "=SECONDS"`);
    }
    const rule: FaultRule = { kind: kind as FaultKind };
    if (seconds !== undefined) rule.seconds = Number(seconds);
    if (operation !== undefined) rule.operation = operation;
    if (percent !== undefined) {
      const share = Number(amount);
      if (share > 100) {
        throw new RangeError(`Cannot read fault rule "${raw}": a share is at most 100%`);
      }
      rule.percent = share;
    } else {
      rule.count = amount === undefined ? 1 : Number(amount);
    }
    rules.push(rule);
  }
  return { rules, seed };
}

/** Writes a rule back in the spec's own form, for log lines. */
export function describeRule(rule: FaultRule): string {
  const seconds = rule.seconds === undefined ? "" : `=${rule.seconds}`;
  const operation = rule.operation === undefined ? "" : `@${rule.operation}`;
  const amount = rule.percent !== undefined ? `:${rule.percent}%` : `:${rule.count ?? 1}`;
  return `${rule.kind}${seconds}${operation}${amount}`;
}

/** Decides, request by request, which fault (if any) to inject. */
export class FaultSwitch {
  #rules: { rule: FaultRule; left: number }[];
  #random: () => number;

  /**
   * @param spec The parsed spec.
   */
  constructor(spec: FaultSpec) {
    this.#rules = spec.rules.map((rule) => ({ rule, left: rule.count ?? Infinity }));
    this.#random = prng(spec.seed);
  }

  /**
   * The fault for the next request of an operation, or `undefined` to serve it normally. A
   * counted rule is used up as it hits.
   *
   * @param operation The request's S3 operation (`PutObject`...).
   * @returns The rule that hits, with how many hits it has left (`Infinity` for a share).
   */
  pick(operation: string): (FaultRule & { left: number }) | undefined {
    for (const entry of this.#rules) {
      const { rule } = entry;
      if (rule.operation !== undefined && rule.operation !== operation) continue;
      if (rule.percent !== undefined) {
        if (this.#random() * 100 < rule.percent) return { ...rule, left: Infinity };
        continue;
      }
      if (entry.left <= 0) continue;
      entry.left--;
      return { ...rule, left: entry.left };
    }
    return undefined;
  }
}

/**
 * A response body that passes on the first half of an answer's body and then fails, so the
 * connection is cut mid-answer (nothing is sent at all for an empty body). It streams: a large
 * object is never held.
 *
 * @param body The real answer's body, or `null`.
 * @param length The real body's length in bytes (its Content-Length).
 * @returns A stream that errors after `floor(length / 2)` bytes.
 */
export function cutShort(
  body: ReadableStream<Uint8Array> | null,
  length: number,
): ReadableStream<Uint8Array> {
  let left = Math.floor(length / 2);
  const reader = body?.getReader();
  const drop = new Error("connection dropped by the fault switch");
  return new ReadableStream({
    async pull(controller) {
      const r = left > 0 && reader ? await reader.read() : { done: true as const };
      if (r.done || left <= 0) {
        await reader?.cancel(drop).catch(() => {});
        controller.error(drop);
        return;
      }
      const chunk = r.value.subarray(0, left);
      left -= chunk.length;
      controller.enqueue(chunk);
    },
    async cancel(reason) {
      await reader?.cancel(reason).catch(() => {});
    },
  });
}
