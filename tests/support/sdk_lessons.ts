/**
 * Which S3 operations each chapter teaches through the AWS SDK v3 itself (a cell sends
 * `new <Operation>Command(…)`), and the check that an executed notebook's trace shows each of
 * them, as the SDK names it in the trace's operation column.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Chapter } from "../../tour/chapters.ts";
import { type Notebook, notebookText } from "./notebook_exec.ts";

/**
 * Per chapter, the operations it introduces, each sent by a cell as an SDK command. An entry
 * `A|B` is either (the cell picks by the service, e.g. object or bucket ACLs).
 */
export const SDK_OPERATIONS: Readonly<Record<string, readonly string[]>> = {
  "getting-started": [
    "ListBuckets",
    "CreateBucket",
    "PutObject",
    "GetObject",
    "PutObjectAcl|PutBucketAcl",
    "GetObjectAcl|GetBucketAcl",
    "DeleteBucket",
    "DeleteObject",
    "ListObjectVersions",
  ],
  signing: ["PutObject"],
  versions: [
    "GetBucketVersioning",
    "PutBucketVersioning|GetBucketVersioning",
    "PutObject",
    "ListObjectVersions",
    "GetObject",
    "CopyObject",
    "DeleteObject",
    "DeleteObjects",
  ],
  folders: [
    "ListObjectsV2",
    "PutObject",
    "HeadObject",
    "CopyObject",
    "DeleteObject",
    "GetObject",
    "DeleteObjects",
  ],
  backups: ["PutObject", "ListObjectVersions", "GetObject"],
  "big-files": [
    "CreateMultipartUpload",
    "UploadPart",
    "ListParts",
    "CompleteMultipartUpload",
    "HeadObject",
    "ListMultipartUploads",
    "AbortMultipartUpload",
  ],
  integrity: [
    "PutObject",
    "GetObjectAttributes",
    "HeadObject",
    "CreateMultipartUpload",
    "UploadPart",
    "CompleteMultipartUpload",
  ],
};

/**
 * Asserts that a chapter's cells send each operation it introduces as an SDK command.
 *
 * @param chapter The chapter.
 */
export function assertSdkCells(chapter: Chapter): void {
  const code = chapter.steps.map((s) => s.code).join("\n");
  for (const entry of SDK_OPERATIONS[chapter.name] ?? []) {
    for (const operation of entry.split("|")) {
      assert.match(
        code,
        new RegExp(`s3\\.client\\.send\\(\\s*new ${operation}Command\\(`),
        `course/${chapter.source} never sends new ${operation}Command(…)`,
      );
    }
  }
}

/**
 * Asserts that an executed notebook's traffic shows each operation the chapter introduces.
 *
 * @param notebook The executed notebook.
 * @param chapter The chapter.
 * @param label Where it ran.
 */
export function assertSdkTraced(notebook: Notebook, chapter: Chapter, label: string): void {
  const text = notebookText(notebook);
  for (const entry of SDK_OPERATIONS[chapter.name] ?? []) {
    const found = entry.split("|").some((op) => new RegExp(`\\b${op}\\b`).test(text));
    assert.ok(found, `${chapter.notebook} on ${label} shows no ${entry} in its trace`);
  }
}
