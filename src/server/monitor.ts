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
  readonly #queue: Waiter[] = [];

  constructor(name: string, timeoutMs: number) {
    this.name = name;
    this.#timeoutMs = timeoutMs;
  }

  /** Chains waiting now. */
  get waiting(): number {
    return this.#queue.length;
  }

  /** Takes the monitor for `chain`; resolves at once when free or already held by the chain. */
  acquire(chain: CallChain): Promise<void> | undefined {
    if (this.#holder === undefined || this.#holder === chain) {
      this.#holder = chain;
      this.#depth++;
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
    next.resolve();
  }
}
