/**
 * Least privilege: every `deno task` in deno.json runs with narrowed permissions, never `-A` or
 * `--allow-all`; each task really works with exactly those permissions; and for the commands a
 * user runs (tour, server, cp, sync, notebook, notebook:run) every permission is needed: drop one
 * and it fails. notebook:run needs the `jupyter` engine (tests/support/engines.ts).
 */

import assert from "node:assert/strict";
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { DEMO_USERS } from "../../server/demo_users.ts";
import { s3Client, testServer } from "../support/server.ts";
import { type CommandResult, REPO_ROOT, runDeno } from "../support/commands.ts";
import { type Engine, engineTest } from "../support/engines.ts";

const DEMO = DEMO_USERS[0];
/** The server exercise's user, given to `deno task server` through S3_SERVER_USERS. */
const ENV_USER = {
  id: "perm",
  displayName: "perm",
  accessKeyId: "PERMACCESSKEY",
  secretAccessKey: "perm-secret-0123456789",
};
const TASKS: Record<string, string> = JSON.parse(
  await Deno.readTextFile(`${REPO_ROOT}/deno.json`),
).tasks;

/** Flags that grant everything, or powers no task of this project should hold. */
const FORBIDDEN = /^(-A|--allow-all|--allow-ffi|--allow-scripts|--allow-hrtime|--unstable.*)$/;

/** The `deno run`/`deno test` commands inside a task string (tasks may chain with `&&`). */
function commands(task: string): string[][] {
  return task.split(/&&|\|\||;/).map((c) => c.trim().split(/\s+/)).filter((w) => w[0] === "deno");
}

function permissionFlags(words: string[]): string[] {
  return words.filter((w) => /^(-A|--allow-|--deny-|--unstable)/.test(w));
}

Deno.test("permissions: no deno task asks for all permissions", () => {
  assert.ok(Object.keys(TASKS).length >= 4, "deno.json has too few tasks");
  for (const [name, task] of Object.entries(TASKS)) {
    for (const words of commands(task)) {
      for (const flag of permissionFlags(words)) {
        assert.doesNotMatch(flag.split("=")[0], FORBIDDEN, `Task "${name}" uses ${flag}`);
      }
      if (["run", "test", "bench", "serve"].includes(words[1])) {
        assert.ok(
          !words.includes("--allow-all") && !words.includes("-A"),
          `Task "${name}" grants every permission`,
        );
      }
    }
    assert.ok(!/\s-A(\s|$)|--allow-all/.test(task), `Task "${name}" grants every permission`);
  }
});

/** How to exercise one task: run it with the given `deno` arguments and say if it worked. */
type Exercise = (denoArgs: string[]) => Promise<{ ok: boolean; why: string }>;

function outcome(result: CommandResult, ok: boolean): { ok: boolean; why: string } {
  return { ok, why: `exit ${result.code}: ${(result.stderr || result.stdout).slice(-600)}` };
}

/** The task's own `deno ...` words, split into permission flags and the rest. */
function taskParts(name: string): { flags: string[]; rest: string[] } {
  const words = commands(TASKS[name])[0];
  assert.ok(words, `Task "${name}" does not run deno`);
  return {
    flags: permissionFlags(words),
    rest: words.slice(1).filter((w) => !permissionFlags([w]).length),
  };
}

/** `deno run` arguments for a task with its flags, minus one. */
function withFlags(name: string, flags: string[], extra: string[]): string[] {
  const { rest } = taskParts(name);
  const [sub, ...others] = rest;
  return [sub, ...flags, ...others, ...extra];
}

