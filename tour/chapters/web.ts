/**
 * Chapter "web": a web page on another origin uploads to a bucket. The page's upload refused for
 * want of a CORS rule, the rule added (with the SDK's `PutBucketCorsCommand`, then the lib), an
 * upload by presigned PUT from `fetch` and one by presigned POST form, each read back. On
 * US-East 5 the form is answered `501 NotImplemented`: a presigned PUT is the way there.
 *
 * @module
 */

import { type Step, step } from "../step.ts";
import { closeStep, optionsStep } from "./_common.ts";

/** The steps, in order. */
export const WEB_STEPS: readonly Step[] = [
  step({
    id: "web-intro",
    title: "From a web page",
    prose: `
A page served from one origin (scheme, host, port) may call another origin only if that origin
says so: for a bucket, its *CORS rules*. Here a small page on its own port uploads to a bucket,
first refused, then allowed, by a presigned PUT and by a presigned POST form.`,
    code: `
import { connect, createBucket, presignPut, presignPost, preflight, getText } from "../lib/mod.ts";
import { getBucketCors, emptyBucket, deleteBucket } from "../lib/mod.ts";
import { PutBucketCorsCommand } from "@aws-sdk/client-s3";
import { createPresignedPost } from "@aws-sdk/s3-presigned-post";
import { servePage, PageView, visit } from "../tour/web_page.ts";`,
  }),
  optionsStep("web"),
  step({
    id: "web-connect",
    title: "Connect and make a bucket",
    prose: `
A fresh bucket has no CORS rules: no page from another origin may call it.`,
    code: `
const s3 = await connect(options);
const bucket = await createBucket(s3, { prefix: "web" });
s3.trace.show(bucket)`,
  }),
  step({
    id: "web-page",
    title: "A page on another origin",
    prose: `
A static server on another loopback port serves the page: its origin is not the endpoint's. In a
notebook it shows below, the same page the browser of the next step opens.`,
    code: `
const page = await servePage({ title: "A photo app" });
new PageView(page)`,
  }),
  step({
    id: "web-browser",
    title: "A browser opens it",
    prose: `
Headless Chromium when this machine has it and may start it (the notebook can); otherwise a
stand-in that sends exactly what a browser sends and hides what a browser hides.`,
    code: `
const browser = await visit(page, { trace: s3.trace });
browser.by`,
  }),
  step({
    id: "web-refused",
    title: "The page's upload is refused",
    prose: `
A presigned PUT carries its own signature, yet the browser first asks the bucket with a *preflight*
(\`OPTIONS\`): no rule, \`403\`, and the PUT is never sent. The page only gets "Failed to fetch".`,
    code: `
const putUrl = await presignPut(s3, bucket, "from-page.txt", { contentType: "text/plain" });
const refused = await browser.put(putUrl, "hello from a web page");
s3.trace.show(refused)`,
  }),
  step({
    id: "web-preflight",
    title: "What the browser asked",
    prose: `
The same preflight from the lib: \`Origin\`, \`Access-Control-Request-Method: PUT\` and the headers
the page wants to send. A preflight is never signed: the bucket's rules alone decide.`,
    code: `
const asked = { headers: ["content-type"], trace: s3.trace };
s3.trace.show(await preflight(putUrl, page.origin, asked))`,
  }),
  step({
    id: "web-rule",
    title: "A CORS rule, with the SDK",
    prose: `
\`PutBucketCors\` (\`PUT /bucket?cors\`): this origin may PUT, POST and GET, with any header, and the
page may read the \`ETag\` of what it uploaded. Only the bucket's owner may set it.`,
    code: `
const rule = { AllowedOrigins: [page.origin], AllowedMethods: ["PUT", "POST", "GET"],
  AllowedHeaders: ["*"], ExposeHeaders: ["ETag"], MaxAgeSeconds: 600 };
const cors = { Bucket: bucket, CORSConfiguration: { CORSRules: [rule] } };
await s3.client.send(new PutBucketCorsCommand(cors));
s3.trace.show()`,
  }),
  step({
    id: "web-rule-read",
    title: "The rule, read back",
    prose: `
\`getBucketCors()\` is the shorthand for \`GetBucketCorsCommand\` (\`setBucketCors()\` for the PUT
above): the methods come back in the service's own order.`,
    code: `
s3.trace.show(await getBucketCors(s3, bucket))`,
  }),
  step({
    id: "web-put",
    title: "Upload with a presigned PUT",
    prose: `
Now the preflight is answered with \`Access-Control-Allow-Origin\`, the browser sends the PUT, and
the page can read its status and, exposed by the rule, the \`ETag\`.`,
    code: `
const put = await browser.put(putUrl, "hello from a web page");
s3.trace.show(put)`,
  }),
  step({
    id: "web-put-read",
    title: "Read it back",
    prose: `
The bytes the page sent, through the lib.`,
    code: `
s3.trace.show(await getText(s3, bucket, "from-page.txt"))`,
  }),
  step({
    id: "web-post-sdk",
    title: "A presigned POST, with the SDK",
    prose: `
A POST form carries a signed *policy*: which bucket and key, until when, how big. The SDK's
\`createPresignedPost\` signs it locally (no request) and gives the fields the form sends first.`,
    code: `
const asSdk = { Bucket: bucket, Key: "from-form.txt", Expires: 600 };
const signed = await createPresignedPost(s3.client, asSdk);
Object.keys(signed.fields)`,
  }),
  step({
    id: "web-post-helper",
    title: "The helper, with a size range",
    prose: `
\`presignPost()\` adds what a page usually wants: a \`content-length-range\` (here 1 byte to 1 KiB),
a fixed Content-Type, more fields. A field the policy does not cover is refused.`,
    code: `
const post = await presignPost(s3, bucket, "from-form.txt", { contentLengthRange: [1, 1024] });
post.url`,
  }),
  step({
    id: "web-post",
    title: "Upload with the form",
    prose: `
The page posts the fields, then the file. A form needs no preflight; the rule lets the page read
the answer. On US-East 5 the answer is \`501 NotImplemented\`: there, use the presigned PUT.`,
    code: `
const posted = await browser.post(post, "hello from a form");
s3.trace.show(posted)`,
  }),
  step({
    id: "web-post-read",
    title: "Read it back",
    prose: `
Where the form was accepted its file is the object; where it was refused (501), nothing was
stored.`,
    code: `
const formText = posted.result.ok ? await getText(s3, bucket, "from-form.txt") : "nothing stored";
s3.trace.show(formText)`,
  }),
  step({
    id: "web-close-page",
    title: "Close the browser and the page",
    prose: `
The browser and the page's server stop here.`,
    code: `
await browser.close();
await page.close();`,
  }),
  step({
    id: "web-cleanup",
    title: "Delete the bucket",
    prose: `
\`emptyBucket()\` removes what the page uploaded; the CORS rules go with the bucket.`,
    code: `
await emptyBucket(s3, bucket);
await deleteBucket(s3, bucket);
s3.trace.show()`,
    cleanup: true,
  }),
  closeStep("web"),
];
