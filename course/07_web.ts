/**
 * Chapter 7 of the course, "From a web page": a page on another origin uploads to a bucket, first
 * refused for want of a CORS rule, then by presigned PUT from `fetch` and by presigned POST form,
 * each read back; on US-East 5 the form is answered 501.
 *
 * A notebook in jupytext's "percent" format (described in `tour/percent.ts`): `deno task notebook`
 * writes `notebooks/07-web.ipynb` from this file and `deno task tour web` runs the same cells in a
 * terminal.
 *
 * @module
 */

// %% [markdown]
// # From a web page
//
// A page served from one origin (scheme, host, port) may call another origin only if that origin
// says so: for a bucket, its *CORS rules*. Here a small page on its own port uploads to a bucket,
// first refused, then allowed, by a presigned PUT and by a presigned POST form.

// %% id="web-intro"
import { connect, createBucket, getText, preflight, presignPost, presignPut } from "../lib/mod.ts";
import { deleteBucket, emptyBucket, getBucketCors } from "../lib/mod.ts";
import { PutBucketCorsCommand } from "@aws-sdk/client-s3";
import { createPresignedPost } from "@aws-sdk/s3-presigned-post";
import { PageView, servePage, visit } from "../tour/web_page.ts";

// %% [markdown]
// ## Where to connect
//
// As in the first chapter: `{}` is the embedded server, `{ emulate: "us-east-5" }` behaves like
// DreamObjects US-East 5, `{ dreamobjects: true }` is your account (keys from `AWS_ACCESS_KEY_ID`
// and `AWS_SECRET_ACCESS_KEY`).

// %% id="web-options" tags=["parameters"]
const options = {}; // e.g. { dreamobjects: true } or { emulate: "us-east-5" }

// %% [markdown]
// ## Connect and make a bucket
//
// A fresh bucket has no CORS rules: no page from another origin may call it.

// %% id="web-connect"
const s3 = await connect(options);
const bucket = await createBucket(s3, { prefix: "web" });
s3.trace.show(bucket);

// %% [markdown]
// ## A page on another origin
//
// A static server on another loopback port serves the page: its origin is not the endpoint's.
// <notebook>It shows below, the same page the browser of the next step opens.</notebook>

// %% id="web-page"
const page = await servePage({ title: "A photo app" });
new PageView(page);

// %% [markdown]
// ## A browser opens it
//
// Headless Chromium when this machine has it and may start it; otherwise a stand-in that sends
// exactly what a browser sends and hides what a browser hides.

// %% id="web-browser"
const browser = await visit(page, { trace: s3.trace });
browser.by;

// %% [markdown]
// ## The page's upload is refused
//
// A presigned PUT carries its own signature, yet the browser first asks the bucket with a
// *preflight* (`OPTIONS`): no rule, `403`, and the PUT is never sent. The page only gets "Failed to
// fetch".

// %% id="web-refused"
const putUrl = await presignPut(s3, bucket, "from-page.txt", { contentType: "text/plain" });
const refused = await browser.put(putUrl, "hello from a web page");
s3.trace.show(refused);

// %% [markdown]
// ## What the browser asked
//
// The same preflight from the lib: `Origin`, `Access-Control-Request-Method: PUT` and the headers
// the page wants to send. A preflight is never signed: the bucket's rules alone decide.

// %% id="web-preflight"
const asked = { headers: ["content-type"], trace: s3.trace };
s3.trace.show(await preflight(putUrl, page.origin, asked));

// %% [markdown]
// ## A CORS rule, with the SDK
//
// `PutBucketCors` (`PUT /bucket?cors`): this origin may PUT, POST and GET, with any header, and the
// page may read the `ETag` of what it uploaded. Only the bucket's owner may set it.

// %% id="web-rule"
const rule = { AllowedOrigins: [page.origin], AllowedMethods: ["PUT", "POST", "GET"] };
const cors = { CORSRules: [{ ...rule, AllowedHeaders: ["*"], ExposeHeaders: ["ETag"] }] };
await s3.client.send(new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: cors }));
s3.trace.show();

// %% [markdown]
// ## The rule, read back
//
// `getBucketCors()` is the shorthand for `GetBucketCorsCommand` (`setBucketCors()` for the PUT
// above): the methods come back in the service's own order.

// %% id="web-rule-read"
s3.trace.show(await getBucketCors(s3, bucket));

// %% [markdown]
// ## Upload with a presigned PUT
//
// Now the preflight is answered with `Access-Control-Allow-Origin`, the browser sends the PUT, and
// the page can read its status and, exposed by the rule, the `ETag`.

// %% id="web-put"
const put = await browser.put(putUrl, "hello from a web page");
s3.trace.show(put);

// %% [markdown]
// ## Read it back
//
// The bytes the page sent, through the lib.

// %% id="web-put-read"
s3.trace.show(await getText(s3, bucket, "from-page.txt"));

// %% [markdown]
// ## A presigned POST, with the SDK
//
// A POST form carries a signed *policy*: which bucket and key, until when, how big. The SDK's
// `createPresignedPost` signs it locally (no request) and gives the fields the form sends first.

// %% id="web-post-sdk"
const asSdk = { Bucket: bucket, Key: "from-form.txt", Expires: 600 };
const signed = await createPresignedPost(s3.client, asSdk);
Object.keys(signed.fields);

// %% [markdown]
// ## The helper, with a size range
//
// `presignPost()` adds what a page usually wants: a `content-length-range` (here 1 byte to 1 KiB),
// a fixed Content-Type, more fields. A field the policy does not cover is refused.

// %% id="web-post-helper"
const post = await presignPost(s3, bucket, "from-form.txt", { contentLengthRange: [1, 1024] });
post.url;

// %% [markdown]
// ## Upload with the form
//
// The page posts the fields, then the file. A form needs no preflight; the rule lets the page read
// the answer. On US-East 5 the answer is `501 NotImplemented`: there, use the presigned PUT.

// %% id="web-post"
const posted = await browser.post(post, "hello from a form");
s3.trace.show(posted);

// %% [markdown]
// ## Read it back
//
// Where the form was accepted its file is the object; where it was refused (501), nothing was
// stored.

// %% id="web-post-read"
const formText = posted.result.ok ? await getText(s3, bucket, "from-form.txt") : "nothing stored";
s3.trace.show(formText);

// %% [markdown]
// ## Close the browser and the page
//
// The browser and the page's server stop here.

// %% id="web-close-page"
await browser.close();
await page.close();

// %% [markdown]
// ## Delete the bucket
//
// `emptyBucket()` removes what the page uploaded; the CORS rules go with the bucket.

// %% id="web-cleanup" tags=["cleanup"]
await emptyBucket(s3, bucket);
await deleteBucket(s3, bucket);
s3.trace.show();

// %% [markdown]
// ## Done
//
// Closing the connection stops the embedded server, if one was started.

// %% id="web-close"
await s3.close();
