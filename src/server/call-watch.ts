import type { Logger } from "pino";
import { OPERATION_NAMES, type DeviceMetrics } from "../metrics/index.js";
import { WATCHDOG_INTERVAL_MS } from "../core/defaults.js";
import type { DeviceEntry } from "./device-entry.js";

/** What a call is about, formatted only when it is logged: a command name, attribute names or writes. */
export type CallDetail = string | ReadonlyArray<string | { readonly name: string }> | undefined;

/** One request of a device in progress, as the watchdog sees it. @internal */
export class CallRecord {
  readonly entry: DeviceEntry;
  readonly operation: number;
  readonly detail: CallDetail;
  /** performance.now() at its start. */
  readonly startMs: number;
  /** Found running past the hung-handler limit. */
  isHung = false;
  /** Its device was replaced (DevRestart, Init) while it ran: its result is discarded. */
  isAbandoned = false;

  constructor(entry: DeviceEntry, operation: number, detail: CallDetail, startMs: number) {
    this.entry = entry;
    this.operation = operation;
    this.detail = detail;
    this.startMs = startMs;
  }

  /** The operation's name (`command_inout`). */
  get operationName(): string {
    return OPERATION_NAMES[this.operation] ?? "unknown";
  }

  /** What it does, e.g. `command_inout Block` or `read_attributes (double_scalar, long_scalar)`. */
  describe(): string {
    const d = this.detail;
    if (d === undefined) return this.operationName;
    if (typeof d === "string") return `${this.operationName} ${d}`;
    return `${this.operationName} (${d.map((x) => (typeof x === "string" ? x : x.name)).join(", ")})`;
  }
}

/** Options of a CallWatch. */
export interface CallWatchOptions {
  /** The server's logger: hung handlers and stalls are logged at error level. */
  readonly log: Logger;
  /** A call running longer than this is hung, ms (hungHandlerFactor × monitorTimeoutMs). */
  readonly hungAfterMs: number;
  /** A stall of the event loop at least this long is logged, ms. */
  readonly stallMs: number;
  /** Where stalls are counted when no operation had started. */
  readonly unknownMetrics: DeviceMetrics;
  /** How often the watchdog runs, ms (WATCHDOG_INTERVAL_MS). */
  readonly intervalMs?: number;
}

/** How many started calls are remembered to blame a stall on. */
const RECENT = 16;

/**
 * The watchdog of a device server: knows the calls in progress (a Set add and delete and one
 * clock read per request), reports those running past the hung-handler limit, and measures the
 * lateness of its own timer to detect event-loop stalls (a synchronous busy loop in a device),
 * logged once the loop turns again, naming the last operation that started before the stall.
 *
 * @internal
 */
export class CallWatch {
  readonly #opts: CallWatchOptions;
  readonly #intervalMs: number;
  readonly #running = new Set<CallRecord>();
  readonly #recent: Array<CallRecord | undefined> = new Array<CallRecord | undefined>(RECENT).fill(undefined);
  #next = 0;
  #timer: NodeJS.Timeout | undefined;
  #lastTickMs = 0;

  constructor(opts: CallWatchOptions) {
    this.#opts = opts;
    this.#intervalMs = opts.intervalMs ?? WATCHDOG_INTERVAL_MS;
  }

  /** The hung-handler limit, ms. */
  get hungAfterMs(): number {
    return this.#opts.hungAfterMs;
  }

  /** Calls in progress now. */
  get running(): number {
    return this.#running.size;
  }

  /** Up to `max` calls in progress, described with their device and age, oldest first (for logs). */
  describeRunning(max: number): string[] {
    const now = performance.now();
    return [...this.#running].slice(0, max).map((c) => `${c.entry.name}: ${c.describe()} (${Math.round(now - c.startMs)} ms)`);
  }

  /** Starts the watchdog's timer (unref'd: it never keeps the process alive). */
  start(): void {
    if (this.#timer !== undefined) return;
    this.#lastTickMs = performance.now();
    this.#timer = setInterval(() => this.#tick(), this.#intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** A call of `entry` begins. */
  begin(entry: DeviceEntry, operation: number, detail: CallDetail): CallRecord {
    const call = new CallRecord(entry, operation, detail, performance.now());
    this.#running.add(call);
    this.#recent[this.#next] = call;
    this.#next = (this.#next + 1) % RECENT;
    return call;
  }

  /** The call ended, whatever its outcome. */
  end(call: CallRecord): void {
    this.#running.delete(call);
    if (!call.isHung) return;
    const runningMs = Math.round(performance.now() - call.startMs);
    if (call.isAbandoned) {
      this.#opts.log.warn({ device: call.entry.name, operation: call.operationName, what: call.describe(), runningMs },
        "a handler abandoned by a device restart returned; its result is discarded");
      return;
    }
    this.#unmarkHung(call);
    this.#opts.log.warn({ device: call.entry.name, operation: call.operationName, what: call.describe(), runningMs },
      "a hung handler returned");
  }

  /**
   * The device of `entry` is being replaced (DevRestart, Init): its hung calls are abandoned (no
   * longer counted as hung; their results will be discarded). Returns how many there were.
   */
  abandon(entry: DeviceEntry): number {
    const calls = [...entry.hungCalls];
    for (const call of calls) {
      call.isAbandoned = true;
      this.#unmarkHung(call);
    }
    return calls.length;
  }

  #unmarkHung(call: CallRecord): void {
    if (call.entry.hungCalls.delete(call)) call.entry.metrics.hungHandlers--;
  }

  #tick(): void {
    const now = performance.now();
    const lateMs = now - this.#lastTickMs - this.#intervalMs;
    this.#lastTickMs = now;
    if (lateMs >= this.#opts.stallMs) this.#stalled(lateMs, now);
    for (const call of this.#running) {
      if (call.isHung || now - call.startMs < this.#opts.hungAfterMs) continue;
      call.isHung = true;
      const { entry } = call;
      entry.hungCalls.add(call);
      entry.metrics.hungHandlers++;
      entry.metrics.hungHandlersTotal++;
      this.#opts.log.error({
        device: entry.name, operation: call.operationName, what: call.describe(), runningMs: Math.round(now - call.startMs),
        limitMs: this.#opts.hungAfterMs,
      }, "device handler is hung: DevRestart or Init of the device replaces it");
    }
  }

  /**
   * Blames the stall on the last call that started before the loop stood still. The timer was
   * due at `now - lateMs`; a call started up to one interval later may still have caused it (the
   * loop was busy elsewhere at the due time), while calls that queued up during the stall start
   * only once it is over, right before this runs.
   */
  #stalled(lateMs: number, now: number): void {
    const stalledSinceMs = now - lateMs + this.#intervalMs;
    let blamed: CallRecord | undefined;
    for (const call of this.#recent) {
      if (call !== undefined && call.startMs <= stalledSinceMs && (blamed === undefined || call.startMs > blamed.startMs)) blamed = call;
    }
    const metrics = blamed?.entry.metrics ?? this.#opts.unknownMetrics;
    metrics.eventLoopStalls++;
    metrics.eventLoopStallSeconds += lateMs / 1000;
    this.#opts.log.error({
      stalledMs: Math.round(lateMs), device: blamed?.entry.name, operation: blamed?.operationName, what: blamed?.describe(),
    }, blamed === undefined ? "event loop stalled" : "event loop stalled, most likely by a synchronous device handler");
  }
}
