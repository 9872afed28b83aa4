/**
 * A real headless Chromium (Debian's, through puppeteer-core) runs a page served from another
 * origin and uploads to a bucket the two ways a web app does, a presigned PUT sent with `fetch`
 * and a presigned POST form: refused before the bucket has a CORS rule, accepted after; every
 * upload's bytes are checked through the lib. On the embedded server always, on Ceph RGW, and on
 * the US-East 5 stand-in (where the POST is `501 NotImplemented` and the PUT works).
 *
 * What the browser shows is the lesson: without a rule the PUT's preflight is refused, so the PUT
 * is never sent; the form's POST needs no preflight, so it is sent and stored, and only its answer
 * is hidden from the page. CORS protects what a page may read; the POST policy protects the bucket.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Page } from "puppeteer-core";
import {
  connect,
  type Connection,
  createBucket,
  deleteBucket,
  emptyBucket,
  getText,
  headObject,
  presignPost,
  presignPut,
  setBucketCors,
} from "../../lib/mod.ts";
import { DEMO_USERS } from "../../server/demo_users.ts";
import { type PageResult, servePage } from "../../tour/web_page.ts";
import { launchBrowser } from "../support/browser.ts";
import { engineTest, rgwEndpoint } from "../support/engines.ts";

const noEnv = { get: (_: string) => undefined };

async function stored(s3: Connection, bucket: string, key: string): Promise<boolean> {
  try {
    await headObject(s3, bucket, key);
    return true;
  } catch {
    return false;
  }
}

function putFromPage(page: Page, url: string, text: string): Promise<PageResult> {
  return page.evaluate(
    (u, t) =>
      (globalThis as unknown as { putWithFetch: (u: string, t: string) => Promise<PageResult> })
        .putWithFetch(u, t),
    url,
    text,
  );
}

function postFromPage(
  page: Page,
  url: string,
  fields: Record<string, string>,
  text: string,
): Promise<PageResult> {
  return page.evaluate(
    (u, f, t) =>
      (globalThis as unknown as {
        postWithForm: (u: string, f: Record<string, string>, t: string) => Promise<PageResult>;
      }).postWithForm(u, f, t),
    url,
    fields,
    text,
  );
}

async function uploadsFromAPage(s3: Connection, postServed: boolean): Promise<void> {
  await using site = await servePage();
  await using browser = await launchBrowser();
  const page = await browser.newPage();
  await page.goto(site.url);
  const bucket = await createBucket(s3, { prefix: "b-page" });
  try {
    const putUrl = (key: string) => presignPut(s3, bucket, key, { contentType: "text/plain" });
    const form = (key: string) => presignPost(s3, bucket, key, { contentLengthRange: [1, 1024] });

    // No CORS rule: the PUT's preflight is refused, so the browser never sends the PUT.
    const putBefore = await putFromPage(page, await putUrl("put-before.txt"), "before");
    assert.equal(putBefore.status, 0);
    assert.match(putBefore.error ?? "", /Failed to fetch/);
    assert.equal(await stored(s3, bucket, "put-before.txt"), false);
    // The form needs no preflight: it is sent (stored where POST is served), its answer hidden.
    const postForm = await form("post-before.txt");
    const postBefore = await postFromPage(page, postForm.url, postForm.fields, "before");
    assert.equal(postBefore.status, 0);
    assert.equal(await stored(s3, bucket, "post-before.txt"), postServed);

    await setBucketCors(s3, bucket, [{
      AllowedOrigins: [site.origin],
      AllowedMethods: ["PUT", "POST", "GET"],
      AllowedHeaders: ["*"],
      ExposeHeaders: ["ETag"],
    }]);

    const putAfter = await putFromPage(page, await putUrl("put-after.txt"), "PUT from a page");
    assert.deepEqual([putAfter.ok, putAfter.status], [true, 200]);
    assert.match(putAfter.etag ?? "", /^"[0-9a-f]{32}"$/);
    assert.equal(await getText(s3, bucket, "put-after.txt"), "PUT from a page");

    const after = await form("post-after.txt");
    const postAfter = await postFromPage(page, after.url, after.fields, "POST from a page");
    if (postServed) {
      assert.deepEqual([postAfter.ok, postAfter.status], [true, 204]);
      assert.equal(await getText(s3, bucket, "post-after.txt"), "POST from a page");
    } else {
      // The stand-in answers the form 501, with the CORS headers: the page can read why.
      assert.deepEqual([postAfter.ok, postAfter.status], [false, 501]);
      assert.equal(await stored(s3, bucket, "post-after.txt"), false);
    }
  } finally {
    await emptyBucket(s3, bucket).catch(() => {});
    await deleteBucket(s3, bucket).catch(() => {});
  }
}

engineTest(
  "chromium",
  "a page on another origin uploads by PUT and POST once CORS allows it",
  async () => {
    await using s3 = await connect({ env: noEnv });
    await uploadsFromAPage(s3, true);
  },
);

engineTest(
  ["chromium", "rgw"],
  "a page on another origin uploads by PUT and POST on Ceph RGW once CORS allows it",
  async () => {
    const demo = DEMO_USERS[0];
    await using s3 = await connect({
      endpoint: rgwEndpoint(),
      accessKeyId: demo.accessKeyId,
      secretAccessKey: demo.secretAccessKey,
      env: noEnv,
    });
    await uploadsFromAPage(s3, true);
  },
);

engineTest(
  "chromium",
  "on the US-East 5 stand-in a page's PUT works once CORS allows it and its POST form is 501",
  async () => {
    await using s3 = await connect({ emulate: "us-east-5", env: noEnv });
    await uploadsFromAPage(s3, false);
  },
);
