import { TangoErrors } from "../core/index.js";
import type { CallChain } from "./call-chain.js";

interface Waiter {
  readonly chain: CallChain;
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
  timer?: NodeJS.Timeout;
}

/**
 * A serialization monitor (spec §10.6): one holder chain at a time, re-entrant along that chain,
 * waiters served first in, first out; a waiter gives up after `timeoutMs` with
 * API_CommandTimedOut.
 */
export class Monitor {
  readonly name: string;
  readonly #timeoutMs: number;
  #holder: CallChain | undefined;
  #depth = 0;
  /** performance.now() when the current holder took the monitor. */
  #heldSinceMs = 0;
  #retiredBy: Error | undefined;
  readonly #queue: Waiter[] = [];

  constructor(name: string, timeoutMs: number) {
    this.name = name;
    this.#timeoutMs = timeoutMs;
  }

  /** Chains waiting now. */
  get waiting(): number {
    return this.#queue.length;
  }

  /** How long the current holder has held the monitor, ms; 0 when free. */
  heldForMs(nowMs = performance.now()): number {
    return this.#holder === undefined ? 0 : nowMs - this.#heldSinceMs;
  }

  /** True once `retire` was called: a fresh monitor replaced this one. */
  get isRetired(): boolean {
    return this.#retiredBy !== undefined;
  }

  /**
   * Gives the monitor up for good, when a fresh one replaces it because its holder is hung
   * (DevRestart, Init): every waiter, and every later acquire by another chain, fails with
   * `err`. The hung holder may still release it; nobody else will be served by it.
   */
  retire(err: Error): void {
    this.#retiredBy = err;
    for (const waiter of this.#queue.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.reject(err);
    }
  }

  /** Takes the monitor for `chain`; resolves at once when free or already held by the chain. */
  acquire(chain: CallChain): Promise<void> | undefined {
    if (this.#holder === chain) {
      this.#depth++;
      return undefined;
    }
    if (this.#retiredBy !== undefined) return Promise.reject(this.#retiredBy);
    if (this.#holder === undefined) {
      this.#holder = chain;
      this.#depth = 1;
      this.#heldSinceMs = performance.now();
      return undefined;
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { chain, resolve, reject };
      waiter.timer = setTimeout(() => {
        const i = this.#queue.indexOf(waiter);
        if (i >= 0) this.#queue.splice(i, 1);
        reject(TangoErrors.commandTimedOut(this.name, chain.id, this.#holder?.id ?? 0));
      }, this.#timeoutMs);
      this.#queue.push(waiter);
    });
  }

  /** Releases one level; the next waiter (if any) becomes the holder. */
  release(): void {
    if (this.#depth === 0) throw new TypeError(`monitor ${this.name} released while free`);
    if (--this.#depth > 0) return;
    const next = this.#queue.shift();
    if (next === undefined) {
      this.#holder = undefined;
      return;
    }
    clearTimeout(next.timer);
    this.#holder = next.chain;
    this.#depth = 1;
    this.#heldSinceMs = performance.now();
    next.resolve();
  }
}

/**
 * Runs `fn` in `chain` under `monitor` (none: at once, as in NO_SYNC) and releases it after.
 * `waits` gets the time spent waiting for the monitor: 0 when free, re-entered or none, the
 * whole wait when it timed out.
 *
 * @internal
 */
export async function runUnder<T>(monitor: Monitor | undefined, chain: CallChain, fn: (chain: CallChain) => Promise<T>,
  waits?: { observe(seconds: number): void }): Promise<T> {
  if (monitor === undefined) {
    waits?.observe(0);
    return await fn(chain);
  }
  const wait = monitor.acquire(chain);
  if (wait === undefined) waits?.observe(0);
  else {
    const startMs = performance.now();
    try {
      await wait;
    } finally {
      waits?.observe((performance.now() - startMs) / 1000);
    }
  }
  try {
    return await fn(chain);
  } finally {
    monitor.release();
  }
}
