import type { EventCallback, EventData } from "./event-data.js";

/** Events waiting for a callback from which its subscription stops reading (about one stream message's worth). */
const PAUSE_AT = 256;

/**
 * One callback of a subscription: its events wait in a queue and are given to it one at a time,
 * outside the transport's handlers (DESIGN §9). When PAUSE_AT events wait (or `depth`, if fewer),
 * `isFull` says so and the subscription stops reading its stream: HTTP/2 flow control then holds
 * the server back, whose own bounded queue drops the oldest and says how many. `onRoom` is called
 * once the queue has emptied again. Should more arrive all the same, the queue keeps at most
 * `depth` events, dropping its oldest, and the next event given says how many in `missed`.
 *
 * @internal
 */
export class EventListener {
  readonly id: number;
  readonly #callback: EventCallback;
  readonly #depth: number;
  readonly #onError: (err: unknown, event: EventData) => void;
  readonly #queue: EventData[] = [];
  #head = 0;
  #dropped = 0;
  #running: Promise<void> | undefined;
  #isClosed = false;
  #onRoom: (() => void) | undefined;

  constructor(id: number, callback: EventCallback, depth: number, onError: (err: unknown, event: EventData) => void) {
    this.id = id;
    this.#callback = callback;
    this.#depth = depth;
    this.#onError = onError;
  }

  /** Whether the callback is `depth` events behind: its subscription should stop reading. */
  get isFull(): boolean {
    return this.#queue.length - this.#head >= Math.min(PAUSE_AT, this.#depth);
  }

  /** Called once, the next time the queue is empty (the subscription may read again). */
  set onRoom(fn: (() => void) | undefined) {
    this.#onRoom = fn;
  }

  /** Queues an event for the callback; never waits, never throws. */
  push(event: EventData): void {
    if (this.#isClosed) return;
    if (this.#queue.length - this.#head >= this.#depth) {
      this.#head++;
      this.#dropped++;
    }
    if (this.#head > this.#depth) {
      this.#queue.splice(0, this.#head);
      this.#head = 0;
    }
    this.#queue.push(event);
    if (this.#running === undefined) {
      // Not from here: the transport's handler that delivered the event returns first.
      this.#running = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.#drain());
    }
  }

  /** No more events are given (queued ones are dropped); a callback under way finishes. */
  close(): void {
    this.#isClosed = true;
    this.#queue.length = 0;
    this.#head = 0;
    // It no longer holds its subscription's stream back.
    const onRoom = this.#onRoom;
    this.#onRoom = undefined;
    onRoom?.();
  }

  async #drain(): Promise<void> {
    try {
      while (!this.#isClosed && this.#head < this.#queue.length) {
        let event = this.#queue[this.#head] as EventData;
        this.#head++;
        if (this.#dropped > 0) {
          event = { ...event, missed: event.missed + this.#dropped };
          this.#dropped = 0;
        }
        try {
          // A callback that returns no promise is not awaited: no turn of the microtask queue per event.
          const result = this.#callback(event);
          if (result instanceof Promise) await result;
        } catch (err) {
          this.#onError(err, event);
        }
      }
    } finally {
      this.#queue.length = 0;
      this.#head = 0;
      this.#running = undefined;
      const onRoom = this.#onRoom;
      this.#onRoom = undefined;
      onRoom?.();
    }
  }
}
