/**
 * Checksums on the embedded server, driven with the AWS SDK's own checksum code
 * (`requestChecksumCalculation: "WHEN_SUPPORTED"`, `ChecksumAlgorithm` set: the SDK computes and
 * sends the value, as a header or an aws-chunked trailer) and checked against values computed in
 * the test without core/checksum.ts (`zlib.crc32`, bitwise CRCs from the polynomials,
 * `node:crypto`): every algorithm on a single PUT, and on multipart uploads, full-object and
 * composite. Mismatches are refused with S3's `400 BadDigest` and nothing is stored.
 */

import assert from "node:assert/strict";
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectAttributesCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  ListPartsCommand,
  PutObjectAclCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { DEMO_USERS } from "../../server/demo_users.ts";
import { s3Client, s3Failure, testServer } from "../support/server.ts";
import { randomBytes } from "../support/bytes.ts";
import { type Algorithm, ALGORITHMS, expectedChecksum } from "../support/checksums.ts";
import { signV4 } from "../support/signing.ts";
import { type RawResponse, send } from "../conformance/http.ts";

const MIB = 1024 * 1024;
const expected = expectedChecksum;

const field = (a: Algorithm) => `Checksum${a}` as const;
const decode = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

/** Sends a request signed with SigV4 (every header given is signed). */
async function signed(
  url: string,
  request: {
    method: string;
    path: string;
    query?: Record<string, string>;
    headers?: Record<string, string>;
    body?: Uint8Array;
  },
): Promise<RawResponse & { text: string }> {
  const host = new URL(url).host;
  const ready = await signV4({ ...request, host }, DEMO_USERS[0], new Date());
  const response = await send(Number(new URL(url).port), ready);
  return { ...response, text: new TextDecoder().decode(response.body) };
}

/** A client that computes checksums itself whenever the operation supports them. */
function checksumClient(url: string): S3Client {
  const user = DEMO_USERS[0];
  return new S3Client({
    endpoint: url,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey },
    requestChecksumCalculation: "WHEN_SUPPORTED",
    responseChecksumValidation: "WHEN_SUPPORTED",
    maxAttempts: 1,
  });
}

async function bucketOn(url: string): Promise<{ sdk: S3Client; plain: S3Client }> {
  const plain = s3Client(url);
  await plain.send(new CreateBucketCommand({ Bucket: "sums" }));
  return { sdk: checksumClient(url), plain };
}

Deno.test("PutObject: each algorithm, computed by the SDK, is verified, stored and read back", async (t) => {
  await using server = await testServer();
  const { sdk, plain } = await bucketOn(server.url);
  const body = randomBytes(3000);
  for (const algorithm of ALGORITHMS) {
    await t.step(algorithm, async () => {
      const key = `one-${algorithm}`;
      const put = await sdk.send(
        new PutObjectCommand({
          Bucket: "sums",
          Key: key,
          Body: body,
          ChecksumAlgorithm: algorithm,
        }),
      );
      assert.equal(put[field(algorithm)], expected(algorithm, body));
      const head = await plain.send(
        new HeadObjectCommand({ Bucket: "sums", Key: key, ChecksumMode: "ENABLED" }),
      );
      assert.equal(head[field(algorithm)], expected(algorithm, body));
      assert.equal(head.ChecksumType, "FULL_OBJECT");
      const quiet = await plain.send(new HeadObjectCommand({ Bucket: "sums", Key: key }));
      assert.equal(quiet[field(algorithm)], undefined, "returned only with x-amz-checksum-mode");
      // The SDK validates the checksum of what it downloads (WHEN_SUPPORTED).
      const got = await sdk.send(
        new GetObjectCommand({ Bucket: "sums", Key: key, ChecksumMode: "ENABLED" }),
      );
      assert.equal(got[field(algorithm)], expected(algorithm, body));
      assert.deepEqual(await got.Body!.transformToByteArray(), body);
      const attributes = await plain.send(
        new GetObjectAttributesCommand({
          Bucket: "sums",
          Key: key,
          ObjectAttributes: ["Checksum", "ObjectSize", "ETag"],
        }),
      );
      assert.equal(attributes.Checksum?.[field(algorithm)], expected(algorithm, body));
      assert.equal(attributes.ObjectSize, body.length);
      const listed = await plain.send(new ListObjectsV2Command({ Bucket: "sums", Prefix: key }));
      assert.deepEqual(listed.Contents?.[0].ChecksumAlgorithm, [algorithm]);
      const versions = await plain.send(
        new ListObjectVersionsCommand({ Bucket: "sums", Prefix: key }),
      );
      assert.deepEqual(versions.Versions?.[0].ChecksumAlgorithm, [algorithm]);
    });
  }
  sdk.destroy();
  plain.destroy();
});

