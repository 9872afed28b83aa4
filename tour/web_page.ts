/**
 * A small web page served from its own origin (a static server on another loopback port than
 * the S3 endpoint), for the chapter "From a web page" and the Chromium test: it uploads to a
 * bucket the two ways a web app does, a presigned PUT sent with `fetch` and a presigned POST
 * form, and reports what the browser let the page see. The same page is shown in the notebook
 * (an iframe) and driven headless by the tests.
 *
 * In the page, `window.putWithFetch(url, text, type)` and `window.postWithForm(url, fields,
 * text)` resolve to `{ ok, status, etag?, error? }`: `status` 0 with an `error` is what a page
 * gets when CORS refuses it ("TypeError: Failed to fetch"): it cannot even read the status.
 *
 * @module
 */

import { escapeHtml, paint, View } from "../lib/display.ts";
import { postForm, preflight } from "../lib/browser.ts";
import type { PresignedPost } from "../lib/cors.ts";
import type { Traffic } from "../lib/traffic.ts";
import type { HTTPRequest as PuppeteerRequest, Page as PuppeteerPage } from "puppeteer-core";

/** A web page being served. */
export interface WebPage {
  /** The page's origin, e.g. `http://127.0.0.1:41234`: what a CORS rule must allow. */
  readonly origin: string;
  /** The page's URL. */
  readonly url: string;
  /** Stops serving. */
  close(): Promise<void>;
  /** Same as `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** What the page's upload functions resolve to. */
export interface PageResult {
  /** Whether the answer was 2xx (and readable). */
  ok: boolean;
  /** The status the page could read; 0 when the browser hid the answer (CORS). */
  status: number;
  /** The `ETag` the page could read (only when the rule exposes it). */
  etag?: string;
  /** The error the page got, e.g. `TypeError: Failed to fetch`. */
  error?: string;
}

const SCRIPT = `
async function answer(request) {
  try {
    const response = await request;
    await response.text();
    return { ok: response.ok, status: response.status, etag: response.headers.get("etag") ?? undefined };
  } catch (error) {
    return { ok: false, status: 0, error: String(error) };
  }
}
function show(what, result) {
  const line = document.createElement("li");
  line.textContent = what + ": " + (result.status === 0 ? result.error + " (the browser hid the answer)" : result.status + (result.etag ? " ETag " + result.etag : ""));
  document.getElementById("log").append(line);
  return result;
}
window.putWithFetch = async (url, text, type = "text/plain") =>
  show("PUT with fetch", await answer(fetch(url, { method: "PUT", body: text, headers: { "content-type": type } })));
window.postWithForm = async (url, fields, text) => {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append("file", new Blob([text], { type: "text/plain" }), "page.txt");
  return show("POST form", await answer(fetch(url, { method: "POST", body: form })));
};
`;

function html(title: string): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${title}</title></head>
<body style="font-family: sans-serif">
<h3>${title}</h3>
<p>This page's origin: <code id="origin"></code>. Its uploads:</p>
<ul id="log"></ul>
<script>document.getElementById("origin").textContent = location.origin;${SCRIPT}</script>
</body></html>`;
}

/**
 * Serves the page on a free loopback port.
 *
 * @param options The page's title. @default "An app on another origin"
 * @returns The page; close it (or `await using`).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { servePage } from "./web_page.ts";
 *
 * await using page = await servePage();
 * const text = await (await fetch(page.url)).text();
 * assert.match(text, /putWithFetch/);
 * ```
 */
export function servePage(options: { title?: string } = {}): Promise<WebPage> {
  const body = html(options.title ?? "An app on another origin");
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (request) =>
      new URL(request.url).pathname === "/"
        ? new Response(body, { headers: { "content-type": "text/html; charset=utf-8" } })
        : new Response("Not found", { status: 404 }),
  );
  const origin = `http://127.0.0.1:${server.addr.port}`;
  let closing: Promise<void> | undefined;
  const close = () => closing ??= server.shutdown();
  return Promise.resolve({
    origin,
    url: `${origin}/`,
    close,
    [Symbol.asyncDispose]: close,
  });
}

/** The page, for a notebook (an iframe) or a terminal (its address). */
export class PageView extends View {
  /** The page shown. */
  readonly page: WebPage;

  /**
   * @param page The page.
   */
  constructor(page: WebPage) {
    super();
    this.page = page;
  }

