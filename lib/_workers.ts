/**
 * A few workers taking turns on shared work, for the parallel transfers (`_transfer.ts`,
 * `_download.ts`). Internal.
 *
 * @module
 */

/**
 * Runs `count` workers and waits for all of them to stop, even when one fails early (so nothing
 * is still writing when the caller cleans up), then throws the first failure.
 */
export async function allWorkers(
  count: number,
  worker: () => Promise<void>,
  onFailure: () => void,
): Promise<void> {
  const results = await Promise.allSettled(
    Array.from({ length: count }, () =>
      worker().catch((error) => {
        onFailure();
        throw error;
      })),
  );
  const failure = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failure) throw failure.reason;
}
