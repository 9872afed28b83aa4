/**
 * Steps every chapter after the first starts or ends with: where to connect (the parameters
 * cell the terminal fills from its flags) and closing the connection.
 *
 * @module
 */

import { type Step, step } from "../step.ts";

/**
 * The "Where to connect" step of a chapter: its `options` cell, tagged as the parameters.
 *
 * @param chapter The chapter's name, the start of the step's id.
 * @returns The step.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { optionsStep } from "./_common.ts";
 *
 * assert.equal(optionsStep("signing").id, "signing-options");
 * assert.equal(optionsStep("signing").parameters, true);
 * ```
 */
export function optionsStep(chapter: string): Step {
  return step({
    id: `${chapter}-options`,
    title: "Where to connect",
    prose: `
As in the first chapter: \`{}\` is the embedded server, \`{ emulate: "us-east-5" }\` behaves like
DreamObjects US-East 5, \`{ dreamobjects: true }\` is your account (keys from \`AWS_ACCESS_KEY_ID\`
and \`AWS_SECRET_ACCESS_KEY\`).`,
    code: `
const options = {}; // e.g. { dreamobjects: true } or { emulate: "us-east-5" }`,
    parameters: true,
  });
}

/**
 * The last step of a chapter: closing the connection.
 *
 * @param chapter The chapter's name, the start of the step's id.
 * @returns The step.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { closeStep } from "./_common.ts";
 *
 * assert.equal(closeStep("versions").code, "await s3.close();");
 * ```
 */
export function closeStep(chapter: string): Step {
  return step({
    id: `${chapter}-close`,
    title: "Done",
    prose: `
Closing the connection stops the embedded server, if one was started.`,
    code: `
await s3.close();`,
  });
}
