/**
 * The verifier against AWS's published SigV4 examples, step by step (canonical request, string to
 * sign, signature), with the clock injected at the examples' dates.
 *
 * Sources: the SigV4 test suite ("get-vanilla", "get-vanilla-query-order-key-case") and the S3
 * "Signature Calculations" examples (GET object with Range, presigned GET of
 * examplebucket/test.txt, PUT in multiple chunks, with and without a trailer).
 */

import assert from "node:assert/strict";
import { authenticate, type AuthRequest } from "../../../server/auth/mod.ts";
import {
  canonicalQuery,
  canonicalRequest,
  parseQuery,
  stringToSignV4,
} from "../../../core/sigv4.ts";
import { chunkStringToSign } from "../../../server/auth/chunked.ts";
import { sha256Hex, signingKey, signV4 } from "../../../core/crypto.ts";
import { S3Error } from "../../../server/errors.ts";
import type { ServerUser } from "../../../server/types.ts";

const SUITE_USER: ServerUser = {
  id: "suite",
  displayName: "Suite",
  accessKeyId: "AKIDEXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
};
const S3_USER: ServerUser = {
  id: "s3doc",
  displayName: "S3 docs",
  accessKeyId: "AKIAIOSFODNN7EXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
};
const EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

function at(iso: string, user: ServerUser) {
  return { users: [user], now: () => new Date(iso) };
}

/** For the SigV4 test suite's requests, scoped to the service "service", not "s3". */
function atSuite(iso: string, user: ServerUser) {
  return { ...at(iso, user), service: "service" };
}

function request(
  method: string,
  url: string,
  headers: Record<string, string>,
  body: ReadableStream<Uint8Array> | null = null,
): AuthRequest {
  return { method, url, headers: new Headers(headers), address: { virtualHost: false }, body };
}

Deno.test("SigV4 test suite get-vanilla: canonical request, string to sign, signature", async (t) => {
  const headers = new Headers({ host: "example.amazonaws.com", "x-amz-date": "20150830T123600Z" });
  const canonical = canonicalRequest({
    method: "GET",
    path: "/",
    query: "",
    headers,
    signedHeaders: ["host", "x-amz-date"],
    payloadHash: EMPTY,
  });
  await t.step("canonical request", () => {
    assert.equal(
      canonical,
      "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" +
        EMPTY,
    );
  });
  const toSign = stringToSignV4(
    "20150830T123600Z",
    "20150830/us-east-1/service/aws4_request",
    sha256Hex(canonical),
  );
  await t.step("string to sign", () => {
    assert.equal(
      toSign,
      "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n" +
        "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63",
    );
  });
  await t.step("signing key and signature", () => {
    const key = signingKey(SUITE_USER.secretAccessKey, "20150830", "us-east-1", "service");
    assert.equal(
      Array.from(key, (b) => b.toString(16).padStart(2, "0")).join(""),
      "938127b5336810ddb6a5d6af445fcac9e371f9ed418ed386b022aed82901be75",
    );
    assert.equal(
      signV4(key, toSign),
      "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
    );
  });
  await t.step("authenticate() accepts the signed request", async () => {
    const auth = await authenticate(
      request("GET", "https://example.amazonaws.com/", {
        host: "example.amazonaws.com",
        "x-amz-date": "20150830T123600Z",
        authorization:
          "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, " +
          "SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
      }),
      atSuite("2015-08-30T12:36:00Z", SUITE_USER),
    );
    assert.equal(auth.principal.kind === "user" && auth.principal.user.id, "suite");
  });
});

Deno.test("SigV4 test suite get-vanilla-query-order-key-case: the query is sorted before signing", async () => {
  assert.equal(
    canonicalQuery(parseQuery("Param2=value2&Param1=value1")),
    "Param1=value1&Param2=value2",
  );
  const auth = await authenticate(
    request("GET", "https://example.amazonaws.com/?Param2=value2&Param1=value1", {
      host: "example.amazonaws.com",
      "x-amz-date": "20150830T123600Z",
      authorization:
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, " +
        "SignedHeaders=host;x-amz-date, Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
    }),
    atSuite("2015-08-30T12:36:00Z", SUITE_USER),
  );
  assert.equal(auth.principal.kind, "user");
});

const GET_OBJECT_HEADERS = {
  host: "examplebucket.s3.amazonaws.com",
  range: "bytes=0-9",
  "x-amz-content-sha256": EMPTY,
  "x-amz-date": "20130524T000000Z",
};

