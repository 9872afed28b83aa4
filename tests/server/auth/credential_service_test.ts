/**
 * A SigV4 credential scoped to another AWS service is not a signature for S3: signed correctly
 * for `iam` (or `sts`), a request is refused as AWS refuses it (400 AuthorizationHeaderMalformed,
 * or AuthorizationQueryParametersError for a presigned URL). Ceph RGW 16 accepts any service in
 * the scope, which lets a request signed for its IAM or STS API be replayed as S3
 * (docs/security.md).
 */

import assert from "node:assert/strict";
import { SignatureV4 } from "@smithy/signature-v4";
import { Sha256 } from "../../support/signing.ts";
import { DEMO_USERS } from "../../../server/demo_users.ts";
import { testServer } from "../../support/server.ts";

const DEMO = DEMO_USERS[0];

function signer(service: string): SignatureV4 {
  return new SignatureV4({
    service,
    region: "us-east-1",
    credentials: { accessKeyId: DEMO.accessKeyId, secretAccessKey: DEMO.secretAccessKey },
    sha256: Sha256,
    uriEscapePath: false,
  });
}

function listBuckets(url: URL) {
  return {
    method: "GET",
    protocol: "http:",
    hostname: url.hostname,
    port: Number(url.port),
    path: "/",
    query: {},
    headers: { host: url.host, "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
  };
}

Deno.test("a signature scoped to another service than s3 is refused, header-signed and presigned", async (t) => {
  await using server = await testServer();
  const url = new URL(server.url);
  for (const service of ["iam", "sts", "S3"]) {
    await t.step(`scoped to "${service}", in the Authorization header`, async () => {
      const signed = await signer(service).sign(listBuckets(url));
      const response = await fetch(server.url, { headers: signed.headers });
      const body = await response.text();
      assert.equal(response.status, 400, body);
      assert.match(body, /<Code>AuthorizationHeaderMalformed<\/Code>/);
      assert.match(body, new RegExp(`incorrect service &quot;${service}&quot;`));
    });
    await t.step(`scoped to "${service}", presigned`, async () => {
      const signed = await signer(service).presign(listBuckets(url), { expiresIn: 300 });
      const query = new URLSearchParams(signed.query as Record<string, string>);
      const response = await fetch(`${server.url}/?${query}`);
      const body = await response.text();
      assert.equal(response.status, 400, body);
      assert.match(body, /<Code>AuthorizationQueryParametersError<\/Code>/);
    });
  }
  await t.step("scoped to s3, both forms are accepted", async () => {
    const signed = await signer("s3").sign(listBuckets(url));
    assert.equal(await fetch(server.url, { headers: signed.headers }).then(drain), 200);
    const presigned = await signer("s3").presign(listBuckets(url), { expiresIn: 300 });
    const query = new URLSearchParams(presigned.query as Record<string, string>);
    assert.equal(await fetch(`${server.url}/?${query}`).then(drain), 200);
  });
});

async function drain(response: Response): Promise<number> {
  await response.body?.cancel();
  return response.status;
}
