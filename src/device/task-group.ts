import type { Logger } from "pino";

/**
 * Background work owned by one device (STYLE §4): each task gets a signal, a failure is logged
 * with the device's logger and never escapes, and `abort` stops and awaits them all.
 */
export class TaskGroup {
  readonly #log: Logger;
  readonly #running = new Set<Promise<void>>();
  #controller = new AbortController();

  constructor(log: Logger) {
    this.#log = log;
  }

  /** How many tasks are running. */
  get size(): number {
    return this.#running.size;
  }

  /** Starts `task` now; its failure is logged at error level with the task's name. */
  run(name: string, task: (signal: AbortSignal) => Promise<void> | void): void {
    const signal = this.#controller.signal;
    // The task starts after an await, so `p` is assigned before `finally` can run.
    let p: Promise<void> | undefined = undefined;
    p = (async () => {
      try {
        await Promise.resolve();
        await task(signal);
      } catch (err) {
        if (!signal.aborted) this.#log.error({ err, task: name }, "background task failed");
      } finally {
        if (p !== undefined) this.#running.delete(p);
      }
    })();
    this.#running.add(p);
  }

  /** Aborts every task's signal and waits (at most `timeoutMs`) for them to end. */
  async abort(timeoutMs: number): Promise<void> {
    this.#controller.abort();
    this.#controller = new AbortController();
    if (this.#running.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    try {
      await Promise.race([Promise.all(this.#running), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
