import { POLL_DISCARD_THRESHOLD_MS } from "../../core/defaults.js";
import type { PolledAttribute, PolledCommand, PolledObject } from "./polled-object.js";

/** What one poll does, through the server's request path; provided by the Polling manager. */
export interface PollWork {
  /** Polls attributes read together (same period) and stores the results; resolves when done. */
  pollAttributes(objects: readonly PolledAttribute[]): Promise<void>;
  /** Polls one command and stores the result. */
  pollCommand(object: PolledCommand): Promise<void>;
  /**
   * `slots` polls of an item were discarded because the poller was late by more than
   * POLL_DISCARD_THRESHOLD_MS (cppTango's PollThread: API_PollThreadOutOfSync for attributes).
   */
  discarded(objects: readonly PolledObject[], slots: number): void;
  /** A bug: a poll failed in a way PollWork did not turn into a record. The loop goes on. */
  failed(err: unknown): void;
}

/** A scheduled poll: the attributes of one period read together (cppTango 9), or one command. */
interface WorkItem {
  readonly periodMs: number;
  wakeUpMs: number;
  readonly objects: PolledObject[];
}

/**
 * The polling of one device (spec §11): its polled objects and a loop that polls them on time.
 * Each device has its own loop, so a slow or hung device never delays another device's polling
 * (cppTango with one polling thread per device). The schedule follows cppTango's PollThread:
 * attributes of the same period are read in one pass; each poll is due one period after the
 * previous due date; a slot the device's polling overran is discarded and reported (see #next).
 */
export class DevicePoller {
  readonly #work: PollWork;
  readonly #objects = new Map<string, PolledObject>();
  #items: WorkItem[] = [];
  #controller: AbortController | undefined;
  /** The loop started last; it never rejects (see #run). */
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;

  constructor(work: PollWork) {
    this.#work = work;
  }

  /** Whether the loop runs. */
  get isRunning(): boolean {
    return this.#controller !== undefined;
  }

  /** Every polled object, in the order they were added. */
  objects(): PolledObject[] {
    return [...this.#objects.values()];
  }

  get size(): number {
    return this.#objects.size;
  }

  /** The polled object of a kind and name (any case). */
  get(kind: PolledObject["kind"], name: string): PolledObject | undefined {
    return this.#objects.get(keyOf(kind, name));
  }

  /**
   * Adds an object: it joins the attributes of its period and is read with them at their next
   * due date, or gets an item of its own, due now.
   */
  add(object: PolledObject, nowMs = Date.now()): void {
    this.#objects.set(keyOf(object.kind, object.name), object);
    if (object.periodMs > 0) {
      const group = object.kind === "attribute" ? this.#items.find((i) => i.periodMs === object.periodMs && i.objects[0]?.kind === "attribute") : undefined;
      if (group !== undefined) group.objects.push(object);
      else this.#items.push({ periodMs: object.periodMs, wakeUpMs: nowMs, objects: [object] });
    }
    this.#wake?.();
  }

  /** Removes an object; false when it was not polled. */
  remove(kind: PolledObject["kind"], name: string): boolean {
    const object = this.#objects.get(keyOf(kind, name));
    if (object === undefined) return false;
    this.#objects.delete(keyOf(kind, name));
    this.#unschedule(object);
    this.#wake?.();
    return true;
  }

  /** Changes an object's period: it leaves its item and is scheduled as if added anew. */
  setPeriod(object: PolledObject, periodMs: number, nowMs = Date.now()): void {
    this.#unschedule(object);
    this.#objects.delete(keyOf(object.kind, object.name));
    object.periodMs = periodMs;
    this.add(object, nowMs);
  }

  /** Starts the loop (StartPolling); every item is due now. */
  start(nowMs = Date.now()): void {
    if (this.#controller !== undefined) return;
    for (const item of this.#items) item.wakeUpMs = nowMs;
    const controller = new AbortController();
    this.#controller = controller;
    this.#loop = this.#run(controller.signal);
  }

  /**
   * Stops the loop (StopPolling, shutdown). Resolves when the poll under way, if any, has ended,
   * or after `waitMs`: a poll may be stuck in a hung device; its loop ends once it returns.
   */
  async stop(waitMs = 0): Promise<void> {
    this.#controller?.abort();
    this.#controller = undefined;
    this.#wake?.();
    const loop = this.#loop;
    if (loop === undefined || waitMs <= 0) return;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([loop, new Promise<void>((resolve) => { timer = setTimeout(resolve, waitMs); })]);
    } finally {
      clearTimeout(timer);
    }
  }

  #unschedule(object: PolledObject): void {
    for (const item of this.#items) {
      const i = item.objects.indexOf(object);
      if (i >= 0) item.objects.splice(i, 1);
    }
    this.#items = this.#items.filter((i) => i.objects.length > 0);
  }

  /** The loop: never rejects (PollWork turns every failure into a record), ends when `signal` aborts. */
  async #run(signal: AbortSignal): Promise<void> {
    let isAfterPoll = false;
    while (!signal.aborted) {
      const next = this.#next(Date.now(), isAfterPoll);
      isAfterPoll = next.item !== undefined;
      if (next.item === undefined) {
        await this.#sleep(next.waitMs, signal);
        continue;
      }
      const item = next.item;
      const objects = [...item.objects];
      try {
        if (objects[0]?.kind === "command") await this.#work.pollCommand(objects[0]);
        else await this.#work.pollAttributes(objects as PolledAttribute[]);
      } catch (err) {
        this.#work.failed(err);
      }
      item.wakeUpMs += item.periodMs;
    }
  }

  /**
   * The item to poll now, or how long to sleep (cppTango's PollThread::compute_sleep_time, for a
   * thread that is a device's own). An item due more than POLL_DISCARD_THRESHOLD_MS ago right
   * after a poll missed its slot because the device's polling overran: its slots gone by are
   * discarded and reported, and it is due one period later. After a sleep, the process was busy:
   * a poll less than a period late is made at once; a whole period gone by is discarded too.
   */
  #next(nowMs: number, isAfterPoll: boolean): { item?: WorkItem; waitMs: number } {
    if (this.#items.length === 0) return { waitMs: Infinity };
    for (;;) {
      const front = earliest(this.#items);
      const lateMs = nowMs - front.wakeUpMs;
      if (lateMs <= POLL_DISCARD_THRESHOLD_MS) return lateMs >= 0 ? { item: front, waitMs: 0 } : { waitMs: -lateMs };
      const slots = Math.floor(lateMs / front.periodMs);
      if (!isAfterPoll && slots === 0) return { item: front, waitMs: 0 };
      const discarded = Math.max(1, slots);
      this.#work.discarded(front.objects, discarded);
      front.wakeUpMs += discarded * front.periodMs;
    }
  }

  /** Sleeps `ms` (Infinity: until woken), or until the list changes or the loop stops. */
  async #sleep(ms: number, signal: AbortSignal): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        if (signal.aborted) resolve();
        if (ms !== Infinity) timer = setTimeout(resolve, ms);
      });
    } finally {
      clearTimeout(timer);
      this.#wake = undefined;
    }
  }
}

function keyOf(kind: PolledObject["kind"], name: string): string {
  return `${kind}:${name.toLowerCase()}`;
}

function earliest(items: readonly WorkItem[]): WorkItem {
  let best = items[0] as WorkItem;
  for (const item of items) if (item.wakeUpMs < best.wakeUpMs) best = item;
  return best;
}
