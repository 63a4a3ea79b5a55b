import { waitFor } from "../support/wait-for.js";

/**
 * Resource kinds that come and go on their own while a test runs (file reads of module loading,
 * DNS look-ups): not things a closed context could have left open.
 */
const TRANSIENT = /^(FSReq|GetAddrInfoReqWrap|FileHandleCloseReq)/;

function countByKind(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) {
    if (!TRANSIENT.test(kind)) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  return counts;
}

/**
 * A snapshot of the process's active resources (sockets, servers, timers, immediates): what
 * mocha and earlier tests hold is in it, so `expectNoneLeft` sees only what came after. Taken
 * after a turn of the event loop: mocha arms a test's timeout timer once the test function has
 * returned its promise.
 */
export async function snapshotResources(): Promise<{ expectNoneLeft(what: string): Promise<void> }> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  const before = countByKind();
  const extra = (): string[] => [...countByKind()].flatMap(([kind, n]) => {
    const more = n - (before.get(kind) ?? 0);
    return more > 0 ? [`${more} ${kind}`] : [];
  });
  return {
    // A closed socket is released on a later turn of the event loop, so this waits a little.
    async expectNoneLeft(what: string): Promise<void> {
      try {
        await waitFor(() => extra().length === 0, "every resource closed", 2_000);
      } catch (err) {
        throw new Error(`${what} left resources open: ${extra().join(", ")}`, { cause: err });
      }
    },
  };
}
