import { setTimeout as sleep } from "node:timers/promises";

/**
 * Polls `cond` until it holds; fails naming `what` never happened within `timeoutMs` (STYLE §7:
 * for the rare case where there is no event to wait on).
 */
export async function waitFor(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await sleep(20);
  }
}
