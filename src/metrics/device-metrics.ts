import { DevFailed, MultiDevFailed, Reason } from "../core/index.js";
import type { AttributeValue, DevState } from "../core/index.js";
import { DurationRecord } from "./duration-record.js";
import { OPERATION_NAMES } from "./operation.js";
import { ReasonCounts } from "./reason-counts.js";

/**
 * Bucket bounds of every tango_* histogram, in seconds. An in-memory attribute or a trivial
 * command takes microseconds and a whole cppTango call ~0.1 ms, so the first bound is 100 µs;
 * hardware I/O takes 1–100 ms; slow commands take seconds, and the client timeout (3 s) and the
 * monitor timeout (3.2 s, spec §10.6) fall between 2.5 and 5. A free monitor's wait (0) is in
 * the first bucket.
 */
export const TANGO_BUCKETS_SECONDS: readonly number[] = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/**
 * The `device` label of requests naming no device of the server: never the name the client sent,
 * which would let clients create series. A Tango device name has three parts, so it cannot clash.
 */
export const UNKNOWN_DEVICE = "(unknown)";

function recordIn(records: Map<string, DurationRecord>, name: string): DurationRecord {
  let record = records.get(name);
  if (record === undefined) records.set(name, record = new DurationRecord(TANGO_BUCKETS_SECONDS));
  return record;
}

/** Events of one (attribute, event type) of a device: sent to and dropped for subscribers, and how many subscribe now. */
export interface EventCounts {
  readonly attribute: string;
  /** The wire name: change, periodic, archive, user_event, attr_conf, data_ready, intr_change, alarm. */
  readonly eventType: string;
  /** Events written to subscribers (one per subscriber an event reached). */
  sent: number;
  /** Events dropped from a subscriber's full queue. */
  dropped: number;
  /** Subscriptions now. */
  subscribers: number;
}

/**
 * One device's tango_* counts as plain numbers (see DurationRecord for why not prom-client), kept
 * by the server across DevRestart and read by `registerTangoMetrics` at scrape time. A request
 * costs an array slot increment; a timed command or attribute two `performance.now()` calls, one
 * Map lookup by its declared name and a bucket scan. A record is created on the first timing of a
 * declared name, never for a name a client sent, so series stay bounded by the declarations.
 */
export class DeviceMetrics {
  /** The device name in its declared case: the `device` label. */
  readonly device: string;
  /** Requests per operation, indexed by `Operation`. */
  readonly requests: number[] = OPERATION_NAMES.map(() => 0);
  /** How long requests waited for the serialization monitor. */
  readonly serializationWait = new DurationRecord(TANGO_BUCKETS_SECONDS);
  /** Errors returned to clients, by root-cause reason (capped, see ReasonCounts). */
  readonly errors = new ReasonCounts();
  readonly #commands = new Map<string, DurationRecord>();
  readonly #reads = new Map<string, DurationRecord>();
  readonly #writes = new Map<string, DurationRecord>();
  readonly #polls = new Map<string, DurationRecord>();
  readonly #events = new Map<string, EventCounts>();
  /** Polls discarded because the device's polling was late (cppTango API_PollThreadOutOfSync). */
  latePolls = 0;
  /** Handlers of the device running past the hung-handler limit now (a restart abandons them). */
  hungHandlers = 0;
  /** Handlers ever found running past the hung-handler limit. */
  hungHandlersTotal = 0;
  /** Event-loop stalls blamed on the device (the last operation that started before each). */
  eventLoopStalls = 0;
  /** Their total length, seconds. */
  eventLoopStallSeconds = 0;
  readonly #stateOf: () => DevState | undefined;

  /** `stateOf` gives the state the device last set, or undefined while it is not exported. */
  constructor(device: string, stateOf: () => DevState | undefined) {
    this.device = device;
    this.#stateOf = stateOf;
  }

  /** Command durations by declared command name. */
  get commands(): ReadonlyMap<string, DurationRecord> {
    return this.#commands;
  }

  /** Attribute read durations by declared attribute name. */
  get reads(): ReadonlyMap<string, DurationRecord> {
    return this.#reads;
  }

  /** Attribute write durations by declared attribute name. */
  get writes(): ReadonlyMap<string, DurationRecord> {
    return this.#writes;
  }

  /** Poll durations by polled object name (a group read together: the group's time, for each). */
  get polls(): ReadonlyMap<string, DurationRecord> {
    return this.#polls;
  }

  /** Event counts by attribute and event type. */
  get events(): Iterable<EventCounts> {
    return this.#events.values();
  }

  /** The state the device last set (no user code runs), or undefined while it is not exported. */
  state(): DevState | undefined {
    return this.#stateOf();
  }

  /** Counts one request of `operation` (an `Operation` slot). */
  countRequest(operation: number): void {
    this.requests[operation] = (this.requests[operation] ?? 0) + 1;
  }

  /** One command run, by its declared name. */
  observeCommand(command: string, seconds: number): void {
    recordIn(this.#commands, command).observe(seconds);
  }

  /** One attribute read, by its declared name. */
  observeRead(attribute: string, seconds: number): void {
    recordIn(this.#reads, attribute).observe(seconds);
  }

  /** One attribute write, by its declared name. */
  observeWrite(attribute: string, seconds: number): void {
    recordIn(this.#writes, attribute).observe(seconds);
  }

  /** One poll of an object, by its declared name. */
  observePoll(object: string, seconds: number): void {
    recordIn(this.#polls, object).observe(seconds);
  }

  /** Polls discarded for lateness. */
  countLatePolls(n: number): void {
    this.latePolls += n;
  }

  /**
   * The counters of one event channel (attribute, event type name), created on first use; the
   * event hub keeps the object and bumps its fields, so counting costs an increment.
   */
  eventCounts(attribute: string, eventType: string): EventCounts {
    const key = `${attribute}\u0000${eventType}`;
    let counts = this.#events.get(key);
    if (counts === undefined) this.#events.set(key, counts = { attribute, eventType, sent: 0, dropped: 0, subscribers: 0 });
    return counts;
  }

  /**
   * Counts an error a request threw: a DevFailed by its root cause, each failed element of a
   * MultiDevFailed, anything else as API_StdException (what the adapters turn it into).
   */
  countFailure(err: unknown): void {
    if (err instanceof MultiDevFailed) for (const e of err.errors) this.errors.count(e.errors[0].reason);
    else if (err instanceof DevFailed) this.errors.count(err.reason);
    else this.errors.count(Reason.StdException);
  }

  /** Counts the attributes of a read reply that carry an error stack, by root-cause reason. */
  countReadErrors(values: readonly AttributeValue[]): void {
    for (const v of values) {
      const reason = v.errors?.[0]?.reason;
      if (reason !== undefined) this.errors.count(reason);
    }
  }
}
