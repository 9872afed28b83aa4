/**
 * Progress of long transfers: bytes, rate and time left, as a one-line bar redrawn in place on a
 * terminal (stderr), as a display updated in place in Jupyter, and as nothing at all when output
 * goes to a file or a pipe.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { connect, createBucket, putFile } from "./mod.ts";
 * import { ProgressBar } from "./progress.ts";
 *
 * await using s3 = await connect();
 * const bucket = await createBucket(s3);
 * const lines: string[] = [];
 * const bar = new ProgressBar({
 *   label: "deno.json",
 *   mode: "tty",
 *   threshold: 0, // show even a small transfer
 *   write: (t) => lines.push(t),
 * });
 * await putFile(s3, bucket, "deno.json", "deno.json", { onProgress: (p) => bar.update(p) });
 * bar.done();
 * assert.ok(lines.at(-1)?.includes("100%"));
 * assert.equal(bar.state().loaded, bar.state().total);
 * ```
 *
 * @module
 */

import { escapeHtml, formatBytes } from "./display.ts";

/** Where a progress display goes. */
export type ProgressMode = "tty" | "jupyter" | "silent";

/** The state of a transfer, as a progress display shows it. */
export interface ProgressState {
  /** Bytes transferred so far. */
  loaded: number;
  /** Total bytes, when known. */
  total?: number;
  /** Current rate in bytes per second, when measurable. */
  rate?: number;
  /** Seconds since the start. */
  elapsed: number;
  /** Estimated seconds left, when total and rate are known. */
  eta?: number;
}

/** Sends a Jupyter message, as `Deno.jupyter.broadcast` does. */
export type JupyterBroadcast = (
  type: string,
  content: Record<string, unknown>,
) => Promise<void> | void;

/** How to show progress. */
export interface ProgressOptions {
  /** Text before the bar, e.g. a file name. @default "" */
  label?: string;
  /** Total bytes, when known up front (an update may also give it). */
  total?: number;
  /**
   * Where to show it: `"tty"` redraws a line on stderr, `"jupyter"` updates a notebook display,
   * `"silent"` shows nothing. @default Jupyter inside Deno's kernel, else "tty" when stderr is a
   * terminal, else "silent"
   */
  mode?: ProgressMode;
  /** Transfers with a known total below this many bytes show nothing. @default 4_000_000 */
  threshold?: number;
  /** Least time between two redraws, in milliseconds. @default 100 */
  intervalMs?: number;
  /** Width of the whole line in a terminal. @default the terminal's width, at most 100 */
  width?: number;
  /** Clock in milliseconds (injected by tests). @default performance.now */
  now?: () => number;
  /** Writes terminal output. @default a synchronous write to stderr */
  write?: (text: string) => void;
  /** Sends Jupyter messages. @default Deno.jupyter.broadcast */
  broadcast?: JupyterBroadcast;
}

/**
 * Formats a rate for people: `812 B/s`, `12.3 MB/s`.
 *
 * @param bytesPerSecond The rate.
 * @returns The rate with a decimal unit, or `–` when unknown.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatRate } from "./progress.ts";
 *
 * assert.equal(formatRate(12_300_000), "12.3 MB/s");
 * ```
 */
export function formatRate(bytesPerSecond: number | undefined): string {
  if (bytesPerSecond === undefined || !Number.isFinite(bytesPerSecond) || bytesPerSecond < 0) {
    return "–";
  }
  return `${formatBytes(Math.round(bytesPerSecond))}/s`;
}

/**
 * Formats seconds as a clock: `0:07`, `1:05`, `1:02:03`.
 *
 * @param seconds The duration.
 * @returns `m:ss` or `h:mm:ss`, or `–:––` when unknown.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatDuration } from "./progress.ts";
 *
 * assert.equal(formatDuration(65), "1:05");
 * ```
 */
export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return "–:––";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/**
 * The figures of a progress line: percentage, bytes, rate and time left (or elapsed when done).
 *
 * @param state The transfer's state.
 * @param finished Whether the transfer is over.
 * @returns E.g. `45%  120.0 MB / 266.7 MB  85.2 MB/s  ETA 0:02`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { progressFigures } from "./progress.ts";
 *
 * assert.equal(
 *   progressFigures({ loaded: 50, total: 200, rate: 10, elapsed: 5, eta: 15 }),
 *   "25%  50 B / 200 B  10 B/s  ETA 0:15",
 * );
 * ```
 */
