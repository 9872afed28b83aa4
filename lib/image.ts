/**
 * Images as views: shown inline in a notebook, described in one line in a terminal.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { escapeHtml, formatBytes, JUPYTER_DISPLAY, View } from "./display.ts";

/** An image's format, from its first bytes. */
export type ImageType = "image/png" | "image/jpeg" | "image/gif" | "image/svg+xml";

function sniff(bytes: Uint8Array): ImageType {
  if (bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) {
    return "image/png";
  }
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return "image/jpeg";
  if (bytes[0] === 0x47 && bytes[1] === 0x49 && bytes[2] === 0x46) return "image/gif";
  const head = new TextDecoder().decode(bytes.subarray(0, 512));
  if (/<svg[\s>]/.test(head)) return "image/svg+xml";
  throw new TypeError("Cannot show the image: it is not PNG, JPEG, GIF or SVG");
}

/** An image ready to display. */
export class ImageView extends View {
  /** The image bytes. */
  readonly bytes: Uint8Array;
  /** Its format. */
  readonly type: ImageType;
  /** Width and height in pixels, when known (PNG). */
  readonly size?: { width: number; height: number };
  /** A caption, e.g. the object key. */
  readonly caption?: string;
  #base64?: string;

  /**
   * Builds a view; use {@linkcode image}.
   *
   * @param bytes The image.
   * @param caption A caption.
   */
  constructor(bytes: Uint8Array, caption?: string) {
    super();
    this.bytes = bytes;
    this.type = sniff(bytes);
    this.caption = caption;
    if (this.type === "image/png" && bytes.length >= 24) {
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      this.size = { width: view.getUint32(16), height: view.getUint32(20) };
    }
  }

  /** The bytes in base64, encoded once for both the MIME bundle and the HTML. */
  #encoded(): string {
    return this.#base64 ??= Buffer.from(
      this.bytes.buffer,
      this.bytes.byteOffset,
      this.bytes.byteLength,
    )
      .toString("base64");
  }

  /**
   * A one-line description.
   *
   * @returns e.g. `[image/png 160×100, 1.2 kB] cloud.png`.
   */
  toText(): string {
    const dims = this.size ? ` ${this.size.width}×${this.size.height}` : "";
    return `[${this.type}${dims}, ${formatBytes(this.bytes.length)}]` +
      (this.caption ? ` ${this.caption}` : "");
  }

  /**
   * The image as an inline `<img>`.
   *
   * @returns HTML with a data URL.
   */
  toHtml(): string {
    const alt = escapeHtml(this.caption ?? "image");
    return `<figure><img alt="${alt}" src="data:${this.type};base64,${this.#encoded()}"><figcaption>${
      escapeHtml(this.toText())
    }</figcaption></figure>`;
  }

  /**
   * The MIME bundle: the image itself plus its description.
   *
   * @returns Image and plain-text forms.
   */
  override [JUPYTER_DISPLAY](): Record<string, string> {
    if (this.type === "image/svg+xml") {
      return { "image/svg+xml": new TextDecoder().decode(this.bytes), "text/plain": this.toText() };
    }
    return { [this.type]: this.#encoded(), "text/plain": this.toText() };
  }
}

/**
 * Wraps image bytes (or a file) so a notebook shows the picture and a terminal a description.
 *
 * @param source The image bytes, or a path to read.
 * @param caption A caption; defaults to the file name.
 * @returns A view of the image.
 * @throws {TypeError} When the bytes are not PNG, JPEG, GIF or SVG.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { image } from "./image.ts";
 *
 * const png = Uint8Array.from([137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 2, 0, 0, 0, 1]);
 * assert.equal(image(png, "tiny").toText(), "[image/png 2×1, 24 B] tiny");
 * ```
 */
export function image(source: Uint8Array | string, caption?: string): ImageView {
  if (typeof source === "string") {
    return new ImageView(Deno.readFileSync(source), caption ?? source.split("/").pop());
  }
  return new ImageView(source, caption);
}
