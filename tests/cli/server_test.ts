/**
 * `deno task server`: help, endpoint and credentials on start, a one-line error for a busy port,
 * a clean stop on Ctrl-C; one's own users from `--user`, `S3_SERVER_USERS` and `--users-file`
 * (the demo users then gone), and the demo keys refused on anything but a loopback address.
 *
 * Servers bound to 0.0.0.0 here are only ever sent requests on 127.0.0.1.
 */

import assert from "node:assert/strict";
import { CreateBucketCommand, DeleteBucketCommand, ListBucketsCommand } from "@aws-sdk/client-s3";
import { DEMO_USERS } from "../../server/demo_users.ts";
import type { ServerUser } from "../../server/types.ts";
import { isLoopbackAddress } from "../../cli/server.ts";
import { s3Client, s3Failure, serverTaskArgs } from "../support/server.ts";
import { assertGoodMessage } from "../support/messages.ts";

const decoder = new TextDecoder();

function serverCommand(args: string[], env: Record<string, string> = {}): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    args: serverTaskArgs(args),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", ...env },
  });
}

/** A user of one's own, with a secret the tests then look for in the output. */
function user(name: string, accessKeyId: string): ServerUser {
  const secretAccessKey = `${name}-secret-${crypto.randomUUID().slice(0, 12)}`;
  return { id: name, displayName: name, accessKeyId, secretAccessKey };
}

function entry(u: ServerUser): string {
  return `${u.id}:${u.accessKeyId}:${u.secretAccessKey}`;
}

/** A `deno task server` child that printed its banner; stopped with SIGTERM on dispose. */
interface Running {
  url: string;
  stdout: () => string;
  stderr: () => string;
  [Symbol.asyncDispose](): Promise<void>;
}

async function startCommand(args: string[], env: Record<string, string> = {}): Promise<Running> {
  const child = serverCommand(["--port", "0", "--quiet", ...args], env).spawn();
  let out = "";
  let err = "";
  const reading = Promise.all([
    (async () => {
      for await (const chunk of child.stdout) out += decoder.decode(chunk);
    })(),
    (async () => {
      for await (const chunk of child.stderr) err += decoder.decode(chunk);
    })(),
  ]);
  const stop = async () => {
    try {
      child.kill("SIGTERM");
    } catch {
      // already gone
    }
    await child.status;
    await reading;
  };
  const deadline = Date.now() + 30_000;
  while (!out.includes("Ctrl-C")) {
    const exited = await Promise.race([
      child.status.then(() => true),
      new Promise<false>((resolve) => setTimeout(() => resolve(false), 50)),
    ]);
    if (exited || Date.now() > deadline) {
      await stop();
      throw new Error(`deno task server did not start:\n${out}\n${err}`);
    }
  }
  const url = /S3 endpoint:\s+(http:\/\/\S+)/.exec(out)?.[1];
  if (!url) {
    await stop();
    throw new Error(`No endpoint line:\n${out}`);
  }
  return { url, stdout: () => out, stderr: () => err, [Symbol.asyncDispose]: stop };
}

/** Asserts a user can list and create buckets (then removes the bucket). */
async function assertServes(url: string, u: ServerUser): Promise<void> {
  const client = s3Client(url, u);
  try {
    const bucket = `own-${u.id}-${crypto.randomUUID().slice(0, 8)}`.toLowerCase();
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    const { Buckets } = await client.send(new ListBucketsCommand({}));
    assert.deepEqual(Buckets?.map((b) => b.Name), [bucket]);
    await client.send(new DeleteBucketCommand({ Bucket: bucket }));
  } finally {
    client.destroy();
  }
}

/** Asserts the demo users' keys are unknown to the server. */
async function assertDemoRefused(url: string): Promise<void> {
  for (const demo of DEMO_USERS) {
    const client = s3Client(url, demo);
    try {
      const failure = await s3Failure(client.send(new ListBucketsCommand({})));
      assert.deepEqual(failure, { status: 403, code: "InvalidAccessKeyId" }, demo.accessKeyId);
    } finally {
      client.destroy();
    }
  }
}

function assertNoSecret(text: string, users: readonly ServerUser[]): void {
  for (const u of users) {
    assert.ok(!text.includes(u.secretAccessKey), `The output shows ${u.id}'s secret:\n${text}`);
  }
}

Deno.test("deno task server --help explains the options", async () => {
  const { code, stdout } = await serverCommand(["--help"]).output();
  const text = new TextDecoder().decode(stdout);
  assert.equal(code, 0);
  for (const option of ["--port", "--host", "--data", "--help"]) assert.ok(text.includes(option));
});

