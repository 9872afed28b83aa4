/**
 * Draws the tour's picture (a cloud above a bucket, on a sky gradient) and encodes it as PNG.
 * The project owns it: `deno task notebook` writes it to `notebooks/cloud.png`, and a test checks
 * the committed file shows exactly these pixels.
 *
 * @module
 */

import { crc32, deflateSync } from "node:zlib";

/** Width of the picture in pixels. */
export const WIDTH = 192;
/** Height of the picture in pixels. */
export const HEIGHT = 120;

type Rgb = [number, number, number];

function mix(a: Rgb, b: Rgb, t: number): Rgb {
  const k = Math.min(1, Math.max(0, t));
  return [0, 1, 2].map((i) => Math.round(a[i] + (b[i] - a[i]) * k)) as Rgb;
}

/** Coverage of a shape at distance `d` from its edge (negative inside), for soft edges. */
function cover(d: number): number {
  return Math.min(1, Math.max(0, 0.5 - d));
}

/**
 * The picture's pixels, row by row, 3 bytes (RGB) each.
 *
 * @returns `WIDTH * HEIGHT * 3` bytes.
 */
export function drawPixels(): Uint8Array {
  const pixels = new Uint8Array(WIDTH * HEIGHT * 3);
  const puffs: [number, number, number][] = [
    [70, 46, 20],
    [96, 36, 26],
    [124, 48, 19],
    [84, 56, 16],
    [110, 58, 17],
  ];
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = 0; x < WIDTH; x++) {
      let c = mix([20, 90, 170], [150, 205, 240], y / HEIGHT);
      // The cloud: the union of a few circles.
      const dCloud = Math.min(...puffs.map(([cx, cy, r]) => Math.hypot(x - cx, y - cy) - r));
      c = mix(c, [250, 250, 252], cover(dCloud));
      // The bucket: a trapezoid, wider at the top, with a darker rim.
      const top = 84;
      const bottom = 112;
      if (y >= top - 1 && y <= bottom + 1) {
        const t = (y - top) / (bottom - top);
        const half = 26 - 6 * t;
        const dSide = Math.abs(x - 97) - half;
        const dBucket = Math.max(dSide, top - y, y - bottom);
        const body = mix([0, 120, 200], [0, 80, 150], t);
        c = mix(c, y - top < 4 ? [0, 60, 120] : body, cover(dBucket));
      }
      // Drops falling from the cloud into the bucket.
      for (const [dx, dy] of [[86, 79], [97, 80], [108, 79]]) {
        c = mix(c, [255, 255, 255], cover(Math.hypot(x - dx, (y - dy) * 0.8) - 1.8));
      }
      pixels.set(c, (y * WIDTH + x) * 3);
    }
  }
  return pixels;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/**
 * The scanlines PNG compresses: each row of pixels after a filter byte 0 (none).
 *
 * @param pixels RGB pixels from {@linkcode drawPixels}.
 * @returns The raw image data.
 */
export function scanlines(pixels: Uint8Array): Uint8Array {
  const raw = new Uint8Array(HEIGHT * (1 + WIDTH * 3));
  for (let y = 0; y < HEIGHT; y++) {
    raw.set(pixels.subarray(y * WIDTH * 3, (y + 1) * WIDTH * 3), y * (1 + WIDTH * 3) + 1);
  }
  return raw;
}

/**
 * The picture as a PNG file.
 *
 * @returns PNG bytes (8-bit RGB).
 */
export function drawPicture(): Uint8Array {
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, WIDTH);
  view.setUint32(4, HEIGHT);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit, truecolour, deflate, no filter, no interlace
  const parts = [
    Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", new Uint8Array(deflateSync(scanlines(drawPixels()), { level: 9 }))),
    chunk("IEND", new Uint8Array()),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