const EXERCISES: Record<string, Exercise> = {
  tour: async (args) => {
    // The first chapter, then big-files, which writes (and removes) a file beside the notebooks.
    for (const chapter of [[], ["big-files"]]) {
      const result = await runDeno([...args, ...chapter], { timeoutMs: 120_000 });
      const ok = result.code === 0 && /Tour complete/.test(result.stdout);
      if (!ok || chapter.length > 0) return outcome(result, ok);
    }
    throw new Error("unreachable");
  },
  server: async (args) => {
    const dir = await Deno.makeTempDir({ prefix: "perm-server-" });
    try {
      // Its user comes from S3_SERVER_USERS, so the task's --allow-env for it is exercised too.
      const child = new Deno.Command(Deno.execPath(), {
        args: [...args, "--port", "0", "--quiet", "--data", `${dir}/data`],
        env: {
          S3_SERVER_USERS: `${ENV_USER.id}:${ENV_USER.accessKeyId}:${ENV_USER.secretAccessKey}`,
        },
        cwd: REPO_ROOT,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
      let text = "";
      const reader = child.stdout.getReader();
      let url: string | undefined;
      while (!url) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
        url = text.match(/S3 endpoint:\s+(http:\/\/\S+)/)?.[1];
      }
      let ok = false;
      if (url) {
        const sdk = s3Client(url, ENV_USER);
        try {
          await sdk.send(new CreateBucketCommand({ Bucket: "perm-bucket" }));
          await sdk.send(new PutObjectCommand({ Bucket: "perm-bucket", Key: "k", Body: "v" }));
          const out = await sdk.send(new GetObjectCommand({ Bucket: "perm-bucket", Key: "k" }));
          ok = (await out.Body!.transformToString()) === "v";
        } catch {
          ok = false;
        } finally {
          sdk.destroy();
        }
        child.kill("SIGTERM");
      }
      reader.releaseLock();
      const status = await child.output().catch(() => undefined);
      clearTimeout(timer);
      const stderr = status ? new TextDecoder().decode(status.stderr) : "";
      const stopped = status?.code === 0;
      return { ok: ok && stopped, why: `started: ${Boolean(url)}, stopped: ${stopped} ${stderr}` };
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
  cp: async (args) => {
    await using server = await testServer();
    const sdk = s3Client(server.url);
    const dir = await Deno.makeTempDir({ prefix: "perm-cp-" });
    try {
      await sdk.send(new CreateBucketCommand({ Bucket: "perm-cp" }));
      await Deno.writeTextFile(`${dir}/in.txt`, "copied");
      const keys = ["--endpoint", server.url, "--access-key", DEMO.accessKeyId, "--secret-key"];
      const up = await runDeno(
        [...args, ...keys, DEMO.secretAccessKey, "--quiet", `${dir}/in.txt`, "s3://perm-cp/in.txt"],
      );
      if (up.code !== 0) return outcome(up, false);
      const down = await runDeno(
        [
          ...args,
          ...keys,
          DEMO.secretAccessKey,
          "--quiet",
          "s3://perm-cp/in.txt",
          `${dir}/out.txt`,
        ],
      );
      const copied = await Deno.readTextFile(`${dir}/out.txt`).catch(() => "");
      if (down.code !== 0 || copied !== "copied") return outcome(down, false);
      // A file over the multipart threshold (16 MiB) goes up through the SDK, small ones without.
      await Deno.writeFile(`${dir}/big.bin`, new Uint8Array(17 * 1024 * 1024));
      const big = await runDeno(
        [...args, ...keys, DEMO.secretAccessKey, "--quiet", `${dir}/big.bin`, "s3://perm-cp/big"],
      );
      return outcome(big, big.code === 0);
    } finally {
      sdk.destroy();
      await Deno.remove(dir, { recursive: true });
    }
  },
  sync: async (args) => {
    await using server = await testServer();
    const sdk = s3Client(server.url);
    const dir = await Deno.makeTempDir({ prefix: "perm-sync-" });
    try {
      await sdk.send(new CreateBucketCommand({ Bucket: "perm-sync" }));
      await Deno.mkdir(`${dir}/in/sub`, { recursive: true });
      await Deno.writeTextFile(`${dir}/in/sub/a.txt`, "synced");
      // A file over the multipart threshold (16 MiB) takes the SDK's path, small ones the lean one.
      await Deno.writeFile(`${dir}/in/big.bin`, new Uint8Array(17 * 1024 * 1024));
      const keys = ["--endpoint", server.url, "--access-key", DEMO.accessKeyId, "--secret-key"];
      const up = await runDeno(
        [...args, ...keys, DEMO.secretAccessKey, "--quiet", `${dir}/in`, "s3://perm-sync/p"],
      );
      if (up.code !== 0) return outcome(up, false);
      const down = await runDeno(
        [...args, ...keys, DEMO.secretAccessKey, "--quiet", "s3://perm-sync/p", `${dir}/out`],
      );
      const copied = await Deno.readTextFile(`${dir}/out/sub/a.txt`).catch(() => "");
      const big = await Deno.stat(`${dir}/out/big.bin`).catch(() => undefined);
      return outcome(
        down,
        down.code === 0 && copied === "synced" && big?.size === 17 * 1024 * 1024,
      );
    } finally {
      sdk.destroy();
      await Deno.remove(dir, { recursive: true });
    }
  },
  notebook: async (args) => {
    // In a copy of the repository: the task rewrites notebooks/, which teammates own.
    const copy = await Deno.makeTempDir({ prefix: "perm-notebook-" });
    try {
      for (const path of ["deno.json", "deno.lock", "core", "lib", "tour", "course", "notebooks"]) {
        await copyTree(`${REPO_ROOT}/${path}`, `${copy}/${path}`);
      }
      await Deno.remove(`${copy}/notebooks/tour.ipynb`);
      const result = await runDeno(args, { cwd: copy, timeoutMs: 60_000 });
      const written = await Deno.readTextFile(`${copy}/notebooks/tour.ipynb`).catch(() => "");
      return outcome(result, result.code === 0 && written.includes('"nbformat": 4'));
    } finally {
      await Deno.remove(copy, { recursive: true });
    }
  },
  "notebook:run": async (args) => {
    // A one-cell notebook, so dropping each permission costs one short kernel run.
    const dir = await Deno.makeTempDir({ prefix: "perm-notebook-run-" });
    try {
      const notebook = {
        nbformat: 4,
        nbformat_minor: 5,
        metadata: { kernelspec: { name: "deno", display_name: "Deno", language: "typescript" } },
        cells: [{
          cell_type: "code",
          id: "c1",
          metadata: {},
          execution_count: null,
          source: "20 + 22",
          outputs: [],
        }],
      };
      await Deno.writeTextFile(`${dir}/n.ipynb`, JSON.stringify(notebook));
      const result = await runDeno([...args, `${dir}/n.ipynb`], { timeoutMs: 120_000 });
      const written = await Deno.readTextFile(`${dir}/n.out.ipynb`).catch(() => "");
      return outcome(result, result.code === 0 && written.includes('"42"'));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
  "course:html": async (args) => {
    // One short chapter, so the exercise costs one kernel run (course_html_test builds them all).
    const dir = await Deno.makeTempDir({ prefix: "perm-course-html-" });
    try {
      const result = await runDeno([...args, "--out", dir, "signing"], { timeoutMs: 300_000 });
      const index = await Deno.readTextFile(`${dir}/index.html`).catch(() => "");
      const page = await Deno.stat(`${dir}/02-signing.html`).catch(() => undefined);
      return outcome(result, result.code === 0 && index.includes("02-signing.html") && !!page);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
  bench: async (args) => {
    const dir = await Deno.makeTempDir({ prefix: "perm-bench-" });
    try {
      const result = await runDeno([
        ...args,
        "--clients",
        "lib",
        "--size",
        "8MiB",
        "--small-count",
        "20",
        "--trace-rounds",
        "1",
        "--tour-runs",
        "0",
        "--no-rgw",
        "--out",
        `${dir}/bench.json`,
      ], { timeoutMs: 120_000 });
      const json = await Deno.readTextFile(`${dir}/bench.json`).catch(() => "");
      return outcome(result, result.code === 0 && json.length > 0);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
  "bench-sync": async (args) => {
    const dir = await Deno.makeTempDir({ prefix: "perm-bench-sync-" });
    try {
      const result = await runDeno([
        ...args,
        "--tools",
        "lib",
        "--small",
        "10",
        "--big",
        "1",
        "--big-size",
        "1MiB",
        "--cp-size",
        "1MiB",
        "--many",
        "0",
        "--out",
        `${dir}/bench.json`,
      ], { timeoutMs: 120_000 });
      const json = await Deno.readTextFile(`${dir}/bench.json`).catch(() => "");
      return outcome(
        result,
        result.code === 0 && json.length > 0 &&
          /\| small re-sync \| lib \| [\d.]+ \|/.test(result.stdout),
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
  "bench-versions": async (args) => {
    const result = await runDeno(
      [...args, "--versions", "30", "--keys", "20", "--page", "10", "--rounds", "1"],
      { timeoutMs: 120_000 },
    );
    return outcome(
      result,
      result.code === 0 && /\| memory \| 30 versions of 1 key \| 30 \| 3 \|/.test(result.stdout) &&
        /\| --data \| 20 keys x 3 versions \| 60 \| 6 \|/.test(result.stdout),
    );
  },
};

/** Engines a task's exercise needs (see tests/support/engines.ts). */
const NEEDS: Record<string, Engine[]> = {
  "notebook:run": ["jupyter"],
  "course:html": ["jupyter"],
};

/** Registers a test, through engineTest() when the task needs engines. */
function taskTest(name: string, test: string, fn: (t: Deno.TestContext) => Promise<void>) {
  if (!(name in TASKS)) Deno.test({ name: test, ignore: true, fn: () => {} });
  else if (NEEDS[name]) engineTest(NEEDS[name], test, fn);
  else Deno.test(test, fn);
}

/** Tasks not run here, and why. */
const NOT_RUN: Record<string, string> = {
  test: "it is the test suite itself (CI runs it with exactly these flags)",
  check: "fmt, lint and check need no permissions; it is run by CI",
  "conformance:record": "it rewrites the recording from a live Ceph RGW; conformance_test.ts " +
    "checks that recording against RGW in CI",
};

async function copyTree(from: string, to: string): Promise<void> {
  const info = await Deno.stat(from);
  if (info.isFile) {
    await Deno.copyFile(from, to);
    return;
  }
  await Deno.mkdir(to, { recursive: true });
  for await (const entry of Deno.readDir(from)) {
    if (entry.name.startsWith(".")) continue;
    await copyTree(`${from}/${entry.name}`, `${to}/${entry.name}`);
  }
}

Deno.test("permissions: every task is exercised by this test or explained", () => {
  for (const name of Object.keys(TASKS)) {
    assert.ok(
      name in EXERCISES || name in NOT_RUN,
      `Task "${name}" is new: add how to exercise it to tests/e2e/permissions_test.ts`,
    );
  }
});

for (const name of Object.keys(EXERCISES)) {
  taskTest(
    name,
    `permissions: deno task ${name} works with its own narrowed permissions`,
    async () => {
      const { flags } = taskParts(name);
      const result = await EXERCISES[name](withFlags(name, flags, []));
      assert.ok(result.ok, `deno task ${name} (${flags.join(" ")}) failed: ${result.why}`);
    },
  );
}

/** The commands a user runs; for these, each permission must be needed. */
const USER_COMMANDS = ["tour", "server", "cp", "sync", "notebook", "notebook:run"];

for (const name of USER_COMMANDS) {
  taskTest(name, `permissions: deno task ${name} needs every permission it asks for`, async (t) => {
    const { flags } = taskParts(name);
    for (const flag of flags.filter((f) => f.startsWith("--allow-"))) {
      await t.step(`without ${flag} it fails`, async () => {
        const result = await EXERCISES[name](
          withFlags(name, flags.filter((f) => f !== flag), []),
        );
        assert.ok(
          !result.ok,
          `deno task ${name} works without ${flag}: drop it from deno.json (least privilege)`,
        );
      });
    }
  });
}
