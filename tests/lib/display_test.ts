import assert from "node:assert/strict";
import { Table, toView } from "../../lib/mod.ts";
import { formatBytes } from "../../lib/display.ts";
import { STATUS_CODES } from "node:http";
import { REASON_PHRASES, statusText } from "../../lib/status_text.ts";

Deno.test("toView() turns records into tables, errors into their message, strings into text", () => {
  const table = toView([{ name: "a", created: new Date(0) }, { name: "b" }]);
  assert.ok(table instanceof Table);
  assert.equal(table.toText(), "  name  created\n  a     1970-01-01T00:00:00.000Z\n  b");
  assert.equal(toView([]).toText(), "(none)");
  assert.equal(toView(new RangeError("Nope")).toText(), "RangeError: Nope");
  assert.equal(toView("plain").toHtml(), "<pre>plain</pre>");
});

Deno.test("statusText() and formatBytes() describe statuses and sizes for people", () => {
  assert.equal(statusText(403), "403 Forbidden");
  assert.equal(statusText(0), "no response");
  assert.equal(statusText(599), "599");
  assert.deepEqual([0, 999, 1000, 1_500_000].map(formatBytes), [
    "0 B",
    "999 B",
    "1.0 kB",
    "1.5 MB",
  ]);
});

Deno.test("statusText()'s reason phrases are node:http's, code by code", () => {
  for (let status = 100; status < 600; status++) {
    assert.equal(REASON_PHRASES[status], STATUS_CODES[status], `status ${status}`);
  }
});
