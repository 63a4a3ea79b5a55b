import { setTimeout as sleep } from "node:timers/promises";

/**
 * Polls `condition` every 20 ms until it holds; fails naming `what` after `timeoutMs`. For what
 * a test cannot await directly, such as a move in the background coming to its end.
 */
export async function waitFor(condition: () => Promise<boolean> | boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(20);
  }
}