export function progressFigures(state: ProgressState, finished = false): string {
  const bytes = state.total === undefined
    ? formatBytes(state.loaded)
    : `${formatBytes(state.loaded)} / ${formatBytes(state.total)}`;
  const percent = state.total ? `${Math.floor((state.loaded / state.total) * 100)}%  ` : "";
  if (finished) {
    const average = state.elapsed > 0 ? state.loaded / state.elapsed : undefined;
    return `${percent}${bytes}  ${formatRate(average)}  in ${formatDuration(state.elapsed)}`;
  }
  return `${percent}${bytes}  ${formatRate(state.rate)}  ETA ${formatDuration(state.eta)}`;
}

/**
 * Renders a one-line bar for a terminal: label, bar and figures, fitted to a width.
 *
 * @param state The transfer's state.
 * @param options Label, width, and whether the transfer is over.
 * @returns The line, without a newline.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { renderProgressLine } from "./progress.ts";
 *
 * const line = renderProgressLine({ loaded: 50, total: 100, elapsed: 1 }, { width: 60 });
 * assert.ok(line.includes("50%"));
 * ```
 */
export function renderProgressLine(
  state: ProgressState,
  options: { label?: string; width?: number; finished?: boolean } = {},
): string {
  const width = options.width ?? 80;
  const figures = progressFigures(state, options.finished);
  const label = options.label ? `${options.label} ` : "";
  // Room left for the bar, keeping space for the longest figures so the bar does not jump.
  const room = width - label.length - Math.max(figures.length, 52) - 4;
  if (state.total === undefined || room < 10) {
    return `${label}${figures}`.slice(0, width);
  }
  const barWidth = Math.min(room, 40);
  const fraction = state.total > 0 ? Math.min(1, state.loaded / state.total) : 1;
  const filled = Math.round(fraction * barWidth);
  return `${label}[${"#".repeat(filled)}${"-".repeat(barWidth - filled)}]  ${figures}`;
}

/**
 * Renders the progress as HTML for a notebook: a `<progress>` element and the figures.
 *
 * @param state The transfer's state.
 * @param options Label, and whether the transfer is over.
 * @returns An HTML fragment, values escaped.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { renderProgressHtml } from "./progress.ts";
 *
 * assert.ok(renderProgressHtml({ loaded: 1, total: 2, elapsed: 1 }).startsWith("<div>"));
 * ```
 */
export function renderProgressHtml(
  state: ProgressState,
  options: { label?: string; finished?: boolean } = {},
): string {
  const bar = state.total === undefined
    ? "<progress></progress>"
    : `<progress value="${state.loaded}" max="${state.total}"></progress>`;
  const label = options.label ? `<code>${escapeHtml(options.label)}</code> ` : "";
  return `<div>${label}${bar} <span>${
    escapeHtml(progressFigures(state, options.finished))
  }</span></div>`;
}

/** `Deno.jupyter`, which only exists (and may only be touched) inside Deno's Jupyter kernel. */
function jupyterBroadcast(): JupyterBroadcast | undefined {
  try {
    // deno-lint-ignore no-explicit-any
    const jupyter = (Deno as any).jupyter;
    if (typeof jupyter?.broadcast !== "function") return undefined;
    return (type, content) => jupyter.broadcast(type, content);
  } catch {
    return undefined;
  }
}

function defaultMode(): ProgressMode {
  if (jupyterBroadcast()) return "jupyter";
  try {
    return Deno.stderr.isTerminal() ? "tty" : "silent";
  } catch {
    return "silent";
  }
}

function terminalWidth(): number {
  try {
    const columns = Deno.consoleSize().columns;
    return columns >= 20 ? Math.min(100, columns) : 80;
  } catch {
    return 80;
  }
}

const encoder = new TextEncoder();

function writeStderr(text: string): void {
  const bytes = encoder.encode(text);
  let offset = 0;
  while (offset < bytes.length) offset += Deno.stderr.writeSync(bytes.subarray(offset));
}

/** How far back the rate looks, in milliseconds. */
const RATE_WINDOW_MS = 3000;

/**
 * A progress display for one transfer. Feed it with {@linkcode ProgressBar.prototype.update}
 * (it fits the library's `onProgress` callbacks), then call `done()` or `fail()`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { ProgressBar } from "./progress.ts";
 *
 * const lines: string[] = [];
 * const bar = new ProgressBar({ mode: "tty", total: 10e6, write: (t) => lines.push(t) });
 * bar.update({ loaded: 5e6 });
 * bar.done();
 * assert.ok(lines.at(-1)?.endsWith("\n"));
 * ```
 */
