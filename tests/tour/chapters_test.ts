/**
 * The course's chapters on the command line: `deno task tour --list`, choosing a chapter by
 * name, and refusing an unknown one in one line.
 *
 * @module
 */

import assert from "node:assert/strict";
import { CHAPTERS } from "../../tour/chapters.ts";
import { parseTourArgs } from "../../tour/main.ts";
import { runTour } from "../support/tour_run.ts";

Deno.test("deno task tour --list prints one line per chapter, starting with its name", async () => {
  const { code, output } = await runTour(["--list"]);
  assert.equal(code, 0, output);
  const lines = output.trimEnd().split("\n");
  assert.equal(lines.length, CHAPTERS.length, output);
  CHAPTERS.forEach((chapter, i) => {
    assert.match(lines[i], new RegExp(`^${chapter.name}\\s{2,}${chapter.title}$`));
  });
  assert.match(lines[0], /^getting-started\s+Getting started$/);
});

Deno.test("a chapter is chosen by name; none means getting-started; two or unknown are refused", async () => {
  assert.equal(parseTourArgs([]).chapter.name, "getting-started");
  for (const chapter of CHAPTERS) {
    assert.equal(parseTourArgs([chapter.name, "--keep"]).chapter, chapter);
  }
  assert.throws(() => parseTourArgs(["a", "b"]), { name: "UsageError", message: /one chapter/ });
  const bad = await runTour(["no-such-chapter"]);
  assert.equal(bad.code, 2);
  assert.equal(
    bad.output,
    `Unknown chapter "no-such-chapter": use one of ${
      CHAPTERS.map((c) => c.name).join(", ")
    } (deno task tour --list); see "deno task tour --help"\n`,
  );
});

Deno.test("the README's course table gives one command and notebook per chapter, in order", async () => {
  const readme = await Deno.readTextFile(new URL("../../README.md", import.meta.url));
  const section = readme.slice(readme.indexOf("## The course"));
  const rows = section.split("\n").filter((line) => /^\| \d+ +\|/.test(line));
  assert.equal(rows.length, CHAPTERS.length, "one row per chapter");
  CHAPTERS.forEach((chapter, i) => {
    const command = i === 0 ? "`deno task tour`" : `\`deno task tour ${chapter.name}\``;
    assert.ok(rows[i].startsWith(`| ${i + 1} `), rows[i]);
    assert.ok(rows[i].includes(command), `row ${i + 1} lacks ${command}`);
    assert.ok(rows[i].includes(`(notebooks/${chapter.notebook})`), `row ${i + 1} lacks its link`);
    assert.ok(rows[i].includes(`| ${chapter.title}`), `row ${i + 1} lacks "${chapter.title}"`);
  });
});
