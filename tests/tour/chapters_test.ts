/**
 * The course's chapters on the command line: `deno task tour --list`, choosing a chapter by
 * name, refusing an unknown one in one line, the README's course table, and Ctrl-C in the middle
 * of a chapter cleaning up what that chapter made.
 *
 * @module
 */

import assert from "node:assert/strict";
import { chapterNamed, CHAPTERS } from "../../tour/chapters.ts";
import { parseTourArgs } from "../../tour/main.ts";
import { startServer } from "../../server/mod.ts";
import { DEMO_USERS } from "../../server/demo_users.ts";
import { bucketNames, runTour } from "../support/tour_run.ts";
import { PROMPT, ptyTour } from "../support/chapter_pty.ts";

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

for (const [name, at] of [["signing", "tamper-header"], ["versions", "delete-marker"]]) {
  Deno.test(`Ctrl-C in the middle of the ${name} chapter deletes what it made and exits 130`, async () => {
    await using server = await startServer({ port: 0, quiet: true });
    const demo = DEMO_USERS[0];
    const tour = await ptyTour([
      name,
      "--step",
      "--endpoint",
      server.url,
      "--access-key",
      demo.accessKeyId,
      "--secret-key",
      demo.secretAccessKey,
    ]);
    const index = chapterNamed(name).steps.findIndex((s) => s.id === at);
    assert.ok(index > 0, at);
    for (let i = 1; i <= index; i++) {
      await tour.waitFor(PROMPT, i);
      await tour.type("\n");
    }
    await tour.waitFor(PROMPT, index + 1);
    const [bucket] = await bucketNames(server.url);
    assert.ok(bucket, `the ${name} chapter should have made its bucket by now`);
    await tour.type("\x03");
    assert.equal(await tour.finish(), 130, tour.output);
    assert.match(tour.output, /Interrupted: cleaning up/);
    assert.match(
      tour.output,
      new RegExp(`Cleaned up: deleted bucket "${bucket}" and [1-9]\\d* object`),
    );
    assert.deepEqual(await bucketNames(server.url), [], "buckets left after Ctrl-C");
  });
}
