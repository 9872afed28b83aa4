/**
 * The benchmark's report: the figures' shapes, one markdown table per endpoint, the targets with
 * what was measured against each, and the JSON written to `bench/results/`.
 *
 * @module
 */

import { sizeLabel } from "./_units.ts";

/** Megabytes (10^6 bytes), the report's unit. */
export const MB = 1e6;

/** One transfer of the large file by one client. */
export interface Transfer {
  ms?: number;
  mbPerSecond?: number;
  clientPeakRss?: number;
  serverPeakRss?: number;
  error?: string;
}

/** One client's figures on one endpoint. */
export interface ClientFigures {
  client: string;
  upload: Transfer;
  download: Transfer;
  smallPut: SmallFigures;
  smallGet: SmallFigures;
}

/** A phase of small objects. */
export interface SmallFigures {
  /** Wall time of the client process, ms. */
  ms?: number;
  /** Objects per second over the wall time (start-up included). */
  opsPerSecond?: number;
  /** Objects per second as the client timed itself (lib, boto3: no start-up). */
  innerOpsPerSecond?: number;
  error?: string;
}

/** Figures for one endpoint. */
export interface EndpointFigures {
  endpoint: string;
  url: string;
  /** Large transfer size, when large transfers ran. */
  size?: number;
  clients: ClientFigures[];
}

/** The tracer's cost, as `traceOverhead()` measured it. */
export interface TraceFigures {
  overheadPercent?: number;
  tracerUsPerRequest?: number;
  cpuUsPerRequest?: number;
  cpuOverheadPercent?: number;
  wallOverheadPercent?: number;
  onCpuMs?: number;
  offCpuMs?: number;
  error?: string;
}

/**
 * Formats a number for a table cell, or a dash when missing.
 *
 * @param value The number.
 * @param digits Decimal places.
 * @returns The cell text.
 *
 * @example Usage
 * ```ts
 * import { cell } from "./_report.ts";
 *
 * console.log(cell(12.345, 1), cell(undefined)); // 12.3 –
 * ```
 */
export function cell(value: number | undefined, digits = 0): string {
  return value === undefined || !Number.isFinite(value) ? "–" : value.toFixed(digits);
}

/**
 * Renders a markdown table.
 *
 * @param columns Headings.
 * @param rows Cell texts.
 * @returns The table, one line per row.
 *
 * @example Usage
 * ```ts
 * import { markdownTable } from "./_report.ts";
 *
 * console.log(markdownTable(["a"], [["1"]]).split("\n")[1]); // | --- |
 * ```
 */
export function markdownTable(columns: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(columns), line(columns.map(() => "---")), ...rows.map(line)].join("\n");
}

function mb(bytes: number | undefined): number | undefined {
  return bytes === undefined ? undefined : bytes / MB;
}

function status(t: { error?: string }): string | undefined {
  return t.error === undefined ? undefined : t.error === "skipped" ? "–" : "failed";
}

function smallCell(f: SmallFigures): string {
  if (f.error) return "failed";
  const inner = f.innerOpsPerSecond === undefined ? "" : ` (${cell(f.innerOpsPerSecond)})`;
  return `${cell(f.opsPerSecond)}${inner}`;
}

function endpointTable(figures: EndpointFigures): string {
  return markdownTable(
    [
      "client",
      "upload MB/s",
      "download MB/s",
      "client RSS up / down (MB)",
      "server RSS up / down (MB)",
      "small PUT ops/s",
      "small GET ops/s",
    ],
    figures.clients.map((c) => [
      c.client,
      status(c.upload) ?? cell(c.upload.mbPerSecond, 1),
      status(c.download) ?? cell(c.download.mbPerSecond, 1),
      `${cell(mb(c.upload.clientPeakRss))} / ${cell(mb(c.download.clientPeakRss))}`,
      `${cell(mb(c.upload.serverPeakRss))} / ${cell(mb(c.download.serverPeakRss))}`,
      smallCell(c.smallPut),
      smallCell(c.smallGet),
    ]),
  );
}

function best(values: (number | undefined)[]): number | undefined {
  const present = values.filter((v): v is number => v !== undefined);
  return present.length ? Math.max(...present) : undefined;
}

/** What the report is built from: every figure measured and the settings they ran with. */
export interface ReportInput {
  endpoints: EndpointFigures[];
  trace: TraceFigures;
  tour: { medianMs?: number; error?: string };
  size: number;
  count: number;
  smallSize: number;
  concurrency: number;
}

/** A performance target, what was measured against it, and whether it was met. */
export interface Target {
  target: string;
  measured: string;
  met: boolean | undefined;
}

/**
 * Builds the report: one markdown table per endpoint, then the targets with what was measured.
 *
 * @param input The figures.
 * @returns The markdown to print and the targets, for the JSON results.
 */
