/**
 * Conformance cases: `Expect: 100-continue`. A request refused from its head alone (no such
 * bucket, a bad signature, no permission, too large) is answered before its body is sent, with
 * no `100 Continue`; RGW 16 then reads the next request on the connection, the embedded server
 * closes it (allowlisted: the body sent anyway would be read as a request). A request the server
 * accepts gets `100 Continue` and then reads the body. Each case compares the final answer, whether
 * `100 Continue` came first (`x-test-interim`) and how a ListBuckets sent next on the same
 * connection is answered (`x-test-next-request`); see `../continue.ts`.
 *
 * @module
 */

import type { Case } from "../runner.ts";
import { ANON, bucket, createUpload, grantXml, OTHER, put } from "./_common.ts";

const SEEN = ["header:x-test-interim", "header:x-test-next-request"];

function upload(extra: Partial<Case["request"]> = {}): Case["request"] {
  return {
    method: "PUT",
    bucket: "{b}",
    key: "k",
    body: "a body sent only after 100 Continue",
    expectContinue: true,
    ...extra,
  };
}

export const EXPECT_CONTINUE: Case[] = [
  {
    name: "Expect: 100-continue on an accepted PutObject gets 100 Continue, then the object",
    setup: [bucket()],
    request: upload(),
    expect: { status: 200 },
    compare: [...SEEN, "header:etag"],
  },
  {
    name: "Expect: 100-continue on an anonymous PutObject into a private bucket is refused first",
    setup: [bucket()],
    request: upload({ auth: ANON }),
    expect: { status: 403, code: "AccessDenied" },
    compare: SEEN,
  },
  {
    name: "Expect: 100-continue on another user's PutObject into a private bucket is refused first",
    setup: [bucket()],
    request: upload({ auth: OTHER }),
    expect: { status: 403, code: "AccessDenied" },
    compare: SEEN,
  },
  {
    name: "Expect: 100-continue with a wrong secret is refused before the body",
    setup: [bucket()],
    request: upload({ auth: { wrongSecret: true } }),
    expect: { status: 403, code: "SignatureDoesNotMatch" },
    compare: SEEN,
  },
  {
    name: "Expect: 100-continue with an unknown access key is refused before the body",
    setup: [bucket()],
    request: upload({ auth: { unknownKey: true } }),
    expect: { status: 403, code: "InvalidAccessKeyId" },
    compare: SEEN,
  },
  {
    name: "Expect: 100-continue signed an hour ago is refused before the body",
    setup: [bucket()],
    request: upload({ auth: { signedSecondsAgo: 3600 } }),
    expect: { status: 403, code: "RequestTimeTooSkewed" },
    compare: SEEN,
  },
  {
    name: "Expect: 100-continue on a PutObject into a missing bucket is refused first",
    request: upload(),
    expect: { status: 404, code: "NoSuchBucket" },
    compare: SEEN,
  },
  {
    name: "Expect: 100-continue on a PutObject announcing over 5 GiB is refused first",
    setup: [bucket()],
    request: upload({
      headers: { "content-length": String(5 * 1024 ** 3 + 1) },
      auth: { scheme: "v4-unsigned-payload" },
    }),
    expect: { status: 400, code: "EntityTooLarge" },
    compare: SEEN,
  },
  {
    name: "Expect: 100-continue on an anonymous PutObject into a public-read-write bucket",
    setup: [bucket("public-read-write")],
    request: upload({ auth: ANON }),
    expect: { status: 200 },
    compare: [...SEEN, "header:etag"],
  },
  {
    name: "Expect: 100-continue on UploadPart gets 100 Continue, then the part",
    setup: [bucket(), createUpload()],
    request: upload({ key: "mp.bin", query: { partNumber: "1", uploadId: "{upload}" } }),
    expect: { status: 200 },
    compare: [...SEEN, "header:etag"],
  },
  {
    name: "Expect: 100-continue on UploadPart of an unknown upload",
    setup: [bucket()],
    request: upload({ key: "mp.bin", query: { partNumber: "1", uploadId: "2~nosuchupload" } }),
    expect: { status: 404, code: "NoSuchUpload" },
    compare: SEEN,
  },
  {
    name: "Expect: 100-continue on another user's PutObjectAcl is refused first",
    setup: [bucket(), put("k")],
    request: upload({ query: { acl: "" }, body: grantXml("READ"), auth: OTHER }),
    expect: { status: 403, code: "AccessDenied" },
    compare: SEEN,
  },
  {
    name: "Expect: 100-continue on an anonymous DeleteObjects is refused first",
    setup: [bucket(), put("k")],
    request: upload({
      method: "POST",
      key: undefined,
      query: { delete: "" },
      body: "<Delete><Object><Key>k</Key></Object></Delete>",
      md5: true,
      auth: ANON,
    }),
    expect: { status: 403, code: "AccessDenied" },
    compare: SEEN,
  },
  {
    name: "Expect: 100-continue with a Content-MD5 that does not match the body",
    setup: [bucket()],
    request: upload({ headers: { "content-md5": "XrY7u+Ae7tCTyyK7j1rNww==" } }),
    expect: { status: 400, code: "BadDigest" },
    compare: SEEN,
  },
  {
    name: "Expect: 100-continue with a payload hash that does not match the body",
    setup: [bucket()],
    request: upload({ auth: { tamper: "payload-hash" } }),
    expect: { status: 400, code: "XAmzContentSHA256Mismatch" },
    compare: SEEN,
  },
];