export class ProgressBar {
  #label: string;
  #mode: ProgressMode;
  #threshold: number;
  #intervalMs: number;
  #width?: number;
  #now: () => number;
  #write: (text: string) => void;
  #broadcast?: JupyterBroadcast;
  #displayId = `progress-${crypto.randomUUID()}`;
  #shown = false;
  #finished = false;
  #lastDraw = -Infinity;
  #started: number;
  /** Samples of the rate window: from `#head` on (shift() would copy the array per update). */
  #samples: { t: number; loaded: number }[] = [];
  #head = 0;
  #loaded = 0;
  #total?: number;

  /**
   * Prepares a display; nothing is shown until the first update.
   *
   * @param options Label, total, where to show it, and timing.
   */
  constructor(options: ProgressOptions = {}) {
    this.#label = options.label ?? "";
    this.#mode = options.mode ?? defaultMode();
    this.#threshold = options.threshold ?? 4_000_000;
    this.#intervalMs = options.intervalMs ?? 100;
    this.#width = options.width;
    this.#now = options.now ?? (() => performance.now());
    this.#write = options.write ?? writeStderr;
    this.#broadcast = options.broadcast ??
      (this.#mode === "jupyter" ? jupyterBroadcast() : undefined);
    this.#total = options.total;
    this.#started = this.#now();
    this.#samples.push({ t: this.#started, loaded: 0 });
  }

  /** Where this display goes. */
  get mode(): ProgressMode {
    return this.#mode;
  }

  /**
   * The transfer's state now: bytes, rate over the last few seconds, time left.
   *
   * @returns The state.
   */
  state(): ProgressState {
    const now = this.#now();
    const elapsed = (now - this.#started) / 1000;
    const first = this.#samples[this.#head];
    const span = (now - first.t) / 1000;
    const rate = span > 0 ? (this.#loaded - first.loaded) / span : undefined;
    const left = this.#total === undefined ? undefined : Math.max(0, this.#total - this.#loaded);
    const eta = left === undefined || !rate ? undefined : left / rate;
    return { loaded: this.#loaded, total: this.#total, rate, elapsed, eta };
  }

  /**
   * Records progress and redraws, at most once per interval.
   *
   * @param progress Bytes so far and, optionally, the total.
   */
  update(progress: { loaded: number; total?: number }): void {
    if (this.#finished) return;
    this.#loaded = progress.loaded;
    if (progress.total !== undefined) this.#total = progress.total;
    const now = this.#now();
    const samples = this.#samples;
    samples.push({ t: now, loaded: progress.loaded });
    while (samples.length - this.#head > 2 && now - samples[this.#head + 1].t >= RATE_WINDOW_MS) {
      this.#head++;
    }
    // Drop the samples that left the window once they are the larger part of the array.
    if (this.#head > 1024 && this.#head * 2 > samples.length) {
      this.#samples = samples.slice(this.#head);
      this.#head = 0;
    }
    if (now - this.#lastDraw < this.#intervalMs) return;
    this.#lastDraw = now;
    this.#draw(false);
  }

  /** Shows the final state (100 %, average rate, time taken) and ends the line. */
  done(): void {
    if (this.#finished) return;
    if (this.#total !== undefined) this.#loaded = Math.max(this.#loaded, this.#total);
    this.#draw(true);
    this.#finished = true;
  }

  /** Ends the display where it stopped, e.g. after an error. */
  fail(): void {
    if (this.#finished) return;
    if (this.#shown && this.#mode === "tty") this.#write("\n");
    this.#finished = true;
  }

  #visible(): boolean {
    if (this.#mode === "silent") return false;
    return this.#total === undefined || this.#total >= this.#threshold;
  }

  #draw(finished: boolean): void {
    if (!this.#visible()) return;
    const state = this.state();
    if (this.#mode === "tty") {
      const line = renderProgressLine(state, {
        label: this.#label,
        width: this.#width ?? terminalWidth(),
        finished,
      });
      this.#write(`\r${line}\x1b[K${finished ? "\n" : ""}`);
    } else if (this.#broadcast) {
      const data = {
        "text/plain": renderProgressLine(state, { label: this.#label, finished }),
        "text/html": renderProgressHtml(state, { label: this.#label, finished }),
      };
      const type = this.#shown ? "update_display_data" : "display_data";
      void Promise.resolve(
        this.#broadcast(type, { data, metadata: {}, transient: { display_id: this.#displayId } }),
      ).catch(() => {});
    }
    this.#shown = true;
  }
}
