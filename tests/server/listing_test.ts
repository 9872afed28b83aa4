/**
 * Object listings on the embedded server: v1 and v2, prefixes, delimiters, pages and markers,
 * `encoding-type=url`, and the sorted-key index underneath.
 */

import assert from "node:assert/strict";
import {
  CreateBucketCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { listPage } from "../../server/listing.ts";
import { compareUtf8 } from "../../core/utf8.ts";
import { SortedKeys } from "../../server/storage/sorted_keys.ts";
import { s3Client, testServer } from "../support/server.ts";

const KEYS = ["a/1", "a/2", "a/b/3", "b", "c/x", "c/y", "d", "e e", "f+g", "ü"];

async function withKeys(fn: (s3: S3Client, url: string) => Promise<void>): Promise<void> {
  await using server = await testServer();
  const s3 = s3Client(server.url);
  await s3.send(new CreateBucketCommand({ Bucket: "list", ACL: "public-read" }));
  for (const key of KEYS) {
    await s3.send(new PutObjectCommand({ Bucket: "list", Key: key, Body: key }));
  }
  try {
    await fn(s3, server.url);
  } finally {
    s3.destroy();
  }
}

Deno.test("ListObjects v1 lists every key in order with owners and sizes", async () => {
  await withKeys(async (s3) => {
    const listed = await s3.send(new ListObjectsCommand({ Bucket: "list" }));
    assert.deepEqual(listed.Contents?.map((c) => c.Key), KEYS);
    assert.equal(listed.IsTruncated, false);
    assert.equal(listed.Contents?.[0].Owner?.ID, "demo");
    assert.equal(listed.Contents?.[0].Size, 3);
    assert.match(listed.Contents?.[0].ETag ?? "", /^"[0-9a-f]{32}"$/);
  });
});

Deno.test("ListObjects v1 rolls keys up to common prefixes and pages with markers", async () => {
  await withKeys(async (s3) => {
    const top = await s3.send(new ListObjectsCommand({ Bucket: "list", Delimiter: "/" }));
    assert.deepEqual(top.Contents?.map((c) => c.Key), ["b", "d", "e e", "f+g", "ü"]);
    assert.deepEqual(top.CommonPrefixes?.map((p) => p.Prefix), ["a/", "c/"]);
    const page = await s3.send(
      new ListObjectsCommand({ Bucket: "list", Delimiter: "/", MaxKeys: 2 }),
    );
    assert.deepEqual(page.CommonPrefixes?.map((p) => p.Prefix), ["a/"]);
    assert.deepEqual(page.Contents?.map((c) => c.Key), ["b"]);
    assert.equal(page.IsTruncated, true);
    assert.equal(page.NextMarker, "b");
    const next = await s3.send(
      new ListObjectsCommand({ Bucket: "list", Delimiter: "/", Marker: "a/" }),
    );
    assert.deepEqual(next.CommonPrefixes?.map((p) => p.Prefix), ["c/"]);
    assert.equal(next.Contents?.[0].Key, "b");
    const inner = await s3.send(
      new ListObjectsCommand({ Bucket: "list", Delimiter: "/", Prefix: "a/" }),
    );
    assert.deepEqual(inner.Contents?.map((c) => c.Key), ["a/1", "a/2"]);
    assert.deepEqual(inner.CommonPrefixes?.map((p) => p.Prefix), ["a/b/"]);
    const none = await s3.send(new ListObjectsCommand({ Bucket: "list", MaxKeys: 0 }));
    assert.equal(none.Contents, undefined);
    assert.equal(none.IsTruncated, false);
  });
});

Deno.test("ListObjectsV2 pages with continuation tokens and start-after", async () => {
  await withKeys(async (s3) => {
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({ Bucket: "list", MaxKeys: 3, ContinuationToken: token }),
      );
      pages++;
      assert.ok((page.KeyCount ?? 0) <= 3);
      assert.equal(page.Contents?.[0].Owner, undefined);
      seen.push(...(page.Contents ?? []).map((c) => c.Key!));
      token = page.NextContinuationToken;
      assert.equal(page.IsTruncated, token !== undefined);
    } while (token);
    assert.deepEqual(seen, KEYS);
    assert.equal(pages, 4);
    const after = await s3.send(new ListObjectsV2Command({ Bucket: "list", StartAfter: "c/x" }));
    assert.deepEqual(after.Contents?.map((c) => c.Key), ["c/y", "d", "e e", "f+g", "ü"]);
    assert.equal(after.StartAfter, "c/x");
    const owners = await s3.send(
      new ListObjectsV2Command({ Bucket: "list", FetchOwner: true, MaxKeys: 1 }),
    );
    assert.equal(owners.Contents?.[0].Owner?.ID, "demo");
  });
});

Deno.test("ListObjectVersions lists an unversioned bucket's objects as null versions", async () => {
  await withKeys(async (s3) => {
    const listed = await s3.send(
      new ListObjectVersionsCommand({ Bucket: "list", Prefix: "a/", Delimiter: "/" }),
    );
    assert.deepEqual(listed.Versions?.map((v) => [v.Key, v.VersionId]), [
      ["a/1", "null"],
      ["a/2", "null"],
    ]);
    assert.deepEqual(listed.CommonPrefixes?.map((p) => p.Prefix), ["a/b/"]);
  });
});

