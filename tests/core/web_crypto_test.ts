/**
 * core/web_crypto.ts (Web Crypto, async: what the lean signer uses) against core/crypto.ts
 * (`node:crypto`, sync: what the server verifies with): the same bytes for seeded random inputs
 * of every size class, so a signature made with one always verifies with the other.
 */

import assert from "node:assert/strict";
import { hmacSha256, sha256Hex, signingKey, signV4 } from "../../core/crypto.ts";
import {
  EMPTY_SHA256,
  hmacSha256Async,
  sha256HexAsync,
  signingKeyAsync,
  signV4Async,
} from "../../core/web_crypto.ts";
import { prng } from "../../core/prng.ts";

const random = prng(20261207);
const bytes = (n: number) => Uint8Array.from({ length: n }, () => Math.floor(random() * 256));
const text = (n: number) =>
  Array.from({ length: n }, () => String.fromCodePoint(32 + Math.floor(random() * 0x2000))).join(
    "",
  );
const SIZES = [0, 1, 55, 56, 63, 64, 65, 1000, 4096, 65_537];

Deno.test("sha256HexAsync() gives sha256Hex()'s digest, for bytes and for text", async () => {
  assert.equal(EMPTY_SHA256, sha256Hex(""));
  for (const n of SIZES) {
    const b = bytes(n);
    assert.equal(await sha256HexAsync(b), sha256Hex(b), `${n} bytes`);
    const t = text(n);
    assert.equal(await sha256HexAsync(t), sha256Hex(t), `${n} characters`);
  }
});

Deno.test("hmacSha256Async(), signingKeyAsync() and signV4Async() match node:crypto's", async () => {
  for (const n of SIZES) {
    const key = bytes(1 + (n % 200)); // Web Crypto refuses an empty key; SigV4 never has one
    const data = text(n);
    assert.deepEqual(await hmacSha256Async(key, data), new Uint8Array(hmacSha256(key, data)));
    const secret = text(40);
    const day = `2026${String(1 + (n % 12)).padStart(2, "0")}07`;
    const syncKey = signingKey(secret, day, "us-east-005", "s3");
    const asyncKey = await signingKeyAsync(secret, day, "us-east-005", "s3");
    assert.deepEqual(asyncKey, new Uint8Array(syncKey), `signing key ${n}`);
    assert.equal(await signV4Async(asyncKey, data), signV4(syncKey, data), `signature ${n}`);
  }
});
