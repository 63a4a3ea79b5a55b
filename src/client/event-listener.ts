import type { EventCallback, EventData } from "./event-data.js";

/**
 * One callback of a subscription: its events wait in a bounded queue and are given to it one
 * at a time, outside the transport's handlers (DESIGN §9). When the callback is slower than the
 * events, the oldest queued ones are dropped and the next one given says how many in `missed`.
 *
 * @internal
 */
export class EventListener {
  readonly id: number;
  readonly #callback: EventCallback;
  readonly #depth: number;
  readonly #onError: (err: unknown, event: EventData) => void;
  readonly #queue: EventData[] = [];
  #dropped = 0;
  #running: Promise<void> | undefined;
  #isClosed = false;

  constructor(id: number, callback: EventCallback, depth: number, onError: (err: unknown, event: EventData) => void) {
    this.id = id;
    this.#callback = callback;
    this.#depth = depth;
    this.#onError = onError;
  }

  /** Queues an event for the callback; never waits, never throws. */
  push(event: EventData): void {
    if (this.#isClosed) return;
    if (this.#queue.length >= this.#depth) {
      this.#queue.shift();
      this.#dropped++;
    }
    this.#queue.push(event);
    if (this.#running === undefined) {
      // Not from here: the transport's handler that delivered the event returns first.
      this.#running = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.#drain());
    }
  }

  /** No more events are given (a queued one is dropped); a callback under way finishes. */
  close(): void {
    this.#isClosed = true;
    this.#queue.length = 0;
  }

  async #drain(): Promise<void> {
    try {
      for (let event = this.#queue.shift(); event !== undefined && !this.#isClosed; event = this.#queue.shift()) {
        if (this.#dropped > 0) {
          event = { ...event, missed: event.missed + this.#dropped };
          this.#dropped = 0;
        }
        try {
          await this.#callback(event);
        } catch (err) {
          this.#onError(err, event);
        }
      }
    } finally {
      this.#running = undefined;
      if (this.#queue.length > 0 && !this.#isClosed) this.#running = this.#drain();
    }
  }
}
