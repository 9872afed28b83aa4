/**
 * `deno task server` out of file descriptors: started under `ulimit -n 200`, then 400 idle
 * connections. Accepting fails with EMFILE while the queued connections wait; the listener must
 * pause (not spin at a full core, as it did), say so once, and serve new requests once the head
 * timeout has closed the idle connections. Loopback only, bounded in count and time; Linux only
 * (it reads /proc).
 */

import assert from "node:assert/strict";
import { DEMO_USERS } from "../../server/demo_users.ts";
import { REPO_ROOT, taskArgs, waitForLine } from "../support/commands.ts";
import { serialize, toWire, writeAll } from "../support/raw_http.ts";
import { signV4 } from "../support/signing.ts";

const decoder = new TextDecoder();
const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/**
 * CPU time (user + system) a process used so far, in seconds, from /proc/PID/stat (read by
 * `cat`: Deno lets only --allow-all read another process's /proc files).
 */
async function cpuSeconds(pid: number): Promise<number> {
  const { stdout } = await new Deno.Command("cat", { args: [`/proc/${pid}/stat`] }).output();
  const stat = decoder.decode(stdout);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND; // utime, stime
}

Deno.test({
  name:
    "out of file descriptors, deno task server pauses accepting (low CPU) and serves again once timeouts free some",
  ignore: Deno.build.os !== "linux",
  async fn() {
    const child = new Deno.Command("bash", {
      args: [
        "-c",
        'ulimit -n 200 && exec "$0" "$@"',
        Deno.execPath(),
        ...taskArgs("server"),
        "--port",
        "0",
        "--head-timeout",
        "4",
      ],
      cwd: REPO_ROOT,
      env: { NO_COLOR: "1", S3_SERVER_USERS: "" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    let errors = "";
    const stderrDone = (async () => {
      for await (const chunk of child.stderr) errors += decoder.decode(chunk);
    })();
    const idle: Deno.Conn[] = [];
    let line: Awaited<ReturnType<typeof waitForLine>> | undefined;
    try {
      line = await waitForLine(child.stdout, /S3 endpoint:\s+http:\/\/127\.0\.0\.1:(\d+)/, 30_000);
      const port = Number(line.match[1]);
      for (let i = 0; i < 400; i++) idle.push(await Deno.connect({ hostname: "127.0.0.1", port }));
      await new Promise((resolve) => setTimeout(resolve, 1000));

      // Out of descriptors with connections queued: the server must not spin.
      const before = await cpuSeconds(child.pid);
      const t0 = performance.now();
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const share = (await cpuSeconds(child.pid) - before) / ((performance.now() - t0) / 1000);
      console.log(`server CPU while out of descriptors: ${(share * 100).toFixed(0)} % of a core`);
      assert.ok(share < 0.3, `the server used ${(share * 100).toFixed(0)} % of a core`);

      // A new request is served once the head timeout (4 s) has freed descriptors.
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      try {
        const list = await signV4(
          { method: "GET", host: `127.0.0.1:${port}`, path: "/", query: {}, headers: {} },
          DEMO_USERS[0],
          new Date(),
        );
        const asked = performance.now();
        await writeAll(conn, serialize(toWire(list)));
        const buffer = new Uint8Array(4096);
        const timer = setTimeout(() => conn.close(), 40_000);
        const n = await conn.read(buffer).catch(() => null);
        clearTimeout(timer);
        const answer = decoder.decode(buffer.subarray(0, n ?? 0));
        assert.match(answer, /^HTTP\/1\.1 200 /, "no answer within 40 s");
        console.log(
          `a new request answered after ${((performance.now() - asked) / 1000).toFixed(1)} s`,
        );
      } finally {
        try {
          conn.close();
        } catch {
          // closed by the timer
        }
      }
    } finally {
      for (const conn of idle) {
        try {
          conn.close();
        } catch {
          // closed by the server
        }
      }
      child.kill("SIGKILL");
      await child.status;
      await line?.done;
      await stderrDone;
    }
    const pauses = errors.match(/Cannot accept a connection/g)?.length ?? 0;
    assert.ok(pauses >= 1, `the pause was not logged: ${errors}`);
    assert.ok(pauses <= 10, `logged ${pauses} times, not once per pause`);
    assert.match(errors, /Too many open files|os error 24/);
  },
});
