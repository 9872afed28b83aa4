/**
 * Headless Chromium for tests, driven with puppeteer-core: Debian's `chromium` (an engine: start
 * it only inside `engineTest("chromium", ...)`), with the flags a machine with no outside network
 * needs (no background connections, no component updates) and a fresh profile that is removed on
 * close.
 *
 * @example
 * ```ts ignore
 * import { launchBrowser } from "./browser.ts";
 * await using browser = await launchBrowser();
 * const page = await browser.newPage();
 * await page.goto("http://127.0.0.1:8000/");
 * ```
 *
 * @module
 */

import puppeteer, { type Browser } from "puppeteer-core";
import { engineExecutable } from "./engines.ts";

/** A browser that closes (and removes its profile) with `await using`. */
export type TestBrowser = Browser & AsyncDisposable;

/**
 * Starts headless Chromium.
 *
 * @returns The browser; close it (or `await using`).
 */
export async function launchBrowser(): Promise<TestBrowser> {
  const profile = await Deno.makeTempDir({ prefix: "chromium-profile-" });
  const browser = await puppeteer.launch({
    executablePath: engineExecutable("chromium"),
    userDataDir: profile,
    protocolTimeout: 60_000,
    timeout: 60_000,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  const close = async () => {
    await browser.close().catch(() => {});
    await Deno.remove(profile, { recursive: true }).catch(() => {});
  };
  return Object.assign(browser, { [Symbol.asyncDispose]: close });
}
