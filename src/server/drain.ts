/** What DeviceServer.shutdown did. */
export interface ShutdownResult {
  /** Calls still running when the grace period ended: they were cut. */
  readonly cutCalls: number;
}

/**
 * Counts the calls in progress, so that shutdown can wait (bounded) until they are done.
 *
 * @internal
 */
export class Drain {
  #count = 0;
  #drained: (() => void) | undefined;

  get count(): number {
    return this.#count;
  }

  enter(): void {
    this.#count++;
  }

  leave(): void {
    if (--this.#count === 0) this.#drained?.();
  }

  /** Waits until no call is in progress, at most `timeoutMs`; resolves to the calls still in progress. */
  async settle(timeoutMs: number): Promise<number> {
    if (this.#count > 0) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.#drained = resolve;
        timer = setTimeout(resolve, timeoutMs);
      });
      clearTimeout(timer);
      this.#drained = undefined;
    }
    return this.#count;
  }
}