export function buildReport(input: ReportInput): { markdown: string; targets: Target[] } {
  const parts: string[] = [];
  const targets: Target[] = [];
  for (const e of input.endpoints) {
    parts.push(
      `### ${e.endpoint} (${e.url}): ` +
        `${e.size === undefined ? "no large" : sizeLabel(e.size)} transfers, ` +
        `${input.count} × ${sizeLabel(input.smallSize)} objects, ${input.concurrency} in flight`,
      "",
      endpointTable(e),
      "",
    );
  }
  const embedded = input.endpoints[0];
  const lib = embedded.clients.filter((c) => c.client.startsWith("lib"));
  const others = embedded.clients.filter((c) => !c.client.startsWith("lib"));
  for (const direction of ["upload", "download"] as const) {
    const ours = best(lib.map((c) => c[direction].mbPerSecond));
    const theirs = best(others.map((c) => c[direction].mbPerSecond));
    const ratio = ours !== undefined && theirs ? ours / theirs : undefined;
    const bestName = others.find((c) => c[direction].mbPerSecond === theirs)?.client ?? "–";
    targets.push({
      target: `lib ${direction} ≥ 1.0× best other (embedded)`,
      measured: `${cell(ratio, 2)}× (lib ${cell(ours, 1)} MB/s vs ${bestName} ${
        cell(theirs, 1)
      } MB/s)`,
      met: ratio === undefined ? undefined : ratio >= 1,
    });
  }
  for (const c of lib) {
    const peak = best([c.upload.clientPeakRss, c.download.clientPeakRss]);
    targets.push({
      target: `${c.client} peak RSS < 150 MB (${sizeLabel(input.size)})`,
      measured: `${cell(mb(peak))} MB`,
      met: peak === undefined ? undefined : peak < 150 * MB,
    });
  }
  const serverPeak = best(
    embedded.clients.flatMap((c) => [c.upload.serverPeakRss, c.download.serverPeakRss]),
  );
  const serverLibPeak = best(
    lib.flatMap((c) => [c.upload.serverPeakRss, c.download.serverPeakRss]),
  );
  targets.push({
    target: "embedded server (--data) peak RSS < 150 MB",
    measured: `${cell(mb(serverLibPeak))} MB serving the lib, ${
      cell(mb(serverPeak))
    } MB serving any client`,
    met: serverPeak === undefined ? undefined : serverPeak < 150 * MB,
  });
  const rgw = input.endpoints.find((e) => e.endpoint === "rgw");
  const ops = (f: SmallFigures | undefined) => f?.innerOpsPerSecond ?? f?.opsPerSecond;
  for (const ours of input.endpoints.filter((e) => e.endpoint.startsWith("embedded"))) {
    if (!rgw) break;
    for (const phase of ["smallPut", "smallGet"] as const) {
      const pairs = ours.clients.map((c) => ({
        client: c.client,
        ours: ops(c[phase]),
        theirs: ops(rgw.clients.find((r) => r.client === c.client)?.[phase]),
      })).filter((p) => p.ours !== undefined && p.theirs !== undefined);
      targets.push({
        target: `${ours.endpoint} ${phase === "smallPut" ? "PUT" : "GET"} ops/s ≥ RGW's`,
        measured: pairs.map((p) => `${p.client} ${cell(p.ours! / p.theirs!, 2)}×`).join(", ") ||
          "–",
        met: pairs.length ? pairs.every((p) => p.ours! >= p.theirs!) : undefined,
      });
    }
  }
  if (!rgw) {
    targets.push({
      target: "embedded small-object ops/s ≥ RGW's",
      measured: "RGW not measured (set RGW_ENDPOINT)",
      met: undefined,
    });
  }
  targets.push({
    target: "tracer overhead < 5 % (lib, small PUT+GET)",
    measured: input.trace.error ??
      `${cell(input.trace.overheadPercent, 1)} % (tracer ${
          cell(input.trace.tracerUsPerRequest, 1)
        } µs of ${cell(input.trace.cpuUsPerRequest)} µs CPU per request); end to end, on vs off: ` +
        `CPU ${cell(input.trace.cpuOverheadPercent, 1)} %, wall ${
          cell(input.trace.wallOverheadPercent, 1)
        } % (noisy on shared cores)`,
    met: input.trace.overheadPercent === undefined ? undefined : input.trace.overheadPercent < 5,
  });
  targets.push({
    target: "headless tour < 2 s incl. start-up (`deno task tour`)",
    measured: input.tour.error ?? `${cell(input.tour.medianMs)} ms (median)`,
    met: input.tour.medianMs === undefined ? undefined : input.tour.medianMs < 2000,
  });
  parts.push(
    "### Targets",
    "",
    markdownTable(
      ["target", "measured", "met"],
      targets.map((t) => [t.target, t.measured, t.met === undefined ? "?" : t.met ? "yes" : "NO"]),
    ),
    "",
    "MB = 10^6 bytes. Times are wall times of each client process, start-up included; in " +
      "parentheses, ops/s as the client timed itself (lib, boto3), which the embedded-vs-RGW " +
      "ratios use when there. Client " +
      "RSS: peak of the client process (ru_maxrss); server RSS: the server process's VmHWM, " +
      "reset before each transfer.",
  );
  return { markdown: parts.join("\n"), targets };
}

/** Everything one run writes to `bench/results/`. */
export interface Results {
  /** When the run started. */
  started: Date;
  /** The options the run used. */
  settings: Record<string, unknown>;
  /** The figures per endpoint. */
  endpoints: EndpointFigures[];
  /** The tracer's cost. */
  trace: TraceFigures;
  /** The headless tour's wall times. */
  tour: unknown;
  /** Start-up: one process per small object (`_per_process.ts`). */
  startUp?: unknown;
  /** The targets, from {@linkcode buildReport}. */
  targets: Target[];
}

/**
 * Writes the results as JSON, with the machine they ran on, creating the folder if needed.
 *
 * @param path The file to write.
 * @param results The results.
 */
export async function writeResults(path: string, results: Results): Promise<void> {
  await Deno.mkdir(path.replace(/\/[^/]*$/, ""), { recursive: true });
  const { started, settings, ...figures } = results;
  await Deno.writeTextFile(
    path,
    JSON.stringify(
      {
        started: started.toISOString(),
        machine: { cpus: navigator.hardwareConcurrency, deno: Deno.version.deno },
        settings,
        ...figures,
      },
      null,
      2,
    ),
  );
}
