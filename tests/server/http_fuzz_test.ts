/**
 * A differential fuzz test of the listener's framing against Node's llhttp (the parser behind
 * `node:http`, here `node:_http_common`'s `HTTPParser`): 10,000 generated requests, valid ones
 * mutated (whitespace and control bytes, Content-Length and Transfer-Encoding combinations,
 * obs-fold, line endings, chunk sizes, versions), each followed by a second request, are sent on
 * raw sockets to a real `listen()` and given to llhttp. Wherever llhttp refuses a message, or
 * frames it differently (another body, another end), the listener must have refused it: ours is
 * never the laxer one. Seeded (`FUZZ_SEED` to replay), bounded in count and time.
 */

import assert from "node:assert/strict";
import { HTTPParser } from "node:_http_common";
import { listen } from "../../server/http/listen.ts";
import { prng } from "../support/prng.ts";
import { writeAll } from "../support/raw_http.ts";

const COUNT = 10_000;
const PARALLEL = 16;
const SEED = Number(Deno.env.get("FUZZ_SEED") ?? 22);

/** One byte per character. */
function bytes(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);
}

/** A message as a parser framed it: method, target and the body it read. */
type Framed = string;

/** The messages llhttp reads whole from `input`, in order, up to its first error. */
function llhttpMessages(input: Uint8Array): Framed[] {
  const parser = new HTTPParser();
  parser.initialize(HTTPParser.REQUEST, {});
  const done: Framed[] = [];
  let current = "";
  let body = "";
  parser[HTTPParser.kOnHeadersComplete] = (
    _major: number,
    _minor: number,
    _headers: string[],
    method: number,
    url: string,
  ) => {
    current = `${method} ${url}`;
    body = "";
    return 0;
  };
  parser[HTTPParser.kOnBody] = (chunk: Uint8Array) => {
    body += String.fromCharCode(...chunk);
  };
  parser[HTTPParser.kOnMessageComplete] = () => {
    done.push(`${current} [${body}]`);
  };
  try {
    parser.execute(input);
  } catch {
    // an error ends the parse: the messages completed before it stand
  }
  parser.close?.();
  return done;
}

/** The bodies our listener answered 200 to, in order, for `input` sent on one connection. */
async function ourMessages(port: number, input: Uint8Array): Promise<string[]> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const timer = setTimeout(() => conn.close(), 10_000);
  let text = "";
  try {
    await writeAll(conn, input).catch(() => {});
    await conn.closeWrite().catch(() => {});
    const buffer = new Uint8Array(64 * 1024);
    for (let n = await conn.read(buffer); n !== null; n = await conn.read(buffer)) {
      text += String.fromCharCode(...buffer.subarray(0, n));
    }
  } catch {
    // reset or closed by the timer: what arrived is judged
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch {
      // already closed
    }
  }
  const answered: string[] = [];
  for (;;) {
    const end = text.indexOf("\r\n\r\n");
    if (end === -1 || !text.startsWith("HTTP/1.1 200 ")) break;
    const length = Number(/content-length: (\d+)/.exec(text.slice(0, end))?.[1] ?? 0);
    answered.push(text.slice(end + 4, end + 4 + length));
    text = text.slice(end + 4 + length);
  }
  return answered;
}

const METHODS = ["GET", "PUT", "POST", "DELETE"];
/** llhttp's method numbers (its `llhttp_method` enum). */
const LLHTTP_METHODS: Record<number, string> = {
  0: "DELETE",
  1: "GET",
  2: "HEAD",
  3: "POST",
  4: "PUT",
};
const SPACES = [" ", "\t", "\x0b", "\x0c", "\r", "\n", "\xa0", "\x00", "\x85", "  "];
const CODINGS = [
  "chunked",
  "Chunked",
  "chunked, chunked",
  "gzip, chunked",
  "chunked, gzip",
  "identity",
  "chunked ",
  "\tchunked",
  "xchunked",
  "chunked;q=1",
  "",
];
const LENGTHS = [
  "5",
  "05",
  "+5",
  "-5",
  "5 5",
  "5,5",
  "0x5",
  "",
  "5.0",
  "99999999999999999999",
  "4",
  "6",
];
const SIZES = [
  "5",
  "05",
  "5 ",
  " 5",
  "5\t",
  "0x5",
  "5;a=b",
  "5;",
  "5\xa0",
  "-5",
  "g",
  "ffffffffffffffff",
  "",
];
const VERSIONS = [
  "HTTP/1.1",
  "HTTP/1.0",
  "HTTP/1.2",
  "HTTP/2.0",
  "http/1.1",
  "HTTP/1.1 ",
  "HTTP/1",
  "HTTP/01.1",
];
const CONTROLS = ["\x00", "\x01", "\x7f", "\x1b", "\xe9", "\xff", " ", "\r", "\n"];