Deno.test("a busy port is a one-line error, not a stack trace", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const { code, stderr } = await serverCommand(["--port", String(port)]).output();
  const lines = new TextDecoder().decode(stderr).trim().split("\n");
  assert.equal(code, 1);
  assert.equal(lines.length, 1);
  assert.match(
    lines[0],
    new RegExp(`^Cannot listen on 127\\.0\\.0\\.1:${port}: the port is in use`),
  );
});

Deno.test("an unknown flag is a one-line error", async () => {
  const { code, stderr } = await serverCommand(["--bogus"]).output();
  assert.equal(code, 2);
  assert.equal(new TextDecoder().decode(stderr).trim().split("\n").length, 1);
});

Deno.test("the server prints its endpoint and demo users, logs requests, and stops on SIGINT", async () => {
  const child = serverCommand(["--port", "0"]).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("Ctrl-C")) {
    const { done, value } = await reader.read();
    if (done) break;
    text += value;
  }
  const endpoint = /S3 endpoint:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(text)?.[1];
  assert.ok(endpoint, text);
  assert.match(text, /DEMOACCESSKEY/);
  assert.match(text, /OTHERACCESSKEY/);
  const response = await fetch(endpoint);
  assert.equal(response.status, 200);
  await response.body?.cancel();
  const presigned = await fetch(`${endpoint}/b/k?X-Amz-Signature=deadbeefcafe&X-Amz-Credential=x`);
  await presigned.body?.cancel();
  child.kill("SIGINT");
  while (true) {
    const { done, value } = await reader.read();
    if (done) break;
    text += value;
  }
  const status = await child.status;
  await child.stderr.cancel();
  assert.equal(status.code, 0);
  assert.match(text, /Stopped\./);
  // One log line per request, without the query (a presigned URL's signature stays out).
  assert.match(text, /\d\d:\d\d:\d\d GET \/ 200 ListBuckets \d+ms anonymous/);
  assert.match(text, /GET \/b\/k 4\d\d \w+ \d+ms/);
  assert.doesNotMatch(text, /deadbeefcafe/);
});