Deno.test("PutObject: a wrong checksum is 400 BadDigest in S3's words, and nothing is stored", async (t) => {
  await using server = await testServer();
  const { sdk, plain } = await bucketOn(server.url);
  const body = new TextEncoder().encode("123456789");
  for (const algorithm of ALGORITHMS) {
    await t.step(algorithm, async () => {
      const key = `bad-${algorithm}`;
      const right = decode(expected(algorithm, body));
      right[0] ^= 1;
      const wrong = btoa(String.fromCharCode(...right));
      const response = await signed(server.url, {
        method: "PUT",
        path: `/sums/${key}`,
        headers: { [`x-amz-checksum-${algorithm.toLowerCase()}`]: wrong },
        body,
      });
      assert.equal(response.status, 400);
      assert.match(response.text, /<Code>BadDigest<\/Code>/);
      assert.match(
        response.text,
        new RegExp(
          `<Message>The ${algorithm} you specified did not match the calculated checksum.</Message>`,
        ),
      );
      assert.equal(
        (await s3Failure(plain.send(new HeadObjectCommand({ Bucket: "sums", Key: key })))).status,
        404,
      );
    });
  }
  await t.step("the same through the SDK (a trailer computed, then a changed byte)", async () => {
    const failure = await s3Failure(sdk.send(
      new PutObjectCommand({
        Bucket: "sums",
        Key: "sdk-bad",
        Body: body,
        ChecksumAlgorithm: "SHA256",
        ChecksumSHA256: expected("SHA256", new TextEncoder().encode("12345678X")),
      }),
    ));
    assert.deepEqual(failure, { status: 400, code: "BadDigest" });
  });
  sdk.destroy();
  plain.destroy();
});

/** Uploads two parts (5 MiB + 1 KiB) with the SDK computing each part's checksum. */
async function multipart(
  sdk: S3Client,
  key: string,
  algorithm: Algorithm,
  type: "COMPOSITE" | "FULL_OBJECT",
  parts: Uint8Array[],
) {
  const created = await sdk.send(
    new CreateMultipartUploadCommand({
      Bucket: "sums",
      Key: key,
      ChecksumAlgorithm: algorithm,
      ChecksumType: type,
    }),
  );
  assert.equal(created.ChecksumAlgorithm, algorithm);
  assert.equal(created.ChecksumType, type);
  const listed = [];
  for (const [i, body] of parts.entries()) {
    const part = await sdk.send(
      new UploadPartCommand({
        Bucket: "sums",
        Key: key,
        UploadId: created.UploadId,
        PartNumber: i + 1,
        Body: body,
        ChecksumAlgorithm: algorithm,
      }),
    );
    assert.equal(part[field(algorithm)], expected(algorithm, body));
    listed.push({ PartNumber: i + 1, ETag: part.ETag, [field(algorithm)]: part[field(algorithm)] });
  }
  return { uploadId: created.UploadId!, listed };
}