/** A valid request, mutated one to three times, then a second valid request. */
function generate(random: () => number): string {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
  let method = pick(METHODS);
  let target = "/b/k?x=1";
  let version = random() < 0.8 ? "HTTP/1.1" : "HTTP/1.0";
  const fields: Array<[string, string]> = [["Host", "x"], ["X-Amz-Meta-A", "v"]];
  let chunks: string[] = [];
  let body = "hello";
  if (random() < 0.5) {
    fields.push(["Content-Length", "5"]);
  } else {
    fields.push(["Transfer-Encoding", "chunked"]);
    chunks = ["5", "hello", "0"];
    if (method === "GET") method = "PUT";
  }
  if (version === "HTTP/1.0" && random() < 0.5) fields.push(["Connection", "keep-alive"]);
  let eol = "\r\n";
  const mutations = 1 + Math.floor(random() * 3);
  for (let m = 0; m < mutations; m++) {
    const i = Math.floor(random() * fields.length);
    switch (Math.floor(random() * 12)) {
      case 0: // a whitespace-like byte around or inside a field
        fields[i] = pick([
          ([n, v]: [string, string]) => [n, pick(SPACES) + v],
          ([n, v]: [string, string]) => [n, v + pick(SPACES)],
          ([n, v]: [string, string]) => [n + pick(SPACES), v],
          ([n, v]: [string, string]) => [pick(SPACES) + n, v],
        ])(fields[i]) as [string, string];
        break;
      case 1:
        fields.push(["Transfer-Encoding", pick(CODINGS)]);
        break;
      case 2:
        fields.push(["Content-Length", pick(LENGTHS)]);
        break;
      case 3: // change the length already there
        for (const f of fields) if (f[0] === "Content-Length") f[1] = pick(LENGTHS);
        break;
      case 4: // obs-fold
        fields.splice(i + 1, 0, [pick([" ", "\t"]) + "folded", "x"]);
        break;
      case 5: {
        const at = 1 + Math.floor(random() * (target.length - 1));
        target = target.slice(0, at) + pick(CONTROLS) + target.slice(at);
        break;
      }
      case 6:
        fields[i] = [fields[i][0], fields[i][1] + pick(CONTROLS) + "z"];
        break;
      case 7:
        version = pick(VERSIONS);
        break;
      case 8:
        eol = pick(["\n", "\r", "\n\r", "\r\r\n"]);
        break;
      case 9:
        chunks = [pick(SIZES), "hello", pick(["0", "00", "0 ", "0;x", " 0"])];
        break;
      case 10:
        target = pick(["http://y/b/k", "*", "b/k", "//b", "http://", "/b k", "/%zz"]);
        break;
      case 11:
        body = pick(["", "hell", "hello!", "5\r\nhello\r\n0\r\n\r\n"]);
        break;
    }
  }
  const head = `${method} ${target} ${version}${eol}` +
    fields.map(([n, v]) => `${n}:${v.startsWith(" ") ? "" : " "}${v}${eol}`).join("") + eol;
  const tail = chunks.length > 0 && fields.some(([n]) => n === "Transfer-Encoding")
    ? `${chunks[0]}\r\n${chunks[1]}\r\n${chunks[2]}\r\n\r\n`
    : body;
  return head + tail + "GET /next HTTP/1.1\r\nHost: x\r\n\r\n";
}

Deno.test("listen() never frames a message llhttp refuses or frames differently (10,000 generated requests)", async () => {
  const server = listen({ hostname: "127.0.0.1", port: 0 }, async (request) => {
    const body = request.body === null ? "" : await new Response(request.body).bytes();
    return new Response(
      `${request.method} ${request.url} [${
        typeof body === "string" ? body : String.fromCharCode(...body)
      }]`,
    );
  });
  const random = prng(SEED);
  const inputs = Array.from({ length: COUNT }, () => generate(random));
  const laxer: string[] = [];
  let ourAccepted = 0;
  let theirsAccepted = 0;
  const started = performance.now();
  try {
    let next = 0;
    await Promise.all(Array.from({ length: PARALLEL }, async () => {
      while (next < inputs.length) {
        const input = inputs[next++];
        const ours = await ourMessages(server.addr.port, bytes(input));
        const theirs = llhttpMessages(bytes(input)).map((m) => {
          const [method, ...rest] = m.split(" ");
          return `${LLHTTP_METHODS[Number(method)] ?? method} ${rest.join(" ")}`;
        });
        ourAccepted += ours.length;
        theirsAccepted += theirs.length;
        for (const [i, message] of ours.entries()) {
          if (theirs[i] !== message) {
            laxer.push(
              `${JSON.stringify(input)}: message ${i + 1} ours ${JSON.stringify(message)}, ` +
                `llhttp ${JSON.stringify(theirs[i] ?? "refused")}`,
            );
            break;
          }
        }
      }
    }));
  } finally {
    await server.shutdown();
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    `${COUNT} inputs (seed ${SEED}) in ${seconds} s: messages framed: ours ${ourAccepted}, ` +
      `llhttp ${theirsAccepted}; ours laxer or framed differently: ${laxer.length}`,
  );
  assert.deepEqual(laxer.slice(0, 10), [], `${laxer.length} inputs where ours is laxer`);
});
