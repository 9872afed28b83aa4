/**
 * Signature V2 as boto 2 really signs it (header and query string), checked by the verifier;
 * tampering, expiry, skew and unknown keys refused with RGW's codes.
 */

import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { authenticate, type AuthRequest } from "../../../server/auth/mod.ts";
import { canonicalResourceV2, stringToSignV2 } from "../../../core/sigv2.ts";
import { S3Error } from "../../../server/errors.ts";
import { DEMO_USERS } from "../../../server/demo_users.ts";
import type { Address } from "../../../server/types.ts";
import { engineCommand, engineTest } from "../../support/engines.ts";

/** Signs with boto 2 itself: header auth through its HmacAuthV1Handler, URLs through generate_url. */
const BOTO2 = `
import sys, json
from boto.s3.connection import S3Connection, OrdinaryCallingFormat, SubdomainCallingFormat
from boto.connection import HTTPRequest
out = []
for req in json.loads(sys.argv[1]):
    fmt = SubdomainCallingFormat() if req.get("virtual") else OrdinaryCallingFormat()
    conn = S3Connection(req.get("akid", "DEMOACCESSKEY"), req.get("secret", "DEMOSECRETKEY"),
                        host="localhost", port=9000, is_secure=False, calling_format=fmt)
    if "expires" in req:
        out.append({"url": conn.generate_url(req["expires"], req["method"], bucket=req["bucket"],
                    key=req["key"], response_headers=req.get("response_headers"),
                    expires_in_absolute=True)})
    else:
        r = HTTPRequest(req["method"], "http", "localhost", 9000, req["path"], req["path"], {},
                        dict(req.get("headers", {})), "")
        conn._auth_handler.add_auth(r)
        out.append({"headers": dict(r.headers)})
print(json.dumps(out))
`;

interface BotoRequest {
  method: string;
  path?: string;
  headers?: Record<string, string>;
  bucket?: string;
  key?: string;
  expires?: number;
  response_headers?: Record<string, string>;
  virtual?: boolean;
  secret?: string;
  akid?: string;
}

