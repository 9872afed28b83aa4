/**
 * Child process for the bad-input matrix: runs `putFile()` with narrowed permissions (the file's
 * read permission denied) and prints what it threw as JSON.
 *
 * @module
 */

import { connect, putFile } from "../../lib/mod.ts";
import { DEMO_USERS } from "../../server/demo_users.ts";

const { endpoint, bucket, key, path } = JSON.parse(Deno.args[0]);
await using s3 = await connect({
  endpoint,
  accessKeyId: DEMO_USERS[0].accessKeyId,
  secretAccessKey: DEMO_USERS[0].secretAccessKey,
  maxAttempts: 1,
  env: { get: () => undefined },
});
try {
  await putFile(s3, bucket, key, path);
  console.log(JSON.stringify({ threw: false }));
} catch (error) {
  const e = error as Error;
  console.log(JSON.stringify({ threw: true, name: e.name, message: e.message }));
}
