/**
 * Bodies stream end to end: with `--data`, a large PUT and GET do not grow the server's memory
 * by the object's size. The server runs as its own process so its peak RSS (`VmHWM`) can be read.
 */

import assert from "node:assert/strict";
import { request } from "node:http";
import { CreateBucketCommand } from "@aws-sdk/client-s3";
import { s3Client, serverTaskArgs } from "../support/server.ts";

const SIZE = 256 * 1024 * 1024;
const CHUNK = new Uint8Array(1024 * 1024).fill(42);

/** Peak RSS of a process, read with `cat` (Deno grants /proc files only to --allow-all). */
async function peakRssMiB(pid: number): Promise<number> {
  const { stdout } = await new Deno.Command("cat", { args: [`/proc/${pid}/status`] }).output();
  return Number(/VmHWM:\s+(\d+) kB/.exec(new TextDecoder().decode(stdout))![1]) / 1024;
}

function streamPut(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: "PUT",
      headers: { "content-length": String(SIZE), "x-amz-acl": "public-read" },
    }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    let sent = 0;
    const pump = () => {
      while (sent < SIZE) {
        sent += CHUNK.length;
        if (!req.write(CHUNK)) return void req.once("drain", pump);
      }
      req.end();
    };
    pump();
  });
}

function streamGet(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    request(url, (res) => {
      let length = 0;
      res.on("data", (d: Uint8Array) => length += d.length);
      res.on("end", () => resolve(length));
    }).on("error", reject).end();
  });
}

Deno.test({
  name: "a 256 MiB PUT and GET with --data grow the server's peak RSS by under 64 MiB",
  ignore: Deno.build.os !== "linux",
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "s3-mem-" });
    const child = new Deno.Command(Deno.execPath(), {
      // Exactly as `deno task server` runs it (its permissions and V8 flags).
      args: serverTaskArgs(["--port", "0", "--data", dir, "--quiet"]),
      stdout: "piped",
      stderr: "null",
      env: { NO_COLOR: "1" },
    }).spawn();
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    try {
      let text = "";
      while (!text.includes("Ctrl-C")) {
        const { done, value } = await reader.read();
        if (done) break;
        text += value;
      }
      const endpoint = /S3 endpoint:\s+(\S+)/.exec(text)![1];
      const s3 = s3Client(endpoint);
      await s3.send(new CreateBucketCommand({ Bucket: "memory", ACL: "public-read-write" }));
      s3.destroy();
      const before = await peakRssMiB(child.pid);
      assert.equal(await streamPut(`${endpoint}/memory/big`), 200);
      assert.equal(await streamGet(`${endpoint}/memory/big`), SIZE);
      const after = await peakRssMiB(child.pid);
      console.log(
        `Server peak RSS: ${before.toFixed(0)} MiB before, ${after.toFixed(0)} MiB after`,
      );
      // The bound is a 150 MB peak for a 1 GiB transfer; 256 MiB must stay well inside.
      assert.ok(after - before < 64, `peak RSS grew by ${(after - before).toFixed(0)} MiB`);
      assert.ok(after < 150, `peak RSS ${after.toFixed(0)} MiB`);
    } finally {
      child.kill("SIGINT");
      await child.status;
      await reader.cancel().catch(() => {});
      await Deno.remove(dir, { recursive: true });
    }
  },
});
