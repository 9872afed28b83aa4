/**
 * XML text from `core/xml.ts`, which the server writes and the library's lean DeleteObjects body
 * sends: every character a key may hold survives escaping and decoding, and a key with a control
 * character is deleted, not reported deleted while it stays (the bug it replaced: a raw `\r` in
 * the body, which XML reads as `\n`).
 */

import assert from "node:assert/strict";
import { escapeXml, xmlText } from "../../core/xml.ts";
import {
  connect,
  createBucket,
  deleteBucket,
  emptyBucket,
  listObjects,
  putObject,
  syncUp,
} from "../../lib/mod.ts";

Deno.test("escapeXml() and xmlText() round-trip every character below U+0080 and astral ones", () => {
  const text = Array.from({ length: 0x80 }, (_, i) => String.fromCharCode(i)).join("") + "é😀";
  const escaped = escapeXml(text);
  // What is left once the references are taken out: no special character, no control
  // character but tab and newline.
  const raw = escaped.replace(/&(#x[0-9a-f]+|[a-z]+);/g, "");
  const refused = [...raw].filter((c) =>
    /[<>&"']/.test(c) || (c < " " && c !== "\t" && c !== "\n")
  );
  assert.deepEqual(refused, []);
  assert.equal(xmlText(escaped), text);
});

Deno.test("syncUp({ delete: true }) without a trace deletes keys holding CR, TAB and XML's specials", async () => {
  // trace: false takes the lean path, whose DeleteObjects body core/xml.ts now escapes.
  await using s3 = await connect({ trace: false });
  const bucket = await createBucket(s3, { prefix: "xml-keys" });
  const dir = await Deno.makeTempDir();
  try {
    const keys = ["p/a\rb", "p/tab\there", "p/a&b<c>'d\"", "p/plain"];
    for (const key of keys) await putObject(s3, bucket, key, "x");
    const summary = await syncUp(s3, dir, bucket, "p/", { delete: true });
    assert.deepEqual(summary.failed, []);
    assert.equal(summary.deleted, keys.length);
    const left: string[] = [];
    for await (const object of listObjects(s3, bucket)) left.push(object.key);
    assert.deepEqual(left, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
    await emptyBucket(s3, bucket);
    await deleteBucket(s3, bucket);
  }
});