Deno.test("Multipart: composite checksums (every algorithm but CRC64NVME) are the checksum of the parts' checksums", async (t) => {
  await using server = await testServer();
  const { sdk, plain } = await bucketOn(server.url);
  const parts = [randomBytes(5 * MIB), randomBytes(1024)];
  for (const algorithm of ALGORITHMS.filter((a) => a !== "CRC64NVME")) {
    await t.step(algorithm, async () => {
      const key = `composite-${algorithm}`;
      const { uploadId, listed } = await multipart(sdk, key, algorithm, "COMPOSITE", parts);
      const listing = await plain.send(
        new ListPartsCommand({ Bucket: "sums", Key: key, UploadId: uploadId }),
      );
      assert.equal(listing.Parts?.[1][field(algorithm)], expected(algorithm, parts[1]));
      const done = await plain.send(
        new CompleteMultipartUploadCommand({
          Bucket: "sums",
          Key: key,
          UploadId: uploadId,
          MultipartUpload: { Parts: listed },
        }),
      );
      const joined = new Uint8Array([
        ...decode(String(listed[0][field(algorithm)])),
        ...decode(String(listed[1][field(algorithm)])),
      ]);
      const composite = `${expected(algorithm, joined)}-2`;
      assert.equal(done[field(algorithm)], composite);
      assert.equal(done.ChecksumType, "COMPOSITE");
      const head = await plain.send(
        new HeadObjectCommand({ Bucket: "sums", Key: key, ChecksumMode: "ENABLED" }),
      );
      assert.equal(head[field(algorithm)], composite);
      assert.equal(head.ChecksumType, "COMPOSITE");
      const attributes = await plain.send(
        new GetObjectAttributesCommand({
          Bucket: "sums",
          Key: key,
          ObjectAttributes: ["Checksum", "ObjectParts"],
        }),
      );
      assert.equal(attributes.ObjectParts?.TotalPartsCount, 2);
      assert.equal(
        attributes.ObjectParts?.Parts?.[0][field(algorithm)],
        expected(algorithm, parts[0]),
      );
    });
  }
  sdk.destroy();
  plain.destroy();
});

Deno.test("Multipart: full-object CRCs equal the CRC of the whole object", async (t) => {
  const dataDir = await Deno.makeTempDir();
  await using _cleanup = { [Symbol.asyncDispose]: () => Deno.remove(dataDir, { recursive: true }) };
  await using server = await testServer({ dataDir });
  const { sdk, plain } = await bucketOn(server.url);
  const parts = [randomBytes(5 * MIB), randomBytes(777)];
  const whole = new Uint8Array([...parts[0], ...parts[1]]);
  for (const algorithm of ["CRC32", "CRC32C", "CRC64NVME"] as const) {
    await t.step(algorithm, async () => {
      const key = `full-${algorithm}`;
      const { uploadId, listed } = await multipart(sdk, key, algorithm, "FULL_OBJECT", parts);
      const done = await plain.send(
        new CompleteMultipartUploadCommand({
          Bucket: "sums",
          Key: key,
          UploadId: uploadId,
          MultipartUpload: { Parts: listed },
          [field(algorithm)]: expected(algorithm, whole),
        }),
      );
      assert.equal(done[field(algorithm)], expected(algorithm, whole));
      assert.equal(done.ChecksumType, "FULL_OBJECT");
      // Read back from --data storage: kept with the object.
      const got = await sdk.send(
        new GetObjectCommand({ Bucket: "sums", Key: key, ChecksumMode: "ENABLED" }),
      );
      assert.equal(got[field(algorithm)], expected(algorithm, whole));
      assert.equal((await got.Body!.transformToByteArray()).length, whole.length);
    });
  }
  sdk.destroy();
  plain.destroy();
});

