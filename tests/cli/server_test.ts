/**
 * `deno task server`: help, endpoint and credentials on start, a one-line error for a busy port,
 * a clean stop on Ctrl-C.
 */

import assert from "node:assert/strict";
import { serverTaskArgs } from "../support/server.ts";

function serverCommand(args: string[]): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    args: serverTaskArgs(args),
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  });
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
