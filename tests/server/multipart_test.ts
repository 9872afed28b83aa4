/**
 * Multipart uploads on the embedded server, driven with the AWS SDK v3.
 */

import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
  UploadPartCopyCommand,
} from "@aws-sdk/client-s3";
import { s3Client, s3Failure, testServer } from "../support/server.ts";

const MIB = 1024 * 1024;

async function withUpload(
  fn: (s3: S3Client, uploadId: string) => Promise<void>,
): Promise<void> {
  await using server = await testServer();
  const s3 = s3Client(server.url);
  await s3.send(new CreateBucketCommand({ Bucket: "mp-bucket" }));
  const created = await s3.send(
    new CreateMultipartUploadCommand({
      Bucket: "mp-bucket",
      Key: "big.bin",
      ContentType: "application/x-test",
      Metadata: { kind: "multipart" },
    }),
  );
  assert.ok(created.UploadId);
  try {
    await fn(s3, created.UploadId!);
  } finally {
    s3.destroy();
  }
}

function part(s3: S3Client, uploadId: string, n: number, body: Uint8Array) {
  return s3.send(
    new UploadPartCommand({
      Bucket: "mp-bucket",
      Key: "big.bin",
      UploadId: uploadId,
      PartNumber: n,
      Body: body,
    }),
  );
}

Deno.test("a multipart upload completes into one object with an md5-of-md5s ETag", async () => {
  await withUpload(async (s3, uploadId) => {
    const one = new Uint8Array(5 * MIB).fill(1);
    const two = new Uint8Array(1000).fill(2);
    const e1 = (await part(s3, uploadId, 1, one)).ETag!;
    const e2 = (await part(s3, uploadId, 2, two)).ETag!;
    assert.equal(e1, `"${createHash("md5").update(one).digest("hex")}"`);
    const listed = await s3.send(
      new ListPartsCommand({ Bucket: "mp-bucket", Key: "big.bin", UploadId: uploadId }),
    );
    assert.deepEqual(listed.Parts?.map((p) => [p.PartNumber, p.Size, p.ETag]), [
      [1, one.length, e1],
      [2, two.length, e2],
    ]);
    const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: "mp-bucket" }));
    assert.deepEqual(uploads.Uploads?.map((u) => [u.Key, u.UploadId]), [["big.bin", uploadId]]);
    const done = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: "mp-bucket",
        Key: "big.bin",
        UploadId: uploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: e1 }, { PartNumber: 2, ETag: e2 }] },
      }),
    );
    const digests = Buffer.concat([e1, e2].map((e) => Buffer.from(e.slice(1, -1), "hex")));
    const expected = `"${createHash("md5").update(digests).digest("hex")}-2"`;
    assert.equal(done.ETag, expected);
    const head = await s3.send(new HeadObjectCommand({ Bucket: "mp-bucket", Key: "big.bin" }));
    assert.equal(head.ContentLength, one.length + two.length);
    assert.equal(head.ETag, expected);
    assert.equal(head.ContentType, "application/x-test");
    assert.deepEqual(head.Metadata, { kind: "multipart" });
    const tail = await s3.send(
      new GetObjectCommand({
        Bucket: "mp-bucket",
        Key: "big.bin",
        Range: `bytes=${5 * MIB - 2}-${5 * MIB + 1}`,
      }),
    );
    assert.deepEqual([...await tail.Body!.transformToByteArray()], [1, 1, 2, 2]);
    const gone = await s3.send(new ListMultipartUploadsCommand({ Bucket: "mp-bucket" }));
    assert.equal(gone.Uploads, undefined);
  });
});