Deno.test("Multipart: mismatches are refused in S3's words and leave nothing behind", async (t) => {
  await using server = await testServer();
  const { sdk, plain } = await bucketOn(server.url);
  const body = new TextEncoder().encode("123456789");
  await t.step("a part without the upload's checksum", async () => {
    const created = await sdk.send(
      new CreateMultipartUploadCommand({ Bucket: "sums", Key: "m1", ChecksumAlgorithm: "SHA256" }),
    );
    const response = await signed(server.url, {
      method: "PUT",
      path: "/sums/m1",
      query: { partNumber: "1", uploadId: created.UploadId! },
      body,
    });
    assert.equal(response.status, 400);
    assert.match(
      response.text,
      /Checksum Type mismatch occurred, expected checksum Type: sha256, actual checksum Type: null/,
    );
  });
  await t.step("a part whose checksum differs: BadDigest, no part kept", async () => {
    const created = await sdk.send(
      new CreateMultipartUploadCommand({ Bucket: "sums", Key: "m2", ChecksumAlgorithm: "CRC32" }),
    );
    const response = await signed(server.url, {
      method: "PUT",
      path: "/sums/m2",
      query: { partNumber: "1", uploadId: created.UploadId! },
      headers: { "x-amz-checksum-crc32": "z/Q5Jg==" },
      body,
    });
    assert.equal(response.status, 400);
    assert.match(response.text, /<Code>BadDigest<\/Code>/);
    const listing = await plain.send(
      new ListPartsCommand({ Bucket: "sums", Key: "m2", UploadId: created.UploadId }),
    );
    assert.equal(listing.Parts?.length ?? 0, 0);
  });
  await t.step(
    "a completion that lists another checksum: InvalidPart; none listed (composite): InvalidRequest",
    async () => {
      const { uploadId, listed } = await multipart(sdk, "m3", "CRC32", "COMPOSITE", [body]);
      const wrong = await s3Failure(plain.send(
        new CompleteMultipartUploadCommand({
          Bucket: "sums",
          Key: "m3",
          UploadId: uploadId,
          MultipartUpload: { Parts: [{ ...listed[0], ChecksumCRC32: "z/Q5Jg==" }] },
        }),
      ));
      assert.deepEqual(wrong, { status: 400, code: "InvalidPart" });
      const missing = await s3Failure(plain.send(
        new CompleteMultipartUploadCommand({
          Bucket: "sums",
          Key: "m3",
          UploadId: uploadId,
          MultipartUpload: { Parts: [{ PartNumber: 1, ETag: listed[0].ETag }] },
        }),
      ));
      assert.deepEqual(missing, { status: 400, code: "InvalidRequest" });
      assert.equal(
        (await s3Failure(plain.send(new HeadObjectCommand({ Bucket: "sums", Key: "m3" })))).status,
        404,
      );
    },
  );
  await t.step("a full-object completion declaring another CRC: BadDigest, no object", async () => {
    const { uploadId, listed } = await multipart(sdk, "m4", "CRC32C", "FULL_OBJECT", [body]);
    const failure = await s3Failure(plain.send(
      new CompleteMultipartUploadCommand({
        Bucket: "sums",
        Key: "m4",
        UploadId: uploadId,
        MultipartUpload: { Parts: listed },
        ChecksumCRC32C: "AAAAAA==",
      }),
    ));
    assert.deepEqual(failure, { status: 400, code: "BadDigest" });
    assert.equal(
      (await s3Failure(plain.send(new HeadObjectCommand({ Bucket: "sums", Key: "m4" })))).status,
      404,
    );
  });
  await t.step("CreateMultipartUpload refuses what S3 does not make", async () => {
    for (
      const [headers, message] of [
        [{ "x-amz-checksum-algorithm": "MD5" }, "Checksum algorithm provided is unsupported"],
        [
          { "x-amz-checksum-algorithm": "SHA1", "x-amz-checksum-type": "FULL_OBJECT" },
          "The FULL_OBJECT checksum type cannot be used with the sha1 checksum algorithm.",
        ],
        [
          { "x-amz-checksum-algorithm": "CRC64NVME", "x-amz-checksum-type": "COMPOSITE" },
          "The COMPOSITE checksum type cannot be used with the crc64nvme checksum algorithm.",
        ],
      ] as const
    ) {
      const response = await signed(server.url, {
        method: "POST",
        path: "/sums/m5",
        query: { uploads: "" },
        headers,
      });
      assert.equal(response.status, 400);
      assert.ok(response.text.includes(message), response.text);
    }
  });
  sdk.destroy();
  plain.destroy();
});

