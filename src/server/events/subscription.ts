import { EVENT_BATCH_MAX } from "../../core/defaults.js";
import type { DevFailed, EventRecord, EventType } from "../../core/index.js";
import type { EventCounts } from "../../metrics/index.js";

/**
 * One event as the hub sends it: the record, shared by every subscriber it reaches, and its
 * wire encodings, each made once whatever the number of subscribers (DESIGN §8, §9).
 */
export class HubEvent {
  readonly record: EventRecord;
  #encodings: Map<string, unknown> | undefined;

  constructor(record: EventRecord) {
    this.record = record;
  }

  /** This event in the encoding named `key`, made by `encode` on first use and kept. */
  encoded<T>(key: string, encode: (record: EventRecord) => T): T {
    this.#encodings ??= new Map();
    if (this.#encodings.has(key)) return this.#encodings.get(key) as T;
    const value = encode(this.record);
    this.#encodings.set(key, value);
    return value;
  }
}

/** The transport's side of a subscription: a gRPC stream, a Server-Sent Events response. */
export interface EventSink {
  /**
   * Events wait in the subscription: take them when the transport can write. Called when the
   * queue stops being empty, and again when it holds a full batch (EVENT_BATCH_MAX events, or
   * half its depth if less; `pending`): a transport that waits to gather events should write
   * then rather than let the queue fill.
   */
  wake(pending: number): void;
  /** A heartbeat is due (every heartbeat period, on every subscription). */
  heartbeat(timeMs: number): void;
  /** The server ends the subscription (shutdown): tell the client `reason` and close. */
  end(reason: DevFailed): void;
}

/** What the transport takes from a subscription at once. */
export interface EventBatch {
  readonly events: readonly HubEvent[];
  /** Events dropped from this subscriber's full queue just before `events[0]`. */
  readonly missed: number;
}

const EMPTY: EventBatch = Object.freeze({ events: Object.freeze([]) as readonly HubEvent[], missed: 0 });

/**
 * One subscriber of one event channel, with its bounded queue (DESIGN §9): a slow or stalled
 * subscriber never delays the device or other subscribers; when its queue is full the oldest
 * event goes, and the next batch it takes says how many it missed.
 */
export class Subscription {
  readonly id: number;
  readonly device: string;
  /** The attribute's declared name; "" for interface-change events. */
  readonly attribute: string;
  readonly eventType: EventType;
  /** How often the hub sends this subscription a heartbeat, ms. */
  readonly heartbeatMs: number;
  readonly #sink: EventSink;
  readonly #counts: EventCounts;
  readonly #slots: (HubEvent | undefined)[];
  readonly #onClose: (s: Subscription) => void;
  /** Events that make a full batch: the sink is woken again when this many wait. */
  readonly #fullBatch: number;
  #head = 0;
  #size = 0;
  #missed = 0;
  /** Held until the first event is in place, so that nothing overtakes it. */
  #isHeld = true;
  #isClosed = false;

  constructor(init: {
    id: number; device: string; attribute: string; eventType: EventType; sink: EventSink; counts: EventCounts;
    queueDepth: number; heartbeatMs: number; onClose: (s: Subscription) => void;
  }) {
    this.id = init.id;
    this.device = init.device;
    this.attribute = init.attribute;
    this.eventType = init.eventType;
    this.heartbeatMs = init.heartbeatMs;
    this.#sink = init.sink;
    this.#counts = init.counts;
    this.#slots = new Array<HubEvent | undefined>(init.queueDepth);
    this.#onClose = init.onClose;
    this.#fullBatch = Math.max(2, Math.min(EVENT_BATCH_MAX, Math.ceil(init.queueDepth / 2)));
  }

  /** Events that make a full batch (EVENT_BATCH_MAX, or half the queue's depth if less). */
  get fullBatch(): number {
    return this.#fullBatch;
  }

  /** Events queued at most before the oldest are dropped. */
  get queueDepth(): number {
    return this.#slots.length;
  }

  /** Events waiting. */
  get pending(): number {
    return this.#size;
  }

  get isClosed(): boolean {
    return this.#isClosed;
  }

  /** The transport's sink (the hub sends heartbeats and the end through it). */
  get sink(): EventSink {
    return this.#sink;
  }

  /** Queues an event; a full queue drops its oldest. Never blocks, never throws. */
  enqueue(event: HubEvent): void {
    if (this.#isClosed) return;
    const depth = this.#slots.length;
    if (this.#size === depth) {
      this.#slots[this.#head] = undefined;
      this.#head = (this.#head + 1) % depth;
      this.#size--;
      this.#missed++;
      this.#counts.dropped++;
    }
    this.#slots[(this.#head + this.#size) % depth] = event;
    this.#size++;
    if ((this.#size === 1 || this.#size === this.#fullBatch) && !this.#isHeld) this.#sink.wake(this.#size);
  }

  /** Puts the subscription's first event ahead of anything queued meanwhile, then lets events flow. */
  release(first: HubEvent | undefined): void {
    if (first !== undefined) {
      const depth = this.#slots.length;
      if (this.#size === depth) {
        // the newest goes: the first event must arrive first
        this.#slots[(this.#head + this.#size - 1) % depth] = undefined;
        this.#size--;
        this.#missed++;
        this.#counts.dropped++;
      }
      this.#head = (this.#head - 1 + depth) % depth;
      this.#slots[this.#head] = first;
      this.#size++;
    }
    this.#isHeld = false;
    if (this.#size > 0) this.#sink.wake(this.#size);
  }

  /** Takes up to `max` events, oldest first, with the count of those missed before them. */
  take(max: number): EventBatch {
    if (this.#size === 0 || this.#isHeld) return EMPTY;
    const n = Math.min(max, this.#size);
    const depth = this.#slots.length;
    const events: HubEvent[] = new Array(n);
    for (let i = 0; i < n; i++) {
      events[i] = this.#slots[this.#head] as HubEvent;
      this.#slots[this.#head] = undefined;
      this.#head = (this.#head + 1) % depth;
    }
    this.#size -= n;
    this.#counts.sent += n;
    const missed = this.#missed;
    this.#missed = 0;
    return { events, missed };
  }

  /** The client went away (or the server ended it): the subscription leaves its channel. Idempotent. */
  close(): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    this.#slots.fill(undefined);
    this.#size = 0;
    this.#onClose(this);
  }
}
