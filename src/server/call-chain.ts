import { AsyncLocalStorage } from "node:async_hooks";

/**
 * A logical call chain: one client request and every in-process call it makes (a command reading
 * its own device's attributes, say). Serialization monitors are re-entrant along a chain, the way
 * cppTango's are per thread (spec §10.6 [rec]); in Node a "thread" is the chain.
 */
export interface CallChain {
  /** Shown as the "thread" in API_CommandTimedOut descriptions. */
  readonly id: number;
}

/** Starts or continues call chains. One per DeviceServer (no process singletons). */
export class CallChains {
  readonly #storage = new AsyncLocalStorage<CallChain>();
  #next = 1;

  /** The chain the caller runs in, if any. */
  current(): CallChain | undefined {
    return this.#storage.getStore();
  }

  /** Runs `fn` in the current chain, or in a new one when there is none. */
  run<T>(fn: (chain: CallChain) => Promise<T>): Promise<T> {
    const current = this.#storage.getStore();
    if (current !== undefined) return fn(current);
    const chain: CallChain = { id: this.#next++ };
    return this.#storage.run(chain, fn, chain);
  }
}