async function boto2(
  requests: BotoRequest[],
): Promise<Array<{ url?: string; headers?: Record<string, string> }>> {
  const { code, stdout, stderr } = await engineCommand("boto2", {
    args: ["-c", BOTO2, JSON.stringify(requests)],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(
    code,
    0,
    `boto 2 failed: ${new TextDecoder().decode(stderr)}`,
  );
  return JSON.parse(new TextDecoder().decode(stdout));
}

function pathStyle(path: string): Address {
  const [bucket, ...key] = path.split("?")[0].slice(1).split("/");
  return {
    bucket,
    key: key.length ? decodeURIComponent(key.join("/")) : undefined,
    virtualHost: false,
  };
}

function request(
  method: string,
  url: string,
  headers: Record<string, string>,
  address: Address,
): AuthRequest {
  return {
    method,
    url,
    headers: new Headers({ host: new URL(url).host, ...headers }),
    address,
    body: null,
  };
}

const options = { users: DEMO_USERS };

async function refused(promise: Promise<unknown>, code: string): Promise<S3Error> {
  const error = await promise.then(
    () => assert.fail(`Expected ${code}, the request was accepted`),
    (e) => e,
  );
  assert.ok(error instanceof S3Error, `Expected an S3Error, got ${error}`);
  assert.equal(error.code, code, error.message);
  return error;
}

const HEADER_CASES: BotoRequest[] = [
  { method: "GET", path: "/a1-bucket/key.txt" },
  { method: "PUT", path: "/a1-bucket/" },
  { method: "GET", path: "/a1-bucket/key.txt?acl" },
  { method: "GET", path: "/a1-bucket/?uploads&prefix=a" },
  { method: "PUT", path: "/a1-bucket/big.bin?partNumber=2&uploadId=abc%2Bdef" },
  { method: "GET", path: "/a1-bucket/a%20b%2Bc.txt" },
  { method: "GET", path: "/a1-bucket/x/../y~z.txt" },
  { method: "GET", path: "/a1-bucket/%C3%A9%21%27%28%29%2A.txt?versioning" },
  {
    method: "PUT",
    path: "/a1-bucket/meta.txt",
    headers: {
      "Content-Type": "text/plain",
      "Content-MD5": "XUFAKrxLKna5cZ2REBfFkg==",
      "x-amz-meta-colour": "blue",
      "x-amz-acl": "public-read",
    },
  },
];

engineTest("boto2", "authenticate() accepts Signature V2 headers signed by boto 2", async (t) => {
  const signed = await boto2(HEADER_CASES);
  for (const [i, req] of HEADER_CASES.entries()) {
    await t.step(`${req.method} ${req.path}`, async () => {
      const auth = await authenticate(
        request(
          req.method,
          `http://localhost:9000${req.path}`,
          signed[i].headers!,
          pathStyle(req.path!),
        ),
        options,
      );
      assert.equal(auth.principal.kind === "user" && auth.principal.user.id, "demo");
    });
  }
});

engineTest(
  "boto2",
  "authenticate() refuses a boto 2 request that was changed after signing",
  async (t) => {
    const [signed] = await boto2([{
      method: "PUT",
      path: "/a1-bucket/k.txt",
      headers: { "Content-Type": "text/plain", "x-amz-meta-a": "1" },
    }]);
    const base = signed.headers!;
    const cases: Record<string, [string, string, Record<string, string>]> = {
      "method": ["DELETE", "/a1-bucket/k.txt", base],
      "key": ["PUT", "/a1-bucket/other.txt", base],
      "sub-resource": ["PUT", "/a1-bucket/k.txt?acl", base],
      "content type": ["PUT", "/a1-bucket/k.txt", { ...base, "Content-Type": "text/html" }],
      "x-amz header": ["PUT", "/a1-bucket/k.txt", { ...base, "x-amz-meta-a": "2" }],
      "added x-amz header": ["PUT", "/a1-bucket/k.txt", { ...base, "x-amz-acl": "public-read" }],
    };
    for (const [name, [method, path, headers]] of Object.entries(cases)) {
      await t.step(name, async () => {
        const error = await refused(
          authenticate(
            request(method, `http://localhost:9000${path}`, headers, pathStyle(path)),
            options,
          ),
          "SignatureDoesNotMatch",
        );
        assert.match(error.fields.extra?.StringToSign ?? "", new RegExp(`^${method}\\n`));
      });
    }
    await t.step("a parameter that is not a sub-resource is not signed", async () => {
      const path = "/a1-bucket/k.txt?prefix=x";
      const auth = await authenticate(
        request("PUT", `http://localhost:9000${path}`, base, pathStyle(path)),
        options,
      );
      assert.equal(auth.principal.kind, "user");
    });
  },
);

engineTest(
  "boto2",
  "authenticate() refuses Signature V2 with a wrong secret, unknown key, skew or no date",
  async (t) => {
    const [wrong, unknown] = await boto2([
      { method: "GET", path: "/a1-bucket/k.txt", secret: "WRONGSECRET" },
      { method: "GET", path: "/a1-bucket/k.txt", akid: "NOSUCHKEY" },
    ]);
    const url = "http://localhost:9000/a1-bucket/k.txt";
    const address = pathStyle("/a1-bucket/k.txt");
    await t.step(
      "wrong secret: SignatureDoesNotMatch with the StringToSign, never the secret",
      async () => {
        const error = await refused(
          authenticate(request("GET", url, wrong.headers!, address), options),
          "SignatureDoesNotMatch",
        );
        assert.equal(
          error.fields.extra?.StringToSign,
          `GET\n\n\n${wrong.headers!.Date}\n/a1-bucket/k.txt`,
        );
        assert.ok(!JSON.stringify(error.fields).includes("SECRET"));
      },
    );
    await t.step("unknown key: InvalidAccessKeyId", async () => {
      await refused(
        authenticate(request("GET", url, unknown.headers!, address), options),
        "InvalidAccessKeyId",
      );
    });
    await t.step("20 minutes skew: RequestTimeTooSkewed", async () => {
      const later = { users: DEMO_USERS, now: () => new Date(Date.now() + 20 * 60_000) };
      await refused(
        authenticate(request("GET", url, wrong.headers!, address), later),
        "RequestTimeTooSkewed",
      );
    });
    await t.step("no Date: AccessDenied", async () => {
      const { Date: _, ...headers } = wrong.headers!;
      await refused(authenticate(request("GET", url, headers, address), options), "AccessDenied");
    });
    await t.step("unreadable header: InvalidArgument", async () => {
      const error = await refused(
        authenticate(
          request("GET", url, { ...wrong.headers!, Authorization: "AWS DEMOACCESSKEY" }, address),
          options,
        ),
        "InvalidArgument",
      );
      assert.equal(error.status, 400);
    });
  },
);

Deno.test("authenticate() signs x-amz-date instead of Date when both are sent, as RGW", async () => {
  const date = new Date().toUTCString();
  const toSign = `GET\n\n\n\nx-amz-date:${date}\n/a1-bucket/k.txt`;
  const signature = createHmac("sha1", "DEMOSECRETKEY").update(toSign).digest("base64");
  const auth = await authenticate(
    request("GET", "http://localhost:9000/a1-bucket/k.txt", {
      Date: "Thu, 01 Jan 1970 00:00:00 GMT",
      "x-amz-date": date,
      Authorization: `AWS DEMOACCESSKEY:${signature}`,
    }, pathStyle("/a1-bucket/k.txt")),
    options,
  );
  assert.equal(auth.principal.kind, "user");
});

engineTest("boto2", "authenticate() accepts boto 2 query-string URLs until Expires", async (t) => {
  const expires = Math.floor(Date.now() / 1000) + 60;
  const cases: BotoRequest[] = [
    { method: "GET", bucket: "a1-bucket", key: "a b+c.txt", expires },
    {
      method: "GET",
      bucket: "a1-bucket",
      key: "k.txt",
      expires,
      response_headers: { "response-content-type": "text/plain" },
    },
    { method: "PUT", bucket: "a1-bucket", key: "up.txt", expires },
    { method: "GET", bucket: "a1-bucket", key: "vhost.txt", expires, virtual: true },
  ];
  const urls = (await boto2(cases)).map((r) => r.url!);
  const address = (i: number): Address =>
    cases[i].virtual
      ? { bucket: "a1-bucket", key: cases[i].key, virtualHost: true }
      : { bucket: "a1-bucket", key: cases[i].key, virtualHost: false };
  for (const [i, url] of urls.entries()) {
    await t.step(
      `${cases[i].method} ${url.replace(/Signature=[^&]*/, "Signature=…")}`,
      async () => {
        const auth = await authenticate(request(cases[i].method, url, {}, address(i)), options);
        assert.equal(auth.principal.kind, "user");
      },
    );
  }
  await t.step("virtual-host URL puts the bucket in the canonical resource", () => {
    assert.ok(new URL(urls[3]).host.startsWith("a1-bucket."));
    const req = request("GET", urls[3], {}, address(3));
    assert.equal(canonicalResourceV2(req), "/a1-bucket/vhost.txt");
  });
  await t.step("one second after Expires: AccessDenied", async () => {
    const late = { users: DEMO_USERS, now: () => new Date((expires + 1) * 1000) };
    const error = await refused(
      authenticate(request("GET", urls[0], {}, address(0)), late),
      "AccessDenied",
    );
    assert.match(error.message, /^Request has expired/);
  });
  await t.step("Expires pushed later: SignatureDoesNotMatch", async () => {
    const tampered = urls[0].replace(`Expires=${expires}`, `Expires=${expires + 3600}`);
    await refused(
      authenticate(request("GET", tampered, {}, address(0)), options),
      "SignatureDoesNotMatch",
    );
  });
  await t.step("another key: SignatureDoesNotMatch", async () => {
    const tampered = urls[1].replace("/k.txt", "/secret.txt");
    await refused(
      authenticate(request("GET", tampered, {}, address(1)), options),
      "SignatureDoesNotMatch",
    );
  });
  await t.step("another method: SignatureDoesNotMatch", async () => {
    await refused(
      authenticate(request("DELETE", urls[0], {}, address(0)), options),
      "SignatureDoesNotMatch",
    );
  });
  await t.step("response override changed: SignatureDoesNotMatch", async () => {
    const tampered = urls[1].replace(
      "response-content-type=text/plain",
      "response-content-type=text/html",
    );
    await refused(
      authenticate(request("GET", tampered, {}, address(1)), options),
      "SignatureDoesNotMatch",
    );
  });
  await t.step("Expires unreadable: AccessDenied", async () => {
    const tampered = urls[0].replace(`Expires=${expires}`, "Expires=soon");
    await refused(authenticate(request("GET", tampered, {}, address(0)), options), "AccessDenied");
  });
});

Deno.test("stringToSignV2() follows the documented layout", () => {
  const text = stringToSignV2({
    method: "PUT",
    url: "http://localhost:9000/photos/puppy.jpg?uploadId=u1&partNumber=3&foo=bar",
    headers: new Headers({
      "content-type": "image/jpeg",
      "content-md5": "md5",
      "x-amz-meta-b": "2",
      "X-Amz-Meta-A": " 1 ",
    }),
    address: { bucket: "photos", key: "puppy.jpg", virtualHost: false },
  }, "Tue, 27 Mar 2007 21:15:45 +0000");
  assert.equal(
    text,
    "PUT\nmd5\nimage/jpeg\nTue, 27 Mar 2007 21:15:45 +0000\nx-amz-meta-a:1\nx-amz-meta-b:2\n" +
      "/photos/puppy.jpg?partNumber=3&uploadId=u1",
  );
});