Deno.test("isLoopbackAddress() accepts 127.0.0.0/8 and ::1 only", () => {
  for (const address of ["127.0.0.1", "127.1.2.3", "::1", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1"]) {
    assert.equal(isLoopbackAddress(address), true, address);
  }
  for (
    const address of ["0.0.0.0", "::", "10.0.0.1", "192.168.1.5", "128.0.0.1", "::2", "fe80::1"]
  ) {
    assert.equal(isLoopbackAddress(address), false, address);
  }
});

Deno.test("--host 0.0.0.0 with the demo keys is refused in one line, naming the way out", async () => {
  const { code, stdout, stderr } = await serverCommand(["--host", "0.0.0.0", "--port", "0"])
    .output();
  const lines = decoder.decode(stderr).trim().split("\n");
  assert.equal(code, 2, decoder.decode(stderr));
  assert.equal(lines.length, 1, decoder.decode(stderr));
  assert.match(lines[0], /^Cannot serve the demo keys on 0\.0\.0\.0 \(all interfaces\): /);
  assert.match(lines[0], /published in the README/);
  assert.match(lines[0], /--user NAME:ACCESS_KEY:SECRET/);
  assert.match(lines[0], /--allow-demo-keys-on-network/);
  assertGoodMessage(lines[0], "demo keys on 0.0.0.0");
  assert.doesNotMatch(decoder.decode(stdout), /S3 endpoint/, "it must not have started");
});

Deno.test("--allow-demo-keys-on-network serves the demo keys on 0.0.0.0 with a warning", async () => {
  await using server = await startCommand([
    "--host",
    "0.0.0.0",
    "--allow-demo-keys-on-network",
  ]);
  assert.match(server.stderr(), /^Warning: serving the demo keys on 0\.0\.0\.0 \(all interfaces\)/);
  assert.match(server.stdout(), /^Listening:\s+0\.0\.0\.0:\d+ \(all interfaces\)$/m);
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  await assertServes(server.url, DEMO_USERS[0]);
});

Deno.test("--user on 0.0.0.0: the printed address is the one bound, only that user signs in", async () => {
  const alice = user("alice", "ALICEACCESSKEY");
  const bob = user("bob", "BOBACCESSKEY");
  await using server = await startCommand([
    "--host",
    "0.0.0.0",
    "--user",
    entry(alice),
    "--user",
    entry(bob),
  ]);
  const port = new URL(server.url).port;
  assert.match(
    server.stdout(),
    new RegExp(`^Listening:\\s+0\\.0\\.0\\.0:${port} \\(all interfaces\\)$`, "m"),
  );
  assert.match(
    server.stdout(),
    new RegExp(`^S3 endpoint:\\s+http://127\\.0\\.0\\.1:${port} from this machine`, "m"),
  );
  assert.match(server.stdout(), /alice\s+access key ALICEACCESSKEY/);
  assert.doesNotMatch(server.stdout(), /DEMOACCESSKEY|Demo users/);
  assert.equal(server.stderr(), "", "no warning: these are not the demo keys");
  await assertServes(server.url, alice);
  await assertServes(server.url, bob);
  await assertDemoRefused(server.url);
  assertNoSecret(server.stdout() + server.stderr(), [alice, bob]);
});

Deno.test("S3_SERVER_USERS gives users, comma- or newline-separated, and adds up with --user", async () => {
  const carol = user("carol", "CAROLACCESSKEY");
  const dave = user("dave", "DAVEACCESSKEY");
  const erin = user("erin", "ERINACCESSKEY");
  await using server = await startCommand(["--user", entry(erin)], {
    S3_SERVER_USERS: `${entry(carol)},\n${entry(dave)}\n`,
  });
  for (const u of [carol, dave, erin]) await assertServes(server.url, u);
  await assertDemoRefused(server.url);
  assertNoSecret(server.stdout() + server.stderr(), [carol, dave, erin]);
});

Deno.test("--users-file gives users, one a line, with # comments and blank lines", async () => {
  const frank = user("frank", "FRANKACCESSKEY");
  const grace = user("grace", "GRACEACCESSKEY");
  const file = await Deno.makeTempFile({ prefix: "server-users-", suffix: ".txt" });
  try {
    await Deno.writeTextFile(
      file,
      `# who may use the test server\n${entry(frank)}\n\n  ${entry(grace)}  # CI\n`,
    );
    await using server = await startCommand(["--host", "0.0.0.0", "--users-file", file]);
    await assertServes(server.url, frank);
    await assertServes(server.url, grace);
    await assertDemoRefused(server.url);
    assertNoSecret(server.stdout() + server.stderr(), [frank, grace]);
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("a bad user entry is a one-line error naming the entry, never its secret", async (t) => {
  const secret = "a-long-enough-secret-0123";
  const file = await Deno.makeTempFile({ prefix: "server-users-bad-", suffix: ".txt" });
  const empty = await Deno.makeTempFile({ prefix: "server-users-empty-", suffix: ".txt" });
  try {
    await Deno.writeTextFile(file, `# team\nann:ANNKEY:${secret}\nbob:BOBKEY\n`);
    await Deno.writeTextFile(empty, "# nobody yet\n\n");
    const cases: [string, string[], Record<string, string>, number, RegExp][] = [
      [
        "a missing part",
        ["--user", "ann:ANNKEY"],
        {},
        2,
        /^Invalid user in --user 1 \("ann"\): expected NAME:ACCESS_KEY:SECRET, got 2 part\(s\)/,
      ],
      [
        "a lone word, maybe a secret, not echoed",
        ["--user", secret],
        {},
        2,
        /^Invalid user in --user 1: expected NAME:ACCESS_KEY:SECRET, got 1 part\(s\)/,
      ],
      [
        "a repeated name",
        ["--user", `ann:K1X:${secret}`, "--user", `ann:K2X:${secret}`],
        {},
        2,
        /^Invalid user in --user 2 \("ann"\): the name "ann" is already used by --user 1/,
      ],
      [
        "a repeated access key across sources",
        ["--user", `ann:SAMEKEY:${secret}`],
        { S3_SERVER_USERS: `bob:SAMEKEY:${secret}` },
        2,
        /^Invalid user in S3_SERVER_USERS entry 1 \("bob"\): the access key is already used by --user 1 \("ann"\)/,
      ],
      [
        "a short secret",
        ["--user", "ann:ANNKEY:tooshort"],
        {},
        2,
        /^Invalid user in --user 1 \("ann"\): the secret has 8 characters; use at least 16/,
      ],
      [
        "a demo access key",
        ["--user", `ann:DEMOACCESSKEY:${secret}`],
        {},
        2,
        /the access key is a demo key, published in the README; choose your own/,
      ],
      [
        "a bad name",
        ["--user", `a b:ANNKEY:${secret}`],
        {},
        2,
        /^Invalid user in --user 1: the name must be 1 to 64 letters/,
      ],
      [
        "a bad line in the file",
        ["--users-file", file],
        {},
        2,
        new RegExp(`^Invalid user in --users-file "${file}" line 3 \\("bob"\\): expected`),
      ],
      [
        "a file without users",
        ["--users-file", empty],
        {},
        2,
        /^Cannot use --users-file ".*": it holds no user/,
      ],
      [
        "a missing file",
        ["--users-file", `${file}.missing`],
        {},
        1,
        /^Cannot read --users-file ".*\.missing": it does not exist/,
      ],
      [
        "a bad entry in the variable",
        [],
        { S3_SERVER_USERS: `ann:ANNKEY:${secret},oops` },
        2,
        /^Invalid user in S3_SERVER_USERS entry 2: expected NAME:ACCESS_KEY:SECRET/,
      ],
    ];
    for (const [name, args, env, code, message] of cases) {
      await t.step(name, async () => {
        const out = await serverCommand(["--port", "0", ...args], env).output();
        const stderr = decoder.decode(out.stderr);
        const stdout = decoder.decode(out.stdout);
        assert.equal(out.code, code, stderr);
        const lines = stderr.trim().split("\n");
        assert.equal(lines.length, 1, stderr);
        assert.match(lines[0], message);
        assertGoodMessage(lines[0], name);
        assert.doesNotMatch(stdout, /S3 endpoint/, "it must not have started");
        assert.ok(!stderr.includes(secret) && !stdout.includes(secret), "the secret is shown");
      });
    }
  } finally {
    await Deno.remove(file);
    await Deno.remove(empty);
  }
});

Deno.test("--cors-origin lets a web app's origin call buckets without rules of their own", async () => {
  const { stdout } = await serverCommand(["--help"]).output();
  assert.match(new TextDecoder().decode(stdout), /--cors-origin ORIGIN/);
  await using server = await startCommand([
    "--cors-origin",
    "http://localhost:5173",
    "--cors-origin",
    "http://*.app.test",
  ]);
  assert.match(server.stdout(), /CORS: +buckets without rules let in http:\/\/localhost:5173/);
  const client = s3Client(server.url);
  try {
    const bucket = `cors-${crypto.randomUUID().slice(0, 8)}`;
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    const ask = (origin: string) =>
      fetch(`${server.url}/${bucket}/photo.png`, {
        method: "OPTIONS",
        headers: { origin, "access-control-request-method": "PUT" },
      });
    for (const origin of ["http://localhost:5173", "http://shop.app.test"]) {
      const allowed = await ask(origin);
      await allowed.body?.cancel();
      assert.equal(allowed.status, 200, origin);
      assert.equal(allowed.headers.get("access-control-allow-origin"), origin);
    }
    const refused = await ask("http://evil.test");
    assert.equal(refused.status, 403);
    await refused.body?.cancel();
    await client.send(new DeleteBucketCommand({ Bucket: bucket }));
  } finally {
    client.destroy();
  }
});

Deno.test("a --cors-origin that is not an origin is a one-line error", async () => {
  const { code, stderr } = await serverCommand(["--cors-origin", "localhost:5173/app"]).output();
  const lines = new TextDecoder().decode(stderr).trim().split("\n");
  assert.equal(code, 2); // a usage error
  assert.match(lines[0], /Cannot allow --cors-origin "localhost:5173\/app"/);
});

Deno.test("--cors-file gives default CORS rules from a CORSConfiguration document", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cors-file-" });
  try {
    const file = `${dir}/cors.xml`;
    await Deno.writeTextFile(
      file,
      "<CORSConfiguration><CORSRule><AllowedOrigin>http://file.test</AllowedOrigin>" +
        "<AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>",
    );
    {
      await using server = await startCommand(["--cors-file", file]);
      assert.match(server.stdout(), /CORS: +buckets without rules follow the rules of --cors-file/);
      const client = s3Client(server.url);
      const bucket = `corsfile-${crypto.randomUUID().slice(0, 8)}`;
      await client.send(new CreateBucketCommand({ Bucket: bucket }));
      const ask = async (method: string) => {
        const response = await fetch(`${server.url}/${bucket}/k`, {
          method: "OPTIONS",
          headers: { origin: "http://file.test", "access-control-request-method": method },
        });
        await response.body?.cancel();
        return response.status;
      };
      assert.deepEqual([await ask("GET"), await ask("PUT")], [200, 403]);
      await client.send(new DeleteBucketCommand({ Bucket: bucket }));
      client.destroy();
    }
    await Deno.writeTextFile(file, "<CORSConfiguration><CORSRule>");
    const { code, stderr } = await serverCommand(["--port", "0", "--cors-file", file]).output();
    const lines = new TextDecoder().decode(stderr).trim().split("\n");
    assert.equal(code, 1);
    assert.equal(lines.length, 1, lines.join("\n"));
    assert.match(lines[0], /Cannot use the default CORS rules: /);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
