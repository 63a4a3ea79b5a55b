/**
 * A logical call chain: one client request and the work it does while holding its monitor (the
 * admin device's Init re-exporting every device, say). Serialization monitors are re-entrant
 * along a chain, the way cppTango's are per thread (spec §10.6 [rec]); in Node a "thread" is the
 * chain. It is passed explicitly: AsyncLocalStorage would find it implicitly, but on Node 20 it
 * runs an async hook for every promise and async resource of the process, ~8 % of the server's
 * time on a small request.
 */
export interface CallChain {
  /** Shown as the "thread" in API_CommandTimedOut descriptions. */
  readonly id: number;
}

/** Numbers new call chains. One per DeviceServer (no process singletons). */
export class CallChains {
  #next = 1;

  /** A new chain, for a request that continues none. */
  start(): CallChain {
    return { id: this.#next++ };
  }
}