  /** @returns The page's address and origin. */
  toText(color = false): string {
    return `The page: ${paint(this.page.url, "bold", color)} (origin ${this.page.origin})`;
  }

  /** @returns An iframe showing the page. */
  toHtml(): string {
    return `<iframe src="${escapeHtml(this.page.url)}" width="100%" height="200" ` +
      `style="border: 1px solid #ccc"></iframe>`;
  }
}

/** What one upload from the page got, as the page saw it. */
export class UploadOutcome extends View {
  /** What was tried, e.g. `PUT with fetch`. */
  readonly what: string;
  /** What the page saw. */
  readonly result: PageResult;
  /** Who ran the page: `Chromium`, or the lib sending what a browser sends. */
  readonly by: string;

  /**
   * @param what What was tried.
   * @param result What the page saw.
   * @param by Who ran the page.
   */
  constructor(what: string, result: PageResult, by: string) {
    super();
    this.what = what;
    this.result = result;
    this.by = by;
  }

  #line(): string {
    const r = this.result;
    return r.status === 0
      ? `${r.error ?? "refused"}: the browser hid the answer`
      : `${r.status}${r.etag ? `, ETag ${r.etag}` : ""}`;
  }

  /** @returns One line. */
  toText(color = false): string {
    return `${this.what} (${this.by}): ` +
      paint(this.#line(), this.result.ok ? "green" : "yellow", color);
  }

  /** @returns One paragraph. */
  toHtml(): string {
    const colour = this.result.ok ? "#1a7f37" : "#9a6700";
    return `<p>${escapeHtml(this.what)} <small>(${escapeHtml(this.by)})</small>: ` +
      `<b style="color:${colour}">${escapeHtml(this.#line())}</b></p>`;
  }
}