Deno.test("encoding-type=url percent-encodes keys but keeps slashes", async () => {
  await withKeys(async (_s3, url) => {
    const response = await fetch(`${url}/list?encoding-type=url&prefix=e`);
    const xml = await response.text();
    assert.match(xml, /<Key>e%20e<\/Key>/);
    assert.match(xml, /<EncodingType>url<\/EncodingType>/);
    const plain = await (await fetch(`${url}/list?prefix=f`)).text();
    assert.match(plain, /<Key>f\+g<\/Key>/);
  });
});

Deno.test("listPage() costs one step per entry: a common prefix skips all its keys", () => {
  const keys = new SortedKeys();
  for (let i = 0; i < 10_000; i++) keys.insert(`big/${String(i).padStart(5, "0")}`);
  keys.insert("small");
  let reads = 0;
  const counted = {
    get length() {
      return keys.length;
    },
    at(i: number) {
      reads++;
      return keys.at(i);
    },
    lowerBound: (k: string) => keys.lowerBound(k),
    upperBound: (k: string) => keys.upperBound(k),
    endOfPrefix: (p: string, from: number) => keys.endOfPrefix(p, from),
  };
  const page = listPage(counted, { delimiter: "/" });
  assert.deepEqual(page.commonPrefixes, ["big/"]);
  assert.deepEqual(page.keys, ["small"]);
  assert.ok(reads <= 3, `read ${reads} keys`);
  reads = 0;
  const middle = listPage(counted, { after: "big/05000", maxKeys: 2 });
  assert.deepEqual(middle.keys, ["big/05001", "big/05002"]);
  assert.ok(reads <= 3, `read ${reads} keys`);
});

Deno.test("compareUtf8() sorts in UTF-8 byte order, as S3 does", () => {
  const keys = ["\u{1F600}", "\uFF21", "a", "B", "\u00E9"];
  assert.deepEqual([...keys].sort(compareUtf8), ["B", "a", "\u00E9", "\uFF21", "\u{1F600}"]);
  const sorted = new SortedKeys();
  for (const key of keys) sorted.insert(key);
  sorted.insert("a");
  assert.equal(sorted.length, 5);
  sorted.delete("a");
  assert.equal(sorted.lowerBound("a"), 1);
});

Deno.test("a negative max-keys lists nothing and an unknown encoding-type is ignored, as RGW", async () => {
  await withKeys(async (_s3, url) => {
    const negative = await (await fetch(`${url}/list?max-keys=-1`)).text();
    assert.match(negative, /<MaxKeys>0<\/MaxKeys>/);
    assert.doesNotMatch(negative, /<Contents>/);
    const unknown = await fetch(`${url}/list?encoding-type=foo&prefix=e`);
    assert.equal(unknown.status, 200);
    assert.match(await unknown.text(), /<Key>e e<\/Key>/);
    const bad = await fetch(`${url}/list?max-keys=abc`);
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /<Code>InvalidArgument<\/Code>/);
  });
});

Deno.test("SortedKeys agrees with a sorted array through 20,000 random inserts and deletes", () => {
  const keys = new SortedKeys();
  const reference = new Set<string>();
  let seed = 42;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = 0; i < 20_000; i++) {
    const key = `k/${Math.floor(random() * 5000)}/${random() < 0.5 ? "a" : "b"}`;
    if (random() < 0.3) {
      keys.delete(key);
      reference.delete(key);
    } else {
      keys.insert(key);
      reference.add(key);
    }
  }
  const sorted = [...reference].sort(compareUtf8);
  assert.equal(keys.length, sorted.length);
  for (let i = 0; i < sorted.length; i += 97) assert.equal(keys.at(i), sorted[i]);
  for (const probe of ["k/1", "k/2500/a", "k/4999/b", "k/9", "a", "z"]) {
    const lower = sorted.findIndex((k) => compareUtf8(k, probe) >= 0);
    assert.equal(keys.lowerBound(probe), lower < 0 ? sorted.length : lower, probe);
    const upper = sorted.findIndex((k) => compareUtf8(k, probe) > 0);
    assert.equal(keys.upperBound(probe), upper < 0 ? sorted.length : upper, probe);
  }
  const start = keys.lowerBound("k/3");
  const end = sorted.findIndex((k, i) => i >= start && !k.startsWith("k/3"));
  assert.equal(keys.endOfPrefix("k/3", start), end);
});

Deno.test("SortedKeys takes 100,000 keys in random order in well under a few seconds", () => {
  const keys = new SortedKeys();
  const started = performance.now();
  for (let i = 0; i < 100_000; i++) keys.insert(`obj/${(i * 7919) % 100_003}`);
  const ms = performance.now() - started;
  assert.equal(keys.length, 100_000);
  assert.ok(ms < 5_000, `took ${ms.toFixed(0)} ms`);
});
