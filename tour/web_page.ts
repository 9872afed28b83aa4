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