/** A browser with the page open. */
export interface Visitor {
  /** `Chromium`, or the stand-in used where no Chromium may run. */
  readonly by: string;
  /** The page PUTs `text` to a presigned URL with `fetch`. */
  put(url: string, text: string): Promise<UploadOutcome>;
  /** The page posts a presigned POST form with `text` as its file. */
  post(post: PresignedPost, text: string): Promise<UploadOutcome>;
  /** Closes the browser. */
  close(): Promise<void>;
  /** Same as `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** Debian's Chromium (or `$CHROMIUM`), when it is there and this process may start it. */
function chromiumPath(): string | undefined {
  let path = "/usr/bin/chromium";
  try {
    if (Deno.permissions.querySync({ name: "env", variable: "CHROMIUM" }).state === "granted") {
      path = Deno.env.get("CHROMIUM") ?? path;
    }
    const allowed = ["run", "write"].every((name) =>
      Deno.permissions.querySync({ name } as Deno.PermissionDescriptor).state === "granted"
    );
    return allowed && Deno.statSync(path).isFile ? path : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Opens the page in headless Chromium when this machine has it (Debian's `chromium`, or the path
 * in `$CHROMIUM`) and this process may start it; otherwise in a stand-in that sends what a
 * browser sends (the preflight, then the request, with the page's `Origin`) through the lib and
 * hides what a browser would hide. Requests the stand-in sends go to `trace`.
 *
 * @param page The page.
 * @param options The trace for the stand-in's requests.
 * @returns The visitor; close it.
 */
export async function visit(page: WebPage, options: { trace?: Traffic } = {}): Promise<Visitor> {
  const executablePath = chromiumPath();
  if (executablePath === undefined) return standIn(page, options.trace);
  const { default: puppeteer } = await import("puppeteer-core");
  const profile = await Deno.makeTempDir({ prefix: "web-chapter-chromium-" });
  const browser = await puppeteer.launch({
    executablePath,
    userDataDir: profile,
    args: CHROMIUM_FLAGS,
    timeout: 60_000,
  });
  const tab = await browser.newPage();
  const settled = recordBrowserTraffic(tab, page, options.trace);
  await tab.goto(page.url);
  type PageFns = {
    putWithFetch(u: string, t: string): Promise<PageResult>;
    postWithForm(u: string, f: Record<string, string>, t: string): Promise<PageResult>;
  };
  let closing: Promise<void> | undefined;
  const close = () =>
    closing ??= (async () => {
      await browser.close().catch(() => {});
      await Deno.remove(profile, { recursive: true }).catch(() => {});
    })();
  return {
    by: "Chromium",
    put: async (url, text) => {
      const result = await tab.evaluate(
        (u, t) => (globalThis as unknown as PageFns).putWithFetch(u, t),
        url,
        text,
      );
      await settled();
      return new UploadOutcome("PUT with fetch", result, "Chromium");
    },
    post: async (post, text) => {
      const result = await tab.evaluate(
        (u, f, t) => (globalThis as unknown as PageFns).postWithForm(u, f, t),
        post.url,
        post.fields,
        text,
      );
      await settled();
      return new UploadOutcome("POST form", result, "Chromium");
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

const OPERATIONS: Record<string, string> = {
  OPTIONS: "Preflight",
  PUT: "PutObject",
  POST: "PostObject",
  GET: "GetObject",
};

/**
 * Records in `trace` every request the page sends to another origin (preflights included, as
 * Chromium's DevTools protocol reports them), once it finished or failed.
 *
 * @returns A wait for the requests in flight to be recorded (at most 5 s).
 */
function recordBrowserTraffic(tab: PuppeteerPage, page: WebPage, trace?: Traffic) {
  const started = new Map<unknown, number>();
  const record = (request: PuppeteerRequest, failure?: string) => {
    const start = started.get(request);
    started.delete(request);
    if (!trace || start === undefined) return;
    const response = request.response();
    const headers = response?.headers() ?? {};
    trace.record({
      source: "probe",
      operation: OPERATIONS[request.method()],
      method: request.method(),
      url: request.url(),
      status: response?.status() ?? 0,
      code: failure ? `never sent (${failure})` : undefined,
      requestHeaders: { origin: page.origin },
      responseHeaders: Object.fromEntries(
        Object.entries(headers).filter(([n]) =>
          n.startsWith("access-control-") || ["etag", "content-length", "location"].includes(n)
        ),
      ),
      bytesSent: Number(request.headers()["content-length"] ?? 0),
      bytesReceived: Number(headers["content-length"] ?? 0),
      ms: Math.round((performance.now() - start) * 10) / 10,
    });
  };
  tab.on("request", (request) => {
    if (!request.url().startsWith(page.origin)) started.set(request, performance.now());
  });
  tab.on("requestfinished", (request) => record(request));
  tab.on("requestfailed", (request) => record(request, request.failure()?.errorText ?? "failed"));
  return async () => {
    const deadline = Date.now() + 5_000;
    while (started.size > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
}

function standIn(page: WebPage, trace?: Traffic): Visitor {
  const by = "no Chromium here: the lib sends what a browser sends";
  const hidden = { ok: false, status: 0, error: "TypeError: Failed to fetch" };
  return {
    by,
    async put(url, text) {
      const asked = await preflight(url, page.origin, { headers: ["content-type"], trace });
      if (!asked.allowed) return new UploadOutcome("PUT with fetch", hidden, by);
      const started = performance.now();
      const response = await fetch(url, {
        method: "PUT",
        body: text,
        headers: { origin: page.origin, "content-type": "text/plain" },
        signal: AbortSignal.timeout(10_000),
      });
      await response.body?.cancel();
      trace?.record({
        source: "probe",
        operation: "PutObject",
        method: "PUT",
        url,
        status: response.status,
        requestHeaders: { origin: page.origin },
        responseHeaders: Object.fromEntries(
          [...response.headers].filter(([n]) => n.startsWith("access-control-") || n === "etag"),
        ),
        bytesSent: new TextEncoder().encode(text).length,
        bytesReceived: 0,
        ms: Math.round((performance.now() - started) * 10) / 10,
      });
      const exposed = (response.headers.get("access-control-expose-headers") ?? "")
        .toLowerCase().split(",").map((h) => h.trim());
      return new UploadOutcome("PUT with fetch", {
        ok: response.ok,
        status: response.status,
        etag: exposed.includes("etag") ? response.headers.get("etag") ?? undefined : undefined,
      }, by);
    },
    async post(post, text) {
      const sent = await postForm(post, text, { origin: page.origin, trace });
      const result = sent.allowed ? { ok: sent.ok, status: sent.status } : hidden;
      return new UploadOutcome("POST form", result, by);
    },
    close: () => Promise.resolve(),
    [Symbol.asyncDispose]: () => Promise.resolve(),
  };
}
