import assert from "node:assert/strict";
import { ListBucketsCommand } from "@aws-sdk/client-s3";
import { connect, Connection, listBuckets, putFile, S3RequestError } from "../../lib/mod.ts";
import { DEMO_USERS } from "../../server/demo_users.ts";
import { rgwTest } from "../support/engines.ts";

const noEnv = { get: (_: string) => undefined };

Deno.test("connect() without an endpoint starts the embedded server and signs in as the demo user", async () => {
  const s3 = await connect({ env: noEnv });
  try {
    assert.ok(s3 instanceof Connection);
    assert.equal(s3.target, "embedded");
    assert.match(s3.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(s3.accessKeyId, DEMO_USERS[0].accessKeyId);
    assert.equal(s3.pathStyle, true);
    assert.ok(s3.server, "the connection should hold the server it started");
    assert.match(
      s3.toText(),
      /embedded S3 server .* at http:\/\/127\.0\.0\.1:\d+ as DEMOACCESSKEY/,
    );
    // The raw SDK client is there for any command.
    const out = await s3.client.send(new ListBucketsCommand({}));
    assert.equal(out.$metadata.httpStatusCode, 200);
  } finally {
    await s3.close();
  }
});

Deno.test("close() stops the embedded server", async () => {
  const s3 = await connect({ env: noEnv });
  const endpoint = s3.endpoint;
  await s3.close();
  await assert.rejects(fetch(endpoint), TypeError);
  await s3.close(); // a second close is harmless
});

Deno.test("connect() ignores AWS keys from the environment for the embedded server", async () => {
  const env = new Map([["AWS_ACCESS_KEY_ID", "AKIAEXAMPLE"], [
    "AWS_SECRET_ACCESS_KEY",
    "nope1234",
  ]]);
  await using s3 = await connect({ env });
  assert.equal(s3.accessKeyId, DEMO_USERS[0].accessKeyId);
  assert.deepEqual(await listBuckets(s3), []);
});

Deno.test("connect() takes the endpoint and keys from AWS_ENDPOINT_URL and AWS_ACCESS_KEY_ID", async () => {
  await using server = await connect({ env: noEnv });
  const other = DEMO_USERS[1];
  const env = new Map([
    ["AWS_ENDPOINT_URL", server.endpoint],
    ["AWS_ACCESS_KEY_ID", other.accessKeyId],
    ["AWS_SECRET_ACCESS_KEY", other.secretAccessKey],
  ]);
  await using s3 = await connect({ env });
  assert.equal(s3.target, "endpoint");
  assert.equal(s3.endpoint, server.endpoint);
  assert.equal(s3.accessKeyId, other.accessKeyId);
  assert.equal(s3.server, undefined);
  assert.deepEqual(await listBuckets(s3), []);
});

Deno.test("connect() reads keys from a profile", async () => {
  await using server = await connect({ env: noEnv });
  const dir = await Deno.makeTempDir();
  const other = DEMO_USERS[1];
  await Deno.writeTextFile(
    `${dir}/credentials`,
    `[tour]\naws_access_key_id = ${other.accessKeyId}\naws_secret_access_key = ${other.secretAccessKey}\n`,
  );
  const saved = Deno.env.get("AWS_SHARED_CREDENTIALS_FILE");
  Deno.env.set("AWS_SHARED_CREDENTIALS_FILE", `${dir}/credentials`);
  try {
    await using s3 = await connect({ endpoint: server.endpoint, profile: "tour", env: noEnv });
    assert.equal(s3.accessKeyId, other.accessKeyId);
    assert.deepEqual(await listBuckets(s3), []);
    assert.ok(!s3.trace.view().toText().includes(other.secretAccessKey));
  } finally {
    if (saved === undefined) Deno.env.delete("AWS_SHARED_CREDENTIALS_FILE");
    else Deno.env.set("AWS_SHARED_CREDENTIALS_FILE", saved);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("connect() points DreamObjects and AWS S3 at their endpoints without sending anything", async (t) => {
  const keys = { accessKeyId: "AKIAEXAMPLE", secretAccessKey: "example-secret", env: noEnv };
  await t.step(
    "DreamObjects means US-East 5, Backblaze B2 underneath, region us-east-005",
    async () => {
      // AWS_REGION is for other services: a DreamObjects cluster signs with its own region.
      const env = new Map([["AWS_REGION", "eu-west-1"]]);
      await using s3 = await connect({ dreamobjects: true, ...keys, env });
      assert.equal(s3.target, "dreamobjects");
      assert.equal(s3.endpoint, "https://s3.us-east-005.dream.io");
      assert.equal(s3.region, "us-east-005");
      assert.equal(await s3.client.config.region(), "us-east-005");
      const endpoint = await s3.client.config.endpoint!();
      assert.equal(`${endpoint.protocol}//${endpoint.hostname}`, "https://s3.us-east-005.dream.io");
      assert.equal(s3.cluster.id, "us-east-5");
      assert.equal(s3.cluster.objectAcls, false);
      assert.equal(s3.pathStyle, false);
      assert.match(
        s3.toText(),
        /^Connected to DreamObjects US-East 5 at https:\/\/s3\.us-east-005/,
      );
      assert.equal(s3.trace.entries.length, 0);
    },
  );
  await t.step("cluster: us-east-1 is Ceph RGW at objects-us-east-1.dream.io", async () => {
    await using s3 = await connect({ dreamobjects: true, cluster: "us-east-1", ...keys });
    assert.equal(s3.endpoint, "https://objects-us-east-1.dream.io");
    assert.equal(s3.region, "us-east-1");
    assert.equal(s3.cluster.objectAcls, true);
    assert.equal(s3.pathStyle, true, "DreamHost prefers path-style addressing on US-East 1");
    assert.equal(s3.trace.entries.length, 0);
  });
  await t.step("cluster alone means DreamObjects; an explicit region still wins", async () => {
    await using s3 = await connect({ cluster: "us-east-5", region: "us-west-004", ...keys });
    assert.equal(s3.target, "dreamobjects");
    assert.equal(s3.endpoint, "https://s3.us-east-005.dream.io");
    assert.equal(s3.region, "us-west-004");
  });
  await t.step("an unknown cluster is refused before anything", async () => {
    await assert.rejects(connect({ cluster: "us-west-1" as never, ...keys }), {
      name: "TypeError",
      message: /^Cannot connect to cluster "us-west-1": use "us-east-1" or "us-east-5"/,
    });
  });
  await t.step("AWS S3 in a region", async () => {
    await using s3 = await connect({ aws: true, region: "eu-west-1", ...keys });
    assert.equal(s3.endpoint, "https://s3.eu-west-1.amazonaws.com");
    assert.equal(s3.region, "eu-west-1");
  });
});

Deno.test("connect() rejects a malformed endpoint, conflicting targets and half a key pair", async (t) => {
  await t.step("not a URL", async () => {
    await assert.rejects(connect({ endpoint: "ftp://127.0.0.1:7480", env: noEnv }), {
      name: "TypeError",
      message: /^Cannot connect to "ftp:\/\/127\.0\.0\.1:7480": the scheme must be http or https/,
    });
    await assert.rejects(connect({ endpoint: "127.0.0.1:7480", env: noEnv }), {
      name: "TypeError",
      message: /it is not a URL/,
    });
  });
  await t.step("two targets", async () => {
    await assert.rejects(
      connect({ dreamobjects: true, endpoint: "http://127.0.0.1:1", env: noEnv }),
      { name: "TypeError", message: /choose one of/ },
    );
  });
  await t.step("an access key without a secret key", async () => {
    await assert.rejects(connect({ accessKeyId: "DEMOACCESSKEY", env: noEnv }), {
      name: "TypeError",
      message: /give both an access key and a secret key/,
    });
  });
});

Deno.test("a wrong secret key fails with SignatureDoesNotMatch, explained", async () => {
  await using server = await connect({ env: noEnv });
  await using s3 = await connect({
    endpoint: server.endpoint,
    accessKeyId: DEMO_USERS[0].accessKeyId,
    secretAccessKey: "wrong-secret",
    env: noEnv,
  });
  const error = await listBuckets(s3).catch((e) => e);
  assert.ok(error instanceof S3RequestError);
  assert.equal(error.status, 403);
  assert.equal(error.code, "SignatureDoesNotMatch");
  assert.match(
    error.message,
    /^Cannot list buckets: 403 Forbidden SignatureDoesNotMatch: .*secret key/,
  );
  assert.ok(!error.message.includes("wrong-secret"));
});

rgwTest("connect() reaches Ceph RGW with the demo keys", async (_t, endpoint) => {
  await using s3 = await connect({
    endpoint,
    accessKeyId: DEMO_USERS[0].accessKeyId,
    secretAccessKey: DEMO_USERS[0].secretAccessKey,
    env: noEnv,
  });
  assert.ok(Array.isArray(await listBuckets(s3)));
  assert.equal(s3.trace.entries.at(-1)?.status, 200);
});

Deno.test("debug: true writes the AWS SDK's warnings on stderr, prefixed", async () => {
  await using s3 = await connect({ debug: true });
  const file = await Deno.makeTempFile();
  const lines: string[] = [];
  const original = console.error;
  console.error = (...content: unknown[]) => lines.push(content.map(String).join(" "));
  try {
    await Deno.writeTextFile(file, "a streamed body");
    // A streamed upload the server refuses: the SDK warns that it cannot retry a stream.
    await assert.rejects(putFile(s3, "missing-bucket-debug", "a.txt", file), /NoSuchBucket/);
  } finally {
    console.error = original;
    await Deno.remove(file);
  }
  assert.ok(lines.some((l) => l.startsWith("AWS SDK: ")), JSON.stringify(lines));
});