Deno.test("CompleteMultipartUpload refuses bad part lists as S3 does", async (t) => {
  await withUpload(async (s3, uploadId) => {
    const e1 = (await part(s3, uploadId, 1, new Uint8Array(10).fill(1))).ETag!;
    const e2 = (await part(s3, uploadId, 2, new Uint8Array(10).fill(2))).ETag!;
    const complete = (parts: { PartNumber: number; ETag: string }[]) =>
      s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: "mp-bucket",
          Key: "big.bin",
          UploadId: uploadId,
          MultipartUpload: { Parts: parts },
        }),
      );
    await t.step("parts out of order are InvalidPartOrder", async () => {
      assert.deepEqual(
        await s3Failure(complete([{ PartNumber: 2, ETag: e2 }, { PartNumber: 1, ETag: e1 }])),
        { status: 400, code: "InvalidPartOrder" },
      );
    });
    await t.step("an unknown part or a wrong ETag is InvalidPart", async () => {
      assert.deepEqual(await s3Failure(complete([{ PartNumber: 1, ETag: e2 }])), {
        status: 400,
        code: "InvalidPart",
      });
      assert.deepEqual(await s3Failure(complete([{ PartNumber: 9, ETag: e1 }])), {
        status: 400,
        code: "InvalidPart",
      });
    });
    await t.step("a part under 5 MiB before the last is EntityTooSmall", async () => {
      assert.deepEqual(
        await s3Failure(complete([{ PartNumber: 1, ETag: e1 }, { PartNumber: 2, ETag: e2 }])),
        { status: 400, code: "EntityTooSmall" },
      );
    });
    await t.step("a single small part completes", async () => {
      const done = await complete([{ PartNumber: 2, ETag: e2 }]);
      assert.match(done.ETag ?? "", /^"[0-9a-f]{32}-1"$/);
    });
    await t.step("sent again (a retry), it answers the same object, as RGW does", async () => {
      const again = await complete([{ PartNumber: 2, ETag: e2 }]);
      assert.match(again.ETag ?? "", /^"[0-9a-f]{32}-1"$/);
    });
    await t.step("the upload is gone afterwards: other parts are NoSuchUpload", async () => {
      assert.deepEqual(await s3Failure(complete([{ PartNumber: 1, ETag: e1 }])), {
        status: 404,
        code: "NoSuchUpload",
      });
    });
  });
});

Deno.test("AbortMultipartUpload forgets the upload and its parts", async () => {
  await withUpload(async (s3, uploadId) => {
    await part(s3, uploadId, 1, new Uint8Array(10));
    const aborted = await s3.send(
      new AbortMultipartUploadCommand({ Bucket: "mp-bucket", Key: "big.bin", UploadId: uploadId }),
    );
    assert.equal(aborted.$metadata.httpStatusCode, 204);
    assert.deepEqual(
      await s3Failure(
        s3.send(new ListPartsCommand({ Bucket: "mp-bucket", Key: "big.bin", UploadId: uploadId })),
      ),
      { status: 404, code: "NoSuchUpload" },
    );
    assert.deepEqual(await s3Failure(part(s3, uploadId, 2, new Uint8Array(1))), {
      status: 404,
      code: "NoSuchUpload",
    });
  });
});

Deno.test("UploadPart refuses part numbers outside 1..10000", async () => {
  await withUpload(async (s3, uploadId) => {
    assert.deepEqual(await s3Failure(part(s3, uploadId, 10001, new Uint8Array(1))), {
      status: 400,
      code: "InvalidArgument",
    });
  });
});

Deno.test("UploadPartCopy copies a byte range of another object into a part", async () => {
  await withUpload(async (s3, uploadId) => {
    await s3.send(new PutObjectCommand({ Bucket: "mp-bucket", Key: "src", Body: "0123456789" }));
    const copied = await s3.send(
      new UploadPartCopyCommand({
        Bucket: "mp-bucket",
        Key: "big.bin",
        UploadId: uploadId,
        PartNumber: 1,
        CopySource: "mp-bucket/src",
        CopySourceRange: "bytes=2-5",
      }),
    );
    const etag = copied.CopyPartResult?.ETag;
    assert.equal(etag, `"${createHash("md5").update("2345").digest("hex")}"`);
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: "mp-bucket",
        Key: "big.bin",
        UploadId: uploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: etag }] },
      }),
    );
    const got = await s3.send(new GetObjectCommand({ Bucket: "mp-bucket", Key: "big.bin" }));
    assert.equal(await got.Body?.transformToString(), "2345");
  });
});

Deno.test("ListMultipartUploads rolls keys up to common prefixes with a delimiter", async () => {
  await withUpload(async (s3) => {
    for (const key of ["dir/a", "dir/b", "top"]) {
      await s3.send(new CreateMultipartUploadCommand({ Bucket: "mp-bucket", Key: key }));
    }
    const listed = await s3.send(
      new ListMultipartUploadsCommand({ Bucket: "mp-bucket", Delimiter: "/" }),
    );
    assert.deepEqual(listed.Uploads?.map((u) => u.Key), ["big.bin", "top"]);
    assert.deepEqual(listed.CommonPrefixes?.map((p) => p.Prefix), ["dir/"]);
    const page = await s3.send(
      new ListMultipartUploadsCommand({ Bucket: "mp-bucket", MaxUploads: 2 }),
    );
    assert.equal(page.IsTruncated, true);
    assert.deepEqual(page.Uploads?.map((u) => u.Key), ["big.bin", "dir/a"]);
    const next = await s3.send(
      new ListMultipartUploadsCommand({
        Bucket: "mp-bucket",
        KeyMarker: page.NextKeyMarker,
        UploadIdMarker: page.NextUploadIdMarker,
      }),
    );
    assert.deepEqual(next.Uploads?.map((u) => u.Key), ["dir/b", "top"]);
  });
});
