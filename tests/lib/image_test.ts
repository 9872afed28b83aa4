import assert from "node:assert/strict";
import { image } from "../../lib/mod.ts";
import { JUPYTER_DISPLAY } from "../../lib/display.ts";
import { drawPicture } from "../../tour/picture.ts";

Deno.test("image() shows a PNG inline in Jupyter and as one line in a terminal", () => {
  const png = drawPicture();
  const view = image(png, "cloud.png");
  assert.equal(
    view.toText(),
    `[image/png 192×120, ${(png.length / 1000).toFixed(1)} kB] cloud.png`,
  );
  const bundle = view[JUPYTER_DISPLAY]();
  assert.equal(atob(bundle["image/png"]).length, png.length);
  assert.ok(view.toHtml().startsWith('<figure><img alt="cloud.png" src="data:image/png;base64,'));
  assert.throws(() => image(new Uint8Array([1, 2, 3])), TypeError);
});