Deno.test("S3 example GET object with Range: each step matches the documentation", async (t) => {
  const canonical = canonicalRequest({
    method: "GET",
    path: "/test.txt",
    query: "",
    headers: new Headers(GET_OBJECT_HEADERS),
    signedHeaders: ["host", "range", "x-amz-content-sha256", "x-amz-date"],
    payloadHash: EMPTY,
  });
  await t.step("canonical request", () => {
    assert.equal(
      canonical,
      "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n" +
        `x-amz-content-sha256:${EMPTY}\nx-amz-date:20130524T000000Z\n\n` +
        `host;range;x-amz-content-sha256;x-amz-date\n${EMPTY}`,
    );
  });
  const toSign = stringToSignV4(
    "20130524T000000Z",
    "20130524/us-east-1/s3/aws4_request",
    sha256Hex(canonical),
  );
  await t.step("string to sign", () => {
    assert.equal(
      toSign,
      "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n" +
        "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972",
    );
  });
  const signature = "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41";
  await t.step("signature", () => {
    const key = signingKey(S3_USER.secretAccessKey, "20130524", "us-east-1", "s3");
    assert.equal(signV4(key, toSign), signature);
  });
  const authorization =
    "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request," +
    `SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=${signature}`;
  await t.step("authenticate() accepts it at its date", async () => {
    const auth = await authenticate(
      request("GET", "https://examplebucket.s3.amazonaws.com/test.txt", {
        ...GET_OBJECT_HEADERS,
        authorization,
      }),
      at("2013-05-24T00:05:00Z", S3_USER),
    );
    assert.equal(auth.principal.kind, "user");
  });
  await t.step("authenticate() refuses it a day later as RequestTimeTooSkewed", async () => {
    await assert.rejects(
      authenticate(
        request("GET", "https://examplebucket.s3.amazonaws.com/test.txt", {
          ...GET_OBJECT_HEADERS,
          authorization,
        }),
        at("2013-05-25T00:00:00Z", S3_USER),
      ),
      (e) => e instanceof S3Error && e.code === "RequestTimeTooSkewed",
    );
  });
  await t.step(
    "authenticate() refuses another range with the StringToSign it expected",
    async () => {
      await assert.rejects(
        authenticate(
          request("GET", "https://examplebucket.s3.amazonaws.com/test.txt", {
            ...GET_OBJECT_HEADERS,
            range: "bytes=0-99",
            authorization,
          }),
          at("2013-05-24T00:00:00Z", S3_USER),
        ),
        (e) =>
          e instanceof S3Error && e.code === "SignatureDoesNotMatch" &&
          e.fields.extra?.CanonicalRequest.includes("range:bytes=0-99\n") === true,
      );
    },
  );
});

const PRESIGNED =
  "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256" +
  "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request" +
  "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host" +
  "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";

Deno.test("S3 example presigned GET of examplebucket/test.txt is valid for exactly 86400 s", async (t) => {
  const headers = { host: "examplebucket.s3.amazonaws.com" };
  await t.step("canonical query leaves out X-Amz-Signature", () => {
    assert.equal(
      canonicalQuery(parseQuery(new URL(PRESIGNED).search.slice(1)), "X-Amz-Signature"),
      "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request" +
        "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host",
    );
  });
  await t.step("accepted one second before it expires", async () => {
    const auth = await authenticate(
      request("GET", PRESIGNED, headers),
      at("2013-05-24T23:59:59Z", S3_USER),
    );
    assert.equal(auth.principal.kind, "user");
  });
  await t.step("refused one second after with AccessDenied", async () => {
    await assert.rejects(
      authenticate(request("GET", PRESIGNED, headers), at("2013-05-25T00:00:01Z", S3_USER)),
      (e) =>
        e instanceof S3Error && e.code === "AccessDenied" &&
        e.message.startsWith("Request has expired"),
    );
  });
  await t.step("refused for another host", async () => {
    await assert.rejects(
      authenticate(
        request("GET", PRESIGNED, { host: "otherbucket.s3.amazonaws.com" }),
        at("2013-05-24T01:00:00Z", S3_USER),
      ),
      (e) => e instanceof S3Error && e.code === "SignatureDoesNotMatch",
    );
  });
});

function chunkedBody(parts: Array<[string, number]>, tail: string): ReadableStream<Uint8Array> {
  const pieces: Uint8Array[] = [];
  const text = new TextEncoder();
  for (const [header, size] of parts) {
    pieces.push(text.encode(`${header}\r\n`), new Uint8Array(size).fill(97), text.encode("\r\n"));
  }
  pieces.push(text.encode(tail));
  // Deliver in odd slices so that chunk headers and CRLFs straddle reads.
  const all = new Uint8Array(pieces.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of pieces) {
    all.set(p, offset);
    offset += p.length;
  }
  let position = 0;
  return new ReadableStream({
    pull(controller) {
      if (position >= all.length) return controller.close();
      const size = 1 + (position % 4093);
      controller.enqueue(all.slice(position, position + size));
      position += size;
    },
  });
}

