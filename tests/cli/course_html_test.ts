/**
 * `deno task course:html`: the command line, the index page, and the whole site built as a reader
 * gets it, every chapter executed in Jupyter and opened in headless Chromium from the index: each
 * page shows its traffic tables (the first its picture too) and no raw signature.
 */

import assert from "node:assert/strict";
import { pathToFileURL } from "node:url";
import { CHAPTERS } from "../../tour/chapters.ts";
import { runDeno, taskArgs } from "../support/commands.ts";
import { launchBrowser } from "../support/browser.ts";
import { engineTest } from "../support/engines.ts";

Deno.test("deno task course:html refuses an unknown chapter in one line, naming the chapters", async () => {
  const out = await runDeno([...taskArgs("course:html"), "no-such-chapter"]);
  assert.equal(out.code, 2);
  assert.match(
    out.stderr,
    /Cannot build chapter "no-such-chapter": the chapters are getting-started/,
  );
  assert.doesNotMatch(out.stderr, /\n\s+at /);
});

engineTest(
  ["jupyter", "chromium"],
  "deno task course:html writes every chapter's page, linked in course order, each rendering its traffic",
  async () => {
    const site = await Deno.makeTempDir({ prefix: "course-site-" });
    try {
      const run = await runDeno([...taskArgs("course:html"), "--out", site], {
        timeoutMs: 15 * 60_000,
      });
      assert.equal(run.code, 0, `course:html failed:\n${run.stdout}\n${run.stderr}`);
      await using browser = await launchBrowser();
      const page = await browser.newPage();
      await page.goto(pathToFileURL(`${site}/index.html`).href);
      const links = await page.$$eval(
        "ol.chapters a",
        (as) => as.map((a) => ({ text: a.textContent ?? "", href: a.getAttribute("href") ?? "" })),
      );
      assert.deepEqual(
        links.map((l) => l.text),
        CHAPTERS.map((c, i) => `${i + 1}. ${c.title}`),
        "the index links every chapter in course order",
      );
      for (const [i, link] of links.entries()) {
        await page.goto(new URL(link.href, pathToFileURL(`${site}/index.html`)).href);
        const traffic = await page.$$eval(
          "table",
          (tables) =>
            tables.filter((t) =>
              [...t.querySelectorAll("th")].some((th) => th.textContent === "operation")
            ).length,
        );
        assert.ok(traffic >= 1, `${link.text}: no traffic table rendered`);
        const text = await page.$eval("body", (b) => b.innerText);
        assert.doesNotMatch(text, /Signature=[0-9a-f]{64}/, `${link.text}: a raw signature`);
        // A cell that raised made the command fail above; a lesson may show an error as a value
        // (chapter 7's "TypeError: Failed to fetch" is the browser hiding a refused answer).
        assert.doesNotMatch(text, /Traceback|Uncaught /, link.text);
        if (i === 0) {
          const pictures = await page.$$eval(
            "img",
            (imgs) =>
              imgs.filter((img) => (img as unknown as { naturalWidth: number }).naturalWidth > 0)
                .length,
          );
          assert.ok(pictures >= 1, `${link.text}: the picture did not render`);
        }
      }
    } finally {
      await Deno.remove(site, { recursive: true }).catch(() => {});
    }
  },
);