Deno.test("Checksum headers are checked before the body: two at once, a malformed value, a Content-MD5 on PutObjectAcl", async () => {
  await using server = await testServer();
  const { sdk, plain } = await bucketOn(server.url);
  const body = new TextEncoder().encode("123456789");
  const two = await signed(server.url, {
    method: "PUT",
    path: "/sums/two",
    headers: {
      "x-amz-checksum-crc32": "y/Q5Jg==",
      "x-amz-checksum-sha1": "98O8HYCOBHMq32eZZczDTKeuNEE=",
    },
    body,
  });
  assert.equal(two.status, 400);
  assert.match(
    two.text,
    /Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed./,
  );
  const malformed = await signed(server.url, {
    method: "PUT",
    path: "/sums/short",
    headers: { "x-amz-checksum-crc32": "short===" },
    body,
  });
  assert.equal(malformed.status, 400);
  assert.match(malformed.text, /Value for x-amz-checksum-crc32 header is invalid./);
  await plain.send(new PutObjectCommand({ Bucket: "sums", Key: "acl", Body: body }));
  const acl = await signed(server.url, {
    method: "PUT",
    path: "/sums/acl",
    query: { acl: "" },
    headers: { "x-amz-acl": "public-read", "content-md5": "AAAAAAAAAAAAAAAAAAAAAA==" },
  });
  assert.equal(acl.status, 400);
  assert.match(acl.text, /<Code>BadDigest<\/Code>/);
  // The SDK computes a checksum for PutObjectAcl too (WHEN_SUPPORTED): accepted.
  await sdk.send(
    new PutObjectAclCommand({
      Bucket: "sums",
      Key: "acl",
      ACL: "public-read",
      ChecksumAlgorithm: "CRC32C",
    }),
  );
  sdk.destroy();
  plain.destroy();
});

Deno.test("An aws-chunked upload's trailing checksum (every algorithm) is verified and kept", async (t) => {
  await using server = await testServer();
  const { sdk, plain } = await bucketOn(server.url);
  const body = randomBytes(70_000);
  const chunked = (trailer: string, value: string) => {
    const text = new TextEncoder();
    const framed = new Uint8Array([
      ...text.encode(`${body.length.toString(16)}\r\n`),
      ...body,
      ...text.encode(`\r\n0\r\n${trailer}:${value}\r\n\r\n`),
    ]);
    return {
      "content-encoding": "aws-chunked",
      "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
      "x-amz-decoded-content-length": String(body.length),
      "x-amz-trailer": trailer,
      framed,
    };
  };
  for (const algorithm of ALGORITHMS) {
    await t.step(algorithm, async () => {
      const trailer = `x-amz-checksum-${algorithm.toLowerCase()}`;
      for (const right of [true, false]) {
        const value = expected(algorithm, right ? body : body.subarray(1));
        const { framed, ...headers } = chunked(trailer, value);
        const key = `trailer-${algorithm}-${right}`;
        const response = await signed(server.url, {
          method: "PUT",
          path: `/sums/${key}`,
          headers,
          body: framed,
        });
        if (right) {
          assert.equal(response.status, 200, response.text);
          const head = await plain.send(
            new HeadObjectCommand({ Bucket: "sums", Key: key, ChecksumMode: "ENABLED" }),
          );
          assert.equal(head[field(algorithm)], value);
        } else {
          assert.equal(response.status, 400);
          assert.match(response.text, /<Code>BadDigest<\/Code>/);
          const gone = await s3Failure(
            plain.send(new HeadObjectCommand({ Bucket: "sums", Key: key })),
          );
          assert.equal(gone.status, 404);
        }
      }
    });
  }
  sdk.destroy();
  plain.destroy();
});
