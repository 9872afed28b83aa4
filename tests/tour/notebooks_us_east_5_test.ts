/**
 * Every chapter's notebook executed in Jupyter on a US-East 5 stand-in (the embedded server with
 * `--emulate us-east-5`, reached through `AWS_ENDPOINT_URL` and `DREAMOBJECTS_CLUSTER`): no error
 * output, each operation the chapter introduces sent as an SDK command and traced, no secret key
 * and no raw signature, nothing left on the server. The chapter tests execute them on the
 * embedded server and on Ceph RGW.
 *
 * @module
 */

import assert from "node:assert/strict";
import { DEMO_USERS } from "../../server/demo_users.ts";
import { startServer } from "../../server/mod.ts";
import { CHAPTERS } from "../../tour/chapters.ts";
import {
  assertNoErrors,
  executeNotebook,
  jupyterTest,
  outputsOf,
} from "../support/notebook_exec.ts";
import { assertSdkTraced } from "../support/sdk_lessons.ts";
import { assertNoSecrets, bucketNames } from "../support/tour_run.ts";

const SECRETS = DEMO_USERS.map((u) => u.secretAccessKey);

for (const chapter of CHAPTERS) {
  jupyterTest(
    `notebooks/${chapter.notebook} executes on the US-East 5 stand-in, its SDK calls traced`,
    { rgw: false },
    async () => {
      await using server = await startServer({ port: 0, quiet: true, emulate: "us-east-5" });
      const [demo] = DEMO_USERS;
      const path = `notebooks/${chapter.notebook}`;
      const notebook = await executeNotebook(path, {
        AWS_ENDPOINT_URL: server.url,
        DREAMOBJECTS_CLUSTER: "us-east-5",
        AWS_ACCESS_KEY_ID: demo.accessKeyId,
        AWS_SECRET_ACCESS_KEY: demo.secretAccessKey,
      }, "the US-East 5 stand-in");
      assertNoErrors(notebook, `${path} on the US-East 5 stand-in`);
      assertSdkTraced(notebook, chapter, "the US-East 5 stand-in");
      const everything = outputsOf(notebook).map((o) => JSON.stringify(o)).join("\n");
      assertNoSecrets(everything, SECRETS, `${path} on the US-East 5 stand-in`);
      assert.deepEqual(await bucketNames(server.url), [], `${path} left buckets`);
    },
  );
}