const CHUNKED_HEADERS = {
  host: "s3.amazonaws.com",
  "x-amz-date": "20130524T000000Z",
  "x-amz-storage-class": "REDUCED_REDUNDANCY",
  "content-encoding": "aws-chunked",
  "x-amz-decoded-content-length": "66560",
  "content-length": "66824",
  "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
  authorization:
    "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request," +
    "SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;" +
    "x-amz-decoded-content-length;x-amz-storage-class," +
    "Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9",
};
const SEED = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
const CHUNK1 = "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648";
const CHUNK2 = "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497";
const FINAL = "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9";

Deno.test("S3 example PUT in multiple chunks: seed and chunk signatures", async (t) => {
  const signing = {
    signingKey: signingKey(S3_USER.secretAccessKey, "20130524", "us-east-1", "s3"),
    amzDate: "20130524T000000Z",
    scope: "20130524/us-east-1/s3/aws4_request",
    seedSignature: SEED,
  };
  await t.step("chunk signatures chain from the seed", () => {
    const first = chunkStringToSign(signing, SEED, sha256Hex(new Uint8Array(65536).fill(97)));
    assert.equal(
      first,
      `AWS4-HMAC-SHA256-PAYLOAD\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n${SEED}\n${EMPTY}\n` +
        "bf718b6f653bebc184e1479f1935b8da974d701b893afcf49e701f3e2f9f9c5a",
    );
    assert.equal(signV4(signing.signingKey, first), CHUNK1);
    const second = chunkStringToSign(signing, CHUNK1, sha256Hex(new Uint8Array(1024).fill(97)));
    assert.equal(signV4(signing.signingKey, second), CHUNK2);
    assert.equal(signV4(signing.signingKey, chunkStringToSign(signing, CHUNK2, EMPTY)), FINAL);
  });
  const now = at("2013-05-24T00:00:00Z", S3_USER);
  /** Authenticates the example's chunked PUT with these chunks and this tail. */
  const putChunks = (chunks: Array<[string, number]>, tail: string) =>
    authenticate(
      request(
        "PUT",
        "https://s3.amazonaws.com/examplebucket/chunkObject.txt",
        CHUNKED_HEADERS,
        chunkedBody(chunks, tail),
      ),
      now,
    );
  await t.step("authenticate() decodes the body to 66560 bytes of 'a'", async () => {
    const auth = await putChunks([[`10000;chunk-signature=${CHUNK1}`, 65536], [
      `400;chunk-signature=${CHUNK2}`,
      1024,
    ]], `0;chunk-signature=${FINAL}\r\n\r\n`);
    assert.equal(auth.contentLength, 66560);
    const bytes = new Uint8Array(await new Response(auth.body).arrayBuffer());
    assert.equal(bytes.length, 66560);
    assert.ok(bytes.every((b) => b === 97));
  });
  await t.step(
    "a wrong second chunk signature errors the stream with SignatureDoesNotMatch",
    async () => {
      const auth = await putChunks([[`10000;chunk-signature=${CHUNK1}`, 65536], [
        `400;chunk-signature=${CHUNK1}`,
        1024,
      ]], `0;chunk-signature=${FINAL}\r\n\r\n`);
      await assert.rejects(
        new Response(auth.body).arrayBuffer(),
        (e) => e instanceof S3Error && e.code === "SignatureDoesNotMatch",
      );
    },
  );
  await t.step("a body cut before the final chunk errors with IncompleteBody", async () => {
    const auth = await putChunks([[`10000;chunk-signature=${CHUNK1}`, 65536]], "");
    await assert.rejects(
      new Response(auth.body).arrayBuffer(),
      (e) => e instanceof S3Error && e.code === "IncompleteBody",
    );
  });
});

Deno.test("S3 example PUT in multiple chunks with a signed CRC32C trailer", async () => {
  const body = chunkedBody(
    [
      [
        "10000;chunk-signature=b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2",
        65536,
      ],
      [
        "400;chunk-signature=1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7",
        1024,
      ],
    ],
    "0;chunk-signature=2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992\r\n" +
      "x-amz-checksum-crc32c:sOO8/Q==\r\n" +
      "x-amz-trailer-signature:d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435\r\n\r\n",
  );
  const headers = {
    ...CHUNKED_HEADERS,
    "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
    "x-amz-trailer": "x-amz-checksum-crc32c",
    authorization:
      "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request," +
      "SignedHeaders=content-encoding;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;" +
      "x-amz-storage-class;x-amz-trailer,Signature=106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e",
  };
  const auth = await authenticate(
    request("PUT", "https://s3.amazonaws.com/examplebucket/chunkObject.txt", headers, body),
    at("2013-05-24T00:00:00Z", S3_USER),
  );
  assert.equal((await new Response(auth.body).arrayBuffer()).byteLength, 66560);
});
